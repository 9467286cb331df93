//! The link attributes of the theme's Tera templates, as patterns of literal text and template
//! expressions, so that `picket check` can say which template line wrote a broken link of the
//! built site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Served, Urls, decode_entities};
use crate::config::Config;

/// What `picket check` needs to resolve the links of a built site and to say where each was
/// written: the URLs the build served, and the link attributes of every template.
#[derive(Debug, Clone, Default)]
pub struct SiteLinks {
    pub urls: Arc<Urls>,
    pub templates: Vec<TemplateLink>,
    /// The text of each template, by its path relative to the root, to show a link's line.
    pub template_texts: BTreeMap<PathBuf, String>,
    /// The templates folder, relative to the root, for links no template attribute matches.
    pub templates_dir: PathBuf,
}

impl SiteLinks {
    /// Reads the link attributes of `templates` (path relative to the root, text).
    pub fn new<'a>(
        config: &Config,
        urls: Arc<Urls>,
        templates_dir: &Path,
        templates: impl Iterator<Item = (PathBuf, &'a str)>,
    ) -> SiteLinks {
        let mut links = SiteLinks { urls, templates_dir: templates_dir.to_path_buf(), ..SiteLinks::default() };
        for (path, text) in templates {
            links.templates.extend(scan_template(config, &path, text));
            links.template_texts.insert(path, text.to_string());
        }
        links
    }

    /// The template attribute that most likely wrote `href`: of those whose pattern matches it,
    /// the one with the most literal text.
    pub fn writer_of(&self, href: &str) -> Option<&TemplateLink> {
        self.templates
            .iter()
            .filter(|t| t.matches(href))
            .max_by_key(|t| (t.specificity(), std::cmp::Reverse((&t.path, t.offset))))
    }

    pub fn of_url(&self, url: &str) -> Option<&Served> {
        self.urls.lookup(url).map(|(_, served)| served)
    }
}

/// A link attribute in a template, as a pattern of literal text and `{{ }}`/`{% %}` parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateLink {
    /// The template, relative to the site root.
    pub path: PathBuf,
    /// Byte offset of the attribute's value in the template.
    pub offset: usize,
    /// Literal pieces; between two pieces (and before the first or after the last, when
    /// `open_start`/`open_end`) a template expression writes any text.
    pub pieces: Vec<String>,
    pub open_start: bool,
    pub open_end: bool,
}

impl TemplateLink {
    /// Whether this attribute can have written `value`.
    pub fn matches(&self, value: &str) -> bool {
        let mut pieces: &[String] = &self.pieces;
        let mut rest = value;
        if pieces.is_empty() {
            return self.open_start || self.open_end || value.is_empty();
        }
        if !self.open_start {
            let Some(after) = rest.strip_prefix(pieces[0].as_str()) else { return false };
            rest = after;
            pieces = &pieces[1..];
            if pieces.is_empty() {
                return self.open_end || rest.is_empty();
            }
        }
        if !self.open_end {
            let Some((last, middle)) = pieces.split_last() else { return true };
            let Some(before) = rest.strip_suffix(last.as_str()) else { return false };
            rest = before;
            pieces = middle;
        }
        // Every piece left has a template expression on each side of it.
        for piece in pieces {
            let Some(at) = rest.find(piece.as_str()) else { return false };
            rest = &rest[at + piece.len()..];
        }
        true
    }

    /// How much of a value this attribute fixes: the length of its literal text.
    pub fn specificity(&self) -> usize {
        self.pieces.iter().map(String::len).sum()
    }
}

/// The link attributes (`href`, `src`) of a Tera template's text, outside comments. A
/// `{{ url(path="x") }}` call is read as the URL it makes.
pub fn scan_template(config: &Config, path: &Path, text: &str) -> Vec<TemplateLink> {
    scan_attributes(config, path, text, &["href=", "src="])
}

/// The ids the theme's templates give elements, as patterns (`page-sources`, `source-{{ s.id }}`).
/// Ids made wholly by an expression (`{{ h.id }}`) are left out: they come from the page, whose
/// ids are known without the templates.
#[derive(Debug, Clone, Default)]
pub struct ThemeIds(Vec<TemplateLink>);

impl ThemeIds {
    pub fn new<'a>(config: &Config, templates: impl Iterator<Item = (PathBuf, &'a str)>) -> ThemeIds {
        let mut ids = Vec::new();
        for (path, text) in templates {
            ids.extend(scan_attributes(config, &path, text, &["id="]).into_iter().filter(|id| id.specificity() > 0));
        }
        ThemeIds(ids)
    }

    /// Whether some template can give an element the id `id`.
    pub fn has(&self, id: &str) -> bool {
        self.0.iter().any(|pattern| pattern.matches(id))
    }
}

/// The attributes named in `names` (each with its `=`) of a template's text, outside comments.
fn scan_attributes(config: &Config, path: &Path, text: &str, names: &[&str]) -> Vec<TemplateLink> {
    let mut links = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    // Byte by byte: every marker looked for is ASCII, so a match is always on a char boundary.
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{#") {
            i = bytes[i..].windows(2).position(|w| w == b"#}").map_or(text.len(), |end| i + end + 2);
            continue;
        }
        let at_attribute = names.iter().find(|a| {
            bytes.len() - i >= a.len()
                && bytes[i..i + a.len()].eq_ignore_ascii_case(a.as_bytes())
                && i > 0
                && bytes[i - 1].is_ascii_whitespace()
        });
        let Some(attribute) = at_attribute else {
            i += 1;
            continue;
        };
        let value_start = i + attribute.len();
        let Some(&quote) = bytes.get(value_start).filter(|q| matches!(q, b'"' | b'\'')) else {
            i = value_start;
            continue;
        };
        let (link, end) = read_template_value(config, text, value_start + 1, quote);
        links.push(TemplateLink { path: path.to_path_buf(), offset: value_start + 1, ..link });
        i = end;
    }
    links
}

/// Reads an attribute value of a template from `start` to its closing `quote`, treating
/// `{{ … }}` and `{% … %}` as opaque (they may hold quotes of their own).
fn read_template_value(config: &Config, text: &str, start: usize, quote: u8) -> (TemplateLink, usize) {
    // `None` stands for text a template expression writes.
    let mut tokens: Vec<Option<String>> = Vec::new();
    let mut i = start;
    while i < text.len() && text.as_bytes()[i] != quote {
        let rest = &text[i..];
        let closer = if rest.starts_with("{{") {
            Some("}}")
        } else if rest.starts_with("{%") {
            Some("%}")
        } else {
            None
        };
        let Some(closer) = closer else {
            let c = rest.chars().next().unwrap_or(' ');
            match tokens.last_mut() {
                Some(Some(literal)) => literal.push(c),
                _ => tokens.push(Some(c.to_string())),
            }
            i += c.len_utf8();
            continue;
        };
        let end = rest[2..].find(closer).map_or(text.len(), |e| i + 2 + e + 2);
        let inner = &text[(i + 2).min(end)..end.saturating_sub(2).max(i + 2)];
        match url_call(config, inner.trim_matches(|c: char| c == '-' || c.is_whitespace())) {
            Some(url) => match tokens.last_mut() {
                Some(Some(literal)) => literal.push_str(&url),
                _ => tokens.push(Some(url)),
            },
            None if tokens.last() == Some(&None) => {}
            None => tokens.push(None),
        }
        i = end;
    }
    let link = TemplateLink {
        path: PathBuf::new(),
        offset: start,
        open_start: tokens.first() == Some(&None),
        open_end: tokens.last() == Some(&None),
        pieces: tokens.into_iter().flatten().map(|literal| decode_entities(&literal)).collect(),
    };
    (link, (i + 1).min(text.len()))
}

/// The URL of `url(path="x")` with a literal path, as the theme's `url` function makes it.
fn url_call(config: &Config, inner: &str) -> Option<String> {
    let args = inner.strip_prefix("url(")?.strip_suffix(')')?.trim();
    let value = args.strip_prefix("path")?.trim_start().strip_prefix('=')?.trim();
    let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let path = value.strip_prefix(quote)?.strip_suffix(quote)?;
    if path.contains(quote) {
        return None;
    }
    Some(format!("{}/{}", config.base_path, path.trim_start_matches('/')))
}
