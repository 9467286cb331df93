//! Tera's errors as ours: each at its template's path (relative to the site root), lower case,
//! with what to do.
//!
//! Tera reports most problems with a located `ReportError`, but the checks it runs after parsing
//! every template (an unknown filter, function, test or include; a block no parent defines) come
//! as one message holding rustc-style reports (`error: ...`, ` --> name:line:col`), and a
//! missing parent has no place at all. This module reads those reports by Tera's own positions
//! so that nothing reaches the editor as `error: error: ...`. Pure.

use std::path::Path;

use crate::error::{Error, Location, did_you_mean};

/// One report from Tera's joined message: the template name as Tera knows it, where, and what.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Report {
    pub(super) template: String,
    pub(super) location: Location,
    pub(super) message: String,
}

/// The reports in `text`; empty when it holds none (a plain message).
pub(super) fn reports(text: &str) -> Vec<Report> {
    let mut found = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else { continue };
        let Some(place) = lines.peek().and_then(|next| next.trim_start().strip_prefix("--> ")) else { continue };
        let mut parts = place.rsplitn(3, ':');
        let (Some(column), Some(line_number), Some(template)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(column), Ok(line_number)) = (column.parse(), line_number.parse()) else { continue };
        found.push(Report {
            template: template.to_string(),
            location: Location { line: line_number, column },
            message: message.to_string(),
        });
    }
    found
}

/// Filters picket registers, and Tera 2's own.
const FILTERS: &[&str] = &[
    "date_long",
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];

/// Functions picket registers, and Tera 2's own.
const FUNCTIONS: &[&str] = &["url", "range", "throw", "super"];

/// Tera's message in our words: lower case, with a hint. `templates_dir` is relative to the root.
pub(super) fn explain(message: &str, templates_dir: &Path) -> String {
    let quoted = |prefix: &str| message.strip_prefix(prefix).map(|rest| rest.trim_end_matches('`'));
    if let Some(name) = quoted("Unknown template `") {
        return format!(
            "unknown template `{name}`: the theme has no such template; add `{}` or fix the name",
            templates_dir.join(name).display()
        );
    }
    if let Some(name) = quoted("Unknown filter `") {
        return match did_you_mean(name, FILTERS) {
            Some(hint) => format!("unknown filter `{name}`; did you mean `{hint}`?"),
            None => format!("unknown filter `{name}`; picket adds `date_long` to Tera's built-in filters"),
        };
    }
    if let Some(name) = quoted("Unknown function `") {
        return match did_you_mean(name, FUNCTIONS) {
            Some(hint) => format!("unknown function `{name}`; did you mean `{hint}`?"),
            None => format!("unknown function `{name}`; picket adds `url(path=...)` to Tera's `range` and `throw`"),
        };
    }
    lower_first(message.trim_end_matches('.'))
}

/// The error for a template that extends one the theme does not have, at the name in its
/// `extends` tag when it is there.
pub(super) fn missing_parent(templates_dir: &Path, current: &str, parent: &str, text: Option<&str>) -> Error {
    let path = templates_dir.join(current);
    let message = format!(
        "`{current}` extends `{parent}`, which the theme does not have; add `{}` or fix the name",
        templates_dir.join(parent).display()
    );
    let quoted = [format!("\"{parent}\""), format!("'{parent}'")];
    let at = text.and_then(|text| {
        let extends = text.find("extends")?;
        quoted.iter().filter_map(|q| text[extends..].find(q.as_str())).min().map(|i| (text, extends + i))
    });
    match at {
        Some((text, offset)) => Error::at_offset(&path, text, offset, message),
        None => Error::in_file(&path, message),
    }
}

pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_reports_are_read_by_their_places() {
        let text = "error: Unknown filter `nope`\n --> page.html:3:21\n  |\n3 | <h1>{{ x | nope }}</h1>\n  |            ^^^^\n\n\
                    error: Unknown template `a/missing.html`\n  --> sub/base.html:12:12\n   |\n";
        assert_eq!(
            reports(text),
            [
                Report {
                    template: "page.html".to_string(),
                    location: Location { line: 3, column: 21 },
                    message: "Unknown filter `nope`".to_string()
                },
                Report {
                    template: "sub/base.html".to_string(),
                    location: Location { line: 12, column: 12 },
                    message: "Unknown template `a/missing.html`".to_string()
                },
            ]
        );
        assert!(reports("Template 'x' not found").is_empty());
    }

    #[test]
    fn messages_say_what_to_do() {
        let dir = Path::new("themes/t/templates");
        assert_eq!(
            explain("Unknown template `missing.html`", dir),
            "unknown template `missing.html`: the theme has no such template; add `themes/t/templates/missing.html` or fix the name"
        );
        assert_eq!(explain("Unknown filter `uper`", dir), "unknown filter `uper`; did you mean `upper`?");
        assert_eq!(explain("Unknown function `ulr`", dir), "unknown function `ulr`; did you mean `url`?");
        assert_eq!(
            explain("Block `x` is not defined in any parent template", dir),
            "block `x` is not defined in any parent template"
        );
    }
}
