//! Zola -> picket: config.toml to site.yaml, `+++` TOML front matter to YAML, `@/` links to
//! relative links, escaped shortcodes `{{/* */}}` to picket's escape, static files and
//! shortcode templates into the theme.
//!
//! Reads SRC through `source::Tree` only and returns a `Plan`; writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml::Value;
use toml::de::DeValue;

use super::body::{self, Edit};
use super::front_matter::FrontMatter;
use super::missing_shortcodes::{self, MissingCall};
use super::report::Report;
use super::source::{SourceFile, Tree, normalize, relative_link};
use super::toml_file::{Entry, TomlFile, as_str, as_table, shown, to_yaml};
use super::{NewFile, Plan, Tool, theme};
use crate::error::{Error, Errors, Result};

/// What every page's conversion needs to know about the whole site.
struct Site {
    /// Markdown files below `content/`, relative to `content/`.
    pages: BTreeSet<PathBuf>,
    /// Every file below `content/` (pages and assets), relative to `content/`.
    files: BTreeSet<PathBuf>,
    /// Shortcode templates SRC provides (`templates/shortcodes/NAME.html`), by name.
    shortcodes: BTreeSet<String>,
    /// Files of `static/`, relative to it: the theme's static files, served at the site's root.
    static_files: BTreeSet<PathBuf>,
    /// `page_template` of each section folder (relative to `content/`).
    page_templates: BTreeMap<PathBuf, String>,
}

/// A Markdown file of `content/`, split at its front matter.
struct Source {
    file: SourceFile,
    /// Relative to `content/`.
    inside: PathBuf,
    text: String,
    /// Where the front matter's TOML (or YAML) starts and the body starts, in bytes.
    front_matter: Option<FrontMatterBlock>,
    body_offset: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Yaml,
}

#[derive(Clone, Copy)]
struct FrontMatterBlock {
    format: Format,
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Home,
    Section,
    Page,
}

pub(crate) fn plan(src: &Path) -> Result<Plan, Errors> {
    let tree = Tree::open(src)?;
    let mut report = Report::new(Tool::Zola, src);
    let config_name =
        ["config.toml", "zola.toml"].into_iter().find(|name| tree.is_file(Path::new(name))).ok_or_else(|| {
            Error::in_file(
                src,
                "no `config.toml` here; give the folder of a Zola site, which holds config.toml and content/",
            )
        })?;
    let config_text = tree.read_text(Path::new(config_name))?;
    let config =
        TomlFile::parse(&tree.shown(Path::new(config_name)), Path::new(config_name), &config_text, &config_text, 0)?;
    let site_yaml = site_settings(&config, &mut report);

    let mut files = Vec::new();
    let mut errors = Errors::default();
    let mut sources = Vec::new();
    let mut content_files = BTreeSet::new();
    for file in tree.files(Path::new("content"), &mut report) {
        content_files.insert(file.path.strip_prefix("content").unwrap_or(&file.path).to_path_buf());
        let inside = file.path.strip_prefix("content").unwrap_or(&file.path).to_path_buf();
        let private = inside.iter().any(|c| c.to_string_lossy().starts_with('_') && c != "_index.md");
        if inside.extension().is_some_and(|e| e == "md") {
            if private {
                report.note(&file.path, None, "picket does not publish pages whose names (or folders' names) start with `_`; rename it if readers need it");
            }
            match read_source(&tree, file, inside) {
                Ok(source) => sources.push(source),
                Err(err) => errors.push(err),
            }
        } else {
            if private {
                report.note(
                    &file.path,
                    None,
                    "picket does not publish files or folders whose names start with `_`; rename it if readers need it",
                );
            }
            report.n_copied += 1;
            files.push(NewFile::copy(Path::new("content").join(&inside), &file.read_from));
        }
    }
    let (shortcode_files, shortcodes) = shortcode_templates(&tree, &mut report);
    files.extend(shortcode_files);
    let static_files = static_files(&tree, &mut report);
    let mut site = Site {
        pages: sources.iter().map(|s| s.inside.clone()).collect(),
        files: content_files,
        shortcodes,
        static_files: static_files
            .iter()
            .filter_map(|f| f.path.strip_prefix("themes/default/static").ok().map(Path::to_path_buf))
            .collect(),
        page_templates: BTreeMap::new(),
    };
    let mut tables = Vec::new();
    for source in &sources {
        match parse_front_matter(&tree, source) {
            Ok(table) => tables.push(table),
            Err(err) => {
                errors.push(err);
                tables.push(None);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (source, table) in sources.iter().zip(&tables) {
        if let (Some(FrontMatterTable::Toml(toml)), true) = (table, source.inside.ends_with("_index.md"))
            && let Some(template) = toml.table.get("page_template").and_then(|v| as_str(v.get_ref()))
        {
            let dir = source.inside.parent().unwrap_or(Path::new("")).to_path_buf();
            site.page_templates.insert(dir, template.to_string());
        }
    }
    let mut templates: BTreeMap<String, Kind> = BTreeMap::new();
    let mut missing = Vec::new();
    for (source, table) in sources.iter().zip(&tables) {
        let kind = kind_of(&source.inside);
        match kind {
            Kind::Page => report.n_pages += 1,
            Kind::Home | Kind::Section => report.n_sections += 1,
        }
        let text = convert_page(source, table.as_ref(), kind, &site, &mut templates, &mut missing, &mut report);
        files.push(NewFile::text(Path::new("content").join(&source.inside), text));
    }
    if !site.pages.contains(Path::new("_index.md")) {
        files.push(NewFile::text("content/_index.md", home_page(&config, &mut report)));
    }
    files.extend(static_files);
    let published = |path: &str| site.is_published(path);
    files.extend(missing_shortcodes::templates(
        &missing,
        &published,
        "themes/default/templates/shortcodes",
        &mut report,
    ));
    note_other_folders(&tree, &config, &mut report);
    files.push(NewFile::text("site.yaml", site_yaml));
    files.extend(theme::zola(
        &templates.iter().map(|(name, kind)| (name.clone(), *kind == Kind::Page)).collect::<Vec<_>>(),
    ));
    Ok(Plan { files, report })
}

impl Site {
    /// Whether `path`, as a Zola shortcode names an image (`documentation/a.png`, relative to
    /// `content/` or `static/`, as Zola's `resize_image` looks it up), is a file the new site
    /// serves at `/path`.
    fn is_published(&self, path: &str) -> bool {
        let Some(path) = normalize(Path::new(path.trim_start_matches('/'))) else { return false };
        let private = path.iter().any(|c| c.to_string_lossy().starts_with('_'));
        !private && (self.files.contains(&path) || self.static_files.contains(&path))
    }
}

fn kind_of(inside: &Path) -> Kind {
    match inside.file_name().and_then(|n| n.to_str()) {
        Some("_index.md") if inside.parent().is_none_or(|p| p.as_os_str().is_empty()) => Kind::Home,
        Some("_index.md") => Kind::Section,
        _ => Kind::Page,
    }
}

fn read_source(tree: &Tree, file: SourceFile, inside: PathBuf) -> Result<Source> {
    let text = tree.read_text(&file.path)?;
    let (front_matter, body_offset) = split(&text);
    Ok(Source { file, inside, text, front_matter, body_offset })
}

/// Finds Zola's front matter: `+++` TOML or `---` YAML, after optional blank space, closed by a
/// line of the same fence. Returns the block and where the body starts.
fn split(text: &str) -> (Option<FrontMatterBlock>, usize) {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    let format = if rest.starts_with("+++") {
        Format::Toml
    } else if rest.starts_with("---") {
        Format::Yaml
    } else {
        return (None, 0);
    };
    let fence = if format == Format::Toml { "+++" } else { "---" };
    let Some(first_end) = rest.find('\n') else { return (None, 0) };
    if rest[..first_end].trim_end() != fence {
        return (None, 0);
    }
    let block_start = start + first_end + 1;
    let mut offset = block_start;
    while offset <= text.len() {
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if text[offset..line_end].trim_end() == fence {
            let body = (line_end + 1).min(text.len());
            return (Some(FrontMatterBlock { format, start: block_start, end: offset }), body);
        }
        if line_end == text.len() {
            break;
        }
        offset = line_end + 1;
    }
    (None, 0)
}

enum FrontMatterTable<'a> {
    Toml(TomlFile<'a>),
    Yaml(serde_yaml::Mapping),
}

fn parse_front_matter<'a>(tree: &Tree, source: &'a Source) -> Result<Option<FrontMatterTable<'a>>> {
    let shown = tree.shown(&source.file.path);
    let Some(block) = source.front_matter else {
        return Err(Error::at(
            &shown,
            &source.text,
            crate::error::Location { line: 1, column: 1 },
            "no front matter; Zola needs `+++` lines around the page's front matter too, so add them and import again",
        ));
    };
    let block_text = &source.text[block.start..block.end];
    match block.format {
        Format::Toml => TomlFile::parse(&shown, &source.file.path, &source.text, block_text, block.start)
            .map(|t| Some(FrontMatterTable::Toml(t))),
        Format::Yaml => {
            let first_line = body::line_of(&source.text, block.start);
            let value: Value =
                crate::yaml::parse(&shown, &source.text, block_text, first_line).map_err(Errors::into_first)?;
            match value {
                Value::Mapping(mapping) => Ok(Some(FrontMatterTable::Yaml(mapping))),
                Value::Null => Ok(Some(FrontMatterTable::Yaml(serde_yaml::Mapping::new()))),
                _ => Err(Error::at_offset(
                    &shown,
                    &source.text,
                    block.start,
                    "the front matter must be `key: value` lines",
                )),
            }
        }
    }
}

/// One front matter entry, whatever the format: its key, line and value as YAML.
struct Field {
    key: String,
    line: Option<usize>,
    value: Value,
    /// A TOML date or time (YAML has none): written as text.
    is_datetime: bool,
}

fn fields(table: Option<&FrontMatterTable>) -> Vec<Field> {
    match table {
        None => Vec::new(),
        Some(FrontMatterTable::Toml(toml)) => toml
            .entries(&toml.table)
            .into_iter()
            .map(|entry| Field {
                key: entry.key.to_string(),
                line: Some(entry.line),
                value: to_yaml(entry.value).unwrap_or(Value::Null),
                is_datetime: matches!(entry.value, DeValue::Datetime(_)),
            })
            .collect(),
        Some(FrontMatterTable::Yaml(mapping)) => mapping
            .iter()
            .map(|(key, value)| Field {
                key: key.as_str().unwrap_or_default().to_string(),
                line: None,
                value: value.clone(),
                is_datetime: false,
            })
            .collect(),
    }
}

fn convert_page(
    source: &Source,
    table: Option<&FrontMatterTable>,
    kind: Kind,
    site: &Site,
    templates: &mut BTreeMap<String, Kind>,
    missing: &mut Vec<MissingCall>,
    report: &mut Report,
) -> String {
    let path = &source.file.path;
    let front_line = source.front_matter.map(|b| body::line_of(&source.text, b.start) - 1).unwrap_or(1);
    if matches!(table, Some(FrontMatterTable::Yaml(_))) {
        report.note(
            path,
            Some(front_line),
            "this page's front matter is YAML, so notes about its keys point at its first line",
        );
    }
    let mut front = FrontMatter::default();
    for field in fields(table) {
        map_field(&field, kind, path, front_line, &mut front, templates, report);
    }
    if !front.has("title") {
        let title = fallback_title(&source.inside);
        report.note(
            path,
            Some(front_line),
            format!("this page has no `title`, which picket needs; the import wrote `title: {title}`, so check it"),
        );
        front.set("title", Value::String(title));
    }
    if kind == Kind::Page && !front.has("template") {
        let dir = source.inside.parent().unwrap_or(Path::new(""));
        let inherited = dir.ancestors().find_map(|d| site.page_templates.get(d));
        if let Some(template) = inherited {
            front.set("template", Value::String(template.clone()));
            templates.entry(template.clone()).or_insert(Kind::Page);
        }
    }
    url_from_file_name(source, kind, &mut front, report);
    for key in front.keys() {
        report.key(key);
    }
    let body = convert_body(source, site, missing, report);
    format!("{}{body}", front.to_text())
}

/// Maps one front matter key to picket's, or keeps it under `extra` and says so.
fn map_field(
    field: &Field,
    kind: Kind,
    path: &Path,
    front_line: usize,
    front: &mut FrontMatter,
    templates: &mut BTreeMap<String, Kind>,
    report: &mut Report,
) {
    let line = field.line.or(Some(front_line));
    let value = &field.value;
    let is_section = kind != Kind::Page;
    match field.key.as_str() {
        "title" | "description" | "slug" if value.is_string() => front.set(&field.key, value.clone()),
        "date" | "updated" if value.is_string() => {
            let text = value.as_str().unwrap_or_default();
            if text.len() < 10 || text.as_bytes()[4] != b'-' {
                report.note(path, line, format!("`{}` has no date in `{text}`; write a date such as 2016-02-10", field.key));
            } else {
                front.set(&field.key, value.clone());
            }
        }
        "weight" if value.is_i64() => front.set("weight", value.clone()),
        "draft" if value.is_bool() => front.set("draft", value.clone()),
        "template" if value.is_string() => {
            let name = value.as_str().unwrap_or_default().to_string();
            templates.entry(name).or_insert(kind);
            front.set("template", value.clone());
        }
        "aliases" if value.is_sequence() => {
            for alias in value.as_sequence().into_iter().flatten() {
                match alias.as_str() {
                    Some(alias) => front.add_alias(alias.trim_start_matches('/')),
                    None => report.note(path, line, "an alias that is not text was left out; write each alias as a path in quotes"),
                }
            }
        }
        "redirect_to" if value.is_string() => {
            front.set("redirect_to", Value::String(site_url(value.as_str().unwrap_or_default())));
        }
        "sort_by" if is_section && value.is_string() => match value.as_str().unwrap_or_default() {
            order @ ("weight" | "date" | "title" | "none") => front.set("sort_by", Value::String(order.to_string())),
            "title_bytes" => {
                front.set("sort_by", Value::String("title".to_string()));
                report.note(path, line, "`sort_by = \"title_bytes\"` became `sort_by: title`, which compares titles as text; check the order of this section");
            }
            other => report.note(
                path,
                line,
                format!("picket sorts sections by `weight`, `date`, `title` or `none`, not `{other}`; choose one in `sort_by`"),
            ),
        },
        "paginate_by" if is_section && value.is_u64() => front.set("paginate_by", value.clone()),
        "paginate_reversed" if is_section && value.is_bool() => {
            if value.as_bool() == Some(true) {
                front.set("reverse", Value::Bool(true));
            }
        }
        "paginate_path" if is_section && value.as_str() == Some("page") => {}
        "page_template" if is_section && value.is_string() => {
            // Given to each page of the section below, as picket has no `page_template`.
        }
        "taxonomies" if value.is_mapping() => map_taxonomies(value, path, line, front, report),
        "extra" if value.is_mapping() => front.merge_extra(value.as_mapping().cloned().unwrap_or_default()),
        "path" if value.is_string() => {
            let old = value.as_str().unwrap_or_default().trim_matches('/');
            let old = if old.is_empty() || old.contains('.') { old.to_string() } else { format!("{old}/") };
            front.add_alias(&old);
            report.note(
                path,
                line,
                format!("`path` set this page's URL to `/{old}`; picket takes the URL from the file's place, so the old URL became an alias: move the file if the page should live there"),
            );
        }
        key => keep_in_extra(field, path, line, front, report, advice(key)),
    }
    if field.is_datetime && !matches!(field.key.as_str(), "date" | "updated") {
        report.note(
            path,
            line,
            format!("`{}` is a TOML date, written as text under picket's keys; check it", field.key),
        );
    }
}

/// A Zola URL path written in `redirect_to` as picket's site path (`/path/`), or the URL itself
/// when it is absolute.
fn site_url(target: &str) -> String {
    if target.contains("://") {
        return target.to_string();
    }
    let trimmed = target.trim_start_matches('/');
    let (path, fragment) = trimmed.split_once('#').map_or((trimmed, None), |(p, f)| (p, Some(f)));
    let last = path.rsplit('/').next().unwrap_or_default();
    let path = if path.is_empty() || path.ends_with('/') || last.contains('.') {
        path.to_string()
    } else {
        format!("{path}/")
    };
    match fragment {
        Some(fragment) => format!("/{path}#{fragment}"),
        None => format!("/{path}"),
    }
}

fn map_taxonomies(value: &Value, path: &Path, line: Option<usize>, front: &mut FrontMatter, report: &mut Report) {
    let mut others = serde_yaml::Mapping::new();
    for (name, terms) in value.as_mapping().into_iter().flatten() {
        let is_tags = name.as_str() == Some("tags");
        match terms.as_sequence() {
            Some(list) if is_tags && list.iter().all(Value::is_string) => front.set("tags", terms.clone()),
            _ => {
                others.insert(name.clone(), terms.clone());
            }
        }
    }
    if !others.is_empty() {
        let names: Vec<String> = others.keys().filter_map(|k| k.as_str().map(|s| format!("`{s}`"))).collect();
        front.set_extra("taxonomies", Value::Mapping(others));
        report.note(
            path,
            line,
            format!("picket has one taxonomy, `tags`; the taxonomies {} were kept under `extra.taxonomies`, with no pages of their own", names.join(", ")),
        );
    }
}

/// What to tell the editor about a front matter key picket does not have.
fn advice(key: &str) -> &'static str {
    match key {
        "insert_anchor_links" => "picket gives every heading an id but writes no anchor links beside headings",
        "in_search_index" => "picket builds no search index",
        "render" => "picket writes every page and section it finds",
        "transparent" => "picket lists a section's pages only in that section",
        "generate_feeds" | "generate_feed" => "picket writes one Atom feed for the whole site, at atom.xml",
        "paginate_path" => "picket's later pages are always at `page/2/` and so on",
        "authors" => "picket has no authors key; a theme can show them from extra",
        "page_template" | "paginate_by" | "sort_by" | "paginate_reversed" => "picket reads this key on sections only",
        _ => "picket has no such front matter key",
    }
}

fn keep_in_extra(
    field: &Field,
    path: &Path,
    line: Option<usize>,
    front: &mut FrontMatter,
    report: &mut Report,
    why: &str,
) {
    let key = &field.key;
    if front.set_extra(key, field.value.clone()) {
        report.note(path, line, format!("`{key}`: {why}; kept under `extra.{key}` for the theme, or remove it"));
    } else {
        report.note(
            path,
            line,
            format!("`{key}`: {why}, and `extra` already has a `{key}`, so it was left out; merge the two by hand"),
        );
    }
}

/// A title for a page that has none: its file or folder name, as words.
fn fallback_title(inside: &Path) -> String {
    let name = match inside.file_name().and_then(|n| n.to_str()) {
        Some("_index.md" | "index.md") => inside.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()),
        _ => inside.file_stem().and_then(|n| n.to_str()),
    };
    let words = name.unwrap_or("Home").replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_else(|| "Home".to_string())
}

/// Zola takes a page's URL from its file name, slugified, after any `YYYY-MM-DD-` date, which
/// becomes its date. picket takes the name as written, so the import sets `slug` (and `date`)
/// where the two differ, and notes folders whose URL would change.
fn url_from_file_name(source: &Source, kind: Kind, front: &mut FrontMatter, report: &mut Report) {
    let path = &source.file.path;
    let mut folders: Vec<&str> =
        source.inside.parent().into_iter().flat_map(|p| p.iter()).filter_map(|c| c.to_str()).collect();
    let is_bundle = source.inside.file_name().is_some_and(|n| n == "index.md");
    let stem = match (kind, is_bundle) {
        (Kind::Page, false) => source.inside.file_stem().and_then(|s| s.to_str()),
        (Kind::Page, true) => folders.pop(),
        _ => None,
    };
    for folder in folders {
        if slugify(folder) != folder {
            report.note(
                path,
                None,
                format!("Zola published the folder `{folder}` as `{}`, picket keeps the name as written; rename the folder to keep the old URLs", slugify(folder)),
            );
        }
    }
    let Some(stem) = stem else { return };
    let (date, name) = split_date(stem);
    if let Some(date) = date
        && !front.has("date")
    {
        front.set("date", Value::String(date.to_string()));
    }
    if front.has("slug") {
        return;
    }
    let slug = slugify(name);
    if slug != stem && !slug.is_empty() {
        if is_bundle {
            report.note(
                path,
                None,
                format!("Zola published this page at `{slug}/`; rename its folder to keep the old URL"),
            );
        } else {
            front.set("slug", Value::String(slug));
        }
    }
    if !name.is_ascii() {
        report.note(
            path,
            None,
            "Zola turned this file name into ASCII for the URL; check that `slug` gives the old URL",
        );
    }
}

/// `2024-01-31-name` -> (`Some("2024-01-31")`, `name`), as Zola reads dates in file names.
fn split_date(stem: &str) -> (Option<&str>, &str) {
    let bytes = stem.as_bytes();
    let is_date =
        stem.len() > 11 && stem[..10].parse::<jiff::civil::Date>().is_ok() && matches!(bytes[10], b'-' | b'_');
    if is_date { (Some(&stem[..10]), &stem[11..]) } else { (None, stem) }
}

/// Zola's default slug (`slugify.paths = "on"`) for ASCII names: lower case, each run of other
/// characters one `-`, none at the ends.
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

/// Rewrites the Markdown: `@/` links, escaped shortcodes, and literal `{{`/`{%` that picket
/// would take for a shortcode.
fn convert_body(source: &Source, site: &Site, missing: &mut Vec<MissingCall>, report: &mut Report) -> String {
    let body = &source.text[source.body_offset..];
    let path = &source.file.path;
    let line = |offset: usize| Some(body::line_of(&source.text, source.body_offset + offset));
    let scan = body::scan(body);
    let dir = source.inside.parent().unwrap_or(Path::new(""));
    let mut edits = Vec::new();
    let mut n_links = 0;
    for destination in &scan.destinations {
        let Some(target) = destination.url.strip_prefix("@/") else { continue };
        let (file, fragment) = target.split_once('#').map_or((target, None), |(f, a)| (f, Some(a)));
        let resolved = normalize(Path::new(file));
        if resolved.as_ref().is_none_or(|r| !site.files.contains(r)) {
            report.note(
                path,
                line(destination.range.start),
                format!("this link points at `@/{file}`, which is not in content/; fix the link"),
            );
        }
        let mut link = relative_link(dir, &resolved.unwrap_or_else(|| PathBuf::from(file)));
        if let Some(fragment) = fragment {
            link = format!("{link}#{fragment}");
        }
        edits.push(Edit { range: destination.range.clone(), text: link });
        n_links += 1;
    }
    for (offset, url) in &scan.unlocated {
        if url.starts_with("@/") {
            report.note(path, line(*offset), format!("the link to `{url}` is written with escapes the import cannot rewrite; write it as a relative link to the file"));
        }
    }
    report.count("`@/` links made relative links to the page's file", n_links);
    edits.extend(convert_braces(body, &scan, site, path, &line, missing, report));
    body::apply(body, edits)
}

/// Zola's escaped shortcodes, and `{{`/`{%` that are not shortcodes: picket writes them `\{{`
/// in prose and as they are in code, where it expands nothing.
fn convert_braces(
    body: &str,
    scan: &body::Scan,
    site: &Site,
    path: &Path,
    line: &dyn Fn(usize) -> Option<usize>,
    missing: &mut Vec<MissingCall>,
    report: &mut Report,
) -> Vec<Edit> {
    // The calls as picket reads them, by where they start, for the arguments of calls to
    // shortcodes SRC has no template for.
    let mut calls: BTreeMap<usize, crate::markdown::shortcodes::Call> =
        crate::markdown::shortcodes::find_all(body).0.into_iter().map(|call| (call.range.start, call)).collect();
    let mut edits = Vec::new();
    let (mut n_escaped, mut n_literal) = (0, 0);
    let mut skip_to = 0;
    for offset in body::braces(body) {
        if offset < skip_to || body[..offset].ends_with('\\') {
            continue;
        }
        let in_code = scan.in_code(offset);
        let is_inline = body[offset..].starts_with("{{");
        let (open, close, plain_close) = if is_inline { ("{{/*", "*/}}", "}}") } else { ("{%/*", "*/%}", "%}") };
        // Zola takes `{{/* name(args) */}}` (and `{%/* end */%}`) as an escape only when a call
        // is written inside; anything else stays as it is written.
        let close_at = body[offset..].find(close).map(|i| offset + i).filter(|close_at| {
            let inner = body[offset + 4..*close_at].trim();
            let call = format!("{{{{ {inner} }}}}");
            (!is_inline && inner == "end") || body::shortcode_call(&call, 0).is_some() && has_zola_arguments(&call)
        });
        if let Some(close_at) = close_at.filter(|_| body[offset..].starts_with(open)) {
            let opening = if in_code {
                &open[..2]
            } else if is_inline {
                "\\{{"
            } else {
                "\\{%"
            };
            edits.push(Edit { range: offset..offset + 4, text: opening.to_string() });
            edits.push(Edit { range: close_at..close_at + 4, text: plain_close.to_string() });
            skip_to = close_at + 4;
            n_escaped += 1;
            continue;
        }
        if let Some((end, name)) =
            body::shortcode_call(body, offset).filter(|(end, _)| has_zola_arguments(&body[offset..*end]))
        {
            skip_to = end;
            if in_code {
                report.note(path, line(offset), format!("Zola expanded the shortcode `{name}` inside code, picket shows it as written; move it out of the code if it should run"));
            } else if !site.shortcodes.contains(&name) {
                let call = calls.remove(&offset);
                missing.push(MissingCall {
                    name: name.clone(),
                    path: path.to_path_buf(),
                    line: line(offset),
                    has_body: call.as_ref().is_some_and(|c| c.body.is_some()),
                    args: call.map(|c| c.args).unwrap_or_default(),
                });
            }
            let args = &body[offset..end];
            if args.contains('`') || args.contains('[') {
                report.note(path, line(offset), "this shortcode has a `backtick` text or a [list] argument, which picket's shortcodes do not take; write the value in quotes");
            }
            continue;
        }
        if let Some(end) = body::end_tag(body, offset) {
            skip_to = end;
            continue;
        }
        if !in_code {
            edits.push(Edit { range: offset..offset, text: "\\".to_string() });
            n_literal += 1;
        }
    }
    report.count("escaped shortcodes `{{/* */}}` made picket's `\\{{` (or plain `{{` inside code)", n_escaped);
    report.count("literal `{{` or `{%` in text escaped as `\\{{`, since picket would read a shortcode", n_literal);
    edits
}

/// Whether the call `{{ name(args) }}` has arguments Zola takes (`key=literal`, with strings,
/// numbers, booleans and arrays of them). Zola leaves anything else, such as `get_url(path=x)` in
/// a template example, as text.
fn has_zola_arguments(call: &str) -> bool {
    let Some(open) = call.find('(') else { return false };
    let Some(close) = call.rfind(')') else { return false };
    let mut rest = call[open + 1..close].trim();
    while !rest.is_empty() {
        let key_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let after_key = rest[key_len..].trim_start();
        let Some(after_equals) = after_key.strip_prefix('=').filter(|_| key_len > 0) else { return false };
        let Some(after_value) = zola_literal(after_equals.trim_start()) else { return false };
        rest = after_value.trim_start();
        if let Some(after_comma) = rest.strip_prefix(',') {
            rest = after_comma.trim_start();
        } else if !rest.is_empty() {
            return false;
        }
    }
    true
}

/// The text after one Zola literal at the start of `text`.
fn zola_literal(text: &str) -> Option<&str> {
    let first = text.chars().next()?;
    if matches!(first, '"' | '\'' | '`') {
        let end = text[1..].find(first)?;
        return Some(&text[end + 2..]);
    }
    if let Some(mut rest) = text.strip_prefix('[') {
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(']') {
                return Some(after);
            }
            rest = zola_literal(rest)?.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
    }
    let len = text.find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))).unwrap_or(text.len());
    let word = &text[..len];
    let is_literal = matches!(word, "true" | "false") || word.parse::<f64>().is_ok();
    is_literal.then_some(&text[len..])
}

/// Shortcode templates in SRC (`templates/shortcodes/`), copied into the theme.
fn shortcode_templates(tree: &Tree, report: &mut Report) -> (Vec<NewFile>, BTreeSet<String>) {
    let mut files = Vec::new();
    let mut names = BTreeSet::new();
    for file in tree.files(Path::new("templates/shortcodes"), report) {
        let Some(name) = file.path.file_stem().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        match file.path.extension().and_then(|e| e.to_str()) {
            Some("html") => {
                report.note(&file.path, None, "copied into themes/default/templates/shortcodes/; it was written for Zola's Tera 1 and its functions, so check that it renders under picket");
                let inside = file.path.strip_prefix("templates").unwrap_or(&file.path);
                files.push(NewFile::copy(Path::new("themes/default/templates").join(inside), &file.read_from));
                report.n_copied += 1;
                names.insert(name);
            }
            _ => report.note(&file.path, None, "picket's shortcodes are HTML templates; rewrite this one as themes/default/templates/shortcodes/NAME.html"),
        }
    }
    (files, names)
}

/// `static/` goes to the theme's static folder, which picket copies to the site's root, so the
/// files keep their URLs.
fn static_files(tree: &Tree, report: &mut Report) -> Vec<NewFile> {
    let files = tree.files(Path::new("static"), report);
    report.n_copied += files.len();
    files
        .into_iter()
        .map(|file| {
            let inside = file.path.strip_prefix("static").unwrap_or(&file.path);
            NewFile::copy(Path::new("themes/default/static").join(inside), &file.read_from)
        })
        .collect()
}

fn note_other_folders(tree: &Tree, config: &TomlFile, report: &mut Report) {
    if tree.exists(Path::new("templates")) {
        report.note(
            Path::new("templates"),
            None,
            "Zola's templates were not converted; themes/default is a new theme, so port what the site needs into it",
        );
    }
    if tree.exists(Path::new("sass")) {
        report.note(
            Path::new("sass"),
            None,
            "picket does not compile Sass; compile it to CSS and put the CSS in themes/default/static/",
        );
    }
    // A `theme` key is noted where it is written; the folder only when nothing names it.
    if tree.exists(Path::new("themes")) && !config.table.contains_key("theme") {
        report.note(
            Path::new("themes"),
            None,
            "Zola themes were not converted; themes/default is a new theme, so port what the site needs into it",
        );
    }
}

/// The home page Zola made from its index template, which picket needs as content/_index.md.
fn home_page(config: &TomlFile, report: &mut Report) -> String {
    let mut front = FrontMatter::default();
    let title = config.table.get("title").and_then(|v| as_str(v.get_ref())).unwrap_or("Home");
    front.set("title", Value::String(title.to_string()));
    if let Some(description) = config.table.get("description").and_then(|v| as_str(v.get_ref())) {
        front.set("description", Value::String(description.to_string()));
    }
    report.home_written = true;
    report.note(
        Path::new("content"),
        None,
        "there is no content/_index.md (Zola made the home page from templates/index.html); the import wrote one with the site's title, so write its text",
    );
    front.to_text()
}

/// config.toml -> site.yaml. Every key is either carried or noted at its line.
fn site_settings(config: &TomlFile, report: &mut Report) -> String {
    let path = config.path.clone();
    let mut site = serde_yaml::Mapping::new();
    let put = |site: &mut serde_yaml::Mapping, report: &mut Report, key: &str, value: Value, from: &str| {
        site.insert(Value::String(key.to_string()), value);
        report.site_key(key, from);
    };
    let table = &config.table;
    let text_of = |key: &str| table.get(key).and_then(|v| as_str(v.get_ref()));
    let title = text_of("title").unwrap_or("My site");
    if text_of("title").is_none() {
        report.note(
            &path,
            None,
            "there is no `title`; picket needs one, so site.yaml says `title: My site`: change it",
        );
    }
    put(&mut site, report, "title", Value::String(title.to_string()), "title");
    if let Some(description) = text_of("description") {
        put(&mut site, report, "description", Value::String(description.to_string()), "description");
    }
    let base_url = text_of("base_url").unwrap_or_default();
    if base_url.starts_with("http://") || base_url.starts_with("https://") {
        put(&mut site, report, "base_url", Value::String(base_url.to_string()), "base_url");
    } else {
        let line = config.line_of_key(table, "base_url");
        report.note(&path, Some(line), format!("`base_url = \"{base_url}\"` is not an absolute http(s) URL, which picket needs; site.yaml says https://example.org/, so put the site's address there"));
        put(&mut site, report, "base_url", Value::String("https://example.org/".to_string()), "a placeholder");
    }
    let language = text_of("default_language").unwrap_or("en");
    put(
        &mut site,
        report,
        "language",
        Value::String(language.to_string()),
        if text_of("default_language").is_some() { "default_language" } else { "Zola's default" },
    );
    put(&mut site, report, "theme", Value::String("default".to_string()), "the theme the import wrote");
    let mut extra = serde_yaml::Mapping::new();
    for entry in config.entries(table) {
        let line = Some(entry.line);
        match entry.key {
            "title" | "description" | "base_url" | "default_language" => {}
            "output_dir" => {
                if let Some(dir) = as_str(entry.value).filter(|d| *d != "public") {
                    put(&mut site, report, "output_dir", Value::String(dir.to_string()), "output_dir");
                }
            }
            "extra" => {
                if let Some(Value::Mapping(mapping)) = to_yaml(entry.value) {
                    extra.extend(mapping);
                }
            }
            "author" => {
                extra.insert(Value::String("author".to_string()), to_yaml(entry.value).unwrap_or(Value::Null));
                report.note(
                    &path,
                    line,
                    "`author` was kept under `extra.author` in site.yaml; picket's feed does not use it yet",
                );
            }
            "taxonomies" => note_taxonomies(config, entry.value, report),
            "markdown" => {
                let entries = as_table(entry.value).map(|t| config.entries(t)).unwrap_or_default();
                markdown_settings(config, &entries, &mut site, report);
            }
            // Zola before 0.20 had these at the top.
            "highlight_code" | "highlight_theme" => markdown_settings(config, &[entry], &mut site, report),
            "slugify" => {
                for sub in as_table(entry.value).map(|t| config.entries(t)).unwrap_or_default() {
                    let value = as_str(sub.value).unwrap_or_default();
                    match (sub.key, value) {
                        ("anchors", "on") | ("paths", "on") => {}
                        ("anchors", other) => report.note(&path, Some(sub.line), format!("`anchors = \"{other}\"`: picket's `heading_ids: zola` makes Zola's default ids (`on`), the closest it has; headings may get other ids than before, so check links to them")),
                        (key, other) => report.note(&path, Some(sub.line), format!("`slugify.{key} = \"{other}\"` is not carried over; picket keeps file names as written and slugifies tags its own way")),
                    }
                }
            }
            "generate_sitemap" | "generate_robots_txt" | "generate_feeds" | "generate_feed"
                if entry.value.as_bool() == Some(true) => {}
            key => report.note(&path, line, format!("`{key} = {}`: {}", shown(entry.value), site_advice(key))),
        }
    }
    put(&mut site, report, "heading_ids", Value::String("zola".to_string()), "Zola's anchors");
    if !extra.is_empty() {
        put(&mut site, report, "extra", Value::Mapping(extra), "extra");
    }
    let text = crate::yaml::to_text(&Value::Mapping(site));
    format!("# Written by `picket import zola` from {}.\n{text}", config.path.display())
}

fn site_advice(key: &str) -> &'static str {
    match key {
        "compile_sass" => "picket does not compile Sass; compile it to CSS and put the CSS in themes/default/static/",
        "build_search_index" | "search" => "picket builds no search index, so the site has no search",
        "minify_html" => "picket does not minify its HTML",
        "link_checker" => {
            "picket checks every internal link on every build and fails on a broken one; there are no levels to set"
        }
        "languages" | "translations" => {
            "picket builds one language per site; import each language as a site of its own"
        }
        "theme" => "the Zola theme was not converted; themes/default is a new theme",
        "ignored_content" | "ignored_static" => {
            "picket has no ignore list; move those files out of content/ and static/"
        }
        "generate_sitemap" | "generate_robots_txt" => "picket always writes sitemap.xml and robots.txt",
        "generate_feeds" | "generate_feed" => "picket always writes an Atom feed, at atom.xml",
        "feed_filenames" | "feed_filename" => {
            "picket's feed is always atom.xml; add an alias if the old feed URL differs"
        }
        "hard_link_static" | "preserve_dotfiles_in_output" => "picket copies static files and leaves out dot files",
        _ => "picket has no such setting, so it was left out",
    }
}

fn note_taxonomies(config: &TomlFile, value: &DeValue, report: &mut Report) {
    let path = config.path.clone();
    let Some(list) = (match value {
        DeValue::Array(list) => Some(list),
        _ => None,
    }) else {
        return;
    };
    for item in list.iter() {
        let Some(table) = as_table(item.get_ref()) else { continue };
        let name = table.get("name").and_then(|v| as_str(v.get_ref())).unwrap_or_default();
        let item_line = config.line(&item.span());
        if name != "tags" {
            report.note(&path, Some(item_line), format!("the taxonomy `{name}` is not carried over: picket has one, `tags`, so pages keep their `{name}` terms under `extra.taxonomies` and /{name}/ pages are not written"));
        }
        for entry in config.entries(table).into_iter().filter(|e| e.key != "name") {
            report.note(&path, Some(entry.line), format!("the taxonomy setting `{} = {}` is not carried over; picket's tag pages list every page with the tag", entry.key, shown(entry.value)));
        }
    }
}

/// `[markdown]` keys: what picket always does is accepted, the rest is noted.
fn markdown_settings(config: &TomlFile, entries: &[Entry], site: &mut serde_yaml::Mapping, report: &mut Report) {
    let path = config.path.clone();
    for entry in entries {
        let line = Some(entry.line);
        let value = entry.value;
        match entry.key {
            "smart_punctuation" | "highlight_code" if value.as_bool() == Some(true) => {}
            "highlighting" => {
                for sub in as_table(value).map(|t| config.entries(t)).unwrap_or_default() {
                    match sub.key {
                        "theme" => highlight_theme(as_str(sub.value).unwrap_or_default(), &path, sub.line, site, report),
                        key => report.note(&path, Some(sub.line), format!("`highlighting.{key}` is not carried over; picket highlights code with CSS classes and one theme")),
                    }
                }
            }
            "highlight_theme" => highlight_theme(as_str(value).unwrap_or_default(), &path, entry.line, site, report),
            "smart_punctuation" => {
                report.note(&path, line, "picket always uses smart punctuation; straight quotes become curly ones")
            }
            "highlight_code" => {
                report.note(&path, line, "picket always highlights code blocks that name their language")
            }
            key => report.note(
                &path,
                line,
                format!("`markdown.{key} = {}` is not carried over; {}", shown(value), markdown_advice(key)),
            ),
        }
    }
}

fn markdown_advice(key: &str) -> &'static str {
    match key {
        "external_links_class"
        | "external_links_target_blank"
        | "external_links_no_follow"
        | "external_links_no_referrer" => "picket writes external links as they are",
        "render_emoji" => "picket does not turn `:name:` into emoji; type the emoji",
        "insert_anchor_links" => "picket gives every heading an id but writes no anchor links beside headings",
        "lazy_async_image" => "picket writes images as they are; add `loading=\"lazy\"` in HTML where it matters",
        _ => "picket has no such Markdown option",
    }
}

/// Zola's syntect theme names that picket's highlighter also has, under its own names.
fn highlight_theme(name: &str, path: &Path, line: usize, site: &mut serde_yaml::Mapping, report: &mut Report) {
    let known = match name {
        "base16-ocean-dark" => Some("base16-ocean.dark"),
        "base16-ocean-light" => Some("base16-ocean.light"),
        "inspired-github" => Some("InspiredGitHub"),
        "solarized-dark" => Some("Solarized (dark)"),
        "solarized-light" => Some("Solarized (light)"),
        _ => None,
    };
    match known {
        Some(theme) => {
            site.insert(Value::String("highlight_theme".to_string()), Value::String(theme.to_string()));
            report.site_key("highlight_theme", "the highlighting theme");
        }
        None => report.note(
            path,
            Some(line),
            format!("picket has no highlighting theme `{name}`; it uses InspiredGitHub, or set `highlight_theme` to base16-ocean.dark, base16-ocean.light, Solarized (dark) or Solarized (light)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_become_site_paths() {
        assert_eq!(site_url("documentation/getting-started/"), "/documentation/getting-started/");
        assert_eq!(site_url("documentation/content/overview"), "/documentation/content/overview/");
        assert_eq!(site_url("/feed.xml"), "/feed.xml");
        assert_eq!(site_url("https://example.org/x"), "https://example.org/x");
        assert_eq!(site_url("a/b#c"), "/a/b/#c");
    }

    #[test]
    fn file_names_give_dates_and_slugs_as_zola_reads_them() {
        assert_eq!(split_date("2024-01-31-first-post"), (Some("2024-01-31"), "first-post"));
        assert_eq!(split_date("2024-01-31_x"), (Some("2024-01-31"), "x"));
        assert_eq!(split_date("2024-13-31-x"), (None, "2024-13-31-x"));
        assert_eq!(slugify("My Page_2"), "my-page-2");
        assert_eq!(slugify("already-a-slug"), "already-a-slug");
    }

    #[test]
    fn only_calls_with_literal_arguments_are_zola_shortcodes() {
        assert!(has_zola_arguments(r#"{{ youtube(id="x", autoplay=true, n=1.5, list=[1, 'a']) }}"#));
        assert!(has_zola_arguments("{{ gallery() }}"));
        assert!(!has_zola_arguments("{{ get_url(path=asset) }}"));
        assert!(!has_zola_arguments("{{ resize(path=path, width=w) }}"));
    }

    #[test]
    fn front_matter_after_blank_lines_and_with_trailing_spaces_is_found() {
        let text = "\n+++\ntemplate = \"x.html\"\n+++        \nbody";
        let (block, body) = split(text);
        let block = block.expect("a block");
        assert_eq!(&text[block.start..block.end], "template = \"x.html\"\n");
        assert_eq!(&text[body..], "body");
    }
}
