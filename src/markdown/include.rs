//! The built-in `include` shortcode: another file's text in a page, whole, by line range or by
//! anchor comments, shown as code or expanded as Markdown.
//!
//! `{{ include(path="../src/main.rs", lines="2-10", anchor="name", code="rust", hide="rustdoc") }}`
//! - `path` is relative to the page and must stay inside `content/` (where `serve` watches);
//! - `lines` (1-based, inclusive, either end may be left out) or `anchor`: the lines between
//!   `ANCHOR: name` and `ANCHOR_END: name` (mdBook's convention); lines naming an anchor are left
//!   out of every include;
//! - `code` fences the text as a code block in that language; without it the text is Markdown,
//!   rendered as part of the page (its headings are in the table of contents, its links checked,
//!   and relative links start from the including page, as in mdBook);
//! - `hide="rustdoc"` leaves out the lines rustdoc hides.
//!
//! Pure: files are read through `Context::files`. Each file read is recorded with a hash of its
//! bytes in `Rendered::includes`, so a cache can tell when a page must be rendered again.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::shortcodes::Call;
use super::{Context, PageSource, State, hidden_lines, render_fragment};

/// Reads the files that pages include.
pub trait IncludeFiles: Sync {
    /// The text of `path`, relative to the site root and inside `content/`; the error says why
    /// it cannot be read, in words for the editor.
    fn read(&self, path: &Path) -> Result<Arc<str>, String>;
}

/// A file a rendered page included, with a hash of the bytes it had.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Included {
    pub path: PathBuf,
    pub hash: u64,
}

impl Included {
    pub fn of(path: &Path, text: &str) -> Included {
        let mut hasher = DefaultHasher::new();
        text.hash(&mut hasher);
        Included { path: path.to_path_buf(), hash: hasher.finish() }
    }
}

const ARGUMENTS: [&str; 5] = ["path", "lines", "anchor", "code", "hide"];

/// How deep includes may nest; deeper is almost surely a file that includes itself.
const MAX_DEPTH: usize = 8;

/// Renders the call; `offset` is where it starts in `page.text`. Errors are messages for the
/// call's place; errors inside included Markdown are pushed to `state`, located in that file.
pub(super) fn render(
    ctx: &Context,
    page: &PageSource,
    offset: usize,
    call: &Call,
    state: &mut State,
) -> Result<String, String> {
    if call.body.is_some() {
        return Err("`include` takes no body; write it as `{{ include(path=\"...\") }}`".to_string());
    }
    for key in call.args.keys() {
        if !ARGUMENTS.contains(&key.as_str()) {
            return Err(match crate::error::did_you_mean(key, &ARGUMENTS) {
                Some(hint) => format!("`include` has no argument `{key}`; did you mean `{hint}`?"),
                None => {
                    format!("`include` has no argument `{key}`; its arguments are path, lines, anchor, code and hide")
                }
            });
        }
    }
    let text_arg = |key: &str| -> Result<Option<String>, String> {
        match call.args.get(key) {
            None => Ok(None),
            Some(serde_json::Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.clone())),
            Some(serde_json::Value::Number(n)) if key == "lines" => Ok(Some(n.to_string())),
            Some(_) => Err(format!("`{key}` of `include` must be text in quotes, such as {key}=\"...\"")),
        }
    };
    let written =
        text_arg("path")?.ok_or("`include` needs the file: add `path=\"...\"`, relative to this page".to_string())?;
    let (lines, anchor) = (text_arg("lines")?, text_arg("anchor")?);
    if lines.is_some() && anchor.is_some() {
        return Err("`include` takes `lines` or `anchor`, not both; keep one".to_string());
    }
    let code = text_arg("code")?;
    let rustdoc = match text_arg("hide")?.as_deref() {
        None => false,
        Some("rustdoc") => true,
        Some(other) => {
            return Err(format!("`hide=\"{other}\"` is not known; write `hide=\"rustdoc\"`, or leave it out"));
        }
    };
    let path = resolve(page.dir, &written)?;
    if state.include_stack.contains(&path) || state.include_stack.len() >= MAX_DEPTH {
        return Err(format!("`{}` includes itself, through the files it includes; remove the loop", path.display()));
    }
    let file = ctx.files.read(&path)?;
    let included = Included::of(&path, &file);
    if !state.includes.contains(&included) {
        state.includes.push(included);
    }
    let selected = match (&lines, &anchor) {
        (Some(range), _) => select_lines(&path, &file, range)?,
        (_, Some(name)) => select_anchor(&path, &file, name)?,
        _ => file.split_inclusive('\n').collect(),
    };
    let mut text: String = selected.into_iter().filter(|line| anchor_of(line).is_none()).collect();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if rustdoc {
        text = hidden_lines::rustdoc(&text);
    }
    match code {
        Some(language) => Ok(render_code(ctx, &language, text, rustdoc, state)),
        None => Ok(render_markdown(ctx, page, offset, &path, &text, state)),
    }
}

/// `written`, relative to the page's folder `dir`, as a path from the site root; it must stay
/// inside `content/`.
fn resolve(dir: &Path, written: &str) -> Result<PathBuf, String> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    let joined = dir.join(written);
    for component in Path::new(written).components() {
        if matches!(component, Component::RootDir | Component::Prefix(_)) {
            return Err(format!(
                "`{written}` is not relative to this page; write the path from the page's folder, such as `../examples/main.rs`"
            ));
        }
    }
    for component in joined.components() {
        match component {
            Component::Normal(name) => parts.push(name),
            Component::ParentDir if parts.pop().is_some() => {}
            Component::ParentDir => {
                return Err(format!(
                    "`{written}` is outside the site's folder; picket includes files from `content/` only"
                ));
            }
            _ => {}
        }
    }
    let path: PathBuf = parts.iter().collect();
    if !path.starts_with("content") || path == Path::new("content") {
        return Err(format!(
            "`{written}` is `{}`, outside `content/`; move it into `content/`, where `serve` sees it change (a folder whose name starts with `_` is not published)",
            path.display()
        ));
    }
    Ok(path)
}

/// The lines `range` names (`2-10`, `2-`, `-10`, `7`), 1-based and inclusive.
fn select_lines<'a>(path: &Path, text: &'a str, range: &str) -> Result<Vec<&'a str>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bad = || {
        format!("`lines=\"{range}\"` is not a range; write `2-10`, `2-` (to the end), `-10` (from the start) or `7`")
    };
    let number = |text: &str| text.trim().parse::<usize>().map_err(|_| bad());
    let (start, end) = match range.split_once('-') {
        Some((start, end)) => (
            if start.trim().is_empty() { 1 } else { number(start)? },
            if end.trim().is_empty() { lines.len().max(1) } else { number(end)? },
        ),
        None => (number(range)?, number(range)?),
    };
    if start == 0 {
        return Err(format!("`lines=\"{range}\"` starts at 0; lines are counted from 1"));
    }
    if start > end {
        return Err(format!("`lines=\"{range}\"` starts after it ends; write the first line first"));
    }
    if end > lines.len() {
        return Err(format!(
            "`lines=\"{range}\"` goes past the end of `{}`, which has {} line{}; fix the range",
            path.display(),
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(lines[start - 1..end].to_vec())
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
fn select_anchor<'a>(path: &Path, text: &'a str, name: &str) -> Result<Vec<&'a str>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|line| anchor_of(line) == Some(Anchor::Start(name)));
    let Some(start) = start else {
        let known: Vec<&str> = lines
            .iter()
            .filter_map(|line| match anchor_of(line) {
                Some(Anchor::Start(found)) => Some(found),
                _ => None,
            })
            .collect();
        return Err(match (crate::error::did_you_mean(name, &known), known.is_empty()) {
            (Some(hint), _) => format!("`{}` has no anchor `{name}`; did you mean `{hint}`?", path.display()),
            (None, true) => format!(
                "`{}` has no anchor `{name}`; mark the lines with `ANCHOR: {name}` and `ANCHOR_END: {name}` comment lines",
                path.display()
            ),
            (None, false) => {
                format!("`{}` has no anchor `{name}`; its anchors are {}", path.display(), known.join(", "))
            }
        });
    };
    let end = lines[start + 1..].iter().position(|line| anchor_of(line) == Some(Anchor::End(name)));
    let Some(end) = end else {
        return Err(format!(
            "`{}` has `ANCHOR: {name}` on line {} but no `ANCHOR_END: {name}` after it; add the closing line",
            path.display(),
            start + 1
        ));
    };
    Ok(lines[start + 1..start + 1 + end].to_vec())
}

#[derive(Debug, PartialEq, Eq)]
enum Anchor<'a> {
    Start(&'a str),
    End(&'a str),
}

/// The anchor a line opens or closes: it holds `ANCHOR: name` or `ANCHOR_END: name`, the name
/// made of letters, digits, `_` and `-` (mdBook's `ANCHOR:\s*[\w_-]+`).
fn anchor_of(line: &str) -> Option<Anchor<'_>> {
    let name_after = |marker: &str| -> Option<&str> {
        let at = line.find(marker)?;
        let rest = line[at + marker.len()..].trim_start();
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
        (len > 0).then(|| &rest[..len])
    };
    name_after("ANCHOR_END:").map(Anchor::End).or_else(|| name_after("ANCHOR:").map(Anchor::Start))
}

/// `rustdoc`: rustdoc's rule was applied already (`hide="rustdoc"`), so a site rule that is
/// rustdoc's too (`rust: "#"`) is not applied again, which would hide `##` lines it shows as `#`.
fn render_code(ctx: &Context, language: &str, text: String, rustdoc: bool, state: &mut State) -> String {
    let site_rule_is_rustdoc = language == "rust" && ctx.config.hidden_lines.get("rust").is_some_and(|p| p == "#");
    let text = if rustdoc && site_rule_is_rustdoc {
        text
    } else {
        hidden_lines::apply(&ctx.config.hidden_lines, Some(language), text)
    };
    super::highlight_code(ctx, state, &text, Some(language))
}

/// Renders included Markdown as part of the page. Errors in it are located in the included
/// file; links to anchors are checked against the page that includes it and, if missing, are
/// reported at the outermost include.
fn render_markdown(
    ctx: &Context,
    page: &PageSource,
    offset: usize,
    path: &Path,
    text: &str,
    state: &mut State,
) -> String {
    let origin = state.include_origin.clone().unwrap_or_else(|| (page.path.to_path_buf(), offset));
    let previous_origin = state.include_origin.replace(origin.clone());
    state.include_stack.push(path.to_path_buf());
    let links_before = state.anchor_links.len();
    let source = PageSource { path, text, dir: page.dir, body_offset: 0, route: page.route };
    let html = render_fragment(ctx, &source, text, 0, state);
    // Its anchors are the page's: a missing one is reported at the outermost include.
    for link in &mut state.anchor_links[links_before..] {
        link.offset = origin.1;
        if link.context.is_none() {
            link.context = Some(format!("in `{}`, included here", path.display()));
        }
    }
    state.include_stack.pop();
    state.include_origin = previous_origin;
    html
}

/// Puts `headings` in the order their ids appear in `html`. Shortcodes render before the page
/// around them, so the headings of included Markdown are found first; the table of contents
/// must list them where they are.
pub(super) fn in_document_order(headings: &mut [(u8, String, String)], html: &str) {
    let mut order: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        rest = &rest[at + 2..];
        let level = rest.as_bytes().first().is_some_and(|b| (b'1'..=b'6').contains(b));
        if let Some(id) = rest.get(1..).and_then(|r| r.strip_prefix(" id=\"")).filter(|_| level)
            && let Some(end) = id.find('"')
        {
            let next = order.len();
            order.entry(&id[..end]).or_insert(next);
        }
    }
    headings.sort_by_key(|(_, id, _)| order.get(id.as_str()).copied().unwrap_or(usize::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "// ANCHOR: all\nfn a() {}\n// ANCHOR: b\nfn b() {}\n// ANCHOR_END: b\n// ANCHOR_END: all\n";

    #[test]
    fn anchors_are_found_by_name_and_their_lines_left_out() {
        let lines = select_anchor(Path::new("x.rs"), FILE, "all").unwrap();
        let kept: String = lines.into_iter().filter(|l| anchor_of(l).is_none()).collect();
        assert_eq!(kept, "fn a() {}\nfn b() {}\n");
        assert_eq!(select_anchor(Path::new("x.rs"), FILE, "b").unwrap(), vec!["fn b() {}\n"]);
        assert_eq!(
            select_anchor(Path::new("x.rs"), FILE, "bb").unwrap_err(),
            "`x.rs` has no anchor `bb`; did you mean `b`?"
        );
    }

    #[test]
    fn line_ranges_are_one_based_and_inclusive() {
        let text = "1\n2\n3\n4\n";
        let check = |range: &str| select_lines(Path::new("x"), text, range).map(|l| l.concat());
        assert_eq!(check("2-3").unwrap(), "2\n3\n");
        assert_eq!(check("3-").unwrap(), "3\n4\n");
        assert_eq!(check("-2").unwrap(), "1\n2\n");
        assert_eq!(check("4").unwrap(), "4\n");
        assert!(check("3-5").unwrap_err().contains("goes past the end of `x`, which has 4 lines"));
        assert!(check("0-1").unwrap_err().contains("counted from 1"));
        assert!(check("a-b").unwrap_err().contains("is not a range"));
    }

    #[test]
    fn paths_stay_inside_content() {
        let dir = Path::new("content/guide");
        assert_eq!(resolve(dir, "../_inc/a.rs").unwrap(), Path::new("content/_inc/a.rs"));
        assert!(resolve(dir, "../../src/main.rs").unwrap_err().contains("outside `content/`"));
        assert!(resolve(dir, "../../../etc/passwd").unwrap_err().contains("outside the site's folder"));
        assert!(resolve(dir, "/etc/passwd").unwrap_err().contains("not relative to this page"));
    }
}
