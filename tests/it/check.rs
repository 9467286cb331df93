//! `picket check`: each gate on the final HTML, with a fixture that has exactly one fault.

use picket::config::{Config, Overrides};
use picket::error::Warning;

use crate::support::{copy_fixture, fixture, redact};

/// What `picket check` finds: `Ok` with the warnings, or the errors.
fn check_output(root: &std::path::Path) -> Result<String, String> {
    let overrides = Overrides { source_markers: true, ..Overrides::default() };
    let config = Config::load(root, &overrides).map_err(|e| e.to_string())?;
    let built = picket::site::render(&config).map_err(|e| e.to_string())?;
    let warnings = picket::checks::run(&config, &built).into_result().map_err(|e| redact(&e.to_string()))?;
    Ok(warnings.iter().map(|w| Warning(w).to_string()).collect::<Vec<_>>().join("\n\n"))
}

fn check_fault(case: &str) {
    let name = format!("check/{case}");
    match check_output(&fixture(&name)) {
        Ok(warnings) => panic!("{name} passed `picket check` but has a fault:\n{warnings}"),
        Err(error) => insta::assert_snapshot!(name.replace('/', "__"), error),
    }
}

#[test]
fn a_sound_site_passes_every_check() {
    assert_eq!(check_output(&fixture("check/good")), Ok(String::new()));
}

#[test]
fn link_from_a_template_to_a_missing_page() {
    check_fault("broken_template_link");
}

#[test]
fn link_to_a_missing_fragment() {
    check_fault("missing_fragment");
}

#[test]
fn a_broken_link_in_the_base_template_is_one_error_at_its_line() {
    check_fault("template_link_on_every_page");
}

#[test]
fn a_link_a_template_builds_from_front_matter_is_located_at_the_template() {
    check_fault("link_from_front_matter");
}

#[test]
fn link_outside_the_base_path() {
    check_fault("outside_base_path");
}

#[test]
fn two_h1_headings() {
    check_fault("two_h1");
}

#[test]
fn skipped_heading_level() {
    check_fault("skipped_heading");
}

#[test]
fn table_without_caption() {
    check_fault("table_without_caption");
}

#[test]
fn header_cell_without_scope() {
    check_fault("th_without_scope");
}

#[test]
fn chart_without_its_table() {
    check_fault("chart_without_table");
}

#[test]
fn page_without_lang() {
    check_fault("no_lang");
}

#[test]
fn head_heavier_than_the_first_round_trip() {
    let site = copy_fixture("check/good");
    let base = site.path().join("themes/t/templates/base.html");
    let css: String = (0..4000).map(|i| format!(".c{i}{{color:#{:06x}}}", i * 7919 % 0xffffff)).collect();
    let text = std::fs::read_to_string(&base).unwrap().replace("</head>", &format!("<style>{css}</style></head>"));
    std::fs::write(&base, text).unwrap();
    let error = check_output(site.path()).unwrap_err();
    assert!(error.contains("compressed, more than the 14600 of a first round trip"), "{error}");
}

#[test]
fn page_over_the_weight_budget() {
    let site = copy_fixture("check/good");
    // Text that does not compress: a simple pseudo-random sequence of words.
    let mut state: u64 = 1;
    let words: Vec<String> = (0..60_000)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            format!("{:x}", state >> 40)
        })
        .collect();
    std::fs::write(site.path().join("content/big.md"), format!("---\ntitle: Big\n---\n{}\n", words.join(" "))).unwrap();
    let error = check_output(site.path()).unwrap_err();
    assert!(error.contains(" --> content/big.md\n"), "{error}");
    assert!(error.contains("more than the budget of 102400; split it into several pages"), "{error}");
}

#[test]
fn the_explainer_passes_every_check() {
    assert_eq!(check_output(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))), Ok(String::new()));
}

#[test]
fn rule_levels_turn_errors_into_warnings_or_off() {
    // `one_h1: warn` prints the second h1 at its Markdown line; `heading_order: off` skips the
    // `####` after it. Neither fails the check.
    let warnings = check_output(&fixture("check/levels")).expect("warnings do not fail `picket check`");
    insta::assert_snapshot!("check__levels", warnings);
}

#[test]
fn the_explainer_keeps_every_rule_an_error() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(root, &Overrides::default()).unwrap();
    let error = picket::checks::Level::Error;
    let levels = config.checks;
    assert_eq!(
        [
            levels.one_h1,
            levels.heading_order,
            levels.table_caption,
            levels.th_scope,
            levels.chart_beside_table,
            levels.lang,
            levels.weight_budget
        ],
        [error; 7]
    );
}
