//! Front matter as the import writes it: picket's keys in one fixed order, then `extra`.
//!
//! Pure: collects values and returns the `---` block as text. The YAML itself is written by
//! `crate::yaml`, the one module that calls serde_yaml.

use serde_yaml::{Mapping, Value};

/// picket's front matter keys in the order the import writes them (`extra` comes last).
const ORDER: [&str; 14] = [
    "title",
    "description",
    "date",
    "updated",
    "draft",
    "weight",
    "slug",
    "template",
    "tags",
    "aliases",
    "redirect_to",
    "sort_by",
    "reverse",
    "paginate_by",
];

/// The front matter of one page being written.
#[derive(Debug, Default, Clone)]
pub(crate) struct FrontMatter {
    fields: Vec<(&'static str, Value)>,
    extra: Mapping,
}

impl FrontMatter {
    /// Sets picket's key `key` (one of `ORDER`).
    pub(super) fn set(&mut self, key: &str, value: Value) {
        let key = ORDER.iter().find(|k| **k == key).copied().expect("a key picket knows");
        self.fields.retain(|(k, _)| *k != key);
        self.fields.push((key, value));
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| *k == key)
    }

    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Adds an alias (an old URL path, without a leading `/`).
    pub(super) fn add_alias(&mut self, alias: &str) {
        let mut aliases = match self.get("aliases") {
            Some(Value::Sequence(list)) => list.clone(),
            _ => Vec::new(),
        };
        let alias = Value::String(alias.to_string());
        if !aliases.contains(&alias) {
            aliases.push(alias);
        }
        self.set("aliases", Value::Sequence(aliases));
    }

    /// Puts `value` under `extra.key`; `false` when `extra` already has that key.
    pub(super) fn set_extra(&mut self, key: &str, value: Value) -> bool {
        let key = Value::String(key.to_string());
        if self.extra.contains_key(&key) {
            return false;
        }
        self.extra.insert(key, value);
        true
    }

    /// Merges a whole `extra` table written in the source; keys already set stay.
    pub(super) fn merge_extra(&mut self, extra: Mapping) {
        for (key, value) in extra {
            if !self.extra.contains_key(&key) {
                self.extra.insert(key, value);
            }
        }
    }

    /// The keys written, for the report.
    pub(super) fn keys(&self) -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = self.fields.iter().map(|(k, _)| *k).collect();
        if !self.extra.is_empty() {
            keys.push("extra");
        }
        keys
    }

    /// The block, from the opening `---` line to the closing one and its line break.
    pub(super) fn to_text(&self) -> String {
        let mut mapping = Mapping::new();
        for key in ORDER {
            if let Some(value) = self.get(key) {
                mapping.insert(Value::String(key.to_string()), value.clone());
            }
        }
        if !self.extra.is_empty() {
            mapping.insert(Value::String("extra".to_string()), Value::Mapping(self.extra.clone()));
        }
        format!("---\n{}---\n", crate::yaml::to_text(&Value::Mapping(mapping)))
    }
}
