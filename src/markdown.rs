//! Stage 4: a page's Markdown body -> HTML, with its table of contents, the links whose anchors
//! must be checked, and the sources its figures cite.
//!
//! Pure: everything it needs comes in `Context`. Shortcodes are replaced by placeholders before
//! parsing and their output is put back after, so Markdown never sees their HTML; a shortcode
//! whose HTML is a block (a `<div>`, a `<figure>`) is never left inside a `<p>`. Every link
//! (Markdown, raw HTML, the HTML of theme shortcodes) is resolved by `links`: a missing file or
//! URL is an error here, located at the link; a missing anchor is checked once every page's
//! final HTML is known (`site::check_anchors`). Heading ids follow `heading_ids` in site.yaml
//! (`ids`). Beyond CommonMark: tables (with a `Table: caption` line), footnotes,
//! strikethrough, heading attributes, smart punctuation, definition lists and GitHub's alerts
//! (`> [!NOTE]`). A NUL byte becomes U+FFFD, as CommonMark asks.

mod blocks;
mod hidden_lines;
mod highlight;
mod ids;
pub mod include;
mod resolve;
mod rewriter;
pub mod shortcodes;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use pulldown_cmark::Options;
use serde::Serialize;

pub use highlight::Highlighter;
pub use include::{IncludeFiles, Included};

use crate::config::Config;
use crate::error::{Error, Errors, Location};
use crate::figures::{self, Figures, Used};
use crate::links::{self, Urls};
use shortcodes::{Call, Declaration};

/// The Markdown extensions every page gets.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// Theme templates that shortcodes call.
pub trait ShortcodeTemplates: Sync {
    fn has(&self, name: &str) -> bool;
    /// The arguments the shortcode `name` declares, if its template declares them.
    fn declaration(&self, _name: &str) -> Option<&Declaration> {
        None
    }
    /// Renders `name` with `args` and `body`; the error is a located message.
    fn render(&self, name: &str, args: &BTreeMap<String, serde_json::Value>, body: &str) -> Result<String, Error>;
}

/// What rendering a page needs from the rest of the site.
pub struct Context<'a> {
    pub config: &'a Config,
    /// Every URL the site serves, and the source files behind them.
    pub urls: &'a Urls,
    pub figures: &'a Figures,
    pub templates: &'a dyn ShortcodeTemplates,
    pub highlighter: &'a Highlighter,
    /// Reads the files the `include` shortcode names.
    pub files: &'a dyn IncludeFiles,
    /// Code blocks highlighted by an earlier build, which need not be highlighted again.
    pub known_code: Option<&'a dyn KnownCode>,
}

/// Gives the HTML of a code block an earlier build highlighted, by the block's `code_key`.
pub trait KnownCode: Sync {
    fn code_html(&self, key: u64) -> Option<String>;
}

/// What a highlighted code block's HTML is made from: its language and its code (after hidden
/// lines are left out), for this build of picket.
pub fn code_key(language: &str, code: &str) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in [env!("PICKET_BUILD_ID"), language, code] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.digest()
}

/// Where a highlighted code block's HTML is in `Rendered::html`, by its `code_key`, so that a
/// later build can take it from there instead of highlighting the block again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CodeBlock {
    pub key: u64,
    pub start: usize,
    pub len: usize,
}

/// A code block as HTML: taken from an earlier build when one highlighted the same code in the
/// same language and no block of this build has loaded the syntax set yet, else highlighted
/// now. Plain blocks (no language) are escaped, which costs nothing worth keeping.
fn highlight_code(ctx: &Context, state: &mut State, code: &str, language: Option<&str>) -> String {
    state.has_code = true;
    let Some(language) = language else { return ctx.highlighter.highlight(code, None) };
    let key = code_key(language, code);
    // Worth looking up only while the syntax set is not loaded: once it is (in `serve`, after
    // the first build), highlighting a block again costs less than the lookup's index.
    let known = match ctx.highlighter.is_loaded() {
        true => None,
        false => ctx.known_code.and_then(|known| known.code_html(key)),
    };
    state.code_reused += usize::from(known.is_some());
    let html = known.unwrap_or_else(|| {
        let clock = std::time::Instant::now();
        let html = ctx.highlighter.highlight(code, Some(language));
        state.highlight_ns += clock.elapsed().as_nanos() as u64;
        html
    });
    state.code_html.push((key, html.clone()));
    html
}

/// A table-of-contents entry; `children` holds the next level down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A link whose `#fragment` must name an id of the page at `url` once all pages are rendered.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AnchorLink {
    /// The URL path of the target page, as in `links::Urls`.
    pub url: String,
    /// The fragment as written, without `#`.
    pub fragment: String,
    /// Byte offset of the link in the linking page's file, to report a missing anchor. The
    /// error itself is built only then, since it copies the source line.
    pub offset: usize,
    /// The link as the editor wrote it.
    pub written: String,
    /// What the link is, when it is not a link written in the page's own Markdown: a
    /// `redirect_to`, or a link in a file the page includes. Messages start with it.
    pub context: Option<String>,
}

/// A rendered body. The build cache stores it (its `html` apart from the rest).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id of `html` a link may point at: headings, notes, raw HTML ids and `<a name>`,
    /// the ids shortcodes write. (The theme's own ids come from its templates.)
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
    /// What the page shows of the data, with the fingerprint it had (`Figures::fingerprint`):
    /// the cache reuses this Markdown only while every fingerprint is the same.
    pub uses: Vec<(Used, u64)>,
    /// Numbers of three or more digits written in the prose, with their offsets in the file,
    /// for the check that no figure is typed by hand (`typed_numbers`).
    pub numbers: Numbers,
    /// The highlighted code blocks in `html`.
    pub code_blocks: Vec<CodeBlock>,
    /// How many code blocks were taken from an earlier build (`Context::known_code`), for the
    /// cache's counts.
    #[serde(skip)]
    pub code_reused: usize,
}

/// The page being rendered: its path (relative to the root), whole text, folder and URL path.
pub struct PageSource<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub dir: &'a Path,
    pub body_offset: usize,
    /// The page's URL path below the base path (`""`, `pay/`), which relative URLs start from.
    pub route: &'a str,
}

/// Renders the body of `page`.
pub fn render(ctx: &Context, page: &PageSource) -> Result<Rendered, Errors> {
    let mut state = State::default();
    let body = &page.text[page.body_offset..];
    let html = render_fragment(ctx, page, body, page.body_offset, &mut state);
    for (offset, message) in typed_numbers(ctx.figures, &state.numbers) {
        state.errors.push(Error::at_offset(page.path, page.text, offset, message));
    }
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
    // CommonMark replaces U+0000 with U+FFFD; raw HTML, code and shortcode output keep it, so
    // the page as a whole is cleaned once here. A NUL in HTML is a parse error for browsers.
    if html.contains('\0') {
        html = html.replace('\0', "\u{FFFD}");
    }
    if ctx.config.source_markers {
        html = format!(
            "{}{html}{}",
            crate::checks::markers::page(page.path, page.body_offset),
            crate::checks::markers::END
        );
    }
    let mut code_blocks: Vec<CodeBlock> = Vec::with_capacity(state.code_html.len());
    for (key, block) in &state.code_html {
        if code_blocks.iter().any(|b| b.key == *key) {
            continue;
        }
        if let Some(start) = html.find(block.as_str()) {
            code_blocks.push(CodeBlock { key: *key, start, len: block.len() });
        }
    }
    Ok(Rendered {
        code_blocks,
        code_reused: state.code_reused,
        anchors: links::ids_in_html(&html),
        html,
        toc: nest_toc(&state.headings),
        anchor_links: state.anchor_links,
        cited_sources: state.cited,
        has_code: state.has_code,
        word_count: state.word_count,
        highlight_ns: state.highlight_ns,
        includes: state.includes,
        uses: state.uses,
        numbers: state.numbers,
    })
}

/// Numbers as written in a page's prose, each with its offset in the page's file. Kept for every
/// page from one build to the next, so held compactly: one text for them all (a page of tables
/// may hold hundreds), rather than a string each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Numbers {
    text: String,
    /// Where each number ends in `text`, and its offset in the file.
    ends: Vec<(u32, u32)>,
}

impl Numbers {
    pub fn push(&mut self, number: &str, offset: usize) {
        // Pages are at most 10 MB (`content::MAX_PAGE_BYTES`), so offsets fit.
        let (Ok(offset), Ok(end)) = (u32::try_from(offset), u32::try_from(self.text.len() + number.len())) else {
            return;
        };
        self.text.push_str(number);
        self.ends.push((end, offset));
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Each number with its offset in the file.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(end, _)| end as usize));
        starts.zip(&self.ends).map(|(start, &(end, offset))| (&self.text[start..end as usize], offset as usize))
    }

    pub fn extend(&mut self, other: &Numbers) {
        for (number, offset) in other.iter() {
            self.push(number, offset);
        }
    }
}

/// Each number in the prose (`numbers`: as written, with its offset in the page's file) that is a
/// figure's value typed by hand, with the message to show at that offset. Prose must use
/// `{{ figure() }}`, so that prose and data cannot disagree. A page's Markdown records its numbers
/// once, so this runs again, with no new render, whenever the data changes.
pub fn typed_numbers(figures: &Figures, numbers: &Numbers) -> Vec<(usize, String)> {
    if numbers.is_empty() {
        return Vec::new();
    }
    TypedForms::of(figures).check(numbers)
}

/// The written forms of every figure's value (`1,150` and `1150`), which prose must not type.
pub struct TypedForms<'a>(HashMap<String, &'a figures::Figure>);

impl<'a> TypedForms<'a> {
    pub fn of(figures: &'a Figures) -> TypedForms<'a> {
        TypedForms(figures.typed_forms().into_iter().collect())
    }

    /// Each of `numbers` that is a figure's value, with its offset and the message to show.
    pub fn check(&self, numbers: &Numbers) -> Vec<(usize, String)> {
        let forms = &self.0;
        if forms.is_empty() {
            return Vec::new();
        }
        numbers
        .iter()
        .filter_map(|(number, offset)| {
            let figure = forms.get(number)?;
            Some((
                offset,
                format!(
                    "the number {number} is typed by hand, but it is the figure `{}`; write {{{{ figure(id=\"{}\") }}}} so prose and data cannot disagree",
                    figure.id, figure.id
                ),
            ))
        })
        .collect()
    }
}

#[derive(Default)]
struct State {
    used_ids: ids::UsedIds,
    headings: Vec<(u8, String, String)>,
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
    /// What the page shows of the data, with its fingerprint.
    uses: Vec<(Used, u64)>,
    /// Numbers written in the prose, with their offsets in the page's file.
    numbers: Numbers,
    /// Each code block highlighted (or taken from an earlier build), by its `code_key`, to be
    /// found in the page's HTML once it is whole.
    code_html: Vec<(u64, String)>,
    code_reused: usize,
    /// The files being included, innermost last, to refuse a file that includes itself.
    include_stack: Vec<PathBuf>,
    /// While included Markdown renders: the page and the offset of its outermost `include`.
    include_origin: Option<(PathBuf, usize)>,
}

impl State {
    /// Notes what the page shows of the data, with its fingerprint now.
    fn uses(&mut self, figures: &Figures, used: impl IntoIterator<Item = Used>) {
        for used in used {
            if !self.uses.iter().any(|(u, _)| *u == used)
                && let Some(fingerprint) = figures.fingerprint(&used)
            {
                self.uses.push((used, fingerprint));
            }
        }
    }

    fn cite(&mut self, sources: &[String]) {
        for source in sources {
            if !self.cited.contains(source) {
                self.cited.push(source.clone());
            }
        }
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

/// The shortcodes of one fragment, by placeholder number.
struct Outputs<'a> {
    /// The HTML each renders to.
    html: Vec<String>,
    /// The text a reader sees of it, for heading titles and link destinations.
    text: Vec<String>,
    /// The call as written, for messages.
    written: Vec<&'a str>,
    /// Whether its HTML is a block (it then stands outside any paragraph).
    block: Vec<bool>,
}

impl Outputs<'_> {
    /// `text` with each placeholder replaced by what `pick` says of its shortcode.
    fn substitute(&self, text: &str, pick: impl Fn(&Self, usize) -> String) -> String {
        if !text.contains("PKTSC") {
            return text.to_string();
        }
        let mut text = text.to_string();
        for i in (0..self.html.len()).rev() {
            text = text.replace(&placeholder(i), &pick(self, i));
        }
        text
    }
}

/// Whether `html` starts with an element that is a block: it cannot sit inside a `<p>`.
fn is_block_html(html: &str) -> bool {
    const BLOCKS: [&str; 30] = [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
    ];
    let Some(rest) = html.trim_start().strip_prefix('<') else { return false };
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    BLOCKS.contains(&name.as_str()) || name == "ul"
}

/// Renders `text`, which starts at byte `base` of the page's file, into HTML.
fn render_fragment(ctx: &Context, page: &PageSource, text: &str, base: usize, state: &mut State) -> String {
    let error_at = |offset: usize, message: String| Error::at_offset(page.path, page.text, base + offset, message);
    let (calls, errors) = shortcodes::find_all(text);
    for err in errors {
        state.errors.push(error_at(err.offset, err.message));
    }
    let mut substituted = String::with_capacity(text.len());
    let mut replacements = Vec::new();
    let mut outputs = Outputs { html: Vec::new(), text: Vec::new(), written: Vec::new(), block: Vec::new() };
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
        let html = render_call(ctx, page, text, base, call, state);
        outputs.text.push(text_of_html(&html));
        outputs.block.push(is_block_html(&html));
        outputs.written.push(&text[call.range.clone()]);
        // `check` builds name where each shortcode's HTML comes from.
        outputs.html.push(match ctx.config.source_markers {
            true => format!("{}{html}", crate::checks::markers::at(base + call.range.start)),
            false => html,
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
    let to_file_offset = |offset| base + to_original(offset);
    let html = rewriter::Rewriter::new(ctx, page, &substituted, &outputs, &to_file_offset, state).rewrite();
    // Footnote definitions are rendered apart from the body, so their shortcodes must be put back
    // too (found by the `markdown` fuzz target). Nested fragments have put back theirs already,
    // so every placeholder left belongs to this fragment.
    if !outputs.html.is_empty() {
        for definition in state.footnote_defs.values_mut() {
            *definition = put_back(std::mem::take(definition), &outputs.html);
        }
    }
    put_back(html, &outputs.html)
}

/// Replaces the placeholders in `html` with the shortcode outputs they stand for.
fn put_back(mut html: String, outputs: &[String]) -> String {
    for (i, output) in outputs.iter().enumerate().rev() {
        html = html.replacen(&placeholder(i), output.trim_end(), 1);
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
                state.uses(ctx.figures, [Used::Figure(figure.id.clone()), Used::Sources]);
                figures::html::figure(ctx.figures, figure, &cite)
            }),
            None => Err(error_at(unknown_id("figure", id(), ctx.figures.figures.keys()))),
        },
        "table" => match id().and_then(|id| ctx.figures.tables.get(&id)) {
            Some(table) => {
                state.cite(&table.sources);
                state.uses(ctx.figures, [Used::Table(table.id.clone()), Used::Sources]);
                Ok(figures::html::table(ctx.figures, table))
            }
            None => Err(error_at(unknown_id("table", id(), ctx.figures.tables.keys()))),
        },
        "week_grid" => match id().and_then(|id| ctx.figures.grids.get(&id)) {
            Some(grid) => {
                for scheme in &grid.schemes {
                    state.cite(&scheme.sources);
                }
                state.uses(ctx.figures, [Used::Grid(grid.id.clone()), Used::Sources]);
                Ok(figures::grid::html(ctx.figures, grid))
            }
            None => Err(error_at(unknown_id("week grid", id(), ctx.figures.grids.keys()))),
        },
        "source_list" => {
            state.uses(ctx.figures, [Used::Sources]);
            Ok(figures::html::source_list(ctx.figures))
        }
        "computed_list" => {
            state.uses(ctx.figures, [Used::Computed, Used::Sources]);
            Ok(figures::html::computed_list(ctx.figures))
        }
        "include" => include::render(ctx, page, base + call.range.start, call, state).map_err(error_at),
        name if ctx.templates.has(name) => render_theme_call(ctx, page, text, base, call, state),
        name => Err(error_at(format!(
            "unknown shortcode `{name}`; use figure, table, week_grid, source_list, computed_list, include, or add `templates/shortcodes/{name}.html` to the theme"
        ))),
    };
    result.unwrap_or_else(|err| {
        state.errors.push(err);
        String::new()
    })
}

/// A shortcode of the theme: its arguments checked against what its template declares, its body
/// rendered as Markdown, and the links in its HTML resolved like the page's own.
fn render_theme_call(
    ctx: &Context,
    page: &PageSource,
    text: &str,
    base: usize,
    call: &Call,
    state: &mut State,
) -> Result<String, Error> {
    let name = call.name.as_str();
    let at = |offset: usize, message: String| Error::at_offset(page.path, page.text, base + offset, message);
    let mut args = call.args.clone();
    if let Some(declaration) = ctx.templates.declaration(name) {
        let known: Vec<&str> = declaration.names().collect();
        let listed = if known.is_empty() {
            "it takes none".to_string()
        } else {
            format!("it takes {}", known.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
        };
        let mut bad = false;
        for (arg, offset) in &call.arg_offsets {
            if !known.contains(&arg.as_str()) {
                let hint = crate::error::did_you_mean(arg, &known)
                    .map(|h| format!("did you mean `{h}`? "))
                    .unwrap_or_default();
                state
                    .errors
                    .push(at(*offset, format!("the shortcode `{name}` has no argument `{arg}`; {hint}{listed}")));
                bad = true;
            }
        }
        for (arg, default) in &declaration.args {
            match (args.contains_key(arg), default) {
                (true, _) => {}
                (false, Some(default)) => {
                    args.insert(arg.clone(), default.clone());
                }
                (false, None) => {
                    state.errors.push(at(
                        call.range.start,
                        format!("the shortcode `{name}` needs `{arg}`; add `{arg}=\"...\"` to the call"),
                    ));
                    bad = true;
                }
            }
        }
        if bad {
            return Ok(String::new());
        }
    }
    let body = match &call.body {
        Some(range) => render_fragment(ctx, page, &text[range.clone()], base + range.start, state),
        None => String::new(),
    };
    let html = ctx.templates.render(name, &args, &body).map_err(|err| {
        let mut located = at(call.range.start, format!("in the shortcode `{name}`: {}", err.message));
        if err.path.is_some() {
            located.message.push_str(&format!(" (at {})", err.place().unwrap_or_default()));
        }
        located
    })?;
    // The body's own links were resolved as it rendered; the template's are resolved here, as a
    // browser would read them on this page.
    let own = if body.is_empty() { Cow::Borrowed(html.as_str()) } else { Cow::Owned(html.replacen(&body, "", 1)) };
    if own.contains("href") || own.contains("src") {
        let tags = links::start_tags(&own);
        resolve::check_output_links(ctx, page, &tags, base + call.range.start, call_text(text, call), state);
    }
    Ok(html)
}

fn call_text<'a>(text: &'a str, call: &Call) -> &'a str {
    let end = call.body.as_ref().map_or(call.range.end, |body| body.start);
    &text[call.range.start..end]
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

/// A URL segment or footnote label made from text: lower case letters and digits joined by
/// `-`. (Heading ids follow `heading_ids` instead: see `ids`.)
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
