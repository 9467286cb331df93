//! Every error fixture: the rendered error, with its path:line:col, is snapshotted.

use crate::support::failure;

fn check_error(case: &str) {
    let name = format!("errors/{case}");
    insta::assert_snapshot!(name.replace('/', "__"), failure(&name));
}

#[test]
fn malformed_yaml() {
    check_error("malformed_yaml");
}

#[test]
fn front_matter_without_closing_fence() {
    check_error("unclosed_front_matter");
}

#[test]
fn missing_title() {
    check_error("missing_title");
}

#[test]
fn unknown_front_matter_key_gets_a_hint() {
    check_error("unknown_front_matter_key");
}

#[test]
fn unknown_site_key_gets_a_hint() {
    check_error("unknown_site_key");
}

#[test]
fn unknown_highlight_theme_gets_a_hint() {
    check_error("unknown_highlight_theme");
}

#[test]
fn tera_syntax_error_points_into_the_template() {
    check_error("tera_syntax_error");
}

#[test]
fn undefined_template_variable() {
    check_error("undefined_template_variable");
}

#[test]
fn missing_template() {
    check_error("missing_template");
}

#[test]
fn link_to_missing_md_file() {
    check_error("link_missing_md");
}

#[test]
fn link_to_missing_anchor() {
    check_error("link_missing_anchor");
}

#[test]
fn unknown_shortcode() {
    check_error("unknown_shortcode");
}

#[test]
fn bad_shortcode_argument() {
    check_error("bad_shortcode_argument");
}

#[test]
fn two_pages_on_one_url() {
    check_error("two_pages_one_url");
}

#[test]
fn file_that_is_not_utf8() {
    check_error("not_utf8");
}

#[test]
fn output_folder_is_content() {
    check_error("output_is_content");
}

#[test]
fn unknown_figure_id_gets_a_hint() {
    check_error("unknown_figure");
}

#[test]
fn broken_check_names_both_numbers_and_the_data_line() {
    check_error("check_fails");
}

#[test]
fn number_from_the_data_typed_by_hand() {
    check_error("typed_number");
}

#[test]
fn every_error_of_a_build_is_reported() {
    check_error("many_errors");
}

#[test]
fn computed_figure_given_a_source() {
    check_error("computed_with_source");
}

#[test]
fn javascript_url_in_the_data() {
    check_error("javascript_url");
}

#[test]
fn number_that_is_not_finite() {
    check_error("nan_value");
}

#[test]
fn as_of_that_is_not_a_date() {
    check_error("bad_as_of");
}

#[test]
fn page_notice_of_the_wrong_type() {
    check_error("notice_wrong_type");
}

#[test]
fn site_notice_of_the_wrong_type() {
    check_error("site_notice_wrong_type");
}

#[test]
fn figure_citing_a_report_that_does_not_give_it() {
    check_error("cite_not_a_source");
}

#[test]
fn duplicate_yaml_key_is_located_at_the_duplicate() {
    check_error("duplicate_yaml_key");
}

#[test]
fn every_unknown_key_of_every_file_is_reported() {
    check_error("every_unknown_key");
}

#[test]
fn a_date_with_month_13_says_so() {
    check_error("date_out_of_range");
}

#[test]
fn a_tag_with_no_letters_is_located_at_the_tags_line() {
    check_error("tag_without_letters");
}

#[test]
fn unknown_include_and_filter_are_located_in_the_template() {
    check_error("unknown_include");
}

#[test]
fn a_template_extending_a_missing_one_is_located_at_its_extends() {
    check_error("missing_parent");
}

#[test]
fn a_missing_theme_names_the_themes_there_are() {
    check_error("missing_theme");
}

#[test]
fn unknown_check_rules_are_errors_at_their_lines() {
    check_error("unknown_check_rule");
}

#[test]
fn an_unknown_check_level_gets_a_hint() {
    check_error("unknown_check_level");
}

#[test]
fn every_error_of_a_build_is_reported_at_once() {
    // Issue 11: a page whose front matter is wrong no longer hides the errors of the other
    // pages, and links to it are not reported as well (nor a missing home page, when it is the
    // home page that could not be read).
    check_error("every_error_at_once");
}

#[test]
fn a_figure_id_used_twice_in_one_file_is_located_at_the_second() {
    // Records are located by the YAML parser's positions, not by searching the text for
    // `id: apples`, which found the first.
    check_error("figure_id_twice_in_one_file");
}
