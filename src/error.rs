//! The one error type of the crate: a message with the place it points at.
//!
//! Every stage returns `Result<T>`; a build collects many `Error`s into `Errors` so that an editor
//! sees all problems at once. Rendering looks like rustc: `error: message`, ` --> path:line:col`,
//! the source line and a caret. Only `main` prints errors.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a file (the column counts characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One problem, with the file and place it concerns when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Error {
    /// The file, relative to the site root when it is inside it.
    pub path: Option<PathBuf>,
    pub location: Option<Location>,
    /// Lower case, no final period, says what to do.
    pub message: String,
    /// The text of the line at `location`, for the caret display.
    pub source_line: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error about no file in particular.
    pub fn msg(message: impl Into<String>) -> Error {
        Error { path: None, location: None, message: message.into(), source_line: None }
    }

    /// An error about a whole file.
    pub fn in_file(path: &Path, message: impl Into<String>) -> Error {
        Error { path: Some(path.to_path_buf()), ..Error::msg(message) }
    }

    /// An error at `location` of `path`, whose text is `text` (used to show the line).
    pub fn at(path: &Path, text: &str, location: Location, message: impl Into<String>) -> Error {
        let source_line = text.lines().nth(location.line - 1).map(str::to_string);
        Error { path: Some(path.to_path_buf()), location: Some(location), message: message.into(), source_line }
    }

    /// An error at byte `offset` of `text`, the contents of `path`.
    pub fn at_offset(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Error {
        Error::at(path, text, Location::of_offset(text, offset), message)
    }

    /// An error from an I/O call on `path`.
    pub fn io(path: &Path, err: &std::io::Error) -> Error {
        Error::in_file(path, format!("cannot access `{}`: {err}", path.display()))
    }

    /// `path:line:col`, or as much of it as is known.
    pub fn place(&self) -> Option<String> {
        // A file name may hold a newline or another control character; shown raw, it would break
        // the layout of the message (and can be made to look like another message).
        let path: String = self.path.as_ref()?.display().to_string().chars().flat_map(char::escape_debug).collect();
        Some(match self.location {
            Some(loc) => format!("{path}:{}:{}", loc.line, loc.column),
            None => path,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f, "error")
    }
}

/// An `Error` shown as a warning (`warning: ...`): a finding that does not fail the command.
pub struct Warning<'a>(pub &'a Error);

impl fmt::Display for Warning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.render(f, "warning")
    }
}

impl Error {
    fn render(&self, f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
        write!(f, "{label}: {}", self.message)?;
        let Some(place) = self.place() else { return Ok(()) };
        let (Some(loc), Some(line)) = (self.location, &self.source_line) else {
            return write!(f, "\n --> {place}");
        };
        let number = loc.line.to_string();
        let gutter = " ".repeat(number.len());
        let caret_pad: String = line.chars().take(loc.column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        write!(f, "\n{gutter}--> {place}\n{gutter} |\n{number} | {line}\n{gutter} | {caret_pad}^")
    }
}

impl std::error::Error for Error {}

/// Every error of one build, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<Error>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, error: Error) {
        self.0.push(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = Error>) {
        self.0.extend(errors);
    }

    /// The first error, for a caller that reports one per file (`yaml::parse` returns every
    /// unknown key of a file, each its own error).
    pub fn into_first(self) -> Error {
        self.0.into_iter().next().unwrap_or_else(|| Error::msg("something went wrong; this is a bug in picket"))
    }

    /// `Ok(value)` when no error was collected.
    pub fn into_result<T>(self, value: T) -> Result<T, Errors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<Error> for Errors {
    fn from(error: Error) -> Errors {
        Errors(vec![error])
    }
}

impl fmt::Display for Errors {
    /// Each distinct error once, in the order first found: a mistake in a template that every
    /// page uses is one mistake, said once with how many times it came up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut distinct: Vec<(&Error, usize)> = Vec::with_capacity(self.0.len());
        let mut index: std::collections::HashMap<&Error, usize> = std::collections::HashMap::new();
        for error in &self.0 {
            match index.get(error) {
                Some(&at) => distinct[at].1 += 1,
                None => {
                    index.insert(error, distinct.len());
                    distinct.push((error, 1));
                }
            }
        }
        for (error, times) in &distinct {
            writeln!(f, "{error}")?;
            if *times > 1 {
                writeln!(f, "  = the same error came up {times} times (once for each page it is on)")?;
            }
            writeln!(f)?;
        }
        let n = distinct.len();
        write!(f, "error: the site has {n} error{}", if n == 1 { "" } else { "s" })
    }
}

/// Why a command failed. Both exit 1; only site errors end with their count, since a port in use
/// or a folder that already holds a site is not an error in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Mistakes in the site's files: printed with "the site has N errors".
    Site(Errors),
    /// picket could not start or finish for a reason outside the site: printed alone.
    Setup(Errors),
}

impl From<Errors> for Failure {
    fn from(errors: Errors) -> Failure {
        Failure::Site(errors)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Site(error.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Site(errors) => write!(f, "{errors}"),
            Failure::Setup(errors) => {
                let shown: Vec<String> = errors.0.iter().map(Error::to_string).collect();
                write!(f, "{}", shown.join("\n\n"))
            }
        }
    }
}

/// The closest of `candidates` to `word`, for "did you mean" hints.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
