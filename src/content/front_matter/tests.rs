use super::*;

fn check(text: &str, expected: &str) {
    let actual = match parse(Path::new("content/a.md"), text) {
        Ok((front_matter, split)) => format!("title={} body={:?}", front_matter.title, split.body),
        Err(errors) => errors.0.iter().map(Error::to_string).collect::<Vec<_>>().join("\n\n"),
    };
    assert_eq!(actual, expected);
}

#[test]
fn front_matter_and_body_are_split() {
    check("---\ntitle: Hello\n---\nBody\n", "title=Hello body=\"Body\\n\"");
}

#[test]
fn front_matter_without_closing_fence_is_an_error() {
    check(
        "---\ntitle: Hello\nBody\n",
        "error: the front matter is never closed; add a `---` line after its last key\n --> content/a.md:1:1\n  |\n1 | ---\n  | ^",
    );
}

#[test]
fn yaml_error_reports_the_line_in_the_file() {
    check(
        "---\ntitle: Hello\ntags: [a, b\n---\n",
        "error: invalid YAML: did not find expected ',' or ']'\n --> content/a.md:4:1\n  |\n4 | ---\n  | ^",
    );
}

#[test]
fn unknown_key_gets_a_hint_at_its_line() {
    check(
        "---\ntitle: Hello\ndraf: true\n---\n",
        "error: unknown key `draf`; did you mean `draft`?\n --> content/a.md:3:1\n  |\n3 | draf: true\n  | ^",
    );
}

#[test]
fn missing_title_points_at_the_fence() {
    check(
        "---\ndate: 2016-02-10\n---\n",
        "error: the front matter has no `title`; add a line `title: ...`\n --> content/a.md:1:1\n  |\n1 | ---\n  | ^",
    );
}

#[test]
fn no_front_matter_is_an_error() {
    check(
        "# Hello\n",
        "error: no front matter; start the file with a `---` line, then `title: ...`, then another `---` line\n --> content/a.md:1:1\n  |\n1 | # Hello\n  | ^",
    );
}

#[test]
fn dates_must_be_real_dates() {
    let err = parse(Path::new("content/a.md"), "---\ntitle: x\ndate: 2016-02-30\n---\n").unwrap_err();
    assert_eq!(err.0[0].location, Some(Location { line: 3, column: 7 }));
}

#[test]
fn dates_with_a_time_keep_the_date_as_written() {
    for written in ["2016-02-10", "2016-02-10T08:00:00Z", "2016-02-10T23:30:00-05:00", "2016-02-10 08:00:00"] {
        let text = format!("---\ntitle: x\ndate: {written}\n---\n");
        let (front_matter, _) = parse(Path::new("content/a.md"), &text).unwrap();
        assert_eq!(front_matter.date.unwrap().to_string(), "2016-02-10", "{written}");
    }
}

#[test]
fn misspelt_notice_gets_a_hint() {
    check(
        "---\ntitle: Hello\nnotic: Old news\n---\n",
        "error: unknown key `notic`; did you mean `notice`?\n --> content/a.md:3:1\n  |\n3 | notic: Old news\n  | ^",
    );
}

#[test]
fn a_month_out_of_range_is_named() {
    check(
        "---\ntitle: x\ndate: 2026-13-01\n---\n",
        "error: `2026-13-01` has month 13, but months run from 01 to 12; dates are written YYYY-MM-DD\n --> content/a.md:3:7\n  |\n3 | date: 2026-13-01\n  |       ^",
    );
}

#[test]
fn a_day_out_of_range_is_named_with_its_month() {
    check(
        "---\ntitle: x\nupdated: 2026-02-29\n---\n",
        "error: `2026-02-29` has day 29, but February 2026 has 28 days; dates are written YYYY-MM-DD\n --> content/a.md:3:10\n  |\n3 | updated: 2026-02-29\n  |          ^",
    );
}

#[test]
fn a_date_in_another_form_is_shown_how_to_write_it() {
    check(
        "---\ntitle: x\ndate: 10 February 2016\n---\n",
        "error: `10 February 2016` is not a date; write it as YYYY-MM-DD, for example 2016-02-10\n --> content/a.md:3:7\n  |\n3 | date: 10 February 2016\n  |       ^",
    );
}

#[test]
fn a_duplicate_key_is_located_at_the_duplicate() {
    check(
        "---\ntitle: A\ndescription: x\ntitle: B\n---\n",
        "error: duplicate key `title`: it is written twice in this block (first on line 2); keep one of them\n --> content/a.md:4:1\n  |\n4 | title: B\n  | ^",
    );
}

#[test]
fn every_unknown_key_is_reported() {
    check(
        "---\ntitle: A\ntitel: c\ndraft: false\ndat: 2020-01-01\n---\n",
        "error: unknown key `titel`; did you mean `title`?\n --> content/a.md:3:1\n  |\n3 | titel: c\n  | ^\n\n\
         error: unknown key `dat`; did you mean `date`?\n --> content/a.md:5:1\n  |\n5 | dat: 2020-01-01\n  | ^",
    );
}
