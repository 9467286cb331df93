//! Stage 3: data files in `content/_data/` -> `Figures`: the sources registry, figures, checks,
//! tables and week grids.
//!
//! Numbers are defined once here and referenced from prose, tables and charts. Computed figures
//! and table columns are derived, never typed. Declared checks run at load and fail with the data
//! file's path:line. `load` reads the files; `parse` and everything after it are pure. The HTML
//! that tables, charts and grids become lives in `figures/html.rs` and `figures/grid.rs`.

mod checks;
pub mod citations;
pub mod grid;
pub mod html;
mod tables;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Errors, Location, Result};
use crate::yaml;
use values::{Refused, refuse};

pub use grid::Grid;

/// A report the site's facts come from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    /// Short name used in citation links.
    pub short: String,
    pub title: String,
    /// The publisher, only when the report names itself as published by it.
    #[serde(default)]
    pub publisher: Option<String>,
    /// A publisher the site infers, and from what.
    #[serde(default)]
    pub inferred_publisher: Option<Inferred>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, only when the report states it.
    #[serde(default, deserialize_with = "values::some_date")]
    pub date: Option<String>,
    /// A date the site infers from the report's words, and from what.
    #[serde(default)]
    pub inferred_date: Option<InferredDate>,
    /// `http(s)`, `mailto:` or site-relative: the sources list links to it.
    #[serde(default, deserialize_with = "values::link_url")]
    pub url: Option<String>,
    pub covers: String,
}

/// A publisher the site works out rather than reads: the name and what it is inferred from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Inferred {
    pub value: String,
    /// What the inference rests on, in a sentence readers can check against the report.
    pub from: String,
}

/// A date the site works out rather than reads (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), and from what.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InferredDate {
    #[serde(deserialize_with = "values::date")]
    pub value: String,
    /// What the inference rests on, in a sentence readers can check against the report.
    pub from: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// A number a report gives, under `figures:`.
// The `Refused` fields are never read: reading one is the error.
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    id: String,
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
struct RawComputed {
    id: String,
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    figures: Vec<RawFigure>,
    #[serde(default)]
    computed: Vec<RawComputed>,
    #[serde(default)]
    checks: Vec<checks::RawCheck>,
    #[serde(default)]
    tables: Vec<tables::RawTable>,
    #[serde(default)]
    week_grids: Vec<grid::RawGrid>,
}

/// Where a record was written, for errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: PathBuf,
    pub line: usize,
    pub line_text: String,
}

impl Origin {
    fn error(&self, message: impl Into<String>) -> Error {
        let column = self.line_text.len() - self.line_text.trim_start().len() + 1;
        Error {
            path: Some(self.path.clone()),
            location: Some(Location { line: self.line, column }),
            message: message.into(),
            source_line: Some(self.line_text.clone()),
        }
    }
}

/// Where a number comes from: a report, or the site's own arithmetic. A computed number never
/// has sources of its own, only the sources of what it is computed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Provenance {
    /// Given by the reports with these ids, in registry order.
    Reported { sources: Vec<String> },
    /// Worked out by the site.
    Computed(Computation),
}

impl Provenance {
    /// The reports behind the number, at any depth, in registry order.
    pub fn sources(&self) -> &[String] {
        match self {
            Provenance::Reported { sources } => sources,
            Provenance::Computed(computation) => &computation.sources,
        }
    }

    pub fn computation(&self) -> Option<&Computation> {
        match self {
            Provenance::Reported { .. } => None,
            Provenance::Computed(computation) => Some(computation),
        }
    }
}

/// How the site worked a number out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Sum,
    Difference,
    /// Counted from rules (the hours of a week grid).
    Count,
}

impl Operation {
    /// What a computed number is called where it appears: `our sum`, `our difference`, `our count`.
    pub fn mark_words(self) -> &'static str {
        match self {
            Operation::Sum => "our sum",
            Operation::Difference => "our difference",
            Operation::Count => "our count",
        }
    }

    /// `sum`, `difference`, `count`: for `data-computed` attributes and messages.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Sum => "sum",
            Operation::Difference => "difference",
            Operation::Count => "count",
        }
    }
}

/// A computed number: the operation, what it is made of, and the reports those come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Computation {
    pub operation: Operation,
    pub parts: Vec<Part>,
    /// The reports behind the parts, at any depth, in registry order.
    pub sources: Vec<String>,
}

/// One number a computation is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The figure id, or the column and row a table cell comes from.
    pub name: String,
    /// The number as readers see it.
    pub text: String,
    /// Whether the part is itself computed.
    pub computed: bool,
}

impl Computation {
    /// For editors' messages: "the sum of `a` and `b`".
    pub fn how(&self) -> String {
        let names: Vec<String> = self.parts.iter().map(|p| format!("`{}`", p.name)).collect();
        match self.operation {
            Operation::Sum => format!("the sum of {}", and_list(&names)),
            Operation::Difference => names.join(" minus "),
            Operation::Count => format!("a count from {}", and_list(&names)),
        }
    }
}

/// A number with its unit, date and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub id: String,
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// `YYYY-MM-DD` or `YYYY-MM`. A computed figure has the date its parts share, or none.
    pub as_of: Option<String>,
    pub qualifier: Option<String>,
    pub provenance: Provenance,
    pub note: Option<String>,
    pub origin: Origin,
}

impl Figure {
    /// The number as readers see it: `1,150`, `almost 3,000`.
    pub fn display(&self) -> String {
        match &self.qualifier {
            Some(q) => format!("{q} {}", format_number(self.value)),
            None => format_number(self.value),
        }
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.provenance, Provenance::Computed(_))
    }
}

/// One cell of a generated table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: f64,
    pub text: String,
    pub provenance: Provenance,
}

/// A table whose cells come from figures; computed columns and the total row are derived here.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: String,
    pub caption: String,
    pub row_header: String,
    pub columns: Vec<Column>,
    /// Row label and one cell per column (`None`: no data).
    pub rows: Vec<(String, Vec<Option<Cell>>)>,
    pub total: Option<(String, Vec<Option<Cell>>)>,
    pub chart: Option<Chart>,
    pub note: Option<String>,
    /// Every report behind the table's cells, computed ones included, in registry order.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: String,
    pub label: String,
    pub unit: Option<String>,
    /// How the column is computed, for the note under the table; `None` when its cells are
    /// figures.
    pub computed: Option<String>,
    /// The operation of a computed column.
    pub operation: Option<Operation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Indexes into the table's columns.
    pub columns: Vec<usize>,
    pub title: String,
    pub summary: String,
}

/// Everything the data files define.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub sources: Vec<Source>,
    pub figures: BTreeMap<String, Figure>,
    pub tables: BTreeMap<String, Table>,
    pub grids: BTreeMap<String, Grid>,
    /// The data files read, relative to the root.
    pub files: Vec<PathBuf>,
}

pub const DATA_DIR: &str = "_data";

/// Reads every `*.yaml` / `*.yml` file in `content/_data/`.
pub fn load(config: &Config) -> Result<Figures, Errors> {
    parse(&read(config)?)
}

/// The `(path, text)` of every data file, paths relative to the root.
pub fn read(config: &Config) -> Result<Vec<(PathBuf, String)>, Errors> {
    // Only the files directly in `_data/` are data; the walk also refuses links that lead outside.
    let walked = crate::content::walk(config, &config.content_dir.join(DATA_DIR), crate::content::Skip::EditorFiles);
    let mut errors = Errors(walked.errors);
    let mut texts = Vec::new();
    for found in walked.files {
        let is_data = found.inside.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !is_data || found.inside.components().count() != 1 {
            continue;
        }
        match crate::content::read_text_as(&found.absolute, &found.relative) {
            Ok(text) => texts.push((found.relative, text)),
            Err(err) => errors.push(err),
        }
    }
    errors.into_result(texts)
}

/// Parses and validates data files given as `(path, text)`.
pub fn parse(files: &[(PathBuf, String)]) -> Result<Figures, Errors> {
    let mut errors = Errors::default();
    let mut data = Vec::new();
    for (path, text) in files {
        match yaml::parse::<DataFile>(path, text, text, 1) {
            Ok(file) => data.push((path.as_path(), text.as_str(), file)),
            Err(err) => errors.push(err),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut figures = Figures { files: files.iter().map(|(p, _)| p.clone()).collect(), ..Figures::default() };
    let mut raw_figures = Vec::new();
    let mut raw_checks = Vec::new();
    let mut raw_tables = Vec::new();
    let mut raw_grids = Vec::new();
    for (path, text, file) in data {
        let origin = |id: &str| origin_of(path, text, id);
        let mut seen = BTreeSet::new();
        for source in file.sources {
            let at = origin(&source.id);
            if !seen.insert(source.id.clone()) || figures.sources.iter().any(|s| s.id == source.id) {
                errors.push(
                    at.error(format!("the source id `{}` is defined twice; give each source its own id", source.id)),
                );
            }
            if source.date.is_some() && source.inferred_date.is_some() {
                errors.push(at.error(format!(
                    "the source `{}` has both `date` and `inferred_date`; keep `date` if the report states it, else `inferred_date`",
                    source.id
                )));
            }
            if source.publisher.is_some() && source.inferred_publisher.is_some() {
                errors.push(at.error(format!(
                    "the source `{}` has both `publisher` and `inferred_publisher`; keep `publisher` if the report names it, else `inferred_publisher`",
                    source.id
                )));
            }
            figures.sources.push(source);
        }
        raw_figures.extend(file.figures.into_iter().map(|f| (origin(&f.id), RawEntry::Reported(f))));
        raw_figures.extend(file.computed.into_iter().map(|f| (origin(&f.id), RawEntry::Computed(f))));
        raw_checks.extend(file.checks.into_iter().map(|c| (origin(&c.id), c)));
        raw_tables.extend(file.tables.into_iter().map(|t| (origin(&t.id), t)));
        raw_grids.extend(file.week_grids.into_iter().map(|g| (origin(&g.id), g)));
    }
    resolve_figures(&mut figures, raw_figures, &mut errors);
    for (origin, check) in &raw_checks {
        if let Err(err) = checks::run_check(&figures, origin, check) {
            errors.push(err);
        }
    }
    for (origin, raw) in raw_tables {
        match tables::resolve_table(&figures, &origin, raw) {
            Ok(table) => {
                if figures.tables.insert(table.id.clone(), table).is_some() {
                    errors.push(origin.error("this table id is used twice; give each table its own id"));
                }
            }
            Err(err) => errors.push(err),
        }
    }
    for (origin, raw) in raw_grids {
        match grid::resolve(&figures.sources, &origin, raw) {
            Ok(grid) => {
                figures.grids.insert(grid.id.clone(), grid);
            }
            Err(err) => errors.push(err),
        }
    }
    errors.into_result(figures)
}

/// The line of the record `- id: <id>` (or `id: <id>`) in `text`.
fn origin_of(path: &Path, text: &str, id: &str) -> Origin {
    let found = text.lines().enumerate().find(|(_, line)| {
        let line = line.trim_start().trim_start_matches("- ").trim_start();
        line.strip_prefix("id:").is_some_and(|rest| rest.trim().trim_matches(['"', '\'']) == id)
    });
    let (index, line) = found.unwrap_or((0, text.lines().next().unwrap_or("")));
    Origin { path: path.to_path_buf(), line: index + 1, line_text: line.to_string() }
}

/// A figure record as written: a number a report gives, or one the site computes.
enum RawEntry {
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

fn resolve_figures(figures: &mut Figures, raw: Vec<(Origin, RawEntry)>, errors: &mut Errors) {
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

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

/// `1150` -> `1,150`; decimals keep what the value holds.
pub fn format_number(value: f64) -> String {
    let negative = value < 0.0;
    let text = if value.fract() == 0.0 { format!("{}", value.abs() as i64) } else { format!("{}", value.abs()) };
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if negative { "−" } else { "" };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `2016-02-10` -> `10 February 2016`, `2016-01` -> `January 2016`; anything else unchanged.
pub fn format_date(text: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = text.split('-').collect();
    let month = |m: &str| m.parse::<usize>().ok().filter(|m| (1..=12).contains(m)).map(|m| MONTHS[m - 1]);
    match parts.as_slice() {
        [year, m] if year.len() == 4 => month(m).map_or(text.to_string(), |m| format!("{m} {year}")),
        [year, m, day] if year.len() == 4 => match (month(m), day.parse::<u32>()) {
            (Some(m), Ok(day)) => format!("{day} {m} {year}"),
            _ => text.to_string(),
        },
        _ => text.to_string(),
    }
}

impl Figures {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Written forms of every figure value of three or more digits (`1,150` and `1150`), which
    /// prose must not type by hand.
    pub fn typed_forms(&self) -> Vec<(String, &Figure)> {
        let mut forms = Vec::new();
        for figure in self.figures.values() {
            if figure.value.fract() != 0.0 || figure.value.abs() < 100.0 {
                continue;
            }
            let plain = format!("{}", figure.value.abs() as i64);
            let grouped = format_number(figure.value.abs());
            if grouped != plain {
                forms.push((grouped, figure));
            }
            forms.push((plain, figure));
        }
        forms
    }
}

#[cfg(test)]
mod tests;
