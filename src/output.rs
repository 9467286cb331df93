//! Stage 6: output files -> the output folder, replaced as a whole.
//!
//! A build writes into a staging folder beside the output folder and swaps it in only when every
//! file is written, so a failed or interrupted build leaves the previous output byte-identical.
//! The output it replaces is kept beside it as the spare (`.public.picket-spare`), and the next
//! build starts its staging folder from the spare: an unchanged file is most often already there
//! as a hard link to the current output's, so a rebuild touches only the files that changed,
//! instead of linking every file into a new folder and deleting the old one.
//! Every file's place is an `OutputPath`, which can only be made from checked segments, so no
//! input can name a place outside the staging folder. One build at a time holds the output's lock
//! (`OutputLock`); only that build deletes or swaps the staging folder, and only a folder that
//! carries picket's marker. picket writes nothing outside these folders and the lock file, and
//! refuses to replace a folder it did not write, so nothing an editor wrote is ever deleted.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// A file's place in the output folder: relative, `/`-separated, made of checked segments (no
/// empty, `.` or `..` segment, no backslash, no control character), so that joining it to a folder
/// can never name a place outside that folder. Shared, not copied, when cloned: every build
/// hands each page's path from the layout to the sink and the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutputPath(std::sync::Arc<str>);

impl OutputPath {
    /// Checks `path` (such as `pay/index.html`); the error says which part is wrong and why.
    pub fn new(path: &str) -> std::result::Result<OutputPath, String> {
        for segment in path.split('/') {
            if let Some(problem) = segment_problem(segment) {
                return Err(format!("`{}` cannot be a path in the output: {problem}", path.escape_debug()));
            }
        }
        Ok(OutputPath(path.into()))
    }

    /// The output path of a file at `relative`, a relative path such as `guide/img/a.png`.
    pub fn of_relative(relative: &Path) -> std::result::Result<OutputPath, String> {
        let mut parts = Vec::new();
        for component in relative.components() {
            match component {
                std::path::Component::Normal(name) => match name.to_str() {
                    Some(part) => parts.push(part),
                    None => return Err(format!("the name {:?} is not valid UTF-8; rename it", name)),
                },
                _ => return Err(format!("`{}` is not a relative path inside the site", relative.display())),
            }
        }
        OutputPath::new(&parts.join("/"))
    }

    /// The `index.html` of a page whose route is `route` (`""` or `a/b/`).
    pub fn index_of(route: &str) -> std::result::Result<OutputPath, String> {
        OutputPath::new(&format!("{route}index.html"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for OutputPath {
    type Target = Path;

    fn deref(&self) -> &Path {
        Path::new(&*self.0)
    }
}

impl AsRef<Path> for OutputPath {
    fn as_ref(&self) -> &Path {
        Path::new(&*self.0)
    }
}

impl serde::Serialize for OutputPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read back from the build cache, an output path is checked again like any other.
impl<'de> serde::Deserialize<'de> for OutputPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<OutputPath, D::Error> {
        let text = String::deserialize(deserializer)?;
        OutputPath::new(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest file name most file systems allow.
const MAX_SEGMENT_BYTES: usize = 255;

/// Why `segment` cannot be one part of a path in the output or a URL, or `None` when it can.
/// File and folder names in `content/` and `themes/`, slugs and tag URLs all pass through here.
pub fn segment_problem(segment: &str) -> Option<&'static str> {
    if segment.is_empty() {
        return Some("a part of it is empty");
    }
    if segment == "." || segment == ".." {
        return Some("`.` and `..` are not allowed");
    }
    if segment.chars().any(char::is_control) {
        return Some("it holds a control character (such as a newline, a tab or NUL)");
    }
    if segment.contains(['/', '\\', '?', '#', '%', '"', '<', '>', '|', '*']) {
        return Some("it holds one of the characters / \\ ? # % \" < > | *");
    }
    if segment.trim() != segment {
        return Some("it starts or ends with a space");
    }
    if segment.len() > MAX_SEGMENT_BYTES {
        return Some("it is longer than 255 bytes, the most a file name may be");
    }
    None
}

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
    pub path: OutputPath,
    pub contents: Contents,
}

impl OutputFile {
    pub fn text(path: OutputPath, text: String) -> OutputFile {
        OutputFile { path, contents: Contents::Bytes(text.into_bytes()) }
    }

    /// A file picket always writes under this fixed name (`404.html`, `sitemap.xml`, ...).
    pub fn named(name: &'static str, text: String) -> OutputFile {
        OutputFile::text(OutputPath::new(name).expect("picket's own file names are valid"), text)
    }

    /// The bytes of the file, reading copied files from disk.
    /// The file's bytes as text, when they are in memory and are text.
    pub fn as_text(&self) -> Option<&str> {
        match &self.contents {
            Contents::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
            Contents::Shared(bytes) => std::str::from_utf8(bytes).ok(),
            Contents::Copy(_) => None,
        }
    }

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

/// How long a second build waits for the first to finish before it gives up.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// The lock that lets one build at a time write an output folder: an OS advisory lock on a file
/// beside it (`.public.picket-lock`), released when the build ends, however it ends (the system
/// drops it when the process dies, `kill -9` included). The file is left in place, empty: deleting
/// a lock file while another process waits on it would let two builds in.
pub struct OutputLock {
    _file: std::fs::File,
}

impl OutputLock {
    /// Takes the lock of `out_dir`, waiting up to a few seconds for a build that holds it.
    pub fn acquire(out_dir: &Path) -> Result<OutputLock> {
        let path = sibling(out_dir, "lock");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| Error::io(parent, &err))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| Error::io(&path, &err))?;
        let started = Instant::now();
        loop {
            match try_lock(&file) {
                Ok(true) => return Ok(OutputLock { _file: file }),
                Ok(false) if started.elapsed() < LOCK_WAIT => std::thread::sleep(Duration::from_millis(50)),
                Ok(false) => {
                    return Err(Error::in_file(
                        out_dir,
                        format!(
                            "another picket build is writing `{}` and has not finished after {} seconds; wait for it to end, then build again",
                            out_dir.display(),
                            LOCK_WAIT.as_secs()
                        ),
                    ));
                }
                Err(err) => return Err(Error::io(&path, &err)),
            }
        }
    }
}

/// Takes an exclusive advisory lock without blocking; `Ok(false)` when another process holds it.
fn try_lock(file: &std::fs::File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(err)) => Err(err),
    }
}

/// A new site being written beside the output folder. Dropping it without `commit` leaves it as
/// the spare, so the output folder is never touched by a failed build. It holds the output's
/// lock for as long as it lives.
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    /// What the staging folder held when the build began (the spare's files and folders), by
    /// path: whatever this build does not put there again is removed before the swap.
    held: HashMap<PathBuf, Held>,
    /// The device of the staging folder, which every file it holds is on.
    device: u64,
    committed: bool,
    // Declared last, so that it is released after the staging folder is put away on drop.
    _lock: OutputLock,
}

/// An entry the staging folder held when the build began.
struct Held {
    kind: Kind,
    /// Its inode, from the folder's entry (0 where the system does not say).
    inode: u64,
    /// Whether this build put (or found) its file there, or cleared its place.
    taken: AtomicBool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    /// A link or anything else: removed when the build begins.
    Other,
}

impl Staging {
    /// Takes the output's lock, checks that `out_dir` may be replaced, and makes the staging
    /// folder beside it: the spare the last build left (or a staging folder a stopped build left),
    /// else an empty folder.
    pub fn begin(out_dir: &Path) -> Result<Staging> {
        Staging::begin_locked(out_dir, OutputLock::acquire(out_dir)?)
    }

    /// `begin`, with the output's lock already taken.
    pub fn begin_locked(out_dir: &Path, lock: OutputLock) -> Result<Staging> {
        check_replaceable(out_dir)?;
        let dir = sibling(out_dir, "staging");
        let spare = sibling(out_dir, "spare");
        if is_ours(&dir)? && is_ours(&spare)? {
            remove_ours(&dir)?;
        }
        if !is_ours(&dir)? && is_ours(&spare)? {
            std::fs::rename(&spare, &dir).map_err(|err| Error::io(&spare, &err))?;
        }
        std::fs::create_dir_all(&dir).map_err(|err| Error::io(&dir, &err))?;
        let mut held = list(&dir)?;
        // A link (or anything but a file or a folder) picket never made: removed at once, so
        // nothing written below can follow one out of the staging folder.
        for (path, entry) in &held {
            if entry.kind == Kind::Other {
                let full = dir.join(path);
                ignore_missing(std::fs::remove_file(&full)).map_err(|err| Error::io(&full, &err))?;
            }
        }
        held.retain(|_, entry| entry.kind != Kind::Other);
        // The marker is the first file, so that a build stopped halfway leaves a folder that is
        // recognisably picket's; the current output's marker is kept as it is, like any file.
        // It is put in place by a rename, so the staging folder is never without one.
        let device = device_of(&dir).map_err(|err| Error::io(&dir, &err))?;
        let staging = Staging { dir, out_dir: out_dir.to_path_buf(), held, device, committed: false, _lock: lock };
        let marker = Path::new(MARKER);
        let current = out_dir.join(MARKER);
        let same = std::fs::symlink_metadata(&current).is_ok_and(|m| staging.take_if_same(marker, &m));
        if !same {
            let new = staging.dir.join(format!("{MARKER}.new"));
            let _ = std::fs::remove_file(&new);
            if std::fs::hard_link(&current, &new).is_err() {
                std::fs::write(&new, b"").map_err(|err| Error::io(&staging.dir, &err))?;
            }
            std::fs::rename(&new, staging.dir.join(MARKER)).map_err(|err| Error::io(&staging.dir, &err))?;
            staging.take(marker);
        }
        Ok(staging)
    }

    /// Marks what the staging folder held at `relative` as taken: this build put its file there.
    fn take(&self, relative: &Path) {
        if let Some(held) = self.held.get(relative) {
            held.taken.store(true, Ordering::Relaxed);
        }
    }

    /// Takes the file the staging folder holds at `relative` if it is the very file `current`
    /// describes (the same device and inode: a hard link left by the last build), so that
    /// nothing needs doing to it.
    fn take_if_same(&self, relative: &Path, current: &std::fs::Metadata) -> bool {
        let same = match self.held.get(relative) {
            Some(held) if held.kind == Kind::File => same_file(held.inode, self.device, current),
            _ => false,
        };
        if same {
            self.take(relative);
        }
        same
    }

    /// Clears the place of a file at `relative`, so that a new one can be made there: removes
    /// what the staging folder holds at that path, and a file where one of its folders must be.
    fn make_room(&self, relative: &Path) -> std::io::Result<()> {
        let target = self.dir.join(relative);
        self.take(relative);
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.is_dir() => ignore_missing(std::fs::remove_dir_all(&target))?,
            Ok(_) => ignore_missing(std::fs::remove_file(&target))?,
            Err(_) => {}
        }
        let Some(parent) = target.parent() else { return Ok(()) };
        if std::fs::create_dir_all(parent).is_ok() {
            return Ok(());
        }
        // A file held where a folder must now be: remove it, then make the folders.
        let mut prefix = self.dir.clone();
        for component in relative.parent().into_iter().flat_map(Path::components) {
            prefix.push(component);
            if std::fs::symlink_metadata(&prefix).is_ok_and(|m| !m.is_dir()) {
                ignore_missing(std::fs::remove_file(&prefix))?;
                self.take(prefix.strip_prefix(&self.dir).unwrap_or(&prefix));
            }
        }
        std::fs::create_dir_all(parent)
    }

    /// The error when the place of `relative` in the staging folder cannot be cleared. The
    /// staging folder was started from the spare and goes back to being the spare when the build
    /// fails, so the error names the spare, where the editor will find the problem.
    fn cannot_clear(&self, relative: &Path, err: &std::io::Error) -> Error {
        let spare = sibling(&self.out_dir, "spare");
        let place = spare.join(relative);
        Error::in_file(
            &place,
            format!(
                "cannot replace `{}`: {err}; delete the folder `{}` (picket's copy of the last output, safe to delete) and build again",
                place.display(),
                spare.display()
            ),
        )
    }

    /// Writes one file into the staging folder; callable from many threads. A file whose bytes
    /// are the same as the current output's is linked to it instead (a hard link: the same file,
    /// so it keeps its modification time, and deploy tools that compare times upload only what
    /// changed). The swap still replaces the output as a whole.
    pub fn write(&self, file: &OutputFile) -> Result<Written> {
        let relative = Path::new(file.path.as_str());
        let target = self.dir.join(relative);
        let shown = self.out_dir.join(relative);
        let current = self.out_dir.join(relative);
        let unchanged = match &file.contents {
            Contents::Bytes(bytes) => same_bytes(&current, bytes),
            Contents::Shared(bytes) => same_bytes(&current, bytes),
            Contents::Copy(from) => std::fs::read(from).ok().and_then(|bytes| same_bytes(&current, &bytes)),
        };
        if let Some(current_metadata) = unchanged {
            if self.take_if_same(relative, &current_metadata) {
                return Ok(Written { new_bytes: None, stamp: self.stamp(&target, &shown)? });
            }
            self.make_room(relative).map_err(|err| self.cannot_clear(relative, &err))?;
            // Linking fails on file systems without hard links; then the file is written.
            if std::fs::hard_link(&current, &target).is_ok() {
                return Ok(Written { new_bytes: None, stamp: self.stamp(&target, &shown)? });
            }
        }
        // What the staging folder holds there may be a hard link to the live output, and
        // writing into it would change the live site: it is removed first, so the write makes a
        // new file.
        self.make_room(relative).map_err(|err| self.cannot_clear(relative, &err))?;
        let written = match &file.contents {
            Contents::Bytes(bytes) => write_new(&target, bytes),
            Contents::Shared(bytes) => write_new(&target, bytes),
            Contents::Copy(from) => std::fs::copy(from, &target),
        };
        match written {
            Ok(len) => Ok(Written { new_bytes: Some(len), stamp: self.stamp(&target, &shown)? }),
            Err(err) => Err(match &file.contents {
                Contents::Copy(from) if !from.exists() => Error::io(from, &err),
                _ => Error::io(&shown, &err),
            }),
        }
    }

    /// Links the current output's file at `path` into the staging folder if it is still the file
    /// `stamp` describes; `false` (and nothing done) if it is not.
    pub fn keep(&self, path: &OutputPath, stamp: &Stamp) -> Result<bool> {
        let relative = Path::new(path.as_str());
        let Some(current_metadata) = std::fs::symlink_metadata(self.out_dir.join(relative)).ok() else {
            return Ok(false);
        };
        if Stamp::from_metadata(&current_metadata).as_ref() != Some(stamp) {
            return Ok(false);
        }
        if self.take_if_same(relative, &current_metadata) {
            return Ok(true);
        }
        let current = self.out_dir.join(relative);
        self.make_room(relative).map_err(|err| self.cannot_clear(relative, &err))?;
        Ok(std::fs::hard_link(&current, self.dir.join(relative)).is_ok())
    }

    /// Whether the current output's file at `path` is still the file `stamp` describes.
    pub fn still_has(&self, path: &OutputPath, stamp: &Stamp) -> bool {
        Stamp::of(&self.out_dir.join(path.as_str())).as_ref() == Some(stamp)
    }

    fn stamp(&self, target: &Path, shown: &Path) -> Result<Stamp> {
        Stamp::of(target)
            .ok_or_else(|| Error::in_file(shown, "this file vanished right after it was written; build again"))
    }

    /// Removes what the staging folder held and this build did not put there again, swaps it
    /// in as the output folder, and keeps the old output as the spare.
    pub fn commit(mut self) -> Result<()> {
        self.committed = true;
        let result = self.remove_untaken().and_then(|()| swap_in(&self.dir, &self.out_dir));
        if result.is_err() {
            let _ = remove_ours(&self.dir);
        }
        result
    }

    /// Removes the files held and not taken, then the folders left empty.
    fn remove_untaken(&self) -> Result<()> {
        self.held
            .par_iter()
            .filter(|(_, held)| held.kind == Kind::File && !held.taken.load(Ordering::Relaxed))
            .try_for_each(|(path, _)| {
                let full = self.dir.join(path);
                ignore_missing(std::fs::remove_file(&full)).map_err(|err| Error::io(&full, &err))
            })?;
        // A folder that holds a file taken is not empty; the others are tried, deepest first.
        let mut full: HashSet<&Path> = HashSet::new();
        for (path, held) in &self.held {
            if held.kind == Kind::File && held.taken.load(Ordering::Relaxed) {
                full.extend(path.ancestors().skip(1));
            }
        }
        let mut maybe_empty: Vec<&PathBuf> = self
            .held
            .iter()
            .filter(|(path, held)| held.kind == Kind::Dir && !full.contains(path.as_path()))
            .map(|(p, _)| p)
            .collect();
        maybe_empty.sort_by_key(|path| std::cmp::Reverse(path.components().count()));
        for path in maybe_empty {
            // Not empty when this build wrote a new file into it.
            let _ = std::fs::remove_dir(self.dir.join(path));
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // What it holds is a good start for the next build: kept as the spare.
            let spare = sibling(&self.out_dir, "spare");
            if std::fs::symlink_metadata(&spare).is_ok() || std::fs::rename(&self.dir, &spare).is_err() {
                let _ = remove_ours(&self.dir);
            }
        }
    }
}

/// Whether the file with `inode` on `device` is the regular file `current` describes. Where the
/// system does not say (inode 0), they are taken as different, and the file is linked again.
fn same_file(inode: u64, device: u64, current: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        inode != 0 && current.is_file() && current.dev() == device && current.ino() == inode
    }
    #[cfg(not(unix))]
    {
        let _ = (inode, device, current);
        false
    }
}

/// The device the folder at `path` is on (0 where the system does not say).
fn device_of(path: &Path) -> std::io::Result<u64> {
    let metadata = std::fs::symlink_metadata(path)?;
    #[cfg(unix)]
    return Ok(std::os::unix::fs::MetadataExt::dev(&metadata));
    #[cfg(not(unix))]
    {
        let _ = metadata;
        Ok(0)
    }
}

/// Every file and folder below `dir`, by path relative to it, with its kind and inode, read from
/// the folders' entries (no `stat` of each file); the top-level folders in parallel.
fn list(dir: &Path) -> Result<HashMap<PathBuf, Held>> {
    type Entry = (PathBuf, Kind, u64);
    fn entries(dir: &Path, relative: &Path) -> Result<Vec<Entry>> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|err| Error::io(dir, &err))? {
            let entry = entry.map_err(|err| Error::io(dir, &err))?;
            let file_type = entry.file_type().map_err(|err| Error::io(&entry.path(), &err))?;
            let kind = if file_type.is_file() {
                Kind::File
            } else if file_type.is_dir() {
                Kind::Dir
            } else {
                Kind::Other
            };
            #[cfg(unix)]
            let inode = std::os::unix::fs::DirEntryExt::ino(&entry);
            #[cfg(not(unix))]
            let inode = 0;
            found.push((relative.join(entry.file_name()), kind, inode));
        }
        Ok(found)
    }
    let top = entries(dir, Path::new(""))?;
    let below: Vec<Vec<Entry>> = top
        .par_iter()
        .filter(|(_, kind, _)| *kind == Kind::Dir)
        .map(|(relative, _, _)| {
            let mut all = Vec::new();
            let mut folders = vec![relative.clone()];
            while let Some(folder) = folders.pop() {
                for (path, kind, inode) in entries(&dir.join(&folder), &folder)? {
                    if kind == Kind::Dir {
                        folders.push(path.clone());
                    }
                    all.push((path, kind, inode));
                }
            }
            Ok(all)
        })
        .collect::<Result<_>>()?;
    Ok(top
        .into_iter()
        .chain(below.into_iter().flatten())
        .map(|(path, kind, inode)| (path, Held { kind, inode, taken: AtomicBool::new(false) }))
        .collect())
}

/// `result`, with "not found" taken as done.
fn ignore_missing(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// How a file reached the staging folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The bytes written, or `None` when the current output's file was kept (linked).
    pub new_bytes: Option<u64>,
    /// The file as it now is, to know it again in the next build.
    pub stamp: Stamp,
}

/// What a file in the output looked like when a build wrote it: its inode, size and modification
/// time. The next build reuses the file only while all three are the same, so a file changed by
/// anyone else is made again rather than trusted. (These describe picket's own product, never an
/// input: inputs are always compared by their bytes.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub inode: u64,
    pub len: u64,
    pub modified_ns: i128,
}

impl Stamp {
    /// The stamp of the file at `path`, not following a link; `None` if it is not a plain file.
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_metadata(&std::fs::symlink_metadata(path).ok()?)
    }

    fn from_metadata(metadata: &std::fs::Metadata) -> Option<Stamp> {
        if !metadata.is_file() {
            return None;
        }
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(metadata);
        #[cfg(not(unix))]
        let inode = 0;
        let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(Stamp { inode, len: metadata.len(), modified_ns: modified.as_nanos() as i128 })
    }
}

/// Writes `bytes` to a new file at `path`; fails if something is already there.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<u64> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    Ok(bytes.len() as u64)
}

/// The metadata of the file at `path` if it is a regular file holding exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> Option<std::fs::Metadata> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    let same =
        metadata.is_file() && metadata.len() == bytes.len() as u64 && std::fs::read(path).is_ok_and(|old| old == bytes);
    same.then_some(metadata)
}

/// Whether `dir` is a folder picket made (it carries the marker): `false` when there is nothing
/// there, an error when something else is in the way.
fn is_ours(dir: &Path) -> Result<bool> {
    if std::fs::symlink_metadata(dir).is_err() {
        return Ok(false);
    }
    let is_ours = std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) && dir.join(MARKER).is_file();
    if !is_ours {
        return Err(Error::in_file(
            dir,
            format!(
                "`{}` is in the way: picket uses this name for its own work, but this was not made by picket (it has no `{MARKER}`); move it away",
                dir.display()
            ),
        ));
    }
    Ok(true)
}

/// Removes `dir` if picket made it (it carries the marker); a folder of that name that picket
/// did not make is left alone, and is an error.
fn remove_ours(dir: &Path) -> Result<()> {
    if is_ours(dir)? {
        std::fs::remove_dir_all(dir).map_err(|err| Error::io(dir, &err))?;
    }
    Ok(())
}

/// Writes `files` as the new contents of `out_dir`, replacing what was there in one step.
pub fn write_site(out_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let staging = Staging::begin(out_dir)?;
    files.par_iter().try_for_each(|file| staging.write(file).map(drop))?;
    staging.commit()
}

/// Refuses to replace a non-empty folder that picket did not write.
fn check_replaceable(out_dir: &Path) -> Result<()> {
    let Ok(metadata) = std::fs::symlink_metadata(out_dir) else { return Ok(()) };
    if metadata.file_type().is_symlink() {
        return Err(Error::in_file(
            out_dir,
            "the output folder is a symbolic link; picket replaces its output folder as a whole, so give --output the real folder",
        ));
    }
    if !metadata.is_dir() {
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

/// A folder or file picket keeps beside the output folder: `.public.picket-{what}`.
pub(crate) fn sibling(out_dir: &Path, what: &str) -> PathBuf {
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out_dir.with_file_name(format!(".{name}.picket-{what}"))
}

/// Puts `staging` in place of `out_dir` and keeps the old output as the spare.
fn swap_in(staging: &Path, out_dir: &Path) -> Result<()> {
    if !out_dir.exists() {
        return std::fs::rename(staging, out_dir).map_err(|err| Error::io(out_dir, &err));
    }
    exchange(staging, out_dir)?;
    // `staging` now holds the previous output, which carries the marker or was empty.
    if !staging.join(MARKER).is_file() {
        return remove_tree(staging);
    }
    // Never over anything else that has the spare's name.
    let spare = sibling(out_dir, "spare");
    if std::fs::symlink_metadata(&spare).is_ok() || std::fs::rename(staging, &spare).is_err() {
        remove_tree(staging)?;
    }
    Ok(())
}

/// Removes the folder `dir` and everything in it, its top-level entries in parallel (removing
/// ten thousand pages one by one is most of a small rebuild's time).
fn remove_tree(dir: &Path) -> Result<()> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|err| Error::io(dir, &err))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|path| {
        let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        let removed = if is_dir { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
        removed.map_err(|err| Error::io(path, &err))
    })?;
    std::fs::remove_dir(dir).map_err(|err| Error::io(dir, &err))
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
    remove_ours(&old)?;
    std::fs::rename(out_dir, &old).map_err(|err| Error::io(out_dir, &err))?;
    std::fs::rename(staging, out_dir).map_err(|err| Error::io(out_dir, &err))?;
    std::fs::rename(&old, staging).map_err(|err| Error::io(&old, &err))
}
