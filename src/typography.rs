//! Smart punctuation for plain text that templates show: titles and descriptions from front
//! matter and site.yaml. They get the curly quotes, dashes and ellipses the page body gets,
//! because both go through pulldown-cmark's smart punctuation.
//!
//! The text is not Markdown: every other ASCII punctuation character is escaped first, and a line
//! that would start a list or a heading is kept as text, so `*`, `_`, `<`, `&` and `1.` come out
//! as they were written. Pure.

use pulldown_cmark::{Event, Options, Parser, Tag};

/// `text` with straight quotes, `--`, `---` and `...` turned into their typographic forms, as
/// in the page body: `Junior doctors' strike` becomes `Junior doctors’ strike`.
pub(crate) fn smart(text: &str) -> String {
    if !text.contains(['\'', '"']) && !text.contains("--") && !text.contains("...") {
        return text.to_string();
    }
    let trimmed = text.trim();
    let leading = &text[..text.len() - text.trim_start().len()];
    let trailing = &text[text.trim_end().len()..];
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(leading);
    let mut paragraphs = 0;
    for event in Parser::new_ext(&escape(trimmed), Options::ENABLE_SMART_PUNCTUATION) {
        match event {
            Event::Text(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Paragraph) => {
                if paragraphs > 0 {
                    out.push_str("\n\n");
                }
                paragraphs += 1;
            }
            _ => {}
        }
    }
    out.push_str(trailing);
    out
}

/// Backslash-escapes what Markdown would read as markup, keeping quotes, dashes and dots.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start();
        // A leading `-` would start a list, a rule or a heading underline; `1.` a numbered list.
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        for (at, c) in line.char_indices() {
            let list_marker = (at == 0 && c == '-') || (at == digits && digits > 0 && c == '.');
            if list_marker || (c.is_ascii_punctuation() && !matches!(c, '\'' | '"' | '-' | '.')) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
