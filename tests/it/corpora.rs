//! Real content written for other tools: Zola's documentation and mdBook's guide, as published
//! (`../shared/corpora/`). Each is copied to a temporary folder and given only the conversion a
//! user makes by hand before `picket import` exists; then it must build with no false error, and
//! `check` must find no broken link. Every error that remains is listed below with the reason it
//! is a real fault of the content (or a feature of the other tool picket does not have).
//!
//! The conversion, by hand, for both:
//! - a `site.yaml` (title, base_url, `heading_ids` of the tool) and a minimal theme
//!   (`tests/fixtures/corpora/theme/`), with the shortcodes Zola's own theme defines;
//! - a home page `content/_index.md` (Zola makes its home page from a template; mdBook's is its
//!   README, which stays where it is as a page).
//!
//! Zola: TOML front matter (`+++`) becomes YAML (`---`) with the same keys, except
//! `insert_anchor_links`, a theme setting picket leaves to themes; `redirect_to` gets the leading
//! `/` picket asks of a path on the site (Zola reads it from the root). The two sections without
//! a `title` (Zola's is optional, picket's is not) get one.
//!
//! mdBook: each page gets front matter with its title from `SUMMARY.md` (or its first heading);
//! `{{#include file}}` becomes picket's `{{ include(path="file") }}`; `{{ language }}` in
//! `index-hbs.md`, literal text in prose, is escaped as `\{{` (picket reads `{{` in prose as a
//! shortcode; mdBook only reads `{{#`).

use std::path::{Path, PathBuf};

use picket::config::{Config, Overrides};

use crate::support::{copy_dir, fixture};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora").join(name)
}

/// Every `.md` file under `dir`.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// A copy of the corpus `name`'s `content` (at `content_dir` inside it), with the theme and `site`.
fn site_from(name: &str, content_dir: &str, site: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&corpus(name).join(content_dir), &dir.path().join("content"));
    copy_dir(&fixture("corpora/theme"), &dir.path().join("themes/t"));
    std::fs::write(dir.path().join("site.yaml"), site).unwrap();
    for file in markdown_files(&dir.path().join("content")) {
        // The copies keep the corpus's read-only mode; the conversion rewrites them.
        let mut permissions = std::fs::metadata(&file).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&file, permissions).unwrap();
    }
    dir
}

fn yaml_front_matter(keys: &toml::Table) -> String {
    let yaml = serde_yaml::to_string(keys).unwrap();
    format!("---\n{yaml}---\n")
}

/// Zola's `+++` front matter as YAML; returns the keys dropped.
fn convert_zola_page(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("+++").expect("every Zola page has front matter");
    let after_open = start + 3;
    let close = after_open + text[after_open..].find("\n+++").expect("front matter is closed") + 1;
    let body_start = text[close + 3..].find('\n').map_or(text.len(), |i| close + 3 + i + 1);
    let mut keys: toml::Table = text[after_open..close].parse().unwrap();
    keys.remove("insert_anchor_links");
    // Zola reads `redirect_to = "a/b/"` from the site's root; picket wants the leading `/`.
    if let Some(toml::Value::String(target)) = keys.get_mut("redirect_to")
        && !target.starts_with('/')
        && !target.contains("://")
    {
        target.insert(0, '/');
    }
    if !keys.contains_key("title") {
        let folder = path.parent().unwrap().file_name().unwrap().to_string_lossy();
        keys.insert("title".into(), toml::Value::String(capitalised(&folder)));
    }
    std::fs::write(path, format!("{}{}", yaml_front_matter(&keys), &text[body_start..])).unwrap();
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `[title](path.md)` of each chapter in mdBook's `SUMMARY.md`.
fn summary_titles(summary: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut titles = Vec::new();
    let mut open: Option<(String, String)> = None;
    for event in Parser::new(summary) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => open = Some((dest_url.to_string(), String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title)) = &mut open {
                    title.push_str(&t);
                }
            }
            Event::End(TagEnd::Link) => titles.extend(open.take()),
            _ => {}
        }
    }
    titles
}

/// What building `root` reports, one error a line as `path:line:col message`, and the link
/// errors `check` finds.
fn build_and_check(root: &Path) -> (Vec<String>, Vec<String>) {
    // As `picket check` builds: with the markers that locate its findings in the sources.
    let config = Config::load(root, &Overrides { source_markers: true, ..Overrides::default() }).unwrap();
    let lines = |errors: &picket::Errors| -> Vec<String> {
        errors.0.iter().map(|e| format!("{} {}", e.place().unwrap_or_default(), e.message)).collect()
    };
    match picket::site::render(&config) {
        Err(errors) => (lines(&errors), Vec::new()),
        Ok(built) => {
            let findings = picket::checks::run(&config, &built);
            let links: Vec<String> = lines(&findings.errors).into_iter().filter(|e| e.contains("the link `")).collect();
            (Vec::new(), links)
        }
    }
}

fn assert_errors(actual: &[String], expected: &[(&str, &str)]) {
    let expected: Vec<&str> = expected.iter().map(|(error, _why)| *error).collect();
    assert_eq!(actual, expected, "the errors differ from the ones listed as real faults of the content");
}

#[test]
fn zolas_documentation_builds_with_no_false_error() {
    let site = site_from(
        "zola-docs",
        "content",
        "title: Zola\nbase_url: https://www.getzola.org/\ntheme: t\nheading_ids: zola\n",
    );
    let content = site.path().join("content");
    for page in markdown_files(&content) {
        convert_zola_page(&page);
    }
    std::fs::write(content.join("_index.md"), "---\ntitle: Zola\n---\n").unwrap();
    let (build, check) = build_and_check(site.path());
    // Every `@/` link, every anchor (Zola's ids), every image beside its page resolves.
    assert_errors(&build, &[]);
    assert_errors(&check, &[]);
}

#[test]
fn zolas_documentation_needs_zolas_heading_ids() {
    // The same site with GitHub's ids: the links to `overview.md#get-page` and the like were
    // written for Zola's rule (`get_page` becomes `get-page`), so they break, and say which id
    // was meant.
    let site = site_from("zola-docs", "content", "title: Zola\nbase_url: https://www.getzola.org/\ntheme: t\n");
    let content = site.path().join("content");
    for page in markdown_files(&content) {
        convert_zola_page(&page);
    }
    std::fs::write(content.join("_index.md"), "---\ntitle: Zola\n---\n").unwrap();
    let (build, _) = build_and_check(site.path());
    assert_eq!(build.len(), 6, "{build:#?}");
    assert!(
        build[0].contains("points at `#get-image-metadata`")
            && build[0].ends_with("did you mean `#get_image_metadata`?"),
        "{build:#?}"
    );
}

/// mdBook's guide with front matter from `SUMMARY.md` and its one literal `{{` escaped.
fn mdbook_site() -> tempfile::TempDir {
    let site = site_from(
        "mdbook-guide",
        "src",
        "title: mdBook Documentation\nbase_url: https://rust-lang.github.io/mdBook/\ntheme: t\nheading_ids: mdbook\n",
    );
    let content = site.path().join("content");
    let titles = summary_titles(&std::fs::read_to_string(content.join("SUMMARY.md")).unwrap());
    for page in markdown_files(&content) {
        let relative = page.strip_prefix(&content).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&page).unwrap();
        let title = titles
            .iter()
            .find(|(path, _)| *path == relative)
            .map(|(_, title)| title.clone())
            .or_else(|| text.lines().find_map(|l| l.strip_prefix("# ")).map(str::to_string))
            .unwrap_or_else(|| page.file_stem().unwrap().to_string_lossy().into_owned());
        let text = if relative == "format/theme/index-hbs.md" {
            text.replace("{{ language }}", "\\{{ language }}")
        } else {
            text.replace("{{#include arg-watcher.md}}", "{{ include(path=\"arg-watcher.md\") }}")
        };
        let title = serde_yaml::to_string(&title).unwrap();
        std::fs::write(&page, format!("---\ntitle: {}\n---\n{text}", title.trim_end())).unwrap();
    }
    std::fs::write(content.join("_index.md"), "---\ntitle: mdBook Documentation\n---\n").unwrap();
    site
}

/// Replaces `from` with `to` in the page `path` of `site`, failing if it is not there.
fn edit(site: &Path, path: &str, from: &str, to: &str) {
    let file = site.join("content").join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "`{from}` is not in {path}");
    std::fs::write(&file, text.replace(from, to)).unwrap();
}

#[test]
fn mdbooks_guide_builds_with_no_false_error() {
    let site = mdbook_site();
    let (build, _) = build_and_check(site.path());
    // Line numbers are the converted files', three lines below the corpus's (the front matter).
    let shortcode = "a shortcode is written `name(key=\"value\")`; add the brackets after its name, or write `\\{{` to show `{{` as text";
    let errors = [
        (
            format!("content/README.md:20:13 {shortcode}"),
            "`{{ mdbook-version }}` is filled in by the guide's own preprocessor (`guide-helper` in book.toml), which the corpus does not include",
        ),
        (
            "content/README.md:30:3 the link `format/theme/index.html` points at `content/format/theme/index.html`, which is not a page or file in `content/` (or is a draft); did you mean `format/theme/README.md`?".to_string(),
            "a link to the page mdBook makes from `format/theme/README.md` (mdBook serves each README.md as index.html); picket links name the file, and issue 12's importer rewrites these",
        ),
        (
            format!("content/format/mdbook.md:298:3 {shortcode}"),
            "`{{#playground example.rs}}`: mdBook's Rust playground, which picket does not have (the escaped `\\{{#include}}` examples above it are text, as in mdBook)",
        ),
        (
            "content/guide/creating.md:33:15 the link `../cli/index.html` points at `content/cli/index.html`, which is not a page or file in `content/` (or is a draft); did you mean `../cli/README.md`?".to_string(),
            "mdBook's page for `cli/README.md`, as above",
        ),
        (
            "content/guide/creating.md:44:100 the link `../format/configuration/index.html` points at `content/format/configuration/index.html`, which is not a page or file in `content/` (or is a draft); did you mean `../format/configuration/README.md`?".to_string(),
            "mdBook's page for `format/configuration/README.md`, as above",
        ),
    ];
    let expected: Vec<(&str, &str)> = errors.iter().map(|(e, why)| (e.as_str(), *why)).collect();
    assert_errors(&build, &expected);

    // Fixed as the messages say (and the mdBook-only directives taken out), it builds, and every
    // link of every page, templates included, resolves.
    let root = site.path();
    edit(root, "README.md", "{{ mdbook-version }}", "\\{{ mdbook-version }}");
    edit(root, "README.md", "format/theme/index.html", "format/theme/README.md");
    edit(root, "format/mdbook.md", "\n{{#playground example.rs}}", "");
    edit(root, "guide/creating.md", "../cli/index.html", "../cli/README.md");
    edit(root, "guide/creating.md", "../format/configuration/index.html", "../format/configuration/README.md");
    let (build, check) = build_and_check(root);
    assert_errors(&build, &[]);
    assert_errors(&check, &[]);
}
