//! The real binary: exit codes and what it prints.

use std::process::Command;

use clap::CommandFactory;

use crate::support::{copy_fixture, fixture};

fn picket(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_picket")).args(args).output().expect("run picket");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn cli_definition_is_valid() {
    picket::cli::Cli::command().debug_assert();
}

#[test]
fn build_succeeds_with_a_summary_line() {
    let site = copy_fixture("build/basic");
    let (code, stdout, _) = picket(&["build", "--root", site.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("built 6 pages"), "{stdout}");
    assert!(site.path().join("public/guide/first/index.html").exists());
}

#[test]
fn site_error_exits_1_and_prints_the_located_error() {
    let site = copy_fixture("errors/link_missing_md");
    let (code, stdout, stderr) = picket(&["build", "--root", site.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains(" --> content/a.md:6:5\n"), "{stderr}");
    assert!(stderr.ends_with("error: the site has 1 error\n"), "{stderr}");
}

#[test]
fn check_exits_1_on_a_broken_anchor_and_writes_nothing() {
    let site = copy_fixture("errors/link_missing_anchor");
    let (code, _, stderr) = picket(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("content/a.md:6:5"), "{stderr}");
    assert!(!site.path().join("public").exists());
}

#[test]
fn usage_error_exits_2() {
    let (code, _, stderr) = picket(&["build", "--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
}

#[test]
fn init_writes_a_site_that_builds_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new");
    let (code, _, stderr) = picket(&["init", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = picket(&["build", "--root", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("built 4 pages"), "{stdout}");
    let (code, stdout, stderr) = picket(&["check", "--root", site.to_str().unwrap()]);
    assert_eq!(code, 0, "the starter site fails `picket check`:\n{stderr}");
    assert!(stdout.ends_with("no problems found\n"), "{stdout}");
    // The theme's shortcode declares its arguments, so a misspelt one fails at the call.
    let page = site.join("content/guide/how-it-works.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("note(title=", "note(titel=")).unwrap();
    let (code, _, stderr) = picket(&["build", "--root", site.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the shortcode `note` has no argument `titel`; did you mean `title`?"), "{stderr}");
    let (code, _, stderr) = picket(&["init", site.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("never overwrites"), "{stderr}");
}

#[test]
fn output_is_relative_to_the_current_folder() {
    let site = copy_fixture("build/basic");
    let elsewhere = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["build", "--root"])
        .arg(site.path())
        .args(["--output", "out/site"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(elsewhere.path().join("out/site/guide/first/index.html").exists());
    assert!(!site.path().join("out").exists(), "--output was taken relative to --root");
}

#[test]
fn help_says_what_paths_are_relative_to() {
    let (code, stdout, _) = picket(&["build", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("relative to the current folder"), "{stdout}");
    assert!(stdout.contains("--root <DIR>"), "{stdout}");
}

#[test]
fn check_warnings_are_printed_and_exit_0() {
    let root = fixture("check/levels");
    let (code, stdout, stderr) = picket(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("warning: the page has 2 `<h1>` headings"), "{stderr}");
    assert!(stderr.contains(" --> content/a.md:4:1\n"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(stdout.ends_with("no errors, 1 warning\n"), "{stdout}");
}
