use std::path::Path;

use super::rewriter::info_language;
use super::*;
use crate::config::Overrides;

/// Included files: none.
struct NoFiles;

impl include::IncludeFiles for NoFiles {
    fn read(&self, path: &Path) -> Result<std::sync::Arc<str>, String> {
        Err(format!("`{}` is not in this test", path.display()))
    }
}

/// A theme with two shortcodes: `note` (a block, declaring `kind` and `title="Note"`) and `word`
/// (inline, declaring nothing).
struct Templates {
    declaration: Declaration,
}

impl Default for Templates {
    fn default() -> Templates {
        Templates { declaration: shortcodes::parse_declaration("{# args: kind, title=\"Note\" #}").unwrap().unwrap() }
    }
}

impl ShortcodeTemplates for Templates {
    fn has(&self, name: &str) -> bool {
        name == "note" || name == "word" || name == "link"
    }

    fn declaration(&self, name: &str) -> Option<&Declaration> {
        (name == "note").then_some(&self.declaration)
    }

    fn render(&self, name: &str, args: &BTreeMap<String, serde_json::Value>, body: &str) -> Result<String, Error> {
        let arg = |key: &str| args.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        Ok(match name {
            "note" => format!("<div class=\"{}\"><p>{}</p>\n{body}</div>\n", arg("kind"), arg("title")),
            "link" => format!("<a href=\"{}\">x</a>", arg("to")),
            _ => format!("<b>{}</b>", arg("text")),
        })
    }
}

fn urls() -> Urls {
    let mut urls = Urls::default();
    urls.add_page(Path::new("content/_index.md"), "");
    urls.add_page(Path::new("content/a.md"), "a/");
    urls.add_page(Path::new("content/other.md"), "other/");
    urls
}

/// Renders `body` as the page `content/a.md` with `site` (extra lines of site.yaml); the HTML or
/// the errors, one a line as `line:col message`.
fn render_with(site: &str, body: &str) -> String {
    let yaml = format!("title: T\nbase_url: https://example.org/\n{site}");
    let config = Config::parse(Path::new("/site"), &yaml, &Overrides::default()).unwrap();
    let urls = urls();
    let figures = Figures::default();
    let templates = Templates::default();
    let highlighter = Highlighter::default();
    let ctx = Context {
        config: &config,
        urls: &urls,
        figures: &figures,
        templates: &templates,
        highlighter: &highlighter,
        known_code: None,
        files: &NoFiles,
    };
    let text = format!("---\ntitle: A\n---\n{body}");
    let page = PageSource {
        path: Path::new("content/a.md"),
        text: &text,
        dir: Path::new("content"),
        body_offset: 16,
        route: "a/",
    };
    match render(&ctx, &page) {
        Ok(rendered) => rendered.html,
        Err(errors) => errors
            .0
            .iter()
            .map(|e| {
                let at = e.location.map(|l| format!("{}:{} ", l.line, l.column)).unwrap_or_default();
                format!("{at}{}", e.message)
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn check(body: &str, expected: &str) {
    assert_eq!(render_with("", body), expected);
}

#[test]
fn slugs_are_lower_case_words_joined_by_dashes() {
    assert_eq!(slugify("What is in dispute: Saturday pay"), "what-is-in-dispute-saturday-pay");
    assert_eq!(slugify("  Émile's  café -- 2016 "), "émiles-café-2016");
    assert_eq!(slugify("???"), "");
}

#[test]
fn heading_ids_follow_github_and_ignore_smart_punctuation() {
    check(
        "## Smileys & Emotion\n\n## It's -- here\n\n## Smileys & Emotion\n",
        "<h2 id=\"smileys--emotion\">Smileys &amp; Emotion</h2>\n<h2 id=\"its----here\">It’s – here</h2>\n<h2 id=\"smileys--emotion-1\">Smileys &amp; Emotion</h2>\n",
    );
}

#[test]
fn written_ids_are_kept_and_taken_before_generated_ones() {
    check("## Pay\n\n## Other {#pay}\n", "<h2 id=\"pay-1\">Pay</h2>\n<h2 id=\"pay\">Other</h2>\n");
}

#[test]
fn zola_and_mdbook_heading_ids() {
    assert_eq!(
        render_with("heading_ids: zola\n", "## Smileys & Émotion\n"),
        "<h2 id=\"smileys-emotion\">Smileys &amp; Émotion</h2>\n"
    );
    assert_eq!(
        render_with("heading_ids: mdbook\n", "## Smileys & Émotion -- `x`\n\nTerm\n: Definition\n"),
        "<h2 id=\"smileys--Émotion--x\">Smileys &amp; Émotion – <code>x</code></h2>\n<dl>\n<dt id=\"term\">Term</dt>\n<dd>Definition</dd>\n</dl>\n"
    );
}

#[test]
fn definition_lists() {
    check("Term\n: Definition\n", "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>\n");
}

#[test]
fn alerts_are_labelled_sections_with_their_kind_in_words() {
    check(
        "> [!WARNING]\n> Mind the step.\n",
        "<section class=\"alert alert-warning\" aria-label=\"Warning\">\n<p class=\"alert-title\">Warning</p>\n<p>Mind the step.</p>\n</section>\n",
    );
    check(
        "> [!NOTE]\n> a\n\n> plain\n",
        "<section class=\"alert alert-note\" aria-label=\"Note\">\n<p class=\"alert-title\">Note</p>\n<p>a</p>\n</section>\n<blockquote>\n<p>plain</p>\n</blockquote>\n",
    );
}

#[test]
fn table_captions_are_written_after_or_before_the_table() {
    let table = "<table><caption>Pay by day</caption><thead><tr><th scope=\"col\">a</th></tr></thead><tbody>\n<tr><td>1</td></tr>\n</tbody></table>\n";
    check("| a |\n|---|\n| 1 |\n\nTable: Pay by day\n", table);
    check("Table: Pay by day\n\n| a |\n|---|\n| 1 |\n", table);
    check(
        "Table: *Pay* by day\n\n| a |\n|---|\n| 1 |\n\nafter\n",
        &format!("{}<p>after</p>\n", table.replace("Pay by day", "<em>Pay</em> by day")),
    );
}

#[test]
fn info_strings_give_the_language_before_a_comma_or_space() {
    assert_eq!(info_language("rust,ignore"), Some("rust"));
    assert_eq!(info_language("python title=x"), Some("python"));
    assert_eq!(info_language("scss, linenos"), Some("scss"));
    assert_eq!(info_language(""), None);
}

#[test]
fn block_shortcodes_never_sit_inside_a_paragraph() {
    check(
        "Before\n{% note(kind=\"k\") %}\nInside {% note(kind=\"j\", title=\"T\") %}deep{% end %} text\n{% end %}\nAfter\n",
        "<p>Before</p>\n<div class=\"k\"><p>Note</p>\n<p>Inside</p>\n<div class=\"j\"><p>T</p>\n<p>deep</p>\n</div>\n<p>text</p>\n</div>\n<p>After</p>\n",
    );
    check("A {{ word(text=\"inline\") }} b\n", "<p>A <b>inline</b> b</p>\n");
}

#[test]
fn a_backslash_makes_a_shortcode_literal() {
    check(
        "Write \\{{ word(text=\"x\") }} or \\{% note() %}.\n",
        "<p>Write {{ word(text=“x”) }} or {% note() %}.</p>\n",
    );
}

#[test]
fn declared_arguments_are_checked_at_their_place() {
    check(
        "{% note(kind=\"k\", titel=\"x\") %}b{% end %}\n\n{% note() %}b{% end %}\n",
        "4:19 the shortcode `note` has no argument `titel`; did you mean `title`? it takes `kind`, `title`\n6:1 the shortcode `note` needs `kind`; add `kind=\"...\"` to the call",
    );
}

#[test]
fn links_a_shortcode_writes_are_checked() {
    check(
        "See {{ link(to=\"/nowhere/\") }}.\n",
        "4:5 `{{ link(to=\"/nowhere/\") }}` writes a link: the link `/nowhere/` points at `/nowhere/`, which the site does not serve; fix the link",
    );
}

#[test]
fn a_shortcode_in_a_link_shows_as_written_in_errors() {
    check(
        "[x]({{ word(text=\"nowhere.md\") }})\n",
        "4:1 the link `{{ word(text=\"nowhere.md\") }}` points at `content/nowhere.md`, which is not a page or file in `content/` (or is a draft); did you mean `other.md`?",
    );
    check("[x]({{ word(text=\"other.md\") }})\n", "<p><a href=\"/other/\">x</a></p>\n");
}

#[test]
fn raw_html_links_are_resolved_and_located() {
    check(
        "<a href=\"other.md#x\">o</a> <img src=\"gone.png\">\n",
        "4:38 the link `gone.png` points at `content/gone.png`, which is not a page or file in `content/` (or is a draft); fix the path",
    );
    check("<p><a id=\"old\" href=\"other.md\">o</a></p>\n", "<p><a id=\"old\" href=\"/other/\">o</a></p>\n");
}

#[test]
fn nul_bytes_become_the_replacement_character() {
    check("a\0b `c\0` <i>d\0</i>\n", "<p>a\u{FFFD}b <code>c\u{FFFD}</code> <i>d\u{FFFD}</i></p>\n");
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
        blocks::accessible_tables(
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
        blocks::accessible_tables(html),
        format!(
            "<p>{right}</p><table><tr><td class=\"num\">1</td></tr></table><p>between</p><table><tr><th scope=\"col\">x</th></tr></table><p>{right}</p>"
        )
    );
}

#[test]
fn a_link_in_a_shortcode_body_is_checked_once_at_its_own_place() {
    let yaml = "title: T\nbase_url: https://example.org/\n";
    let config = Config::parse(Path::new("/site"), yaml, &Overrides::default()).unwrap();
    let urls = urls();
    let (figures, templates, highlighter) = (Figures::default(), Templates::default(), Highlighter::default());
    let ctx = Context {
        config: &config,
        urls: &urls,
        figures: &figures,
        templates: &templates,
        highlighter: &highlighter,
        known_code: None,
        files: &NoFiles,
    };
    let text = "---\ntitle: A\n---\n{% note(kind=\"k\") %}\nSee [it](other.md#nowhere).\n{% end %}\n";
    let page =
        PageSource { path: Path::new("content/a.md"), text, dir: Path::new("content"), body_offset: 16, route: "a/" };
    let rendered = render(&ctx, &page).unwrap();
    let links: Vec<(String, String, usize)> =
        rendered.anchor_links.iter().map(|l| (l.url.clone(), l.fragment.clone(), l.offset)).collect();
    assert_eq!(links, [("other/".to_string(), "nowhere".to_string(), text.find("[it]").unwrap())]);
}

#[test]
fn numbers_are_kept_as_written_with_their_offsets() {
    let mut numbers = super::Numbers::default();
    assert!(numbers.is_empty());
    numbers.push("1,150", 40);
    numbers.push("2016", 7);
    numbers.push("100.5", 99);
    let kept: Vec<(&str, usize)> = numbers.iter().collect();
    assert_eq!(kept, [("1,150", 40), ("2016", 7), ("100.5", 99)]);
    let mut more = super::Numbers::default();
    more.extend(&numbers);
    assert_eq!(more, numbers);
}
