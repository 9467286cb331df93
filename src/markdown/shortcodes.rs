//! Finds shortcode calls in a Markdown body: `{{ name(k="v") }}` inline and
//! `{% name(k="v") %}body{% end %}` with a body; and reads the arguments a theme shortcode
//! declares at the top of its template (`{#- args: kind, heading, level=3 -#}`).
//!
//! Pure: takes text and returns calls with their byte ranges. Calls inside code spans and fenced
//! or indented code blocks are left alone, and so is an opening written with a backslash (`\{{`,
//! `\{%`), which Markdown then shows as `{{` or `{%` (in raw HTML, which has no escapes,
//! `unescape_openings` drops the backslash). What a call renders to is decided by `markdown`.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// One shortcode call found in a body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: BTreeMap<String, serde_json::Value>,
    /// The whole call, including any body and `{% end %}`, as bytes of the body text.
    pub range: Range<usize>,
    /// The body's bytes, for calls written with `{% %}`.
    pub body: Option<Range<usize>>,
    /// Where each argument's name starts, as bytes of the body text.
    pub arg_offsets: BTreeMap<String, usize>,
}

/// A problem at byte `offset` of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Every top-level call in `text`, or the first problem; calls inside bodies are found when the
/// body is rendered.
pub fn find(text: &str) -> Result<Vec<Call>, ParseError> {
    let (calls, mut errors) = find_all(text);
    if errors.is_empty() { Ok(calls) } else { Err(errors.swap_remove(0)) }
}

/// Every top-level call in `text`, and every problem: a call that cannot be read is reported
/// and left as text, and the search goes on after it, so one mistake does not hide the rest.
pub fn find_all(text: &str) -> (Vec<Call>, Vec<ParseError>) {
    // Most pages have no shortcode; finding code ranges means parsing the Markdown once more.
    if next_opening(text, 0).is_none() {
        return (Vec::new(), Vec::new());
    }
    let code = code_ranges(text);
    let in_code = |offset: usize| code.iter().any(|r| r.contains(&offset));
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    // Bodies left open by an error: their `{% end %}` is not reported again as a stray one.
    let mut unclosed = 0;
    let mut offset = 0;
    while let Some(found) = next_opening(text, offset) {
        if in_code(found) {
            offset = found + 2;
            continue;
        }
        let call = if text[found..].starts_with("{{") {
            parse_inline(text, found)
        } else {
            parse_with_body(text, found, &in_code)
        };
        match call {
            Ok(call) => {
                offset = call.range.end;
                calls.push(call);
            }
            Err(err) => {
                let stray_end = err.message.starts_with("this `{% end %}` closes no shortcode");
                if stray_end && unclosed > 0 {
                    unclosed -= 1;
                } else {
                    unclosed += usize::from(err.message.contains("has no `{% end %}`"));
                    errors.push(err);
                }
                offset = found + 2;
            }
        }
    }
    (calls, errors)
}

/// The next `{{` or `{%` from `from` that is not escaped with a backslash.
fn next_opening(text: &str, mut from: usize) -> Option<usize> {
    loop {
        let rest = &text[from..];
        let inline = rest.find("{{");
        let block = rest.find("{%");
        let found = from
            + match (inline, block) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
        if !is_escaped(text, found) {
            return Some(found);
        }
        from = found + 2;
    }
}

/// Raw HTML with the backslash of each escaped opening dropped (`\{{` shows as `{{`), as
/// Markdown's own backslash escape does in prose; raw HTML has no escapes of its own.
pub(crate) fn unescape_openings(html: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = ["{{", "{%"].iter().filter_map(|open| html[from..].find(open)).min().map(|i| from + i) {
        if is_escaped(html, found) {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(&html[copied..found - 1]);
            copied = found;
        }
        from = found + 2;
    }
    out.map(|mut out| {
        out.push_str(&html[copied..]);
        out
    })
}

/// Whether the character at `at` follows an odd number of backslashes (`\{{` but not `\\{{`).
fn is_escaped(text: &str, at: usize) -> bool {
    text[..at].bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// Byte ranges of code spans and code blocks, where `{{` is literal text.
fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(text, super::options()).into_offset_iter() {
        match event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

fn parse_inline(text: &str, start: usize) -> Result<Call, ParseError> {
    let close = text[start..].find("}}").ok_or_else(|| ParseError {
        offset: start,
        message: "this shortcode is never closed; end it with `}}`".to_string(),
    })?;
    let inner = &text[start + 2..start + close];
    let (name, args, arg_offsets) = parse_signature(inner, start + 2, "{{")?;
    Ok(Call { name, args, range: start..start + close + 2, body: None, arg_offsets })
}

fn parse_with_body(text: &str, start: usize, in_code: &dyn Fn(usize) -> bool) -> Result<Call, ParseError> {
    let tag_end = tag_close(text, start)?;
    let inner = &text[start + 2..tag_end - 2];
    if inner.trim() == "end" {
        return Err(ParseError {
            offset: start,
            message: "this `{% end %}` closes no shortcode; remove it or add the opening `{% name() %}`".to_string(),
        });
    }
    let (name, args, arg_offsets) = parse_signature(inner, start + 2, "{%")?;
    let mut depth = 1;
    let mut offset = tag_end;
    while let Some(found) = text[offset..].find("{%").map(|i| offset + i) {
        if in_code(found) || is_escaped(text, found) {
            offset = found + 2;
            continue;
        }
        let end = tag_close(text, found)?;
        if text[found + 2..end - 2].trim() == "end" {
            depth -= 1;
            if depth == 0 {
                return Ok(Call { name, args, range: start..end, body: Some(tag_end..found), arg_offsets });
            }
        } else {
            depth += 1;
        }
        offset = end;
    }
    Err(ParseError {
        offset: start,
        message: format!("the shortcode `{name}` has no `{{% end %}}`; close its body with `{{% end %}}`"),
    })
}

/// The end of the tag that opens at `start` with `{%`. The search starts after the `{%`, so that
/// `{%}` is an unclosed tag rather than an empty one (found by the `shortcodes` fuzz target).
fn tag_close(text: &str, start: usize) -> Result<usize, ParseError> {
    let inside = start + 2;
    text[inside..].find("%}").map(|i| inside + i + 2).ok_or_else(|| ParseError {
        offset: start,
        message: "this shortcode is never closed; end it with `%}`".to_string(),
    })
}

type Signature = (String, BTreeMap<String, serde_json::Value>, BTreeMap<String, usize>);

/// Parses `name(key=value, ...)`; `base` is the offset of `inner` in the body.
fn parse_signature(inner: &str, base: usize, opener: &str) -> Result<Signature, ParseError> {
    let error = |at: usize, message: String| ParseError { offset: base + at, message };
    let trimmed_start = inner.len() - inner.trim_start().len();
    let inner_trim = inner.trim();
    let open = inner_trim.find('(').ok_or_else(|| {
        error(
            trimmed_start,
            format!("a shortcode is written `name(key=\"value\")`; add the brackets after its name, or write `\\{opener}` to show `{opener}` as text"),
        )
    })?;
    let name = inner_trim[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(error(
            trimmed_start,
            format!(
                "`{name}` is not a shortcode name; use letters, digits and `_`, or write `\\{opener}` to show `{opener}` as text"
            ),
        ));
    }
    let Some(args_text) = inner_trim[open + 1..].strip_suffix(')') else {
        return Err(error(trimmed_start + open, "the arguments are never closed; end them with `)`".to_string()));
    };
    let args_base = trimmed_start + open + 1;
    let parsed = parse_args(args_text, false).map_err(|(at, message)| error(args_base + at, message))?;
    let mut args = BTreeMap::new();
    let mut offsets = BTreeMap::new();
    for (key, at, value) in parsed {
        offsets.insert(key.clone(), base + args_base + at);
        args.insert(key, value.unwrap_or(serde_json::Value::Null));
    }
    Ok((name.to_string(), args, offsets))
}

/// One argument as written: its name, the offset of the name, and its value (`None` for a bare
/// name, which only a declaration may have).
type Arg = (String, usize, Option<serde_json::Value>);

/// Parses `key="value", key=3, ...`; with `bare_names`, also `key` alone (in declarations).
fn parse_args(text: &str, bare_names: bool) -> Result<Vec<Arg>, (usize, String)> {
    let mut args: Vec<Arg> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i);
        if i >= bytes.len() {
            return Ok(args);
        }
        let key_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let key = &text[key_start..i];
        skip_space(&mut i);
        let bare = bare_names && !key.is_empty() && matches!(bytes.get(i), None | Some(b','));
        if bare {
            if args.iter().any(|(k, _, _)| k == key) {
                return Err((key_start, format!("`{key}` is given twice; keep one")));
            }
            args.push((key.to_string(), key_start, None));
            if bytes.get(i) == Some(&b',') {
                i += 1;
            }
            continue;
        }
        if key.is_empty() || bytes.get(i) != Some(&b'=') {
            return Err((key_start, "arguments are written `key=\"value\"`, separated by commas".to_string()));
        }
        i += 1;
        skip_space(&mut i);
        let value_start = i;
        let value = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = text[i + 1..].find(quote as char).ok_or((
                    value_start,
                    format!("the text of `{key}` is never closed; end it with {}", quote as char),
                ))?;
                let value = text[i + 1..i + 1 + end].to_string();
                i += end + 2;
                serde_json::Value::String(value)
            }
            _ => {
                while i < bytes.len() && bytes[i] != b',' && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                parse_bare(&text[value_start..i])
                    .ok_or((value_start, format!("the value of `{key}` must be \"text\", a number, true or false")))?
            }
        };
        if args.iter().any(|(k, _, _)| k == key) {
            return Err((key_start, format!("`{key}` is given twice; keep one")));
        }
        args.push((key.to_string(), key_start, Some(value)));
        skip_space(&mut i);
        match bytes.get(i) {
            None => return Ok(args),
            Some(b',') => i += 1,
            Some(_) => return Err((i, "separate arguments with a comma".to_string())),
        }
    }
}

/// The arguments a theme shortcode takes, declared once by its author as the first thing of the
/// template: `{#- args: kind, heading, level=3 -#}`. A bare name is required; `name=value` is
/// optional, and the template gets `value` when a call leaves it out. The rest of the comment,
/// after the line of the declaration, is free text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Declaration {
    /// In the order declared: each name and its default (`None` when it is required).
    pub args: Vec<(String, Option<serde_json::Value>)>,
}

impl Declaration {
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|(name, _)| name.as_str())
    }
}

/// The declaration at the top of a shortcode template, `None` when it has none. An error is at
/// a byte offset of `template`.
pub fn parse_declaration(template: &str) -> Result<Option<Declaration>, ParseError> {
    let start = template.len() - template.trim_start().len();
    let Some(comment) = template[start..].strip_prefix("{#") else { return Ok(None) };
    let comment_start = start + 2;
    let comment_end = comment.find("#}").map_or(template.len(), |e| comment_start + e);
    let inside = &template[comment_start..comment_end];
    let skipped = inside.len() - inside.trim_start_matches(['-', ' ', '\t', '\n', '\r']).len();
    let Some(rest) = inside[skipped..].strip_prefix("args:") else { return Ok(None) };
    let list_start = comment_start + skipped + "args:".len();
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let list = rest[..line_end].trim_end().trim_end_matches('-');
    let parsed = parse_args(list, true).map_err(|(at, message)| ParseError { offset: list_start + at, message })?;
    Ok(Some(Declaration { args: parsed.into_iter().map(|(name, _, default)| (name, default)).collect() }))
}

fn parse_bare(value: &str) -> Option<serde_json::Value> {
    match value {
        "true" => Some(true.into()),
        "false" => Some(false.into()),
        _ => value
            .parse::<i64>()
            .map(Into::into)
            .ok()
            .or_else(|| value.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Into::into)),
    }
}

#[cfg(test)]
mod tests;
