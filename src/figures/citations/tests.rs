use std::path::PathBuf;

use super::*;
use crate::figures::{html, parse};

const DATA: &str = "sources:
  - {id: r1, short: R1, title: T, covers: C}
  - {id: r2, short: R2, title: T, covers: C}
figures:
  - {id: a, label: A, value: 1150, unit: u, as_of: 2016-02, source: [r1, r2]}
  - {id: b, label: B, value: 1036, unit: u, as_of: 2016-02, source: r2}
computed:
  - {id: s, label: S, sum: [a, b], unit: u}
";

/// `text` with `{a}`, `{b}`, `{s}` standing for figures and `{a:r2}` for a figure that cites r2.
fn check(text: &str, expected: &str) {
    let figures = parse(&[(PathBuf::from("d.yaml"), DATA.to_string())]).unwrap();
    let mut html = text.to_string();
    for (pattern, id, cite) in [("{a}", "a", ""), ("{b}", "b", ""), ("{s}", "s", ""), ("{a:r2}", "a", "r2")] {
        let figure = &figures.figures[id];
        let cite: Vec<String> = cite.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect();
        // Only the number and its marker: the span around it is not what is tested here.
        html = html.replace(pattern, &format!("{}{}", figure.display(), marker(figure, &cite)));
    }
    assert_eq!(html::escape(&place(&figures, &html)), html::escape(expected));
}

#[test]
fn a_sentence_cites_its_figures_once_before_its_full_stop() {
    check(
        "<p>They planned {a} and {b} things. Then more.</p>",
        "<p>They planned 1,150 and 1,036 things <span class=\"cite\">(<a href=\"#source-r1\">R1</a>, <a href=\"#source-r2\">R2</a>)</span>. Then more.</p>",
    );
}

#[test]
fn each_sentence_gets_its_own_citation() {
    check(
        "<p>First {b} here. Second {a:r2} there!</p>",
        "<p>First 1,036 here <span class=\"cite\">(<a href=\"#source-r2\">R2</a>)</span>. Second 1,150 there <span class=\"cite\">(<a href=\"#source-r2\">R2</a>)</span>!</p>",
    );
}

#[test]
fn a_computed_figure_says_what_it_was_computed_from_and_never_cites_a_report_bare() {
    check(
        "<p>Together that is {s} things.</p>",
        "<p>Together that is 2,186 things <span class=\"cite\">(<span class=\"cite-computed\" data-computed-note=\"s\">our sum of two figures from R1 and R2</span>)</span>.</p>",
    );
    check(
        "<p>{b} and {s}.</p>",
        "<p>1,036 and 2,186 <span class=\"cite\">(<a href=\"#source-r2\">R2</a>; <span class=\"cite-computed\" data-computed-note=\"s\">2,186 is our sum of two figures from R1 and R2</span>)</span>.</p>",
    );
}

#[test]
fn a_report_the_sentence_already_cites_is_not_cited_again() {
    check(
        "<p>They planned {b} things (<a href=\"#source-r2\">R2</a>).</p>",
        "<p>They planned 1,036 things (<a href=\"#source-r2\">R2</a>).</p>",
    );
}

#[test]
fn the_citation_follows_a_closing_quotation_mark() {
    check(
        "<p>She said “{b} were cancelled.” Next.</p>",
        "<p>She said “1,036 were cancelled.” <span class=\"cite\">(<a href=\"#source-r2\">R2</a>)</span> Next.</p>",
    );
}

#[test]
fn a_block_without_a_full_stop_is_cited_at_its_end() {
    check(
        "<ul>\n<li>{b} on the day\n</li>\n<li>None here</li>\n</ul>",
        "<ul>\n<li>1,036 on the day <span class=\"cite\">(<a href=\"#source-r2\">R2</a>)</span>\n</li>\n<li>None here</li>\n</ul>",
    );
}

#[test]
fn decimals_links_and_code_do_not_end_a_sentence() {
    check(
        "<p>At 8.00am, {b} <a href=\"/x/\">see e.g</a> things. More.</p>",
        "<p>At 8.00am, 1,036 <a href=\"/x/\">see e.g</a> things <span class=\"cite\">(<a href=\"#source-r2\">R2</a>)</span>. More.</p>",
    );
    check(
        "<p>{b} <code>a. b</code> c</p>",
        "<p>1,036 <code>a. b</code> c <span class=\"cite\">(<a href=\"#source-r2\">R2</a>)</span></p>",
    );
}

#[test]
fn html_without_figures_is_unchanged() {
    check("<p>Nothing. <!-- a comment --> here.</p>", "<p>Nothing. <!-- a comment --> here.</p>");
}

#[test]
fn the_rest_joins_a_citation_that_ends_the_sentence() {
    check(
        "<p>They planned {a} things (<a href=\"#source-r1\">R1</a>).</p>",
        "<p>They planned 1,150 things (<a href=\"#source-r1\">R1</a>, <a href=\"#source-r2\">R2</a>).</p>",
    );
    check(
        "<p>In all {s} (<a href=\"#source-r1\">R1</a>).</p>",
        "<p>In all 2,186 (<a href=\"#source-r1\">R1</a>; <span class=\"cite-computed\" data-computed-note=\"s\">2,186 is our sum of two figures from R1 and R2</span>).</p>",
    );
}
