//! Links: every URL a site serves, every id its pages have, and the one resolver that turns a link
//! as an editor wrote it into what it points at.
//!
//! `markdown` resolves the links of a page as it renders (Markdown links, raw HTML and the HTML of
//! theme shortcodes), `site::check_anchors` checks their `#fragments` once every page's final HTML
//! is known, and `checks` resolves every `href` and `src` of the built site with the same rules,
//! locating what fails in the template that wrote it. Pure: URLs, ids and text come in;
//! resolutions and messages go out.
//!
//! The rules, in order: a link with a scheme (`https:`, `mailto:`) or `//` leaves the site; the
//! query (`?raw=true`) is kept in the link but not looked up; the path is percent-decoded once;
//! `@/x.md` (Zola's form) and `/x.md` name a file from `content/`; a relative path names a file
//! beside the page (`../pay.md`, `pic.png`) or, when there is none, a URL relative to the page's
//! URL, as a browser reads it (`other/`, `./`); a path starting with `/` is a URL, with the base
//! path or without. A URL names a page or a file the site serves (`pay`, `pay/` and
//! `pay/index.html` are one page).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::config::Config;

mod html;
mod templates;

pub use html::{StartTag, decode_entities, ids_in_html, link_attribute, start_tags};
pub use templates::{SiteLinks, TemplateLink, ThemeIds, scan_template};

/// A path of the site as text; every name in the site is UTF-8 (`content::walk` refuses others).
fn path_text(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// What a URL of the site is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Served {
    /// A page made from a Markdown file (its path relative to the root); its ids are known.
    Page(PathBuf),
    /// Any other file: an asset, a theme file, a page picket makes (404, tags, feed).
    File,
}

/// Every URL the site serves. Paths are below the base path, without a leading slash: `""` is the
/// home page, `pay/` a page, `img/a.png` a file. Stages that add files to the output add them
/// here too (aliases, when they come, are files).
#[derive(Debug, Clone, Default, Hash)]
pub struct Urls {
    served: BTreeMap<String, Served>,
    /// Source files (relative to the root, as text: names in the site are UTF-8, and text
    /// compares and hashes far faster than a `Path`) -> their URL: pages and assets.
    sources: BTreeMap<String, String>,
}

impl Urls {
    /// A page made from `source` at `route` (`""` or ending in `/`).
    pub fn add_page(&mut self, source: &Path, route: &str) {
        self.served.insert(route.to_string(), Served::Page(source.to_path_buf()));
        self.sources.insert(path_text(source).to_string(), route.to_string());
    }

    /// A page that could not be read, taken to be at `route`: links to it are not reported while
    /// its own errors are (its ids are unknown, so links to its anchors are not checked).
    pub fn add_unread_page(&mut self, source: &Path, route: &str) {
        self.served.entry(route.to_string()).or_insert_with(|| Served::Page(source.to_path_buf()));
        self.sources.entry(path_text(source).to_string()).or_insert_with(|| route.to_string());
    }

    /// A file at `url` (its output path with `/`), copied from `source` when it has one in
    /// `content/`.
    pub fn add_file(&mut self, url: &str, source: Option<&Path>) {
        if !self.served.contains_key(url) {
            self.served.insert(url.to_string(), Served::File);
        }
        if let Some(source) = source {
            self.sources.insert(path_text(source).to_string(), url.to_string());
        }
    }

    /// The URL of a source file (relative to the root), if it is a page or an asset.
    pub fn of_source(&self, source: &Path) -> Option<&str> {
        self.sources.get(path_text(source)).map(String::as_str)
    }

    /// What `url` serves, and its canonical form: `pay`, `pay/` and `pay/index.html` are `pay/`.
    pub fn lookup(&self, url: &str) -> Option<(&str, &Served)> {
        let stripped = url.strip_suffix("index.html").filter(|rest| rest.is_empty() || rest.ends_with('/'));
        let with_slash = format!("{url}/");
        let candidates = [Some(url), stripped, (!url.ends_with('/') && !url.is_empty()).then_some(with_slash.as_str())];
        candidates.into_iter().flatten().find_map(|c| self.served.get_key_value(c)).map(|(k, v)| (k.as_str(), v))
    }

    fn source_paths(&self) -> impl Iterator<Item = &Path> {
        self.sources.keys().map(Path::new)
    }

    fn urls(&self) -> impl Iterator<Item = &str> {
        self.served.keys().map(String::as_str)
    }
}

/// The page a link is written on.
pub struct From<'a> {
    /// The page's file, relative to the root (`content/pay/rules.md`).
    pub source: &'a Path,
    /// The folder its relative file links start from, relative to the root.
    pub dir: &'a Path,
    /// Its URL path, as in `Urls`.
    pub route: &'a str,
}

/// Where an internal link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What to write in the HTML.
    pub href: String,
    /// The canonical URL path it points at (a key of `Urls`).
    pub url: String,
    /// The fragment, as written (still percent-encoded), without `#`; `None` without one.
    pub fragment: Option<String>,
}

/// What a link resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// It leaves the site (a scheme, `//`), or is a bare `#`.
    External,
    Internal(Target),
    /// An absolute path that is not under the base path, e.g. `/other/` on a site at `/strike/`.
    Outside,
    /// Nothing on the site has this path: the message says what was looked for and what is near.
    Missing(String),
}

/// The parts of a link: path (percent-decoded), query (with `?`) and fragment (without `#`).
struct Parts<'a> {
    path: String,
    query: &'a str,
    fragment: Option<&'a str>,
}

fn split(dest: &str) -> Parts<'_> {
    let (rest, fragment) = match dest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (dest, None),
    };
    let (path, query) = match rest.find('?') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    Parts { path: decode(path), query, fragment }
}

/// `text` with `%XX` escapes decoded once; text whose escapes do not make UTF-8 is kept as written.
pub fn decode(text: &str) -> String {
    match percent_encoding::percent_decode_str(text).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => text.to_string(),
    }
}

/// Whether `dest` leaves the site: it has a scheme (`https:`, `mailto:`, `tel:`) or starts with `//`.
fn has_scheme(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let Some(colon) = dest.find(':') else { return false };
    let scheme = &dest[..colon];
    scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The scheme of `dest` if it is one that runs script or hides content in the reader's browser
/// (`javascript:`, `vbscript:`, `data:`), read as a browser reads it: leading spaces and control
/// characters, tabs and line breaks are ignored, case does not count.
pub fn script_scheme(dest: &str) -> Option<&'static str> {
    let cleaned: String = dest
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"].into_iter().find(|scheme| cleaned.starts_with(scheme))
}

/// Removes `.` and `..` from a path without touching the disk; `..` above the start is dropped.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::Normal(part) => out.push(part),
        }
    }
    out
}

/// Joins the relative URL `relative` to the folder of the URL path `from`, as a browser does.
fn join_url(from: &str, relative: &str) -> String {
    let dir = from.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    // Whether the result names a folder: `a/`, `.`, `..` do; `a` and `a.png` do not.
    let mut folder = true;
    for part in relative.split('/') {
        match part {
            "" | "." => folder = true,
            ".." => {
                parts.pop();
                folder = true;
            }
            other => {
                parts.push(other);
                folder = false;
            }
        }
    }
    let joined = parts.join("/");
    if folder && !joined.is_empty() { format!("{joined}/") } else { joined }
}

/// The URL path of `absolute` (starting with `/`) below the base path, or `None` outside it.
fn below_base<'a>(config: &Config, absolute: &'a str) -> Option<&'a str> {
    if config.base_path.is_empty() {
        return Some(&absolute[1..]);
    }
    let rest = absolute.strip_prefix(&config.base_path)?;
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix('/')
}

/// A link written in Markdown (or raw HTML in Markdown) on the page `from`; `written` is how
/// messages show it (the destination with any shortcode in it as the editor wrote it).
pub fn resolve_markdown(config: &Config, urls: &Urls, from: &From, dest: &str, written: &str) -> Resolved {
    if let Some(local) =
        dest.strip_prefix(config.base_url.as_str()).filter(|rest| rest.is_empty() || rest.starts_with(['/', '#', '?']))
    {
        // A full URL of this very site is checked like the path it names.
        let local = if local.is_empty() || !local.starts_with('/') { format!("/{local}") } else { local.to_string() };
        return match resolve_markdown(config, urls, from, &format!("{}{local}", config.base_path), written) {
            Resolved::Internal(target) => Resolved::Internal(Target { href: dest.to_string(), ..target }),
            other => other,
        };
    }
    if has_scheme(dest) || dest == "#" {
        return Resolved::External;
    }
    let parts = split(dest);
    let suffix = format!("{}{}", parts.query, parts.fragment.map(|f| format!("#{f}")).unwrap_or_default());
    let fragment = parts.fragment.map(str::to_string);
    let file_target = |source: &Path| {
        urls.of_source(source).map(|url| Target {
            href: format!("{}/{}{suffix}", config.base_path, encode_path(url)),
            url: url.to_string(),
            fragment: fragment.clone(),
        })
    };
    if parts.path.is_empty() {
        return Resolved::Internal(Target { href: dest.to_string(), url: from.route.to_string(), fragment });
    }
    if let Some(inside) = parts.path.strip_prefix("@/") {
        let source = normalize(&Path::new("content").join(inside));
        return match file_target(&source) {
            Some(target) => Resolved::Internal(target),
            None => Resolved::Missing(missing_file(urls, written, &source, Path::new("content"))),
        };
    }
    if parts.path.starts_with('/') {
        let link = Written { dest, written, suffix: &suffix };
        let Some(url) = below_base(config, &parts.path) else {
            // Written without the base path: `/pay/` on a site at `/strike/` means `/strike/pay/`.
            return resolve_absolute(config, urls, &link, &parts.path[1..], fragment, true);
        };
        return resolve_absolute(config, urls, &link, url, fragment, false);
    }
    let source = normalize(&from.dir.join(&parts.path));
    if let Some(target) = file_target(&source) {
        return Resolved::Internal(target);
    }
    let url = join_url(from.route, &parts.path);
    match urls.lookup(&url) {
        Some((url, _)) => Resolved::Internal(Target { href: dest.to_string(), url: url.to_string(), fragment }),
        None if parts.path.ends_with(".md") || !looks_like_url(&parts.path) => {
            Resolved::Missing(missing_file(urls, written, &source, from.dir))
        }
        None => {
            // Written relative to the file's folder rather than the page's URL, one level down?
            let parent = from.route.trim_end_matches('/').rsplit_once('/').map_or("", |(dir, _)| dir);
            let from_folder = join_url(&format!("{parent}/"), &parts.path);
            match urls.lookup(from_folder.trim_start_matches('/')) {
                Some(_) if !from.route.is_empty() => {
                    Resolved::Missing(format!("{}; did you mean `../{}`?", missing_url_only(written, &url), parts.path))
                }
                _ => Resolved::Missing(missing_url(urls, written, &url)),
            }
        }
    }
}

/// A destination as resolved and as shown, and the query and fragment it keeps.
struct Written<'a> {
    dest: &'a str,
    written: &'a str,
    suffix: &'a str,
}

/// Whether a relative path reads as a URL (`other/`, `./`) rather than a file (`pay.md`, `a.png`).
fn looks_like_url(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    last.is_empty() || last == "." || last == ".." || !last.contains('.')
}

/// A path starting with `/`: `url` is it below the base path; `add_base` when it was written
/// without the base path.
fn resolve_absolute(
    config: &Config,
    urls: &Urls,
    link: &Written,
    url: &str,
    fragment: Option<String>,
    add_base: bool,
) -> Resolved {
    if url.ends_with(".md") {
        let source = normalize(&Path::new("content").join(url));
        return match urls.of_source(&source) {
            Some(page) => Resolved::Internal(Target {
                href: format!("{}/{}{}", config.base_path, encode_path(page), link.suffix),
                url: page.to_string(),
                fragment,
            }),
            None => Resolved::Missing(missing_file(urls, link.written, &source, Path::new("content"))),
        };
    }
    match urls.lookup(url) {
        Some((canonical, _)) => {
            let href = if add_base { format!("{}{}", config.base_path, link.dest) } else { link.dest.to_string() };
            Resolved::Internal(Target { href, url: canonical.to_string(), fragment })
        }
        None => Resolved::Missing(missing_url(urls, link.written, url)),
    }
}

/// An `href` or `src` of a built page, whose URL path is `from` (`pay/` or `404.html`).
pub fn resolve_html(config: &Config, urls: &Urls, from: &str, href: &str) -> Resolved {
    let local = match href.strip_prefix(config.base_url.as_str()) {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', '#', '?']) => {
            if rest.starts_with('/') {
                format!("{}{rest}", config.base_path)
            } else {
                format!("{}/{rest}", config.base_path)
            }
        }
        _ if has_scheme(href) || href == "#" => return Resolved::External,
        _ => href.to_string(),
    };
    let parts = split(&local);
    let fragment = parts.fragment.map(str::to_string);
    let url = if parts.path.is_empty() {
        from.to_string()
    } else if parts.path.starts_with('/') {
        match below_base(config, &parts.path) {
            Some(url) => url.to_string(),
            None => return Resolved::Outside,
        }
    } else {
        join_url(from, &parts.path)
    };
    match urls.lookup(&url) {
        Some((canonical, _)) => {
            Resolved::Internal(Target { href: href.to_string(), url: canonical.to_string(), fragment })
        }
        None => Resolved::Missing(missing_url(urls, href, &url)),
    }
}

/// Percent-encodes what a URL path cannot hold as it is (spaces, `#`, `?`, `%`).
fn encode_path(url: &str) -> String {
    const UNSAFE: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`');
    percent_encoding::utf8_percent_encode(url, UNSAFE).to_string()
}

/// The message for a link to a file that is not there, with the nearest file the page could mean.
fn missing_file(urls: &Urls, dest: &str, source: &Path, dir: &Path) -> String {
    let mut message = format!(
        "the link `{dest}` points at `{}`, which is not a page or file in `content/` (or is a draft)",
        source.display()
    );
    let hint = match html_page(urls, source) {
        Some(page) => Some(relative_to(&page, dir)),
        None => {
            let candidates: Vec<String> = urls.source_paths().map(|p| relative_to(p, dir)).collect();
            nearest(&relative_to(source, dir), candidates.iter().map(String::as_str), 1).first().map(|s| s.to_string())
        }
    };
    match hint {
        Some(hint) => message.push_str(&format!("; did you mean `{hint}`?")),
        None => message.push_str("; fix the path"),
    }
    message
}

/// The page a link to `x.html` (or `folder/index.html`) meant, as a tool that makes `.html`
/// files from `.md` ones (mdBook) would have served it.
fn html_page(urls: &Urls, source: &Path) -> Option<PathBuf> {
    if !source.extension().is_some_and(|e| e == "html" || e == "htm") {
        return None;
    }
    let mut candidates = vec![source.with_extension("md")];
    if source.file_stem().is_some_and(|stem| stem == "index") {
        let dir = source.parent().unwrap_or(Path::new(""));
        candidates.extend(["README.md", "_index.md"].iter().map(|name| dir.join(name)));
    }
    candidates.into_iter().find(|candidate| urls.of_source(candidate).is_some())
}

fn missing_url_only(dest: &str, url: &str) -> String {
    format!("the link `{dest}` points at `/{url}`, which the site does not serve")
}

/// The message for a link to a URL the site does not serve, with the nearest one it does.
fn missing_url(urls: &Urls, dest: &str, url: &str) -> String {
    let mut message = missing_url_only(dest, url);
    match nearest(url, urls.urls(), 1).first() {
        Some(hint) => message.push_str(&format!("; did you mean `/{hint}`?")),
        None => message.push_str("; fix the link"),
    }
    message
}

/// `path` as a link written in a file of `dir` would name it (`../pay.md`).
fn relative_to(path: &Path, dir: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let dir: Vec<_> = dir.components().collect();
    let common = path.iter().zip(&dir).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); dir.len() - common];
    parts.extend(path[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// Up to `n` of `candidates` closest to `word`, closest first, among those close enough to be
/// a likely typo or a near miss.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .filter(|c| !c.is_empty() && *c != word)
        .map(|c| (strsim::normalized_damerau_levenshtein(word, c), c))
        .filter(|(score, _)| *score >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// Whether `fragment` (as written, without `#`) names something on a page with `ids`. The HTML
/// standard tries the fragment as written, then percent-decoded; `top` and an empty fragment
/// are the top of the page, and a text fragment (`:~:text=`) is not an id.
pub fn fragment_found(ids: &BTreeSet<String>, fragment: &str) -> bool {
    fragment.is_empty()
        || fragment.starts_with(":~:")
        || ids.contains(fragment)
        || ids.contains(&decode(fragment))
        || fragment.eq_ignore_ascii_case("top")
}

/// The message for a fragment that names nothing on `page` (how to name it: "this page",
/// `` `content/b.md` ``), whose ids are `ids`, with the nearest of them.
pub fn missing_fragment(written: &str, page: &str, fragment: &str, ids: &BTreeSet<String>) -> String {
    let decoded = decode(fragment);
    let near: Vec<String> =
        nearest(&decoded, ids.iter().map(String::as_str), 3).iter().map(|id| format!("`#{id}`")).collect();
    let mut message = format!("the link `{written}` points at `#{decoded}`, which {page} does not have");
    match near.split_last() {
        // Nothing is near: a page with few ids lists them all.
        None if !ids.is_empty() && ids.len() <= 5 => {
            let all: Vec<String> = ids.iter().map(|id| format!("`#{id}`")).collect();
            message.push_str(&format!("; its ids are {}", all.join(", ")));
        }
        None => message.push_str("; fix the anchor or add the id"),
        Some((last, [])) => message.push_str(&format!("; did you mean {last}?")),
        Some((last, rest)) => message.push_str(&format!("; did you mean {} or {last}?", rest.join(", "))),
    }
    message
}

#[cfg(test)]
mod tests;
