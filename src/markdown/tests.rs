use super::*;

#[test]
fn slugs_are_lower_case_words_joined_by_dashes() {
    assert_eq!(slugify("What is in dispute: Saturday pay"), "what-is-in-dispute-saturday-pay");
    assert_eq!(slugify("  Émile's  café -- 2016 "), "émiles-café-2016");
    assert_eq!(slugify("???"), "");
}

#[test]
fn heading_ids_are_unique_and_never_clash_with_footnotes() {
    let mut state = State::default();
    assert_eq!(state.unique_id("pay"), "pay");
    assert_eq!(state.unique_id("pay"), "pay-1");
    assert_eq!(state.unique_id("fn-a"), "h-fn-a");
    assert_eq!(state.unique_id(""), "section");
}

#[test]
fn table_of_contents_nests_h3_under_h2() {
    let headings = vec![
        (2, "a".to_string(), "A".to_string()),
        (3, "b".to_string(), "B".to_string()),
        (2, "c".to_string(), "C".to_string()),
    ];
    let toc = nest_toc(&headings);
    assert_eq!(toc.len(), 2);
    assert_eq!(toc[0].children[0].id, "b");
}

#[test]
fn markdown_tables_get_scope_and_classes() {
    assert_eq!(
        accessible_tables(
            "<table><thead><tr><th>a</th><th style=\"text-align: right\">b</th></tr></thead></table>".into()
        ),
        "<table><thead><tr><th scope=\"col\">a</th><th scope=\"col\" class=\"num\">b</th></tr></thead></table>"
    );
}

#[test]
fn only_tables_are_rewritten_and_every_table_is() {
    let right = "<td style=\"text-align: right\">1</td>";
    let html = format!(
        "<p>{right}</p><table><tr>{right}</tr></table><p>between</p><table><tr><th>x</th></tr></table><p>{right}</p>"
    );
    assert_eq!(
        accessible_tables(html),
        format!(
            "<p>{right}</p><table><tr><td class=\"num\">1</td></tr></table><p>between</p><table><tr><th scope=\"col\">x</th></tr></table><p>{right}</p>"
        )
    );
}
