//! Rebuilds that reuse the last build (`site::Session`, used by `picket serve`) must give exactly
//! what a clean build gives. A copy of the explainer goes through edits, additions, removals and
//! renames of pages, templates, data and config; after each one the two are compared file by file.

use std::path::Path;

use picket::config::{Config, Overrides};
use picket::site::{Cache, Memory, Scope};

use crate::support::{copy_dir, dump, redact};

fn clean(root: &Path) -> String {
    match Config::load(root, &Overrides::default()) {
        Ok(config) => match picket::site::render(&config) {
            Ok(built) => dump(&built.files),
            Err(errors) => redact(&errors.to_string()),
        },
        Err(error) => redact(&error.to_string()),
    }
}

/// What the watcher would say of `changed`: pages by name, other files under `content/` as a
/// new walk, `site.yaml` as everything (templates and data are always read again).
fn scope_of(root: &Path, changed: &[&str]) -> Scope {
    let mut scope = Scope::default();
    for path in changed {
        match *path {
            "site.yaml" => scope.everything = true,
            p if p.starts_with("content/_data") || p.starts_with("themes/") => {}
            p if p.ends_with(".md") => scope.pages.push(root.join(p)),
            _ => scope.content = true,
        }
    }
    scope
}

fn incremental(cache: &mut Cache, root: &Path, changed: &[&str]) -> String {
    let scope = scope_of(root, changed);
    match Config::load(root, &Overrides::default()) {
        Ok(config) => {
            let memory = Memory::default();
            match picket::site::run(&config, cache, &scope, &memory) {
                Ok(_) => dump(&memory.into_files()),
                Err(errors) => redact(&errors.to_string()),
            }
        }
        Err(error) => redact(&error.to_string()),
    }
}

fn edit(root: &Path, path: &str, change: impl FnOnce(String) -> String) {
    let file = root.join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    std::fs::write(&file, change(text)).unwrap();
}

#[test]
fn every_incremental_rebuild_equals_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("site.yaml"), root.join("site.yaml")).unwrap();
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("themes"), &root.join("themes"));

    let mut cache = Cache::in_memory();
    let mut step = |name: &str, changed: &[&str], expect_ok: bool| {
        let fast = incremental(&mut cache, root, changed);
        let slow = clean(root);
        assert_eq!(fast, slow, "after step `{name}` the incremental build differs from a clean one");
        assert_eq!(!fast.starts_with("error"), expect_ok, "step `{name}`:\n{}", &fast[..fast.len().min(600)]);
        cache.reuse()
    };
    let first = step("first build", &["content/pay.md"], true);
    assert_eq!((first.markdown_reused, first.files_reused), (0, 0), "{first:?}");
    let n_pages = first.markdown_rendered;
    edit(root, "content/pay.md", |t| t + "\nA new closing paragraph.\n");
    // Only the edited page is read, parsed, rendered and templated again; the cache must hit for
    // every other page (a cache that silently stops hitting fails here, not only in speed).
    let reuse = step("edit a page body", &["content/pay.md"], true);
    assert_eq!((reuse.pages_parsed, reuse.markdown_rendered), (1, 1), "{reuse:?}");
    assert_eq!(reuse.pages_reused, n_pages - 1, "{reuse:?}");
    assert_eq!(reuse.markdown_reused, n_pages - 1, "{reuse:?}");
    assert!(reuse.files_reused >= n_pages - 1, "{reuse:?}");
    // A body alone changed: listings, tags and output paths are the last build's.
    assert!(reuse.structure_reused, "{reuse:?}");
    edit(root, "content/dispute.md", |t| t.replace("title: \"The dispute and the talks\"", "title: \"The talks\""));
    let reuse = step("retitle a page shown in the navigation", &["content/dispute.md"], true);
    assert!(!reuse.structure_reused, "front matter changed: {reuse:?}");
    edit(root, "content/new.md", |_| "---\ntitle: New\nweight: 5\n---\nSee [Saturday](pay.md#saturday).\n".into());
    step("add a page", &["content/new.md"], true);
    edit(root, "content/pay.md", |t| {
        t.replace("## Saturday pay was in dispute {#saturday}", "## Saturday pay {#weekend}")
    });
    step("remove an anchor another page links to", &["content/pay.md"], false);
    edit(root, "content/pay.md", |t| {
        t.replace("## Saturday pay {#weekend}", "## Saturday pay was in dispute {#saturday}")
    });
    step("put the anchor back", &["content/pay.md"], true);
    std::fs::rename(root.join("content/new.md"), root.join("content/renamed.md")).unwrap();
    step("rename a page", &["content/new.md", "content/renamed.md"], true);
    std::fs::remove_file(root.join("content/renamed.md")).unwrap();
    step("delete a page", &["content/renamed.md"], true);
    edit(root, "content/draft.md", |_| "---\ntitle: Draft\ndraft: true\n---\nNot yet.\n".into());
    step("add a draft", &["content/draft.md"], true);
    std::fs::create_dir_all(root.join("content/more")).unwrap();
    edit(root, "content/more/_index.md", |_| "---\ntitle: More\n---\nA section.\n".into());
    edit(root, "content/more/one.md", |_| "---\ntitle: One\n---\nIn a new folder.\n".into());
    step("add a folder with pages", &["content/more"], true);
    std::fs::rename(root.join("content/more"), root.join("content/extra")).unwrap();
    step("rename a folder", &["content/more", "content/extra"], true);
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1150", "value: 1151"));
    step("change a number in the data", &["content/_data/figures.yaml"], true);
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1036", "value: 1300"));
    step("break a declared check", &["content/_data/figures.yaml"], false);
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1300", "value: 1036"));
    step("fix the check", &["content/_data/figures.yaml"], true);
    // A page's Markdown is kept while its text is the same, but the numbers it types are checked
    // against the data as it is now: a figure that takes the typed value is an error at once.
    edit(root, "content/typed.md", |_| "---\ntitle: Typed\n---\nThere were 1,152 of them.\n".into());
    step("add a page that types a number no figure has", &["content/typed.md"], true);
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1151", "value: 1152"));
    step("give a figure the value a page types", &["content/_data/figures.yaml"], false);
    // (`step` has checked that the incremental build failed as the clean one did.)
    assert!(clean(root).contains("typed by hand"), "{}", clean(root));
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1152", "value: 1151"));
    step("give the figure its old value", &["content/_data/figures.yaml"], true);
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1151", "value: 1152"));
    step("the same data as the failed build, after a good build", &["content/_data/figures.yaml"], false);
    std::fs::remove_file(root.join("content/typed.md")).unwrap();
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1152", "value: 1151"));
    step("remove the page that typed it", &["content/typed.md", "content/_data/figures.yaml"], true);
    edit(root, "themes/explainer/templates/base.html", |t| {
        t.replacen("{% block content %}", "{% block content %}<!-- edited -->", 1)
    });
    // A template change re-renders the HTML of every page but none of their Markdown.
    let reuse = step("edit a template", &["themes/explainer/templates/base.html"], true);
    assert!(reuse.files_made >= n_pages && reuse.markdown_rendered == 0, "{reuse:?}");
    edit(root, "site.yaml", |t| t.replace("title: Junior doctors' strike explained", "title: The strike explained"));
    step("edit the config", &["site.yaml"], true);
    edit(root, "content/patients.md", |t| t.replace("---\n\n", "---\n\nSaved twice.\n\n"));
    step("edit a page after a config change", &["content/patients.md"], true);
    edit(root, "content/patients.md", |t| t.replace("title:", "titel:"));
    step("break a page's front matter", &["content/patients.md"], false);
    edit(root, "content/figures.md", |t| t + "\nAnother line.\n");
    step("edit another page while one is broken", &["content/figures.md"], false);
    edit(root, "content/patients.md", |t| t.replace("titel:", "title:"));
    step("fix the broken page", &["content/patients.md"], true);
    let reuse = step("a change event with no change", &["content/pay.md"], true);
    assert_eq!((reuse.markdown_rendered, reuse.files_made), (0, 0), "nothing is made again: {reuse:?}");
    // Issue 12: a page is rendered again when a file it includes changes, whether that file is
    // itself a page (the watcher names only it) or a private file (everything is reloaded).
    edit(root, "content/notes.md", |_| "---\ntitle: Notes\n---\nFirst version.\n".into());
    std::fs::create_dir_all(root.join("content/_inc")).unwrap();
    edit(root, "content/_inc/part.md", |_| "Part one.\n".into());
    edit(root, "content/shown.md", |_| {
        "---\ntitle: Shown\n---\n{{ include(path=\"notes.md\", code=\"markdown\") }}\n\n{{ include(path=\"_inc/part.md\") }}\n"
            .into()
    });
    step("add pages that include files", &["content/notes.md", "content/shown.md", "content/_inc"], true);
    edit(root, "content/notes.md", |t| t.replace("First version", "Second version"));
    step("edit a page that another page includes", &["content/notes.md"], true);
    edit(root, "content/_inc/part.md", |_| "Part two.\n".into());
    step("edit an included file that is not a page", &["content/_inc/part.md"], true);
    std::fs::remove_file(root.join("content/_inc/part.md")).unwrap();
    step("delete an included file", &["content/_inc/part.md"], false);
    edit(root, "content/_inc/part.md", |_| "Part three.\n".into());
    step("put the included file back", &["content/_inc/part.md"], true);
    // The feed shows the text before `<!-- more -->`: an edit to it changes the feed.
    edit(root, "content/dated.md", |_| {
        "---\ntitle: Dated\ndate: 2016-02-10\n---\nFirst summary.\n\n<!-- more -->\n\nThe rest.\n".into()
    });
    step("add a page with a summary", &["content/dated.md"], true);
    edit(root, "content/dated.md", |t| t.replace("First summary", "Second summary"));
    step("edit a summary", &["content/dated.md"], true);
}
