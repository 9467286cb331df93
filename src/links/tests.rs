use std::path::Path;

use super::*;
use crate::config::{Config, Overrides};

fn config(base_url: &str) -> Config {
    let text = format!("title: T\nbase_url: {base_url}\n");
    Config::parse(Path::new("/site"), &text, &Overrides::default()).unwrap()
}

/// A site with a home page, a section, two pages, a page with a space in its file name, a
/// picture and the files picket writes.
fn urls() -> Urls {
    let mut urls = Urls::default();
    urls.add_page(Path::new("content/_index.md"), "");
    urls.add_page(Path::new("content/pay/_index.md"), "pay/");
    urls.add_page(Path::new("content/pay/rules.md"), "pay/rules/");
    urls.add_page(Path::new("content/other.md"), "other/");
    urls.add_page(Path::new("content/my file.md"), "my file/");
    urls.add_page(Path::new("content/pay/sub/README.md"), "pay/sub/README/");
    urls.add_file("pay/pic.png", Some(Path::new("content/pay/pic.png")));
    urls.add_file("404.html", None);
    urls
}

/// What a link on `content/pay/rules.md` resolves to, as one line.
fn check(dest: &str, expected: &str) {
    let config = config("https://example.org/strike/");
    let from = From { source: Path::new("content/pay/rules.md"), dir: Path::new("content/pay"), route: "pay/rules/" };
    let actual = match resolve_markdown(&config, &urls(), &from, dest, dest) {
        Resolved::External => "external".to_string(),
        Resolved::Outside => "outside".to_string(),
        Resolved::Internal(t) => format!("{} -> /{} #{}", t.href, t.url, t.fragment.unwrap_or_default()),
        Resolved::Missing(message) => message,
    };
    assert_eq!(actual, expected);
}

#[test]
fn md_files_become_page_urls_under_the_base_path() {
    check("../other.md", "/strike/other/ -> /other/ #");
    check("rules.md#saturday", "/strike/pay/rules/#saturday -> /pay/rules/ #saturday");
    check("_index.md", "/strike/pay/ -> /pay/ #");
}

#[test]
fn percent_encoded_paths_are_decoded_once() {
    check("../my%20file.md", "/strike/my%20file/ -> /my file/ #");
    check("../my file.md", "/strike/my%20file/ -> /my file/ #");
}

#[test]
fn queries_are_kept_but_not_looked_up() {
    check("pic.png?raw=true", "/strike/pay/pic.png?raw=true -> /pay/pic.png #");
    check("rules.md?x=1#a", "/strike/pay/rules/?x=1#a -> /pay/rules/ #a");
}

#[test]
fn urls_relative_to_the_page_url_are_read_as_a_browser_does() {
    check("./", "./ -> /pay/rules/ #");
    check("../", "../ -> /pay/ #");
    check("../../other/", "../../other/ -> /other/ #");
    check("#saturday", "#saturday -> /pay/rules/ #saturday");
    check("", " -> /pay/rules/ #");
}

#[test]
fn absolute_urls_work_with_the_base_path_or_without() {
    check("/other/", "/strike/other/ -> /other/ #");
    check("/strike/other/", "/strike/other/ -> /other/ #");
    check("/strike/other", "/strike/other -> /other/ #");
    check("/strike/", "/strike/ -> / #");
    check("/404.html", "/strike/404.html -> /404.html #");
    check("https://example.org/strike/other/#a", "https://example.org/strike/other/#a -> /other/ #a");
}

#[test]
fn content_root_links_zola_style_and_absolute_md() {
    check("@/pay/rules.md#x", "/strike/pay/rules/#x -> /pay/rules/ #x");
    check("/pay/rules.md", "/strike/pay/rules/ -> /pay/rules/ #");
}

#[test]
fn links_leaving_the_site_are_left_alone() {
    for dest in ["https://example.com/a.md", "mailto:a@b.org", "tel:+44", "//cdn.example/x.js", "#"] {
        check(dest, "external");
    }
}

#[test]
fn a_missing_file_suggests_the_nearest() {
    check(
        "rulez.md",
        "the link `rulez.md` points at `content/pay/rulez.md`, which is not a page or file in `content/` (or is a draft); did you mean `rules.md`?",
    );
    check(
        "rules.html",
        "the link `rules.html` points at `content/pay/rules.html`, which is not a page or file in `content/` (or is a draft); did you mean `rules.md`?",
    );
    check(
        "sub/index.html",
        "the link `sub/index.html` points at `content/pay/sub/index.html`, which is not a page or file in `content/` (or is a draft); did you mean `sub/README.md`?",
    );
    check(
        "@/nothing/here/at/all.md",
        "the link `@/nothing/here/at/all.md` points at `content/nothing/here/at/all.md`, which is not a page or file in `content/` (or is a draft); fix the path",
    );
}

#[test]
fn a_missing_url_suggests_the_nearest() {
    check("/othre/", "the link `/othre/` points at `/othre/`, which the site does not serve; did you mean `/other/`?");
    check("other/", "the link `other/` points at `/pay/rules/other/`, which the site does not serve; fix the link");
    // The classic slip with page URLs: a link relative to the file's folder, not the page's URL.
    check(
        "rules/",
        "the link `rules/` points at `/pay/rules/rules/`, which the site does not serve; did you mean `../rules/`?",
    );
}

#[test]
fn html_links_resolve_against_the_page_url() {
    let config = config("https://example.org/strike/");
    let urls = urls();
    let resolve = |from: &str, href: &str| match resolve_html(&config, &urls, from, href) {
        Resolved::Internal(t) => format!("/{}", t.url),
        Resolved::External => "external".to_string(),
        Resolved::Outside => "outside".to_string(),
        Resolved::Missing(message) => message,
    };
    assert_eq!(resolve("pay/rules/", "../"), "/pay/");
    assert_eq!(resolve("404.html", "pay/pic.png"), "/pay/pic.png");
    assert_eq!(resolve("404.html", "/strike/other/"), "/other/");
    assert_eq!(resolve("404.html", "/other/"), "outside");
    assert_eq!(resolve("404.html", "https://example.org/strike/"), "/");
    assert_eq!(resolve("404.html", "/strike/my%20file/"), "/my file/");
    assert_eq!(resolve("", "https://example.com/"), "external");
}

#[test]
fn fragments_match_as_written_or_decoded() {
    let ids: BTreeSet<String> = ["café", "a%20b", "x"].iter().map(|s| s.to_string()).collect();
    assert!(fragment_found(&ids, "caf%C3%A9"));
    assert!(fragment_found(&ids, "café"));
    assert!(fragment_found(&ids, "a%20b"));
    assert!(fragment_found(&ids, "top"));
    assert!(fragment_found(&ids, ""));
    assert!(fragment_found(&ids, ":~:text=hello"));
    assert!(!fragment_found(&ids, "y"));
}

#[test]
fn a_missing_fragment_lists_the_nearest_ids() {
    let ids: BTreeSet<String> =
        ["saturday-pay", "saturday", "sunday", "footnotes-heading"].iter().map(|s| s.to_string()).collect();
    assert_eq!(
        missing_fragment("rules.md#saturdy", "`content/pay/rules.md`", "saturdy", &ids),
        "the link `rules.md#saturdy` points at `#saturdy`, which `content/pay/rules.md` does not have; did you mean `#saturday`?"
    );
    assert_eq!(
        missing_fragment("#sundy", "this page", "sundy", &ids),
        "the link `#sundy` points at `#sundy`, which this page does not have; did you mean `#sunday`?"
    );
    assert_eq!(
        missing_fragment("#zzz", "this page", "zzz", &ids),
        "the link `#zzz` points at `#zzz`, which this page does not have; its ids are `#footnotes-heading`, `#saturday`, `#saturday-pay`, `#sunday`"
    );
    let many: BTreeSet<String> = (0..9).map(|i| format!("id-{i}")).collect();
    assert_eq!(
        missing_fragment("#zzz", "this page", "zzz", &many),
        "the link `#zzz` points at `#zzz`, which this page does not have; fix the anchor or add the id"
    );
}

#[test]
fn ids_are_read_from_id_attributes_and_names_of_anchors() {
    let html = r#"<h2 id="a">A</h2><a name="old-name"></a><span id='b'>x</span><p id=c>x</p>
<!-- <i id="commented"></i> --><script>var s = '<b id="in-script">';</script><div id="caf&eacute;&#233;"></div>
<img name="not-an-anchor"><code>&lt;b id="escaped"&gt;</code><section data-id="no" id="d&amp;e">"#;
    let ids: Vec<String> = ids_in_html(html).into_iter().collect();
    assert_eq!(ids, ["a", "b", "c", "caf&eacute;é", "d&e", "old-name"]);
}

#[test]
fn entities_in_attribute_values_are_decoded() {
    assert_eq!(decode_entities("a&amp;b &lt;&#x41;&#66;&bogus; &"), "a&b <AB&bogus; &");
    assert_eq!(decode_entities("ü&ü"), "ü&ü");
}

#[test]
fn template_links_are_patterns_of_literal_text() {
    let config = config("https://example.org/strike/");
    let text = r##"<a href="/strike/missing/">x</a>{# <a href="/commented/"> #}
<a class="x" href="{{ url(path="sources/") }}#top">s</a> <a href="{{ page.url }}">p</a>
<img src='{{ site.base_path }}/img/{{ name }}.png'> <a href="#{{ h.id }}">h</a> <link href="">"##;
    let links = scan_template(&config, Path::new("themes/t/templates/base.html"), text);
    let shown: Vec<String> = links
        .iter()
        .map(|l| {
            format!(
                "{}{:?}{}@{}",
                if l.open_start { "*" } else { "" },
                l.pieces,
                if l.open_end { "*" } else { "" },
                l.offset
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            r#"["/strike/missing/"]@9"#,
            r#"["/strike/sources/#top"]@80"#,
            r#"*[]*@127"#,
            r#"*["/img/", ".png"]@159"#,
            r##"["#"]*@210"##,
            r#"[]@241"#,
        ]
    );
    assert!(links[0].matches("/strike/missing/") && !links[0].matches("/strike/missing/x"));
    assert!(links[3].matches("/strike/img/a.png") && !links[3].matches("/strike/img/a.jpg"));
    assert!(links[4].matches("#anything") && !links[4].matches("/x#y"));
    assert!(links[2].matches("whatever"));
    assert!(links[3].specificity() > links[2].specificity());
}

/// Found on the explainer's templates: text before a link may hold characters of several bytes.
#[test]
fn templates_with_text_of_several_bytes_are_read() {
    let config = config("https://example.org/");
    let text = "<p>Café — “quoted” £5</p> <a href=\"/x/é\">x</a>{# commentaire é #}";
    let links = scan_template(&config, Path::new("t.html"), text);
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].pieces, ["/x/é"]);
    assert_eq!(&text[links[0].offset..links[0].offset + 5], "/x/é");
}

#[test]
fn script_schemes_are_found_as_a_browser_reads_them() {
    assert_eq!(script_scheme("javascript:alert(1)"), Some("javascript:"));
    assert_eq!(script_scheme(" \u{1}JaVa\tScRipt:x"), Some("javascript:"));
    assert_eq!(script_scheme("data:text/html,x"), Some("data:"));
    assert_eq!(script_scheme("vbscript:x"), Some("vbscript:"));
    assert_eq!(script_scheme("https://example.org/javascript:"), None);
    assert_eq!(script_scheme("javascript.md"), None);
}
