//! Splits a Markdown file into its YAML front matter and body, and parses the front matter.
//!
//! Pure: takes the file's text, returns `FrontMatter` and where the body starts. Locations are in
//! the file, not in the YAML block.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Errors, Location, Result};
use crate::notice::Notice;
use crate::yaml;

/// What an editor may write between the `---` lines. Unknown keys are errors.
///
/// It also serializes, for the build cache, in a form it reads back the same: keys without a
/// value are left out, so that the readers above see only what an editor could have written.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "date")]
    pub date: Option<jiff::civil::Date>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "date")]
    pub updated: Option<jiff::civil::Date>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// The last part of the page's URL instead of its file name; one checked URL segment.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "slug")]
    pub slug: Option<String>,
    /// A template name relative to the theme's templates folder.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "template")]
    pub template: Option<String>,
    /// As written; `site` groups them without case ("Blog" and "blog" are one tag).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Ids from the sources registry this page relies on.
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "date")]
    pub review_date: Option<jiff::civil::Date>,
    /// Whether to show a table of contents; `None` lets the theme decide by length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toc: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<serde_yaml::Value>,
    /// This page's history notice, replacing the site's; `false` shows none (`crate::notice`).
    #[serde(default)]
    pub notice: Option<Notice>,
    /// Old URLs of this page; each becomes a redirect page to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Makes this page's URL a redirect to another page or site.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "redirect_target")]
    pub redirect_to: Option<RedirectTarget>,
    /// Sections only: the order of the pages they list.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "sort_by")]
    pub sort_by: Option<SortBy>,
    /// Sections only: list the pages in the opposite order.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// Sections only: how many pages each page of the listing shows (`0`: all on one page).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "paginate_by")]
    pub paginate_by: Option<usize>,
}

/// How a section orders the pages it lists (Zola's `sort_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortBy {
    /// Lowest weight first; pages without a weight last.
    Weight,
    /// Newest first; pages without a date last.
    Date,
    /// By title, numbers in titles compared as numbers.
    Title,
    /// By file path.
    None,
}

const SORT_ORDERS: [&str; 4] = ["weight", "date", "title", "none"];

// The build cache writes these back as the editor wrote them, so that they read back the same.
impl serde::Serialize for SortBy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let index = [SortBy::Weight, SortBy::Date, SortBy::Title, SortBy::None].iter().position(|o| o == self);
        serializer.serialize_str(SORT_ORDERS[index.unwrap_or(3)])
    }
}

impl serde::Serialize for Alias {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl serde::Serialize for RedirectTarget {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RedirectTarget::Url(text) | RedirectTarget::SitePath(text) | RedirectTarget::File(text) => {
                serializer.serialize_str(text)
            }
        }
    }
}

fn sort_by<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<SortBy>, D::Error> {
    let text = yaml::checked_string(deserializer, |text| {
        if SORT_ORDERS.contains(&text) {
            return Ok(());
        }
        Err(match crate::error::did_you_mean(text, &SORT_ORDERS) {
            Some(hint) => format!("`{}` is not an order; did you mean `{hint}`?", text.escape_debug()),
            None => format!(
                "`{}` is not an order; write `weight`, `date` (newest first), `title` or `none` (by file name)",
                text.escape_debug()
            ),
        })
    })?;
    Ok(Some(match text.as_str() {
        "weight" => SortBy::Weight,
        "date" => SortBy::Date,
        "title" => SortBy::Title,
        _ => SortBy::None,
    }))
}

/// Reads `paginate_by`: a whole number of pages, `0` for no pagination (Zola's default).
fn paginate_by<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<usize>, D::Error> {
    struct Count;

    impl serde::de::Visitor<'_> for Count {
        type Value = usize;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<usize, E> {
            usize::try_from(n).map_err(|_| E::custom(yaml::own_message(PAGINATE_HINT)))
        }

        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<usize, E> {
            usize::try_from(n).map_err(|_| E::custom(yaml::own_message(PAGINATE_HINT)))
        }

        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<usize, E> {
            Err(E::custom(yaml::own_message(PAGINATE_HINT)))
        }

        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<usize, E> {
            Err(E::custom(yaml::own_message(PAGINATE_HINT)))
        }

        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<usize, E> {
            Err(E::custom(yaml::own_message(PAGINATE_HINT)))
        }
    }

    deserializer.deserialize_any(Count).map(Some)
}

const PAGINATE_HINT: &str = "`paginate_by` is how many pages each page of the listing shows: write a whole number such as `10` (or `0` for one page)";

/// An old URL of a page, as a path on the site without its leading slash: `old/path/` (a folder,
/// served as `old/path/index.html`) or `old.html` (a file). Every part is a checked URL segment,
/// so an alias can only name a place inside the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alias(String);

impl Alias {
    /// The path as written, without the leading slash: `old/path/`, `old/path` or `old.html`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the alias names a file (`old.html`) rather than a folder.
    pub fn is_file(&self) -> bool {
        !self.0.ends_with('/') && (self.0.ends_with(".html") || self.0.ends_with(".htm"))
    }

    /// Where its redirect page is written: `old/path/index.html` or `old.html`.
    pub fn output_path(&self) -> crate::output::OutputPath {
        let path = match self.is_file() {
            true => self.0.clone(),
            false => format!("{}/index.html", self.0.trim_end_matches('/')),
        };
        crate::output::OutputPath::new(&path).expect("aliases are checked when they are read")
    }
}

impl<'de> Deserialize<'de> for Alias {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Alias, D::Error> {
        let text = yaml::checked_string(deserializer, |text| match alias_problem(text) {
            Some(problem) => Err(format!(
                "`{}` cannot be an alias: {problem}; write an old path on this site, such as `old/path/` or `old.html`",
                text.escape_debug()
            )),
            None => Ok(()),
        })?;
        Ok(Alias(text.strip_prefix('/').unwrap_or(&text).to_string()))
    }
}

/// Why `text` cannot be an alias, or `None` when it can.
fn alias_problem(text: &str) -> Option<&'static str> {
    if text.contains("://") || text.starts_with("//") {
        return Some("an alias is a path on this site, not a URL");
    }
    let path = text.strip_prefix('/').unwrap_or(text);
    if path.is_empty() {
        return Some("it is the home page");
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').find_map(crate::output::segment_problem)
}

/// Where `redirect_to` leads, as written and checked for its form; whether the page or file
/// exists is checked once every page is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RedirectTarget {
    /// An absolute `http://` or `https://` URL.
    Url(String),
    /// A path on the site from its root, `/documentation/getting-started/`, with any `#anchor`.
    SitePath(String),
    /// A Markdown file relative to the page, `getting-started.md#install`, resolved like a link.
    File(String),
}

fn redirect_target<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<RedirectTarget>, D::Error> {
    let text = yaml::checked_string(deserializer, |text| match redirect_problem(text) {
        Some(problem) => Err(format!(
            "`{}` cannot be a redirect: {problem}; write a path on the site such as `/guide/start/`, a page's file such as `start.md`, or a URL such as `https://example.org/`",
            text.escape_debug()
        )),
        None => Ok(()),
    })?;
    Ok(Some(if text.starts_with("http://") || text.starts_with("https://") {
        RedirectTarget::Url(text)
    } else if text.starts_with('/') {
        RedirectTarget::SitePath(text)
    } else {
        RedirectTarget::File(text)
    }))
}

/// Why `text` cannot be a `redirect_to`, or `None` when it can.
fn redirect_problem(text: &str) -> Option<&'static str> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`')) {
        return Some("it holds a space, a quote, `<`, `>`, `\\` or a control character");
    }
    if let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        return host.is_empty().then_some("the URL has no host");
    }
    if text.contains(':') && !text.starts_with('/') {
        return Some("only `http://` and `https://` URLs may be redirect targets");
    }
    let (path, _) = text.split_once('#').unwrap_or((text, ""));
    if let Some(site_path) = path.strip_prefix('/') {
        if site_path.starts_with('/') {
            return Some("`//` starts a URL without its scheme");
        }
        let inner = site_path.strip_suffix('/').unwrap_or(site_path);
        return match inner.is_empty() {
            true => None,
            false => inner.split('/').find_map(crate::output::segment_problem),
        };
    }
    if !path.ends_with(".md") {
        return Some("a path on the site starts with `/`, and a link to a page's file ends with `.md`");
    }
    None
}

/// Reads a date written `2016-02-10`, or a date and time such as `2016-02-10T08:00:00Z` or
/// `2016-02-10 08:00:00 +00:00` (as Hugo and Jekyll sites write them), keeping the date as written.
fn date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<jiff::civil::Date>, D::Error> {
    deserializer.deserialize_str(DateVisitor).map(Some)
}

struct DateVisitor;

impl serde::de::Visitor<'_> for DateVisitor {
    type Value = jiff::civil::Date;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date written YYYY-MM-DD")
    }

    // Errors raised here carry the position of the value, so they point at the date itself.
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        let text = text.trim();
        if let Ok(date) = text.parse::<jiff::civil::Date>() {
            return Ok(date);
        }
        let is_date_time = text.parse::<jiff::Timestamp>().is_ok() || text.parse::<jiff::civil::DateTime>().is_ok();
        match text.get(..10).map(str::parse::<jiff::civil::Date>) {
            Some(Ok(date)) if is_date_time => Ok(date),
            _ => Err(E::custom(yaml::own_message(&date_problem(text)))),
        }
    }
}

/// Reads a slug: one part of a URL made of letters, digits, `-`, `_`, `.` and `~`, not starting
/// with `.`. Anything else (`..`, `/`, an absolute path, an empty slug) would move the page out of
/// its folder, or out of the output folder altogether, so it is refused where it is written.
fn slug<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    yaml::checked_string(deserializer, |text| {
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~');
        if text.is_empty() || text.starts_with('.') || !text.chars().all(allowed) {
            return Err(format!(
                "`{}` is not a slug: a slug is one part of a URL, made of letters, digits, `-`, `_`, `.` and `~` (not starting with `.`), such as `pay-rules`",
                text.escape_debug()
            ));
        }
        match crate::output::segment_problem(text) {
            Some(problem) => Err(format!("`{}` is not a slug: {problem}", text.escape_debug())),
            None => Ok(()),
        }
    })
    .map(Some)
}

/// Reads a template name such as `page.html` or `layouts/wide.html`: a relative name inside the
/// theme's templates folder.
fn template<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    yaml::checked_string(deserializer, |text| match text.split('/').find_map(crate::output::segment_problem) {
        Some(problem) => Err(format!(
            "`{}` is not a template name ({problem}); write a name inside the theme's templates folder, such as `page.html`",
            text.escape_debug()
        )),
        None => Ok(()),
    })
    .map(Some)
}

/// Why `text`, which is not a date, is not one: a month or day out of range when it is written
/// like a date, else how to write one.
fn date_problem(text: &str) -> String {
    let parts: Vec<&str> = text.get(..10).unwrap_or(text).split('-').collect();
    let numbers: Vec<i16> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let shaped = parts.len() == 3 && numbers.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let (year, month, day) = match (shaped, numbers.as_slice()) {
        (true, [year, month, day]) => (*year, *month, *day),
        _ => return format!("`{text}` is not a date; write it as YYYY-MM-DD, for example 2016-02-10"),
    };
    if !(1..=12).contains(&month) {
        return format!("`{text}` has month {month}, but months run from 01 to 12; dates are written YYYY-MM-DD");
    }
    let days = jiff::civil::Date::new(year, month as i8, 1).map(|first| first.days_in_month()).unwrap_or(31);
    let month_name = jiff::civil::Date::new(year, month as i8, 1)
        .map(|first| first.strftime("%B %Y").to_string())
        .unwrap_or_else(|_| format!("month {month}"));
    if day < 1 || day > days as i16 {
        return format!("`{text}` has day {day}, but {month_name} has {days} days; dates are written YYYY-MM-DD");
    }
    format!("`{text}` is not a date; write it as YYYY-MM-DD, for example 2016-02-10")
}

/// A file split at its front matter fences.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// Finds the `---` fences. `path` and `text` are for errors only.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_no_bom.len();
    let first_line_end = text_no_bom.find('\n').unwrap_or(text_no_bom.len());
    if text_no_bom[..first_line_end].trim_end() != "---" {
        return Err(Error::at(
            path,
            text,
            Location { line: 1, column: 1 },
            "no front matter; start the file with a `---` line, then `title: ...`, then another `---` line",
        ));
    }
    let yaml_start = bom + first_line_end + 1;
    let mut offset = yaml_start.min(text.len());
    while offset < text.len() {
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if text[offset..line_end].trim_end() == "---" {
            let body_offset = (line_end + 1).min(text.len());
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset = line_end + 1;
    }
    Err(Error::at(
        path,
        text,
        Location { line: 1, column: 1 },
        "the front matter is never closed; add a `---` line after its last key",
    ))
}

/// Parses the front matter of `text`, the contents of `path`, and returns it with the body offset.
/// Every unknown key is an error of its own.
pub fn parse<'a>(path: &Path, text: &'a str) -> Result<(FrontMatter, Split<'a>), Errors> {
    let split = split(path, text)?;
    if split.yaml.trim().is_empty() {
        return Err(Error::at(
            path,
            text,
            Location { line: 1, column: 1 },
            "the front matter is empty; add `title: ...` between the `---` lines",
        )
        .into());
    }
    let front_matter: FrontMatter = yaml::parse(path, text, split.yaml, split.yaml_line)
        .map_err(|errors| Errors(errors.0.into_iter().map(|err| missing_title_at_fence(err, path, text)).collect()))?;
    if front_matter.title.trim().is_empty() {
        return Err(Error::at(
            path,
            text,
            Location { line: 1, column: 1 },
            "the `title` is empty; give the page a title",
        )
        .into());
    }
    Ok((front_matter, split))
}

/// Where the front matter of `text` has the key or item `key` (`template`, `sources/1`).
pub fn key_location(text: &str, key: &str) -> Option<Location> {
    let split = split(Path::new(""), text).ok()?;
    yaml::Positions::of(split.yaml, split.yaml_line).get(key)
}

/// serde reports a missing key at the end of the block; point at the opening fence instead.
fn missing_title_at_fence(mut err: Error, path: &Path, text: &str) -> Error {
    if err.message.starts_with("missing key `title`") {
        err = Error::at(
            path,
            text,
            Location { line: 1, column: 1 },
            "the front matter has no `title`; add a line `title: ...`",
        );
    }
    err
}

#[cfg(test)]
mod tests;
