//! Tables from data: rows of figures, computed columns (`sum`, `difference`) and a total row,
//! derived here and never typed. Pure; `figures::html` turns a `Table` into HTML.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Cell, Chart, Column, Figure, Figures, Origin, Table, format_number};
use crate::error::Result;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawColumn {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub sum: Option<Vec<String>>,
    #[serde(default)]
    pub difference: Option<[String; 2]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRow {
    label: String,
    cells: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChart {
    pub columns: Vec<String>,
    pub title: String,
    pub summary: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTable {
    pub(crate) id: String,
    caption: String,
    row_header: String,
    columns: Vec<RawColumn>,
    rows: Vec<RawRow>,
    #[serde(default)]
    total: Option<String>,
    #[serde(default)]
    chart: Option<RawChart>,
    #[serde(default)]
    note: Option<String>,
}

pub(crate) fn resolve_table(figures: &Figures, origin: &Origin, raw: RawTable) -> Result<Table> {
    let column_index = |id: &str| raw.columns.iter().position(|c| c.id == id);
    let mut columns = Vec::new();
    for column in &raw.columns {
        let computed = match (&column.sum, &column.difference) {
            (None, None) => None,
            (Some(ids), None) => Some(format!("the sum of the columns {}", ids.join(", "))),
            (None, Some([a, b])) => {
                Some(format!("“{}” minus “{}”", label_of(&raw.columns, a), label_of(&raw.columns, b)))
            }
            (Some(_), Some(_)) => {
                return Err(
                    origin.error(format!("the column `{}` has both `sum` and `difference`; keep one", column.id))
                );
            }
        };
        for id in column.sum.iter().flatten().chain(column.difference.iter().flatten()) {
            if column_index(id).is_none() {
                return Err(origin.error(format!(
                    "the column `{}` uses the column `{id}`, which the table does not have",
                    column.id
                )));
            }
        }
        columns.push(Column {
            id: column.id.clone(),
            label: column.label.clone(),
            unit: column.unit.clone(),
            computed,
        });
    }
    let mut rows = Vec::new();
    for row in &raw.rows {
        for (column, figure) in &row.cells {
            if column_index(column).is_none() {
                return Err(origin.error(format!(
                    "the row “{}” has a cell for `{column}`, which is not a column of the table",
                    row.label
                )));
            }
            if !figures.figures.contains_key(figure) {
                return Err(
                    origin.error(format!("the row “{}” uses the figure `{figure}`, which is not defined", row.label))
                );
            }
        }
        let typed: Vec<Option<Cell>> =
            raw.columns.iter().map(|c| row.cells.get(&c.id).map(|id| cell_of(&figures.figures[id]))).collect();
        rows.push((row.label.clone(), compute_columns(&raw.columns, typed)));
    }
    let total = raw.total.as_ref().map(|label| {
        let cells = (0..columns.len())
            .map(|i| {
                let parts: Option<Vec<&Cell>> = rows.iter().map(|(_, cells)| cells[i].as_ref()).collect();
                parts.map(|parts| computed_cell(parts.iter().map(|c| c.value).sum(), &parts))
            })
            .collect();
        (label.clone(), cells)
    });
    let chart = match raw.chart {
        None => None,
        Some(chart) => {
            let indexes: Option<Vec<usize>> = chart.columns.iter().map(|c| column_index(c)).collect();
            let Some(indexes) = indexes.filter(|i| !i.is_empty()) else {
                return Err(
                    origin.error("the chart names a column the table does not have; use the ids under `columns`")
                );
            };
            Some(Chart { columns: indexes, title: chart.title, summary: chart.summary })
        }
    };
    let mut sources: Vec<String> = Vec::new();
    for cell in rows.iter().flat_map(|(_, cells)| cells.iter().flatten()) {
        for source in &cell.sources {
            if !sources.contains(source) {
                sources.push(source.clone());
            }
        }
    }
    sources.sort_by_key(|id| figures.sources.iter().position(|s| &s.id == id));
    Ok(Table {
        id: raw.id,
        caption: raw.caption,
        row_header: raw.row_header,
        columns,
        rows,
        total,
        chart,
        note: raw.note,
        sources,
    })
}

fn label_of<'a>(columns: &'a [RawColumn], id: &'a str) -> &'a str {
    columns.iter().find(|c| c.id == id).map_or(id, |c| c.label.as_str())
}

fn cell_of(figure: &Figure) -> Cell {
    Cell { value: figure.value, text: figure.display(), sources: figure.sources.clone() }
}

fn computed_cell(value: f64, parts: &[&Cell]) -> Cell {
    let mut sources: Vec<String> = Vec::new();
    for source in parts.iter().flat_map(|c| &c.sources) {
        if !sources.contains(source) {
            sources.push(source.clone());
        }
    }
    Cell { value, text: format_number(value), sources }
}

/// Fills computed columns of one row from its typed cells.
fn compute_columns(columns: &[RawColumn], mut cells: Vec<Option<Cell>>) -> Vec<Option<Cell>> {
    for (i, column) in columns.iter().enumerate() {
        let index = |id: &String| columns.iter().position(|c| &c.id == id);
        let value = match (&column.sum, &column.difference) {
            (Some(ids), _) => {
                let parts: Option<Vec<Cell>> = ids.iter().map(|id| index(id).and_then(|j| cells[j].clone())).collect();
                parts.map(|p| computed_cell(p.iter().map(|c| c.value).sum(), &p.iter().collect::<Vec<_>>()))
            }
            (None, Some([a, b])) => {
                match (index(a).and_then(|j| cells[j].clone()), index(b).and_then(|j| cells[j].clone())) {
                    (Some(a), Some(b)) => Some(computed_cell(a.value - b.value, &[&a, &b])),
                    _ => None,
                }
            }
            (None, None) => continue,
        };
        cells[i] = value;
    }
    cells
}
