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
mod provenance;
mod resolve;
mod tables;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Errors, Location, Result};
use crate::yaml;

pub use grid::Grid;
pub use provenance::{Computation, Operation, Part, Provenance};
use resolve::{RawComputed, RawEntry, RawFigure, resolve_figures};

/// Something from the data a page's Markdown shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Used {
    Figure(String),
    Table(String),
    Grid(String),
    /// The sources registry (every citation names sources from it).
    Sources,
    /// The list of what the site computes.
    Computed,
    /// Every figure (included Markdown, whose typed numbers are checked as it renders).
    AllFigures,
}

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
            Err(err) => errors.extend(err.0),
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
        // Each record is located by the YAML parser's position of its `id` (or of the record).
        let positions = yaml::Positions::of(text, 1);
        let origin = |list: &str, index: usize| origin_at(path, text, &positions, list, index);
        let mut seen = BTreeSet::new();
        for (index, source) in file.sources.into_iter().enumerate() {
            let at = origin("sources", index);
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
        raw_figures.extend(located(file.figures, |i| origin("figures", i)).map(|(o, f)| (o, RawEntry::Reported(f))));
        raw_figures.extend(located(file.computed, |i| origin("computed", i)).map(|(o, f)| (o, RawEntry::Computed(f))));
        raw_checks.extend(located(file.checks, |i| origin("checks", i)));
        raw_tables.extend(located(file.tables, |i| origin("tables", i)));
        raw_grids.extend(located(file.week_grids, |i| origin("week_grids", i)));
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
    figures.typeset();
    errors.into_result(figures)
}

/// Each of `records` with where it was written (`origin` of its index).
fn located<T>(records: Vec<T>, origin: impl Fn(usize) -> Origin) -> impl Iterator<Item = (Origin, T)> {
    records.into_iter().enumerate().map(move |(index, record)| (origin(index), record))
}

/// Where item `index` of the list `list` is in the data file `text`: the line of its `id` key, as
/// the YAML parser read it, else of the item itself.
fn origin_at(path: &Path, text: &str, positions: &yaml::Positions, list: &str, index: usize) -> Origin {
    let line = positions
        .get(&format!("{list}/{index}/id"))
        .or_else(|| positions.get(&format!("{list}/{index}")))
        .map_or(1, |location| location.line);
    let line_text = text.lines().nth(line - 1).unwrap_or_default().to_string();
    Origin { path: path.to_path_buf(), line, line_text }
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
    /// Gives every text that pages show (captions, labels, titles, notes) the curly quotes and
    /// dashes the page body gets, so that a caption's "England's" reads as the body's
    /// "England’s". Ids, numbers and units are left as written.
    fn typeset(&mut self) {
        let smart = |text: &mut String| *text = crate::typography::smart(text);
        for source in &mut self.sources {
            for text in [&mut source.short, &mut source.title, &mut source.covers] {
                smart(text);
            }
            source.publisher.iter_mut().for_each(smart);
            if let Some(inferred) = &mut source.inferred_publisher {
                smart(&mut inferred.value);
                smart(&mut inferred.from);
            }
            if let Some(inferred) = &mut source.inferred_date {
                smart(&mut inferred.from);
            }
        }
        for figure in self.figures.values_mut() {
            smart(&mut figure.label);
            figure.note.iter_mut().for_each(smart);
        }
        for table in self.tables.values_mut() {
            smart(&mut table.caption);
            smart(&mut table.row_header);
            for column in &mut table.columns {
                smart(&mut column.label);
                column.computed.iter_mut().for_each(smart);
            }
            for (label, _) in table.rows.iter_mut().chain(table.total.iter_mut()) {
                smart(label);
            }
            if let Some(chart) = &mut table.chart {
                smart(&mut chart.title);
                smart(&mut chart.summary);
            }
            table.note.iter_mut().for_each(smart);
        }
        for grid in self.grids.values_mut() {
            for text in [&mut grid.caption, &mut grid.plain_label, &mut grid.unsocial_label] {
                smart(text);
            }
            for scheme in &mut grid.schemes {
                smart(&mut scheme.label);
            }
        }
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Written forms of every figure value of three or more digits (`1,150` and `1150`), which
    /// prose must not type by hand.
    /// A hash of what a page that uses `used` shows of it: a figure, table or week grid by id,
    /// the sources registry, or every figure (for the list of what the site computes). `None`
    /// when there is no such thing. The rebuild cache reuses a page's Markdown only while the
    /// fingerprints of everything it used are the same.
    pub fn fingerprint(&self, used: &Used) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match used {
            // Where a record sits in its file is no part of what a page shows.
            Used::Figure(id) => {
                let figure = self.figures.get(id)?;
                let Figure { id, label, value, unit, as_of, qualifier, provenance, note, origin: _ } = figure;
                format!("{id:?}{label:?}{value:?}{unit:?}{as_of:?}{qualifier:?}{provenance:?}{note:?}")
                    .hash(&mut hasher);
            }
            Used::Table(id) => format!("{:?}", self.tables.get(id)?).hash(&mut hasher),
            Used::Grid(id) => format!("{:?}", self.grids.get(id)?).hash(&mut hasher),
            Used::Sources => format!("{:?}", self.sources).hash(&mut hasher),
            Used::Computed => html::computed_list(self).hash(&mut hasher),
            Used::AllFigures => {
                for figure in self.figures.values() {
                    format!("{figure:?}").hash(&mut hasher);
                }
            }
        }
        Some(hasher.finish())
    }

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
