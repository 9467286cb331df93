//! Stage 2: `content/` -> `Vec<Page>` and the asset files to copy.
//!
//! `Page::parse` does the work on text; `load` walks the folder, reads each Markdown file and
//! collects every error rather than stopping at the first. Data files (`content/_data/`) are read
//! by `figures`, not here.

pub mod front_matter;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub use front_matter::{Alias, FrontMatter, RedirectTarget, SortBy};

use crate::config::Config;
use crate::error::{Error, Errors, Result};
use crate::output::OutputPath;
use crate::read_text;

/// What a Markdown file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Home,
    Section,
    Page,
}

/// One Markdown file with its parsed front matter. The build cache stores it between builds.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Page {
    /// Path relative to the site root, e.g. `content/pay.md`.
    pub path: PathBuf,
    pub kind: PageKind,
    pub front_matter: FrontMatter,
    /// The whole file, or only its front matter once the body is released (see `Bodies`).
    pub text: String,
    /// Byte offset of the Markdown body in the file.
    pub body_offset: usize,
    /// Whether `text` ends at `body_offset` because the body was dropped after loading.
    pub body_released: bool,
    /// URL path below the base path, without a leading slash: `""` for home, `pay/` for a page.
    pub route: String,
    /// The folder the page's relative links start from, relative to the site root.
    pub dir: PathBuf,
    /// Byte offset in the file of the `<!-- more -->` marker that ends the page's summary.
    pub summary_end: Option<usize>,
}

impl Page {
    /// The Markdown body as held: empty once it was released (use `full_text` then).
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// Parses `text`, the contents of `path` (relative to the root, below `content/`).
    pub fn parse(path: &Path, text: String) -> Result<Page, Errors> {
        let (front_matter, split) = front_matter::parse(path, &text)?;
        let body_offset = split.body_offset;
        let (kind, mut segments) = kind_and_segments(path);
        if let (Some(slug), Some(last)) = (&front_matter.slug, segments.last_mut()) {
            *last = slug.clone();
        }
        // The walk refuses such names already; this keeps a page made from any path safe.
        if let Some(problem) = segments.iter().find_map(|s| crate::output::segment_problem(s)) {
            return Err(Error::in_file(
                path,
                format!("this page's path cannot be a URL: {problem}; rename the file or folder"),
            )
            .into());
        }
        let route = segments.iter().map(|s| format!("{s}/")).collect();
        if kind == PageKind::Page {
            let listing_key = ["sort_by", "reverse", "paginate_by"].into_iter().find(|key| match *key {
                "sort_by" => front_matter.sort_by.is_some(),
                "reverse" => front_matter.reverse,
                _ => front_matter.paginate_by.is_some(),
            });
            if let Some(key) = listing_key {
                let location =
                    front_matter::key_location(&text, key).unwrap_or(crate::error::Location { line: 1, column: 1 });
                return Err(Error::at(
                    path,
                    &text,
                    location,
                    format!(
                        "`{key}` orders the pages a section lists, and this is a page, not a section; move it to the section's `_index.md`"
                    ),
                )
                .into());
            }
        }
        let summary_end = summary_marker(&text[body_offset..]).map(|at| body_offset + at);
        Ok(Page {
            path: path.to_path_buf(),
            kind,
            front_matter,
            text,
            body_offset,
            body_released: false,
            route,
            dir: path.parent().unwrap_or(Path::new("")).to_path_buf(),
            summary_end,
        })
    }

    /// Drops the body, keeping the front matter (for error lines) and what was parsed from it.
    pub fn release_body(&mut self) {
        self.text.truncate(self.body_offset);
        self.text.shrink_to_fit();
        self.body_released = true;
    }

    /// The whole file: the text held, or, if the body was released, the file read again from
    /// below `root`. A file whose front matter changed since it was loaded is an error, since
    /// the rest of the site was built from the old one.
    pub fn full_text(&self, root: &Path) -> Result<Cow<'_, str>> {
        if !self.body_released {
            return Ok(Cow::Borrowed(&self.text));
        }
        let text = read_text_as(&root.join(&self.path), &self.path)?;
        if text.get(..self.body_offset) != Some(self.text.as_str()) {
            return Err(Error::in_file(&self.path, "this file changed while the site was building; build again"));
        }
        Ok(Cow::Owned(text))
    }

    /// An error at the front matter key or item `key` (`template`, `sources/1`), or at the top of
    /// the file when the key is not there.
    pub fn error_at_key(&self, key: &str, message: impl Into<String>) -> Error {
        let location =
            front_matter::key_location(&self.text, key).unwrap_or(crate::error::Location { line: 1, column: 1 });
        Error::at(&self.path, &self.text, location, message)
    }

    pub fn title(&self) -> &str {
        &self.front_matter.title
    }
}

/// The marker that ends a page's summary, as Zola and Hugo write it.
pub const SUMMARY_MARKER: &str = "<!-- more -->";

/// Where `body` has the summary marker as HTML (not inside code, where it is shown as text).
fn summary_marker(body: &str) -> Option<usize> {
    // Most pages have no marker; only those are parsed here.
    if !body.contains(SUMMARY_MARKER) {
        return None;
    }
    let parser = pulldown_cmark::Parser::new_ext(body, crate::markdown::options()).into_offset_iter();
    parser.into_iter().find_map(|(event, range)| match event {
        pulldown_cmark::Event::Html(html) | pulldown_cmark::Event::InlineHtml(html)
            if html.trim() == SUMMARY_MARKER =>
        {
            Some(range.start)
        }
        _ => None,
    })
}

/// The names of `dir`'s folders; one that is not UTF-8 is kept as an empty name, which the
/// route check refuses.
/// What the page at `path` (relative to the root, below `content/`) is, and the parts of its URL
/// before any `slug`.
fn kind_and_segments(path: &Path) -> (PageKind, Vec<String>) {
    let inside = path.strip_prefix("content").unwrap_or(path);
    let file_name = inside.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let parent = inside.parent().unwrap_or(Path::new(""));
    match file_name {
        "_index.md" if parent.as_os_str().is_empty() => (PageKind::Home, vec![]),
        "_index.md" => (PageKind::Section, segments_of(parent)),
        "index.md" => (PageKind::Page, segments_of(parent)),
        _ => {
            let mut segments = segments_of(parent);
            segments.push(file_name.trim_end_matches(".md").to_string());
            (PageKind::Page, segments)
        }
    }
}

/// The URL the page at `path` has when its front matter gives no `slug`: where a page that could
/// not be read is taken to be, so that links to it are not reported as well.
pub(crate) fn route_of_file(path: &Path) -> String {
    kind_and_segments(path).1.iter().map(|s| format!("{s}/")).collect()
}

fn segments_of(dir: &Path) -> Vec<String> {
    dir.components().map(|c| c.as_os_str().to_str().unwrap_or_default().to_string()).collect()
}

/// A file in `content/` that is not Markdown, copied to the same place in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Absolute source path.
    pub source: PathBuf,
    pub target: OutputPath,
}

/// Everything `content/` holds, apart from data files.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Sorted by route; drafts removed unless the build asked for them.
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
}

/// Whether loaded pages keep their Markdown bodies in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    /// For `serve`, which renders the same pages again and again.
    Keep,
    /// For a one-off build: only front matter is held for the whole site, and each body is read
    /// again when its page renders, so memory does not grow with the size of the pages.
    Release,
}

/// What `content/` holds, before any page is read.
pub(crate) struct Found {
    /// Markdown files: `(absolute path, path relative to the root)`, in name order.
    pub pages: Vec<(PathBuf, PathBuf)>,
    pub assets: Vec<Asset>,
    pub errors: Vec<Error>,
}

/// Walks `content/` for its pages and assets; reads no file.
pub(crate) fn find(config: &Config) -> Found {
    let walked = walk(config, &config.content_dir, Skip::HiddenAndPrivate);
    let mut found = Found { pages: Vec::new(), assets: Vec::new(), errors: walked.errors };
    for file in walked.files {
        if file.relative.extension().is_some_and(|e| e == "md") {
            found.pages.push((file.absolute, file.relative));
        } else {
            match OutputPath::of_relative(&file.inside) {
                Ok(target) => found.assets.push(Asset { source: file.absolute, target }),
                Err(problem) => found.errors.push(Error::in_file(&file.relative, problem)),
            }
        }
    }
    found
}

/// Which names a walk leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// Editor temp files, hidden names (`.git`) and private ones (`_data`, but not `_index.md`):
    /// for `content/`.
    HiddenAndPrivate,
    /// Only editor temp files: for a theme, whose static files may be `.well-known/` or `_headers`.
    EditorFiles,
}

/// A file found by `walk`.
pub(crate) struct FoundFile {
    /// The path to read it from.
    pub absolute: PathBuf,
    /// Relative to the site root, for messages: `content/img/a.png`.
    pub relative: PathBuf,
    /// Relative to the folder walked: `img/a.png`.
    pub inside: PathBuf,
}

/// The files under a folder and the problems found on the way.
pub(crate) struct Walked {
    pub files: Vec<FoundFile>,
    pub errors: Vec<Error>,
}

/// Every file under `dir`, in name order. Links are followed when they stay inside the site's
/// root; a link that leads outside (or `dir` itself, when it is one) is an error and is not
/// followed, so no file from elsewhere on the machine is ever read or published. A name that is
/// not UTF-8, holds a control character or otherwise cannot be part of a URL is an error naming
/// the file; nothing below such a folder is read.
pub(crate) fn walk(config: &Config, dir: &Path, skip: Skip) -> Walked {
    let mut walked = Walked { files: Vec::new(), errors: Vec::new() };
    if !dir.is_dir() {
        return walked;
    }
    let bases: Vec<PathBuf> = std::fs::canonicalize(&config.root).into_iter().collect();
    let output = std::fs::canonicalize(&config.output_dir).ok();
    let mut entries =
        walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|entry| {
            entry.depth() == 0
                || !(is_editor_temp_file(entry.path())
                    || skip == Skip::HiddenAndPrivate && is_hidden_or_private(entry.file_name()))
        });
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                walked.errors.push(walk_error(config, &err));
                continue;
            }
        };
        let relative = config.relative(entry.path()).to_path_buf();
        if entry.depth() == 0 {
            // The folder itself may be, or sit below, a link that leads out of the site.
            let resolved = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
            if !bases.iter().any(|base| resolved.starts_with(base)) {
                walked.errors.push(Error::in_file(
                    &relative,
                    format!(
                        "this folder is reached through a link to `{}`, which is outside the site's folder; picket reads only files inside the site, so move the folder in or remove the link",
                        resolved.display()
                    ),
                ));
                return walked;
            }
            continue;
        }
        let problem = name_problem(entry.file_name()).or_else(|| outside_link(&bases, output.as_deref(), &entry));
        if let Some(problem) = problem {
            walked.errors.push(Error::in_file(&relative, problem));
            if entry.file_type().is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_file() {
            let inside = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_path_buf();
            walked.files.push(FoundFile { absolute: entry.path().to_path_buf(), relative, inside });
        }
    }
    walked
}

/// Why a file or folder name cannot be part of the site, or `None` when it can.
fn name_problem(name: &std::ffi::OsStr) -> Option<String> {
    let Some(name) = name.to_str() else {
        return Some(format!("the name {name:?} is not valid UTF-8; rename it"));
    };
    crate::output::segment_problem(name)
        .map(|problem| format!("the name `{}` cannot be part of a URL: {problem}; rename it", name.escape_debug()))
}

/// Why `entry`, a link, may not be followed, or `None` when it is not a link or stays inside the
/// site and out of its output folder (`output`, if it exists).
fn outside_link(bases: &[PathBuf], output: Option<&Path>, entry: &walkdir::DirEntry) -> Option<String> {
    if !entry.path_is_symlink() {
        return None;
    }
    let target = std::fs::canonicalize(entry.path()).ok()?;
    if output.is_some_and(|output| target.starts_with(output)) {
        return Some(format!(
            "this is a link into the output folder `{}`; the site would publish its own last build inside itself, so remove the link",
            target.display()
        ));
    }
    if bases.iter().any(|base| target.starts_with(base)) {
        return None;
    }
    Some(format!(
        "this is a link to `{}`, which is outside the site's folder; picket publishes only files inside the site, so copy the file in or remove the link",
        target.display()
    ))
}

/// Sorts `pages` by route and returns what is wrong with the set: no home page, two pages on
/// one URL. `unread` are the pages that could not be read or parsed, whose errors are reported
/// already: a home page among them is not missing.
pub(crate) fn check_pages(pages: &mut [Page], unread: &[PathBuf]) -> Vec<Error> {
    let mut errors = Vec::new();
    let home_unread = unread.iter().any(|path| kind_and_segments(path).0 == PageKind::Home);
    if !home_unread && !pages.iter().any(|p| p.kind == PageKind::Home) {
        errors.push(Error::in_file(
            Path::new("content/_index.md"),
            "the site has no home page; create `content/_index.md` with a title",
        ));
    }
    pages.sort_by(|a, b| a.route.cmp(&b.route));
    errors.extend(duplicate_routes(pages));
    errors
}

/// Pages and data files larger than this are refused before they are read. Real pages are a few
/// kB; a file of tens of MB is a mistake (a pasted data dump) and would make the build slow and
/// memory-hungry.
const MAX_PAGE_BYTES: u64 = 10 * MEGABYTE;

const MEGABYTE: u64 = 1024 * 1024;

/// Reads a page or data file, checking its size from the file's metadata first; errors name `relative`.
pub(crate) fn read_text_as(absolute: &Path, relative: &Path) -> Result<String> {
    let size = std::fs::metadata(absolute).map_err(|err| Error::io(relative, &err))?.len();
    if size > MAX_PAGE_BYTES {
        return Err(Error::in_file(
            relative,
            format!(
                "this file is {} MB; the limit is {} MB; split it into smaller files",
                size.div_ceil(MEGABYTE),
                MAX_PAGE_BYTES / MEGABYTE
            ),
        ));
    }
    read_text(absolute).map_err(|mut err| {
        err.path = Some(relative.to_path_buf());
        err
    })
}

/// A folder walk error, with paths relative to the root. A link that points back at a folder
/// containing it would make the walk endless; walkdir detects that and we say which link it is.
fn walk_error(config: &Config, err: &walkdir::Error) -> Error {
    let path = err.path().map(|p| config.relative(p).to_path_buf()).unwrap_or_default();
    if let Some(ancestor) = err.loop_ancestor() {
        return Error::in_file(
            &path,
            format!(
                "`{}` is a link to `{}`, a folder that contains it, so `content/` would never end; remove the link or point it elsewhere",
                path.display(),
                config.relative(ancestor).display()
            ),
        );
    }
    let dangling = err.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound);
    if let Some(target) = err.path().and_then(|p| std::fs::read_link(p).ok()).filter(|_| dangling) {
        return Error::in_file(
            &path,
            format!(
                "`{}` is a link to `{}`, which does not exist; remove the link or fix where it points",
                path.display(),
                target.display()
            ),
        );
    }
    let reason = err.io_error().map_or_else(|| err.to_string(), ToString::to_string);
    Error::in_file(&path, format!("cannot read `{}`: {reason}; fix it or remove it", path.display()))
}

/// The swap, backup and lock files editors write beside the file being edited (Zola's list,
/// plus vim's `4913` probe and emacs' `.#lock` files).
pub fn is_editor_temp_file(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else { return false };
    const SUFFIXES: [&str; 11] =
        [".swp", ".swx", ".swo", ".tmp", "~", ".kate-swp", ".bck", ".__jb_old___", ".__jb_tmp___", ".__jb_bak___", "#"];
    SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
        || name.starts_with('#')
        || name.starts_with(".#")
        || name.eq_ignore_ascii_case(".DS_Store")
        || name == "4913"
}

pub(crate) fn is_hidden_or_private(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('_') && name != "_index.md"
}

/// `pages` are sorted by route, so pages that share one are next to each other.
fn duplicate_routes(pages: &[Page]) -> Vec<Error> {
    pages
        .chunk_by(|a, b| a.route == b.route)
        .filter(|pages| pages.len() > 1)
        .map(|pages| {
            let route = &pages[0].route;
            let others: Vec<String> =
                pages[1..].iter().map(|p| format!("`{}`", p.path.display())).collect();
            Error::in_file(
                &pages[0].path,
                format!(
                    "this page and {} would both be written to `/{route}`; rename one of them or give it another `slug`",
                    others.join(" and ")
                ),
            )
        })
        .collect()
}

/// Orders pages for listings when a section names no order: by weight, then newest date first,
/// then title.
pub fn listing_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let weight = |p: &Page| p.front_matter.weight.unwrap_or(i64::MAX);
    weight(a)
        .cmp(&weight(b))
        .then_with(|| b.front_matter.date.cmp(&a.front_matter.date))
        .then_with(|| a.title().cmp(b.title()))
}

/// Sorts the pages a section lists as its front matter asks (`sort_by`, `reverse`). Pages that
/// lack the value sorted by go last, by path, and stay last when the order is reversed; ties are
/// broken by path, so the order never depends on the file system.
pub fn sort_listing<T>(items: &mut [T], page_of: impl Fn(&T) -> &Page, sort_by: Option<SortBy>, reverse: bool) {
    use std::cmp::Ordering;
    let by_path = |a: &&Page, b: &&Page| a.path.cmp(&b.path);
    let has_value = |p: &Page| match sort_by {
        Some(SortBy::Weight) => p.front_matter.weight.is_some(),
        Some(SortBy::Date) => p.front_matter.date.is_some(),
        _ => true,
    };
    let order = |a: &&Page, b: &&Page| -> Ordering {
        let (fa, fb) = (&a.front_matter, &b.front_matter);
        match sort_by {
            None => listing_order(a, b),
            Some(SortBy::Weight) => fa.weight.cmp(&fb.weight),
            Some(SortBy::Date) => fb.date.cmp(&fa.date),
            Some(SortBy::Title) => natural_order(a.title(), b.title()),
            Some(SortBy::None) => Ordering::Equal,
        }
    };
    items.sort_by(|a, b| {
        let (a, b) = (&page_of(a), &page_of(b));
        has_value(b).cmp(&has_value(a)).then_with(|| match has_value(a) {
            true => order(a, b).then_with(|| by_path(a, b)),
            false => by_path(a, b),
        })
    });
    if reverse {
        let n_valued = items.iter().filter(|item| has_value(page_of(item))).count();
        items[..n_valued].reverse();
    }
}

/// Compares titles as readers expect: letters without regard to case, and runs of digits as
/// numbers, so "Chapter 2" comes before "Chapter 10". Equal titles fall back to their bytes.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        let (Some(&cx), Some(&cy)) = (x.peek(), y.peek()) else {
            return x.peek().is_some().cmp(&y.peek().is_some()).then_with(|| a.cmp(b));
        };
        if cx.is_ascii_digit() && cy.is_ascii_digit() {
            let number = |it: &mut std::iter::Peekable<std::str::Chars>| {
                let mut digits = String::new();
                while let Some(c) = it.next_if(char::is_ascii_digit) {
                    digits.push(c);
                }
                digits.trim_start_matches('0').to_string()
            };
            let (nx, ny) = (number(&mut x), number(&mut y));
            match nx.len().cmp(&ny.len()).then_with(|| nx.cmp(&ny)) {
                Ordering::Equal => continue,
                other => return other,
            }
        }
        let (lx, ly) = (cx.to_lowercase().collect::<String>(), cy.to_lowercase().collect::<String>());
        match lx.cmp(&ly) {
            Ordering::Equal => {
                x.next();
                y.next();
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests;
