//! Links, heading ids, Markdown extensions and shortcodes as writers from GitHub, mdBook, Zola
//! and Hugo expect them: each fixture that must build is snapshotted whole, each real mistake as
//! its located error.

use picket::config::Overrides;

use crate::support::{built, failure};

fn check_site(name: &str) {
    insta::assert_snapshot!(name.replace('/', "__"), built(name, &Overrides::default()));
}

fn check_error(case: &str) {
    let name = format!("errors/{case}");
    insta::assert_snapshot!(name.replace('/', "__"), failure(&name));
}

#[test]
fn raw_html_ids_and_names_and_theme_ids_are_anchors() {
    check_site("links/raw_html_anchors");
}

#[test]
fn percent_encoded_paths_and_anchors_are_decoded_once() {
    check_site("links/percent_encoding");
}

#[test]
fn queries_on_files_and_pages_are_kept_and_not_looked_up() {
    check_site("links/queries");
}

#[test]
fn pages_linked_by_their_url_relative_or_absolute_with_or_without_the_base_path() {
    check_site("links/page_urls");
}

#[test]
fn content_root_links_in_zolas_form_and_as_absolute_md_paths() {
    check_site("links/content_root");
}

#[test]
fn heading_ids_are_githubs_by_default() {
    check_site("links/heading_ids_github");
}

#[test]
fn heading_ids_can_be_zolas() {
    check_site("links/heading_ids_zola");
}

#[test]
fn heading_ids_can_be_mdbooks_with_ids_on_terms() {
    check_site("links/heading_ids_mdbook");
}

#[test]
fn definition_lists_alerts_table_captions_and_info_strings() {
    check_site("markdown/extensions");
}

#[test]
fn toml_typescript_dockerfile_console_scss_jinja_and_go_templates_are_highlighted() {
    check_site("markdown/syntaxes");
}

#[test]
fn escaped_shortcodes_nested_blocks_outside_paragraphs_and_nul_bytes() {
    check_site("shortcodes/escapes_and_blocks");
}

#[test]
fn an_html_link_suggests_the_md_file() {
    check_error("link_html_for_md");
}

#[test]
fn a_url_the_site_does_not_serve_suggests_the_nearest() {
    check_error("link_missing_url");
}

#[test]
fn a_shortcode_in_a_link_is_shown_as_written_never_as_its_placeholder() {
    check_error("link_shortcode_destination");
}

#[test]
fn an_unknown_argument_to_a_theme_shortcode_is_an_error_at_it() {
    check_error("shortcode_unknown_argument");
}

#[test]
fn a_missing_argument_to_a_theme_shortcode_is_an_error_at_the_call() {
    check_error("shortcode_missing_argument");
}

#[test]
fn a_bad_declaration_is_an_error_in_the_template() {
    check_error("shortcode_bad_declaration");
}

#[test]
fn a_broken_link_written_by_a_shortcode_is_an_error_at_the_call() {
    check_error("shortcode_writes_broken_link");
}

#[test]
fn raw_html_links_are_checked_like_markdown_links() {
    check_error("raw_html_broken_link");
}

#[test]
fn text_that_is_not_a_shortcode_says_how_to_escape_it_and_hides_no_other_error() {
    check_error("shortcode_not_a_call");
}

#[test]
fn a_page_that_fails_hides_no_anchor_error_of_another() {
    check_error("link_errors_across_pages");
}
