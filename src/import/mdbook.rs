//! mdBook -> picket: book.toml to site.yaml, SUMMARY.md to titles, weights, aliases and a table
//! of contents in the theme, `{{#include}}` and its kin to picket's `include` shortcode, `.html`
//! links to `.md` links.
//!
//! Reads SRC through `source::Tree` only and returns a `Plan`; writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::body::{self, Edit, Scan};
use super::front_matter::FrontMatter;
use super::report::Report;
use super::source::{SourceFile, Target, Tree, normalize, relative_link};
use super::summary::{self, Entry, Summary};
use super::toml_file::{TomlFile, as_str, as_table, shown, to_yaml};
use super::{NewFile, Plan, Tool, free_path, theme};
use crate::error::{Error, Errors, Result};

/// What book.toml decides for the conversion.
struct Book {
    title: String,
    /// The chapters' folder, relative to SRC (`src` unless `book.src` says otherwise).
    src_dir: PathBuf,
    /// `[output.html.redirect]`: old path (without `/`), target as written, line.
    redirects: Vec<(String, String, usize)>,
    /// Whether the table of contents shows chapter numbers.
    numbered: bool,
    /// Languages whose code blocks hide lines, with the prefix (`rust` hides rustdoc's `# `).
    hidelines: BTreeMap<String, String>,
    /// The preprocessors book.toml runs besides mdBook's own, which picket does not run.
    preprocessors: Vec<String>,
    site_yaml: String,
    not_found: PathBuf,
}

/// Where each file of `src/` goes below `content/`.
struct Layout {
    /// Source path (relative to `src/`) -> destination (relative to `content/`).
    dest: BTreeMap<PathBuf, PathBuf>,
    /// Source paths of chapters.
    chapters: BTreeSet<PathBuf>,
}

pub(crate) fn plan(src: &Path) -> Result<Plan, Errors> {
    let tree = Tree::open(src)?;
    let mut report = Report::new(Tool::Mdbook, src);
    if !tree.is_file(Path::new("book.toml")) {
        return Err(Error::in_file(
            src,
            "no `book.toml` here; give the folder of an mdBook book, which holds book.toml and src/SUMMARY.md",
        )
        .into());
    }
    let book_text = tree.read_text(Path::new("book.toml"))?;
    let book_toml =
        TomlFile::parse(&tree.shown(Path::new("book.toml")), Path::new("book.toml"), &book_text, &book_text, 0)?;
    let book = book_settings(&book_toml, &mut report);
    let summary_path = book.src_dir.join("SUMMARY.md");
    if !tree.is_file(&summary_path) {
        return Err(Error::in_file(
            &tree.shown(&summary_path),
            "there is no SUMMARY.md; mdBook needs one, so write it and import again",
        )
        .into());
    }
    let summary_text = tree.read_text(&summary_path)?;
    let (summary, notes) = summary::parse(&summary_text);
    for (line, message) in notes {
        report.note(&summary_path, Some(line), message);
    }
    let sources = tree.files(&book.src_dir, &mut report);
    let layout = layout(&book, &summary, &sources, &summary_path, &mut report);

    let mut plan = Planner {
        tree: &tree,
        book: &book,
        layout: &layout,
        report,
        copies: BTreeMap::new(),
        markdown_includes: BTreeSet::new(),
        placeholders: Vec::new(),
        errors: Errors::default(),
    };
    let mut files = Vec::new();
    let chapters = summary.chapters();
    let mut fronts: BTreeMap<PathBuf, FrontMatter> = BTreeMap::new();
    for (index, (chapter, _)) in chapters.iter().enumerate() {
        let Some(path) = chapter.path.as_ref().and_then(|p| normalize(p)) else { continue };
        if fronts.contains_key(&path) || !layout.dest.contains_key(&path) {
            continue;
        }
        let mut front = FrontMatter::default();
        front.set("title", Value::String(chapter.title.clone()));
        front.set("weight", Value::Number(((index as u64 + 1) * 10).into()));
        if !is_index(&path) {
            front.add_alias(&url_path(&path.with_extension("html")));
        }
        fronts.insert(path, front);
    }
    plan.redirects(&mut fronts);
    plan.check_nesting(&chapters, &summary_path);
    let mut others = Vec::new();
    for file in &sources {
        let inside = file.path.strip_prefix(&book.src_dir).unwrap_or(&file.path).to_path_buf();
        let Some(dest) = layout.dest.get(&inside) else { continue };
        let dest_path = Path::new("content").join(dest);
        if inside.extension().is_some_and(|e| e == "md") && !layout.chapters.contains(&inside) {
            others.push((file, inside, dest_path));
        } else if inside.extension().is_some_and(|e| e == "md") {
            let front = fronts.remove(&inside);
            match front {
                Some(_) if is_home(dest) || dest.ends_with("_index.md") => plan.report.n_sections += 1,
                Some(_) => plan.report.n_pages += 1,
                None => {}
            }
            if let Some(text) = plan.chapter(&inside, dest, front) {
                files.push(NewFile::text(dest_path, text));
            }
        } else {
            plan.report.n_copied += 1;
            files.push(NewFile::copy(dest_path, &file.read_from));
        }
    }
    // Markdown that is no chapter: converted when a page includes it as Markdown (which may
    // include more), else kept byte for byte, as SUMMARY.md shown in a code block must be.
    let mut converted = BTreeSet::new();
    while let Some((_, inside, dest_path)) =
        others.iter().find(|(_, inside, _)| plan.markdown_includes.contains(inside) && !converted.contains(inside))
    {
        converted.insert(inside.clone());
        let dest = dest_path.strip_prefix("content").unwrap_or(dest_path).to_path_buf();
        if let Some(text) = plan.chapter(inside, &dest, None) {
            files.push(NewFile::text(dest_path.clone(), text));
        }
    }
    for (file, inside, dest_path) in &others {
        if !converted.contains(inside) {
            plan.report.n_copied += 1;
            files.push(NewFile::copy(dest_path.clone(), &file.read_from));
        }
    }
    // Chapters SUMMARY.md lists whose file is missing: mdBook creates them with their title.
    for (path, mut front) in fronts {
        let title = front.get("title").and_then(Value::as_str).unwrap_or_default().to_string();
        let dest = layout.dest.get(&path).cloned().unwrap_or_else(|| path.clone());
        front.set("title", Value::String(title.clone()));
        for key in front.keys() {
            plan.report.key(key);
        }
        plan.report.n_pages += 1;
        files.push(NewFile::text(Path::new("content").join(dest), format!("{}\n# {title}\n", front.to_text())));
    }
    if !layout.dest.values().any(|d| is_home(d)) {
        files.push(NewFile::text("content/_index.md", plan.home_page(&summary)));
    }
    for (dest, from) in std::mem::take(&mut plan.copies) {
        plan.report.n_copied += 1;
        files.push(NewFile::copy(dest, &from));
    }
    plan.note_placeholders();
    let toc = toc_html(&summary, &layout, book.numbered);
    let not_found = plan.not_found_html();
    if !plan.errors.is_empty() {
        return Err(plan.errors);
    }
    files.push(NewFile::text("site.yaml", book.site_yaml.clone()));
    files.extend(theme::mdbook(&toc, not_found.as_deref()));
    Ok(Plan { files, report: plan.report })
}

/// A README.md or index.md is its folder's index page.
fn is_index(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "README.md" || n == "index.md")
}

fn is_home(dest: &Path) -> bool {
    dest == Path::new("_index.md")
}

/// A path written with `/`, for URLs.
fn url_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The picket route of a page below `content/`.
fn route_of(dest: &Path) -> String {
    let parent = dest.parent().map(url_path).unwrap_or_default();
    let parent = if parent.is_empty() { String::new() } else { format!("{parent}/") };
    match dest.file_name().and_then(|n| n.to_str()) {
        Some("_index.md" | "index.md") => parent,
        _ => format!("{parent}{}/", dest.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default()),
    }
}

/// Decides where every file of `src/` goes: chapters keep their path (a README.md or index.md
/// becomes its folder's `_index.md`), other Markdown files are kept unpublished as `_name.md`,
/// everything else is copied as it is.
fn layout(book: &Book, summary: &Summary, sources: &[SourceFile], summary_path: &Path, report: &mut Report) -> Layout {
    let inside: BTreeSet<PathBuf> =
        sources.iter().map(|f| f.path.strip_prefix(&book.src_dir).unwrap_or(&f.path).to_path_buf()).collect();
    let mut chapters = BTreeSet::new();
    let mut dest = BTreeMap::new();
    for (chapter, _) in summary.chapters() {
        let Some(written) = &chapter.path else {
            report.note(summary_path, Some(chapter.line), format!("`{}` is a draft chapter (no file), so it has no page; it shows in the table of contents as mdBook shows it", chapter.title));
            continue;
        };
        let Some(path) = normalize(written) else {
            report.note(
                summary_path,
                Some(chapter.line),
                format!(
                    "`{}` is outside the book's {} folder, so it was not imported; move it inside",
                    written.display(),
                    book.src_dir.display()
                ),
            );
            continue;
        };
        if !inside.contains(&path) {
            report.note(
                summary_path,
                Some(chapter.line),
                format!(
                    "`{}` does not exist; mdBook creates it with its title, and so did the import: write the chapter",
                    path.display()
                ),
            );
        }
        let target = if is_index(&path) { path.with_file_name("_index.md") } else { path.clone() };
        chapters.insert(path.clone());
        dest.insert(path, target);
    }
    for path in &inside {
        if dest.contains_key(path) {
            continue;
        }
        let target = if path.extension().is_some_and(|e| e == "md") {
            let name = format!("_{}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            if path != Path::new("SUMMARY.md") && path != &book.not_found {
                report.note(
                    &book.src_dir.join(path),
                    None,
                    format!(
                        "not in SUMMARY.md, so mdBook did not publish it; kept unpublished as content/{}",
                        url_path(&path.with_file_name(&name))
                    ),
                );
            }
            path.with_file_name(name)
        } else {
            path.clone()
        };
        dest.insert(path.clone(), target);
    }
    Layout { dest, chapters }
}

/// The conversion of one book, with what it collects on the way.
struct Planner<'a> {
    tree: &'a Tree,
    book: &'a Book,
    layout: &'a Layout,
    report: Report,
    /// Included files from outside `src/`: destination (below DEST) -> the file to copy.
    copies: BTreeMap<PathBuf, PathBuf>,
    /// Markdown files of `src/` that are no chapter but are included as Markdown, so are
    /// converted like chapters (the others are copied as they are).
    markdown_includes: BTreeSet<PathBuf>,
    /// Every `{{ name }}` written in the chapters (when the book has a preprocessor of its own).
    placeholders: Vec<Placeholder>,
    errors: Errors,
}

/// A `{{ name }}` in a chapter: text mdBook never expands, so a preprocessor of the book's own
/// may have replaced it.
struct Placeholder {
    text: String,
    path: PathBuf,
    line: usize,
    in_code: bool,
}

/// One `{{#name args}}` helper found in a chapter.
struct Helper {
    range: std::ops::Range<usize>,
    name: String,
    args: String,
}

/// An include's file and part, as picket's `include` shortcode takes them.
struct Include {
    /// Relative to the page in DEST, written with `/`.
    path: String,
    /// `lines="2-10"` or `anchor="name"`.
    part: Option<(&'static str, String)>,
}

impl Planner<'_> {
    fn src_path(&self, inside: &Path) -> PathBuf {
        self.book.src_dir.join(inside)
    }

    /// Book redirects become aliases of the chapter they point at.
    fn redirects(&mut self, fronts: &mut BTreeMap<PathBuf, FrontMatter>) {
        let by_old_url: BTreeMap<String, PathBuf> = fronts
            .keys()
            .map(|path| {
                let html = if is_index(path) { path.with_file_name("index.html") } else { path.with_extension("html") };
                (url_path(&html), path.clone())
            })
            .collect();
        for (old, target, line) in &self.book.redirects {
            let book_toml = Path::new("book.toml");
            if target.contains("://") {
                self.report.note(book_toml, Some(*line), format!("the redirect from `/{old}` leads off the site, to {target}; picket's aliases lead to pages, so make a page with `redirect_to: {target}` at that path"));
                continue;
            }
            let (file, fragment) = target.split_once('#').map_or((target.as_str(), None), |(f, a)| (f, Some(a)));
            let base = Path::new(old).parent().unwrap_or(Path::new(""));
            let resolved = if let Some(rooted) = file.strip_prefix('/') {
                normalize(Path::new(rooted))
            } else {
                normalize(&base.join(file))
            };
            let chapter = resolved.map(|r| url_path(&r)).and_then(|r| by_old_url.get(&r).cloned());
            match chapter.and_then(|c| fronts.get_mut(&c)) {
                Some(front) if fragment.is_none() && !old.contains('#') => {
                    front.add_alias(old);
                    self.report.count("redirects in book.toml made aliases of the chapter they lead to", 1);
                }
                Some(front) => {
                    let bare = old.split('#').next().unwrap_or(old);
                    front.add_alias(bare);
                    self.report.note(book_toml, Some(*line), format!("the redirect from `/{old}` to `{target}` became an alias `{bare}`, which leads to the top of the page; the part after `#` cannot be kept"));
                }
                None => self.report.note(book_toml, Some(*line), format!("the redirect from `/{old}` leads to `{target}`, which is no chapter of the book; add the alias to the page readers should reach")),
            }
        }
    }

    /// Notes chapters that SUMMARY.md nests differently from their folders.
    fn check_nesting(&mut self, chapters: &[(&summary::Chapter, Option<usize>)], summary_path: &Path) {
        for (chapter, parent) in chapters {
            let Some(dest) =
                chapter.path.as_ref().and_then(|p| normalize(p)).and_then(|p| self.layout.dest.get(&p).cloned())
            else {
                continue;
            };
            if is_home(&dest) {
                continue;
            }
            let route = route_of(&dest);
            let folder_parent = {
                let trimmed = route.trim_end_matches('/');
                trimmed.rfind('/').map_or(String::new(), |i| format!("{}/", &trimmed[..i]))
            };
            let book_parent = parent
                .and_then(|i| chapters[i].0.path.as_ref())
                .and_then(|p| normalize(p))
                .and_then(|p| self.layout.dest.get(&p))
                .map(|d| route_of(d))
                .unwrap_or_default();
            if folder_parent != book_parent {
                let book_side = if book_parent.is_empty() {
                    "at the top of the book".to_string()
                } else {
                    format!("under `/{book_parent}`")
                };
                self.report.note(
                    summary_path,
                    Some(chapter.line),
                    format!("`{}` is {book_side} in SUMMARY.md, but picket lists a page in the section of its folder, `/{folder_parent}`; the table of contents keeps the book's order, while section listings and previous/next follow folders, so move the file if that matters", chapter.title),
                );
            }
        }
    }

    /// The converted text of a Markdown file of `src/`, with front matter for a chapter.
    fn chapter(&mut self, inside: &Path, dest: &Path, front: Option<FrontMatter>) -> Option<String> {
        let src_path = self.src_path(inside);
        let text = match self.tree.read_text(&src_path) {
            Ok(text) => text,
            Err(err) => {
                self.errors.push(err);
                return None;
            }
        };
        let mut front = front;
        let body = self.convert_body(&text, inside, dest, &mut front);
        let Some(front) = front else { return Some(body) };
        for key in front.keys() {
            self.report.key(key);
        }
        Some(format!("{}{body}", front.to_text()))
    }

    fn convert_body(&mut self, text: &str, inside: &Path, dest: &Path, front: &mut Option<FrontMatter>) -> String {
        let src_path = self.src_path(inside);
        let scan = body::scan(text);
        let mut edits = Vec::new();
        let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
        for helper in helpers(text) {
            let line = Some(body::line_of(text, helper.range.start));
            if let Some(edit) = self.helper(text, &scan, &helper, inside, dest, front, line) {
                taken.push(edit.range.clone());
                edits.push(edit);
            }
        }
        edits.extend(self.links(&scan, inside, dest, text));
        edits.extend(self.html_urls(&scan, inside, dest));
        let (escapes, n_code) = escapes(text, &scan, &taken);
        self.report.count(
            "mdBook's escaped `\\{{#…}}` inside code written as plain `{{#…}}` (picket expands nothing there)",
            n_code,
        );
        let n_literal = escapes.iter().filter(|e| e.text == "\\").count();
        self.report
            .count("literal `{{` or `{%` in text escaped as `\\{{`, since picket would read a shortcode", n_literal);
        edits.extend(escapes);
        self.count_hidden_lines(text, &scan);
        if !self.book.preprocessors.is_empty() {
            for (offset, placeholder) in placeholders(text) {
                let line = body::line_of(text, offset);
                let in_code = scan.in_code(offset) || in_raw_code(text, offset);
                self.placeholders.push(Placeholder { text: placeholder, path: src_path.clone(), line, in_code });
            }
        }
        body::apply(text, edits)
    }

    /// The edit for one helper, or `None` when it stays as written (noted).
    #[allow(clippy::too_many_arguments)]
    fn helper(
        &mut self,
        text: &str,
        scan: &Scan,
        helper: &Helper,
        inside: &Path,
        dest: &Path,
        front: &mut Option<FrontMatter>,
        line: Option<usize>,
    ) -> Option<Edit> {
        let src_path = self.src_path(inside);
        let fence = scan.fence_at(helper.range.start);
        if helper.name == "title" {
            if scan.in_code(helper.range.start) {
                return None;
            }
            match front.as_mut() {
                Some(front) => {
                    front.set_extra("html_title", Value::String(helper.args.trim().to_string()));
                    self.report.count("`{{#title}}` moved to `extra.html_title`, which the theme puts in <title>", 1);
                }
                None => self.report.note(&src_path, line, "`{{#title}}` in a file that is no chapter was left out"),
            }
            return Some(Edit { range: whole_line_or(text, &helper.range), text: String::new() });
        }
        let (written, part, attributes) = parse_include_args(&helper.args);
        let attributes: Vec<&str> = attributes.split_whitespace().collect();
        if helper.name == "playground" && !attributes.is_empty() {
            self.report.note(
                &src_path,
                line,
                format!(
                    "the playground attributes `{}` are not carried over; picket shows the code without a Run button",
                    attributes.join(" ")
                ),
            );
        } else if helper.name == "playground" {
            self.report.note(
                &src_path,
                line,
                "`{{#playground}}` became a Rust code block; picket shows the code without a Run button",
            );
        }
        match fence {
            Some(fence) if text[fence.content.clone()].trim() == &text[helper.range.clone()] => {
                let include = self.include_target(dest, &written, part, &src_path, line, false);
                let language = if fence.language.is_empty() { "text".to_string() } else { fence.language.clone() };
                let call = shortcode(&include, Some(&language), &helper.name);
                let keeps_newline = text[fence.range.clone()].ends_with('\n');
                self.report.count("`{{#include}}` and its kin made the `include` shortcode", 1);
                Some(Edit { range: fence.range.clone(), text: if keeps_newline { format!("{call}\n") } else { call } })
            }
            Some(fence) => {
                let rust = fence.language == "rust" || helper.name == "rustdoc_include";
                let from = match self.tree.target(&src_path, Path::new(&written)) {
                    Target::Inside(path) => Some(self.tree.root.join(path)),
                    Target::Outside(absolute) => Some(absolute),
                    Target::Missing => None,
                };
                let inlined = from.and_then(|from| inline_text(&from, part.as_ref(), rust));
                match inlined {
                    Some(lines) => {
                        self.report.note(&src_path, line, format!("the text of `{written}` was copied into this code block, since picket's include cannot be one part of a code block; edit it here, or split the block"));
                        Some(Edit { range: helper.range.clone(), text: indent_like(text, helper.range.start, &lines) })
                    }
                    None => {
                        self.report.note(
                            &src_path,
                            line,
                            format!(
                                "`{written}` could not be read to copy it into this code block; copy it in by hand"
                            ),
                        );
                        None
                    }
                }
            }
            None if scan.in_code(helper.range.start) => {
                self.report.note(&src_path, line, "mdBook expanded this helper inside code; picket expands nothing in code, so it shows as written: move it out of the code");
                None
            }
            None => {
                let as_markdown = helper.name == "include";
                let include = self.include_target(dest, &written, part, &src_path, line, as_markdown);
                let language = (!as_markdown).then_some("rust");
                self.report.count("`{{#include}}` and its kin made the `include` shortcode", 1);
                Some(Edit { range: helper.range.clone(), text: shortcode(&include, language, &helper.name) })
            }
        }
    }

    /// Where the file an include names will be in DEST, copying it there when it is outside `src/`.
    fn include_target(
        &mut self,
        dest: &Path,
        written: &str,
        part: Option<(&'static str, String)>,
        src_path: &Path,
        line: Option<usize>,
        as_markdown: bool,
    ) -> Include {
        let dest_dir = dest.parent().unwrap_or(Path::new(""));
        let unresolved = Include { path: written.to_string(), part: part.clone() };
        match self.tree.target(src_path, Path::new(written)) {
            Target::Inside(path) => {
                match path.strip_prefix(&self.book.src_dir).ok().and_then(|p| self.layout.dest.get(p)) {
                    Some(target) => {
                        let inside = path.strip_prefix(&self.book.src_dir).unwrap_or(&path).to_path_buf();
                        let is_markdown = inside.extension().is_some_and(|e| e == "md");
                        if as_markdown && is_markdown {
                            self.markdown_includes.insert(inside.clone());
                        }
                        if self.layout.chapters.contains(&inside) && is_markdown {
                            self.report.note(src_path, line, format!("this includes the chapter `{written}`, which now starts with front matter; include a file that is no chapter instead"));
                        }
                        Include { path: relative_link(dest_dir, target), part }
                    }
                    None => {
                        let copy = self.copy_in(Path::new("_included").join(&path), &self.tree.root.join(&path));
                        self.report.note(src_path, line, format!("`{written}` is outside the book's {} folder; a copy is at {}, which no longer follows the original", self.book.src_dir.display(), url_path(&copy)));
                        let inside_content = copy.strip_prefix("content").unwrap_or(&copy).to_path_buf();
                        Include { path: relative_link(dest_dir, &inside_content), part }
                    }
                }
            }
            Target::Outside(absolute) => {
                let lexical = Path::new(written)
                    .components()
                    .filter(|c| matches!(c, std::path::Component::Normal(_)))
                    .collect::<PathBuf>();
                let copy = self.copy_in(Path::new("_outside").join(&lexical), &absolute);
                self.report.note(src_path, line, format!("`{written}` is outside the folder being imported; the import copied this one file to {}, which no longer follows the original, so check it belongs in the site", url_path(&copy)));
                let inside_content = copy.strip_prefix("content").unwrap_or(&copy).to_path_buf();
                Include { path: relative_link(dest_dir, &inside_content), part }
            }
            Target::Missing => {
                self.report.note(src_path, line, format!("the included `{written}` does not exist or is not a regular file; the include was kept, so add the file or remove the include"));
                unresolved
            }
        }
    }

    /// Plans a copy of `from` at `content/<wanted>` (or a free name beside it); returns the path
    /// below DEST.
    fn copy_in(&mut self, wanted: PathBuf, from: &Path) -> PathBuf {
        if let Some((existing, _)) = self.copies.iter().find(|(_, source)| source.as_path() == from) {
            return existing.clone();
        }
        let taken: BTreeSet<PathBuf> = self.copies.keys().cloned().collect();
        let path = free_path(&taken, &Path::new("content").join(wanted));
        self.copies.insert(path.clone(), from.to_path_buf());
        path
    }

    /// `.html` links to chapters become links to their `.md` files; links to files that moved
    /// (README.md -> _index.md) follow them.
    fn links(&mut self, scan: &Scan, inside: &Path, dest: &Path, text: &str) -> Vec<Edit> {
        let src_path = self.src_path(inside);
        let dir = inside.parent().unwrap_or(Path::new(""));
        let dest_dir = dest.parent().unwrap_or(Path::new(""));
        let mut edits = Vec::new();
        for destination in &scan.destinations {
            let url = &destination.url;
            if url.contains("://") || url.starts_with('#') || url.starts_with("mailto:") || url.is_empty() {
                continue;
            }
            let (file, fragment) = url.split_once('#').map_or((url.as_str(), None), |(f, a)| (f, Some(a)));
            let file_decoded = file.replace("%20", " ");
            let resolved = match file_decoded.strip_prefix('/') {
                Some(rooted) => normalize(Path::new(rooted)),
                None => normalize(&dir.join(&file_decoded)),
            };
            let Some(resolved) = resolved else { continue };
            let is_html = resolved.extension().is_some_and(|e| e == "html");
            let chapter = if is_html { self.chapter_of_html(&resolved) } else { Some(resolved.clone()) };
            let Some(chapter) = chapter else {
                if is_html && !self.tree.exists(&self.book.src_dir.join(&resolved)) {
                    self.report.note(
                        &src_path,
                        Some(body::line_of(text, destination.range.start)),
                        format!("`{url}` is no chapter of the book; fix the link"),
                    );
                }
                continue;
            };
            let Some(target) = self.layout.dest.get(&chapter) else {
                if chapter.extension().is_some_and(|e| e == "md") {
                    self.report.note(
                        &src_path,
                        Some(body::line_of(text, destination.range.start)),
                        format!("`{url}` is no file of the book; fix the link"),
                    );
                }
                continue;
            };
            if chapter.extension().is_some_and(|e| e == "md") && !self.layout.chapters.contains(&chapter) {
                self.report.note(&src_path, Some(body::line_of(text, destination.range.start)), format!("`{url}` is not in SUMMARY.md, so mdBook did not publish it and picket keeps it unpublished; link to a chapter"));
            }
            if !is_html && target == &chapter {
                continue;
            }
            let mut link = relative_link(dest_dir, target);
            if let Some(fragment) = fragment {
                link = format!("{link}#{fragment}");
            }
            let what = if is_html {
                "`.html` links made links to the chapter's `.md` file"
            } else {
                "links to a README.md made links to its `_index.md`"
            };
            self.report.count(what, 1);
            edits.push(Edit { range: destination.range.clone(), text: link });
        }
        for (offset, url) in &scan.unlocated {
            if url.ends_with(".html") || url.contains(".html#") {
                self.report.note(&src_path, Some(body::line_of(text, *offset)), format!("the link to `{url}` is written with escapes the import cannot rewrite; link to the chapter's `.md` file"));
            }
        }
        edits
    }

    /// Relative `src` and `href` in raw HTML: picket serves `chapter.md` at `chapter/`, one
    /// folder deeper than mdBook's `chapter.html`, so they gain a `../`; links to chapters lead
    /// to their new URL.
    fn html_urls(&mut self, scan: &Scan, inside: &Path, dest: &Path) -> Vec<Edit> {
        let dir = inside.parent().unwrap_or(Path::new(""));
        let deeper = !is_index(inside);
        let mut edits = Vec::new();
        for found in &scan.html_urls {
            let url = &found.url;
            let is_relative =
                !(url.is_empty() || url.starts_with(['/', '#']) || url.contains(':') || url.starts_with("{{"));
            if !is_relative {
                continue;
            }
            let (file, fragment) = url.split_once('#').map_or((url.as_str(), None), |(f, a)| (f, Some(a)));
            let chapter = normalize(&dir.join(file))
                .filter(|p| p.extension().is_some_and(|e| e == "html"))
                .and_then(|p| self.chapter_of_html(&p));
            let new = match chapter.and_then(|c| self.layout.dest.get(&c)) {
                Some(target) => {
                    let own = route_of(dest);
                    let depth = own.matches('/').count();
                    let link = format!("{}{}", "../".repeat(depth), route_of(target));
                    match fragment {
                        Some(fragment) => format!("{link}#{fragment}"),
                        None => link,
                    }
                }
                None if deeper => format!("../{url}"),
                None => continue,
            };
            self.report.count("relative URLs in raw HTML given the page's new depth", 1);
            edits.push(Edit { range: found.range.clone(), text: new });
        }
        edits
    }

    /// The chapter an mdBook URL (`cli/init.html`, `cli/index.html`) was made from.
    fn chapter_of_html(&self, html: &Path) -> Option<PathBuf> {
        if html.file_name().is_some_and(|n| n == "index.html") {
            ["README.md", "index.md"]
                .iter()
                .map(|name| html.with_file_name(name))
                .find(|p| self.layout.chapters.contains(p))
        } else {
            Some(html.with_extension("md")).filter(|p| self.layout.chapters.contains(p))
        }
    }

    /// Code blocks with lines mdBook hides until the reader asks, which picket leaves out
    /// (`code.hidden_lines` in site.yaml).
    fn count_hidden_lines(&mut self, text: &str, scan: &Scan) {
        for fence in &scan.fences {
            let content = &text[fence.content.clone()];
            let hidden = match self.book.hidelines.get(&fence.language) {
                Some(prefix) if fence.language == "rust" && prefix == "#" => content.lines().any(is_rustdoc_hidden),
                Some(prefix) => content.lines().any(|l| l.trim_start().starts_with(prefix.as_str())),
                None => false,
            };
            let what = "code blocks with lines mdBook hid until the reader asked, which the page leaves out (`code.hidden_lines` in site.yaml)";
            self.report.count(what, usize::from(hidden));
        }
    }

    /// Notes every `{{ name }}` that the book's own preprocessors probably replaced: a name
    /// written in prose somewhere (where mdBook shows it as written, so only a preprocessor
    /// explains it), at each place it is written, in code too.
    fn note_placeholders(&mut self) {
        let in_prose: BTreeSet<&str> =
            self.placeholders.iter().filter(|p| !p.in_code).map(|p| p.text.as_str()).collect();
        let names = self.book.preprocessors.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let by = if self.book.preprocessors.len() == 1 {
            format!("the book's preprocessor {names}")
        } else {
            format!("one of the book's preprocessors ({names})")
        };
        for placeholder in &self.placeholders {
            if in_prose.contains(placeholder.text.as_str()) {
                self.report.note(&placeholder.path, Some(placeholder.line), format!("`{}` is shown as written: {by} probably replaced it, and picket runs no other programs; write the text it stood for", placeholder.text));
            }
        }
    }

    /// A home page for a book without README.md: mdBook showed the first chapter at `/`.
    fn home_page(&mut self, summary: &Summary) -> String {
        let mut front = FrontMatter::default();
        front.set("title", Value::String(self.book.title.clone()));
        let first = summary.chapters().into_iter().find_map(|(c, _)| {
            c.path.as_ref().and_then(|p| normalize(p)).and_then(|p| self.layout.dest.get(&p).cloned())
        });
        if let Some(first) = first {
            front.set("redirect_to", Value::String(format!("/{}", route_of(&first))));
        }
        self.report.home_written = true;
        self.report.note(&self.book.src_dir, None, "the book has no README.md, so mdBook showed its first chapter at `/`; the import wrote content/_index.md leading there");
        front.to_text()
    }

    /// The 404 page's text from `src/404.md`, as HTML for the theme's 404 template.
    fn not_found_html(&mut self) -> Option<String> {
        let path = self.book.src_dir.join(&self.book.not_found);
        if !self.tree.is_file(&path) {
            return None;
        }
        let text = self.tree.read_text(&path).ok()?;
        // The page is served at any depth, so links to chapters become the theme's `url()` of
        // their page; a marker stands for each until the text is made safe for Tera.
        const MARKER: &str = "PICKET-IMPORT-URL:";
        let dir = self.book.not_found.parent().unwrap_or(Path::new("")).to_path_buf();
        let events = pulldown_cmark::Parser::new_ext(&text, crate::markdown::options()).map(|event| match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { link_type, dest_url, title, id }) => {
                let (file, fragment) =
                    dest_url.split_once('#').map_or((dest_url.as_ref(), None), |(f, a)| (f, Some(a)));
                let page =
                    normalize(&dir.join(file)).and_then(|p| self.layout.dest.get(&p)).filter(|_| !file.contains(':'));
                let dest_url = match page {
                    Some(page) => {
                        let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
                        format!("{MARKER}/{}{fragment}", route_of(page)).into()
                    }
                    None => dest_url,
                };
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { link_type, dest_url, title, id })
            }
            other => other,
        });
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events);
        self.report.note(
            &path,
            None,
            "its text is now in themes/default/templates/404.html, which makes picket's 404 page; edit it there",
        );
        let html = html.replace('{', "&#123;").replace('}', "&#125;");
        let mut out = String::new();
        let mut rest = html.as_str();
        while let Some(at) = rest.find(MARKER) {
            out.push_str(&rest[..at]);
            let after = &rest[at + MARKER.len()..];
            let end = after.find('"').unwrap_or(after.len());
            let (path, fragment) = after[..end].split_once('#').map_or((&after[..end], None), |(p, f)| (p, Some(f)));
            out.push_str(&format!("{{{{ url(path=\"{path}\") }}}}"));
            if let Some(fragment) = fragment {
                out.push_str(&format!("#{fragment}"));
            }
            rest = &after[end..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Every `{{ name }}` in `text` (a bare name of letters, digits, `_`, `-` and `.`, not escaped):
/// what a preprocessor's marker looks like. Where each starts, and the marker as written.
fn placeholders(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for offset in body::braces(text) {
        let Some(inner) = text[offset..].strip_prefix("{{") else { continue };
        let Some(close) = inner.find("}}") else { continue };
        let name = inner[..close].trim();
        let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if is_name && !text[..offset].ends_with('\\') {
            found.push((offset, text[offset..offset + 2 + close + 2].to_string()));
        }
    }
    found
}

/// Whether `offset` is inside a `<code>` element written in raw HTML in its paragraph.
fn in_raw_code(text: &str, offset: usize) -> bool {
    let before = &text[text[..offset].rfind("\n\n").map_or(0, |i| i + 2)..offset];
    before.rfind("<code").is_some_and(|open| before.rfind("</code>").is_none_or(|close| close < open))
}

/// Every `{{#name args}}` and `\{{#...}}` in `text`, as mdBook finds them: `{{`, spaces, `#`, a
/// name, spaces, arguments up to `}}`. Escaped ones have the name `\`.
fn helpers(text: &str) -> Vec<Helper> {
    let mut found = Vec::new();
    for offset in body::braces(text) {
        if !text[offset..].starts_with("{{") {
            continue;
        }
        let rest = &text[offset + 2..];
        let after_space = rest.trim_start();
        let Some(named) = after_space.strip_prefix('#') else { continue };
        let name_len = named.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(named.len());
        let name = &named[..name_len];
        let after_name = &named[name_len..];
        if text[..offset].ends_with('\\') {
            continue;
        }
        if !after_name.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(close) = after_name.find('}') else { continue };
        let has_args = !after_name[..close].trim().is_empty();
        let known = matches!(name, "include" | "rustdoc_include" | "playground" | "title");
        if !after_name[close..].starts_with("}}") || !has_args || !known {
            continue;
        }
        let args_start = offset + 2 + (rest.len() - after_space.len()) + 1 + name_len;
        let end = args_start + close + 2;
        found.push(Helper {
            range: offset..end,
            name: name.to_string(),
            args: text[args_start..args_start + close].trim().to_string(),
        });
    }
    found
}

/// `path:2:10 editable` -> (`path`, `Some(("lines", "2-10"))`, `editable`), read as mdBook reads it.
fn parse_include_args(args: &str) -> (String, Option<(&'static str, String)>, String) {
    let mut words = args.splitn(2, char::is_whitespace);
    let first = words.next().unwrap_or_default();
    let attributes = words.next().unwrap_or_default().trim().to_string();
    let (path, spec) = first.split_once(':').map_or((first, None), |(p, s)| (p, Some(s)));
    let Some(spec) = spec else { return (path.to_string(), None, attributes) };
    let mut parts = spec.splitn(3, ':');
    let start = parts.next().unwrap_or_default();
    let end = parts.next();
    let start_number = start.parse::<usize>().ok();
    if start_number.is_none() && !start.is_empty() {
        return (path.to_string(), Some(("anchor", start.to_string())), attributes);
    }
    let end_number = end.and_then(|e| e.parse::<usize>().ok());
    let lines = match (start_number, end, end_number) {
        (Some(start), None, _) => Some(format!("{start}-{start}")),
        (Some(start), Some(_), Some(end)) => Some(format!("{start}-{end}")),
        (Some(start), Some(_), None) => Some(format!("{start}-")),
        (None, Some(_), Some(end)) => Some(format!("-{end}")),
        (None, _, _) => None,
    };
    (path.to_string(), lines.map(|l| ("lines", l)), attributes)
}

/// picket's `include` shortcode for an include, fenced as `language` when given.
fn shortcode(include: &Include, language: Option<&str>, helper: &str) -> String {
    let mut args = vec![format!("path=\"{}\"", include.path)];
    if let Some((key, value)) = &include.part {
        args.push(format!("{key}=\"{value}\""));
    }
    if let Some(language) = language {
        args.push(format!("code=\"{language}\""));
        if language == "rust" || helper == "rustdoc_include" {
            args.push("hide=\"rustdoc\"".to_string());
        }
    } else if helper == "rustdoc_include" {
        args.push("hide=\"rustdoc\"".to_string());
    }
    format!("{{{{ include({}) }}}}", args.join(", "))
}

/// The text an include stands for, for copying into a code block: the selected lines, without
/// anchor lines, and without rustdoc's hidden lines in Rust.
fn inline_text(from: &Path, part: Option<&(&'static str, String)>, rust: bool) -> Option<String> {
    let text = std::fs::read_to_string(from).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let selected: Vec<&str> = match part {
        None => lines,
        Some(("lines", range)) => {
            let (start, end) = range.split_once('-').unwrap_or((range, range));
            let start = start.parse::<usize>().unwrap_or(1).max(1);
            let end = end.parse::<usize>().unwrap_or(lines.len()).min(lines.len());
            lines.get(start - 1..end).unwrap_or_default().to_vec()
        }
        Some((_, anchor)) => {
            let begin = lines.iter().position(|l| anchor_line(l, "ANCHOR:", anchor))?;
            let end = lines[begin..]
                .iter()
                .position(|l| anchor_line(l, "ANCHOR_END:", anchor))
                .map_or(lines.len(), |i| begin + i);
            lines[begin + 1..end].to_vec()
        }
    };
    let kept: Vec<&str> = selected
        .into_iter()
        .filter(|l| !(l.contains("ANCHOR:") || l.contains("ANCHOR_END:")))
        .filter(|l| !(rust && is_rustdoc_hidden(l)))
        .collect();
    Some(kept.join("\n"))
}

/// Whether `line` holds `marker` followed by the anchor `name` (mdBook's `ANCHOR:\s*name\b`).
fn anchor_line(line: &str, marker: &str, name: &str) -> bool {
    line.match_indices(marker).any(|(at, _)| {
        let rest = line[at + marker.len()..].trim_start();
        rest.strip_prefix(name)
            .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-'))
    })
}

/// rustdoc hides a line that is `#` alone or starts with `# ` (after indentation).
fn is_rustdoc_hidden(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed == "#" || trimmed.starts_with("# ")
}

/// `lines` with every line after the first given the indentation of the line `offset` is on.
fn indent_like(text: &str, offset: usize, lines: &str) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let prefix: String = prefix.chars().take_while(|c| c.is_whitespace() || *c == '>').collect();
    lines.lines().collect::<Vec<_>>().join(&format!("\n{prefix}"))
}

/// The range of a helper's whole line when nothing else is on it, else the helper itself.
fn whole_line_or(text: &str, range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i + 1);
    let alone = text[line_start..range.start].trim().is_empty() && text[range.end..line_end].trim().is_empty();
    if alone { line_start..line_end } else { range.clone() }
}

/// Escapes for `{{` and `{%` outside the helpers: mdBook's `\{{#` escape loses its backslash in
/// code (picket expands nothing there) and stays in prose (it is picket's escape too); any
/// other `{{` or `{%` in prose gets a backslash, since picket would read it as a shortcode.
fn escapes(text: &str, scan: &Scan, taken: &[std::ops::Range<usize>]) -> (Vec<Edit>, usize) {
    let mut edits = Vec::new();
    let mut n_code = 0;
    for offset in body::braces(text) {
        if taken.iter().any(|r| r.contains(&offset)) {
            continue;
        }
        let escaped = text[..offset].ends_with('\\');
        let in_code = scan.in_code(offset);
        if escaped && in_code && text[offset + 2..].trim_start().starts_with('#') {
            edits.push(Edit { range: offset - 1..offset, text: String::new() });
            n_code += 1;
        } else if !escaped && !in_code {
            edits.push(Edit { range: offset..offset, text: "\\".to_string() });
        }
    }
    (edits, n_code)
}

/// book.toml -> site.yaml and the settings the conversion uses; every key is carried or noted.
fn book_settings(book: &TomlFile, report: &mut Report) -> Book {
    let path = book.path.clone();
    let mut site = serde_yaml::Mapping::new();
    let mut extra = serde_yaml::Mapping::new();
    let put = |site: &mut serde_yaml::Mapping, report: &mut Report, key: &str, value: Value, from: &str| {
        site.insert(Value::String(key.to_string()), value);
        report.site_key(key, from);
    };
    let table = &book.table;
    let section = |name: &str| table.get(name).and_then(|v| as_table(v.get_ref()));
    let book_section = section("book");
    let get = |key: &str| book_section.and_then(|t| t.get(key)).map(|v| v.get_ref());
    let title = get("title").and_then(as_str);
    if title.is_none() {
        report.note(
            &path,
            None,
            "the book has no `title`; picket needs one, so site.yaml says `title: My book`: change it",
        );
    }
    put(&mut site, report, "title", Value::String(title.unwrap_or("My book").to_string()), "book.title");
    if let Some(description) = get("description").and_then(as_str) {
        put(&mut site, report, "description", Value::String(description.to_string()), "book.description");
    }
    let mut src_dir = PathBuf::from("src");
    let mut language = "en".to_string();
    for entry in book_section.map(|t| book.entries(t)).unwrap_or_default() {
        let line = Some(entry.line);
        match entry.key {
            "title" | "description" | "multilingual" => {}
            "language" => language = as_str(entry.value).unwrap_or("en").to_string(),
            "src" => match as_str(entry.value).and_then(|s| normalize(Path::new(s))) {
                Some(dir) => src_dir = dir,
                None => report.note(&path, line, "`src` must be a folder inside the book; the import read src/"),
            },
            "authors" => {
                extra.insert(Value::String("authors".to_string()), to_yaml(entry.value).unwrap_or(Value::Null));
                report.note(
                    &path,
                    line,
                    "the authors were kept under `extra.authors` in site.yaml; the theme does not show them yet",
                );
            }
            key => report.note(
                &path,
                line,
                format!("`book.{key} = {}` is not carried over; picket has no such setting", shown(entry.value)),
            ),
        }
    }
    let html = table
        .get("output")
        .and_then(|v| as_table(v.get_ref()))
        .and_then(|o| o.get("html"))
        .and_then(|v| as_table(v.get_ref()));
    let html_get = |key: &str| html.and_then(|t| t.get(key)).map(|v| v.get_ref());
    let host = html_get("cname").and_then(as_str);
    let site_url = html_get("site-url").and_then(as_str).unwrap_or("/");
    let base_url = format!("https://{}/{}", host.unwrap_or("example.org"), site_url.trim_matches('/'));
    let base_url = if base_url.ends_with('/') { base_url } else { format!("{base_url}/") };
    if host.is_none() {
        let line = html.map(|t| book.line_of_key(t, "site-url"));
        report.note(&path, line, format!("mdBook's book.toml has no host name; site.yaml says `base_url: {base_url}`, with `site-url` as its path, so put the site's host there"));
    }
    put(
        &mut site,
        report,
        "base_url",
        Value::String(base_url),
        if html_get("site-url").is_some() { "output.html.site-url" } else { "a placeholder" },
    );
    put(&mut site, report, "language", Value::String(language), "book.language");
    put(&mut site, report, "theme", Value::String("default".to_string()), "the theme the import wrote");
    put(&mut site, report, "heading_ids", Value::String("mdbook".to_string()), "mdBook's heading ids");
    let mut settings = Book {
        title: title.unwrap_or("My book").to_string(),
        src_dir,
        redirects: Vec::new(),
        numbered: true,
        hidelines: BTreeMap::from([("rust".to_string(), "#".to_string())]),
        preprocessors: Vec::new(),
        site_yaml: String::new(),
        not_found: PathBuf::from("404.md"),
    };
    for entry in book.entries(table) {
        let line = Some(entry.line);
        match entry.key {
            "book" => {}
            "rust" => {
                report.note(&path, line, "`[rust]` is not carried over; picket does not compile or test code examples")
            }
            "build" => {
                for sub in as_table(entry.value).map(|t| book.entries(t)).unwrap_or_default() {
                    match sub.key {
                        "build-dir" => {
                            if let Some(dir) = as_str(sub.value) {
                                put(&mut site, report, "output_dir", Value::String(dir.to_string()), "build.build-dir");
                            }
                        }
                        "create-missing" => {}
                        key => report.note(
                            &path,
                            Some(sub.line),
                            format!(
                                "`build.{key}` is not carried over; picket watches site.yaml, content/ and themes/"
                            ),
                        ),
                    }
                }
            }
            "preprocessor" => {
                for sub in as_table(entry.value).map(|t| book.entries(t)).unwrap_or_default() {
                    match sub.key {
                        "links" | "index" => {}
                        name => {
                            settings.preprocessors.push(name.to_string());
                            let command = as_table(sub.value)
                                .and_then(|t| t.get("command"))
                                .and_then(|c| as_str(c.get_ref()))
                                .map(|c| format!(" (`{c}`)"))
                                .unwrap_or_default();
                            report.note(&path, Some(sub.line), format!("the preprocessor `{name}`{command} was not run: picket runs no other programs, so the pages it changed show their Markdown as written; check them, or do by hand what it did"));
                        }
                    }
                }
            }
            "output" => {
                for sub in as_table(entry.value).map(|t| book.entries(t)).unwrap_or_default() {
                    if sub.key == "html" {
                        if let Some(html) = as_table(sub.value) {
                            html_settings(book, html, &mut settings, &mut extra, report);
                        }
                    } else {
                        report.note(
                            &path,
                            Some(sub.line),
                            format!("the `{}` renderer is not carried over; picket writes HTML only", sub.key),
                        );
                    }
                }
            }
            key => report.note(&path, line, format!("`[{key}]` is not carried over; picket has no such setting")),
        }
    }
    // mdBook hides rustdoc's lines in Rust always, and the prefixes of `hidelines` in theirs.
    let hidden_lines: serde_yaml::Mapping = settings
        .hidelines
        .iter()
        .map(|(language, prefix)| (Value::String(language.clone()), Value::String(prefix.clone())))
        .collect();
    let code =
        serde_yaml::Mapping::from_iter([(Value::String("hidden_lines".to_string()), Value::Mapping(hidden_lines))]);
    let from = if settings.hidelines.len() > 1 {
        "mdBook's rule for Rust and output.html.code.hidelines"
    } else {
        "mdBook's rule for Rust"
    };
    put(&mut site, report, "code", Value::Mapping(code), from);
    if !extra.is_empty() {
        put(&mut site, report, "extra", Value::Mapping(extra), "book.toml");
    }
    settings.site_yaml =
        format!("# Written by `picket import mdbook` from book.toml.\n{}", crate::yaml::to_text(&Value::Mapping(site)));
    settings
}

/// `[output.html]`: what picket carries, and a note for the rest.
fn html_settings(
    book: &TomlFile,
    html: &toml::de::DeTable,
    settings: &mut Book,
    extra: &mut serde_yaml::Mapping,
    report: &mut Report,
) {
    let path = book.path.clone();
    let mut print = true;
    for entry in book.entries(html) {
        let line = Some(entry.line);
        let value = entry.value;
        match entry.key {
            "site-url" | "cname" => {}
            "smart-punctuation" | "curly-quotes" if value.as_bool() == Some(true) => {}
            "smart-punctuation" | "curly-quotes" => report.note(&path, line, "picket always uses smart punctuation; straight quotes become curly ones"),
            "no-section-label" => settings.numbered = value.as_bool() != Some(true),
            "input-404" => {
                if let Some(name) = as_str(value) {
                    settings.not_found = PathBuf::from(name);
                }
            }
            "git-repository-url" | "edit-url-template" => {
                extra.insert(Value::String(entry.key.replace('-', "_")), to_yaml(value).unwrap_or(Value::Null));
                report.note(&path, line, format!("`{}` was kept under `extra.{}` in site.yaml; the theme does not show it yet", entry.key, entry.key.replace('-', "_")));
            }
            "mathjax-support" => report.note(&path, line, "picket has no MathJax and loads no scripts from other sites; pages with maths show the TeX as written, so rewrite it as text or images"),
            "redirect" => {
                for redirect in as_table(value).map(|t| book.entries(t)).unwrap_or_default() {
                    let target = as_str(redirect.value).unwrap_or_default().to_string();
                    settings.redirects.push((redirect.key.trim_start_matches('/').to_string(), target, redirect.line));
                }
            }
            "code" => {
                for sub in as_table(value).map(|t| book.entries(t)).unwrap_or_default() {
                    if sub.key == "hidelines" {
                        for language in as_table(sub.value).map(|t| book.entries(t)).unwrap_or_default() {
                            let prefix = as_str(language.value).unwrap_or_default().to_string();
                            if prefix.is_empty() || prefix.chars().any(char::is_whitespace) {
                                report.note(&path, Some(language.line), format!("`{}` lines cannot be hidden by picket, which needs a prefix without spaces; they show as written", language.key));
                                continue;
                            }
                            settings.hidelines.insert(language.key.to_string(), prefix);
                        }
                    } else {
                        report.note(&path, Some(sub.line), format!("`output.html.code.{}` is not carried over; picket has no such setting", sub.key));
                    }
                }
            }
            "print" => {
                let enabled = as_table(value).and_then(|t| t.get("enable")).and_then(|v| v.get_ref().as_bool());
                print = enabled != Some(false);
            }
            "playground" => report.note(&path, line, "`[output.html.playground]` is not carried over; picket's code blocks have no Run button"),
            "search" => report.note(&path, line, "`[output.html.search]` is not carried over; picket builds no search index, so the book has no search"),
            "fold" => report.note(&path, line, "`[output.html.fold]` is not carried over; the table of contents shows every chapter"),
            "hash-files" => report.note(&path, line, "`hash-files` is not carried over; picket keeps file names and writes unchanged files with their old times"),
            key => report.note(&path, line, format!("`output.html.{key} = {}` is not carried over; picket has no such setting", shown(value))),
        }
    }
    if print {
        report.note(&path, None, "mdBook also wrote the whole book on one page at /print.html; picket has none, so that URL no longer answers");
    }
}

/// The table of contents as a Tera partial: SUMMARY.md's outline with links to the pages,
/// the current one marked for screen readers.
fn toc_html(summary: &Summary, layout: &Layout, numbered: bool) -> String {
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('{', "&#123;")
            .replace('}', "&#125;")
    }
    fn items(entries: &[Entry], layout: &Layout, numbered: bool, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        let mut open = false;
        for entry in entries {
            match entry {
                Entry::Chapter(chapter) => {
                    if !open {
                        out.push_str(&format!("{pad}<ol class=\"toc\">\n"));
                        open = true;
                    }
                    let number = match (numbered, chapter.number.is_empty()) {
                        (true, false) => format!(
                            "<span class=\"toc-number\">{}.</span> ",
                            chapter.number.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
                        ),
                        _ => String::new(),
                    };
                    let dest = chapter.path.as_ref().and_then(|p| normalize(p)).and_then(|p| layout.dest.get(&p));
                    let title = escape(&chapter.title);
                    match dest {
                        Some(dest) => {
                            let route = route_of(dest);
                            let url = format!("url(path=\"/{route}\")");
                            out.push_str(&format!("{pad}<li><a href=\"{{{{ {url} }}}}\"{{% if page.url == {url} %}} aria-current=\"page\"{{% endif %}}>{number}{title}</a>"));
                        }
                        None => out.push_str(&format!("{pad}<li><span class=\"toc-draft\">{number}{title}</span>")),
                    }
                    if chapter.children.is_empty() {
                        out.push_str("</li>\n");
                    } else {
                        out.push('\n');
                        items(&chapter.children, layout, numbered, depth + 1, out);
                        out.push_str(&format!("{pad}</li>\n"));
                    }
                }
                Entry::Part { title, .. } => {
                    if open {
                        out.push_str(&format!("{pad}</ol>\n"));
                        open = false;
                    }
                    out.push_str(&format!("{pad}<p class=\"toc-part\">{}</p>\n", escape(title)));
                }
                Entry::Separator => {
                    if open {
                        out.push_str(&format!("{pad}</ol>\n"));
                        open = false;
                    }
                    out.push_str(&format!("{pad}<hr>\n"));
                }
            }
        }
        if open {
            out.push_str(&format!("{pad}</ol>\n"));
        }
    }
    let mut out = String::from(
        "{# The book's table of contents, written by `picket import` from SUMMARY.md: edit it when chapters change. #}\n",
    );
    items(&summary.entries, layout, numbered, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_arguments_are_read_as_mdbook_reads_them() {
        let check = |args: &str| {
            let (path, part, attributes) = parse_include_args(args);
            format!("{path} {part:?} {attributes:?}")
        };
        assert_eq!(check("file.rs"), "file.rs None \"\"");
        assert_eq!(check("file.rs:2"), "file.rs Some((\"lines\", \"2-2\")) \"\"");
        assert_eq!(check("file.rs::10"), "file.rs Some((\"lines\", \"-10\")) \"\"");
        assert_eq!(check("file.rs:2:"), "file.rs Some((\"lines\", \"2-\")) \"\"");
        assert_eq!(check("file.rs:2:10"), "file.rs Some((\"lines\", \"2-10\")) \"\"");
        assert_eq!(check("file.rs:component"), "file.rs Some((\"anchor\", \"component\")) \"\"");
        assert_eq!(check("example.rs editable"), "example.rs None \"editable\"");
    }

    #[test]
    fn helpers_are_found_as_mdbook_finds_them_and_escapes_are_left() {
        let text = "{{#include a.md}} \\{{#include b.md}} {{ #title  T }} {{#toc}} {{#unknown x}} {{ #include }}";
        let found: Vec<String> = helpers(text).iter().map(|h| format!("{}:{}", h.name, h.args)).collect();
        assert_eq!(found, ["include:a.md", "title:T"]);
    }

    #[test]
    fn anchors_match_whole_names() {
        assert!(anchor_line("// ANCHOR: all", "ANCHOR:", "all"));
        assert!(!anchor_line("// ANCHOR: all_of_it", "ANCHOR:", "all"));
        assert!(anchor_line("/* ANCHOR_END:all */", "ANCHOR_END:", "all"));
    }
}
