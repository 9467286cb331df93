//! Reading SRC: the files below a folder, text files, and where an include path leads.
//!
//! Never writes. Symbolic links are not followed into folders; a link to a regular file inside
//! SRC counts as that file, and any other link is reported. Paths handed out are relative to SRC.

use std::path::{Component, Path, PathBuf};

use super::report::Report;
use crate::error::{Error, Result};

/// The folder being imported.
pub(crate) struct Tree {
    /// SRC as the user gave it, for messages.
    pub root: PathBuf,
    /// SRC with every link resolved, to tell inside from outside.
    canonical: PathBuf,
}

/// A file to copy or convert, found below SRC.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SourceFile {
    /// Relative to SRC.
    pub path: PathBuf,
    /// The regular file to read, absolute (the link's target when `path` is a link).
    pub read_from: PathBuf,
}

/// Where an include path written in a page leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A regular file inside SRC, relative to SRC.
    Inside(PathBuf),
    /// A regular file outside SRC: its absolute path, with links resolved.
    Outside(PathBuf),
    /// Nothing there, or not a regular file (a folder, a device, a loop of links).
    Missing,
}

impl Tree {
    pub(super) fn open(root: &Path) -> Result<Tree> {
        let canonical = root.canonicalize().map_err(|err| {
            Error::in_file(root, format!("cannot read the folder to import `{}`: {err}", root.display()))
        })?;
        if !canonical.is_dir() {
            return Err(Error::in_file(root, "this is not a folder; give the folder of the site to import"));
        }
        Ok(Tree { root: root.to_path_buf(), canonical })
    }

    /// The path of `relative` for messages: SRC as given, joined.
    pub(super) fn shown(&self, relative: &Path) -> PathBuf {
        self.root.join(relative)
    }

    pub(super) fn exists(&self, relative: &Path) -> bool {
        self.canonical.join(relative).exists()
    }

    pub(super) fn is_file(&self, relative: &Path) -> bool {
        std::fs::symlink_metadata(self.canonical.join(relative)).is_ok_and(|m| m.is_file())
    }

    /// Reads a UTF-8 text file below SRC; the error names it as SRC/relative.
    pub(super) fn read_text(&self, relative: &Path) -> Result<String> {
        crate::read_text(&self.canonical.join(relative)).map_err(|mut err| {
            err.path = Some(self.shown(relative));
            err
        })
    }

    /// Every file below `dir` (relative to SRC), sorted. Hidden files and folders (`.git`) and
    /// editors' temporary files are skipped; links that cannot be copied safely are reported.
    pub(super) fn files(&self, dir: &Path, report: &mut Report) -> Vec<SourceFile> {
        let mut files = Vec::new();
        let start = self.canonical.join(dir);
        if !start.is_dir() {
            return files;
        }
        let walker = walkdir::WalkDir::new(&start).follow_links(false).sort_by_file_name().into_iter();
        let walker = walker.filter_entry(|entry| {
            entry.depth() == 0
                || !(entry.file_name().to_string_lossy().starts_with('.')
                    || crate::content::is_editor_temp_file(entry.path()))
        });
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().and_then(|p| p.strip_prefix(&self.canonical).ok()).unwrap_or(dir);
                    report.note(path, None, format!("cannot read this: {err}; fix its permissions and import again"));
                    continue;
                }
            };
            let relative = entry.path().strip_prefix(&self.canonical).unwrap_or(entry.path()).to_path_buf();
            let kind = entry.file_type();
            if kind.is_file() {
                files.push(SourceFile { path: relative, read_from: entry.path().to_path_buf() });
            } else if kind.is_symlink() {
                match self.resolve_link(entry.path()) {
                    Some(target) => files.push(SourceFile { path: relative, read_from: target }),
                    None => report.note(
                        &relative,
                        None,
                        "this is a symbolic link to a folder, to something outside SRC or to nothing, so it was not followed; copy what it points to into place if the site needs it",
                    ),
                }
            }
        }
        files
    }

    /// The target of a link when it is a regular file inside SRC.
    fn resolve_link(&self, link: &Path) -> Option<PathBuf> {
        let target = link.canonicalize().ok()?;
        let is_file = std::fs::metadata(&target).is_ok_and(|m| m.is_file());
        (is_file && target.starts_with(&self.canonical)).then_some(target)
    }

    /// Where `written`, an include path in the file `from` (relative to SRC), leads.
    pub(super) fn target(&self, from: &Path, written: &Path) -> Target {
        let joined = match written.is_absolute() {
            true => written.to_path_buf(),
            false => self.canonical.join(from.parent().unwrap_or(Path::new(""))).join(written),
        };
        let Ok(canonical) = joined.canonicalize() else { return Target::Missing };
        if !std::fs::metadata(&canonical).is_ok_and(|m| m.is_file()) {
            return Target::Missing;
        }
        match canonical.strip_prefix(&self.canonical) {
            Ok(inside) => Target::Inside(inside.to_path_buf()),
            Err(_) => Target::Outside(canonical),
        }
    }
}

/// `path` with `.` and `..` taken out, without touching the disk; `None` when it climbs above
/// its start.
pub(crate) fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The relative link from a file in folder `from_dir` to the file `to` (both relative to the
/// same root), written with `/`.
pub(crate) fn relative_link(from_dir: &Path, to: &Path) -> String {
    let from: Vec<_> = from_dir.components().collect();
    let target: Vec<_> = to.components().collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(target[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}
