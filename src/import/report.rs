//! What an import did and what it could not carry over, for the editor to read.
//!
//! Filled in while SRC is converted; printed once by the command. Every note names a file in SRC
//! (and a line where there is one) and says what the editor should do. Does no I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::Tool;

/// One thing the import could not carry over, or changed in a way the editor should check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    /// The file in SRC, relative to SRC.
    pub path: PathBuf,
    /// 1-based line in that file, when the note is about one place.
    pub line: Option<usize>,
    /// Lower case, no final period, says what to do.
    pub message: String,
}

/// The result of an import: counts of what was converted and every note.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) tool: Tool,
    pub(crate) src: PathBuf,
    pub(crate) dest: PathBuf,
    /// Pages written from SRC's Markdown, by kind.
    pub(crate) n_sections: usize,
    pub(crate) n_pages: usize,
    /// A home page the import wrote because SRC has none.
    pub(crate) home_written: bool,
    /// Files copied byte for byte (images, included files, static files).
    pub(crate) n_copied: usize,
    /// site.yaml keys and where their values came from, in the order written.
    pub(crate) site_keys: Vec<(String, String)>,
    /// Front matter keys written, with how many pages got each.
    pub(crate) keys: BTreeMap<String, usize>,
    /// What was rewritten in the Markdown, with counts.
    pub(crate) conversions: BTreeMap<&'static str, usize>,
    pub(crate) notes: Vec<Note>,
}

impl Report {
    pub(crate) fn new(tool: Tool, src: &Path) -> Report {
        Report {
            tool,
            src: src.to_path_buf(),
            dest: PathBuf::new(),
            n_sections: 0,
            n_pages: 0,
            home_written: false,
            n_copied: 0,
            site_keys: Vec::new(),
            keys: BTreeMap::new(),
            conversions: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// Every note, sorted by file and line.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    pub(crate) fn note(&mut self, path: &Path, line: Option<usize>, message: impl Into<String>) {
        self.notes.push(Note { path: path.to_path_buf(), line, message: message.into() });
    }

    pub(crate) fn count(&mut self, conversion: &'static str, n: usize) {
        if n > 0 {
            *self.conversions.entry(conversion).or_default() += n;
        }
    }

    pub(crate) fn key(&mut self, key: &str) {
        *self.keys.entry(key.to_string()).or_default() += 1;
    }

    pub(crate) fn site_key(&mut self, key: &str, from: &str) {
        self.site_keys.push((key.to_string(), from.to_string()));
    }

    /// Sorts the notes and drops repeats, once the import is complete.
    pub(crate) fn finish(&mut self, dest: &Path) {
        self.dest = dest.to_path_buf();
        self.notes.sort();
        self.notes.dedup();
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tool = match self.tool {
            Tool::Zola => "the Zola site",
            Tool::Mdbook => "the mdBook book",
        };
        writeln!(f, "imported {tool} in {} into {}", self.src.display(), self.dest.display())?;
        let home = if self.home_written { ", and a home page the import wrote" } else { "" };
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        writeln!(
            f,
            "  pages: {} ({}, {}){home}",
            self.n_sections + self.n_pages,
            plural(self.n_sections, "section"),
            plural(self.n_pages, "page")
        )?;
        writeln!(f, "  files copied as they are: {}", self.n_copied)?;
        let site: Vec<String> = self.site_keys.iter().map(|(key, from)| format!("{key} (from {from})")).collect();
        writeln!(f, "  site.yaml: {}", site.join(", "))?;
        let keys: Vec<String> = self.keys.iter().map(|(key, n)| format!("{key} {n}")).collect();
        writeln!(
            f,
            "  front matter keys written: {}",
            if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
        )?;
        if self.conversions.is_empty() {
            writeln!(f, "  converted in the Markdown: nothing")?;
        } else {
            writeln!(f, "  converted in the Markdown:")?;
            for (what, n) in &self.conversions {
                writeln!(f, "    {n} {what}")?;
            }
        }
        if self.notes.is_empty() {
            return write!(f, "everything was carried over");
        }
        writeln!(f, "not carried over or to check ({}), each with what to do:", self.notes.len())?;
        for (i, note) in self.notes.iter().enumerate() {
            let path = self.src.join(&note.path);
            match note.line {
                Some(line) => write!(f, "  {}:{line}: {}", path.display(), note.message)?,
                None => write!(f, "  {}: {}", path.display(), note.message)?,
            }
            if i + 1 < self.notes.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
