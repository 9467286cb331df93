use super::*;

fn check(text: &str, offset: usize, expected: &str) {
    let error = Error::at_offset(Path::new("content/a.md"), text, offset, "something is wrong");
    assert_eq!(error.to_string(), expected);
}

#[test]
fn error_shows_path_line_column_and_caret() {
    check(
        "---\ntitle: x\n---\nsee [it](b.md)\n",
        21,
        "error: something is wrong\n --> content/a.md:4:5\n  |\n4 | see [it](b.md)\n  |     ^",
    );
}

#[test]
fn error_on_first_line_first_column() {
    check("abc", 0, "error: something is wrong\n --> content/a.md:1:1\n  |\n1 | abc\n  | ^");
}

#[test]
fn column_counts_characters_not_bytes() {
    assert_eq!(Location::of_offset("ééx", 4), Location { line: 1, column: 3 });
}

#[test]
fn did_you_mean_finds_a_close_key() {
    assert_eq!(did_you_mean("titel", &["title", "date"]), Some("title"));
    assert_eq!(did_you_mean("zzzzzz", &["title", "date"]), None);
}
