//! Every number the site computes is marked as computed wherever it renders, and never carries a
//! bare report citation: in prose, in tooltips, in tables (cells, columns, totals and the source
//! line), in week grids and in the list of what the site computes. Checked over the built HTML of
//! a small fixture and of the explainer itself, against what the data files define.

use std::collections::BTreeMap;
use std::path::Path;

use picket::config::{Config, Overrides};
use picket::figures::{Figures, Provenance, format_date};
use scraper::{ElementRef, Html, Selector};

use crate::support::fixture;

const CASE: scraper::CaseSensitivity = scraper::CaseSensitivity::CaseSensitive;

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// The HTML page files of the built site at `root`, by path, and its figures.
fn build(root: &Path) -> (BTreeMap<String, String>, Figures) {
    let config = Config::load(root, &Overrides::default()).unwrap();
    let figures = picket::figures::load(&config).unwrap();
    let built = picket::site::render(&config).unwrap_or_else(|e| panic!("{e}"));
    let pages = built
        .files
        .iter()
        .filter(|f| f.path.extension().is_some_and(|e| e == "html"))
        .map(|f| (f.path.display().to_string(), String::from_utf8(f.bytes().unwrap()).unwrap()))
        .collect();
    (pages, figures)
}

/// The nearest ancestor that is a block of prose: a citation never leaves it.
fn block_of(element: ElementRef) -> ElementRef {
    element
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| matches!(e.value().name(), "p" | "li" | "td" | "th" | "dd" | "blockquote" | "h2" | "h3" | "h4"))
        .unwrap_or(element)
}

/// Checks every rule over every page; returns what was checked, to prove the rules ran.
fn check_provenance(root: &Path) -> BTreeMap<&'static str, usize> {
    let (pages, figures) = build(root);
    let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, html) in &pages {
        let document = Html::parse_document(html);
        for element in document.select(&selector("[data-figure]")) {
            let id = element.value().attr("data-figure").unwrap();
            let figure = &figures.figures[id];
            let classes: Vec<&str> = element.value().classes().collect();
            let title = element.value().attr("title").unwrap_or("");
            let block = block_of(element).html();
            let in_list =
                element.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().has_class("computed-list", CASE));
            match &figure.provenance {
                Provenance::Computed(_) => {
                    *seen.entry("computed figures in prose or lists").or_default() += 1;
                    if !classes.contains(&"figure-computed") || element.value().attr("data-computed").is_none() {
                        problems.push(format!("{path}: computed `{id}` is not marked computed"));
                    }
                    if !in_list && !block.contains(&format!("data-computed-note=\"{id}\"")) {
                        problems.push(format!(
                            "{path}: computed `{id}` has no note saying what it was computed from: {block}"
                        ));
                    }
                    let says_computed = title.contains("our sum") || title.contains("our difference");
                    if !in_list && !says_computed {
                        problems.push(format!(
                            "{path}: the tooltip of computed `{id}` does not say it is computed: {title}"
                        ));
                    }
                }
                Provenance::Reported { sources } => {
                    *seen.entry("reported figures in prose").or_default() += 1;
                    if classes.contains(&"figure-computed") {
                        problems.push(format!("{path}: reported `{id}` is marked computed"));
                    }
                    if !sources.iter().any(|s| block.contains(&format!("href=\"#source-{s}\""))) {
                        problems.push(format!("{path}: `{id}` is not cited in its sentence: {block}"));
                    }
                    // The tooltip dates a figure by its own as-of date, never by another day.
                    let date = format_date(figure.as_of.as_deref().unwrap());
                    if !title.ends_with(&format!("as of {date}")) {
                        problems.push(format!("{path}: the tooltip of `{id}` does not date it {date}: {title}"));
                    }
                }
            }
        }
        for (id, table) in &figures.tables {
            let Some(element) = document.select(&selector(&format!("table#table-{id}"))).next() else { continue };
            let headers: Vec<String> = element.select(&selector("thead th")).map(|th| th.html()).collect();
            let rows: Vec<ElementRef> = element.select(&selector("tbody tr, tfoot tr")).collect();
            let all_rows = table.rows.iter().chain(table.total.iter());
            for ((label, cells), row) in all_rows.zip(&rows) {
                let row_header = row.select(&selector("th")).next().unwrap().html();
                let tds: Vec<ElementRef> = row.select(&selector("td")).collect();
                for (i, cell) in cells.iter().enumerate() {
                    let Some(cell) = cell else { continue };
                    let td = tds[i];
                    let marked = td.value().has_class("computed", CASE) && td.value().attr("data-computed").is_some();
                    let visibly =
                        [&headers[i + 1], &row_header, &td.html()].iter().any(|h| h.contains("computed-mark"));
                    match cell.provenance {
                        Provenance::Computed(_) => {
                            *seen.entry("computed table cells").or_default() += 1;
                            if !marked || !visibly {
                                problems.push(format!(
                                    "{path}: table `{id}`, row “{label}”, cell {i} is computed but not marked: {}",
                                    td.html()
                                ));
                            }
                        }
                        Provenance::Reported { .. } => {
                            *seen.entry("reported table cells").or_default() += 1;
                            if marked {
                                problems
                                    .push(format!("{path}: table `{id}`, row “{label}”, cell {i} is marked computed"));
                            }
                        }
                    }
                }
            }
            // The source line names only the reports of reported cells, and says what is computed.
            let wrap = element
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().has_class("table-wrap", CASE))
                .unwrap();
            let line = wrap.next_siblings().filter_map(ElementRef::wrap).find(|e| e.value().name() == "p").unwrap();
            let text: String = line.text().collect();
            let cells: Vec<&picket::figures::Cell> =
                table.rows.iter().chain(table.total.iter()).flat_map(|(_, c)| c.iter().flatten()).collect();
            let reported: Vec<&String> = cells
                .iter()
                .filter_map(|c| match &c.provenance {
                    Provenance::Reported { sources } => Some(sources),
                    Provenance::Computed(_) => None,
                })
                .flatten()
                .collect();
            let before_computed = text.split("Computed by this site").next().unwrap();
            for source in &figures.sources {
                let listed = before_computed.contains(&source.short);
                if listed != reported.contains(&&source.id) {
                    problems.push(format!("{path}: the source line of `{id}` gets {} wrong: {text}", source.short));
                }
            }
            let any_computed = cells.iter().any(|c| matches!(c.provenance, Provenance::Computed(_)));
            if any_computed != text.contains("Computed by this site, not given in the reports") {
                problems.push(format!("{path}: the source line of `{id}` does not say what is computed: {text}"));
            }
        }
        // Week grids: every hour count is marked as our count, and the grid says the counts are ours.
        for grid in document.select(&selector("div.week-grid")) {
            for count in grid.select(&selector(".week-count")) {
                if count.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().has_class("week-head", CASE)) {
                    continue;
                }
                *seen.entry("week grid counts").or_default() += 1;
                if count.value().attr("data-computed") != Some("count") {
                    problems.push(format!("{path}: a week grid count is not marked: {}", count.html()));
                }
            }
            let text: String = grid.text().collect();
            if !text.contains("this site’s own") && !text.to_lowercase().contains("our count") {
                problems.push(format!("{path}: the week grid does not say its counts are the site's own"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    seen
}

#[test]
fn computed_numbers_in_a_small_site_are_marked_wherever_they_render() {
    let seen = check_provenance(&fixture("build/provenance"));
    assert_eq!(seen["computed figures in prose or lists"], 4, "{seen:?}");
    assert_eq!(seen["computed table cells"], 3, "{seen:?}");
    assert!(seen["reported table cells"] >= 2, "{seen:?}");
}

#[test]
fn computed_numbers_in_the_explainer_are_marked_wherever_they_render() {
    let seen = check_provenance(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(seen["computed figures in prose or lists"] >= 3, "{seen:?}");
    assert!(seen["computed table cells"] >= 5, "{seen:?}");
    assert!(seen["week grid counts"] >= 16, "{seen:?}");
}
