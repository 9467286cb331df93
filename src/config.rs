//! Stage 1: `site.yaml` -> `Config`.
//!
//! `RawConfig` mirrors the file and rejects unknown keys; `Config` holds resolved absolute paths,
//! defaults and command-line overrides. Reads only `site.yaml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Errors, Result};
use crate::notice::Notice;
use crate::{read_text, yaml};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_theme", deserialize_with = "theme_name")]
    theme: String,
    #[serde(default)]
    output_dir: Option<PathBuf>,
    #[serde(default, deserialize_with = "highlight_theme")]
    highlight_theme: Option<String>,
    #[serde(default)]
    extra: Option<serde_yaml::Value>,
    /// The history notice every page shows (`crate::notice`).
    #[serde(default)]
    notice: Option<Notice>,
    /// How `picket check` treats each of its rules (`crate::checks::Levels`).
    #[serde(default)]
    checks: crate::checks::Levels,
    #[serde(default)]
    code: RawCode,
    #[serde(default)]
    heading_ids: HeadingIds,
}

/// `code:` in site.yaml: how code blocks are shown.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    /// Language -> the prefix that marks a line to leave out (mdBook's `hidelines`).
    #[serde(default)]
    hidden_lines: std::collections::BTreeMap<String, HiddenLinePrefix>,
}

/// The prefix of a hidden line: text without spaces, such as `#` or `~`.
#[derive(Debug)]
struct HiddenLinePrefix(String);

impl<'de> Deserialize<'de> for HiddenLinePrefix {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<HiddenLinePrefix, D::Error> {
        yaml::checked_string(deserializer, |prefix| {
            if prefix.is_empty() || prefix.chars().any(char::is_whitespace) {
                let shown = if prefix.is_empty() { "an empty text".to_string() } else { format!("`{}`", prefix.escape_debug()) };
                return Err(format!(
                    "{shown} cannot mark hidden lines; write the text that starts them, without spaces, such as `#` or `~`"
                ));
            }
            Ok(())
        })
        .map(HiddenLinePrefix)
    }
}

/// How headings get their ids when the Markdown gives none (`{#id}`): the rule of the tool a
/// site's links were written for, so an imported site keeps its anchors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadingIds {
    /// GitHub's (and Hugo's, VS Code's): lower case, punctuation dropped, each space a `-`.
    #[default]
    Github,
    /// Zola's: ASCII transliteration, runs of anything else one `-`.
    Zola,
    /// mdBook's: letters, digits, `_` and `-` kept, spaces become `-`; terms of definition lists too.
    Mdbook,
}

fn default_language() -> String {
    "en-GB".to_string()
}

/// Reads `theme`: the name of a folder in `themes/`, so one checked path segment.
fn theme_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    yaml::checked_string(deserializer, |name| match crate::output::segment_problem(name) {
        Some(problem) => Err(format!(
            "`{}` is not a theme name ({problem}); write the name of a folder in `themes/`, such as `default`",
            name.escape_debug()
        )),
        None => Ok(()),
    })
}

/// Reads `highlight_theme`: one of the code highlighting themes picket has (a misspelt one
/// would leave code unstyled).
fn highlight_theme<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    yaml::checked_string(deserializer, |name| {
        let names = crate::markdown::Highlighter::theme_names();
        if names.iter().any(|known| known == name) {
            return Ok(());
        }
        let known: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint =
            crate::error::did_you_mean(name, &known).map(|h| format!("did you mean `{h}`? ")).unwrap_or_default();
        Err(format!("picket has no highlighting theme `{}`; {hint}it has {}", name.escape_debug(), known.join(", ")))
    })
    .map(Some)
}

fn default_theme() -> String {
    "default".to_string()
}

/// What a command may override in the configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub output_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Mark each rendered page with where its parts come from, for `picket check` (see
    /// `Config::source_markers`). Never set for output that is written.
    pub source_markers: bool,
}

/// The validated site configuration. Paths are absolute.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    /// Absolute URL with no trailing slash, e.g. `https://example.org/strike`.
    pub base_url: String,
    /// The path part of `base_url` with no trailing slash: `""` or `/strike`.
    pub base_path: String,
    pub language: String,
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub output_dir: PathBuf,
    pub highlight_theme: String,
    pub extra: serde_json::Value,
    pub drafts: bool,
    /// The notice every page shows unless its front matter sets its own.
    pub notice: Option<Notice>,
    /// The level of each `picket check` rule, from `checks:` in site.yaml.
    pub checks: crate::checks::Levels,
    /// Whether pages carry `<!--picket...-->` comments naming the Markdown line and template
    /// each part comes from, so that `picket check` can point at the source. Only `check` sets it.
    pub source_markers: bool,
    /// Code block language -> the prefix of the lines left out of it (`code.hidden_lines`).
    /// For `rust`, `#` means rustdoc's rule, as in mdBook.
    pub hidden_lines: std::collections::BTreeMap<String, String>,
    pub heading_ids: HeadingIds,
}

pub const CONFIG_FILE: &str = "site.yaml";

impl Config {
    /// Reads `root/site.yaml` and applies `overrides`.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config, Errors> {
        let root = std::path::absolute(root).map_err(|err| Error::io(root, &err))?;
        let path = root.join(CONFIG_FILE);
        let text = read_text(&path).map_err(|mut err| {
            if !path.exists() {
                err.message = format!(
                    "no `{CONFIG_FILE}` in `{}`; run picket in the site's folder, pass --root, or start a site with `picket init DIR`",
                    root.display()
                );
            } else {
                err.path = Some(PathBuf::from(CONFIG_FILE));
            }
            err
        })?;
        Config::parse(&root, &text, overrides)
    }

    /// Resolves the text of `site.yaml` for the site in `root`.
    pub fn parse(root: &Path, text: &str, overrides: &Overrides) -> Result<Config, Errors> {
        let relative = Path::new(CONFIG_FILE);
        let raw: RawConfig = yaml::parse(relative, text, text, 1)?;
        let base_url = overrides.base_url.clone().unwrap_or(raw.base_url);
        let base_url = base_url.trim_end_matches('/').to_string();
        let base_path = base_path_of(&base_url).ok_or_else(|| {
            let message = format!(
                "`base_url` must be an absolute http(s) URL such as `https://example.org/` or `https://example.org/explainer/`, not `{}`",
                base_url.escape_debug()
            );
            match yaml::Positions::of(text, 1).get("base_url").filter(|_| overrides.base_url.is_none()) {
                Some(location) => Error::at(relative, text, location, message),
                None => Error::in_file(relative, message),
            }
        })?;
        let output_dir = overrides.output_dir.clone().or(raw.output_dir).unwrap_or_else(|| PathBuf::from("public"));
        let config = Config {
            root: root.to_path_buf(),
            title: raw.title,
            description: raw.description,
            base_url,
            base_path,
            language: raw.language,
            content_dir: root.join("content"),
            theme_dir: root.join("themes").join(&raw.theme),
            output_dir: crate::normalize(&root.join(output_dir)),
            highlight_theme: raw.highlight_theme.unwrap_or_else(|| "InspiredGitHub".to_string()),
            extra: raw.extra.as_ref().map(yaml::to_json).unwrap_or(serde_json::json!({})),
            drafts: overrides.drafts,
            notice: raw.notice,
            checks: raw.checks,
            source_markers: overrides.source_markers,
            hidden_lines: raw.code.hidden_lines.into_iter().map(|(language, prefix)| (language, prefix.0)).collect(),
            heading_ids: raw.heading_ids,
        };
        config.check_output_dir()?;
        Ok(config)
    }

    /// Refuses an output folder whose replacement would destroy what an editor wrote.
    fn check_output_dir(&self) -> Result<()> {
        let out = &self.output_dir;
        let refuse = |what: &str| {
            Err(Error::in_file(
                Path::new(CONFIG_FILE),
                format!(
                    "the output folder `{}` is {what}; picket replaces its output folder as a whole, so choose a folder of its own such as `public`",
                    out.display()
                ),
            ))
        };
        if out.parent().is_none() {
            return refuse("the file system root");
        }
        if self.root.starts_with(out) {
            return refuse("the site's root or a folder above it");
        }
        for (dir, name) in [(&self.content_dir, "`content/`"), (&self.root.join("themes"), "`themes/`")] {
            if out.starts_with(dir) {
                return refuse(&format!("{name} or inside it"));
            }
        }
        Ok(())
    }

    /// A path relative to the site root, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

fn base_path_of(base_url: &str) -> Option<String> {
    let rest = base_url.strip_prefix("https://").or_else(|| base_url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    // A host name (or `[v6]` address) with an optional port, and a path of URL characters: the
    // base path goes into every link picket writes, so nothing in it may end an attribute.
    let host_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    let path_char = |c: char| c.is_ascii_alphanumeric() || "-._~!$&()*+,;=:@%/".contains(c);
    if host.is_empty() || !host.chars().all(host_char) || !path.chars().all(path_char) {
        return None;
    }
    let path = path.trim_matches('/');
    Some(if path.is_empty() { String::new() } else { format!("/{path}") })
}

#[cfg(test)]
mod tests;
