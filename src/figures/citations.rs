//! Cites figures once per sentence, at its end. Takes a page body's HTML, in which every
//! `{{ figure(...) }}` left a marker after its number, and returns the HTML with the markers
//! gone and one citation at the end of each sentence that holds figures: links to the reports
//! the sentence's reported figures come from, and for each computed figure what the site
//! computed it from ("our sum of two figures from Report 1 and Report 2").
//!
//! A report the sentence already cites (a link to `#source-<id>`, as editors write them) is not
//! cited again, so a sentence an editor cited by hand is left as written. A sentence ends at
//! `.`, `!` or `?` followed by a space or the end of its block; the citation goes before the
//! full stop, or after a closing quotation mark that follows it. Pure.

use std::collections::BTreeSet;

use super::html::{computed_phrase, escape};
use super::{Figure, Figures, Provenance};

/// The start of a marker comment: `<!--picket-cite:ID-->`.
pub(crate) const MARKER: &str = "picket-cite:";

/// A figure waiting for the end of its sentence, and the reports that sentence should cite.
struct Pending<'a> {
    figure: &'a Figure,
    cite: Vec<String>,
}

#[derive(Default)]
struct Sentence<'a> {
    pending: Vec<Pending<'a>>,
    /// Reports the sentence cites already.
    cited: BTreeSet<String>,
}

/// Elements that end a sentence's block: a citation never crosses them.
const BLOCKS: &[&str] = &[
    "p",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "td",
    "th",
    "tr",
    "table",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "div",
    "section",
    "figure",
    "figcaption",
    "aside",
    "details",
    "summary",
    "br",
    "hr",
];

/// Elements whose contents are not prose.
const OPAQUE: &[&str] = &["pre", "code", "script", "style", "svg", "textarea"];

/// What a `{{ figure }}` call asks to be cited: the figure, and the reports its sentence should
/// name (all of the figure's sources unless the call named some).
pub(crate) fn marker(figure: &Figure, cite: &[String]) -> String {
    let mut marker = format!("<!--{MARKER}{}", escape(&figure.id));
    for id in cite {
        marker.push(' ');
        marker.push_str(&escape(id));
    }
    marker.push_str("-->");
    marker
}

/// Replaces every marker in `html` by a citation at the end of its sentence.
pub fn place(figures: &Figures, html: &str) -> String {
    if !html.contains(MARKER) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut sentence = Sentence::default();
    let mut link_depth = 0usize;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let tag_len = tag_length(rest);
            let tag = &rest[..tag_len];
            rest = &rest[tag_len..];
            if let Some(body) = tag.strip_prefix("<!--").and_then(|t| t.strip_suffix("-->")) {
                match body.strip_prefix(MARKER) {
                    Some(marker) => sentence.push_marker(figures, marker),
                    None => out.push_str(tag),
                }
                continue;
            }
            let (name, closing) = tag_name(tag);
            if OPAQUE.contains(&name.as_str()) && !closing {
                out.push_str(tag);
                let end = find_closing(rest, &name);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            if name == "a" {
                if closing {
                    link_depth = link_depth.saturating_sub(1);
                    out.push_str(tag);
                    continue;
                }
                link_depth += 1;
                if let Some(id) = source_link(tag) {
                    sentence.cited.insert(id);
                }
            }
            if BLOCKS.contains(&name.as_str()) && link_depth == 0 {
                let trimmed = out.trim_end().len();
                let tail = out.split_off(trimmed);
                sentence.finish(figures, &mut out);
                out.push_str(&tail);
            }
            out.push_str(tag);
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if !matches!(c, '.' | '!' | '?') || link_depth > 0 {
            out.push(c);
            continue;
        }
        let closers = closers_length(rest);
        let after = &rest[closers..];
        let ends = after.is_empty() || after.starts_with(char::is_whitespace) || after.starts_with('<');
        if !ends {
            out.push(c);
            continue;
        }
        if closers == 0 {
            sentence.finish(figures, &mut out);
            out.push(c);
        } else {
            out.push(c);
            out.push_str(&rest[..closers]);
            sentence.finish(figures, &mut out);
            rest = after;
        }
    }
    sentence.finish(figures, &mut out);
    out
}

/// The length of the closing quotation marks and brackets at the start of `text`, written as
/// characters or as the entities pulldown-cmark writes for straight quotes.
fn closers_length(text: &str) -> usize {
    let mut length = 0;
    loop {
        let rest = &text[length..];
        if let Some(c) = rest.chars().next().filter(|c| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']')) {
            length += c.len_utf8();
        } else if let Some(entity) =
            ["&quot;", "&#39;", "&#x27;", "&rdquo;", "&rsquo;"].iter().find(|e| rest.starts_with(**e))
        {
            length += entity.len();
        } else {
            return length;
        }
    }
}

impl<'a> Sentence<'a> {
    fn push_marker(&mut self, figures: &'a Figures, marker: &str) {
        let mut words = marker.split(' ');
        let id = words.next().unwrap_or("");
        let found = figures.figures.get(id).or_else(|| figures.figures.values().find(|f| escape(&f.id) == id));
        let Some(figure) = found else { return };
        let cite: Vec<String> = words.map(str::to_string).collect();
        let cite = if cite.is_empty() { figure.provenance.sources().to_vec() } else { cite };
        self.pending.push(Pending { figure, cite });
    }

    /// Cites the sentence that ends at the end of `out` (nothing when it needs no citation),
    /// and starts a fresh sentence. When the sentence already ends with a citation an editor
    /// wrote, `(<a href="#source-...">...</a>)`, the rest joins it inside its brackets.
    fn finish(&mut self, figures: &Figures, out: &mut String) {
        let sentence = std::mem::take(self);
        if sentence.pending.is_empty() {
            return;
        }
        let mut reports: Vec<String> = Vec::new();
        let mut computed: Vec<&Figure> = Vec::new();
        for pending in &sentence.pending {
            match &pending.figure.provenance {
                Provenance::Reported { .. } => {
                    for id in &pending.cite {
                        if !sentence.cited.contains(id) && !reports.contains(id) {
                            reports.push(id.clone());
                        }
                    }
                }
                Provenance::Computed(_) => {
                    if !computed.iter().any(|f| f.id == pending.figure.id) {
                        computed.push(pending.figure);
                    }
                }
            }
        }
        reports.sort_by_key(|id| figures.sources.iter().position(|s| &s.id == id));
        let links: Vec<String> = reports
            .iter()
            .filter_map(|id| figures.source(id))
            .map(|s| format!("<a href=\"#source-{}\">{}</a>", escape(&s.id), escape(&s.short)))
            .collect();
        let joins_citation = ends_with_citation(out);
        let alone = links.is_empty() && computed.len() == 1 && !joins_citation;
        let notes: Vec<String> = computed
            .iter()
            .filter_map(|figure| {
                let computation = figure.provenance.computation()?;
                let phrase = escape(&computed_phrase(figures, computation));
                let text = if alone { phrase } else { format!("{} is {phrase}", escape(&figure.display())) };
                Some(format!(
                    "<span class=\"cite-computed\" data-computed-note=\"{}\">{text}</span>",
                    escape(&figure.id)
                ))
            })
            .collect();
        if links.is_empty() && notes.is_empty() {
            return;
        }
        if joins_citation {
            let bracket = out.len() - 1;
            let mut added = String::new();
            if !links.is_empty() {
                added.push_str(&format!(", {}", links.join(", ")));
            }
            for note in &notes {
                added.push_str(&format!("; {note}"));
            }
            out.insert_str(bracket, &added);
            return;
        }
        let mut items = Vec::new();
        if !links.is_empty() {
            items.push(links.join(", "));
        }
        items.extend(notes);
        out.push_str(&format!(" <span class=\"cite\">({})</span>", items.join("; ")));
    }
}

/// Whether `out` ends with a citation an editor wrote: a link to `#source-...` and `)`.
fn ends_with_citation(out: &str) -> bool {
    let Some(before) = out.strip_suffix("</a>)") else { return false };
    before.rfind("<a ").is_some_and(|start| before[start..].starts_with("<a href=\"#source-"))
}

/// The length of the tag or comment at the start of `html` (which starts with `<`), quotes in
/// attributes respected; the rest of the text when it never closes.
fn tag_length(html: &str) -> usize {
    if html.starts_with("<!--") {
        return html.find("-->").map_or(html.len(), |i| i + 3);
    }
    let mut quote: Option<char> = None;
    for (i, c) in html.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            (None, _) => {}
        }
    }
    html.len()
}

/// The lower-case element name of a tag, and whether it is a closing tag.
fn tag_name(tag: &str) -> (String, bool) {
    let inner = tag.trim_start_matches('<');
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name: String = inner.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    (name.to_ascii_lowercase(), closing)
}

/// Where the closing tag of the opaque element `name` starts in `html` (its end when missing).
fn find_closing(html: &str, name: &str) -> usize {
    let mut from = 0;
    while let Some(i) = html[from..].find("</") {
        let at = from + i;
        let candidate = &html.as_bytes()[at + 2..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return at;
        }
        from = at + 2;
    }
    html.len()
}

/// The source id of a link to `#source-<id>`, as citations are written.
fn source_link(tag: &str) -> Option<String> {
    let start = tag.find("href=\"#source-")? + "href=\"#source-".len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_string())
}

#[cfg(test)]
mod tests;
