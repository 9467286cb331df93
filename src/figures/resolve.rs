//! Figure records as written (`figures:` and `computed:`) -> `Figure`s: checks each reported
//! figure's sources and computes each computed figure from its parts, with its provenance. A
//! record with a key it must not have is refused while serde reads it, at that key's value. Pure.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::values::{self, Refused, refuse};
use super::{Computation, Figure, Figures, OneOrMany, Operation, Origin, Part, Provenance, Source};
use crate::error::{Errors, Result};

/// A number a report gives, under `figures:`.
// The `Refused` fields are never read: reading one is the error.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFigure {
    pub(super) id: String,
    label: String,
    #[serde(default, deserialize_with = "values::finite_number")]
    value: Option<serde_yaml::Number>,
    unit: String,
    #[serde(deserialize_with = "values::date")]
    as_of: String,
    #[serde(default)]
    qualifier: Option<String>,
    #[serde(default)]
    source: Option<OneOrMany>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, deserialize_with = "refuse_operation")]
    sum: Option<Refused>,
    #[serde(default, deserialize_with = "refuse_operation")]
    difference: Option<Refused>,
}

/// A number the site computes from other figures, under `computed:`. It has no `source`, `value`,
/// `as_of` or `qualifier` of its own: all of them follow from its parts.
// The `Refused` fields are never read: reading one is the error.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawComputed {
    pub(super) id: String,
    label: String,
    #[serde(default)]
    sum: Option<Vec<String>>,
    #[serde(default)]
    difference: Option<[String; 2]>,
    unit: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, deserialize_with = "refuse_source")]
    source: Option<Refused>,
    #[serde(default, deserialize_with = "refuse_value")]
    value: Option<Refused>,
    #[serde(default, deserialize_with = "refuse_as_of")]
    as_of: Option<Refused>,
    #[serde(default, deserialize_with = "refuse_qualifier")]
    qualifier: Option<Refused>,
}

fn refuse_operation<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refused>, D::Error> {
    refuse(
        d,
        "a figure under `figures:` is a number a report gives; move a figure with `sum` or `difference` under `computed:`, where it takes its sources from its parts",
    )
}

fn refuse_source<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refused>, D::Error> {
    refuse(
        d,
        "a computed figure cannot have a `source`: the site worked it out, and it is shown as computed from the figures it is made of; remove this line (a total a report gives belongs under `figures:`)",
    )
}

fn refuse_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refused>, D::Error> {
    refuse(
        d,
        "a computed figure's value is worked out from its parts; remove `value` (a number a report gives belongs under `figures:`)",
    )
}

fn refuse_as_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refused>, D::Error> {
    refuse(d, "a computed figure takes its date from the figures it is made of; remove `as_of`")
}

fn refuse_qualifier<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Refused>, D::Error> {
    refuse(
        d,
        "a computed figure is exact, so it takes no `qualifier`; words like “almost” belong to a number a report gives, under `figures:`",
    )
}

/// A figure record as written: a number a report gives, or one the site computes.
pub(super) enum RawEntry {
    Reported(RawFigure),
    Computed(RawComputed),
}

impl RawEntry {
    fn id(&self) -> &str {
        match self {
            RawEntry::Reported(figure) => &figure.id,
            RawEntry::Computed(figure) => &figure.id,
        }
    }
}

pub(super) fn resolve_figures(figures: &mut Figures, raw: Vec<(Origin, RawEntry)>, errors: &mut Errors) {
    let by_id: BTreeMap<&str, &(Origin, RawEntry)> = raw.iter().map(|r| (r.1.id(), r)).collect();
    if by_id.len() != raw.len() {
        let mut seen = BTreeSet::new();
        for (origin, entry) in &raw {
            if !seen.insert(entry.id()) {
                errors.push(
                    origin
                        .error(format!("the figure id `{}` is defined twice; give each figure its own id", entry.id())),
                );
            }
        }
    }
    let resolver = Resolver { by_id: &by_id, sources: &figures.sources };
    for (origin, entry) in &raw {
        match resolver.resolve(origin, entry, 0) {
            Ok(figure) => {
                figures.figures.insert(figure.id.clone(), figure);
            }
            Err(err) => errors.push(err),
        }
    }
}

/// Resolves figure records into `Figure`s, computing the computed ones from their parts.
struct Resolver<'a> {
    by_id: &'a BTreeMap<&'a str, &'a (Origin, RawEntry)>,
    sources: &'a [Source],
}

impl Resolver<'_> {
    fn in_registry_order(&self, mut ids: Vec<String>) -> Vec<String> {
        ids.sort_by_key(|id| self.sources.iter().position(|s| &s.id == id).unwrap_or(usize::MAX));
        ids.dedup();
        ids
    }

    fn resolve(&self, origin: &Origin, entry: &RawEntry, depth: usize) -> Result<Figure> {
        match entry {
            RawEntry::Reported(figure) => self.reported(origin, figure),
            RawEntry::Computed(figure) => self.computed(origin, figure, depth),
        }
    }

    fn reported(&self, origin: &Origin, figure: &RawFigure) -> Result<Figure> {
        let sources = figure.source.clone().map(OneOrMany::into_vec).unwrap_or_default();
        if sources.is_empty() {
            return Err(origin.error(format!(
                "the figure `{}` has no `source`; add the id of the report it comes from (a number the site computes goes under `computed:`)",
                figure.id
            )));
        }
        for id in &sources {
            if !self.sources.iter().any(|s| &s.id == id) {
                return Err(origin.error(format!(
                    "the figure `{}` cites `{id}`, which is not in the sources registry; add it under `sources:` or fix the id",
                    figure.id
                )));
            }
        }
        let value = figure.value.as_ref().and_then(serde_yaml::Number::as_f64).ok_or_else(|| {
            origin.error(format!(
                "the figure `{}` has no `value`; add the number the report gives (a number the site computes goes under `computed:`)",
                figure.id
            ))
        })?;
        Ok(Figure {
            id: figure.id.clone(),
            label: figure.label.clone(),
            value,
            unit: figure.unit.clone(),
            as_of: Some(figure.as_of.clone()),
            qualifier: figure.qualifier.clone(),
            provenance: Provenance::Reported { sources: self.in_registry_order(sources) },
            note: figure.note.clone(),
            origin: origin.clone(),
        })
    }

    fn computed(&self, origin: &Origin, figure: &RawComputed, depth: usize) -> Result<Figure> {
        if depth > 32 {
            return Err(origin.error(format!("the figure `{}` is computed from itself; break the loop", figure.id)));
        }
        let (operation, ids): (Operation, &[String]) = match (&figure.sum, &figure.difference) {
            (Some(ids), None) if !ids.is_empty() => (Operation::Sum, ids),
            (None, Some(pair)) => (Operation::Difference, pair),
            _ => {
                return Err(origin.error(format!(
                    "the computed figure `{}` needs exactly one of `sum: [a, b, ...]` or `difference: [a, b]`",
                    figure.id
                )));
            }
        };
        let mut parts = Vec::new();
        for id in ids {
            let (part_origin, part) = self.by_id.get(id.as_str()).ok_or_else(|| {
                origin.error(format!(
                    "`{}` uses the figure `{id}`, which is not defined; add it to the data or fix the id",
                    figure.id
                ))
            })?;
            parts.push(self.resolve(part_origin, part, depth + 1)?);
        }
        let value = match operation {
            Operation::Difference => parts[0].value - parts[1].value,
            _ => parts.iter().map(|p| p.value).sum(),
        };
        let first_date = parts[0].as_of.clone();
        let as_of = if parts.iter().all(|p| p.as_of == first_date) { first_date } else { None };
        let sources = self.in_registry_order(parts.iter().flat_map(|p| p.provenance.sources().to_vec()).collect());
        let parts =
            parts.iter().map(|p| Part { name: p.id.clone(), text: p.display(), computed: p.is_computed() }).collect();
        Ok(Figure {
            id: figure.id.clone(),
            label: figure.label.clone(),
            value,
            unit: figure.unit.clone(),
            as_of,
            qualifier: None,
            provenance: Provenance::Computed(Computation { operation, parts, sources }),
            note: figure.note.clone(),
            origin: origin.clone(),
        })
    }
}
