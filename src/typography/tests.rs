//! Smart punctuation of front-matter text.

use super::smart;

fn check(text: &str, expected: &str) {
    assert_eq!(smart(text), expected);
}

#[test]
fn apostrophes_and_quotes_curl_as_in_the_body() {
    check("Junior doctors' strike explained", "Junior doctors’ strike explained");
    check("\"Last-ditch\" talks", "“Last-ditch” talks");
    check("NHS England's 'plan'", "NHS England’s ‘plan’");
}

#[test]
fn dashes_and_ellipses_become_typographic() {
    check("Before -- and after --- then...", "Before – and after — then…");
}

#[test]
fn markdown_characters_stay_as_written() {
    check("*Not* _emphasis_ <b> & `code` [link](x) \\ #1", "*Not* _emphasis_ <b> & `code` [link](x) \\ #1");
    check("1. Not a list's item", "1. Not a list’s item");
    check("- Not a bullet's item", "- Not a bullet’s item");
    check("# Not a heading's text", "# Not a heading’s text");
}

#[test]
fn text_without_quotes_is_unchanged_and_spacing_kept() {
    check("Pay rules for unsocial hours", "Pay rules for unsocial hours");
    check("  it's\nthe end ", "  it’s\nthe end ");
}
