//! What sites coming from Zola or mdBook rely on (issue 12): aliases and `_redirects`,
//! `redirect_to`, section sort orders, summaries, pagination, previous/next, the `include`
//! shortcode and hidden code lines. Each fixture builds and its whole output is snapshotted;
//! each mistake is a fixture whose rendered error, with its path:line:col, is snapshotted.

use picket::config::Overrides;

use crate::support::{built, failure, fixture, render};

fn check_site(name: &str) {
    let name = format!("features/{name}");
    insta::assert_snapshot!(name.replace('/', "__"), built(&name, &Overrides::default()));
}

fn check_error(case: &str) {
    let name = format!("errors/features/{case}");
    insta::assert_snapshot!(name.replace('/', "__"), failure(&name));
}

#[test]
fn aliases_get_redirect_pages_and_redirects_file_lines() {
    check_site("aliases");
}

#[test]
fn redirect_to_makes_a_page_or_section_a_redirect() {
    check_site("redirect_to");
}

#[test]
fn sections_sort_by_weight_date_title_or_path_and_reverse() {
    check_site("sort_by");
}

#[test]
fn summaries_come_from_the_more_marker_or_the_description() {
    check_site("summaries");
}

#[test]
fn long_sections_are_paginated_with_the_first_page_at_the_section_url() {
    check_site("pagination");
}

#[test]
fn pages_know_their_previous_and_next_in_the_section_order() {
    check_site("previous_next");
}

#[test]
fn include_takes_whole_files_line_ranges_anchors_markdown_and_hidden_lines() {
    check_site("include");
}

#[test]
fn error_alias_collides_with_alias() {
    check_error("alias_collides_with_alias");
}

#[test]
fn error_alias_collides_with_asset() {
    check_error("alias_collides_with_asset");
}

#[test]
fn error_alias_collides_with_page() {
    check_error("alias_collides_with_page");
}

#[test]
fn error_alias_file_is_a_folder() {
    check_error("alias_file_is_a_folder");
}

#[test]
fn error_alias_is_a_url() {
    check_error("alias_is_a_url");
}

#[test]
fn error_alias_leaves_the_site() {
    check_error("alias_leaves_the_site");
}

#[test]
fn error_hidden_lines_empty_prefix() {
    check_error("hidden_lines_empty_prefix");
}

#[test]
fn error_include_itself() {
    check_error("include_itself");
}

#[test]
fn error_include_lines_and_anchor() {
    check_error("include_lines_and_anchor");
}

#[test]
fn error_include_markdown_with_a_broken_link() {
    check_error("include_markdown_with_a_broken_link");
}

#[test]
fn error_include_missing_anchor() {
    check_error("include_missing_anchor");
}

#[test]
fn error_include_missing_file() {
    check_error("include_missing_file");
}

#[test]
fn error_include_outside_content() {
    check_error("include_outside_content");
}

#[test]
fn error_include_outside_the_site() {
    check_error("include_outside_the_site");
}

#[test]
fn error_include_past_the_end() {
    check_error("include_past_the_end");
}

#[test]
fn error_include_unknown_argument() {
    check_error("include_unknown_argument");
}

#[test]
fn error_paginate_by_not_a_number() {
    check_error("paginate_by_not_a_number");
}

#[test]
fn error_pagination_collides_with_a_page() {
    check_error("pagination_collides_with_a_page");
}

#[test]
fn error_redirect_to_bad_form() {
    check_error("redirect_to_bad_form");
}

#[test]
fn error_redirect_to_javascript() {
    check_error("redirect_to_javascript");
}

#[test]
fn error_redirect_to_missing_anchor() {
    check_error("redirect_to_missing_anchor");
}

#[test]
fn error_redirect_to_missing_file() {
    check_error("redirect_to_missing_file");
}

#[test]
fn error_redirect_to_missing_page() {
    check_error("redirect_to_missing_page");
}

#[test]
fn error_sort_by_on_a_page() {
    check_error("sort_by_on_a_page");
}

#[test]
fn error_sort_by_typo() {
    check_error("sort_by_typo");
}

/// The site `tests/run-all.sh` gives the browser stage builds with the explainer theme, and has
/// the redirect pages, pages of a listing and alerts (with the theme's CSS) that stage checks.
#[test]
fn the_browser_stage_site_builds_with_redirects_and_pages_of_a_listing() {
    let site = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::support::copy_dir(&repo.join("themes/explainer"), &site.path().join("themes/explainer"));
    crate::support::copy_dir(&fixture("browser/features"), site.path());
    let dump = render(site.path(), &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
    for expected in [
        "== handbook/index.html ==\n<!DOCTYPE html>",
        "== step-3.html ==\n<!DOCTYPE html>",
        "<meta http-equiv=\"refresh\" content=\"0; url=/features/guide/\">",
        "== guide/page/3/index.html ==",
        "<link rel=\"prev\" href=\"/features/guide/page/2/\">",
        "_redirects ==",
        "<section class=\"alert alert-caution\" aria-label=\"Caution\">\n<p class=\"alert-title\">Caution</p>",
        ".alert-caution{--alert:var(--red)}",
    ] {
        assert!(dump.contains(expected), "missing {expected:?}");
    }
}
