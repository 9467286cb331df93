//! Hostile and careless input (issue 10): a table of cases across front matter, Markdown, data,
//! templates, site.yaml, file names and symlinks, each run through the real binary.
//!
//! Every case starts from a copy of `tests/fixtures/hostile/site` that has been built once, makes
//! its change, then runs `picket build` and `picket check`. Whatever the case, these must hold:
//! - the exit code is 0 or 1: never a panic, a crash or a hang;
//! - nothing outside the output folder and picket's own folders beside it is created, changed or
//!   removed (the whole temporary folder around the site is compared before and after);
//! - when the build fails, the previous output is byte-identical;
//! - when it fails, every error has a place (` --> path`), so the editor knows where to look.
//!
//! Each case also says whether it must build or fail, and on failure a few words its message must
//! contain. Every message is snapshotted in `hostile__messages`, so each is read once by a person.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{copy_dir, fixture};

/// Far more than any case takes in a debug build: a hang fails the case instead of blocking.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What a case must end in.
enum Expect {
    Builds,
    /// Fails, and the errors contain these words.
    Fails(&'static str),
}

/// A temporary folder `[T]` holding the site at `[T]/site`, already built into `site/public`.
struct Site {
    top: PathBuf,
}

impl Site {
    fn root(&self) -> PathBuf {
        self.top.join("site")
    }

    fn write(&self, relative: &str, text: &str) {
        self.write_bytes(relative.as_bytes(), text.as_bytes());
    }

    /// Writes a file whose path (relative to the site) may be any bytes.
    fn write_bytes(&self, relative: &[u8], bytes: &[u8]) {
        let path = self.root().join(OsStr::from_bytes(relative));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// A page `content/x.md` with this front matter (between the fences) and body.
    fn page(&self, front_matter: &str, body: &str) {
        self.write("content/x.md", &format!("---\n{front_matter}\n---\n{body}\n"));
    }

    /// A second data file beside the site's, holding `text` (it may use the source `r` and the
    /// figure `count` of the first).
    fn data(&self, text: &str) {
        self.write("content/_data/more.yaml", text);
    }

    fn template(&self, name: &str, text: &str) {
        self.write(&format!("themes/t/templates/{name}"), text);
    }

    /// A site.yaml with these lines added (`theme: t` unless they name a theme).
    fn site_yaml(&self, extra: &str) {
        let theme = if extra.starts_with("theme:") { "" } else { "theme: t\n" };
        self.write("site.yaml", &format!("title: Hostile\nbase_url: https://example.org/\n{theme}{extra}\n"));
    }

    fn symlink(&self, target: &Path, relative: &str) {
        let link = self.root().join(relative);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, link).unwrap();
    }

    /// A folder outside the site, in `[T]`, with a secret file in it.
    fn outside(&self) -> PathBuf {
        let dir = self.top.join("outside");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("secret.txt"), "a secret").unwrap();
        std::fs::write(dir.join("secret.md"), "---\ntitle: Secret\n---\nsecret\n").unwrap();
        dir
    }
}

type Setup = Box<dyn Fn(&Site)>;

fn case(name: &'static str, expect: Expect, setup: impl Fn(&Site) + 'static) -> (&'static str, Expect, Setup) {
    (name, expect, Box::new(setup))
}

use Expect::{Builds, Fails};

fn front_matter_cases() -> Vec<(&'static str, Expect, Setup)> {
    let slug = |s: &'static str| move |site: &Site| site.page(&format!("title: X\nslug: {s}"), "x");
    vec![
        case("slug_climbs_out_of_the_output", Fails("is not a slug"), slug("../../escaped")),
        case("slug_is_an_absolute_path", Fails("is not a slug"), |site| {
            site.page(&format!("title: X\nslug: {}", site.top.join("abs").display()), "x")
        }),
        case("slug_is_empty", Fails("is not a slug"), slug("\"\"")),
        case("slug_is_dot_dot", Fails("is not a slug"), slug("..")),
        case("slug_is_dot", Fails("is not a slug"), slug(".")),
        case("slug_has_a_slash", Fails("is not a slug"), slug("a/b")),
        case("slug_has_a_backslash", Fails("is not a slug"), slug("'a\\b'")),
        case("slug_has_a_space", Fails("is not a slug"), slug("\"a b\"")),
        case("slug_has_a_newline", Fails("is not a slug"), slug("\"a\\nb\"")),
        case("slug_has_a_nul", Fails("is not a slug"), slug("\"a\\0b\"")),
        case("slug_is_percent_encoded_dots", Fails("is not a slug"), slug("'%2e%2e'")),
        case("slug_has_a_question_mark", Fails("is not a slug"), slug("'a?b'")),
        case("slug_has_a_hash", Fails("is not a slug"), slug("'a#b'")),
        case("slug_replaces_the_output_of_another_page", Fails("would both be written"), slug("a")),
        case("slug_is_three_hundred_letters", Fails("longer than"), |site| {
            site.page(&format!("title: X\nslug: {}", "a".repeat(300)), "x")
        }),
        case("slug_is_a_number_builds", Builds, slug("12")),
        case("slug_with_unicode_letters_builds", Builds, slug("café")),
        case("slug_on_the_home_page_is_ignored", Builds, |site| {
            site.write("content/_index.md", "---\ntitle: Home\nslug: other\n---\nhome\n")
        }),
        case("template_climbs_out_of_the_theme", Fails("is not a template name"), |site| {
            site.page("title: X\ntemplate: ../../../site.yaml", "x")
        }),
        case("template_is_absolute", Fails("is not a template name"), |site| {
            site.page("title: X\ntemplate: /etc/passwd", "x")
        }),
        case("template_is_missing", Fails("the theme has no template"), |site| {
            site.page("title: X\ntemplate: nosuch.html", "x")
        }),
        case("title_is_empty", Fails("`title` is empty"), |site| site.page("title: \"\"", "x")),
        case("title_is_missing", Fails("no `title`"), |site| site.page("weight: 1", "x")),
        case("title_is_a_list", Fails("invalid type"), |site| site.page("title: [a, b]", "x")),
        case("title_holds_a_nul", Builds, |site| site.page("title: \"a\\0b\"", "x")),
        case("title_holds_script", Builds, |site| site.page("title: \"<script>alert(1)</script>\"", "x")),
        case("date_month_thirteen", Fails("2026-13-01"), |site| site.page("title: X\ndate: 2026-13-01", "x")),
        case("date_thirtieth_of_february", Fails("2026-02-30"), |site| site.page("title: X\ndate: 2026-02-30", "x")),
        case("date_in_words", Fails("yesterday"), |site| site.page("title: X\ndate: yesterday", "x")),
        case("weight_is_text", Fails("invalid type"), |site| site.page("title: X\nweight: heavy", "x")),
        case("weight_is_huge", Fails("invalid"), |site| site.page("title: X\nweight: 1e300", "x")),
        case("draft_is_yes_in_words", Fails("invalid type"), |site| site.page("title: X\ndraft: maybe", "x")),
        case("tag_is_only_punctuation", Fails("has no letter or digit"), |site| {
            site.page("title: X\ntags: [\"!!!\"]", "x")
        }),
        case("tag_climbs_out", Builds, |site| site.page("title: X\ntags: [\"../../x\"]", "x")),
        case("tag_is_empty", Fails("has no letter or digit"), |site| site.page("title: X\ntags: [\"\"]", "x")),
        case("a_thousand_tags", Builds, |site| {
            let tags: Vec<String> = (0..1000).map(|i| format!("t{i}")).collect();
            site.page(&format!("title: X\ntags: [{}]", tags.join(", ")), "x")
        }),
        case("sources_names_an_unknown_report", Fails("not in the sources registry"), |site| {
            site.page("title: X\nsources: [nosuch]", "x")
        }),
        case("yaml_binary_tag", Fails("YAML tag `!!binary`"), |site| site.page("title: !!binary aGVsbG8=", "x")),
        case("yaml_include_tag", Fails("YAML tag `!include`"), |site| site.page("title: !include /etc/passwd", "x")),
        case("yaml_alias_bomb", Fails("expands its aliases"), |site| {
            let mut yaml = String::from("title: X\nextra:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
            for i in 1..9 {
                let refs = vec![format!("*a{}", i - 1); 9].join(", ");
                yaml.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
            }
            site.page(&yaml, "x")
        }),
        case("yaml_two_hundred_deep", Fails("nested too deeply"), |site| {
            site.page(&format!("title: X\nextra: {}{}", "[".repeat(200), "]".repeat(200)), "x")
        }),
        case("yaml_duplicate_key", Fails("duplicate"), |site| site.page("title: X\ntitle: Y", "x")),
        case("yaml_tab_indent", Fails("invalid YAML"), |site| site.page("title: X\nextra:\n\tk: v", "x")),
        case("front_matter_with_a_bom_and_crlf_builds", Builds, |site| {
            site.write("content/x.md", "\u{feff}---\r\ntitle: X\r\n---\r\nbody\r\n")
        }),
        case("front_matter_never_closed", Fails("never closed"), |site| site.write("content/x.md", "---\ntitle: X\n")),
        case("front_matter_is_empty", Fails("front matter is empty"), |site| {
            site.write("content/x.md", "---\n---\nx\n")
        }),
        case("no_front_matter", Fails("no front matter"), |site| site.write("content/x.md", "just text\n")),
        case("unknown_key", Fails("unknown key `titel`"), |site| site.page("title: X\ntitel: Y", "x")),
        case("key_in_capitals", Fails("unknown key `Title`"), |site| site.page("Title: X", "x")),
        case("extra_nested_values_build", Builds, |site| site.page("title: X\nextra:\n  a: {b: [1, 2, {c: d}]}", "x")),
    ]
}

fn markdown_cases() -> Vec<(&'static str, Expect, Setup)> {
    let body = |text: &'static str| move |site: &Site| site.page("title: X", text);
    vec![
        case(
            "link_to_a_page_outside_content",
            Fails("is not a page or file in `content/`"),
            body("[x](../../etc/passwd.md)"),
        ),
        case("link_to_the_config", Fails("is not a page or file in `content/`"), body("[x](../site.yaml)")),
        case("image_outside_content", Fails("which the site does not serve"), body("![x](../../../etc/passwd)")),
        case("absolute_link_to_nothing", Fails("which the site does not serve"), body("[x](/etc/passwd)")),
        case("javascript_link_in_markdown", Fails("javascript:"), body("[x](javascript:alert(1))")),
        case("raw_script_builds_as_written", Builds, body("<script>alert(1)</script>")),
        case("nul_in_the_body", Builds, body("a\u{0}b")),
        case("control_characters_in_the_body", Builds, body("a\u{1}\u{7}\u{1b}[31mb")),
        case("ten_thousand_nested_lists", Builds, |site| site.page("title: X", &"- ".repeat(10_000))),
        case("ten_thousand_nested_quotes", Builds, |site| site.page("title: X", &"> ".repeat(10_000))),
        case("a_line_of_a_megabyte", Builds, |site| site.page("title: X", &"word ".repeat(200_000))),
        case("page_over_the_size_limit", Fails("the limit is 10 MB"), |site| {
            site.page("title: X", &"x".repeat(11 * 1024 * 1024))
        }),
        case("body_not_utf8", Fails("not valid UTF-8"), |site| {
            site.write_bytes(b"content/x.md", b"---\ntitle: X\n---\n\xff\xfe\n")
        }),
        case("unclosed_shortcode", Fails("never closed"), body("{{ figure(id=\"count\")")),
        case("unclosed_block_shortcode", Fails("has no `{% end %}`"), body("{% note() %}never ends")),
        case("stray_end", Fails("closes no shortcode"), body("{% end %}")),
        case("unknown_shortcode", Fails("unknown shortcode"), body("{{ nosuch() }}")),
        case(
            "shortcode_argument_climbs_out",
            Fails("no figure has the id"),
            body("{{ figure(id=\"../../etc/passwd\") }}"),
        ),
        case("shortcode_with_a_nul_argument", Fails("no figure has the id"), body("{{ figure(id=\"a\u{0}\") }}")),
        case("shortcode_nested_a_hundred_deep", Builds, |site| {
            site.page("title: X", &format!("{}x{}", "{% note() %}".repeat(100), "{% end %}".repeat(100)))
        }),
        case("shortcode_in_code_is_literal", Builds, body("`{{ nosuch() }}`\n\n```\n{% nosuch() %}\n```")),
        case("heading_of_punctuation_only", Builds, body("## !!!\n\n## ???")),
        case("a_thousand_equal_headings", Builds, |site| site.page("title: X", &"## Same\n\n".repeat(1000))),
        case("anchor_link_to_nothing", Fails("which this page does not have"), body("[x](#nosuch)")),
        case("footnote_never_defined", Builds, body("a[^1]")),
        case("figure_typed_by_hand", Fails("typed by hand"), body("There were 1,200 cases.")),
        case("html_comment_never_closed", Builds, body("<!-- never closed")),
        case("code_block_never_closed", Builds, body("```rust\nfn main() {")),
        case("code_with_an_unknown_language", Builds, body("```nosuch\nx\n```")),
        case(
            "link_with_percent_dots",
            Fails("is not a page or file in `content/`"),
            body("[x](%2e%2e/%2e%2e/etc/passwd.md)"),
        ),
    ]
}

fn data_cases() -> Vec<(&'static str, Expect, Setup)> {
    let figure = |fields: &'static str| {
        move |site: &Site| {
            site.data(&format!(
                "figures:\n  - id: extra\n    label: E\n    unit: u\n    as_of: 2026-01\n    source: r\n{fields}\n"
            ))
        }
    };
    vec![
        case("source_url_is_javascript", Fails("javascript:"), |site| {
            site.write(
                "content/_data/more.yaml",
                "sources:\n  - id: s\n    short: S\n    title: T\n    covers: C\n    url: \"javascript:alert(1)\"\n",
            )
        }),
        case("source_url_is_data", Fails("data:"), |site| {
            site.write(
                "content/_data/more.yaml",
                "sources:\n  - id: s\n    short: S\n    title: T\n    covers: C\n    url: \"data:text/html,<script>alert(1)</script>\"\n",
            )
        }),
        case("source_url_is_https_builds", Builds, |site| {
            site.write(
                "content/_data/more.yaml",
                "sources:\n  - id: s\n    short: S\n    title: T\n    covers: C\n    url: \"https://example.org/report\"\n",
            )
        }),
        case("value_is_nan", Fails("finite"), figure("    value: .nan")),
        case("value_is_infinite", Fails("finite"), figure("    value: .inf")),
        case("value_is_minus_infinite", Fails("finite"), figure("    value: -.inf")),
        case("value_is_text", Fails("invalid type"), figure("    value: many")),
        case("value_is_huge_builds", Builds, figure("    value: 1e300")),
        case("as_of_month_thirteen", Fails("2026-13"), |site| {
            site.data(
                "figures:\n  - id: extra\n    label: E\n    unit: u\n    as_of: 2026-13\n    source: r\n    value: 1\n",
            )
        }),
        case("as_of_in_words", Fails("soon"), |site| {
            site.data(
                "figures:\n  - id: extra\n    label: E\n    unit: u\n    as_of: soon\n    source: r\n    value: 1\n",
            )
        }),
        case("figure_defined_twice", Fails("defined twice"), |site| {
            site.data(
                "figures:\n  - id: count\n    label: E\n    unit: u\n    as_of: 2026-01\n    source: r\n    value: 1\n",
            )
        }),
        case("figure_computed_from_itself", Fails("computed from itself"), |site| {
            site.data("computed:\n  - id: loop\n    label: L\n    unit: u\n    sum: [loop]\n")
        }),
        case("figure_sums_a_missing_figure", Fails("not defined"), |site| {
            site.data("computed:\n  - id: s\n    label: S\n    unit: u\n    sum: [nosuch]\n")
        }),
        case("figure_without_a_source", Fails("has no `source`"), |site| {
            site.data("figures:\n  - id: e\n    label: E\n    unit: u\n    as_of: 2026-01\n    value: 1\n")
        }),
        case("figure_cites_an_unknown_source", Fails("not in the sources registry"), |site| {
            site.data("figures:\n  - id: e\n    label: E\n    unit: u\n    as_of: 2026-01\n    value: 1\n    source: nosuch\n")
        }),
        case("data_yaml_binary_tag", Fails("YAML tag"), |site| {
            site.data("figures:\n  - id: e\n    label: !!binary aGk=\n")
        }),
        case("data_alias_bomb", Fails("expands its aliases"), |site| {
            let mut yaml = String::from(
                "figures:\n  - id: b\n    label: B\n    unit: u\n    as_of: 2026-01\n    source: [&a0 [x, x, x, x, x, x, x, x, x]",
            );
            for i in 1..9 {
                yaml.push_str(&format!(", &a{i} [{}]", vec![format!("*a{}", i - 1); 9].join(", ")));
            }
            yaml.push_str("]\n");
            site.write("content/_data/bomb.yaml", &yaml)
        }),
        case("data_unknown_key", Fails("unknown key"), |site| site.write("content/_data/more.yaml", "figurs: []\n")),
        case("data_not_utf8", Fails("not valid UTF-8"), |site| {
            site.write_bytes(b"content/_data/more.yaml", b"figures: [\xff]\n")
        }),
        case("data_over_the_size_limit", Fails("the limit is 10 MB"), |site| {
            site.write("content/_data/more.yaml", &format!("# {}\n", "x".repeat(11 * 1024 * 1024)))
        }),
        case("data_file_is_a_link_outside", Fails("outside the site"), |site| {
            let outside = site.outside();
            std::fs::write(outside.join("data.yaml"), "figures: []\n").unwrap();
            site.symlink(&outside.join("data.yaml"), "content/_data/more.yaml")
        }),
        case("data_file_in_a_subfolder_is_ignored", Builds, |site| {
            site.write("content/_data/sub/x.yaml", "not: [valid")
        }),
        case("table_uses_a_missing_figure", Fails("not defined"), |site| {
            site.data("tables:\n  - id: t2\n    caption: C\n    row_header: R\n    columns: [{id: c, label: C}]\n    rows: [{label: L, cells: {c: nosuch}}]\n")
        }),
        case("check_that_fails", Fails("check `c` failed"), |site| {
            site.data("figures:\n  - id: small\n    label: S\n    unit: u\n    as_of: 2026-01\n    source: r\n    value: 1\nchecks:\n  - id: c\n    figure: count\n    at_most: small\n")
        }),
        case("malformed_data", Fails("invalid YAML"), |site| site.write("content/_data/more.yaml", "figures: [\n")),
    ]
}

fn template_cases() -> Vec<(&'static str, Expect, Setup)> {
    vec![
        case("template_syntax_error", Fails("themes/t/templates/page.html"), |site| {
            site.template("page.html", "{% if %}")
        }),
        case("template_includes_a_file_outside", Fails("unknown template"), |site| {
            site.template("page.html", "{% include \"../../../../site.yaml\" %}")
        }),
        case("template_undefined_variable", Fails("themes/t/templates/page.html"), |site| {
            site.template("page.html", "{{ nosuch.thing }}")
        }),
        case("template_extends_itself", Fails("circular"), |site| {
            site.template("page.html", "{% extends \"page.html\" %}")
        }),
        case("template_unknown_filter", Fails("unknown filter"), |site| {
            site.template("page.html", "{{ page.title | nosuch }}")
        }),
        case("template_missing_for_pages", Fails("no template `page.html`"), |site| {
            std::fs::remove_file(site.root().join("themes/t/templates/page.html")).unwrap()
        }),
        case("template_not_utf8", Fails("not valid UTF-8"), |site| {
            site.write_bytes(b"themes/t/templates/page.html", b"\xff")
        }),
        case("shortcode_template_error", Fails("note"), |site| site.template("shortcodes/note.html", "{{ nosuch }}")),
        case("template_prints_a_nul", Builds, |site| site.template("404.html", "a\u{0}b")),
        case("template_file_is_a_link_outside", Fails("outside the site"), |site| {
            let outside = site.outside();
            std::fs::write(outside.join("t.html"), "x").unwrap();
            site.symlink(&outside.join("t.html"), "themes/t/templates/extra.html")
        }),
        case("static_file_is_a_link_outside", Fails("outside the site"), |site| {
            site.symlink(&site.outside().join("secret.txt"), "themes/t/static/secret.txt")
        }),
        case("static_folder_is_a_link_outside", Fails("outside the site"), |site| {
            site.symlink(&site.outside(), "themes/t/static/leak")
        }),
        case("static_file_with_a_newline_in_its_name", Fails("control character"), |site| {
            site.write("themes/t/static/a\nb.css", "x")
        }),
        case("static_file_not_utf8_name", Fails("not valid UTF-8"), |site| {
            site.write_bytes(b"themes/t/static/\xff.css", b"x")
        }),
        case("static_file_collides_with_the_sitemap", Fails("would both be written"), |site| {
            site.write("themes/t/static/sitemap.xml", "x")
        }),
        case("static_dotfiles_are_published", Builds, |site| {
            site.write("themes/t/static/.well-known/security.txt", "x")
        }),
        case("editor_swap_files_are_ignored", Builds, |site| {
            site.write("themes/t/templates/.page.html.swp", "\u{0}\u{1}");
            site.write("content/.x.md.swp", "\u{0}");
            site.write("content/x.md~", "junk")
        }),
    ]
}

fn site_yaml_cases() -> Vec<(&'static str, Expect, Setup)> {
    let yaml = |extra: &'static str| move |site: &Site| site.site_yaml(extra);
    vec![
        case("output_is_the_file_system_root", Fails("file system root"), yaml("output_dir: /")),
        case("output_is_the_site_root", Fails("site's root"), yaml("output_dir: .")),
        case("output_is_empty", Fails("site's root"), yaml("output_dir: \"\"")),
        case("output_is_above_the_site", Fails("site's root"), yaml("output_dir: ..")),
        case("output_is_content", Fails("`content/`"), yaml("output_dir: content")),
        case("output_is_inside_content", Fails("`content/`"), yaml("output_dir: content/out")),
        case("output_is_themes", Fails("`themes/`"), yaml("output_dir: themes")),
        case("output_climbs_back_into_content", Fails("`content/`"), yaml("output_dir: public/../content")),
        case("output_elsewhere_holds_an_editors_files", Fails("picket did not write"), |site| {
            std::fs::create_dir_all(site.top.join("mine")).unwrap();
            std::fs::write(site.top.join("mine/notes.txt"), "mine").unwrap();
            site.site_yaml(&format!("output_dir: {}", site.top.join("mine").display()))
        }),
        case("output_is_a_file", Fails("is a file"), |site| {
            std::fs::write(site.top.join("a-file"), "mine").unwrap();
            site.site_yaml(&format!("output_dir: {}", site.top.join("a-file").display()))
        }),
        case("output_is_a_link", Fails("symbolic link"), |site| {
            std::fs::create_dir_all(site.top.join("real")).unwrap();
            std::os::unix::fs::symlink(site.top.join("real"), site.top.join("linked")).unwrap();
            site.site_yaml(&format!("output_dir: {}", site.top.join("linked").display()))
        }),
        case("theme_climbs_out_of_themes", Fails("is not a theme name"), yaml("theme: ../../outside")),
        case("theme_is_absolute", Fails("is not a theme name"), yaml("theme: /etc")),
        case("theme_is_missing", Fails("no templates folder"), yaml("theme: nosuch")),
        case("base_url_is_ftp", Fails("`base_url` must be"), |site| {
            site.write("site.yaml", "title: H\nbase_url: ftp://example.org/\ntheme: t\n")
        }),
        case("base_url_is_javascript", Fails("`base_url` must be"), |site| {
            site.write("site.yaml", "title: H\nbase_url: \"javascript:alert(1)\"\ntheme: t\n")
        }),
        case("base_url_has_a_quote", Fails("`base_url`"), |site| {
            site.write("site.yaml", "title: H\nbase_url: \"https://example.org/\\\"><script>\"\ntheme: t\n")
        }),
        case("base_url_with_a_path_builds", Builds, |site| {
            site.write("site.yaml", "title: H\nbase_url: https://example.org/sub/dir/\ntheme: t\n")
        }),
        case("site_title_missing", Fails("missing key `title`"), |site| {
            site.write("site.yaml", "base_url: https://example.org/\ntheme: t\n")
        }),
        case("site_unknown_key", Fails("unknown key"), yaml("outptu_dir: x")),
        case("site_yaml_tag", Fails("YAML tag"), yaml("description: !include /etc/passwd")),
        case("site_yaml_not_utf8", Fails("not valid UTF-8"), |site| site.write_bytes(b"site.yaml", b"title: \xff\n")),
        case("site_yaml_is_a_list", Fails("invalid"), |site| site.write("site.yaml", "- a\n- b\n")),
        case("site_yaml_empty", Fails("missing key `title`"), |site| site.write("site.yaml", "")),
        case("highlight_theme_unknown", Fails("no highlighting theme `nosuch`"), yaml("highlight_theme: nosuch")),
    ]
}

fn file_name_cases() -> Vec<(&'static str, Expect, Setup)> {
    vec![
        case("page_name_not_utf8", Fails("not valid UTF-8"), |site| {
            site.write_bytes(b"content/bad\xff.md", b"---\ntitle: Bad\n---\nx\n")
        }),
        case("folder_name_not_utf8", Fails("not valid UTF-8"), |site| {
            site.write_bytes(b"content/bad\xff/p.md", b"---\ntitle: Bad\n---\nx\n")
        }),
        case("asset_name_not_utf8", Fails("not valid UTF-8"), |site| site.write_bytes(b"content/bad\xff.png", b"x")),
        case("page_name_with_a_newline", Fails("control character"), |site| {
            site.write("content/a\nb.md", "---\ntitle: N\n---\nx\n")
        }),
        case("folder_name_with_a_newline", Fails("control character"), |site| {
            site.write("content/a\nb/p.md", "---\ntitle: N\n---\nx\n")
        }),
        case("page_name_with_a_tab", Fails("control character"), |site| {
            site.write("content/a\tb.md", "---\ntitle: T\n---\nx\n")
        }),
        case("page_name_with_a_question_mark", Fails("one of the characters"), |site| {
            site.write("content/a?b.md", "---\ntitle: Q\n---\nx\n")
        }),
        case("page_name_with_a_hash", Fails("one of the characters"), |site| {
            site.write("content/a#b.md", "---\ntitle: H\n---\nx\n")
        }),
        case("page_name_with_a_percent", Fails("one of the characters"), |site| {
            site.write("content/100%.md", "---\ntitle: P\n---\nx\n")
        }),
        case("page_name_with_a_backslash", Fails("one of the characters"), |site| {
            site.write("content/a\\b.md", "---\ntitle: B\n---\nx\n")
        }),
        case("page_name_with_a_leading_space", Fails("starts or ends with a space"), |site| {
            site.write("content/ a.md", "---\ntitle: S\n---\nx\n")
        }),
        case("page_name_with_spaces_builds", Builds, |site| {
            site.write("content/my file.md", "---\ntitle: S\n---\nx\n")
        }),
        case("page_name_with_unicode_builds", Builds, |site| site.write("content/café.md", "---\ntitle: C\n---\nx\n")),
        case("page_name_of_two_hundred_and_fifty_letters_builds", Builds, |site| {
            site.write(&format!("content/{}.md", "a".repeat(250)), "---\ntitle: L\n---\nx\n")
        }),
        case("asset_collides_with_the_not_found_page", Fails("would both be written"), |site| {
            site.write("content/404.html", "x")
        }),
        case("asset_collides_with_the_home_page", Fails("would both be written"), |site| {
            site.write("content/index.html", "x")
        }),
        case("asset_collides_with_a_tag_page", Fails("would both be written"), |site| {
            site.write("content/tags/one/index.html", "x")
        }),
        case("page_and_folder_on_one_url", Fails("would both be written"), |site| {
            site.write("content/a/index.md", "---\ntitle: Again\n---\nx\n")
        }),
        case("section_without_a_home_page", Fails("no home page"), |site| {
            std::fs::remove_file(site.root().join("content/_index.md")).unwrap()
        }),
        case("hidden_and_private_files_are_ignored", Builds, |site| {
            site.write("content/.hidden.md", "not front matter");
            site.write("content/_private/x.md", "not front matter");
            site.write("content/.git/config", "x")
        }),
        case("empty_folder_builds", Builds, |site| std::fs::create_dir_all(site.root().join("content/empty")).unwrap()),
    ]
}

fn symlink_cases() -> Vec<(&'static str, Expect, Setup)> {
    vec![
        case("asset_links_to_a_secret_outside", Fails("outside the site"), |site| {
            site.symlink(&site.outside().join("secret.txt"), "content/x.txt")
        }),
        case("page_links_to_a_page_outside", Fails("outside the site"), |site| {
            site.symlink(&site.outside().join("secret.md"), "content/x.md")
        }),
        case("folder_links_outside", Fails("outside the site"), |site| site.symlink(&site.outside(), "content/leak")),
        case("asset_links_to_the_password_file", Fails("outside the site"), |site| {
            site.symlink(Path::new("/etc/passwd"), "content/passwd.txt")
        }),
        case("folder_links_to_system_certificates", Fails("outside the site"), |site| {
            site.symlink(Path::new("/etc/ssl"), "content/ssl")
        }),
        case("link_that_dangles", Fails("does not exist"), |site| {
            site.symlink(&site.top.join("nowhere"), "content/gone.md")
        }),
        case("link_loop", Fails("a folder that contains it"), |site| {
            site.symlink(&site.root().join("content"), "content/loop")
        }),
        case("link_to_the_output_folder", Fails("the output folder"), |site| {
            site.symlink(&site.root().join("public"), "content/published")
        }),
        case("link_to_a_file_inside_the_site_builds", Builds, |site| {
            site.write("shared/notes.txt", "shared");
            site.symlink(&site.root().join("shared/notes.txt"), "content/notes.txt")
        }),
        case("relative_link_inside_content_builds", Builds, |site| {
            site.symlink(Path::new("img.svg"), "content/again.svg")
        }),
        case("content_folder_links_outside", Fails("outside the site"), |site| {
            let outside = site.outside();
            std::fs::create_dir_all(outside.join("content")).unwrap();
            std::fs::write(outside.join("content/_index.md"), "---\ntitle: Elsewhere\n---\nx\n").unwrap();
            site.symlink(&outside.join("secret.txt"), "content/leak.txt")
        }),
        case("theme_folder_links_outside", Fails("outside the site"), |site| {
            let outside = site.outside();
            copy_dir(&site.root().join("themes/t"), &outside.join("t"));
            site.symlink(&outside.join("t"), "themes/u");
            site.site_yaml("theme: u")
        }),
    ]
}

fn all_cases() -> Vec<(&'static str, Expect, Setup)> {
    let mut cases = front_matter_cases();
    cases.extend(markdown_cases());
    cases.extend(data_cases());
    cases.extend(template_cases());
    cases.extend(site_yaml_cases());
    cases.extend(file_name_cases());
    cases.extend(symlink_cases());
    cases
}

/// Every file, folder and link under `dir` with its bytes or target, leaving out the output
/// folders `skip` names (absolute paths).
fn tree(dir: &Path, skip: &[PathBuf]) -> BTreeMap<Vec<u8>, String> {
    let mut found = BTreeMap::new();
    if std::fs::symlink_metadata(dir).is_err() {
        return found;
    }
    let mut walker = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = entry.unwrap();
        if skip.iter().any(|s| entry.path() == s) {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let key = entry.path().as_os_str().as_bytes().to_vec();
        let what = if entry.path_is_symlink() {
            format!("link to {}", std::fs::read_link(entry.path()).unwrap().display())
        } else if entry.file_type().is_dir() {
            "folder".to_string()
        } else {
            format!("{:?}", std::fs::read(entry.path()).unwrap())
        };
        found.insert(key, what);
    }
    found
}

/// The output folder and the folders and files picket keeps beside it: what a build may change.
/// An output folder that is the site itself or above it changes nothing (picket refuses it), so
/// then nothing is left out of the comparison.
fn output_and_siblings(site: &Site, output: &Path) -> Vec<PathBuf> {
    let mut normal = PathBuf::new();
    for component in output.components() {
        match component {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let output = normal.as_path();
    let Some(name) = output.file_name().map(|n| n.to_string_lossy()) else { return Vec::new() };
    if site.root().starts_with(output) {
        return Vec::new();
    }
    let mut paths = vec![output.to_path_buf()];
    for what in ["staging", "lock", "old", "cache", "spare"] {
        paths.push(output.with_file_name(format!(".{name}.picket-{what}")));
    }
    paths
}

/// Runs `picket ARGS` with a time limit: the exit code (`None` for a crash) and stderr.
fn run(args: &[&OsStr]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            panic!("picket {args:?} ran longer than {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The error blocks of picket's stderr, without the closing count.
fn error_blocks(stderr: &str) -> Vec<&str> {
    let is_count = |b: &str| b.starts_with("error: the site has ") && (b.ends_with(" error") || b.ends_with(" errors"));
    stderr.split("\n\n").map(str::trim).filter(|b| b.starts_with("error:") && !is_count(b)).collect()
}

/// The output folder a case's site.yaml names, if it names one.
fn configured_output(site: &Site) -> PathBuf {
    let yaml = std::fs::read_to_string(site.root().join("site.yaml")).unwrap_or_default();
    let named = yaml.lines().find_map(|l| l.strip_prefix("output_dir: ")).map(|s| s.trim_matches('"'));
    match named {
        Some(dir) if !dir.is_empty() => site.root().join(dir),
        _ => site.root().join("public"),
    }
}

#[test]
fn hostile_input_never_escapes_loses_data_or_panics() {
    let base = tempfile::tempdir().unwrap();
    copy_dir(&fixture("hostile/site"), &base.path().join("site"));
    let (code, stderr) = run(&["build".as_ref(), "--root".as_ref(), base.path().join("site").as_os_str()]);
    assert_eq!(code, Some(0), "the base site builds:\n{stderr}");

    let cases = all_cases();
    assert!(cases.len() >= 150, "the suite has {} cases; the issue asks for at least 150", cases.len());
    let mut failures = Vec::new();
    let mut messages = String::new();
    let (mut located, mut preserved, mut failed_builds) = (0, 0, 0);
    for (name, expect, setup) in &cases {
        let top = tempfile::tempdir().unwrap();
        let site = Site { top: top.path().to_path_buf() };
        copy_dir(base.path(), &site.top);
        setup(&site);
        let output = configured_output(&site);
        let skip = output_and_siblings(&site, &output);
        // Only an output inside the temporary folder is read; `/` and the like are refused anyway.
        let output_tree = |output: &Path| if skip.is_empty() { BTreeMap::new() } else { tree(output, &[]) };
        let outputs_before = output_tree(&output);
        let before = tree(&site.top, &skip);
        let root = site.root();
        let (code, stderr) = run(&["build".as_ref(), "--root".as_ref(), root.as_os_str()]);
        let (check_code, check_stderr) = run(&["check".as_ref(), "--root".as_ref(), root.as_os_str()]);
        let mut problems = Vec::new();
        if tree(&site.top, &skip) != before {
            problems.push("files outside the output folder were created, changed or removed".to_string());
        }
        for (what, code, stderr) in [("build", code, &stderr), ("check", check_code, &check_stderr)] {
            match code {
                Some(0) | Some(1) => {}
                other => problems.push(format!("{what} exited with {other:?} (a panic or crash):\n{stderr}")),
            }
            let blocks = error_blocks(stderr);
            let unlocated: Vec<&&str> = blocks.iter().filter(|b| !b.contains("--> ")).collect();
            if !unlocated.is_empty() {
                problems.push(format!("{what} printed errors without a place: {unlocated:?}"));
            }
        }
        match (expect, code) {
            (Builds, Some(0)) => {}
            (Builds, _) => problems.push(format!("should build but failed:\n{stderr}")),
            (Fails(words), Some(1)) => {
                failed_builds += 1;
                if !stderr.to_lowercase().contains(&words.to_lowercase()) {
                    problems.push(format!("the errors do not say `{words}`:\n{stderr}"));
                }
                if output_tree(&output) == outputs_before {
                    preserved += 1;
                } else {
                    problems.push("the build failed but the previous output changed".to_string());
                }
                if error_blocks(&stderr).iter().all(|b| b.contains("--> ")) {
                    located += 1;
                }
            }
            (Fails(_), _) => problems.push("should fail but built".to_string()),
        }
        if !problems.is_empty() {
            failures.push(format!("== {name} ==\n{}", problems.join("\n")));
        }
        let shown = stderr.replace(&site.top.display().to_string(), "[T]");
        messages.push_str(&format!(
            "== {name}: exit {} ==\n{}\n",
            code.map_or("crash".to_string(), |c| c.to_string()),
            shown.trim_end()
        ));
    }
    println!(
        "{} cases: {failed_builds} failed as expected, {located} of them with every error located, {preserved} with the previous output preserved",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases broke an invariant:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    insta::assert_snapshot!("hostile__messages", messages);
}
