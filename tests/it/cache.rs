//! `picket build` with its cache on disk (`.public.picket-cache/`): every build equals a clean
//! build byte for byte, over a sequence of edits of every kind; the cache is used (counted); and
//! a cache that was cut short, changed, or left by something else is never trusted.

use std::path::{Path, PathBuf};

use picket::config::{Config, Overrides};
use picket::site::Reuse;

use crate::support::{copy_dir, read_tree};

/// A copy of the explainer in a temporary folder.
fn explainer() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    dir
}

fn config(root: &Path) -> Config {
    Config::load(root, &Overrides::default()).unwrap()
}

/// Every file of an output folder with its bytes.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// Builds with the disk cache; the output folder's files, or the errors.
fn build(root: &Path) -> (Result<Files, String>, Reuse) {
    let config = config(root);
    match picket::site::build(&config) {
        Ok(report) => {
            assert!(report.cache_problem.is_none(), "{:?}", report.cache_problem);
            (Ok(read_tree(&config.output_dir)), report.reuse)
        }
        Err(errors) => (Err(errors.to_string()), Reuse::default()),
    }
}

/// What a clean build gives, in memory, as the files a build writes.
fn clean(root: &Path) -> Result<Files, String> {
    let built = picket::site::render(&config(root)).map_err(|errors| errors.to_string())?;
    let mut files: Files = built.files.iter().map(|f| (f.path.to_path_buf(), f.bytes().unwrap())).collect();
    // The marker is the build's own file, written beside the site's.
    files.push((PathBuf::from(".picket-output"), Vec::new()));
    files.sort();
    Ok(files)
}

fn edit(root: &Path, path: &str, change: impl FnOnce(String) -> String) {
    let file = root.join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    std::fs::write(&file, change(text)).unwrap();
}

#[test]
fn every_build_with_its_cache_equals_a_clean_build() {
    let dir = explainer();
    let root = dir.path();
    let step = |name: &str| {
        let (cached, reuse) = build(root);
        let fresh = clean(root);
        match (&cached, &fresh) {
            (Ok(a), Ok(b)) => {
                let differ: Vec<&PathBuf> = a.iter().zip(b).filter(|(x, y)| x != y).map(|(x, _)| &x.0).collect();
                assert!(a.len() == b.len() && differ.is_empty(), "step `{name}`: the files differ: {differ:?}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "step `{name}`"),
            _ => panic!("step `{name}`: one build failed and the other did not: {cached:?} / {fresh:?}"),
        }
        reuse
    };
    let first = step("first build");
    let n_pages = first.markdown_rendered;
    assert_eq!((first.pages_reused, first.markdown_reused, first.files_reused), (0, 0, 0), "{first:?}");
    let again = step("build again, nothing changed");
    assert_eq!((again.pages_parsed, again.markdown_rendered, again.files_made), (0, 0, 0), "{again:?}");
    edit(root, "content/pay.md", |t| t + "\nA new closing paragraph.\n");
    let reuse = step("edit a page body");
    assert_eq!((reuse.pages_parsed, reuse.markdown_rendered), (1, 1), "{reuse:?}");
    assert!(reuse.files_reused >= n_pages - 1, "{reuse:?}");
    edit(root, "content/dispute.md", |t| t.replace("title: \"The dispute and the talks\"", "title: \"The talks\""));
    step("retitle a page shown in the navigation");
    edit(root, "content/new.md", |_| "---\ntitle: New\nweight: 5\n---\nSee [Saturday](pay.md#saturday).\n".into());
    step("add a page");
    // A highlighted code block whose code did not change is taken from the last build's HTML.
    let code = "```rust\nfn main() {\n    println!(\"strike\");\n}\n```\n";
    edit(root, "content/new.md", |t| format!("{t}\n{code}"));
    let reuse = step("add a code block");
    assert_eq!(reuse.code_reused, 0, "{reuse:?}");
    edit(root, "content/new.md", |t| t.replace("See [Saturday]", "Now see [Saturday]"));
    let reuse = step("edit the prose around the code");
    assert_eq!((reuse.markdown_rendered, reuse.code_reused), (1, 1), "{reuse:?}");
    edit(root, "content/new.md", |t| t.replace("strike", "talks"));
    let reuse = step("edit the code");
    assert_eq!((reuse.markdown_rendered, reuse.code_reused), (1, 0), "{reuse:?}");
    std::fs::rename(root.join("content/new.md"), root.join("content/renamed.md")).unwrap();
    step("rename a page");
    std::fs::remove_file(root.join("content/renamed.md")).unwrap();
    step("delete a page");
    std::fs::write(root.join("content/picture.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    step("add an asset");
    std::fs::remove_file(root.join("content/picture.svg")).unwrap();
    step("delete an asset");
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 1150", "value: 1151"));
    let reuse = step("change a number in the data");
    assert!(reuse.markdown_rendered > 0, "pages that show the figure render again: {reuse:?}");
    // A figure no page shows changes no page's Markdown (issue 14: a data change invalidates
    // exactly what depends on it)...
    let unused = "  - id: unused\n    label: A number no page shows\n    value: 4321\n    unit: things\n    as_of: 2016-02\n    source: report-1\n";
    edit(root, "content/_data/figures.yaml", |t| t.replacen("figures:\n", &format!("figures:\n{unused}"), 1));
    let reuse = step("add a figure no page uses");
    assert_eq!(reuse.markdown_rendered, 0, "{reuse:?}");
    // ...but a page that types its number by hand is an error at once, with nothing rendered.
    edit(root, "content/_data/figures.yaml", |t| t.replace("value: 4321", "value: 999"));
    let reuse = step("a new figure's number is typed in a page");
    assert_eq!(reuse, Reuse::default(), "the build failed");
    edit(root, "content/_data/figures.yaml", |t| t.replace(unused.replace("4321", "999").as_str(), ""));
    step("remove it");
    edit(root, "themes/explainer/templates/base.html", |t| {
        t.replacen("{% block content %}", "{% block content %}<!-- edited -->", 1)
    });
    let reuse = step("edit a template");
    assert!(reuse.markdown_rendered == 0 && reuse.files_made >= n_pages, "Markdown is read back: {reuse:?}");
    edit(root, "site.yaml", |t| t.replace("title: Junior doctors' strike explained", "title: The strike explained"));
    step("edit the config");
    edit(root, "content/patients.md", |t| t.replace("title:", "titel:"));
    step("break a page's front matter");
    edit(root, "content/patients.md", |t| t.replace("titel:", "title:"));
    step("fix it");
}

/// The cache folder of the site's output.
fn cache_dir(root: &Path) -> PathBuf {
    root.join(".public.picket-cache")
}

#[test]
fn a_cache_cut_short_changed_or_from_elsewhere_is_never_trusted() {
    let dir = explainer();
    let root = dir.path();
    let (first, _) = build(root);
    let expected = first.unwrap();

    // Cut short: the build starts from nothing and gives the same site.
    let index = cache_dir(root).join("index");
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..bytes.len() / 2]).unwrap();
    let (output, reuse) = build(root);
    assert_eq!(output.unwrap(), expected);
    assert_eq!((reuse.pages_reused, reuse.markdown_reused, reuse.files_reused), (0, 0, 0), "{reuse:?}");

    // A byte of the index changed (its hash no longer matches): ignored.
    let mut bytes = std::fs::read(&index).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&index, &bytes).unwrap();
    let (output, reuse) = build(root);
    assert_eq!(output.unwrap(), expected);
    assert_eq!(reuse.markdown_reused, 0, "{reuse:?}");

    // The stored Markdown changed on disk: every page whose HTML must be made again from it
    // (a template edit) renders its Markdown again instead of using the changed bytes.
    let pack = cache_dir(root).join("markdown.pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    for byte in bytes.iter_mut().filter(|b| **b == b'e') {
        *byte = b'E';
    }
    std::fs::write(&pack, &bytes).unwrap();
    edit(root, "themes/explainer/templates/base.html", |t| t.replacen("</main>", "</main><!-- x -->", 1));
    let (output, reuse) = build(root);
    assert_eq!(output.unwrap(), clean(root).unwrap());
    assert_eq!(reuse.markdown_reused, 0, "changed bytes are never used: {reuse:?}");

    // The Markdown HTML a page's own output file holds, changed by hand: when a template edit
    // makes the page again, its Markdown renders again instead of using those bytes.
    let page = root.join("public/pay/index.html");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("Saturday"), "the page shows its Markdown");
    std::fs::write(&page, text.replace("Saturday", "Sunday")).unwrap();
    edit(root, "themes/explainer/templates/base.html", |t| t.replacen("</main>", "</main><!-- y -->", 1));
    let (output, reuse) = build(root);
    assert_eq!(output.unwrap(), clean(root).unwrap());
    assert_eq!(reuse.markdown_rendered, 1, "only the page changed by hand renders again: {reuse:?}");

    // An output file changed by hand is made again, not kept.
    let page = root.join("public/pay/index.html");
    std::fs::write(&page, "changed by hand").unwrap();
    let (output, _) = build(root);
    assert_eq!(output.unwrap(), clean(root).unwrap());

    // A cache made for another output folder is not used for this one.
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    copy_dir(&cache_dir(root), &root.join(".elsewhere.picket-cache"));
    let overrides = Overrides { output_dir: Some(root.join("elsewhere")), ..Overrides::default() };
    let report = picket::site::build(&Config::load(root, &overrides).unwrap()).unwrap();
    assert_eq!(report.reuse.markdown_reused, 0, "{:?}", report.reuse);
}

#[test]
fn a_page_is_read_again_only_when_its_file_changed() {
    let dir = explainer();
    let root = dir.path();
    // A file's stamp is trusted once its times are a few seconds old (`FileStamp`).
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let (_, first) = build(root);
    assert!(first.pages_read > 5, "{first:?}");
    let (_, again) = build(root);
    assert_eq!((again.pages_read, again.pages_parsed), (0, 0), "{again:?}");

    // Other bytes of the same length, with the old modification time put back (as `cp -p` or
    // `touch -r` leave a file): the change time moved, so the page is read, and the site is new.
    let pay = root.join("content/pay.md");
    let modified = std::fs::metadata(&pay).unwrap().modified().unwrap();
    edit(root, "content/pay.md", |t| t.replacen("the ", "teh ", 1));
    std::fs::File::options().write(true).open(&pay).unwrap().set_modified(modified).unwrap();
    let (output, reuse) = build(root);
    assert_eq!(output.unwrap(), clean(root).unwrap());
    assert_eq!((reuse.pages_read, reuse.pages_parsed, reuse.markdown_rendered), (1, 1, 1), "{reuse:?}");

    // Saved a moment ago, its stamp had not settled: the next build reads it again, but finds
    // the same bytes and parses nothing.
    let (_, next) = build(root);
    assert_eq!((next.pages_read, next.pages_parsed), (1, 0), "{next:?}");
}
