//! `picket import zola|mdbook SRC DEST`: a fixture per mapping and per thing that cannot be
//! carried over (snapshots of the report and of every file written), the two corpora from
//! `../shared`, and the promises: SRC unchanged, nothing written outside DEST, DEST must be empty.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use picket::import::{self, Tool};

use crate::support::{copy_dir, fixture, read_tree};

/// A fixture copied into a temporary folder: `work/site` (the fixture), SRC inside it, DEST beside.
struct Work {
    dir: tempfile::TempDir,
    src: PathBuf,
    dest: PathBuf,
}

fn work(name: &str, src_inside: &str) -> Work {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(&format!("import/{name}")), &dir.path().join("site"));
    let site = dir.path().join("site");
    let src = if src_inside.is_empty() { site } else { site.join(src_inside) };
    let dest = dir.path().join("dest");
    Work { dir, src, dest }
}

impl Work {
    fn redact(&self, text: &str) -> String {
        text.replace(&self.dir.path().display().to_string(), "[TMP]")
    }

    /// Every file of the work folder apart from DEST, with its bytes.
    fn outside_dest(&self) -> Vec<(PathBuf, Vec<u8>)> {
        read_tree(self.dir.path()).into_iter().filter(|(path, _)| !path.starts_with("dest")).collect()
    }
}

/// The theme files every import of a tool writes the same; snapshots show them once (in
/// `zola_config` and `mdbook_summary`) and elsewhere by name only.
const FIXED_THEME: [&str; 9] = [
    "themes/default/templates/base.html",
    "themes/default/templates/index.html",
    "themes/default/templates/section.html",
    "themes/default/templates/page.html",
    "themes/default/templates/tag.html",
    "themes/default/templates/tags.html",
    "themes/default/templates/partials/style.css",
    "themes/default/templates/partials/head.html",
    "themes/default/templates/partials/page_list.html",
];

/// Every file below `dir` as `== path ==` and its text (the fixed theme files by name only,
/// unless `theme` is set).
fn dump_tree(dir: &Path, theme: bool) -> String {
    let mut out = String::new();
    for (path, bytes) in read_tree(dir) {
        if !theme && FIXED_THEME.iter().any(|fixed| path == Path::new(fixed)) {
            out.push_str(&format!("== {} == (the theme's)\n", path.display()));
            continue;
        }
        let text = String::from_utf8(bytes.clone()).unwrap_or_else(|_| format!("<{} bytes>", bytes.len()));
        out.push_str(&format!("== {} ==\n{}\n", path.display(), text.trim_end()));
    }
    out
}

/// Imports the fixture; the report and every file written, or the errors.
fn check(tool: Tool, name: &str, src_inside: &str) -> String {
    check_with(tool, name, src_inside, false)
}

fn check_with(tool: Tool, name: &str, src_inside: &str, theme: bool) -> String {
    let work = work(name, src_inside);
    let before = work.outside_dest();
    let out = match import::run(tool, &work.src, &work.dest) {
        Ok(report) => format!("{report}\n\n{}", dump_tree(&work.dest, theme)),
        Err(errors) => format!("{errors}\n\nDEST written: {}", work.dest.exists()),
    };
    assert_eq!(work.outside_dest(), before, "the import changed something outside DEST");
    work.redact(&out)
}

#[test]
fn zola_front_matter() {
    insta::assert_snapshot!("zola_front_matter", check(Tool::Zola, "zola/front_matter", ""));
}

#[test]
fn zola_links() {
    insta::assert_snapshot!("zola_links", check(Tool::Zola, "zola/links", ""));
}

#[test]
fn zola_shortcodes() {
    insta::assert_snapshot!("zola_shortcodes", check(Tool::Zola, "zola/shortcodes", ""));
}

#[test]
fn zola_shortcodes_without_templates_get_templates_that_show_only_what_the_calls_give() {
    insta::assert_snapshot!("zola_missing_shortcodes", check(Tool::Zola, "zola/missing_shortcodes", ""));
}

#[test]
fn a_zola_site_without_its_shortcode_templates_builds_and_shows_the_images_they_name() {
    let work = work("zola/missing_shortcodes", "");
    import::run(Tool::Zola, &work.src, &work.dest).unwrap();
    let built = build_dest(&work);
    let page = built.answer("photos/").unwrap();
    assert!(page.contains("<p><img src=\"/photos/harbour.png\" alt=\"\"></p>"), "{page}");
    assert!(page.contains("<p><img src=\"/img/logo.svg\" alt=\"The logo\"></p>"), "{page}");
    assert!(page.contains("<p>Text <em>inside</em> the box.</p>"), "{page}");
    assert!(!page.contains("missing.png") && !page.contains("thumbnail"), "{page}");
}

#[test]
fn zola_config() {
    insta::assert_snapshot!("zola_config", check_with(Tool::Zola, "zola/config", "", true));
}

#[test]
fn zola_bad_toml_is_located_and_nothing_is_written() {
    insta::assert_snapshot!("zola_bad_toml", check(Tool::Zola, "zola/bad_toml", ""));
}

#[test]
fn zola_without_config_is_an_error() {
    let out = check(Tool::Zola, "mdbook/summary", "");
    assert!(out.starts_with("error: no `config.toml` here"), "{out}");
    assert!(out.ends_with("DEST written: false"), "{out}");
}

#[test]
fn mdbook_summary() {
    insta::assert_snapshot!("mdbook_summary", check_with(Tool::Mdbook, "mdbook/summary", "", true));
}

#[test]
fn mdbook_includes() {
    insta::assert_snapshot!("mdbook_includes", check(Tool::Mdbook, "mdbook/includes", "book"));
}

#[test]
fn mdbook_links() {
    insta::assert_snapshot!("mdbook_links", check(Tool::Mdbook, "mdbook/links", ""));
}

#[test]
fn mdbook_book_toml() {
    insta::assert_snapshot!("mdbook_book_toml", check(Tool::Mdbook, "mdbook/book_toml", ""));
}

#[test]
fn mdbook_hidden_lines_are_left_out_and_preprocessor_placeholders_shown_as_written() {
    let work = work("mdbook/book_toml", "");
    import::run(Tool::Mdbook, &work.src, &work.dest).unwrap();
    let built = build_dest(&work);
    let text = built.text("new/");
    assert!(text.contains("shown()") && !text.contains("hidden()"), "{text}");
    assert!(text.contains("let x = 1;") && !text.contains("fn main()"), "{text}");
    assert!(
        text.contains("Version: {{ book-version }}, installed with cargo install x --vers {{ book-version }}."),
        "{text}"
    );
    let page = built.answer("new/").unwrap();
    assert!(page.contains("<p class=\"version\">Version {{ book-version }}</p>"), "{page}");
}

#[test]
fn mdbook_bad_book_toml_is_located_and_nothing_is_written() {
    insta::assert_snapshot!("mdbook_bad_book_toml", check(Tool::Mdbook, "mdbook/bad_book_toml", ""));
}

#[test]
fn mdbook_without_summary_is_an_error() {
    let out = check(Tool::Mdbook, "mdbook/no_summary", "");
    assert!(out.starts_with("error: there is no SUMMARY.md"), "{out}");
    assert!(out.ends_with("DEST written: false"), "{out}");
}

#[test]
fn a_dest_that_is_not_empty_is_refused_and_left_alone() {
    let work = work("zola/links", "");
    std::fs::create_dir_all(&work.dest).unwrap();
    std::fs::write(work.dest.join("notes.txt"), "mine").unwrap();
    let errors = import::run(Tool::Zola, &work.src, &work.dest).unwrap_err();
    assert!(errors.to_string().contains("is not empty; picket import writes a whole new site"), "{errors}");
    assert_eq!(read_tree(&work.dest), vec![(PathBuf::from("notes.txt"), b"mine".to_vec())]);
}

#[test]
fn a_dest_inside_src_is_refused() {
    let work = work("zola/links", "");
    let dest = work.src.join("picket-site");
    let before = read_tree(&work.src);
    let errors = import::run(Tool::Zola, &work.src, &dest).unwrap_err();
    assert!(errors.to_string().contains("is inside the folder being imported"), "{errors}");
    assert_eq!(read_tree(&work.src), before);
    assert!(!dest.exists());
}

#[cfg(unix)]
#[test]
fn links_in_src_are_copied_only_when_they_lead_to_a_file_inside_it() {
    use std::os::unix::fs::symlink;
    let work = work("mdbook/includes", "book");
    let secret = work.dir.path().join("secret.txt");
    std::fs::write(&secret, "outside SRC").unwrap();
    let src = work.src.join("src");
    symlink(src.join("code/example.rs"), src.join("code/same.rs")).unwrap();
    symlink(&secret, src.join("secret.txt")).unwrap();
    symlink(work.dir.path(), src.join("up")).unwrap();
    symlink(work.dir.path().join("nothing"), src.join("dangling.md")).unwrap();
    let before = work.outside_dest();
    let report = import::run(Tool::Mdbook, &work.src, &work.dest).unwrap();
    assert_eq!(work.outside_dest(), before);
    let dest = read_tree(&work.dest);
    let written: BTreeSet<&Path> = dest.iter().map(|(p, _)| p.as_path()).collect();
    assert!(written.contains(Path::new("content/code/same.rs")), "{written:?}");
    for absent in ["content/secret.txt", "content/up", "content/dangling.md"] {
        assert!(!written.iter().any(|p| p.starts_with(absent)), "{absent} was written");
    }
    assert!(!dest.iter().any(|(_, bytes)| bytes == b"outside SRC"));
    let notes: Vec<String> = report.notes().iter().map(|n| n.path.display().to_string()).collect();
    for link in ["src/secret.txt", "src/up", "src/dangling.md"] {
        assert!(notes.iter().any(|n| n == link), "no note about {link}: {notes:?}");
    }
}

#[test]
fn the_command_prints_the_report_and_exits_1_exactly_when_dest_does_not_build() {
    let work = work("mdbook/links", "");
    let output = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["import", "mdbook"])
        .arg(&work.src)
        .arg(&work.dest)
        .output()
        .expect("run picket");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.starts_with("imported the mdBook book in "), "{stdout}");
    assert!(stdout.contains("in memory to check it"), "{stdout}");
    let builds = import::build(&work.dest);
    let expected = if builds.is_ok() { 0 } else { 1 };
    assert_eq!(output.status.code(), Some(expected), "{stdout}\n{stderr}");
    if let Err(errors) = builds {
        assert!(stderr.contains(&errors.0[0].message), "{stderr}");
    }
}

#[test]
fn an_unknown_tool_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_picket")).args(["import", "hugo", "a", "b"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("possible values: zola, mdbook"));
}

// The corpora: Zola's documentation and mdBook's guide, read from ../shared and copied into a
// temporary folder first. Each is imported, then DEST is built by the binary into a temporary
// output folder, as a user would, and the built files are checked.

fn corpus(names: &[&str], src: &str) -> Work {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let dir = tempfile::tempdir().expect("temp dir");
    for name in names {
        copy_dir(&shared.join(name), &dir.path().join(name));
    }
    let src = dir.path().join(src);
    let dest = dir.path().join("dest");
    Work { dir, src, dest }
}

/// The built site of DEST: `picket build` must succeed with nothing on stderr (no error, no
/// warning); its files by path.
fn build_dest(work: &Work) -> BuiltSite {
    let out = work.dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["build", "--root"])
        .arg(&work.dest)
        .arg("--output")
        .arg(&out)
        .output()
        .expect("run picket");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stderr.is_empty(), "DEST does not build cleanly:\n{}", work.redact(&stderr));
    let files = read_tree(&out).into_iter().map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()));
    BuiltSite { files: files.collect() }
}

struct BuiltSite {
    files: std::collections::BTreeMap<PathBuf, String>,
}

impl BuiltSite {
    /// The file that answers the site path `url` (`a/b/` or `a/b.html`, without the base path).
    fn answer(&self, url: &str) -> Option<&str> {
        let url = url.trim_start_matches('/');
        let path = if url.is_empty() || url.ends_with('/') { format!("{url}index.html") } else { url.to_string() };
        self.files.get(Path::new(&path)).map(String::as_str)
    }

    /// Where the redirect page at `url` sends the reader, without `base_path`; `None` for a page.
    fn redirect(&self, url: &str, base_path: &str) -> Option<String> {
        let html = self.answer(url)?;
        let target = html.split("<meta http-equiv=\"refresh\" content=\"0; url=").nth(1)?.split('"').next()?;
        Some(target.strip_prefix(base_path).unwrap_or(target).to_string())
    }

    /// Asserts that `url` answers with a page, or with redirects that lead to one. (Zola's
    /// docs chain two: `/documentation/` to the getting-started section, which leads on to its
    /// overview; Zola writes the same two redirect pages.)
    fn assert_answers(&self, url: &str, base_path: &str, why: &str) {
        assert!(self.answer(url).is_some(), "nothing answers at /{url} ({why})");
        let mut at = url.to_string();
        for _ in 0..3 {
            let Some(target) = self.redirect(&at, base_path) else { return };
            at = target.split('#').next().unwrap_or_default().to_string();
            assert!(self.answer(&at).is_some(), "/{url} ({why}) redirects to {target}, which does not answer");
        }
        panic!("/{url} ({why}) redirects more than three times");
    }

    /// The text a reader sees on the page at `url`: tags dropped, entities decoded, smart
    /// punctuation made plain, every run of white space one space.
    fn text(&self, url: &str) -> String {
        let html = self.answer(url).unwrap_or_else(|| panic!("no page at /{url}"));
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        plain(&decode_entities(&text))
    }
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;` and numeric references as their characters.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').filter(|end| *end <= 8);
        let decoded = end.and_then(|end| match &after[..end] {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            number => {
                let code = match number.strip_prefix("#x").or_else(|| number.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => number.strip_prefix('#').and_then(|n| n.parse().ok()),
                };
                code.and_then(char::from_u32)
            }
        });
        match (decoded, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Curly quotes and dashes as typed, and white space collapsed, so a source line can be found in
/// what a page shows.
fn plain(text: &str) -> String {
    let straight = text
        .replace(['‘', '’'], "'")
        .replace(['“', '”'], "\"")
        .replace('—', "---")
        .replace('–', "--")
        .replace('…', "...");
    straight.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The URL path of a page file below `content/`, as both Zola and picket derive it.
fn route_of(path: &Path) -> String {
    let parent: Vec<String> = path.parent().into_iter().flatten().map(|c| c.to_string_lossy().into_owned()).collect();
    let mut segments = parent;
    let name = path.file_name().unwrap().to_string_lossy();
    if name != "_index.md" && name != "index.md" {
        segments.push(path.file_stem().unwrap().to_string_lossy().into_owned());
    }
    segments.iter().map(|s| format!("{s}/")).collect()
}

/// A Zola page's TOML front matter.
fn toml_front_matter(text: &str) -> toml::Table {
    let block = text.trim_start().strip_prefix("+++").and_then(|t| t.split_once("\n+++")).map(|(b, _)| b);
    toml::from_str(block.expect("Zola's docs use +++ front matter")).expect("valid TOML")
}

#[test]
fn zola_docs_import_builds_with_no_error_and_every_old_url_answers() {
    let work = corpus(&["zola-docs"], "zola-docs");
    let before = work.outside_dest();
    let report = import::run(Tool::Zola, &work.src, &work.dest).expect("the import succeeds");
    assert_eq!(work.outside_dest(), before, "SRC changed or something was written outside DEST");
    insta::assert_snapshot!("zola_docs_report", work.redact(&report.to_string()));
    let built = build_dest(&work);
    let (mut n_pages, mut n_aliases, mut redirect_sections) = (0, 0, Vec::new());
    for (path, bytes) in read_tree(&work.src.join("content")) {
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let old = route_of(&path);
        built.assert_answers(&old, "", &format!("{}'s URL in Zola", path.display()));
        n_pages += 1;
        let front = toml_front_matter(&String::from_utf8(bytes).unwrap());
        if let Some(target) = front.get("redirect_to").and_then(|t| t.as_str()) {
            // Zola reads a `redirect_to` path from the site's root.
            let expected = format!("/{}", target.trim_start_matches('/'));
            let redirect = built.redirect(&old, "").unwrap_or_else(|| panic!("/{old} is no redirect"));
            assert_eq!(redirect.trim_end_matches('/'), expected.trim_end_matches('/'), "/{old}");
            redirect_sections.push(old.clone());
        }
        for alias in front.get("aliases").and_then(|a| a.as_array()).into_iter().flatten() {
            let alias = alias.as_str().unwrap();
            assert_eq!(built.redirect(alias, "").as_deref(), Some(format!("/{old}").as_str()), "alias {alias}");
            n_aliases += 1;
        }
    }
    assert_eq!(n_pages, 52, "every page of the corpus was checked");
    assert_eq!(n_aliases, 1);
    assert_eq!(built.redirect("documentation/templates/rss/", "").as_deref(), Some("/documentation/templates/feeds/"));
    assert_eq!(
        redirect_sections,
        [
            "documentation/",
            "documentation/content/",
            "documentation/deployment/",
            "documentation/getting-started/",
            "documentation/templates/",
            "documentation/themes/",
        ],
        "every `redirect_to` section keeps its redirect"
    );
    // The shortcodes whose templates the corpus leaves out show the original image they name.
    let images = built.answer("documentation/content/image-processing/").unwrap();
    assert_eq!(images.matches("<img src=\"/documentation/content/image-processing/01-zola.png\" alt=\"\">").count(), 7);
    assert!(images.contains("<img src=\"/documentation/content/image-processing/08-example.jpg\" alt=\"\">"));
}

/// Where mdBook published a chapter of `src/` (`a/b.md` at `a/b.html`, a README at `index.html`).
fn mdbook_url(chapter: &str) -> String {
    match chapter.strip_suffix("README.md") {
        Some(folder) => format!("{folder}index.html"),
        None => chapter.replace(".md", ".html"),
    }
}

/// What each `{{#include}}`, `{{#rustdoc_include}}` and `{{#playground}}` of the guide's chapters
/// stands for: the page (its picket URL) and the lines a reader must find on it. Only whole files
/// and anchors occur in the guide; anything else fails the test.
fn includes_of(src: &Path, chapters: &[String]) -> Vec<(String, String, Vec<String>)> {
    let mut found = Vec::new();
    for chapter in chapters {
        let page_path = src.join("src").join(chapter);
        let text = std::fs::read_to_string(&page_path).unwrap();
        let mut in_fence = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_fence = !in_fence;
            }
            let Some(at) = line.find("{{#") else { continue };
            if line[..at].ends_with('\\') {
                continue;
            }
            let helper = line[at + 3..].split("}}").next().unwrap();
            let Some((name, args)) = helper.split_once(' ') else { continue };
            if !["include", "rustdoc_include", "playground"].contains(&name) {
                continue;
            }
            let (file, anchor) = args.trim().split_once(':').map_or((args.trim(), None), |(f, a)| (f, Some(a)));
            assert!(anchor.is_none_or(|a| a.parse::<usize>().is_err() && !a.contains(':')), "{helper}");
            let included = std::fs::read_to_string(page_path.parent().unwrap().join(file)).unwrap();
            let mut lines: Vec<&str> = included.lines().collect();
            if let Some(anchor) = anchor {
                let start = lines.iter().position(|l| l.contains(&format!("ANCHOR: {anchor}"))).unwrap();
                let end = lines.iter().position(|l| l.contains(&format!("ANCHOR_END: {anchor}"))).unwrap();
                lines = lines[start + 1..end].to_vec();
            }
            let is_code = in_fence || name != "include";
            let rust = name != "include" || file.ends_with(".rs");
            let expected: Vec<String> = if is_code {
                lines
                    .iter()
                    .filter(|l| !l.contains("ANCHOR"))
                    .filter(|l| !(rust && (l.trim() == "#" || l.trim_start().starts_with("# "))))
                    .map(|l| plain(l))
                    .filter(|l| !l.is_empty())
                    .collect()
            } else {
                // Markdown: the text of each of its blocks, as a reader sees it.
                let markdown = lines.join("\n");
                let mut texts = Vec::new();
                for event in pulldown_cmark::Parser::new_ext(&markdown, picket::markdown::options()) {
                    if let pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) = event {
                        texts.push(plain(&t));
                    }
                }
                texts.retain(|t| !t.is_empty());
                texts
            };
            let route = match chapter.strip_suffix("README.md") {
                Some(folder) => folder.to_string(),
                None => format!("{}/", chapter.trim_end_matches(".md")),
            };
            found.push((route, format!("{chapter}: {helper}"), expected));
        }
    }
    found
}

#[test]
fn mdbook_guide_import_builds_with_no_error_keeps_every_url_and_shows_every_included_file() {
    let work = corpus(&["mdbook-guide", "examples"], "mdbook-guide");
    let before = work.outside_dest();
    let report = import::run(Tool::Mdbook, &work.src, &work.dest).expect("the import succeeds");
    assert_eq!(work.outside_dest(), before, "SRC changed or something was written outside DEST");
    insta::assert_snapshot!("mdbook_guide_report", work.redact(&report.to_string()));
    let built = build_dest(&work);
    let summary = std::fs::read_to_string(work.src.join("src/SUMMARY.md")).unwrap();
    let chapters: Vec<String> = summary
        .lines()
        .filter_map(|line| line.split_once("](").map(|(_, rest)| rest.trim_end_matches(')').to_string()))
        .filter(|target| !target.is_empty())
        .collect();
    assert_eq!(chapters.len(), 31, "every chapter of SUMMARY.md is checked");
    for chapter in &chapters {
        let old = mdbook_url(chapter);
        built.assert_answers(&old, "/mdBook", &format!("{chapter} in mdBook"));
        if !old.ends_with("index.html") {
            let new = format!("{}/", old.trim_end_matches(".html"));
            assert_eq!(built.redirect(&old, "/mdBook"), Some(format!("/{new}")), "mdBook's /{old}");
        }
    }
    // book.toml's `[output.html.redirect]`.
    assert_eq!(built.redirect("format/config.html", "/mdBook").as_deref(), Some("/format/configuration/"));
    let includes = includes_of(&work.src, &chapters);
    assert_eq!(includes.len(), 6, "every include of the guide is checked");
    for (route, include, lines) in includes {
        let text = built.text(&route);
        assert!(!lines.is_empty(), "{include} stands for nothing");
        for line in lines {
            assert!(text.contains(&line), "{include}: `{line}` is not on /{route}");
        }
    }
    // `{{ mdbook-version }}`, which the guide's own preprocessor filled in, is shown as written.
    assert!(built.answer("").unwrap().contains("Version: {{ mdbook-version }}"));
}
/// DEST's site.yaml without `heading_ids`, which picket reads only once the links work lands;
/// what remains is what a build of DEST checks today.
fn without_heading_ids(dest: &Path) {
    let path = dest.join("site.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = text.lines().filter(|line| !line.starts_with("heading_ids:")).collect();
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
}

#[test]
fn both_themes_are_valid_templates() {
    for (tool, name, inside) in [(Tool::Zola, "zola/front_matter", ""), (Tool::Mdbook, "mdbook/summary", "")] {
        let work = work(name, inside);
        import::run(tool, &work.src, &work.dest).unwrap();
        without_heading_ids(&work.dest);
        let config = picket::config::Config::load(&work.dest, &picket::config::Overrides::default()).unwrap();
        if let Err(errors) = picket::render::Theme::load(&config) {
            panic!("{name}: {}", work.redact(&errors.to_string()));
        }
    }
}

#[test]
fn an_imported_zola_site_without_newer_keys_builds_with_its_links_resolved() {
    let work = work("zola/links", "");
    import::run(Tool::Zola, &work.src, &work.dest).unwrap();
    without_heading_ids(&work.dest);
    // The fixture's one missing page is a real fault of the source: fix it as an editor would.
    let home = work.dest.join("content/_index.md");
    let text = std::fs::read_to_string(&home).unwrap().replace("docs/missing.md", "docs/guide.md");
    std::fs::write(&home, text).unwrap();
    let built = import::build(&work.dest).unwrap_or_else(|errors| panic!("{}", work.redact(&errors.to_string())));
    let page = built.files.iter().find(|f| f.path.to_string_lossy() == "index.html").unwrap();
    let html = String::from_utf8(page.bytes().unwrap()).unwrap();
    assert!(html.contains("href=\"/sub/docs/guide/#install\""), "{html}");
    assert!(html.contains("<a class=\"site-title\" href=\"/sub/\">Links</a>"), "{html}");
}
