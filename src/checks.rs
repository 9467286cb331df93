//! Checks on the final HTML, run by `picket check`: what a reader or a validator would notice and
//! what needs no browser.
//!
//! Pure: takes the built files and returns every problem, naming the page (its output path) and
//! the element. Checks the output rather than the Markdown, so links written in templates and
//! shortcodes are covered too.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};

use crate::config::Config;
use crate::error::{Error, Errors, Location};
use crate::output::{Contents, OutputFile};

/// The first round trip of a new connection carries about this much (10 TCP segments).
pub const FIRST_WINDOW_BYTES: usize = 14_600;
/// The most a page may weigh, compressed, HTML and inline CSS together.
pub const PAGE_BUDGET_BYTES: usize = 100 * 1024;

/// What one HTML page offers to links: its path and its ids.
struct Parsed {
    path: PathBuf,
    text: String,
    document: Html,
}

/// Runs every check over the HTML files of a built site.
pub fn run(config: &Config, files: &[OutputFile]) -> Result<(), Errors> {
    let paths: BTreeSet<String> = files.iter().map(|f| slash_path(&f.path)).collect();
    let pages: Vec<Parsed> = files
        .iter()
        .filter(|f| f.path.extension().is_some_and(|e| e == "html"))
        .filter_map(|f| {
            let bytes: &[u8] = match &f.contents {
                Contents::Bytes(bytes) => bytes,
                Contents::Shared(bytes) => bytes,
                Contents::Copy(_) => return None,
            };
            let text = String::from_utf8_lossy(bytes).into_owned();
            Some(Parsed { path: f.path.to_path_buf(), document: Html::parse_document(&text), text })
        })
        .collect();
    let ids: BTreeMap<String, BTreeSet<String>> =
        pages.iter().map(|p| (slash_path(&p.path), ids_of(&p.document))).collect();
    let output = config.relative(&config.output_dir).to_path_buf();
    let mut errors = Errors::default();
    for page in &pages {
        let mut problems = Vec::new();
        check_links(config, page, &paths, &ids, &mut problems);
        check_headings(page, &mut problems);
        check_tables(page, &mut problems);
        check_language(page, &mut problems);
        check_weight(page, &mut problems);
        let shown = output.join(&page.path);
        errors.extend(problems.into_iter().map(|(needle, message)| locate(&shown, page, &needle, message)));
    }
    errors.into_result(())
}

type Problem = (String, String);

/// Marks a root-relative URL that is not under the base path.
const OUTSIDE: &str = "\u{0}outside:";

fn slash_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("selectors in this module are valid")
}

fn ids_of(document: &Html) -> BTreeSet<String> {
    document.select(&selector("[id]")).filter_map(|e| e.value().attr("id").map(str::to_string)).collect()
}

/// An error at the first line of the page's source that contains `needle`.
fn locate(shown: &Path, page: &Parsed, needle: &str, message: String) -> Error {
    match page.text.find(needle).filter(|_| !needle.is_empty()) {
        Some(offset) => Error::at(shown, &page.text, Location::of_offset(&page.text, offset), message),
        None => Error::in_file(shown, message),
    }
}

/// Every internal `href` and `src` points at a file of the site, and its `#fragment` at an id.
fn check_links(
    config: &Config,
    page: &Parsed,
    paths: &BTreeSet<String>,
    ids: &BTreeMap<String, BTreeSet<String>>,
    problems: &mut Vec<Problem>,
) {
    let here = slash_path(&page.path);
    for element in
        page.document.select(&selector("a[href], link[href], img[src], script[src], source[src], iframe[src]"))
    {
        let attribute = if element.value().attr("href").is_some() { "href" } else { "src" };
        let Some(url) = element.value().attr(attribute) else { continue };
        let Some((target, fragment)) = internal_target(config, &here, url) else { continue };
        let tag = element.value().name();
        let needle = format!("{attribute}=\"{url}\"");
        if target.starts_with(OUTSIDE) {
            problems.push((needle, format!("`<{tag} {attribute}=\"{url}\">` points outside the site's base path `{}/`; start internal links with it, for example with the `url()` function in templates", config.base_path)));
            continue;
        }
        let file =
            if target.is_empty() || target.ends_with('/') { format!("{target}index.html") } else { target.clone() };
        let file = if paths.contains(&file) {
            file
        } else if paths.contains(&format!("{target}/index.html")) {
            format!("{target}/index.html")
        } else {
            problems.push((
                needle,
                format!(
                    "`<{tag} {attribute}=\"{url}\">` points at `{file}`, which the site does not have; fix the link"
                ),
            ));
            continue;
        };
        if let Some(fragment) = fragment.filter(|f| !f.is_empty() && *f != "top") {
            let found = ids.get(&file).is_some_and(|set| set.contains(fragment));
            if !found {
                problems.push((needle, format!("`<{tag} {attribute}=\"{url}\">` points at `#{fragment}`, which `{file}` has no element with; fix the anchor or add the id")));
            }
        }
    }
}

/// The output path (without a leading slash) and fragment an internal URL points at, or `None`
/// for an external one.
fn internal_target<'a>(config: &Config, here: &str, url: &'a str) -> Option<(String, Option<&'a str>)> {
    let (path, fragment) = match url.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let local = if let Some(rest) = path.strip_prefix(&config.base_url) {
        format!("{}{rest}", config.base_path)
    } else if path.contains(':') || path.starts_with("//") {
        return None;
    } else {
        path.to_string()
    };
    if local.is_empty() {
        return Some((here.to_string(), fragment));
    }
    let absolute = if let Some(inside) = local.strip_prefix('/') {
        let inside = format!("/{inside}");
        let base = format!("{}/", config.base_path);
        match inside.strip_prefix(&base) {
            Some(rest) => rest.to_string(),
            None if config.base_path.is_empty() => inside.trim_start_matches('/').to_string(),
            None => return Some((format!("{OUTSIDE}{inside}"), fragment)),
        }
    } else {
        let dir = here.rsplit_once('/').map_or("", |(d, _)| d);
        let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        for part in local.split('/') {
            match part {
                ".." => {
                    parts.pop();
                }
                "." => {}
                other => parts.push(other),
            }
        }
        let joined = parts.join("/");
        if local.ends_with('/') && !joined.is_empty() { format!("{joined}/") } else { joined }
    };
    Some((absolute, fragment))
}

/// One `h1`, and no heading more than one level below the one before it.
fn check_headings(page: &Parsed, problems: &mut Vec<Problem>) {
    let headings: Vec<(u8, ElementRef)> = page
        .document
        .select(&selector("h1, h2, h3, h4, h5, h6"))
        .map(|h| (h.value().name()[1..].parse::<u8>().unwrap_or(1), h))
        .collect();
    let n_h1 = headings.iter().filter(|(level, _)| *level == 1).count();
    if n_h1 != 1 {
        problems.push((
            "<h1".to_string(),
            format!("the page has {n_h1} `<h1>` headings; give it exactly one, the page title"),
        ));
    }
    let mut previous = 0;
    for (level, heading) in headings {
        if level > previous + 1 {
            let text: String = heading.text().collect();
            problems.push((
                format!("<h{level}"),
                format!(
                    "the heading `<h{level}>{}` skips a level after `<h{previous}>`; use `<h{}>`",
                    text.trim(),
                    previous + 1
                ),
            ));
        }
        previous = level;
    }
}

/// Tables have a caption and `scope` on every header cell; every chart has its table on the page.
fn check_tables(page: &Parsed, problems: &mut Vec<Problem>) {
    for (i, table) in page.document.select(&selector("table")).enumerate() {
        let name = table.value().attr("id").map_or(format!("table {}", i + 1), |id| format!("table `#{id}`"));
        let needle = table.value().attr("id").map_or("<table".to_string(), |id| format!("id=\"{id}\""));
        if table.select(&selector("caption")).next().is_none() {
            problems.push((needle.clone(), format!("{name} has no `<caption>`; say what the table shows in one")));
        }
        if table.select(&selector("th:not([scope])")).next().is_some() {
            problems.push((needle, format!("{name} has a `<th>` without `scope`; add scope=\"col\" or scope=\"row\"")));
        }
    }
    let table_ids = ids_of(&page.document);
    for chart in page.document.select(&selector("figure.chart")) {
        let id = chart.value().attr("id").unwrap_or("");
        let table = id.strip_prefix("chart-").map(|rest| format!("table-{rest}"));
        if !table.is_some_and(|t| table_ids.contains(&t)) {
            problems.push((format!("id=\"{id}\""), format!("the chart `#{id}` has no table of the same numbers on the page; charts always sit beside their table")));
        }
    }
}

fn check_language(page: &Parsed, problems: &mut Vec<Problem>) {
    let lang = page.document.root_element().value().attr("lang").unwrap_or("").trim().to_string();
    if lang.is_empty() {
        problems.push((
            "<html".to_string(),
            "the `<html>` element has no `lang`; set `language` in site.yaml and use it in the theme".to_string(),
        ));
    }
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to memory cannot fail");
    encoder.finish().map(|v| v.len()).unwrap_or(usize::MAX)
}

/// The head and its inline CSS arrive in the first round trip; the whole page stays small.
fn check_weight(page: &Parsed, problems: &mut Vec<Problem>) {
    let head_end = page.text.find("</head>").map_or(page.text.len(), |i| i + "</head>".len());
    let head = gzip_len(&page.text.as_bytes()[..head_end]);
    if head > FIRST_WINDOW_BYTES {
        problems.push((
            "</head>".to_string(),
            format!("the `<head>` and its CSS weigh {head} bytes compressed, more than the {FIRST_WINDOW_BYTES} of a first round trip; trim the CSS"),
        ));
    }
    let whole = gzip_len(page.text.as_bytes());
    if whole > PAGE_BUDGET_BYTES {
        problems.push((
            String::new(),
            format!("the page weighs {whole} bytes compressed, more than the budget of {PAGE_BUDGET_BYTES}; split it into several pages"),
        ));
    }
}
