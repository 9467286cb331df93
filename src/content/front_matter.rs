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
