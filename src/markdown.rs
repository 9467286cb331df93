//! Stage 4: a page's Markdown body -> HTML, with its table of contents, anchors, the links to check
//! and the sources its figures cite.
//!
//! Pure: everything it needs comes in `Context`. Shortcodes are replaced by placeholders before
//! parsing and their output is put back after, so Markdown never sees their HTML. Links written as
//! relative `.md` paths become page URLs; a missing file is an error here, a missing anchor is
//! checked once every page is rendered (`site::check_anchors`).

mod hidden_lines;
mod highlight;
pub mod include;
pub mod shortcodes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

pub use highlight::Highlighter;
pub use include::{IncludeFiles, Included};

use crate::config::Config;
use crate::error::{Error, Errors, Location};
use crate::figures::{self, Figures};
use shortcodes::Call;

/// The Markdown extensions every page gets.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Theme templates that shortcodes call.
pub trait ShortcodeTemplates: Sync {
    fn has(&self, name: &str) -> bool;
    /// Renders `name` with `args` and `body`; the error is a located message.
    fn render(&self, name: &str, args: &BTreeMap<String, serde_json::Value>, body: &str) -> Result<String, Error>;
}

/// What rendering a page needs from the rest of the site.
pub struct Context<'a> {
    pub config: &'a Config,
    /// Source path of every page (relative to the root) -> its route.
    pub routes: &'a BTreeMap<PathBuf, String>,
    /// Source paths of the files in `content/` that are copied as they are.
    pub assets: &'a BTreeSet<PathBuf>,
    pub figures: &'a Figures,
    pub templates: &'a dyn ShortcodeTemplates,
    pub highlighter: &'a Highlighter,
    /// Reads the files the `include` shortcode names.
    pub files: &'a dyn IncludeFiles,
}

/// A table-of-contents entry; `children` holds the next level down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A link whose `#anchor` must exist on the page at `target` once all pages are rendered.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AnchorLink {
    pub target: PathBuf,
    pub anchor: String,
    /// Byte offset of the link in the linking page's file, to report a missing anchor.
    pub offset: usize,
    /// The message to report if the anchor is missing. The error itself is built only then,
    /// since it copies the source line (pages with many links on one line would pay for each).
    pub message: String,
}

/// A rendered body. The build cache stores it (its `html` apart from the rest).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Ids a link may point at: headings and footnotes.
    pub anchors: BTreeSet<String>,
    pub anchor_links: Vec<AnchorLink>,
    /// Source ids cited by figures and tables, in order of first use.
    pub cited_sources: Vec<String>,
    pub has_code: bool,
    pub word_count: usize,
    /// Nanoseconds spent highlighting code, for `--timings`.
    pub highlight_ns: u64,
    /// The files `include` read, with hashes of their bytes, so a cache knows when to render again.
    pub includes: Vec<Included>,
}

/// The page being rendered: its path (relative to the root), whole text and folder.
pub struct PageSource<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub dir: &'a Path,
    pub body_offset: usize,
}

/// Renders the body of `page`.
pub fn render(ctx: &Context, page: &PageSource) -> Result<Rendered, Errors> {
    let mut state = State::default();
    let body = &page.text[page.body_offset..];
    let html = render_fragment(ctx, page, body, page.body_offset, &mut state);
    if !state.errors.is_empty() {
        return Err(state.errors);
    }
    let mut html = html;
    html.push_str(&state.footnotes_html());
    if !state.includes.is_empty() {
        include::in_document_order(&mut state.headings, &html);
    }
    // Figures are cited once per sentence, at its end (`figures::citations`).
    let mut html = figures::citations::place(ctx.figures, &html);
    if ctx.config.source_markers {
        html = format!(
            "{}{html}{}",
            crate::checks::markers::page(page.path, page.body_offset),
            crate::checks::markers::END
        );
    }
    Ok(Rendered {
        html,
        toc: nest_toc(&state.headings),
        anchors: state.anchors,
        anchor_links: state.anchor_links,
        cited_sources: state.cited,
        has_code: state.has_code,
        word_count: state.word_count,
        highlight_ns: state.highlight_ns,
        includes: state.includes,
    })
}

#[derive(Default)]
struct State {
    used_ids: BTreeSet<String>,
    headings: Vec<(u8, String, String)>,
    anchors: BTreeSet<String>,
    anchor_links: Vec<AnchorLink>,
    cited: Vec<String>,
    has_code: bool,
    word_count: usize,
    highlight_ns: u64,
    /// Footnote labels in order of first reference, with their rendered definitions.
    footnote_order: Vec<String>,
    footnote_refs: BTreeMap<String, usize>,
    footnote_defs: BTreeMap<String, String>,
    errors: Errors,
    includes: Vec<Included>,
    /// The files being included, innermost last, to refuse a file that includes itself.
    include_stack: Vec<PathBuf>,
    /// While included Markdown renders: the page and the offset of its outermost `include`.
    include_origin: Option<(PathBuf, usize)>,
}

impl State {
    fn cite(&mut self, sources: &[String]) {
        for source in sources {
            if !self.cited.contains(source) {
                self.cited.push(source.clone());
            }
        }
    }

    fn unique_id(&mut self, wanted: &str) -> String {
        let mut base = if wanted.is_empty() { "section".to_string() } else { wanted.to_string() };
        // Footnote ids are `fn-*` and `fnref-*`; headings never take those, so they cannot clash.
        if base.starts_with("fn-") || base.starts_with("fnref-") {
            base = format!("h-{base}");
        }
        let mut id = base.clone();
        let mut n = 1;
        while !self.used_ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    fn footnotes_html(&self) -> String {
        if self.footnote_order.is_empty() {
            return String::new();
        }
        let mut html = String::from(
            "<section class=\"footnotes\" aria-labelledby=\"footnotes-heading\">\n<h2 id=\"footnotes-heading\">Notes</h2>\n<ol>\n",
        );
        for (i, label) in self.footnote_order.iter().enumerate() {
            let definition = self.footnote_defs.get(label).map_or("", String::as_str);
            html.push_str(&format!(
                "<li id=\"fn-{label}\">{definition}<p><a href=\"#fnref-{label}\" class=\"footnote-back\">Back to note {} in the text</a></p></li>\n",
                i + 1
            ));
        }
        html.push_str("</ol>\n</section>\n");
        html
    }
}

/// A shortcode replaced by a placeholder: where it was and what it renders to.
struct Replacement {
    original: std::ops::Range<usize>,
    placeholder_start: usize,
    placeholder_len: usize,
}

fn placeholder(i: usize) -> String {
    format!("PKTSC{i}Z")
}

/// Renders `text`, which starts at byte `base` of the page's file, into HTML.
fn render_fragment(ctx: &Context, page: &PageSource, text: &str, base: usize, state: &mut State) -> String {
    let error_at = |offset: usize, message: String| Error::at_offset(page.path, page.text, base + offset, message);
    let calls = match shortcodes::find(text) {
        Ok(calls) => calls,
        Err(err) => {
            state.errors.push(error_at(err.offset, err.message));
            return String::new();
        }
    };
    let mut substituted = String::with_capacity(text.len());
    let mut replacements = Vec::new();
    let mut outputs = Vec::new();
    let mut last = 0;
    for (i, call) in calls.iter().enumerate() {
        substituted.push_str(&text[last..call.range.start]);
        let mark = placeholder(i);
        replacements.push(Replacement {
            original: call.range.clone(),
            placeholder_start: substituted.len(),
            placeholder_len: mark.len(),
        });
        substituted.push_str(&mark);
        last = call.range.end;
        let output = render_call(ctx, page, text, base, call, state);
        outputs.push(match ctx.config.source_markers {
            true => format!("{}{output}", crate::checks::markers::at(base + call.range.start)),
            false => output,
        });
    }
    substituted.push_str(&text[last..]);
    let to_original = |offset: usize| {
        let mut shift: isize = 0;
        for r in &replacements {
            if offset < r.placeholder_start {
                break;
            }
            if offset < r.placeholder_start + r.placeholder_len {
                return r.original.start;
            }
            shift += r.original.len() as isize - r.placeholder_len as isize;
        }
        (offset as isize + shift) as usize
    };
    // Headings are titled and slugged before shortcodes are put back, so they see the text of
    // each shortcode's output rather than its placeholder.
    let plain: Vec<String> = outputs.iter().map(|o| text_of_html(o)).collect();
    let html = markdown_to_html(ctx, page, &substituted, &plain, &|offset| base + to_original(offset), state);
    // Footnote definitions are rendered apart from the body, so their shortcodes must be put back
    // too (found by the `markdown` fuzz target). Nested fragments have put back theirs already,
    // so every placeholder left belongs to this fragment.
    if !outputs.is_empty() {
        for definition in state.footnote_defs.values_mut() {
            *definition = put_back(std::mem::take(definition), &outputs);
        }
    }
    put_back(html, &outputs)
}

/// Replaces the placeholders in `html` with the shortcode outputs they stand for.
fn put_back(mut html: String, outputs: &[String]) -> String {
    for (i, output) in outputs.iter().enumerate().rev() {
        let mark = placeholder(i);
        let block = format!("<p>{mark}</p>\n");
        if html.contains(&block) {
            html = html.replacen(&block, output, 1);
        } else {
            html = html.replacen(&mark, output.trim_end(), 1);
        }
    }
    html
}

fn render_call(ctx: &Context, page: &PageSource, text: &str, base: usize, call: &Call, state: &mut State) -> String {
    let error_at = |message: String| Error::at_offset(page.path, page.text, base + call.range.start, message);
    let id = || call.args.get("id").and_then(|v| v.as_str()).map(str::to_string);
    let result: Result<String, Error> = match call.name.as_str() {
        "figure" => match id().and_then(|id| ctx.figures.figures.get(&id)) {
            Some(figure) => figures::html::cited_sources(figure, call.args.get("cite")).map_err(error_at).map(|cite| {
                state.cite(figure.provenance.sources());
                figures::html::figure(ctx.figures, figure, &cite)
            }),
            None => Err(error_at(unknown_id("figure", id(), ctx.figures.figures.keys()))),
        },
        "table" => match id().and_then(|id| ctx.figures.tables.get(&id)) {
            Some(table) => {
                state.cite(&table.sources);
                state.anchors.insert(format!("table-{}", table.id));
                Ok(figures::html::table(ctx.figures, table))
            }
            None => Err(error_at(unknown_id("table", id(), ctx.figures.tables.keys()))),
        },
        "week_grid" => match id().and_then(|id| ctx.figures.grids.get(&id)) {
            Some(grid) => {
                for scheme in &grid.schemes {
                    state.cite(&scheme.sources);
                }
                Ok(figures::grid::html(ctx.figures, grid))
            }
            None => Err(error_at(unknown_id("week grid", id(), ctx.figures.grids.keys()))),
        },
        "source_list" => Ok(figures::html::source_list(ctx.figures)),
        "computed_list" => Ok(figures::html::computed_list(ctx.figures)),
        "include" => include::render(ctx, page, base + call.range.start, call, state).map_err(error_at),
        name if ctx.templates.has(name) => {
            let body = match &call.body {
                Some(range) => render_fragment(ctx, page, &text[range.clone()], base + range.start, state),
                None => String::new(),
            };
            ctx.templates.render(name, &call.args, &body).map_err(|err| {
                let mut located = error_at(format!("in the shortcode `{name}`: {}", err.message));
                if err.path.is_some() {
                    located.message.push_str(&format!(" (at {})", err.place().unwrap_or_default()));
                }
                located
            })
        }
        name => Err(error_at(format!(
            "unknown shortcode `{name}`; use figure, table, week_grid, source_list, computed_list, include, or add `templates/shortcodes/{name}.html` to the theme"
        ))),
    };
    result.unwrap_or_else(|err| {
        state.errors.push(err);
        String::new()
    })
}

fn unknown_id<'a>(kind: &str, id: Option<String>, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    match id {
        None => format!("this {kind} needs an `id=\"...\"`"),
        Some(id) => match crate::error::did_you_mean(&id, &known) {
            Some(hint) => format!("no {kind} has the id `{id}`; did you mean `{hint}`?"),
            None => format!("no {kind} has the id `{id}`; define it in `content/_data/` or fix the id"),
        },
    }
}

/// A heading being read: its level, id, classes, attributes and the events inside it.
type OpenHeading<'a> =
    (HeadingLevel, Option<CowStr<'a>>, Vec<CowStr<'a>>, Vec<(CowStr<'a>, Option<CowStr<'a>>)>, Vec<Event<'a>>);

/// Runs pulldown-cmark over `text` (shortcodes already replaced) and rewrites its events.
fn markdown_to_html(
    ctx: &Context,
    page: &PageSource,
    text: &str,
    shortcode_texts: &[String],
    to_file_offset: &dyn Fn(usize) -> usize,
    state: &mut State,
) -> String {
    let error_at =
        |offset: usize, message: String| Error::at_offset(page.path, page.text, to_file_offset(offset), message);
    let typed_forms = ctx.figures.typed_forms();
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<OpenHeading> = None;
    let mut code: Option<(Option<String>, String)> = None;
    let mut footnote: Option<(String, Vec<Event>)> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        // For `picket check`: blocks it checks say which line of the file they come from.
        if ctx.config.source_markers
            && matches!(event, Event::Start(Tag::Heading { .. } | Tag::Table(_) | Tag::HtmlBlock))
        {
            let marker = Event::Html(crate::checks::markers::at(to_file_offset(range.start)).into());
            match &mut footnote {
                Some((_, buffer)) => buffer.push(marker),
                None => events.push(marker),
            }
        }
        let event = match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                heading = Some((level, id, classes, attrs, Vec::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, id, classes, attrs, inner)) = heading.take() else { continue };
                let mut title = plain_text(&inner);
                for (i, text) in shortcode_texts.iter().enumerate().rev() {
                    title = title.replace(&placeholder(i), text);
                }
                let id = state.unique_id(&id.map(|i| i.to_string()).unwrap_or_else(|| slugify(&title)));
                state.anchors.insert(id.clone());
                state.headings.push((level as u8, id.clone(), title));
                let target = match &mut footnote {
                    Some((_, buffer)) => buffer,
                    None => &mut events,
                };
                target.push(Event::Start(Tag::Heading { level, id: Some(id.into()), classes, attrs }));
                target.extend(inner);
                target.push(Event::End(TagEnd::Heading(level)));
                continue;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_string),
                    pulldown_cmark::CodeBlockKind::Indented => None,
                };
                code = Some((language, String::new()));
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((language, source)) = code.take() else { continue };
                let source = hidden_lines::apply(&ctx.config.hidden_lines, language.as_deref(), source);
                state.has_code = true;
                let clock = std::time::Instant::now();
                let html = ctx.highlighter.highlight(&source, language.as_deref());
                state.highlight_ns += clock.elapsed().as_nanos() as u64;
                Event::Html(html.into())
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, source)) = &mut code {
                    source.push_str(&t);
                }
                continue;
            }
            Event::Text(t) => {
                state.word_count += t.split_whitespace().count();
                check_typed_numbers(&text[range.clone()], range.start, &typed_forms, &error_at, state);
                Event::Text(t)
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url =
                    resolve_link(ctx, page, &dest_url, range.start, &error_at, state, to_file_offset(range.start));
                Event::Start(Tag::Link { link_type, dest_url: dest_url.into(), title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url =
                    resolve_link(ctx, page, &dest_url, range.start, &error_at, state, to_file_offset(range.start));
                Event::Start(Tag::Image { link_type, dest_url: dest_url.into(), title, id })
            }
            Event::FootnoteReference(label) => {
                let label = slugify(&label);
                if !state.footnote_order.contains(&label) {
                    state.footnote_order.push(label.clone());
                }
                let number = state.footnote_order.iter().position(|l| *l == label).unwrap_or(0) + 1;
                let count = state.footnote_refs.entry(label.clone()).or_insert(0);
                *count += 1;
                let ref_id = if *count == 1 { format!("fnref-{label}") } else { format!("fnref-{label}-{count}") };
                state.anchors.insert(ref_id.clone());
                state.anchors.insert(format!("fn-{label}"));
                Event::Html(
                    format!("<sup class=\"footnote-ref\"><a href=\"#fn-{label}\" id=\"{ref_id}\">[{number}]</a></sup>")
                        .into(),
                )
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                footnote = Some((slugify(&label), Vec::new()));
                continue;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, buffer)) = footnote.take() {
                    let mut html = String::new();
                    pulldown_cmark::html::push_html(&mut html, buffer.into_iter());
                    state.footnote_defs.insert(label, html);
                }
                continue;
            }
            other => other,
        };
        match (&mut heading, &mut footnote) {
            (Some((_, _, _, _, inner)), _) => inner.push(event),
            (None, Some((_, buffer))) => buffer.push(event),
            (None, None) => events.push(event),
        }
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    accessible_tables(html)
}

/// Markdown tables get `scope` on header cells and classes instead of inline `style` alignment,
/// so pages pass validators and a strict content security policy. Only the tables are rewritten;
/// the rest of the page is copied as it is.
fn accessible_tables(html: String) -> String {
    let Some(first) = html.find("<table>") else {
        return html;
    };
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = &html[first..];
    out.push_str(&html[..first]);
    while let Some(start) = rest.find("<table>") {
        let end = rest[start..].find("</table>").map_or(rest.len(), |len| start + len);
        out.push_str(&rest[..start]);
        out.push_str(
            &rest[start..end]
                .replace("<th>", "<th scope=\"col\">")
                .replace("<th style=\"text-align: ", "<th scope=\"col\" style=\"text-align: ")
                .replace(" style=\"text-align: right\"", " class=\"num\"")
                .replace(" style=\"text-align: left\"", " class=\"align-left\"")
                .replace(" style=\"text-align: center\"", " class=\"align-center\""),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn plain_text(events: &[Event]) -> String {
    let mut title = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            title.push_str(t);
        }
    }
    title
}

/// The text a reader sees in an HTML fragment: tags removed, the common entities decoded.
fn text_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// A heading id: lower case letters and digits joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

fn check_typed_numbers(
    source: &str,
    start: usize,
    forms: &[(String, &figures::Figure)],
    error_at: &dyn Fn(usize, String) -> Error,
    state: &mut State,
) {
    for (form, figure) in forms {
        let mut from = 0;
        while let Some(found) = source[from..].find(form.as_str()) {
            let at = from + found;
            let end = at + form.len();
            let before = source[..at].chars().next_back();
            let after = source[end..].chars().next();
            let after_next = source[end..].chars().nth(1);
            let joined = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
            let continues =
                after.is_some_and(|c| c == ',' || c == '.') && after_next.is_some_and(|c| c.is_ascii_digit());
            if !joined(before) && !joined(after) && !continues && before != Some(',') {
                state.errors.push(error_at(
                    start + at,
                    format!(
                        "the number {form} is typed by hand, but it is the figure `{}`; write {{{{ figure(id=\"{}\") }}}} so prose and data cannot disagree",
                        figure.id, figure.id
                    ),
                ));
            }
            from = end;
        }
    }
}

/// Rewrites a link or image destination; records anchors to check later.
fn resolve_link(
    ctx: &Context,
    page: &PageSource,
    dest: &str,
    offset: usize,
    error_at: &dyn Fn(usize, String) -> Error,
    state: &mut State,
    file_offset: usize,
) -> String {
    let base_path = &ctx.config.base_path;
    if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with("tel:") || dest.starts_with("//") {
        return dest.to_string();
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        state.anchor_links.push(AnchorLink {
            target: page.path.to_path_buf(),
            anchor: anchor.to_string(),
            offset: file_offset,
            message: format!("the link `{dest}` points at no heading or note on this page; fix the anchor"),
        });
        return dest.to_string();
    }
    if dest.starts_with('/') {
        return format!("{base_path}{dest}");
    }
    let (file, anchor) = dest.split_once('#').map_or((dest, None), |(f, a)| (f, Some(a)));
    let target = normalize(&page.dir.join(file));
    if file.ends_with(".md") {
        let Some(route) = ctx.routes.get(&target) else {
            state.errors.push(error_at(
                offset,
                format!(
                    "the link `{dest}` points at `{}`, which does not exist or is a draft; fix the path",
                    target.display()
                ),
            ));
            return dest.to_string();
        };
        if let Some(anchor) = anchor {
            state.anchor_links.push(AnchorLink {
                target: target.clone(),
                anchor: anchor.to_string(),
                offset: file_offset,
                message: format!(
                    "the link `{dest}` points at `#{anchor}`, which `{}` does not have; fix the anchor",
                    target.display()
                ),
            });
        }
        let fragment = anchor.map(|a| format!("#{a}")).unwrap_or_default();
        return format!("{base_path}/{route}{fragment}");
    }
    if ctx.assets.contains(&target) {
        let inside = target.strip_prefix("content").unwrap_or(&target);
        let url: Vec<String> = inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        return format!("{base_path}/{}", url.join("/"));
    }
    state.errors.push(error_at(
        offset,
        format!("the link `{dest}` points at `{}`, which is not in `content/`; fix the path", target.display()),
    ));
    dest.to_string()
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn nest_toc(headings: &[(u8, String, String)]) -> Vec<TocEntry> {
    let mut toc: Vec<TocEntry> = Vec::new();
    for (level, id, title) in headings {
        let entry = TocEntry { level: *level, id: id.clone(), title: title.clone(), children: Vec::new() };
        match (*level, toc.last_mut()) {
            (2, _) => toc.push(entry),
            (3, Some(parent)) => parent.children.push(entry),
            _ => {}
        }
    }
    toc
}

/// The 1-based location of `offset` in `text`; re-exported for tests.
pub fn location(text: &str, offset: usize) -> Location {
    Location::of_offset(text, offset)
}

#[cfg(test)]
mod tests;
