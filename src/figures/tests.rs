use super::*;

const SOURCES: &str = "sources:\n  - id: r\n    short: R\n    title: T\n    covers: C\n";

fn check(data: &str, expected: &str) {
    let files = vec![(PathBuf::from("content/_data/d.yaml"), format!("{SOURCES}{data}"))];
    let actual = match parse(&files) {
        Ok(figures) => {
            let mut out: Vec<String> = figures
                .figures
                .values()
                .map(|f| format!("{}={} {}", f.id, f.display(), provenance(&f.provenance)))
                .collect();
            for table in figures.tables.values() {
                for (label, cells) in table.rows.iter().chain(table.total.iter()) {
                    let texts: Vec<String> = cells
                        .iter()
                        .map(|c| {
                            c.as_ref()
                                .map_or("No data".to_string(), |c| format!("{} {}", c.text, provenance(&c.provenance)))
                        })
                        .collect();
                    out.push(format!("{}: {label} | {}", table.id, texts.join(" | ")));
                }
            }
            out.join("\n")
        }
        Err(errors) => errors.to_string(),
    };
    assert_eq!(actual, expected);
}

/// `[r]` for a reported number, `sum([r])` for one computed from numbers of report `r`.
fn provenance(provenance: &Provenance) -> String {
    match provenance {
        Provenance::Reported { sources } => format!("{sources:?}"),
        Provenance::Computed(c) => format!("{}({:?})", c.operation.name(), c.sources),
    }
}

const AB: &str = "figures:\n  - id: a\n    label: A\n    value: 1150\n    unit: u\n    as_of: 2016-02-10\n    source: r\n  - id: b\n    label: B\n    value: 1036\n    unit: u\n    as_of: 2016-02-10\n    source: [r]\n";

#[test]
fn computed_figures_are_computed_from_the_reports_of_their_parts() {
    check(
        &format!(
            "{AB}computed:\n  - id: s\n    label: S\n    sum: [a, b]\n    unit: u\n  - id: d\n    label: D\n    difference: [s, b]\n    unit: u\n"
        ),
        "a=1,150 [\"r\"]\nb=1,036 [\"r\"]\nd=1,150 difference([\"r\"])\ns=2,186 sum([\"r\"])",
    );
}

#[test]
fn a_computed_figure_takes_its_date_from_its_parts() {
    let data = format!("{SOURCES}{AB}computed:\n  - {{id: s, label: S, sum: [a, b], unit: u}}\n");
    let figures = parse(&[(PathBuf::from("d.yaml"), data)]).unwrap();
    assert_eq!(figures.figures["s"].as_of.as_deref(), Some("2016-02-10"));
}

#[test]
fn a_computed_figure_with_a_source_is_an_error_at_the_source() {
    check(
        &format!("{AB}computed:\n  - id: s\n    label: S\n    sum: [a, b]\n    unit: u\n    source: r\n"),
        "error: a computed figure cannot have a `source`: the site worked it out, and it is shown as computed from the figures it is made of; remove this line (a total a report gives belongs under `figures:`)\n  --> content/_data/d.yaml:24:13\n   |\n24 |     source: r\n   |             ^\n\nerror: the site has 1 error",
    );
}

#[test]
fn a_reported_figure_with_a_sum_is_an_error_at_the_sum() {
    check(
        "figures:\n  - id: a\n    label: A\n    sum: [b, c]\n",
        "error: a figure under `figures:` is a number a report gives; move a figure with `sum` or `difference` under `computed:`, where it takes its sources from its parts\n --> content/_data/d.yaml:9:10\n  |\n9 |     sum: [b, c]\n  |          ^\n\nerror: the site has 1 error",
    );
}

#[test]
fn numbers_must_be_finite_and_dates_valid() {
    check(
        "figures:\n  - id: a\n    label: A\n    value: .nan\n",
        "error: `NaN` is not a finite number; write the number the report gives, such as `1150`\n --> content/_data/d.yaml:9:12\n  |\n9 |     value: .nan\n  |            ^\n\nerror: the site has 1 error",
    );
    check(
        "figures:\n  - id: a\n    label: A\n    value: 1\n    unit: u\n    as_of: 2026-13\n",
        "error: `2026-13` is not a date; write `YYYY-MM-DD`, `YYYY-MM` or `YYYY` with a real month and day, such as `2016-02-10` or `2016-01`\n  --> content/_data/d.yaml:11:12\n   |\n11 |     as_of: 2026-13\n   |            ^\n\nerror: the site has 1 error",
    );
}

#[test]
fn a_javascript_url_is_an_error_at_the_url() {
    let files = vec![(
        PathBuf::from("d.yaml"),
        "sources:\n  - id: r\n    short: R\n    title: T\n    url: \"javascript:alert(1)\"\n    covers: C\n"
            .to_string(),
    )];
    let errors = parse(&files).unwrap_err();
    assert_eq!(
        errors.0[0].to_string(),
        "error: `javascript:alert(1)` is not a URL picket links to; write an `https://` or `http://` address, a `mailto:` address, or a path on the site starting with `/`\n --> d.yaml:5:10\n  |\n5 |     url: \"javascript:alert(1)\"\n  |          ^"
    );
}

#[test]
fn table_computes_columns_and_totals() {
    check(
        &format!(
            "{AB}tables:\n  - id: t\n    caption: C\n    row_header: R\n    columns:\n      - {{id: x, label: X}}\n      - {{id: y, label: Y}}\n      - {{id: z, label: Z, difference: [x, y]}}\n    rows:\n      - {{label: One, cells: {{x: a, y: b}}}}\n      - {{label: Two, cells: {{x: b}}}}\n    total: Total\n"
        ),
        "a=1,150 [\"r\"]\nb=1,036 [\"r\"]\nt: One | 1,150 [\"r\"] | 1,036 [\"r\"] | 114 difference([\"r\"])\nt: Two | 1,036 [\"r\"] | No data | No data\nt: Total | 2,186 sum([\"r\"]) | No data | No data",
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
        "figures:\n  - id: a\n    label: A\n    value: 1\n    unit: u\n    as_of: 2016-02\n    source: nope\n",
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
