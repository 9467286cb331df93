//! Helpers shared by the integration tests: find fixtures, build them, dump the output as text.

use std::path::{Path, PathBuf};

use picket::config::{Config, Overrides};
use picket::output::OutputFile;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Replaces absolute paths of this checkout so snapshots are the same on every machine.
pub fn redact(text: &str) -> String {
    text.replace(env!("CARGO_MANIFEST_DIR"), "[ROOT]")
}

/// Every output file as `== path ==` and its contents, in path order.
pub fn dump(files: &[OutputFile]) -> String {
    let mut sorted: Vec<&OutputFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = String::new();
    for file in sorted {
        let bytes = file.bytes().expect("output file is readable");
        let text = String::from_utf8(bytes).unwrap_or_else(|_| "<binary>".to_string());
        out.push_str(&format!("== {} ==\n{}\n", file.path.display(), text.trim_end()));
    }
    out
}

/// Builds the fixture in memory; the dump of its files or its rendered errors.
pub fn render(root: &Path, overrides: &Overrides) -> Result<String, String> {
    let config = Config::load(root, overrides).map_err(|e| redact(&e.to_string()))?;
    match picket::site::render(&config) {
        Ok(built) => Ok(dump(&built.files)),
        Err(errors) => Err(redact(&errors.to_string())),
    }
}

/// The dump of the fixture `name` built in memory; fails the test if it does not build.
pub fn built(name: &str, overrides: &Overrides) -> String {
    render(&fixture(name), overrides).unwrap_or_else(|e| panic!("{name} failed to build:\n{e}"))
}

/// The rendered errors of the fixture `name`; fails the test if it builds.
pub fn failure(name: &str) -> String {
    match render(&fixture(name), &Overrides::default()) {
        Ok(dump) => panic!("{name} built but should fail:\n{dump}"),
        Err(error) => error,
    }
}

/// Copies a fixture into a temporary folder, for tests that write or edit files.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, in path order.
pub fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}
