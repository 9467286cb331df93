//! Stage 6: output files -> the output folder, replaced as a whole.
//!
//! A build writes into a staging folder beside the output folder and swaps it in only when every
//! file is written, so a failed or interrupted build leaves the previous output byte-identical.
//! picket writes nothing outside these two folders, and refuses to replace a folder it did not
//! write (one without its marker file), so nothing an editor wrote is ever deleted.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// What goes into one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    Bytes(Vec<u8>),
    /// Bytes shared with a cache, so that rebuilds in `serve` do not copy unchanged pages.
    Shared(std::sync::Arc<[u8]>),
    /// Copied from this absolute path.
    Copy(PathBuf),
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, with `/` separators.
    pub path: PathBuf,
    pub contents: Contents,
}

impl OutputFile {
    pub fn text(path: impl Into<PathBuf>, text: String) -> OutputFile {
        OutputFile { path: path.into(), contents: Contents::Bytes(text.into_bytes()) }
    }

    /// The bytes of the file, reading copied files from disk.
    pub fn bytes(&self) -> Result<Vec<u8>> {
        match &self.contents {
            Contents::Bytes(bytes) => Ok(bytes.clone()),
            Contents::Shared(bytes) => Ok(bytes.to_vec()),
            Contents::Copy(from) => std::fs::read(from).map_err(|err| Error::io(from, &err)),
        }
    }
}

/// The file that marks a folder as picket's output. It is empty and safe to deploy.
pub const MARKER: &str = ".picket-output";

/// A new site being written beside the output folder. Dropping it without `commit` removes it,
/// so the output folder is never touched by a failed build.
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Checks that `out_dir` may be replaced and creates the empty staging folder beside it.
    pub fn begin(out_dir: &Path) -> Result<Staging> {
        check_replaceable(out_dir)?;
        let dir = sibling(out_dir, "staging");
        if dir.exists() {
            // Left by an interrupted build: it is ours by name and was never swapped in.
            std::fs::remove_dir_all(&dir).map_err(|err| Error::io(&dir, &err))?;
        }
        std::fs::create_dir_all(&dir).map_err(|err| Error::io(&dir, &err))?;
        std::fs::write(dir.join(MARKER), b"").map_err(|err| Error::io(&dir, &err))?;
        Ok(Staging { dir, out_dir: out_dir.to_path_buf(), committed: false })
    }

    /// Writes one file into the staging folder; callable from many threads.
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        let target = self.dir.join(&file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|err| Error::io(parent, &err))?;
        }
        match &file.contents {
            Contents::Bytes(bytes) => std::fs::write(&target, bytes).map_err(|err| Error::io(&target, &err)),
            Contents::Shared(bytes) => std::fs::write(&target, bytes).map_err(|err| Error::io(&target, &err)),
            Contents::Copy(from) => std::fs::copy(from, &target).map(|_| ()).map_err(|err| Error::io(from, &err)),
        }
    }

    /// Swaps the staging folder in as the output folder and removes the old output.
    pub fn commit(mut self) -> Result<()> {
        self.committed = true;
        let result = swap_in(&self.dir, &self.out_dir);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        result
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `files` as the new contents of `out_dir`, replacing what was there in one step.
pub fn write_site(out_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let staging = Staging::begin(out_dir)?;
    files.par_iter().try_for_each(|file| staging.write(file))?;
    staging.commit()
}

/// Refuses to replace a non-empty folder that picket did not write.
fn check_replaceable(out_dir: &Path) -> Result<()> {
    if !out_dir.exists() {
        return Ok(());
    }
    if !out_dir.is_dir() {
        return Err(Error::in_file(
            out_dir,
            "the output folder is a file; remove it or choose another folder with --output",
        ));
    }
    let mut entries = std::fs::read_dir(out_dir).map_err(|err| Error::io(out_dir, &err))?;
    if entries.next().is_some() && !out_dir.join(MARKER).exists() {
        return Err(Error::in_file(
            out_dir,
            format!(
                "the output folder already holds files that picket did not write (it has no `{MARKER}`); move them away or choose another folder with --output"
            ),
        ));
    }
    Ok(())
}

fn sibling(out_dir: &Path, what: &str) -> PathBuf {
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out_dir.with_file_name(format!(".{name}.picket-{what}"))
}

/// Puts `staging` in place of `out_dir` and removes the old output.
fn swap_in(staging: &Path, out_dir: &Path) -> Result<()> {
    if !out_dir.exists() {
        return std::fs::rename(staging, out_dir).map_err(|err| Error::io(out_dir, &err));
    }
    exchange(staging, out_dir)?;
    // `staging` now holds the previous output.
    std::fs::remove_dir_all(staging).map_err(|err| Error::io(staging, &err))
}

/// Swaps two folders atomically where the system can (Linux `renameat2`), else in two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|_| Error::in_file(p, "the path holds a NUL byte"));
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        return Ok(());
    }
    exchange_by_renames(a, b)
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    exchange_by_renames(a, b)
}

fn exchange_by_renames(staging: &Path, out_dir: &Path) -> Result<()> {
    let old = sibling(out_dir, "old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|err| Error::io(&old, &err))?;
    }
    std::fs::rename(out_dir, &old).map_err(|err| Error::io(out_dir, &err))?;
    std::fs::rename(staging, out_dir).map_err(|err| Error::io(out_dir, &err))?;
    std::fs::rename(&old, staging).map_err(|err| Error::io(&old, &err))
}
