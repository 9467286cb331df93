//! Figures, tables, charts and the sources list as HTML. Pure string building.
//!
//! Tables follow the public-page standard: a caption, `th scope` on every header cell, units in
//! headers, right-aligned numerals, no empty cells and a source line underneath. A table with
//! two or more data columns carries its column header on every cell (`data-label`), so the theme
//! can stack its rows on a narrow screen, each number under its label, and stay a real table.
//! Charts are inline SVG drawn from the same cells; their caption is the only text a screen
//! reader gets for them, so nothing is read twice.

use pulldown_cmark_escape::escape_html;

use super::{Cell, Column, Computation, Figure, Figures, Operation, Provenance, Table, and_list, format_date};

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Links to the page's sources list, e.g. `(<a href="#source-report-2">Report 2</a>)`.
pub fn citation(figures: &Figures, source_ids: &[String]) -> String {
    let links = citation_names(figures, source_ids);
    if links.is_empty() {
        return String::new();
    }
    format!("<span class=\"cite\">({links})</span>")
}

/// Names of sources, in plain text: `Report 1 and Report 2`.
pub fn source_names(figures: &Figures, source_ids: &[String]) -> String {
    let names: Vec<String> = source_ids.iter().filter_map(|id| figures.source(id)).map(|s| s.short.clone()).collect();
    and_list(&names)
}

fn number_word(n: usize) -> String {
    const WORDS: [&str; 11] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    WORDS.get(n).map_or_else(|| n.to_string(), |w| w.to_string())
}

/// How the site worked a number out, in words, as plain text (escape it for HTML):
/// "our sum of two figures from Report 1 and Report 2".
pub fn computed_phrase(figures: &Figures, computation: &Computation) -> String {
    let from = match source_names(figures, &computation.sources) {
        names if names.is_empty() => String::new(),
        names => format!(" from {names}"),
    };
    if computation.operation == Operation::Count {
        return format!("our count{}", from.replacen(" from ", ", from the rules in ", 1));
    }
    let n = computation.parts.len();
    let n_computed = computation.parts.iter().filter(|p| p.computed).count();
    let what = match (n_computed, computation.operation) {
        (0, _) => format!("{} figures", number_word(n)),
        (c, _) if c == n => format!("{} figures we computed", number_word(n)),
        _ => format!("{} figures, some of them computed by us", number_word(n)),
    };
    let operation = match computation.operation {
        Operation::Difference => "our difference between",
        _ => "our sum of",
    };
    let from = if n_computed > 0 { from.replacen(" from ", ", all from ", 1) } else { from };
    format!("{operation} {what}{from}")
}

/// The visible mark a computed number or heading carries in generated HTML, e.g.
/// `<span class="computed-mark">our sum</span>`.
pub fn computed_mark(operation: Operation) -> String {
    format!("<span class=\"computed-mark\">{}</span>", operation.mark_words())
}

/// A figure in prose: the number, marked computed when the site worked it out, with a tooltip
/// that says what it counts and when (or how it was computed). Its citation is placed at the
/// end of its sentence by `citations::place`: the reports `cite` names (all of the figure's
/// sources when empty), or, for a computed figure, what it was computed from.
pub fn figure(figures: &Figures, figure: &Figure, cite: &[String]) -> String {
    let (class, computed, title) = match &figure.provenance {
        Provenance::Reported { .. } => {
            let date = figure.as_of.as_deref().map(format_date);
            let title = date.map_or(figure.label.clone(), |d| format!("{}, as of {d}", figure.label));
            ("figure-value", String::new(), title)
        }
        Provenance::Computed(computation) => (
            "figure-value figure-computed",
            format!(" data-computed=\"{}\"", computation.operation.name()),
            format!("{}: {}", figure.label, computed_phrase(figures, computation)),
        ),
    };
    format!(
        "<span class=\"{class}\" data-figure=\"{}\"{computed} title=\"{}\">{}</span>{}",
        escape(&figure.id),
        escape(&title),
        escape(&figure.display()),
        super::citations::marker(figure, cite)
    )
}

/// The reports a `{{ figure(id="...", cite="report-2") }}` call cites: those `cite` names
/// (comma-separated, each one of the figure's sources), else all of them. The error says what
/// to write.
pub fn cited_sources(figure: &Figure, cite: Option<&serde_json::Value>) -> Result<Vec<String>, String> {
    let Some(cite) = cite else { return Ok(Vec::new()) };
    let sources = figure.provenance.sources();
    let Provenance::Reported { .. } = figure.provenance else {
        return Err(format!("`{}` is computed, so it cites what it was computed from; remove `cite`", figure.id));
    };
    let listed = sources.join(", ");
    if cite.as_bool() == Some(false) {
        return Err(
            "every figure is cited at the end of its sentence, so `cite=false` is no longer needed; remove it (or name the reports its sentence rests on, as cite=\"report-1\")".to_string()
        );
    }
    let Some(text) = cite.as_str() else {
        return Err(format!(
            "`cite` takes the ids of the reports this sentence rests on, such as cite=\"{}\"",
            sources.first().map_or("report-1", String::as_str)
        ));
    };
    let mut ids = Vec::new();
    for id in text.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        if !sources.iter().any(|s| s == id) {
            return Err(format!(
                "`cite` names `{id}`, which is not a source of the figure `{}`; cite one or more of its sources: {listed}",
                figure.id
            ));
        }
        ids.push(id.to_string());
    }
    if ids.is_empty() {
        return Err(format!("`cite` is empty; name one or more of the figure's sources: {listed}"));
    }
    Ok(ids)
}

/// A column heading; a computed column says so: `Difference (procedures; our difference)`.
fn header(column: &Column) -> String {
    let label = escape(&column.label);
    let mark = column.operation.map(computed_mark);
    match (column.unit.as_deref(), mark) {
        (Some(unit), Some(mark)) => format!("{label} ({}; {mark})", escape(unit)),
        (Some(unit), None) => format!("{label} ({})", escape(unit)),
        (None, Some(mark)) => format!("{label} ({mark})"),
        (None, None) => label,
    }
}

/// A column heading as plain text (escaped), for `data-label`: `Difference (procedures; our difference)`.
fn header_text(column: &Column) -> String {
    let words = column.operation.map(Operation::mark_words);
    let text = match (column.unit.as_deref(), words) {
        (Some(unit), Some(words)) => format!("{} ({unit}; {words})", column.label),
        (Some(unit), None) => format!("{} ({unit})", column.label),
        (None, Some(words)) => format!("{} ({words})", column.label),
        (None, None) => column.label.clone(),
    };
    escape(&text)
}

/// A data cell; `label` is its column's header in plain text, repeated for the stacked layout.
/// A computed cell is marked (`class="computed"`, `data-computed`) and, when neither its column
/// nor its row heading says it is computed, carries the mark itself.
fn cell(cell: Option<&Cell>, label: &str, heading_says_computed: bool) -> String {
    let Some(cell) = cell else {
        return format!("<td class=\"num\" data-label=\"{label}\">No data</td>");
    };
    match cell.provenance.computation() {
        None => format!("<td class=\"num\" data-label=\"{label}\">{}</td>", escape(&cell.text)),
        Some(computation) => {
            let mark = if heading_says_computed {
                String::new()
            } else {
                format!(" ({})", computed_mark(computation.operation))
            };
            format!(
                "<td class=\"num computed\" data-computed=\"{}\" data-label=\"{label}\">{}{mark}</td>",
                computation.operation.name(),
                escape(&cell.text)
            )
        }
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
    // Each cell repeats its column's heading as plain text, for the stacked layout.
    let labels: Vec<String> = table.columns.iter().map(header_text).collect();
    for column in &table.columns {
        html.push_str(&format!("<th scope=\"col\" class=\"num\">{}</th>", header(column)));
    }
    html.push_str("</tr>\n</thead>\n<tbody>\n");
    for (label, cells) in &table.rows {
        html.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(label)));
        for ((column, c), label) in table.columns.iter().zip(cells).zip(&labels) {
            html.push_str(&cell(c.as_ref(), label, column.computed.is_some()));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n");
    if let Some((label, cells)) = &table.total {
        html.push_str(&format!(
            "<tfoot>\n<tr><th scope=\"row\">{} ({})</th>",
            escape(label),
            computed_mark(Operation::Sum)
        ));
        for (c, label) in cells.iter().zip(&labels) {
            html.push_str(&cell(c.as_ref(), label, true));
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

/// The line under a table: the reports its reported cells come from, then what the site
/// computed and from what. A computed cell never adds a report to "Source:".
fn source_line(figures: &Figures, table: &Table) -> String {
    let mut reported: Vec<String> = Vec::new();
    let mut computed_cells: Vec<String> = Vec::new();
    for (row, cells) in &table.rows {
        for (column, c) in table.columns.iter().zip(cells) {
            let Some(c) = c else { continue };
            match &c.provenance {
                Provenance::Reported { sources } => {
                    for source in sources {
                        if !reported.contains(source) {
                            reported.push(source.clone());
                        }
                    }
                }
                // Cells of computed columns are described once, by their column, below.
                Provenance::Computed(computation) if column.computed.is_none() => computed_cells.push(format!(
                    "{} (“{}”, “{}”) is {}",
                    escape(&c.text),
                    escape(row),
                    escape(&column.label),
                    escape(&computed_phrase(figures, computation))
                )),
                Provenance::Computed(_) => {}
            }
        }
    }
    reported.sort_by_key(|id| figures.sources.iter().position(|s| &s.id == id));
    let mut line = String::from("<p class=\"source\">");
    if !reported.is_empty() {
        line.push_str(&format!("Source: {}.", citation_names(figures, &reported)));
    }
    let mut computed: Vec<String> = table
        .columns
        .iter()
        .filter_map(|c| c.computed.as_ref().map(|how| format!("“{}” is {}, row by row", escape(&c.label), escape(how))))
        .collect();
    if let Some((label, _)) = &table.total {
        computed.push(format!("“{}” adds up the rows", escape(label)));
    }
    computed.extend(computed_cells);
    if !computed.is_empty() {
        if !reported.is_empty() {
            line.push(' ');
        }
        line.push_str(&format!("Computed by this site, not given in the reports: {}.", computed.join("; ")));
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

/// The whole sources registry, for the sources page: each report with what it states about
/// itself and, marked as inferred, what the site works out about it.
pub fn source_list(figures: &Figures) -> String {
    let mut html = String::from("<ol class=\"source-list\">\n");
    for source in &figures.sources {
        html.push_str(&format!("<li><p><strong>{}</strong>: {}.</p>\n", escape(&source.short), escape(&source.title)));
        match (&source.publisher, &source.inferred_publisher) {
            (Some(publisher), _) => html.push_str(&format!("<p>Publisher: {}.</p>\n", escape(publisher))),
            (None, Some(inferred)) => html.push_str(&format!(
                "<p>Publisher: the report does not name one. <span class=\"inferred\">Inferred: {}.</span> {}</p>\n",
                escape(&inferred.value),
                escape(&inferred.from)
            )),
            (None, None) => html.push_str("<p>Publisher: the report does not name one.</p>\n"),
        }
        match (&source.date, &source.inferred_date) {
            (Some(date), _) => html.push_str(&format!("<p>Published {}.</p>\n", escape(&format_date(date)))),
            (None, Some(inferred)) => html.push_str(&format!(
                "<p>Date: the report does not give one. <span class=\"inferred\">Inferred: {}.</span> {}</p>\n",
                escape(&format_date(&inferred.value)),
                escape(&inferred.from)
            )),
            (None, None) => html.push_str("<p>Date: the report does not give one.</p>\n"),
        }
        if let Some(url) = &source.url {
            html.push_str(&format!("<p><a href=\"{}\">{}</a></p>\n", escape(url), escape(url)));
        }
        html.push_str(&format!("<p>{}</p></li>\n", escape(&source.covers)));
    }
    html.push_str("</ol>\n");
    html
}

/// Everything the site computes rather than reads, for the sources page: each computed figure
/// with its parts, each table's computed columns and totals, and each week grid's hour counts.
pub fn computed_list(figures: &Figures) -> String {
    let mut items = Vec::new();
    for figure in figures.figures.values() {
        let Provenance::Computed(computation) = &figure.provenance else { continue };
        let parts: Vec<String> = computation
            .parts
            .iter()
            .map(|part| match figures.figures.get(&part.name) {
                Some(f) => format!("{} ({})", escape(&part.text), escape(&lower_first(&f.label))),
                None => escape(&part.text),
            })
            .collect();
        let how = match computation.operation {
            Operation::Difference => format!("It is {}", parts.join(" minus ")),
            _ => format!("It adds up {}", and_list(&parts)),
        };
        let from = match source_names(figures, &computation.sources) {
            names if names.is_empty() => String::new(),
            names => format!(", from {}", escape(&names)),
        };
        items.push(format!(
            "<li><span class=\"figure-value figure-computed\" data-figure=\"{}\" data-computed=\"{}\">{}</span> ({}): {}. {how}{from}.</li>",
            escape(&figure.id),
            computation.operation.name(),
            escape(&figure.display()),
            computed_mark(computation.operation),
            escape(&lower_first(&figure.label)),
        ));
    }
    for table in figures.tables.values() {
        let mut parts: Vec<String> = table
            .columns
            .iter()
            .filter_map(|c| {
                c.computed
                    .as_ref()
                    .map(|how| format!("the column “{}” is {}, row by row", escape(&c.label), escape(how)))
            })
            .collect();
        if let Some((label, _)) = &table.total {
            parts.push(format!("the row “{}” adds up the rows", escape(label)));
        }
        for (row, cells) in &table.rows {
            for (column, c) in table.columns.iter().zip(cells) {
                if let (None, Some(Provenance::Computed(_))) = (&column.computed, c.as_ref().map(|c| &c.provenance)) {
                    let text = c.as_ref().map_or("", |c| c.text.as_str());
                    parts.push(format!(
                        "{} in “{}”, “{}” is a computed figure (above)",
                        escape(text),
                        escape(row),
                        escape(&column.label)
                    ));
                }
            }
        }
        if !parts.is_empty() {
            items.push(format!("<li>In the table “{}”: {}.</li>", escape(&table.caption), parts.join("; ")));
        }
    }
    for grid in figures.grids.values() {
        let sources: Vec<String> = {
            let mut ids: Vec<String> = grid.schemes.iter().flat_map(|s| s.sources.clone()).collect();
            ids.sort_by_key(|id| figures.sources.iter().position(|s| &s.id == id));
            ids.dedup();
            ids
        };
        let from = match source_names(figures, &sources) {
            names if names.is_empty() => String::new(),
            names => format!(", as reported in {}", escape(&names)),
        };
        items.push(format!(
            "<li>In the week grid “{}”, the hours of each day and each week that are “{}” are {}: we counted them from the rules{from}.</li>",
            escape(&grid.caption),
            escape(&grid.unsocial_label),
            computed_mark(Operation::Count),
        ));
    }
    if items.is_empty() {
        return "<p>This site computes no numbers of its own.</p>\n".to_string();
    }
    format!("<ul class=\"computed-list\">\n{}\n</ul>\n", items.join("\n"))
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep capitals that start a name or an acronym: "NHS England", "BMA".
        Some(first) if chars.clone().next().is_some_and(|c| c.is_lowercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}
