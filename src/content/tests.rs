use super::*;

const PAGE: &str = "---\ntitle: Pay\n---\nThe body.\n";

/// A page file under a temporary root, parsed and with its body released, as a build holds it.
fn released(text: &str) -> (tempfile::TempDir, Page) {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("content")).unwrap();
    std::fs::write(root.path().join("content/pay.md"), text).unwrap();
    let mut page = Page::parse(Path::new("content/pay.md"), text.to_string()).unwrap();
    page.release_body();
    (root, page)
}

#[test]
fn a_released_body_is_read_again_whole() {
    let (root, page) = released(PAGE);
    assert_eq!(page.text, "---\ntitle: Pay\n---\n");
    assert_eq!(page.title(), "Pay");
    assert_eq!(page.full_text(root.path()).unwrap(), PAGE);
}

#[test]
fn a_kept_body_is_not_read_again() {
    let page = Page::parse(Path::new("content/nowhere.md"), PAGE.to_string()).unwrap();
    assert_eq!(page.full_text(Path::new("/no/such/root")).unwrap(), PAGE);
}

#[test]
fn a_body_edited_during_the_build_is_used_as_it_now_is() {
    let (root, page) = released(PAGE);
    std::fs::write(root.path().join("content/pay.md"), "---\ntitle: Pay\n---\nA new body.\n").unwrap();
    assert_eq!(page.full_text(root.path()).unwrap(), "---\ntitle: Pay\n---\nA new body.\n");
}

#[test]
fn front_matter_edited_during_the_build_is_an_error() {
    let (root, page) = released(PAGE);
    std::fs::write(root.path().join("content/pay.md"), "---\ntitle: Pay rules\n---\nThe body.\n").unwrap();
    let err = page.full_text(root.path()).unwrap_err();
    assert_eq!(err.path.as_deref(), Some(Path::new("content/pay.md")));
    assert!(err.message.contains("changed while the site was building"), "{}", err.message);
}

#[test]
fn a_page_deleted_during_the_build_is_an_error_naming_it() {
    let (root, page) = released(PAGE);
    std::fs::remove_file(root.path().join("content/pay.md")).unwrap();
    let err = page.full_text(root.path()).unwrap_err();
    assert_eq!(err.path.as_deref(), Some(Path::new("content/pay.md")));
}

#[test]
fn titles_compare_without_case_and_numbers_as_numbers() {
    let mut titles = vec!["Part 10", "part 2", "Banana", "apple", "Part 02b", "Part 2"];
    titles.sort_by(|a, b| natural_order(a, b));
    assert_eq!(titles, ["apple", "Banana", "Part 2", "part 2", "Part 02b", "Part 10"]);
}
