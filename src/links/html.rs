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
    let mut tags = Vec::new();
    for_each_tag(html, |name, attributes| {
        tags.push(StartTag {
            name: name.to_ascii_lowercase(),
            attributes: attributes
                .iter()
                .map(|(name, value, at)| (name.to_ascii_lowercase(), decode_entities(value), *at))
                .collect(),
        });
    });
    tags
}

/// An attribute as written: its name, its raw value and the byte offset of the value.
type RawAttribute<'a> = (&'a str, &'a str, usize);

/// Calls `visit` with the name and the raw attributes of every start tag, in order, allocating
/// nothing per tag: a build runs this on every page.
fn for_each_tag<'a>(html: &'a str, mut visit: impl FnMut(&'a str, &[RawAttribute<'a>])) {
    let bytes = html.as_bytes();
    let mut attributes: Vec<RawAttribute<'a>> = Vec::new();
    let mut i = 0;
    while let Some(found) = memchr_lt(&bytes[i..]) {
        i += found;
        if bytes[i..].starts_with(b"<!--") {
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
        let name = &html[name_start..j];
        attributes.clear();
        i = read_attributes(html, j, &mut attributes);
        visit(name, &attributes);
        for raw_text in ["script", "style", "textarea"] {
            if name.eq_ignore_ascii_case(raw_text) {
                let close = format!("</{raw_text}");
                i = find_ascii_case_insensitive(&html[i..], &close).map_or(html.len(), |at| i + at);
            }
        }
    }
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'<')
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Reads the attributes of a tag from byte `i` (just after its name) to its `>` into
/// `attributes`; returns the offset after the tag.
fn read_attributes<'a>(html: &'a str, mut i: usize, attributes: &mut Vec<RawAttribute<'a>>) -> usize {
    let bytes = html.as_bytes();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return i;
        }
        if bytes[i] == b'>' {
            return i + 1;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &html[name_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            attributes.push((name, "", i));
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = bytes[start..].iter().position(|b| *b == quote).map_or(html.len(), |e| start + e);
                i = (end + 1).min(html.len());
                attributes.push((name, &html[start..end], start));
            }
            _ => {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                attributes.push((name, &html[start..i], start));
            }
        }
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
    for_each_tag(html, |tag, attributes| {
        for (name, value, _) in attributes {
            if name.eq_ignore_ascii_case("id") || (name.eq_ignore_ascii_case("name") && tag.eq_ignore_ascii_case("a")) {
                ids.insert(decode_entities(value));
            }
        }
    });
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
