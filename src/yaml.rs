//! The one place that calls serde_yaml (the maintained `serde_yaml_ng` fork under that name), and
//! saphyr-parser for what serde_yaml does not report: where a key that parsed sits, and tags.
//!
//! Takes YAML text and where it sits in its file; returns a typed value or an `Error` located in the
//! file (not in the block), with a "did you mean" hint for misspelt keys. Tags (`!!binary`,
//! `!include`) are refused: serde_yaml would drop them silently and keep the bare text. Does no I/O.

use std::path::Path;

use serde::de::DeserializeOwned;

use saphyr_parser::{Event, Parser};

use crate::error::{Error, Errors, Location, did_you_mean};

mod keys;

/// Parses `yaml`, which starts at line `first_line` (1-based) of `file_text`, the contents of `path`.
/// Every unknown key of the text is an error of its own, each at its line.
pub(crate) fn parse<T: DeserializeOwned>(
    path: &Path,
    file_text: &str,
    yaml: &str,
    first_line: usize,
) -> Result<T, Errors> {
    // Tags start with `!`: most files have none, so they skip the second parse.
    if yaml.contains('!')
        && let Some(error) =
            find_tag(yaml, first_line).map(|(location, tag)| tag_error(path, file_text, location, &tag))
    {
        return Err(error.into());
    }
    serde_yaml::from_str(yaml).map_err(|err| {
        let in_file = |in_block: Location| Location { line: in_block.line + first_line - 1, column: in_block.column };
        let error_at = |in_block: Location, message: String| Error::at(path, file_text, in_file(in_block), message);
        let serde_message = err.to_string();
        let serde_location = err.location().map(|loc| Location { line: loc.line(), column: loc.column() });
        if let Some(errors) = misplaced(yaml, &serde_message, serde_location, first_line, &error_at) {
            return errors;
        }
        let message = explain(&serde_message);
        let in_block = match serde_location {
            Some(location) => location,
            // The repetition limit comes without a place; the first alias is the best guess.
            None if serde_message.starts_with("repetition limit exceeded") => {
                first_alias(yaml).unwrap_or(Location { line: 1, column: 1 })
            }
            None => Location { line: 1, column: 1 },
        };
        error_at(in_block, message).into()
    })
}

/// Errors serde places badly, placed by the keys' own positions: a duplicate key at the
/// duplicate (serde gives the start of the mapping), and every unknown key rather than the
/// first. `None` when the message is neither, or the keys cannot be read.
fn misplaced(
    yaml: &str,
    serde_message: &str,
    serde_location: Option<Location>,
    first_line: usize,
    error_at: &dyn Fn(Location, String) -> Error,
) -> Option<Errors> {
    let message = without_key_path(serde_message.split(" at line ").next().unwrap_or(serde_message));
    if let Some(name) = duplicate_key(message) {
        let keys = keys::Keys::of(yaml)?;
        let (first, second) = keys.duplicate(&name, serde_location)?;
        let first_line = first.location.line + first_line - 1;
        let message = format!(
            "duplicate key `{name}`: it is written twice in this block (first on line {first_line}); keep one of them"
        );
        return Some(error_at(second.location, message).into());
    }
    let (_, known) = unknown_field(message)?;
    let keys = keys::Keys::of(yaml)?;
    let unknown = keys.unknown(serde_location?, &known);
    if unknown.is_empty() {
        return None;
    }
    Some(Errors(
        unknown.into_iter().map(|key| error_at(key.location, unknown_key_message(&key.name, &known))).collect(),
    ))
}

/// The key a "duplicate" message names: serde's `duplicate field `x`` for structs and
/// `duplicate entry with key "x"` for maps.
fn duplicate_key(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        return rest.split('`').next().map(str::to_string);
    }
    let rest = message.split("duplicate entry with key ").nth(1)?;
    Some(rest.trim_matches('"').to_string())
}

/// The field and the known fields of serde's "unknown field `x`, expected one of `a`, `b`".
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
    Some((field, expected.split('`').skip(1).step_by(2).collect()))
}

fn unknown_key_message(field: &str, known: &[&str]) -> String {
    match did_you_mean(field, known) {
        Some(hint) => format!("unknown key `{field}`; did you mean `{hint}`?"),
        None if known.is_empty() => format!("unknown key `{field}`; this block takes no keys"),
        None => format!("unknown key `{field}`; known keys are {}", quote_list(known)),
    }
}

/// `message` without serde_yaml's `sources[0]: ` in front, which the location already shows.
fn without_key_path(message: &str) -> &str {
    match message.split_once(": ") {
        Some((path, rest)) if is_key_path(path) => rest,
        _ => message,
    }
}

/// Whether `text` reads like serde_yaml's path to a value: `date`, `sources[1].url`.
fn is_key_path(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'))
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
    if let Some((_, own)) = message.split_once(OWN_MESSAGE) {
        return own.to_string();
    }
    let bare = without_key_path(message);
    if let Some((field, known)) = unknown_field(bare) {
        return unknown_key_message(field, &known);
    }
    if let Some(name) = duplicate_key(bare) {
        return format!("duplicate key `{name}`: it is written twice in this block; keep one of them");
    }
    if let Some(rest) = bare.split("unknown variant `").nth(1) {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let prefix = known.iter().find(|k| value.starts_with(**k) || k.starts_with(value)).copied();
        return match did_you_mean(value, &known).or(prefix) {
            Some(hint) => format!("`{value}` is not one of the values this key takes; did you mean `{hint}`?"),
            None => format!("`{value}` is not one of the values this key takes: {}", quote_list(&known)),
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

/// Deserializes a string (a number written plainly counts as its text) and checks it with
/// `check` while serde_yaml still knows where the value is, so that the error points at it.
pub(crate) fn checked_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    check: fn(&str) -> Result<(), String>,
) -> Result<String, D::Error> {
    struct Checked(fn(&str) -> Result<(), String>);

    impl serde::de::Visitor<'_> for Checked {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<String, E> {
            (self.0)(text).map(|()| text.to_string()).map_err(|message| E::custom(own_message(&message)))
        }

        fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<String, E> {
            self.visit_str(&number.to_string())
        }

        fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<String, E> {
            self.visit_str(&number.to_string())
        }

        fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<String, E> {
            self.visit_str(&number.to_string())
        }
    }

    deserializer.deserialize_str(Checked(check))
}

/// A message of picket's own for an error raised while deserializing: passed on as it is.
pub(crate) fn own_message(message: &str) -> String {
    format!("{OWN_MESSAGE}{message}")
}

/// Starts the messages of picket's own checks inside deserialization, so that `explain` passes
/// them on as they are instead of calling them invalid YAML.
const OWN_MESSAGE: &str = "\u{1}picket: ";

fn tag_error(path: &Path, file_text: &str, location: Location, tag: &str) -> Error {
    Error::at(
        path,
        file_text,
        location,
        format!(
            "the YAML tag `{tag}` is not supported: picket would ignore it and keep the bare text; remove the tag (quote the value if it must stay text)"
        ),
    )
}

/// The first tag in `yaml` and where it is, or `None` (also when the YAML does not parse: serde
/// reports that).
fn find_tag(yaml: &str, first_line: usize) -> Option<(Location, String)> {
    for event in Parser::new_from_str(yaml) {
        let (event, span) = event.ok()?;
        let tag = match event {
            Event::Scalar(_, _, _, tag) | Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) => tag,
            _ => None,
        };
        if let Some(tag) = tag {
            // Show the tag as written (`!!binary`), not as resolved (`tag:yaml.org,2002:binary`).
            let written: String = yaml.chars().skip(span.start.index()).take_while(|c| !c.is_whitespace()).collect();
            let shown = if written.starts_with('!') { written } else { format!("{}{}", tag.handle, tag.suffix) };
            return Some((location_of(span.start, first_line), shown));
        }
    }
    None
}

fn location_of(marker: saphyr_parser::Marker, first_line: usize) -> Location {
    Location { line: marker.line() + first_line - 1, column: marker.col() + 1 }
}

/// Where the keys and items of a YAML document sit, by path: `title`, `figures/3`,
/// `figures/3/id`. Keys of mappings point at the key; items of sequences at the item.
#[derive(Debug, Default)]
pub(crate) struct Positions(std::collections::HashMap<String, Location>);

impl Positions {
    /// Reads `yaml`, which starts at line `first_line` of its file. A document that does not parse
    /// gives the positions read before the problem (serde reports the problem itself).
    pub(crate) fn of(yaml: &str, first_line: usize) -> Positions {
        let mut positions = std::collections::HashMap::new();
        // One frame per mapping or sequence open around the node being read.
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(yaml) {
            let Ok((event, span)) = event else { break };
            let here = location_of(span.start, first_line);
            let starts_node = matches!(
                event,
                Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..)
            );
            if starts_node {
                match stack.last_mut() {
                    Some(Frame::Map { key: key @ None }) => {
                        let Event::Scalar(value, ..) = &event else {
                            // A mapping or sequence used as a key: rare, and not addressable.
                            *key = Some("?".to_string());
                            continue;
                        };
                        *key = Some(value.to_string());
                        positions.insert(path_of(&stack), here);
                        continue;
                    }
                    Some(Frame::Seq { .. }) => {
                        positions.insert(path_of(&stack), here);
                    }
                    _ => {}
                }
            }
            match event {
                Event::MappingStart(..) => stack.push(Frame::Map { key: None }),
                Event::SequenceStart(..) => stack.push(Frame::Seq { index: 0 }),
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    value_read(&mut stack);
                }
                Event::Scalar(..) | Event::Alias(_) => value_read(&mut stack),
                _ => {}
            }
        }
        Positions(positions)
    }

    /// The place of the key or item at `path` (`figures/3/id`), if the document has it.
    pub(crate) fn get(&self, path: &str) -> Option<Location> {
        self.0.get(path).copied()
    }
}

/// A mapping (with the key whose value is being read) or a sequence (with the index of the item).
enum Frame {
    Map { key: Option<String> },
    Seq { index: usize },
}

fn path_of(stack: &[Frame]) -> String {
    let parts: Vec<String> = stack
        .iter()
        .filter_map(|frame| match frame {
            Frame::Map { key } => key.clone(),
            Frame::Seq { index } => Some(index.to_string()),
        })
        .collect();
    parts.join("/")
}

/// A value ended: its mapping waits for the next key, its sequence for the next item.
fn value_read(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key }) => *key = None,
        Some(Frame::Seq { index }) => *index += 1,
        None => {}
    }
}

/// Writes `value` as YAML text (used by `picket import` for the files it writes). Strings that
/// YAML would read as something else are quoted.
pub(crate) fn to_text(value: &serde_yaml::Value) -> String {
    serde_yaml::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests;
