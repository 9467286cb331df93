//! The Markdown of a page as the import sees it: where code is, where link destinations are
//! written, and a list of edits applied in one pass.
//!
//! Pure. Positions come from pulldown-cmark (with picket's own extensions, so "in code" means
//! what it means to picket); an edit replaces a byte range of the body.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

/// A fenced code block.
#[derive(Debug, Clone)]
pub(crate) struct Fence {
    /// From the opening fence to the end of the closing one.
    pub range: Range<usize>,
    /// The info string's language: its first word before `,` or a space.
    pub language: String,
    /// The text between the fences (empty range when the block is empty).
    pub content: Range<usize>,
}

/// A link or image destination as written in the source.
#[derive(Debug, Clone)]
pub(crate) struct Destination {
    /// The bytes of the destination itself, without `<` `>`.
    pub range: Range<usize>,
    pub url: String,
}

/// What the import needs to know about a body.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Code spans and code blocks, in order.
    pub code: Vec<Range<usize>>,
    pub fences: Vec<Fence>,
    pub destinations: Vec<Destination>,
    /// `src` and `href` values written in raw HTML.
    pub html_urls: Vec<Destination>,
    /// Links whose destination could not be found in the text as written (escapes, entities).
    pub unlocated: Vec<(usize, String)>,
}

impl Scan {
    pub(super) fn in_code(&self, offset: usize) -> bool {
        let i = self.code.partition_point(|r| r.end <= offset);
        self.code.get(i).is_some_and(|r| r.contains(&offset))
    }

    pub(super) fn fence_at(&self, offset: usize) -> Option<&Fence> {
        self.fences.iter().find(|f| f.range.contains(&offset))
    }
}

pub(crate) fn scan(text: &str) -> Scan {
    let mut scan = Scan::default();
    let parser = Parser::new_ext(text, crate::markdown::options());
    // For each open link: where it starts and where its text ends so far.
    let mut open_links: Vec<(usize, usize, String)> = Vec::new();
    let mut fence: Option<Fence> = None;
    let mut iter = parser.into_offset_iter();
    for (event, range) in iter.by_ref() {
        let closes_link = matches!(event, Event::End(TagEnd::Link | TagEnd::Image));
        if let Some(link) = open_links.last_mut().filter(|_| !closes_link) {
            link.1 = link.1.max(range.end);
        }
        match event {
            Event::Code(_) => scan.code.push(range),
            Event::Start(Tag::CodeBlock(kind)) => {
                scan.code.push(range.clone());
                if let CodeBlockKind::Fenced(info) = kind {
                    let language = info.split([',', ' ', '\t']).next().unwrap_or_default().to_string();
                    fence = Some(Fence { range: range.clone(), language, content: range.end..range.end });
                }
            }
            Event::Text(_) if fence.is_some() => {
                let fence = fence.as_mut().expect("checked above");
                if fence.content.start == fence.range.end {
                    fence.content = range.clone();
                }
                fence.content.end = range.end;
            }
            Event::End(TagEnd::CodeBlock) => scan.fences.extend(fence.take()),
            Event::Html(_) | Event::InlineHtml(_) => scan.html_urls.extend(html_urls(text, range)),
            Event::Start(Tag::Link { link_type, dest_url, .. } | Tag::Image { link_type, dest_url, .. }) => {
                let inline = matches!(link_type, LinkType::Inline);
                // Text starts after `[` (or `![`); the destination follows the `](` after it.
                let text_start = text[range.start..].find('[').map_or(range.start, |i| range.start + i + 1);
                if inline {
                    open_links.push((range.start, text_start, dest_url.to_string()));
                } else {
                    open_links.push((usize::MAX, 0, String::new()));
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some((start, text_end, url)) = open_links.pop()
                    && start != usize::MAX
                {
                    let after = text[text_end..].find("](").map(|i| text_end + i + 2);
                    match after.and_then(|at| locate(text, at, &url)) {
                        Some(range) => scan.destinations.push(Destination { range, url }),
                        None => scan.unlocated.push((start, url)),
                    }
                }
                // The link just closed is part of the text of the one around it.
                if let Some(outer) = open_links.last_mut() {
                    outer.1 = outer.1.max(range.end);
                }
            }
            _ => {}
        }
    }
    for (_, definition) in iter.reference_definitions().iter() {
        let span = definition.span.clone();
        let after = text[span.clone()].find("]:").map(|i| span.start + i + 2);
        match after.and_then(|at| locate(text, at, &definition.dest)) {
            Some(range) => scan.destinations.push(Destination { range, url: definition.dest.to_string() }),
            None => scan.unlocated.push((span.start, definition.dest.to_string())),
        }
    }
    scan.code.sort_by_key(|r| r.start);
    scan.destinations.sort_by_key(|d| d.range.start);
    scan
}

/// The `src="..."` and `href="..."` values in the raw HTML at `range` of `text`.
fn html_urls(text: &str, range: Range<usize>) -> Vec<Destination> {
    let html = &text[range.clone()];
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for name in ["src", "href"] {
        for (at, _) in lower.match_indices(name) {
            let before = lower[..at].chars().next_back();
            let rest = &html[at + name.len()..];
            let after_equals = rest.trim_start().strip_prefix('=').map(str::trim_start);
            let Some(value) = after_equals.filter(|_| before.is_some_and(char::is_whitespace)) else { continue };
            let Some(quote) = value.chars().next().filter(|q| matches!(q, '"' | '\'')) else { continue };
            let Some(len) = value[1..].find(quote) else { continue };
            let start = range.start + (html.len() - value.len()) + 1;
            found.push(Destination { range: start..start + len, url: value[1..1 + len].to_string() });
        }
    }
    found.sort_by_key(|d| d.range.start);
    found
}

/// The range of `url` written at `at` (after spaces and an optional `<`), if it is written there
/// exactly as parsed.
fn locate(text: &str, at: usize, url: &str) -> Option<Range<usize>> {
    let rest = &text[at..];
    let skipped = rest.len() - rest.trim_start().len();
    let mut start = at + skipped;
    if text[start..].starts_with('<') {
        start += 1;
    }
    text[start..].starts_with(url).then(|| start..start + url.len())
}

/// A replacement of `range` of the body by `text`.
#[derive(Debug, Clone)]
pub(crate) struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// Applies `edits` to `text`. Edits must not overlap; one that overlaps an earlier one is
/// dropped (callers make sure that does not happen).
pub(crate) fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        if edit.range.start < at {
            debug_assert!(false, "overlapping edits at {:?}", edit.range);
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.text);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Every offset in `text` where `{{` or `{%` starts, in order.
pub(crate) fn braces(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1)).filter(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%')).collect()
}

/// Whether the call written at `offset` (starting `{{` or `{%`) has the shape picket and Zola
/// share: `name(args)` and the matching close. Returns the end of the call.
pub(crate) fn shortcode_call(text: &str, offset: usize) -> Option<(usize, String)> {
    let close = if text[offset..].starts_with("{{") { "}}" } else { "%}" };
    let inner_start = offset + 2;
    let end = inner_start + text[inner_start..].find(close)?;
    let inner = text[inner_start..end].trim();
    let open = inner.find('(')?;
    let name = inner[..open].trim();
    let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (is_name && inner.ends_with(')')).then(|| (end + 2, name.to_string()))
}

/// Whether `{% end %}` is written at `offset`; returns its end.
pub(crate) fn end_tag(text: &str, offset: usize) -> Option<usize> {
    let inner_start = offset + 2;
    let end = inner_start + text[inner_start..].find("%}")?;
    (text[offset..].starts_with("{%") && text[inner_start..end].trim() == "end").then_some(end + 2)
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    crate::error::Location::of_offset(text, offset).line
}
