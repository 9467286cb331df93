//! Tables from data: rows of figures, computed columns (`sum`, `difference`) and a total row,
//! derived here and never typed. Pure; `figures::html` turns a `Table` into HTML.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    Cell, Chart, Column, Computation, Figure, Figures, Operation, Origin, Part, Provenance, Table, format_number,
};
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
            (Some(ids), None) => {
                let labels: Vec<String> = ids.iter().map(|id| format!("“{}”", label_of(&raw.columns, id))).collect();
                Some(format!("the sum of {}", super::and_list(&labels)))
            }
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
            operation: match (&column.sum, &column.difference) {
                (Some(_), _) => Some(Operation::Sum),
                (None, Some(_)) => Some(Operation::Difference),
                (None, None) => None,
            },
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
        rows.push((row.label.clone(), compute_columns(figures, &raw.columns, &row.label, typed)));
    }
    let total = raw.total.as_ref().map(|label| {
        let cells = (0..columns.len())
            .map(|i| {
                let parts: Option<Vec<(String, &Cell)>> =
                    rows.iter().map(|(row, cells)| cells[i].as_ref().map(|c| (row.clone(), c))).collect();
                parts.map(|parts| computed_cell(figures, Operation::Sum, parts.iter().map(|(n, c)| (n.clone(), *c))))
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
    let cells = rows.iter().chain(total.iter()).flat_map(|(_, cells)| cells.iter().flatten());
    let sources = in_registry_order(figures, cells.flat_map(|c| c.provenance.sources().to_vec()).collect());
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

fn in_registry_order(figures: &Figures, mut ids: Vec<String>) -> Vec<String> {
    ids.sort_by_key(|id| figures.sources.iter().position(|s| &s.id == id).unwrap_or(usize::MAX));
    ids.dedup();
    ids
}

fn cell_of(figure: &Figure) -> Cell {
    Cell { value: figure.value, text: figure.display(), provenance: figure.provenance.clone() }
}

/// A cell the table computes from `parts`, each named by where it sits (row or column label).
fn computed_cell<'a>(figures: &Figures, operation: Operation, parts: impl Iterator<Item = (String, &'a Cell)>) -> Cell {
    let parts: Vec<(String, &Cell)> = parts.collect();
    let value = match operation {
        Operation::Difference => parts[0].1.value - parts[1].1.value,
        _ => parts.iter().map(|(_, c)| c.value).sum(),
    };
    let sources = in_registry_order(figures, parts.iter().flat_map(|(_, c)| c.provenance.sources().to_vec()).collect());
    let parts = parts
        .iter()
        .map(|(name, c)| Part {
            name: name.clone(),
            text: c.text.clone(),
            computed: matches!(c.provenance, Provenance::Computed(_)),
        })
        .collect();
    Cell {
        value,
        text: format_number(value),
        provenance: Provenance::Computed(Computation { operation, parts, sources }),
    }
}

/// Fills computed columns of one row from its typed cells.
fn compute_columns(
    figures: &Figures,
    columns: &[RawColumn],
    row: &str,
    mut cells: Vec<Option<Cell>>,
) -> Vec<Option<Cell>> {
    for (i, column) in columns.iter().enumerate() {
        let (operation, ids): (Operation, Vec<&String>) = match (&column.sum, &column.difference) {
            (Some(ids), _) => (Operation::Sum, ids.iter().collect()),
            (None, Some(pair)) => (Operation::Difference, pair.iter().collect()),
            (None, None) => continue,
        };
        let parts: Option<Vec<(String, Cell)>> = ids
            .iter()
            .map(|id| {
                let j = columns.iter().position(|c| &c.id == *id)?;
                let cell = cells[j].clone()?;
                Some((format!("{row}: {}", columns[j].label), cell))
            })
            .collect();
        cells[i] = parts.map(|parts| computed_cell(figures, operation, parts.iter().map(|(n, c)| (n.clone(), c))));
    }
    cells
}
