//! Checks on the final HTML, run by `picket check`: what a reader or a validator would notice and
//! what needs no browser.
//!
//! Takes the built files and returns every finding, located in the Markdown or template it comes
//! from: `check` builds with `Config::source_markers`, so pages carry comments (`markers`) naming
//! the Markdown offset of each heading, table and shortcode, the page's file and its template.
//! Each rule has a level from `checks:` in site.yaml (`Levels`): error, warn or off. Reads only the
//! Markdown and template files its findings point at, to show their lines. Links are resolved
//! by `links`, as the build resolves Markdown links, and a broken one is reported where it was
//! written: at the template attribute that wrote it (`links::SiteLinks::writer_of`), once however
//! many pages it is on. Broken links are always errors.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;

use crate::config::Config;
use crate::error::{Error, Errors};
use crate::links::{self, Resolved, Served, SiteLinks};
use crate::output::Contents;
use crate::site::Built;

/// The first round trip of a new connection carries about this much (10 TCP segments).
pub const FIRST_WINDOW_BYTES: usize = 14_600;
/// The most a page may weigh, compressed, HTML and inline CSS together.
pub const PAGE_BUDGET_BYTES: usize = 100 * 1024;

/// What `picket check` does with a rule's findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Printed, and `check` exits 1.
    #[default]
    Error,
    /// Printed; `check` still exits 0.
    Warn,
    /// Not checked.
    Off,
}

/// `checks:` in site.yaml: a level per rule, each `error` unless set. An unknown rule or level
/// is an error in site.yaml with a hint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    /// Exactly one `<h1>` per page.
    #[serde(default)]
    pub one_h1: Level,
    /// No heading more than one level below the one before it.
    #[serde(default)]
    pub heading_order: Level,
    /// Every table has a `<caption>`.
    #[serde(default)]
    pub table_caption: Level,
    /// Every `<th>` has `scope`.
    #[serde(default)]
    pub th_scope: Level,
    /// Every chart has its table on the same page.
    #[serde(default)]
    pub chart_beside_table: Level,
    /// `<html>` has a `lang`.
    #[serde(default)]
    pub lang: Level,
    /// The head fits the first round trip and the page the weight budget.
    #[serde(default)]
    pub weight_budget: Level,
}

/// The rules, for `Levels::of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    OneH1,
    HeadingOrder,
    TableCaption,
    ThScope,
    ChartBesideTable,
    Lang,
    WeightBudget,
}

impl Levels {
    fn of(&self, rule: Rule) -> Level {
        match rule {
            Rule::OneH1 => self.one_h1,
            Rule::HeadingOrder => self.heading_order,
            Rule::TableCaption => self.table_caption,
            Rule::ThScope => self.th_scope,
            Rule::ChartBesideTable => self.chart_beside_table,
            Rule::Lang => self.lang,
            Rule::WeightBudget => self.weight_budget,
        }
    }
}

/// What `check` found: errors fail it, warnings are printed.
#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Errors,
    pub warnings: Vec<Error>,
}

impl Findings {
    /// The warnings when there is no error.
    pub fn into_result(self) -> Result<Vec<Error>, Errors> {
        self.errors.into_result(self.warnings)
    }
}

/// The comments `check` builds carry, written by `markdown` and `render` and read here only.
pub(crate) mod markers {
    use std::path::Path;

    /// Where the next block comes from: a byte offset in the page's file.
    pub(crate) fn at(offset: usize) -> String {
        format!("<!--picket@{offset}-->")
    }

    /// The start of a page's Markdown: its file and where its body starts. `-` and `%` are
    /// escaped so that no file name can end the comment.
    pub(crate) fn page(path: &Path, body_offset: usize) -> String {
        let path = path.to_string_lossy().replace('%', "%25").replace('-', "%2D");
        format!("<!--picket-page:{body_offset}:{path}-->")
    }

    /// The end of a page's Markdown.
    pub(crate) const END: &str = "<!--picket-end-->";

    /// The template a page was rendered with, before all else.
    pub(crate) fn template(name: &str) -> String {
        format!("<!--picket-template:{}-->", name.replace('%', "%25").replace('-', "%2D"))
    }

    pub(super) fn unescape(text: &str) -> String {
        text.replace("%2D", "-").replace("%25", "%")
    }
}

/// Where an element of a built page comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// A byte offset in a Markdown file (relative to the root).
    Markdown(PathBuf, usize),
    /// The page's template or one it extends or includes.
    Template,
}

/// One HTML page of the build, with where its parts come from.
struct PageInfo<'a> {
    path: PathBuf,
    text: Cow<'a, str>,
    /// The template it was rendered with, when the build carried markers.
    template: Option<String>,
    /// Its Markdown file and body offset, when it has one.
    source: Option<(PathBuf, usize)>,
}

/// A page with its parsed document, while the checks that need the document run.
struct Parsed<'a> {
    info: PageInfo<'a>,
    document: Html,
}

impl<'a> std::ops::Deref for Parsed<'a> {
    type Target = PageInfo<'a>;

    fn deref(&self) -> &PageInfo<'a> {
        &self.info
    }
}

/// A finding before it is located: which rule, what, and about which part of the page.
struct Finding {
    rule: Rule,
    message: String,
    at: At,
}

enum At {
    /// An element, with where it comes from.
    Origin(Origin, &'static str),
    /// A tag that only templates write (`html`, `head`): its first place in the template.
    TemplateTag(&'static str),
    /// The page as a whole: its Markdown file, else its template.
    Page,
}

/// Runs every check over the HTML files of a built site.
pub fn run(config: &Config, built: &Built) -> Findings {
    // Each page is parsed, checked and its document dropped in one parallel pass, so memory
    // holds one document per thread, not one per page.
    let checked: Vec<(PageInfo, Vec<Finding>)> = built
        .files
        .par_iter()
        .filter(|f| f.path.extension().is_some_and(|e| e == "html"))
        .filter_map(|f| {
            let bytes: &[u8] = match &f.contents {
                Contents::Bytes(bytes) => bytes,
                Contents::Shared(bytes) => bytes,
                Contents::Copy(_) => return None,
            };
            let page = parse_page(&f.path, String::from_utf8_lossy(bytes));
            let mut found = Vec::new();
            {
                let origin_of = origins_of(&page);
                check_headings(&page, &origin_of, &mut found);
                check_tables(&page, &origin_of, &mut found);
            }
            check_language(&page, &mut found);
            check_weight(&page, &mut found);
            Some((page.info, found))
        })
        .collect();
    let pages: Vec<&PageInfo> = checked.iter().map(|(page, _)| page).collect();
    let output = config.relative(&config.output_dir).to_path_buf();
    let mut sources = SourceTexts::new(config);
    let mut findings = Findings::default();
    findings.errors.extend(check_links(config, &built.links, &pages));
    let mut seen: HashMap<(Option<String>, String), usize> = HashMap::new();
    for (page, found) in checked {
        let shown = output.join(&page.path);
        for finding in found {
            let level = config.checks.of(finding.rule);
            if level == Level::Off {
                continue;
            }
            let error = sources.locate(&page, &shown, finding.at, finding.message);
            // A template's mistake shows on every page it renders: report it once.
            let key = (error.place(), error.message.clone());
            if let Some(count) = seen.get_mut(&key) {
                *count += 1;
                continue;
            }
            seen.insert(key, 1);
            match level {
                Level::Warn => findings.warnings.push(error),
                _ => findings.errors.push(error),
            }
        }
    }
    for error in findings.errors.0.iter_mut().chain(findings.warnings.iter_mut()) {
        let n = seen.get(&(error.place(), error.message.clone())).copied().unwrap_or(1);
        if n > 1 {
            error.message.push_str(&format!(" (on {n} pages)"));
        }
    }
    findings
}

fn parse_page<'a>(path: &Path, text: Cow<'a, str>) -> Parsed<'a> {
    let document = Html::parse_document(&text);
    let mut template = None;
    let mut source = None;
    for node in document.tree.root().descendants() {
        let Some(comment) = node.value().as_comment() else { continue };
        if let Some(name) = comment.strip_prefix("picket-template:") {
            template.get_or_insert_with(|| markers::unescape(name));
        } else if let Some((offset, file)) = comment.strip_prefix("picket-page:").and_then(|r| r.split_once(':')) {
            source.get_or_insert((PathBuf::from(markers::unescape(file)), offset.parse().unwrap_or(0)));
        }
    }
    Parsed { info: PageInfo { path: path.to_path_buf(), text, template, source }, document }
}

/// Where each element of `page` comes from: the Markdown marker before it, or the template.
fn origins_of(page: &Parsed) -> impl Fn(ElementRef) -> Origin {
    let mut origins = HashMap::new();
    let mut current = Origin::Template;
    let mut file: Option<PathBuf> = None;
    for node in page.document.tree.root().descendants() {
        if let Some(comment) = node.value().as_comment() {
            if let Some(rest) = comment.strip_prefix("picket-page:") {
                if let Some((offset, path)) = rest.split_once(':') {
                    let path = PathBuf::from(markers::unescape(path));
                    current = Origin::Markdown(path.clone(), offset.parse().unwrap_or(0));
                    file = Some(path);
                }
            } else if let Some(offset) = comment.strip_prefix("picket@") {
                if let (Some(path), Ok(offset)) = (&file, offset.parse()) {
                    current = Origin::Markdown(path.clone(), offset);
                }
            } else if comment.trim() == "picket-end" {
                current = Origin::Template;
            }
        } else if let Some(element) = ElementRef::wrap(node) {
            origins.insert(element.id(), current.clone());
        }
    }
    move |element: ElementRef| origins.get(&element.id()).cloned().unwrap_or(Origin::Template)
}

/// The Markdown and template texts findings point into, read once each.
struct SourceTexts<'a> {
    config: &'a Config,
    texts: HashMap<PathBuf, Option<String>>,
}

impl<'a> SourceTexts<'a> {
    fn new(config: &'a Config) -> SourceTexts<'a> {
        SourceTexts { config, texts: HashMap::new() }
    }

    /// The text of `relative` (to the site root), if it can be read.
    fn text(&mut self, relative: &Path) -> Option<&str> {
        let root = &self.config.root;
        self.texts
            .entry(relative.to_path_buf())
            .or_insert_with(|| crate::read_text(&root.join(relative)).ok())
            .as_deref()
    }

    fn templates_dir(&self) -> PathBuf {
        self.config.relative(&self.config.theme_dir).join(crate::render::TEMPLATES)
    }

    /// `page`'s template and every template it extends or includes, the page's own first.
    fn template_chain(&mut self, page: &PageInfo) -> Vec<PathBuf> {
        let dir = self.templates_dir();
        let mut chain: Vec<String> = page.template.iter().cloned().collect();
        let mut i = 0;
        while i < chain.len() && chain.len() < 32 {
            let names = self.text(&dir.join(&chain[i])).map(referenced_templates).unwrap_or_default();
            for name in names {
                if !chain.contains(&name) {
                    chain.push(name);
                }
            }
            i += 1;
        }
        chain.into_iter().map(|name| dir.join(name)).collect()
    }

    /// The error for a finding on `page` (shown as `shown`, its output path, when nothing better
    /// is known).
    fn locate(&mut self, page: &PageInfo, shown: &Path, at: At, message: String) -> Error {
        match at {
            At::Origin(Origin::Markdown(path, offset), _) => match self.text(&path) {
                Some(text) => Error::at_offset(&path, text, offset, message),
                None => Error::in_file(&path, message),
            },
            At::Origin(Origin::Template, tag) | At::TemplateTag(tag) => self.in_template(page, shown, tag, message),
            At::Page => match &page.source {
                Some((path, _)) => Error::in_file(path, message),
                None => self.in_template(page, shown, "body", message),
            },
        }
    }

    /// At the first `<tag` in the page's templates, else in the page's template, else the output.
    fn in_template(&mut self, page: &PageInfo, shown: &Path, tag: &str, message: String) -> Error {
        let chain = self.template_chain(page);
        for path in &chain {
            if let Some((text, offset)) = self.text(path).and_then(|text| Some((text, find_tag(text, tag)?))) {
                return Error::at_offset(path, text, offset, message);
            }
        }
        match chain.first() {
            Some(path) => Error::in_file(path, message),
            None => Error::in_file(shown, message),
        }
    }
}

/// The templates a Tera template names in `extends` and `include` tags.
fn referenced_templates(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for tag in text.split("{%").skip(1) {
        let tag = tag.split("%}").next().unwrap_or("").trim_start_matches('-').trim();
        let Some(rest) = tag.strip_prefix("extends").or_else(|| tag.strip_prefix("include")) else { continue };
        let rest = rest.trim();
        let quote = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => q,
            _ => continue,
        };
        if let Some(name) = rest[1..].split(quote).next() {
            names.push(name.to_string());
        }
    }
    names
}

/// The offset of the first `<tag` (or `</tag` for a name starting with `/`) in `text`, followed by
/// a space, `>` or `/`.
fn find_tag(text: &str, tag: &str) -> Option<usize> {
    let needle = format!("<{tag}");
    let mut from = 0;
    while let Some(found) = text[from..].find(&needle) {
        let at = from + found;
        let next = text[at + needle.len()..].chars().next();
        if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

fn slash_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("selectors in this module are valid")
}

fn ids_of(document: &Html) -> BTreeSet<String> {
    document.select(&selector("[id]")).filter_map(|e| e.value().attr("id").map(str::to_string)).collect()
}

/// The template and byte offset of the attribute that wrote a link, if one could have.
type Writer = Option<(PathBuf, usize)>;

/// Every internal `href` and `src` of every page points at a file of the site, and its
/// `#fragment` at an id of that page. Each broken link is one error at the template attribute
/// that wrote it, naming the pages it is on.
fn check_links(config: &Config, site: &SiteLinks, pages: &[&PageInfo]) -> Vec<Error> {
    let ids: BTreeMap<String, BTreeSet<String>> = pages
        .iter()
        .filter_map(|p| {
            let url = slash_path(&p.path);
            site.urls.lookup(&url).map(|(canonical, _)| (canonical.to_string(), links::ids_in_html(&p.text)))
        })
        .collect();
    let mut broken: BTreeMap<(Writer, String), Vec<String>> = BTreeMap::new();
    for page in pages {
        let from = slash_path(&page.path);
        for tag in links::start_tags(&page.text) {
            let Some((href, _)) = links::link_attribute(&tag).and_then(|a| tag.attribute(a)) else { continue };
            let message = match links::resolve_html(config, &site.urls, &from, href) {
                Resolved::External => continue,
                Resolved::Internal(target) => match (target.fragment, ids.get(&target.url)) {
                    (Some(fragment), Some(target_ids)) if !links::fragment_found(target_ids, &fragment) => {
                        let name = if target.url.is_empty() {
                            "the home page".to_string()
                        } else {
                            format!("`/{}`", target.url)
                        };
                        links::missing_fragment(href, &name, &fragment, target_ids)
                    }
                    _ => continue,
                },
                Resolved::Outside => format!(
                    "the link `{href}` points outside the site's base path `{}/`; start internal links with it, for example with the `url()` function in templates",
                    config.base_path
                ),
                Resolved::Missing(message) => message,
            };
            let writer = site.writer_of(href).map(|t| (t.path.clone(), t.offset));
            let url = site.urls.lookup(&from).map_or(from.as_str(), |(canonical, _)| canonical);
            broken.entry((writer, message)).or_default().push(url.to_string());
        }
    }
    broken
        .into_iter()
        .map(|((writer, message), on)| {
            let source = |url: &str| match site.of_url(url) {
                Some(Served::Page(source)) => Some(source.clone()),
                _ => None,
            };
            let shown: Vec<String> = on.iter().take(3).map(|url| format!("`/{url}`")).collect();
            let more = if on.len() > 3 { format!(" and {} more", on.len() - 3) } else { String::new() };
            let from = match (on.len(), source(&on[0])) {
                (1, Some(source)) => format!(", made from `{}`", source.display()),
                _ => String::new(),
            };
            let pages = format!("on {}{more}{from}", shown.join(", "));
            match writer.and_then(|(path, offset)| site.template_texts.get(&path).map(|text| (path, offset, text))) {
                Some((path, offset, text)) => Error::at_offset(&path, text, offset, format!("{message} ({pages})")),
                None => {
                    // No template attribute could have written it: name the page's own file.
                    let path = source(&on[0]).unwrap_or_else(|| site.templates_dir.clone());
                    Error::in_file(&path, format!("a template writes a link {pages}: {message}"))
                }
            }
        })
        .collect()
}

/// One `h1`, and no heading more than one level below the one before it.
fn check_headings(page: &Parsed, origin_of: &dyn Fn(ElementRef) -> Origin, found: &mut Vec<Finding>) {
    const TAGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];
    let headings: Vec<(u8, ElementRef)> = page
        .document
        .select(&selector("h1, h2, h3, h4, h5, h6"))
        .map(|h| (h.value().name()[1..].parse::<u8>().unwrap_or(1), h))
        .collect();
    let h1s: Vec<ElementRef> = headings.iter().filter(|(level, _)| *level == 1).map(|(_, h)| *h).collect();
    let n_h1 = h1s.len();
    if n_h1 != 1 {
        let (at, hint) = match h1s.get(1) {
            Some(second) if matches!(origin_of(*second), Origin::Markdown(..)) => {
                (At::Origin(origin_of(*second), "h1"), "; the template gives the page title, so write `##` here")
            }
            Some(second) => (At::Origin(origin_of(*second), "h1"), ""),
            None => (At::TemplateTag("body"), ""),
        };
        found.push(Finding {
            rule: Rule::OneH1,
            message: format!("the page has {n_h1} `<h1>` headings; give it exactly one, the page title{hint}"),
            at,
        });
    }
    let mut previous = 0;
    for (level, heading) in headings {
        if level > previous + 1 {
            let text: String = heading.text().collect();
            let origin = origin_of(heading);
            let fix = match origin {
                Origin::Markdown(..) => format!("write it with {} `#`", previous + 1),
                Origin::Template => format!("use `<h{}>`", previous + 1),
            };
            found.push(Finding {
                rule: Rule::HeadingOrder,
                message: format!("the heading `<h{level}>{}` skips a level after `<h{previous}>`; {fix}", text.trim()),
                at: At::Origin(origin, TAGS[usize::from(level) - 1]),
            });
        }
        previous = level;
    }
}

/// Tables have a caption and `scope` on every header cell; every chart has its table on the page.
fn check_tables(page: &Parsed, origin_of: &dyn Fn(ElementRef) -> Origin, found: &mut Vec<Finding>) {
    for (i, table) in page.document.select(&selector("table")).enumerate() {
        let name = table.value().attr("id").map_or(format!("table {}", i + 1), |id| format!("table `#{id}`"));
        let origin = origin_of(table);
        if table.select(&selector("caption")).next().is_none() {
            found.push(Finding {
                rule: Rule::TableCaption,
                message: format!("{name} has no `<caption>`; say what the table shows in one"),
                at: At::Origin(origin.clone(), "table"),
            });
        }
        if table.select(&selector("th:not([scope])")).next().is_some() {
            found.push(Finding {
                rule: Rule::ThScope,
                message: format!("{name} has a `<th>` without `scope`; add scope=\"col\" or scope=\"row\""),
                at: At::Origin(origin, "table"),
            });
        }
    }
    let table_ids = ids_of(&page.document);
    for chart in page.document.select(&selector("figure.chart")) {
        let id = chart.value().attr("id").unwrap_or("");
        let table = id.strip_prefix("chart-").map(|rest| format!("table-{rest}"));
        if !table.is_some_and(|t| table_ids.contains(&t)) {
            found.push(Finding {
                rule: Rule::ChartBesideTable,
                message: format!("the chart `#{id}` has no table of the same numbers on the page; charts always sit beside their table"),
                at: At::Origin(origin_of(chart), "figure"),
            });
        }
    }
}

fn check_language(page: &Parsed, found: &mut Vec<Finding>) {
    let lang = page.document.root_element().value().attr("lang").unwrap_or("").trim().to_string();
    if lang.is_empty() {
        found.push(Finding {
            rule: Rule::Lang,
            message: "the `<html>` element has no `lang`; set `language` in site.yaml and write `<html lang=\"{{ site.language }}\">` in the theme".to_string(),
            at: At::TemplateTag("html"),
        });
    }
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to memory cannot fail");
    encoder.finish().map(|v| v.len()).unwrap_or(usize::MAX)
}

/// The page without the markers `check` adds, as a build writes it.
fn without_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--picket") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The head and its inline CSS arrive in the first round trip; the whole page stays small.
fn check_weight(page: &Parsed, found: &mut Vec<Finding>) {
    let text = without_markers(&page.text);
    let head_end = text.find("</head>").map_or(text.len(), |i| i + "</head>".len());
    let head = gzip_len(&text.as_bytes()[..head_end]);
    if head > FIRST_WINDOW_BYTES {
        found.push(Finding {
            rule: Rule::WeightBudget,
            message: format!("the `<head>` and its CSS weigh {head} bytes compressed, more than the {FIRST_WINDOW_BYTES} of a first round trip; trim the CSS"),
            at: At::TemplateTag("head"),
        });
    }
    let whole = gzip_len(text.as_bytes());
    if whole > PAGE_BUDGET_BYTES {
        found.push(Finding {
            rule: Rule::WeightBudget,
            message: format!("the page weighs {whole} bytes compressed, more than the budget of {PAGE_BUDGET_BYTES}; split it into several pages"),
            at: At::Page,
        });
    }
}
