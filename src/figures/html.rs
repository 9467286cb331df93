//! Figures, tables, charts and the sources list as HTML. Pure string building.
//!
//! Tables follow the public-page standard: a caption, `th scope` on every header cell, units in
//! headers, right-aligned numerals, no empty cells and a source line underneath. A table with
//! two or more data columns carries its column header on every cell (`data-label`), so the theme
//! can stack its rows on a narrow screen, each number under its label, and stay a real table.
//! Charts are inline SVG drawn from the same cells; their caption is the only text a screen
//! reader gets for them, so nothing is read twice.

use pulldown_cmark_escape::escape_html;

use super::{Cell, Figure, Figures, Table, format_date};

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Links to the page's sources list, e.g. `(<a href="#source-report-2">Report 2</a>)`.
pub fn citation(figures: &Figures, source_ids: &[String]) -> String {
    let links: Vec<String> = source_ids
        .iter()
        .filter_map(|id| figures.source(id))
        .map(|s| format!("<a href=\"#source-{}\">{}</a>", escape(&s.id), escape(&s.short)))
        .collect();
    if links.is_empty() {
        return String::new();
    }
    format!("<span class=\"cite\">(<span class=\"visually-hidden\">source: </span>{})</span>", links.join(", "))
}

/// A figure in prose: the number and its citation.
pub fn figure(figures: &Figures, figure: &Figure, cite: bool) -> String {
    let title = format!("{}, {}", figure.label, format_date(&figure.as_of));
    let number = format!(
        "<span class=\"figure-value\" data-figure=\"{}\" title=\"{}\">{}</span>",
        escape(&figure.id),
        escape(&title),
        escape(&figure.display())
    );
    if cite { format!("{number} {}", citation(figures, &figure.sources)) } else { number }
}

fn header(label: &str, unit: Option<&str>) -> String {
    match unit {
        Some(unit) => format!("{} ({})", escape(label), escape(unit)),
        None => escape(label),
    }
}

/// A data cell; `label` is its column's header, repeated for the stacked layout.
fn cell(cell: Option<&Cell>, label: &str) -> String {
    match cell {
        Some(cell) => format!("<td class=\"num\" data-label=\"{label}\">{}</td>", escape(&cell.text)),
        None => format!("<td class=\"num\" data-label=\"{label}\">No data</td>"),
    }
}

/// The table, its chart when it has one, and the source line.
pub fn table(figures: &Figures, table: &Table) -> String {
    let id = escape(&table.id);
    // One data column fits any screen as it is; more are stacked on narrow screens.
    let class = if table.columns.len() > 1 { "data-table stack" } else { "data-table" };
    let mut html = format!(
        "<div class=\"table-wrap\">\n<table class=\"{class}\" id=\"table-{id}\">\n<caption>{}</caption>\n<thead>\n<tr><th scope=\"col\">{}</th>",
        escape(&table.caption),
        escape(&table.row_header)
    );
    let labels: Vec<String> = table.columns.iter().map(|c| header(&c.label, c.unit.as_deref())).collect();
    for label in &labels {
        html.push_str(&format!("<th scope=\"col\" class=\"num\">{label}</th>"));
    }
    html.push_str("</tr>\n</thead>\n<tbody>\n");
    for (label, cells) in &table.rows {
        html.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(label)));
        for (c, column) in cells.iter().zip(&labels) {
            html.push_str(&cell(c.as_ref(), column));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n");
    if let Some((label, cells)) = &table.total {
        html.push_str(&format!("<tfoot>\n<tr><th scope=\"row\">{}</th>", escape(label)));
        for (c, column) in cells.iter().zip(&labels) {
            html.push_str(&cell(c.as_ref(), column));
        }
        html.push_str("</tr>\n</tfoot>\n");
    }
    html.push_str("</table>\n</div>\n");
    html.push_str(&source_line(figures, table));
    if let Some(chart) = &table.chart {
        html.push_str(&self::chart(table, chart));
    }
    html
}

fn source_line(figures: &Figures, table: &Table) -> String {
    let mut line = format!("<p class=\"source\">Source: {}.", citation_names(figures, &table.sources));
    let mut computed: Vec<String> = table
        .columns
        .iter()
        .filter_map(|c| c.computed.as_ref().map(|how| format!("“{}” is {}", escape(&c.label), escape(how))))
        .collect();
    if let Some((label, _)) = &table.total {
        computed.push(format!("“{}” adds up the rows", escape(label)));
    }
    if !computed.is_empty() {
        line.push_str(&format!(" Computed by this site from the reported figures: {}.", computed.join("; ")));
    }
    if let Some(note) = &table.note {
        line.push_str(&format!(" {}", escape(note)));
    }
    line.push_str("</p>\n");
    line
}

fn citation_names(figures: &Figures, ids: &[String]) -> String {
    let names: Vec<String> = ids
        .iter()
        .filter_map(|id| figures.source(id))
        .map(|s| format!("<a href=\"#source-{}\">{}</a>", escape(&s.id), escape(&s.short)))
        .collect();
    names.join(", ")
}

/// Colours for chart series: each has at least 3:1 contrast on white, and every bar is labelled
/// in text, so no meaning rests on colour alone.
pub const SERIES_COLOURS: [&str; 3] = ["#1d4f91", "#8a4b08", "#3d6b35"];

const CHART_WIDTH: f64 = 400.0;
const BAR_HEIGHT: f64 = 18.0;
const LINE: f64 = 20.0;

/// A horizontal bar chart of the chosen columns, one group of bars per row, labelled directly.
pub fn chart(table: &Table, chart: &super::Chart) -> String {
    let max = table
        .rows
        .iter()
        .flat_map(|(_, cells)| chart.columns.iter().filter_map(|&i| cells[i].as_ref().map(|c| c.value)))
        .fold(0.0_f64, f64::max);
    let mut body = String::new();
    let mut y = 0.0;
    for (label, cells) in &table.rows {
        y += LINE;
        body.push_str(&format!("<text x=\"0\" y=\"{y}\" class=\"chart-row\">{}</text>\n", escape(label)));
        for (series, &column) in chart.columns.iter().enumerate() {
            let Some(cell) = &cells[column] else { continue };
            let name = &table.columns[column].label;
            y += LINE;
            body.push_str(&format!(
                "<text x=\"0\" y=\"{}\">{}: {}</text>\n",
                y - 4.0,
                escape(name),
                escape(&cell.text)
            ));
            let width = if max > 0.0 { (cell.value / max * CHART_WIDTH).max(1.0) } else { 1.0 };
            body.push_str(&format!(
                "<rect x=\"0\" y=\"{y}\" width=\"{width:.1}\" height=\"{BAR_HEIGHT}\" fill=\"{}\"/>\n",
                SERIES_COLOURS[series % SERIES_COLOURS.len()]
            ));
            y += BAR_HEIGHT + 4.0;
        }
        y += 8.0;
    }
    let id = escape(&table.id);
    // The caption is the chart's text for everyone; the SVG only says what kind of picture it is,
    // so a screen reader does not hear the title and summary twice.
    format!(
        "<figure class=\"chart\" id=\"chart-{id}\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Bar chart\" \
         viewBox=\"0 0 {CHART_WIDTH} {y}\" width=\"{CHART_WIDTH}\" height=\"{y}\" font-size=\"15\" fill=\"#0b0c0c\">\n{body}</svg>\n\
         <figcaption><span class=\"chart-title\">{}.</span> {} The numbers are in the table “{}”.</figcaption>\n</figure>\n",
        escape(&chart.title),
        escape(&chart.summary),
        escape(&table.caption),
    )
}

/// The whole sources registry, for the sources page.
pub fn source_list(figures: &Figures) -> String {
    let mut html = String::from("<ol class=\"source-list\">\n");
    for source in &figures.sources {
        html.push_str(&format!("<li><p><strong>{}</strong>: {}", escape(&source.short), escape(&source.title)));
        if let Some(publisher) = &source.publisher {
            html.push_str(&format!(". Publisher: {}", escape(publisher)));
        }
        match &source.date {
            Some(date) => html.push_str(&format!(". Published {}", escape(&format_date(date)))),
            None => html.push_str(". The report does not give its publication date"),
        }
        html.push_str(".</p>\n");
        if let Some(url) = &source.url {
            html.push_str(&format!("<p><a href=\"{}\">{}</a></p>\n", escape(url), escape(url)));
        }
        html.push_str(&format!("<p>{}</p></li>\n", escape(&source.covers)));
    }
    html.push_str("</ol>\n");
    html
}
