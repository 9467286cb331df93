//! Reads the files pages include (`{{ include(...) }}`) for the Markdown stage, which does no I/O
//! of its own.
//!
//! A file must be inside `content/` once links are followed: a link (symlink) that leads out of
//! it is refused, so an include never publishes a file from elsewhere on the machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::markdown::IncludeFiles;

/// Included files, read from the site's `content/` folder.
pub struct DiskFiles {
    root: PathBuf,
    /// `content/` with links resolved, if it exists.
    content: Option<PathBuf>,
}

impl DiskFiles {
    pub fn new(config: &Config) -> DiskFiles {
        DiskFiles { root: config.root.clone(), content: std::fs::canonicalize(&config.content_dir).ok() }
    }
}

impl IncludeFiles for DiskFiles {
    fn read(&self, path: &Path) -> Result<Arc<str>, String> {
        let absolute = self.root.join(path);
        let resolved = std::fs::canonicalize(&absolute).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => format!("`{}` does not exist; fix the path", path.display()),
            _ => format!("cannot read `{}`: {err}", path.display()),
        })?;
        if !self.content.as_ref().is_some_and(|content| resolved.starts_with(content)) {
            return Err(format!(
                "`{}` is a link to `{}`, outside `content/`; picket includes files from `content/` only, so copy the file in",
                path.display(),
                resolved.display()
            ));
        }
        if resolved.is_dir() {
            return Err(format!("`{}` is a folder; name a file in it", path.display()));
        }
        crate::content::read_text_as(&absolute, path).map(Arc::from).map_err(|err| err.message)
    }
}
