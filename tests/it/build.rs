//! Fixture sites that build: each snapshot shows every output file.

use std::io::Write;

use picket::config::Overrides;

use crate::support::{built, copy_fixture, fixture, read_tree, render};

fn check_site(name: &str) {
    check_site_with(name, &Overrides::default());
}

fn check_site_with(name: &str, overrides: &Overrides) {
    insta::assert_snapshot!(name.replace('/', "__"), built(name, overrides));
}

#[test]
fn basic_site_has_home_sections_pages_bundles_and_site_files() {
    check_site("build/basic");
}

#[test]
fn drafts_are_built_with_the_drafts_flag() {
    let dump = render(&fixture("build/basic"), &Overrides { drafts: true, ..Overrides::default() }).unwrap();
    assert!(dump.contains("== draft/index.html ==\n<main lang=\"en-GB\"><h1>Draft</h1>"), "{dump}");
}

#[test]
fn markdown_extensions_footnotes_headings_and_highlighting() {
    check_site("build/markdown");
}

#[test]
fn relative_md_links_become_urls_under_the_base_path() {
    check_site("build/links");
}

#[test]
fn computed_figures_are_marked_and_cited_as_computed_everywhere() {
    check_site("build/provenance");
}

#[test]
fn history_notice_from_the_site_or_the_page() {
    check_site("build/notice");
}

#[test]
fn shortcodes_render_theme_templates_but_not_inside_code() {
    check_site("build/shortcodes");
}

#[test]
fn figures_tables_charts_and_week_grids_come_from_data() {
    check_site("build/figures");
}

#[test]
fn base_url_override_moves_every_internal_url() {
    let overrides = Overrides { base_url: Some("https://example.net/sub/dir/".into()), ..Overrides::default() };
    let dump = render(&fixture("build/links"), &overrides).unwrap();
    assert!(dump.contains("<a href=\"/sub/dir/about/#who-we-are\">about</a>"), "{dump}");
    assert!(dump.contains("<loc>https://example.net/sub/dir/pay/rules/</loc>"), "{dump}");
}

#[test]
fn build_writes_the_output_folder_and_replaces_it_whole() {
    let site = copy_fixture("build/basic");
    let out = site.path().join("public");
    std::fs::create_dir_all(&out).unwrap();
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    picket::site::build(&config).unwrap();
    let first = read_tree(&out);
    assert!(first.iter().any(|(p, _)| p.to_str() == Some("guide/first/index.html")));
    std::fs::remove_file(site.path().join("content/about.md")).unwrap();
    picket::site::build(&config).unwrap();
    let second = read_tree(&out);
    assert!(!second.iter().any(|(p, _)| p.starts_with("about")), "a removed page leaves no stale file");
    assert_eq!(first.len(), second.len() + 1);
}

#[test]
fn failing_build_leaves_previous_output_byte_identical() {
    let site = copy_fixture("build/basic");
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    picket::site::build(&config).unwrap();
    let before = read_tree(&config.output_dir);
    std::fs::write(site.path().join("content/about.md"), "---\ntitle: About\n").unwrap();
    std::fs::write(site.path().join("content/guide/first.md"), "---\ntitle: First\n---\nNow changed.\n").unwrap();
    assert!(picket::site::build(&config).is_err());
    assert_eq!(read_tree(&config.output_dir), before);
    // Only the lock file, the build cache and the spare stay beside the output: the lock is
    // empty, and deleting it could let two builds in; the cache is the last good build's; the
    // spare holds what the failed build wrote, a start for the next one.
    let mut leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("picket-"))
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, [".public.picket-cache", ".public.picket-lock", ".public.picket-spare"]);
}

#[test]
fn output_folder_not_written_by_picket_is_never_replaced() {
    let site = copy_fixture("build/basic");
    let out = site.path().join("public");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "an editor's file").unwrap();
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    let err = picket::site::build(&config).err().unwrap().to_string();
    assert!(err.contains("already holds files that picket did not write"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "an editor's file");
}

#[test]
fn build_after_an_interrupted_build_ignores_its_leftovers() {
    let site = copy_fixture("build/basic");
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    picket::site::build(&config).unwrap();
    let before = read_tree(&config.output_dir);
    // What a build killed halfway leaves: a staging folder beside the output, marked as picket's
    // (the marker is its first file), half written.
    let staging = site.path().join(".public.picket-staging");
    std::fs::create_dir_all(staging.join("guide")).unwrap();
    std::fs::write(staging.join(".picket-output"), "").unwrap();
    std::fs::write(staging.join("guide/index.html"), "half a page").unwrap();
    assert_eq!(read_tree(&config.output_dir), before, "the output is untouched by the leftovers");
    picket::site::build(&config).unwrap();
    assert_eq!(read_tree(&config.output_dir), before);
    assert!(!staging.exists(), "the leftovers are cleared by the next build");
}

#[test]
fn a_folder_named_like_the_staging_folder_that_picket_did_not_make_is_never_deleted() {
    // Issue 10, item 4: it was deleted without a check, even when the build then failed.
    foreign_folder_is_refused_and_kept(".public.picket-staging");
}

/// Builds a site, puts an editor's folder named `name` beside its output, and checks that the
/// next build refuses it and leaves it and the output as they were.
fn foreign_folder_is_refused_and_kept(
    name: &str,
) -> (tempfile::TempDir, picket::config::Config, Vec<(std::path::PathBuf, Vec<u8>)>) {
    let site = copy_fixture("build/basic");
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    picket::site::build(&config).unwrap();
    let before = read_tree(&config.output_dir);
    let foreign = site.path().join(name);
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "an editor's file").unwrap();
    let err = picket::site::build(&config).err().unwrap().to_string();
    assert!(err.contains("was not made by picket"), "{err}");
    assert_eq!(std::fs::read_to_string(foreign.join("notes.txt")).unwrap(), "an editor's file");
    assert_eq!(read_tree(&config.output_dir), before);
    (site, config, before)
}

/// The inode and modification time of every output file.
fn stamps(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    read_tree(dir)
        .into_iter()
        .map(|(path, _)| {
            let metadata = std::fs::metadata(dir.join(&path)).unwrap();
            (path, (metadata.ino(), metadata.modified().unwrap()))
        })
        .collect()
}

#[test]
fn files_whose_bytes_did_not_change_keep_their_modification_time() {
    // Issue 14: rsync, `aws s3 sync` and CDN uploads compare times, so they then send only what changed.
    let site = copy_fixture("build/basic");
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    let first = picket::site::build(&config).unwrap();
    assert_eq!(first.n_written, first.n_files, "a first build writes everything");
    let before = stamps(&config.output_dir);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = picket::site::build(&config).unwrap();
    assert_eq!(again.n_written, 0, "nothing changed, so nothing is written");
    assert_eq!(stamps(&config.output_dir), before);

    let page = site.path().join("content/about.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nOne more sentence.\n")).unwrap();
    let edited = picket::site::build(&config).unwrap();
    let after = stamps(&config.output_dir);
    let changed: Vec<&std::path::PathBuf> = after.keys().filter(|path| after[*path] != before[*path]).collect();
    assert_eq!(changed, [std::path::Path::new("about/index.html")]);
    assert_eq!(edited.n_written, 1);
}

#[test]
fn tags_that_differ_only_in_case_are_one_tag_spelt_as_first_written() {
    check_site("build/tags");
}

/// The output of a clean build of the site at `root` into a new folder, for comparison.
fn clean_build(root: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let out = tempfile::tempdir().unwrap();
    let overrides = Overrides { output_dir: Some(out.path().join("clean")), ..Overrides::default() };
    let config = picket::config::Config::load(root, &overrides).unwrap();
    picket::site::build(&config).unwrap();
    read_tree(&config.output_dir)
}

#[test]
fn a_build_started_from_the_spare_equals_a_clean_build() {
    // The old output is kept as the spare and the next build starts its staging folder from it:
    // whatever the spare holds that the site no longer makes must not reach the output.
    let site = copy_fixture("build/basic");
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    let spare = site.path().join(".public.picket-spare");
    picket::site::build(&config).unwrap();
    picket::site::build(&config).unwrap();
    assert!(spare.join(".picket-output").is_file(), "the second build keeps the first output as the spare");

    // A page removed: its file is in the spare, and must not come back.
    std::fs::remove_file(site.path().join("content/about.md")).unwrap();
    picket::site::build(&config).unwrap();
    let output = read_tree(&config.output_dir);
    assert!(!output.iter().any(|(p, _)| p.starts_with("about")), "a removed page leaves no stale file");
    assert_eq!(output, clean_build(site.path()));

    // An output file changed by hand, in place: the spare's link to it sees the change too.
    let first = config.output_dir.join("guide/first/index.html");
    std::fs::OpenOptions::new().append(true).open(&first).unwrap().write_all(b"<p>edited by hand</p>").unwrap();
    picket::site::build(&config).unwrap();
    assert_eq!(read_tree(&config.output_dir), clean_build(site.path()));
}

#[test]
fn whatever_the_spare_holds_the_output_is_a_clean_build_and_nothing_outside_is_touched() {
    let site = copy_fixture("build/basic");
    let config = picket::config::Config::load(site.path(), &Overrides::default()).unwrap();
    picket::site::build(&config).unwrap();
    picket::site::build(&config).unwrap();
    let spare = site.path().join(".public.picket-spare");
    // A file where a folder must be, a folder where a file must be, a stray file, and a link to
    // a folder outside the site where one of the site's folders goes.
    std::fs::remove_dir_all(spare.join("guide")).unwrap();
    std::fs::write(spare.join("guide"), "a file in the way").unwrap();
    std::fs::remove_file(spare.join("about/index.html")).unwrap();
    std::fs::create_dir_all(spare.join("about/index.html/deeper")).unwrap();
    std::fs::write(spare.join("stray.html"), "no page makes this").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("dot.svg"), "an editor's file").unwrap();
    std::fs::remove_dir_all(spare.join("bundle")).unwrap();
    std::os::unix::fs::symlink(outside.path(), spare.join("bundle")).unwrap();

    picket::site::build(&config).unwrap();
    assert_eq!(read_tree(&config.output_dir), clean_build(site.path()));
    assert_eq!(std::fs::read_to_string(outside.path().join("dot.svg")).unwrap(), "an editor's file");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
}

#[test]
fn a_spare_picket_did_not_make_is_never_used_or_deleted() {
    let (site, config, before) = foreign_folder_is_refused_and_kept(".public.picket-spare");
    let foreign = site.path().join(".public.picket-spare");

    // A link by that name, even to a folder that carries picket's marker, is not picket's either.
    std::fs::remove_dir_all(&foreign).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join(".picket-output"), "").unwrap();
    std::fs::write(elsewhere.path().join("notes.txt"), "an editor's file").unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &foreign).unwrap();
    let err = picket::site::build(&config).err().unwrap().to_string();
    assert!(err.contains("was not made by picket"), "{err}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 2);
    assert_eq!(read_tree(&config.output_dir), before);
}
