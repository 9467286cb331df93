use super::*;

fn check(text: &str, expected: &str) {
    let result = Config::parse(Path::new("/site"), text, &Overrides::default());
    let actual = match result {
        Ok(config) => format!(
            "base_url={} base_path={} output={} theme={}",
            config.base_url,
            config.base_path,
            config.output_dir.display(),
            config.theme_dir.display()
        ),
        Err(errors) => errors.0.iter().map(Error::to_string).collect::<Vec<_>>().join("\n\n"),
    };
    assert_eq!(actual, expected);
}

#[test]
fn base_url_with_a_path_gives_the_base_path() {
    check(
        "title: T\nbase_url: https://example.org/strike/\ntheme: x\n",
        "base_url=https://example.org/strike base_path=/strike output=/site/public theme=/site/themes/x",
    );
}

#[test]
fn misspelt_key_gets_a_hint() {
    check(
        "title: T\nbase_url: https://e.org/\nthem: x\n",
        "error: unknown key `them`; did you mean `theme`?\n --> site.yaml:3:1\n  |\n3 | them: x\n  | ^",
    );
}

#[test]
fn output_dir_content_is_refused() {
    let err = Config::parse(
        Path::new("/site"),
        "title: T\nbase_url: https://e.org/\noutput_dir: content\n",
        &Overrides::default(),
    )
    .unwrap_err()
    .0
    .remove(0);
    assert!(err.message.starts_with("the output folder `/site/content` is `content/` or inside it"));
}

#[test]
fn output_dir_above_the_root_is_refused() {
    let err = Config::parse(
        Path::new("/srv/site"),
        "title: T\nbase_url: https://e.org/\noutput_dir: ..\n",
        &Overrides::default(),
    )
    .unwrap_err()
    .0
    .remove(0);
    assert!(err.message.contains("the site's root or a folder above it"), "{}", err.message);
}

#[test]
fn relative_base_url_is_an_error() {
    check(
        "title: T\nbase_url: /strike\n",
        "error: `base_url` must be an absolute http(s) URL such as `https://example.org/` or `https://example.org/explainer/`, not `/strike`\n --> site.yaml:2:1\n  |\n2 | base_url: /strike\n  | ^",
    );
}

#[test]
fn misspelt_notice_gets_a_hint() {
    check(
        "title: T\nbase_url: https://e.org/\nnotise: Old news\n",
        "error: unknown key `notise`; did you mean `notice`?\n --> site.yaml:3:1\n  |\n3 | notise: Old news\n  | ^",
    );
}

#[test]
fn heading_ids_name_one_of_three_rules() {
    let parse = |value: &str| {
        let text = format!("title: T\nbase_url: https://e.org/\nheading_ids: {value}\n");
        Config::parse(Path::new("/site"), &text, &Overrides::default())
            .map(|c| c.heading_ids)
            .map_err(|e| e.to_string())
    };
    assert_eq!(parse("zola"), Ok(HeadingIds::Zola));
    assert_eq!(parse("mdbook"), Ok(HeadingIds::Mdbook));
    assert_eq!(parse("github"), Ok(HeadingIds::Github));
    let error = parse("gitlab").unwrap_err();
    assert!(error.contains("site.yaml:3:14") && error.contains("did you mean `github`?"), "{error}");
}
