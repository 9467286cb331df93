//! Builds that overlap or die (issue 10, item 3): two or three `picket build`s started together
//! on one site, and builds killed with SIGKILL at random moments. The output must always be a
//! whole site (the last one built, or the one before), never a mix or a part, and the next build
//! must work.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::support::read_tree;

const PAGES: usize = 2000;

/// A temporary folder in RAM where the machine has one: the tests create and delete tens of
/// thousands of files, and what they check (whole-folder swaps, locks) works the same there.
fn temp_dir() -> tempfile::TempDir {
    match Path::new("/dev/shm").is_dir() {
        true => tempfile::tempdir_in("/dev/shm").unwrap(),
        false => temp_dir(),
    }
}

/// A site of `PAGES` small pages in sections of 100; `version` goes into every page, so two
/// versions differ in every file.
fn write_site(root: &Path, version: &str) {
    let templates = root.join("themes/t/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(root.join("site.yaml"), "title: Many\nbase_url: https://example.org/\ntheme: t\n").unwrap();
    let page = "<!doctype html><html lang=\"en\"><title>{{ page.title }}</title><h1>{{ page.title }}</h1>{{ page.content | safe }}</html>";
    for name in ["index.html", "section.html", "page.html", "404.html"] {
        std::fs::write(templates.join(name), page).unwrap();
    }
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("_index.md"), format!("---\ntitle: Home\n---\nVersion {version}.\n")).unwrap();
    for i in 0..PAGES {
        let section = content.join(format!("s{}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&section).unwrap();
            std::fs::write(section.join("_index.md"), format!("---\ntitle: Section {}\n---\nv{version}\n", i / 100))
                .unwrap();
        }
        let text =
            format!("---\ntitle: Page {i}\n---\n## About page {i}\n\nVersion {version}. [Home](../_index.md).\n");
        std::fs::write(section.join(format!("p{i}.md")), text).unwrap();
    }
}

fn spawn_build(root: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["build", "--root"])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Builds `root` and returns how long it took.
fn build(root: &Path) -> Duration {
    let started = Instant::now();
    let output = spawn_build(root).wait_with_output().unwrap();
    assert!(output.status.success(), "the build fails:\n{}", String::from_utf8_lossy(&output.stderr));
    started.elapsed()
}

type Tree = Vec<(PathBuf, Vec<u8>)>;

/// The output a clean build of `version` gives.
fn clean_output(version: &str) -> Tree {
    let site = temp_dir();
    write_site(site.path(), version);
    build(site.path());
    read_tree(&site.path().join("public"))
}

/// What stands beside the output folder: picket's own folders and files.
fn beside_output(root: &Path) -> BTreeMap<String, bool> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.file_type().unwrap().is_dir()))
        .filter(|(name, _)| name.contains("picket-"))
        .collect()
}

#[test]
fn builds_started_together_leave_a_whole_site_and_the_next_build_works() {
    let site = temp_dir();
    write_site(site.path(), "one");
    let expected = clean_output("one");
    for (round, together) in [2, 3, 2, 3, 3, 2].into_iter().enumerate() {
        let children: Vec<Child> = (0..together).map(|_| spawn_build(site.path())).collect();
        let mut succeeded = 0;
        for child in children {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            match output.status.code() {
                Some(0) => succeeded += 1,
                // A build that waited too long for the lock says so and changes nothing.
                Some(1) => assert!(stderr.contains("another picket build is writing"), "round {round}: {stderr}"),
                other => panic!("round {round}: a build ended with {other:?}:\n{stderr}"),
            }
        }
        assert!(succeeded >= 1, "round {round}: no build succeeded");
        let output = read_tree(&site.path().join("public"));
        assert!(
            output == expected,
            "round {round}: the output is not the whole site ({} files of {})",
            output.len(),
            expected.len()
        );
        assert_eq!(
            beside_output(site.path()),
            BTreeMap::from([
                (".public.picket-cache".to_string(), true),
                (".public.picket-lock".to_string(), false),
                (".public.picket-spare".to_string(), true),
            ]),
            "round {round}"
        );
        build(site.path());
    }
}

/// A small deterministic generator for kill delays (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_old_or_the_new_site() {
    let versions = ["one", "two"];
    let outputs: Vec<Tree> = versions.iter().map(|v| clean_output(v)).collect();
    let site = temp_dir();
    write_site(site.path(), versions[0]);
    // Kills land anywhere from the start to a little after a build would end (a build that
    // replaces an output, as every one below does).
    build(site.path());
    let took = build(site.path()).as_millis() as u64;
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let mut random = Lcg(seed);
    let mut current = 0;
    let (mut old, mut new) = (0, 0);
    for round in 0..10 {
        let next = 1 - current;
        write_site(site.path(), versions[next]);
        let mut child = spawn_build(site.path());
        std::thread::sleep(Duration::from_millis(random.below(took * 5 / 4 + 1)));
        let _ = child.kill();
        let _ = child.wait();
        let output = read_tree(&site.path().join("public"));
        if output == outputs[current] {
            old += 1;
        } else if output == outputs[next] {
            new += 1;
        } else {
            panic!(
                "round {round} (seed {seed}): the output is neither the old nor the new site ({} files)",
                output.len()
            );
        }
        // The next build clears what the killed one left and gives the new site.
        build(site.path());
        assert!(read_tree(&site.path().join("public")) == outputs[next], "round {round} (seed {seed})");
        current = next;
    }
    println!("10 builds killed at random (seed {seed}): {old} left the old site, {new} the new one");
}
