//! Hostile input (issue 6, item 5): a huge page, deep nesting, YAML alias bombs, a symlink loop,
//! a file that is not UTF-8, and the inputs the fuzz targets in `tests/fuzz` crashed on.
//!
//! Each case builds a temporary copy of `tests/fixtures/robustness/site` in memory and must end
//! in a clear, located error or a good build within `TIME_LIMIT`: never a panic, a stack overflow
//! or a hang.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use picket::config::Overrides;

use crate::support::{copy_fixture, fixture, render};

/// Far more than any case takes in a debug build; a hang fails the test instead of blocking.
const TIME_LIMIT: Duration = Duration::from_secs(30);

const MEGABYTE: u64 = 1024 * 1024;

/// A temporary copy of the tiny site every case starts from.
fn site() -> tempfile::TempDir {
    copy_fixture("robustness/site")
}

fn write(root: &Path, relative: &str, contents: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture("robustness").join(name)).unwrap()
}

/// Builds `root` in memory on its own thread: the dump of its files or its rendered errors, with
/// the temporary folder redacted. Fails the test if the build panics or outlives `TIME_LIMIT`.
fn build(root: &Path) -> Result<String, String> {
    let (sender, receiver) = mpsc::channel();
    let owned = root.to_path_buf();
    std::thread::spawn(move || sender.send(render(&owned, &Overrides::default())));
    let result = match receiver.recv_timeout(TIME_LIMIT) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the build took longer than {TIME_LIMIT:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the build panicked"),
    };
    let redact = |text: String| text.replace(&root.display().to_string(), "[SITE]");
    result.map(redact).map_err(redact)
}

/// The build must fail; its rendered errors are snapshotted as `robustness__<name>`.
fn check_error(root: &Path, name: &str) {
    match build(root) {
        Ok(dump) => panic!("{name} built but should fail:\n{dump}"),
        Err(error) => insta::assert_snapshot!(name, error),
    }
}

/// A page with `body` must build; returns its output file, `a/index.html`.
fn check_builds(body: &str) -> String {
    let site = site();
    write(site.path(), "content/a.md", &format!("---\ntitle: A\n---\n{body}"));
    let dump = build(site.path()).unwrap_or_else(|error| panic!("the page should build:\n{error}"));
    let page = dump.split("== a/index.html ==\n").nth(1).expect("the dump has the page");
    page.split("\n== ").next().unwrap().to_string()
}

#[test]
fn page_of_fifty_megabytes_is_refused_before_it_is_read() {
    let site = site();
    let path = site.path().join("content/huge.md");
    std::fs::write(&path, "---\ntitle: Huge\n---\n").unwrap();
    // Only the size counts, so a sparse file is enough, and it takes no time to make.
    std::fs::File::options().write(true).open(&path).unwrap().set_len(50 * MEGABYTE).unwrap();
    check_error(site.path(), "page_of_fifty_megabytes");
}

#[test]
fn ten_thousand_nested_blockquotes_build() {
    let page = check_builds(&format!("{}deep\n", "> ".repeat(10_000)));
    assert_eq!(page.matches("<blockquote>").count(), 10_000);
}

#[test]
fn ten_thousand_nested_list_items_build() {
    let page = check_builds(&format!("{}deep\n", "- ".repeat(10_000)));
    assert_eq!(page.matches("<ul>").count(), 10_000);
}

#[test]
fn ten_thousand_open_brackets_and_emphasis_marks_build() {
    let page = check_builds(&format!("{}\n\n{}\n", "[".repeat(10_000), "*a **b ".repeat(10_000)));
    assert!(page.contains(&"[".repeat(10_000)));
}

#[test]
fn ten_thousand_code_spans_with_shortcode_braces_build() {
    let page = check_builds(&"`{{ x }}` `{% y %}` ".repeat(10_000));
    assert_eq!(page.matches("<code>").count(), 20_000);
}

#[test]
fn yaml_alias_bomb_in_front_matter_is_refused() {
    let site = site();
    write(site.path(), "content/laughs.md", &read_fixture("alias_bomb_front_matter.md"));
    check_error(site.path(), "yaml_alias_bomb_in_front_matter");
}

#[test]
fn yaml_alias_bomb_in_a_data_file_is_refused() {
    let site = site();
    write(site.path(), "content/_data/x.yaml", &read_fixture("alias_bomb_data.yaml"));
    check_error(site.path(), "yaml_alias_bomb_in_a_data_file");
}

#[test]
fn yaml_nested_two_hundred_deep_is_refused() {
    let site = site();
    let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
    write(site.path(), "content/deep.md", &format!("---\ntitle: Deep\nextra: {nested}\n---\nBody.\n"));
    check_error(site.path(), "yaml_nested_two_hundred_deep");
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_content_is_an_error_naming_the_link() {
    let site = site();
    std::os::unix::fs::symlink(".", site.path().join("content/loop")).unwrap();
    check_error(site.path(), "symlink_loop_in_content");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_content_is_an_error_naming_the_link() {
    let site = site();
    std::os::unix::fs::symlink("nowhere.md", site.path().join("content/gone.md")).unwrap();
    check_error(site.path(), "dangling_symlink_in_content");
}

#[test]
fn file_that_is_not_utf8_is_an_error() {
    check_error(&fixture("errors/not_utf8"), "file_that_is_not_utf8");
}

/// Fuzz crash (`shortcodes` target): `{%}` made `tag_close` find the `%}` that overlaps the `{%`,
/// and slicing the tag's inside as `text[2..1]` panicked.
#[test]
fn fuzz_crash_unclosed_percent_brace_is_an_error() {
    let site = site();
    let body = read_fixture("fuzz/shortcodes-unclosed-percent-brace.md");
    write(site.path(), "content/a.md", &format!("---\ntitle: A\n---\n{body}"));
    check_error(site.path(), "fuzz_unclosed_percent_brace");
}

/// Fuzz finding (`markdown` target): a shortcode inside a footnote left its placeholder
/// `PKTSC0Z` in the page instead of the figure, because footnotes are rendered apart.
#[test]
fn fuzz_shortcode_in_a_footnote_is_rendered() {
    let site = site();
    write(site.path(), "content/_data/figures.yaml", &read_fixture("data/figures.yaml"));
    let body = read_fixture("fuzz/markdown-shortcode-in-footnote.md");
    write(site.path(), "content/a.md", &format!("---\ntitle: A\n---\n{body}"));
    let dump = build(site.path()).unwrap_or_else(|error| panic!("the page should build:\n{error}"));
    assert!(!dump.contains("PKTSC"), "a placeholder is left in the output:\n{dump}");
    insta::assert_snapshot!("fuzz_shortcode_in_a_footnote", dump);
}

/// Found while fuzzing: a shortcode in a heading reached the table of contents as its placeholder.
/// The title and the id now use the text of the shortcode's output.
#[test]
fn shortcode_in_a_heading_gives_its_text_to_the_table_of_contents() {
    let site = site();
    write(site.path(), "content/_data/figures.yaml", &read_fixture("data/figures.yaml"));
    write(site.path(), "content/a.md", "---\ntitle: A\n---\n## About {{ figure(id=\"estimate_total\") }} cases\n");
    let dump = build(site.path()).unwrap_or_else(|error| panic!("the page should build:\n{error}"));
    let toc = dump.lines().find(|line| line.starts_with("[toc")).expect("the page has a table of contents");
    assert_eq!(toc, "[toc About 3,000 cases #about-3000-cases]");
}

#[test]
fn ten_thousand_links_to_one_heading_build() {
    let page = check_builds(&format!("## Top\n\n{}\n", "[up](#top) ".repeat(10_000)));
    assert_eq!(page.matches("href=\"#top\"").count(), 10_000);
}
