//! Fuzz target: the whole Markdown-to-HTML path of one page, `Page::parse` then
//! `markdown::render`, with the explainer's data files so that figure, table and week grid
//! shortcodes resolve, and one theme shortcode (`note`) with a body. Must not panic; errors must
//! render.

#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use picket::config::Config;
use picket::content::Page;
use picket::figures::Figures;
use picket::links::Urls;
use picket::markdown::{self, Highlighter, ShortcodeTemplates};

const FRONT_MATTER: &str = "---\ntitle: x\n---\n";

/// A theme that knows one shortcode, `note`; `fail=true` makes it return an error.
struct Templates;

impl ShortcodeTemplates for Templates {
    fn has(&self, name: &str) -> bool {
        name == "note"
    }

    fn render(&self, _name: &str, args: &BTreeMap<String, serde_json::Value>, body: &str) -> Result<String, picket::Error> {
        if args.contains_key("fail") {
            return Err(picket::Error::in_file(Path::new("themes/t/templates/shortcodes/note.html"), "asked to fail"));
        }
        Ok(format!("<aside class=\"note\">{body}</aside>\n"))
    }
}

/// Everything a page needs from the site, built once per process.
struct Site {
    config: Config,
    urls: Urls,
    figures: Figures,
    highlighter: Highlighter,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let config = Config::parse(Path::new("/site"), "title: T\nbase_url: https://e.org/\n", &Default::default())
            .expect("the fuzz config parses");
        let data = [
            ("content/_data/figures.yaml", include_str!("../../../content/_data/figures.yaml")),
            ("content/_data/pay.yaml", include_str!("../../../content/_data/pay.yaml")),
            ("content/_data/sources.yaml", include_str!("../../../content/_data/sources.yaml")),
        ];
        let files: Vec<(PathBuf, String)> = data.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect();
        let figures = picket::figures::parse(&files).expect("the fuzz data files parse");
        let mut urls = Urls::default();
        for (path, route) in [("content/_index.md", ""), ("content/a.md", "a/"), ("content/guide/b.md", "guide/b/")] {
            urls.add_page(Path::new(path), route);
        }
        urls.add_file("dot.svg", Some(Path::new("content/dot.svg")));
        Site { config, urls, figures, highlighter: Highlighter::default() }
    })
}

/// Included files: there are none, so every `include` is an error (still rendered and located).
struct NoFiles;

impl markdown::IncludeFiles for NoFiles {
    fn read(&self, path: &Path) -> Result<std::sync::Arc<str>, String> {
        Err(format!("`{}` does not exist", path.display()))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let site = site();
    let page = match Page::parse(Path::new("content/a.md"), format!("{FRONT_MATTER}{input}")) {
        Ok(page) => page,
        Err(err) => {
            let _ = err.to_string();
            return;
        }
    };
    let ctx = markdown::Context {
        config: &site.config,
        urls: &site.urls,
        figures: &site.figures,
        templates: &Templates,
        highlighter: &site.highlighter,
        files: &NoFiles,
    };
    let source = markdown::PageSource {
        path: &page.path,
        text: &page.text,
        dir: &page.dir,
        body_offset: page.body_offset,
        route: &page.route,
    };
    match markdown::render(&ctx, &source) {
        Ok(rendered) => assert!(!rendered.html.contains("PKTSC") || page.body().contains("PKTSC")),
        Err(errors) => {
            let _ = errors.to_string();
        }
    }
});
