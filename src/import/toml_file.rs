//! TOML read with positions: config.toml, book.toml and Zola's `+++` front matter.
//!
//! Pure. Every key and value keeps its byte span, so a note can name the line it is about. Values
//! become YAML values for picket's files.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::error::{Error, Result};

/// A parsed TOML document (or block) and where it sits in its file.
pub(crate) struct TomlFile<'a> {
    /// Relative to SRC.
    pub path: PathBuf,
    /// The whole file, for line numbers.
    pub file_text: &'a str,
    /// Byte offset of the TOML in the file (non-zero for a front matter block).
    pub offset: usize,
    pub table: DeTable<'a>,
}

/// A key of a table with its line, and its value.
pub(crate) struct Entry<'t, 'a> {
    pub key: &'t str,
    pub line: usize,
    pub value: &'t DeValue<'a>,
}

impl<'a> TomlFile<'a> {
    /// Parses `toml`, which starts at byte `offset` of `file_text`; `shown` names the file in errors.
    pub(super) fn parse(
        shown: &Path,
        path: &Path,
        file_text: &'a str,
        toml: &'a str,
        offset: usize,
    ) -> Result<TomlFile<'a>> {
        match DeTable::parse(toml) {
            Ok(table) => Ok(TomlFile { path: path.to_path_buf(), file_text, offset, table: table.into_inner() }),
            Err(err) => {
                let at = offset + err.span().map_or(0, |span| span.start);
                let message = err.message().trim_end_matches('.').to_string();
                let message = format!("{}; fix the TOML here", lower_first(&message));
                Err(Error::at_offset(shown, file_text, at, message))
            }
        }
    }

    /// The 1-based line of a byte span of the TOML.
    pub(super) fn line(&self, span: &std::ops::Range<usize>) -> usize {
        super::body::line_of(self.file_text, self.offset + span.start)
    }

    /// The entries of `table` (this file's top level, or a table inside it), in file order.
    pub(super) fn entries<'t>(&self, table: &'t DeTable<'a>) -> Vec<Entry<'t, 'a>> {
        table
            .iter()
            .map(|(key, value)| Entry {
                key: key.get_ref().as_ref(),
                line: self.line(&key.span()),
                value: value.get_ref(),
            })
            .collect()
    }

    /// The line of `key` in `table`, or of the file's first line.
    pub(super) fn line_of_key(&self, table: &DeTable<'a>, key: &str) -> usize {
        self.entries(table).iter().find(|e| e.key == key).map_or(1, |e| e.line)
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The YAML form of a TOML value. Dates and times become the text TOML wrote; `None` for a
/// value YAML cannot hold the same way (a number out of range).
pub(crate) fn to_yaml(value: &DeValue) -> Option<serde_yaml::Value> {
    Some(match value {
        DeValue::String(text) => serde_yaml::Value::String(text.to_string()),
        DeValue::Integer(number) => {
            let digits = number.as_str().replace('_', "");
            let digits = digits.trim_start_matches('+');
            let parsed = match number.radix() {
                10 => digits.parse::<i64>().ok(),
                radix => {
                    let (sign, digits) = digits.strip_prefix('-').map_or((1, digits), |d| (-1, d));
                    i64::from_str_radix(&digits[2..], radix).ok().map(|n| sign * n)
                }
            };
            serde_yaml::Value::Number(parsed?.into())
        }
        DeValue::Float(number) => {
            serde_yaml::Value::Number(number.as_str().replace('_', "").parse::<f64>().ok()?.into())
        }
        DeValue::Boolean(flag) => serde_yaml::Value::Bool(*flag),
        DeValue::Datetime(datetime) => serde_yaml::Value::String(datetime.to_string()),
        DeValue::Array(items) => {
            serde_yaml::Value::Sequence(items.iter().map(|item| to_yaml(item.get_ref())).collect::<Option<_>>()?)
        }
        DeValue::Table(table) => {
            let mut mapping = serde_yaml::Mapping::new();
            for (key, value) in table {
                mapping.insert(serde_yaml::Value::String(key.get_ref().to_string()), to_yaml(value.get_ref())?);
            }
            serde_yaml::Value::Mapping(mapping)
        }
    })
}

/// The text of a string value, if it is one.
pub(crate) fn as_str<'t>(value: &'t DeValue) -> Option<&'t str> {
    match value {
        DeValue::String(text) => Some(text.as_ref()),
        _ => None,
    }
}

/// The table of a value, if it is one.
pub(crate) fn as_table<'t, 'a>(value: &'t DeValue<'a>) -> Option<&'t DeTable<'a>> {
    match value {
        DeValue::Table(table) => Some(table),
        _ => None,
    }
}

/// How a value is written in TOML, shortened for a message.
pub(crate) fn shown(value: &DeValue) -> String {
    let text = match value {
        DeValue::String(text) => format!("\"{text}\""),
        DeValue::Integer(number) => number.as_str().to_string(),
        DeValue::Float(number) => number.as_str().to_string(),
        DeValue::Boolean(flag) => flag.to_string(),
        DeValue::Datetime(datetime) => datetime.to_string(),
        DeValue::Array(_) => "[…]".to_string(),
        DeValue::Table(_) => "{…}".to_string(),
    };
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
