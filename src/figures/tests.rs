use super::*;

const SOURCES: &str = "sources:\n  - id: r\n    short: R\n    title: T\n    covers: C\n";

fn check(data: &str, expected: &str) {
    let files = vec![(PathBuf::from("content/_data/d.yaml"), format!("{SOURCES}{data}"))];
    let actual = match parse(&files) {
        Ok(figures) => {
            let mut out: Vec<String> =
                figures.figures.values().map(|f| format!("{}={} {:?}", f.id, f.display(), f.sources)).collect();
            for table in figures.tables.values() {
                for (label, cells) in table.rows.iter().chain(table.total.iter()) {
                    let texts: Vec<String> =
                        cells.iter().map(|c| c.as_ref().map_or("No data".to_string(), |c| c.text.clone())).collect();
                    out.push(format!("{}: {label} | {}", table.id, texts.join(" | ")));
                }
            }
            out.join("\n")
        }
        Err(errors) => errors.to_string(),
    };
    assert_eq!(actual, expected);
}

const AB: &str = "figures:\n  - id: a\n    label: A\n    value: 1150\n    unit: u\n    as_of: 2016-02-10\n    source: r\n  - id: b\n    label: B\n    value: 1036\n    unit: u\n    as_of: 2016-02-10\n    source: [r]\n";

#[test]
fn computed_figures_cite_their_parts() {
    check(
        &format!(
            "{AB}  - id: s\n    label: S\n    sum: [a, b]\n    unit: u\n    as_of: 2016-02\n  - id: d\n    label: D\n    difference: [a, b]\n    unit: u\n    as_of: 2016-02\n"
        ),
        "a=1,150 [\"r\"]\nb=1,036 [\"r\"]\nd=114 [\"r\"]\ns=2,186 [\"r\"]",
    );
}

#[test]
fn table_computes_columns_and_totals() {
    check(
        &format!(
            "{AB}tables:\n  - id: t\n    caption: C\n    row_header: R\n    columns:\n      - {{id: x, label: X}}\n      - {{id: y, label: Y}}\n      - {{id: z, label: Z, difference: [x, y]}}\n    rows:\n      - {{label: One, cells: {{x: a, y: b}}}}\n      - {{label: Two, cells: {{x: b}}}}\n    total: Total\n"
        ),
        "a=1,150 [\"r\"]\nb=1,036 [\"r\"]\nt: One | 1,150 | 1,036 | 114\nt: Two | 1,036 | No data | No data\nt: Total | 2,186 | No data | No data",
    );
}

#[test]
fn at_most_check_fails_with_both_numbers_and_the_line() {
    check(
        &format!("{AB}checks:\n  - id: c\n    figure: a\n    at_most: b\n"),
        "error: check `c` failed: `a` is 1,150 (content/_data/d.yaml:7) but `b` is 1,036 (content/_data/d.yaml:13); the first should be at most the second; correct the number in the data file or the check\n  --> content/_data/d.yaml:20:3\n   |\n20 |   - id: c\n   |   ^\n\nerror: the site has 1 error",
    );
}

#[test]
fn unknown_source_is_an_error_at_the_figure() {
    check(
        "figures:\n  - id: a\n    label: A\n    value: 1\n    unit: u\n    as_of: 2016\n    source: nope\n",
        "error: the figure `a` cites `nope`, which is not in the sources registry; add it under `sources:` or fix the id\n --> content/_data/d.yaml:7:3\n  |\n7 |   - id: a\n  |   ^\n\nerror: the site has 1 error",
    );
}

#[test]
fn numbers_and_dates_are_formatted_for_readers() {
    assert_eq!(format_number(1150.0), "1,150");
    assert_eq!(format_number(1234567.0), "1,234,567");
    assert_eq!(format_number(154.0), "154");
    assert_eq!(format_number(2.5), "2.5");
    assert_eq!(format_number(-114.0), "−114");
    assert_eq!(format_date("2016-02-10"), "10 February 2016");
    assert_eq!(format_date("2016-01"), "January 2016");
    assert_eq!(format_date("soon"), "soon");
}

#[test]
fn week_grid_counts_hours_from_the_rules() {
    let data = "week_grids:\n  - id: w\n    caption: C\n    plain_label: Plain\n    unsocial_label: Higher\n    schemes:\n      - id: now\n        label: Now\n        unsocial:\n          - {days: [mon, tue, wed, thu, fri], from: 0, to: 7}\n          - {days: [mon, tue, wed, thu, fri], from: 19, to: 24}\n          - {days: [sat, sun], from: 0, to: 24}\n      - id: later\n        label: Later\n        based_on: now\n        plain:\n          - {days: [sat], from: 0, to: 24}\n";
    let files = vec![(PathBuf::from("d.yaml"), format!("{SOURCES}{data}"))];
    let figures = parse(&files).unwrap();
    let grid = &figures.grids["w"];
    let totals: Vec<usize> = grid.schemes.iter().map(|s| s.unsocial_per_week()).collect();
    assert_eq!(totals, vec![108, 84]);
    assert_eq!(grid.schemes[0].unsocial_per_day(0), 12);
    assert_eq!(grid.schemes[1].unsocial_per_day(5), 0);
}
