use super::*;

fn check(text: &str, expected: &str) {
    let actual = match find(text) {
        Ok(calls) => calls
            .iter()
            .map(|c| {
                let body = c.body.clone().map(|b| format!(" body={:?}", &text[b])).unwrap_or_default();
                format!("{}{} at {:?}{}", c.name, serde_json::to_string(&c.args).unwrap(), c.range, body)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(err) => format!("error at {}: {}", err.offset, err.message),
    };
    assert_eq!(actual, expected);
}

#[test]
fn inline_call_with_arguments() {
    check(r#"See {{ figure(id="a", n=3, ok=true) }} here"#, r#"figure{"id":"a","n":3,"ok":true} at 4..38"#);
}

#[test]
fn call_with_a_body() {
    check("{% note(kind='x') %}\nHello\n{% end %}\n", "note{\"kind\":\"x\"} at 0..36 body=\"\\nHello\\n\"");
}

#[test]
fn nested_bodies_close_in_order() {
    check("{% a() %}{% b() %}x{% end %}{% end %}", "a{} at 0..37 body=\"{% b() %}x{% end %}\"");
}

#[test]
fn shortcodes_in_code_spans_and_blocks_are_text() {
    check("`{{ figure(id=\"a\") }}`\n\n```\n{{ x() }}\n```\n\n    {{ y() }}\n", "");
}

#[test]
fn unclosed_inline_call_is_an_error() {
    check("a {{ figure(id=\"x\") ", "error at 2: this shortcode is never closed; end it with `}}`");
}

#[test]
fn missing_end_is_an_error() {
    check(
        "{% note() %}\nbody\n",
        "error at 0: the shortcode `note` has no `{% end %}`; close its body with `{% end %}`",
    );
}

#[test]
fn bad_argument_points_at_it() {
    check("{{ figure(id) }}", "error at 10: arguments are written `key=\"value\"`, separated by commas");
    check("{{ figure(id=abc) }}", "error at 13: the value of `id` must be \"text\", a number, true or false");
}

/// Found by the `shortcodes` fuzz target: the `%}` of `{%}` overlaps its `{%` and used to panic.
#[test]
fn percent_brace_overlapping_its_opening_is_unclosed() {
    check("{%}", "error at 0: this shortcode is never closed; end it with `%}`");
    check("{% a() %}{%}", "error at 9: this shortcode is never closed; end it with `%}`");
}

#[test]
fn every_problem_is_found_and_the_calls_around_it_still_are() {
    let text = "{{ a() }} {{ #include x }} {% open() %} {{ b() }} {% end %}{% end %}";
    let (calls, errors) = find_all(text);
    let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "open"]);
    // The unreadable `{{ #include x }}`, and the second `{% end %}`, which closes nothing.
    assert_eq!(errors.iter().map(|e| e.offset).collect::<Vec<_>>(), [13, 59], "{errors:?}");
    let (calls, errors) = find_all("{% open() %} text {{ b() }} {% end");
    assert_eq!(calls.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["b"]);
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn an_escaped_opening_is_text() {
    check("\\{{ figure(id=\"a\") }} and \\{% note() %}", "");
    check("\\\\{{ a() }}", "a{} at 2..11");
    check("{% note() %}\\{% end %}{% end %}", "note{} at 0..31 body=\"\\\\{% end %}\"");
}

#[test]
fn raw_html_loses_the_backslash_of_an_escaped_opening_only() {
    let unescape = |html: &str| unescape_openings(html).unwrap_or_else(|| html.to_string());
    assert_eq!(unescape("<p>\\{{ v }} \\{% n() %}</p>"), "<p>{{ v }} {% n() %}</p>");
    assert_eq!(unescape("<p>\\\\{{ v }} a\\b {{ c }}</p>"), "<p>\\\\{{ v }} a\\b {{ c }}</p>");
    assert_eq!(unescape_openings("<div class=\"x\">"), None);
}
