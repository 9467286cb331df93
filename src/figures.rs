//! Stage 3: data files in `content/_data/` -> `Figures`: the sources registry, figures, checks,
//! tables and week grids.
//!
//! Numbers are defined once here and referenced from prose, tables and charts. Computed figures
//! and table columns are derived, never typed. Declared checks run at load and fail with the data
//! file's path:line. `load` reads the files; `parse` and everything after it are pure. The HTML
//! that tables, charts and grids become lives in `figures/html.rs` and `figures/grid.rs`.

mod checks;
pub mod grid;
pub mod html;
mod tables;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Errors, Location, Result};
use crate::yaml;

pub use grid::Grid;

/// A report the site's facts come from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    /// Short name used in citation links.
    pub short: String,
    pub title: String,
    #[serde(default)]
    pub publisher: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM`, only when the report states it.
    #[serde(default, deserialize_with = "some_date")]
    pub date: Option<String>,
    /// `http(s)`, `mailto:` or site-relative: the sources list links to it.
    #[serde(default, deserialize_with = "link_url")]
    pub url: Option<String>,
    pub covers: String,
}

/// Reads a URL a page will link to: `http(s)://`, `mailto:` or a path on the site (`/report.pdf`).
/// Anything else (`javascript:`, `data:`) could run script or hide content behind a link.
fn link_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    yaml::checked_string(deserializer, |url| {
        let lower = url.trim().to_ascii_lowercase();
        let site_relative = lower.starts_with('/') && !lower.starts_with("//");
        if ["https://", "http://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme)) || site_relative {
            return Ok(());
        }
        Err(format!(
            "`{}` is not a URL picket links to; write an `https://` or `http://` address, a `mailto:` address, or a path on the site starting with `/`",
            url.escape_debug()
        ))
    })
    .map(Some)
}

/// Reads a number that is finite: `.nan` and `.inf` are YAML numbers but no count or amount.
fn finite_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<serde_yaml::Number>, D::Error> {
    struct Finite;

    impl serde::de::Visitor<'_> for Finite {
        type Value = serde_yaml::Number;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number")
        }

        fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<Self::Value, E> {
            Ok(number.into())
        }

        fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<Self::Value, E> {
            Ok(number.into())
        }

        fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<Self::Value, E> {
            if number.is_finite() {
                return Ok(number.into());
            }
            Err(E::custom(yaml::own_message(&format!(
                "`{number}` is not a finite number; write the number the report gives, such as `1150`"
            ))))
        }
    }

    deserializer.deserialize_any(Finite).map(Some)
}

/// Reads a date written `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, checking that it exists.
fn date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    yaml::checked_string(deserializer, |text| {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |part: &str, digits: usize| (part.len() == digits).then(|| part.parse::<i16>().ok()).flatten();
        let valid = match parts.as_slice() {
            [year] => number(year, 4).is_some(),
            [year, month] => number(year, 4).is_some() && number(month, 2).is_some_and(|m| (1..=12).contains(&m)),
            [_, _, _] => text.parse::<jiff::civil::Date>().is_ok(),
            _ => false,
        };
        if valid {
            return Ok(());
        }
        Err(format!(
            "`{}` is not a date; write `YYYY-MM-DD`, `YYYY-MM` or `YYYY` with a real month and day, such as `2016-02-10` or `2016-01`",
            text.escape_debug()
        ))
    })
}

fn some_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    date(deserializer).map(Some)
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    id: String,
    label: String,
    #[serde(default, deserialize_with = "finite_number")]
    value: Option<serde_yaml::Number>,
    #[serde(default)]
    sum: Option<Vec<String>>,
    #[serde(default)]
    difference: Option<[String; 2]>,
    unit: String,
    #[serde(deserialize_with = "date")]
    as_of: String,
    #[serde(default)]
    qualifier: Option<String>,
    #[serde(default)]
    source: Option<OneOrMany>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    figures: Vec<RawFigure>,
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

/// A number with its unit, date and sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub id: String,
    pub label: String,
    pub value: f64,
    pub unit: String,
    pub as_of: String,
    pub qualifier: Option<String>,
    /// Source ids, in registry order; a computed figure cites the sources of its parts.
    pub sources: Vec<String>,
    /// How a computed figure was derived, e.g. "sum of a and b"; `None` when typed in the data.
    pub computed: Option<String>,
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
}

/// One cell of a generated table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: f64,
    pub text: String,
    pub sources: Vec<String>,
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
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: String,
    pub label: String,
    pub unit: Option<String>,
    /// How the column is computed, for the note under the table.
    pub computed: Option<String>,
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
            if !seen.insert(source.id.clone()) || figures.sources.iter().any(|s| s.id == source.id) {
                errors.push(
                    origin(&source.id)
                        .error(format!("the source id `{}` is defined twice; give each source its own id", source.id)),
                );
            }
            figures.sources.push(source);
        }
        raw_figures.extend(file.figures.into_iter().map(|f| (origin(&f.id), f)));
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

fn resolve_figures(figures: &mut Figures, raw: Vec<(Origin, RawFigure)>, errors: &mut Errors) {
    let source_ids: Vec<&str> = figures.sources.iter().map(|s| s.id.as_str()).collect();
    let order = |id: &str| source_ids.iter().position(|s| *s == id).unwrap_or(usize::MAX);
    let by_id: BTreeMap<&str, &(Origin, RawFigure)> = raw.iter().map(|r| (r.1.id.as_str(), r)).collect();
    if by_id.len() != raw.len() {
        let mut seen = BTreeSet::new();
        for (origin, figure) in &raw {
            if !seen.insert(&figure.id) {
                errors.push(
                    origin
                        .error(format!("the figure id `{}` is defined twice; give each figure its own id", figure.id)),
                );
            }
        }
    }
    for (origin, figure) in &raw {
        match resolve_figure(&by_id, origin, figure, &source_ids, 0) {
            Ok((value, mut sources, computed)) => {
                sources.sort_by_key(|s| order(s));
                sources.dedup();
                figures.figures.insert(
                    figure.id.clone(),
                    Figure {
                        id: figure.id.clone(),
                        label: figure.label.clone(),
                        value,
                        unit: figure.unit.clone(),
                        as_of: figure.as_of.clone(),
                        qualifier: figure.qualifier.clone(),
                        sources,
                        computed,
                        note: figure.note.clone(),
                        origin: origin.clone(),
                    },
                );
            }
            Err(err) => errors.push(err),
        }
    }
}

type Resolved = (f64, Vec<String>, Option<String>);

fn resolve_figure(
    by_id: &BTreeMap<&str, &(Origin, RawFigure)>,
    origin: &Origin,
    figure: &RawFigure,
    source_ids: &[&str],
    depth: usize,
) -> Result<Resolved> {
    if depth > 32 {
        return Err(origin.error(format!("the figure `{}` is computed from itself; break the loop", figure.id)));
    }
    let part = |id: &str| -> Result<Resolved> {
        let (part_origin, part) = by_id.get(id).ok_or_else(|| {
            origin.error(format!(
                "`{}` uses the figure `{id}`, which is not defined; add it to the data or fix the id",
                figure.id
            ))
        })?;
        resolve_figure(by_id, part_origin, part, source_ids, depth + 1)
    };
    let (value, mut sources, computed) = match (&figure.value, &figure.sum, &figure.difference) {
        (Some(value), None, None) => (value.as_f64().unwrap_or(f64::NAN), Vec::new(), None),
        (None, Some(ids), None) if !ids.is_empty() => {
            let mut total = 0.0;
            let mut sources = Vec::new();
            for id in ids {
                let (value, part_sources, _) = part(id)?;
                total += value;
                sources.extend(part_sources);
            }
            (total, sources, Some(format!("the sum of {}", quoted_list(ids))))
        }
        (None, None, Some([a, b])) => {
            let (a_value, mut sources, _) = part(a)?;
            let (b_value, b_sources, _) = part(b)?;
            sources.extend(b_sources);
            (a_value - b_value, sources, Some(format!("`{a}` minus `{b}`")))
        }
        _ => {
            return Err(
                origin.error(format!("the figure `{}` needs exactly one of `value`, `sum` or `difference`", figure.id))
            );
        }
    };
    let own: Vec<String> = figure.source.clone().map(OneOrMany::into_vec).unwrap_or_default();
    if own.is_empty() && computed.is_none() {
        return Err(
            origin.error(format!("the figure `{}` has no `source`; add the id of the report it comes from", figure.id))
        );
    }
    for id in &own {
        if !source_ids.contains(&id.as_str()) {
            return Err(origin.error(format!(
                "the figure `{}` cites `{id}`, which is not in the sources registry; add it under `sources:` or fix the id",
                figure.id
            )));
        }
    }
    sources.extend(own);
    Ok((value, sources, computed))
}

fn quoted_list(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
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
