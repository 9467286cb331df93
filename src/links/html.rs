//! A small HTML tokenizer for what links need of a page: its start tags, their attributes and
//! where each value is, with character references decoded. Fast enough to run on every page of
//! a build (parsing each page as a document would not be); it skips comments and the insides of
//! `script`, `style` and `textarea`, as browsers do.

use std::collections::BTreeSet;

/// One start tag in HTML: its name (lower case), and its attributes with the byte offset of each
/// value in the text (values with entities decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTag {
    pub name: String,
    pub attributes: Vec<(String, String, usize)>,
}

impl StartTag {
    pub fn attribute(&self, name: &str) -> Option<(&str, usize)> {
        self.attributes.iter().find(|(n, _, _)| n == name).map(|(_, v, at)| (v.as_str(), *at))
    }
}

/// Every start tag of `html`, skipping comments and the insides of `script`, `style` and
/// `textarea`. A small tokenizer for the attributes picket needs (ids and links), so that a build
/// need not parse each page as a document.
pub fn start_tags(html: &str) -> Vec<StartTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(found) = html[i..].find('<') {
        i += found;
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(html.len(), |end| i + end + 3);
            continue;
        }
        let name_start = i + 1;
        let mut j = name_start;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        if j == name_start || !bytes[name_start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let (attributes, end) = read_attributes(html, j);
        i = end;
        if matches!(name.as_str(), "script" | "style" | "textarea") {
            let close = format!("</{name}");
            i = find_ascii_case_insensitive(&html[i..], &close).map_or(html.len(), |at| i + at);
        }
        tags.push(StartTag { name, attributes });
    }
    tags
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Reads the attributes of a tag from byte `i` (just after its name) to its `>`; returns them
/// and the offset after the tag.
fn read_attributes(html: &str, mut i: usize) -> (Vec<(String, String, usize)>, usize) {
    let bytes = html.as_bytes();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attributes, i);
        }
        if bytes[i] == b'>' {
            return (attributes, i + 1);
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            attributes.push((name, String::new(), i));
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let (value, value_start) = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = html[start..].find(quote as char).map_or(html.len(), |e| start + e);
                i = (end + 1).min(html.len());
                (&html[start..end], start)
            }
            _ => {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                (&html[start..i], start)
            }
        };
        attributes.push((name, decode_entities(value), value_start));
    }
}

/// Decodes the character references an attribute value may hold: numeric ones and the named
/// ones that escape HTML's own characters.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every id a fragment can name on a page: `id` attributes, and `name` on `<a>` (which the HTML
/// standard also scrolls to).
pub fn ids_in_html(html: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for tag in start_tags(html) {
        if let Some((id, _)) = tag.attribute("id") {
            ids.insert(id.to_string());
        }
        if tag.name == "a"
            && let Some((name, _)) = tag.attribute("name")
        {
            ids.insert(name.to_string());
        }
    }
    ids
}

/// The attribute that holds the link of each element that has one, as `picket check` reads them.
pub fn link_attribute(tag: &StartTag) -> Option<&'static str> {
    match tag.name.as_str() {
        "a" | "link" | "area" => Some("href"),
        "img" | "script" | "source" | "iframe" | "video" | "audio" | "track" | "embed" => Some("src"),
        _ => None,
    }
}
