//! The explainer itself: this repository's site builds, every page is snapshotted, numbers are
//! never typed twice, and every page cites its sources.

use std::path::Path;

use picket::config::{Config, Overrides};
use picket::output::OutputFile;

use crate::support::render;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn explainer_builds_and_every_page_matches_its_snapshot() {
    let dump = render(root(), &Overrides::default()).unwrap_or_else(|e| panic!("the explainer fails to build:\n{e}"));
    insta::assert_snapshot!("explainer", dump);
}

/// Markdown text with the shortcode calls taken out.
fn without_shortcodes(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("}}").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn no_number_held_in_the_data_is_typed_anywhere_in_the_pages() {
    let config = Config::load(root(), &Overrides::default()).unwrap();
    let figures = picket::figures::load(&config).unwrap();
    let forms = figures.typed_forms();
    assert!(forms.iter().any(|(form, _)| form == "1,150"), "the data holds the figures");
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root().join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = without_shortcodes(&std::fs::read_to_string(entry.path()).unwrap());
        for (form, figure) in &forms {
            let typed = text.match_indices(form.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + form.len()..].chars().next();
                let joined = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == ',');
                !joined(before) && !joined(after)
            });
            if typed {
                found.push(format!("{} types {form} ({})", entry.path().display(), figure.id));
            }
        }
    }
    assert!(found.is_empty(), "numbers typed by hand instead of {{{{ figure(id=...) }}}}:\n{}", found.join("\n"));
}

fn built_pages() -> Vec<(String, String)> {
    let config = Config::load(root(), &Overrides::default()).unwrap();
    let built = picket::site::render(&config).unwrap();
    built
        .files
        .iter()
        .filter(|f: &&OutputFile| f.path.to_string_lossy().ends_with("index.html"))
        .map(|f| (f.path.display().to_string(), String::from_utf8(f.bytes().unwrap()).unwrap()))
        .collect()
}

#[test]
fn every_page_cites_its_sources_and_lists_them() {
    let pages = built_pages();
    assert_eq!(pages.len(), 7);
    for (path, html) in pages {
        // The accessibility statement is about the site itself, not the strike: it cites no report.
        if path == "accessibility/index.html" {
            assert!(html.contains("This page cites no reports."), "{path} shows no sources line");
            continue;
        }
        let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
        let citations = main.matches("href=\"#source-report-").count();
        let listed = main.matches("id=\"source-report-").count();
        assert!(listed >= 1, "{path} lists no sources");
        assert!(citations >= listed, "{path} cites {citations} times but lists {listed} sources");
        assert!(main.contains("Last updated"), "{path} has no “Last updated” line");
    }
}

#[test]
fn explainer_theme_renders_tag_pages() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::copy(root().join("site.yaml"), site.join("site.yaml")).unwrap();
    crate::support::copy_dir(&root().join("content"), &site.join("content"));
    crate::support::copy_dir(&root().join("themes"), &site.join("themes"));
    let pay = site.join("content/pay.md");
    let text =
        std::fs::read_to_string(&pay).unwrap().replacen("weight: 20\n", "weight: 20\ntags: [pay, weekends]\n", 1);
    std::fs::write(&pay, text).unwrap();
    let dump = render(site, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(dump.contains("== tags/weekends/index.html =="), "no tag page");
    assert!(dump.contains("== tags/index.html =="), "no tag list");
    assert!(dump.contains("href=\"/strike/tags/pay/\""), "the page does not link its tags");
}

#[test]
fn titles_navigation_and_descriptions_get_the_body_typography() {
    for (path, html) in built_pages() {
        let head = &html[..html.find("</head>").unwrap()];
        let title = &head[head.find("<title>").unwrap()..head.find("</title>").unwrap()];
        assert!(title.contains("doctors’"), "{path}: <title> keeps a straight quote: {title}");
        let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
        assert!(!header.contains("&#39;") && !header.contains('\''), "{path}: the header keeps a straight quote");
        let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
        let lead = main.find("<p class=\"lead\">").map(|at| &main[at..at + main[at..].find("</p>").unwrap()]);
        assert!(
            lead.is_some_and(|lead| !lead.contains("&#39;")),
            "{path}: no lead paragraph, or a straight quote in it"
        );
    }
}

#[test]
fn the_404_page_has_no_canonical_link_and_is_not_indexed() {
    let config = Config::load(root(), &Overrides::default()).unwrap();
    let built = picket::site::render(&config).unwrap();
    let page = |name: &str| {
        let file = built.files.iter().find(|f| f.path.to_string_lossy() == name).unwrap();
        String::from_utf8(file.bytes().unwrap()).unwrap()
    };
    let not_found = page("404.html");
    assert!(!not_found.contains("rel=\"canonical\""), "404.html has a canonical link");
    assert!(not_found.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(page("pay/index.html").contains("<link rel=\"canonical\" href=\"https://example.org/strike/pay/\">"));
}

#[test]
fn the_feed_names_the_site_as_its_author() {
    let config = Config::load(root(), &Overrides::default()).unwrap();
    let built = picket::site::render(&config).unwrap();
    let feed = built.files.iter().find(|f| f.path.to_string_lossy() == "atom.xml").unwrap();
    let feed = String::from_utf8(feed.bytes().unwrap()).unwrap();
    assert!(feed.contains("<author><name>Junior doctors’ strike explained</name></author>"), "{feed}");
}

#[test]
fn every_page_shows_the_history_notice_before_its_heading() {
    let config = Config::load(root(), &Overrides::default()).unwrap();
    let built = picket::site::render(&config).unwrap();
    let pages: Vec<&OutputFile> =
        built.files.iter().filter(|f| f.path.extension().is_some_and(|e| e == "html")).collect();
    assert!(pages.len() >= 7, "the explainer's pages and its 404 page");
    for page in pages {
        let html = String::from_utf8(page.bytes().unwrap()).unwrap();
        let notice = html
            .find("<div class=\"history-notice\"")
            .unwrap_or_else(|| panic!("{} has no history notice", page.path.display()));
        let heading = html.find("<h1").unwrap();
        assert!(notice < heading, "{}: the notice comes after the h1", page.path.display());
        assert!(
            html[notice..heading].contains("10 February 2016"),
            "{}: the notice does not say what it is about",
            page.path.display()
        );
    }
}
