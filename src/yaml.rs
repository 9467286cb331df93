//! The one place that calls serde_yaml (the maintained `serde_yaml_ng` fork under that name).
//!
//! Takes YAML text and where it sits in its file; returns a typed value or an `Error` located in the
//! file (not in the block), with a "did you mean" hint for misspelt keys. Does no I/O.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Error, Location, did_you_mean};

/// Parses `yaml`, which starts at line `first_line` (1-based) of `file_text`, the contents of `path`.
pub(crate) fn parse<T: DeserializeOwned>(
    path: &Path,
    file_text: &str,
    yaml: &str,
    first_line: usize,
) -> Result<T, Error> {
    serde_yaml::from_str(yaml).map_err(|err| {
        let serde_message = err.to_string();
        let message = explain(&serde_message);
        match err.location() {
            Some(loc) => {
                let location = Location { line: loc.line() + first_line - 1, column: loc.column() };
                Error::at(path, file_text, location, message)
            }
            None => {
                // The repetition limit comes without a place; the first alias is the best guess.
                let aliases = serde_message.starts_with("repetition limit exceeded");
                let in_block = aliases.then(|| first_alias(yaml)).flatten().unwrap_or(Location { line: 1, column: 1 });
                let location = Location { line: in_block.line + first_line - 1, column: in_block.column };
                Error::at(path, file_text, location, message)
            }
        }
    })
}

/// Where `yaml` first uses an alias (`*name`), ignoring comments; a guess that may miss one
/// inside a quoted string.
fn first_alias(yaml: &str) -> Option<Location> {
    for (index, line) in yaml.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        for (column, pair) in chars.windows(2).enumerate() {
            let before = if column == 0 { ' ' } else { chars[column - 1] };
            if pair[0] == '#' && before == ' ' {
                break;
            }
            let starts_value = matches!(before, ' ' | '[' | '{' | ',');
            if pair[0] == '*' && starts_value && (pair[1].is_alphanumeric() || pair[1] == '_' || pair[1] == '-') {
                return Some(Location { line: index + 1, column: column + 1 });
            }
        }
    }
    None
}

/// Turns serde's wording into ours: lower case, no position (we show it), and what to do.
fn explain(serde_message: &str) -> String {
    let message = serde_message.split(" at line ").next().unwrap_or(serde_message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match did_you_mean(field, &known) {
            Some(hint) => format!("unknown key `{field}`; did you mean `{hint}`?"),
            None => format!("unknown key `{field}`; known keys are {}", quote_list(&known)),
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.trim_end_matches('`');
        return format!("missing key `{field}`; add a line `{field}: ...`");
    }
    // serde_yaml refuses "billion laughs" alias bombs and very deep nesting; say what to change.
    if message.starts_with("repetition limit exceeded") {
        return "the YAML expands its aliases (`*name`) too many times; write the values out or use fewer aliases"
            .to_string();
    }
    if message.starts_with("recursion limit exceeded") {
        return "the YAML is nested too deeply (more than 128 levels); flatten it".to_string();
    }
    let message = message.trim_start_matches(": ");
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("invalid YAML: {}{}", first.to_lowercase(), chars.as_str()),
        None => "invalid YAML".to_string(),
    }
}

fn quote_list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// Converts a YAML value into the JSON value templates receive.
pub(crate) fn to_json(value: &serde_yaml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
