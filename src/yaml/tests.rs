use super::*;

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Page {
    title: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    extra: Option<serde_yaml::Value>,
}

/// Parses `yaml` as if it started at line 2 of a file: `ok`, or the error's place and message.
fn check(yaml: &str, expected: &str) {
    let file = format!("---\n{yaml}---\n");
    let actual = match parse::<Page>(Path::new("p.md"), &file, yaml, 2) {
        Ok(_) => "ok".to_string(),
        Err(errors) => errors
            .0
            .iter()
            .map(|err| format!("{}: {}", err.place().unwrap(), err.message))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    assert_eq!(actual, expected);
}

#[test]
fn tags_are_refused_where_they_are_written() {
    // Issue 10, item 6: serde_yaml dropped these and kept the bare text.
    check(
        "title: !!binary aGVsbG8=\n",
        "p.md:2:8: the YAML tag `!!binary` is not supported: picket would ignore it and keep the bare text; remove the tag (quote the value if it must stay text)",
    );
    check(
        "title: a\ntags: [b, !include c.md]\n",
        "p.md:3:11: the YAML tag `!include` is not supported: picket would ignore it and keep the bare text; remove the tag (quote the value if it must stay text)",
    );
    check(
        "title: a\nextra:\n  k: !custom\n    x: 1\n",
        "p.md:4:6: the YAML tag `!custom` is not supported: picket would ignore it and keep the bare text; remove the tag (quote the value if it must stay text)",
    );
}

#[test]
fn exclamation_marks_in_text_are_not_tags() {
    check("title: Strike goes ahead!\ntags: ['!important', \"a!b\"]\n", "ok");
    check("title: a\nextra: |\n  !not a tag\n", "ok");
    check("title: a # a comment! !really\n", "ok");
}

#[test]
fn positions_name_keys_and_items_by_path() {
    let yaml = "title: T\nsources: [a, b]\nfigures:\n  - id: x\n    value: 1\n  - id: y\n    value: 2\nextra:\n  nested: {k: v}\n";
    let positions = Positions::of(yaml, 2);
    let at = |path: &str| positions.get(path).map(|l| format!("{}:{}", l.line, l.column));
    assert_eq!(at("title").as_deref(), Some("2:1"));
    assert_eq!(at("sources").as_deref(), Some("3:1"));
    assert_eq!(at("sources/1").as_deref(), Some("3:14"));
    assert_eq!(at("figures/0").as_deref(), Some("5:5"));
    assert_eq!(at("figures/1/id").as_deref(), Some("7:5"));
    assert_eq!(at("figures/1/value").as_deref(), Some("8:5"));
    assert_eq!(at("extra/nested/k").as_deref(), Some("10:12"));
    assert_eq!(at("missing"), None);
}
