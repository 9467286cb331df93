//! picket: a static site generator for public-facing explainers.
//!
//! A build is a pipeline of plain data: `site.yaml` becomes a `Config`, `content/` becomes pages
//! and data, pages become HTML through Markdown and the theme's Tera templates, and the output
//! folder is replaced as a whole. Disk I/O happens at the two ends; the stages between are pure.

pub mod checks;
pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod figures;
pub mod import;
mod init;
pub mod links;
pub mod markdown;
mod notice;
pub mod output;
pub mod render;
mod serve;
pub mod site;
mod typography;
mod watch;
mod yaml;

use std::path::Path;

pub use error::{Error, Errors, Result};

/// `path` with its `.` and `..` components resolved without touching the disk (a root or prefix
/// is kept; `links` has its own rule, which drops them, for links written in content).
pub(crate) fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Reads a UTF-8 text file; the error names the file.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|err| Error::io(path, &err))?;
    String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid).into_owned();
        Error::at_offset(path, &text, text.len(), "this file is not valid UTF-8; save it as UTF-8 in your editor")
    })
}
