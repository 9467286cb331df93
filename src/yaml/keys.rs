//! Where the keys of a YAML text are, by the positions of a YAML event parser (saphyr-parser).
//!
//! Used only to place what serde_yaml reports without a useful position: a duplicate key (serde
//! points at the start of its mapping) and every unknown key of a file (serde stops at the first).
//! Pure; a text this parser cannot read gives no keys, and the caller keeps serde's position.

use saphyr_parser::{Event, Parser};

use crate::error::Location;

/// A mapping key as the parser saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) name: String,
    /// 1-based line and column in the YAML text.
    pub(crate) location: Location,
    /// Which mapping holds it (an index in document order).
    pub(crate) mapping: usize,
    /// The keys leading to that mapping, `*` for an item of a list: `sources/*` for the keys of
    /// every source. Mappings with one path are read into one type, so they know the same keys.
    pub(crate) path: String,
}

/// Every key of `yaml` with where its mapping starts, or `None` if the text does not parse.
pub(crate) struct Keys {
    pub(crate) keys: Vec<Key>,
    /// Where each mapping starts, by index.
    pub(crate) mappings: Vec<Location>,
}

enum Frame {
    Mapping { id: usize, path: String, key: Option<String> },
    Sequence { path: String },
}

impl Keys {
    pub(crate) fn of(yaml: &str) -> Option<Keys> {
        let mut keys = Keys { keys: Vec::new(), mappings: Vec::new() };
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(yaml) {
            let (event, span) = event.ok()?;
            let location = Location { line: span.start.line(), column: span.start.col() + 1 };
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let path = child_path(&stack);
                    if matches!(event, Event::MappingStart(..)) {
                        stack.push(Frame::Mapping { id: keys.mappings.len(), path, key: None });
                        keys.mappings.push(location);
                    } else {
                        stack.push(Frame::Sequence { path });
                    }
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    value_done(&mut stack);
                }
                Event::Scalar(text, ..) => match stack.last_mut() {
                    Some(Frame::Mapping { id, path, key: key @ None }) => {
                        keys.keys.push(Key { name: text.to_string(), location, mapping: *id, path: path.clone() });
                        *key = Some(text.to_string());
                    }
                    _ => value_done(&mut stack),
                },
                Event::Alias(_) => value_done(&mut stack),
                _ => {}
            }
        }
        Some(keys)
    }

    /// The second `name` in the mapping that starts at `mapping_at` (serde's position for a
    /// duplicate), or in any mapping if none starts there; with the first one.
    pub(crate) fn duplicate(&self, name: &str, mapping_at: Option<Location>) -> Option<(&Key, &Key)> {
        let starting_there: Vec<usize> =
            (0..self.mappings.len()).filter(|&id| Some(self.mappings[id]) == mapping_at).collect();
        let candidates = |id: usize| starting_there.is_empty() || starting_there.contains(&id);
        let mut seen: Vec<&Key> = Vec::new();
        for key in self.keys.iter().filter(|k| k.name == name && candidates(k.mapping)) {
            if let Some(first) = seen.iter().find(|k| k.mapping == key.mapping) {
                return Some((first, key));
            }
            seen.push(key);
        }
        None
    }

    /// Every key not in `known`, in every mapping of the same path as the key at `at` (where
    /// serde found the first unknown one), in document order.
    pub(crate) fn unknown(&self, at: Location, known: &[&str]) -> Vec<&Key> {
        let Some(first) = self.keys.iter().find(|k| k.location == at) else { return Vec::new() };
        self.keys.iter().filter(|k| k.path == first.path && !known.contains(&k.name.as_str())).collect()
    }
}

/// The path of a container that starts now, below the top of `stack`.
fn child_path(stack: &[Frame]) -> String {
    let (parent, step) = match stack.last() {
        None => return String::new(),
        Some(Frame::Mapping { path, key, .. }) => (path, key.clone().unwrap_or_else(|| "?".to_string())),
        Some(Frame::Sequence { path }) => (path, "*".to_string()),
    };
    if parent.is_empty() { step } else { format!("{parent}/{step}") }
}

/// A value has ended: the mapping it belongs to expects a key again.
fn value_done(stack: &mut [Frame]) {
    if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
        *key = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Location {
        Location { line, column }
    }

    #[test]
    fn keys_know_their_place_and_their_mapping() {
        let keys =
            Keys::of("title: a\nsources:\n  - id: x\n    shrt: y\n  - {id: z, shrt: w}\nextra:\n  a: 1\n").unwrap();
        let found: Vec<(&str, Location, &str)> =
            keys.keys.iter().map(|k| (k.name.as_str(), k.location, k.path.as_str())).collect();
        assert_eq!(
            found,
            [
                ("title", at(1, 1), ""),
                ("sources", at(2, 1), ""),
                ("id", at(3, 5), "sources/*"),
                ("shrt", at(4, 5), "sources/*"),
                ("id", at(5, 6), "sources/*"),
                ("shrt", at(5, 13), "sources/*"),
                ("extra", at(6, 1), ""),
                ("a", at(7, 3), "extra"),
            ]
        );
    }

    #[test]
    fn a_duplicate_is_the_second_key_of_its_mapping() {
        let keys = Keys::of("title: a\nlist:\n  - title: b\ndescription: c\ntitle: d\n").unwrap();
        let (first, second) = keys.duplicate("title", Some(at(1, 1))).unwrap();
        assert_eq!((first.location, second.location), (at(1, 1), at(5, 1)));
        assert!(keys.duplicate("description", None).is_none());
    }

    #[test]
    fn every_unknown_key_of_the_same_kind_of_mapping_is_found() {
        let keys = Keys::of("titel: a\nsources:\n  - id: x\n    shrt: y\n  - id: z\n    urll: w\ndat: 1\n").unwrap();
        let names = |found: Vec<&Key>| found.iter().map(|k| k.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(keys.unknown(at(1, 1), &["title", "sources", "date"])), ["titel", "dat"]);
        assert_eq!(names(keys.unknown(at(4, 5), &["id", "short", "url"])), ["shrt", "urll"]);
    }

    #[test]
    fn text_that_does_not_parse_has_no_keys() {
        assert!(Keys::of("a: [b\n").is_none());
    }
}
