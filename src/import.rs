//! `picket import zola|mdbook SRC DEST`: an existing Zola site or mdBook book as a picket site.
//!
//! Three stages: check the two folders (DEST missing or empty, neither inside the other), plan
//! every file of the new site in memory from SRC (`zola::plan`, `mdbook::plan`), then write the
//! plan into DEST. SRC is only read; nothing is written outside DEST, whatever SRC holds
//! (links, `..` in paths, absolute include paths). The `Report` says what was converted and every
//! thing that could not be carried over, located in SRC.

mod body;
mod front_matter;
mod mdbook;
mod missing_shortcodes;
mod report;
mod source;
mod summary;
mod theme;
mod toml_file;
mod zola;

use std::path::{Component, Path, PathBuf};

pub use report::{Note, Report};

use crate::config::{Config, Overrides};
use crate::error::{Error, Errors, Result};
use crate::site::{self, Built};

/// The tool a site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// A Zola site: config.toml (or zola.toml) and content/
    Zola,
    /// An mdBook book: book.toml and src/SUMMARY.md
    Mdbook,
}

/// One file of the new site.
#[derive(Debug, Clone)]
pub(crate) struct NewFile {
    /// Relative to DEST, made only of plain names.
    pub path: PathBuf,
    pub contents: Contents,
}

#[derive(Debug, Clone)]
pub(crate) enum Contents {
    Text(String),
    /// The bytes of this regular file (absolute path, links resolved), copied unchanged.
    Copy(PathBuf),
}

impl NewFile {
    pub(crate) fn text(path: impl Into<PathBuf>, text: impl Into<String>) -> NewFile {
        NewFile { path: path.into(), contents: Contents::Text(text.into()) }
    }

    pub(crate) fn copy(path: impl Into<PathBuf>, from: &Path) -> NewFile {
        NewFile { path: path.into(), contents: Contents::Copy(from.to_path_buf()) }
    }
}

/// Everything an import will write, and its report.
pub(crate) struct Plan {
    pub files: Vec<NewFile>,
    pub report: Report,
}

/// Converts the site in `src` and writes it into `dest`, which must be missing or empty.
/// Returns the report; writes nothing when an error is returned before the writing starts.
pub fn run(tool: Tool, src: &Path, dest: &Path) -> Result<Report, Errors> {
    check_places(src, dest)?;
    let mut plan = match tool {
        Tool::Zola => zola::plan(src)?,
        Tool::Mdbook => mdbook::plan(src)?,
    };
    write(dest, &plan.files)?;
    plan.report.finish(dest);
    Ok(plan.report)
}

/// Builds the imported site in memory, as `picket check` would before its checks.
pub fn build(dest: &Path) -> Result<Built, Errors> {
    let config = Config::load(dest, &Overrides::default())?;
    site::render(&config)
}

/// Refuses a DEST that holds anything, or that lies inside SRC (writing it would change SRC).
fn check_places(src: &Path, dest: &Path) -> Result<()> {
    let src_real = src.canonicalize().map_err(|err| {
        Error::in_file(src, format!("cannot read `{}`: {err}; give the folder of the site to import", src.display()))
    })?;
    let dest_real = resolve_missing(dest)?;
    if dest_real.starts_with(&src_real) {
        return Err(Error::in_file(
            dest,
            format!(
                "`{}` is inside the folder being imported; picket import never changes SRC, so choose a folder outside it",
                dest.display()
            ),
        ));
    }
    match std::fs::read_dir(dest) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::in_file(
                    dest,
                    format!(
                        "`{}` is not empty; picket import writes a whole new site, so give it a new or empty folder",
                        dest.display()
                    ),
                ));
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(Error::in_file(dest, format!("cannot use `{}` as DEST: {err}", dest.display()))),
    }
    Ok(())
}

/// `path` with links resolved as far as it exists, and the missing rest appended.
fn resolve_missing(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path).map_err(|err| Error::io(path, &err))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(out);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// Writes every planned file below `dest`. Paths are checked to be plain names first, and no
/// file is ever opened for writing unless it is new.
fn write(dest: &Path, files: &[NewFile]) -> Result<(), Errors> {
    for file in files {
        let plain = file.path.components().all(|c| matches!(c, Component::Normal(_)));
        assert!(plain && !file.path.as_os_str().is_empty(), "the import plans only plain relative paths");
    }
    std::fs::create_dir_all(dest).map_err(|err| Error::io(dest, &err))?;
    for file in files {
        let path = dest.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| Error::io(parent, &err))?;
        }
        let bytes = match &file.contents {
            Contents::Text(text) => text.as_bytes().to_vec(),
            Contents::Copy(from) => std::fs::read(from).map_err(|err| Error::io(from, &err))?,
        };
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|err| Error::io(&path, &err))?;
        std::io::Write::write_all(&mut out, &bytes).map_err(|err| Error::io(&path, &err))?;
    }
    Ok(())
}

/// Which planned path a file of SRC gets when two would collide: `name-2.ext`, `name-3.ext`...
pub(crate) fn free_path(taken: &std::collections::BTreeSet<PathBuf>, wanted: &Path) -> PathBuf {
    if !taken.contains(wanted) {
        return wanted.to_path_buf();
    }
    let stem = wanted.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let extension = wanted.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (2..)
        .map(|n| wanted.with_file_name(format!("{stem}-{n}{extension}")))
        .find(|candidate| !taken.contains(candidate))
        .expect("some number is free")
}
