//! Stage 5: rendered pages -> HTML files through the theme's Tera templates, plus the files every
//! site gets (404, sitemap, robots.txt, Atom feed, highlight stylesheet).
//!
//! Templates receive typed context structs (`SiteContext`, `PageContext`), never hand-built maps.
//! Tera is loaded once per build. Tera's own located errors become `Error`s at the template's
//! path:line:col. Pure apart from `Theme::load`, which reads the templates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Kwargs, State, Tera};

use crate::config::Config;
use crate::error::{Error, Errors, Location, Result};
use crate::figures::{Source, format_date};
use crate::markdown::shortcodes::{self, Declaration};
use crate::markdown::{ShortcodeTemplates, TocEntry};
use crate::read_text;

mod tera_errors;

/// The theme's templates, loaded into Tera.
pub struct Theme {
    tera: Tera,
    /// Theme-relative path of the templates folder, for error messages.
    templates_dir: PathBuf,
    sources: BTreeMap<String, String>,
    /// Each shortcode template, with the arguments it declares.
    shortcodes: BTreeMap<String, Option<Declaration>>,
    /// Whether rendered pages name their template for `picket check` (`Config::source_markers`).
    source_markers: bool,
}

pub const TEMPLATES: &str = "templates";

impl Theme {
    /// Reads every file under `themes/<name>/templates/`.
    pub fn load(config: &Config) -> Result<Theme, Errors> {
        let files = Theme::read(config)?;
        Theme::parse(config, config.relative(&config.theme_dir.join(TEMPLATES)), files)
    }

    /// The `(template name, text)` of every file under `themes/<name>/templates/`.
    pub fn read(config: &Config) -> Result<Vec<(String, String)>, Errors> {
        let dir = config.theme_dir.join(TEMPLATES);
        if !dir.is_dir() {
            return Err(missing_theme(config, &dir).into());
        }
        let walked = crate::content::walk(config, &dir, crate::content::Skip::EditorFiles);
        let mut errors = Errors(walked.errors);
        let mut files = Vec::new();
        for found in walked.files {
            let name = found.inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            match read_text(&found.absolute) {
                Ok(text) => files.push((name, text)),
                Err(mut err) => {
                    err.path = Some(found.relative);
                    errors.push(err);
                }
            }
        }
        errors.into_result(files)
    }

    /// Builds the theme from `(template name, text)` pairs; `templates_dir` is for messages.
    pub fn parse(config: &Config, templates_dir: &Path, files: Vec<(String, String)>) -> Result<Theme, Errors> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.register_filter("date_long", |value: &str, _: Kwargs, _: &State| format_date(value));
        let base_path = config.base_path.clone();
        tera.register_function("url", move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            Ok(format!("{base_path}/{}", path.trim_start_matches('/')))
        });
        let mut errors = Errors::default();
        let mut declared = BTreeMap::new();
        for (name, text) in &files {
            let Some(shortcode) = name.strip_prefix("shortcodes/").and_then(|n| n.strip_suffix(".html")) else {
                continue;
            };
            match shortcodes::parse_declaration(text) {
                Ok(declaration) => {
                    declared.insert(shortcode.to_string(), declaration);
                }
                Err(err) => errors.push(Error::at_offset(&templates_dir.join(name), text, err.offset, err.message)),
            }
        }
        let mut theme = Theme {
            tera,
            templates_dir: templates_dir.to_path_buf(),
            sources: files.iter().cloned().collect(),
            shortcodes: declared,
            source_markers: config.source_markers,
        };
        if let Err(err) = theme.tera.add_raw_templates(files) {
            errors.extend(theme.errors(&err).0);
        }
        errors.into_result(theme)
    }

    /// Where the template `name` would live, relative to the site root.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.templates_dir.join(name)
    }

    /// Every template as `(path relative to the site root, text)`, for `check` to locate links.
    pub(crate) fn template_sources(&self) -> impl Iterator<Item = (PathBuf, &str)> {
        self.sources.iter().map(|(name, text)| (self.templates_dir.join(name), text.as_str()))
    }

    /// The templates folder, relative to the site root.
    pub(crate) fn templates_dir(&self) -> &Path {
        &self.templates_dir
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Renders `template` with `context`.
    pub fn render<T: Serialize>(&self, template: &str, context: &T) -> Result<String> {
        if !self.tera.contains_template(template) {
            return Err(Error::in_file(
                &self.templates_dir,
                format!("the theme has no template `{template}`; add `{}/{template}`", self.templates_dir.display()),
            ));
        }
        let context = tera::Context::from_serialize(context).map_err(|err| self.error(&err))?;
        self.tera.render(template, &context).map_err(|err| self.error(&err))
    }

    /// Turns a Tera error into ours, located in the template file when Tera knows where.
    fn error(&self, err: &tera::Error) -> Error {
        let mut errors = self.errors(err).0;
        errors.swap_remove(0)
    }

    /// Every error in a Tera error: the checks Tera runs once all templates are parsed report
    /// several at once. Never empty.
    fn errors(&self, err: &tera::Error) -> Errors {
        let at = |template: &str, location: Location, message: String| {
            let path = self.templates_dir.join(template);
            match self.sources.get(template) {
                Some(text) => Error::at(&path, text, location, message),
                None => Error { location: Some(location), ..Error::in_file(&path, message) },
            }
        };
        match err.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                let span = report.span();
                let location = Location { line: span.start_line.max(1), column: span.start_col + 1 };
                at(report.filename(), location, tera_errors::explain(report.message(), &self.templates_dir)).into()
            }
            tera::ErrorKind::MissingParent { current, parent } => tera_errors::missing_parent(
                &self.templates_dir,
                current,
                parent,
                self.sources.get(current).map(String::as_str),
            )
            .into(),
            tera::ErrorKind::TemplateNotFound(name) => Error::in_file(
                &self.templates_dir,
                format!("the theme has no template `{name}`; add `{}`", self.templates_dir.join(name).display()),
            )
            .into(),
            _ => {
                let text = err.to_string();
                let reports = tera_errors::reports(&text);
                if !reports.is_empty() {
                    let explained = reports.into_iter().map(|report| {
                        at(
                            &report.template,
                            report.location,
                            tera_errors::explain(&report.message, &self.templates_dir),
                        )
                    });
                    return Errors(explained.collect());
                }
                let mut message = tera_errors::lower_first(&text);
                let mut source = std::error::Error::source(err);
                while let Some(inner) = source {
                    message.push_str(&format!(": {inner}"));
                    source = inner.source();
                }
                Error::in_file(&self.templates_dir, message).into()
            }
        }
    }
}

/// The error for a `theme` whose templates folder does not exist, naming the themes there are.
fn missing_theme(config: &Config, templates: &Path) -> Error {
    let themes_dir = config.root.join("themes");
    let mut themes: Vec<String> = std::fs::read_dir(&themes_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join(TEMPLATES).is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    themes.sort();
    let name = config.theme_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let known: Vec<&str> = themes.iter().map(String::as_str).collect();
    let hint = match (crate::error::did_you_mean(&name, &known), known.is_empty()) {
        (Some(hint), _) => format!("did you mean `theme: {hint}`?"),
        (None, true) => "`themes/` has no theme; a theme is a folder with `templates/` in it".to_string(),
        (None, false) => {
            format!("the themes there are {}", known.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "))
        }
    };
    Error::in_file(
        Path::new(crate::config::CONFIG_FILE),
        format!(
            "the theme `{name}` is not in `themes/` (there is no templates folder `{}`); {hint}",
            config.relative(templates).display()
        ),
    )
}

impl ShortcodeTemplates for Theme {
    fn has(&self, name: &str) -> bool {
        self.shortcodes.contains_key(name)
    }

    fn declaration(&self, name: &str) -> Option<&Declaration> {
        self.shortcodes.get(name).and_then(Option::as_ref)
    }

    fn render(&self, name: &str, args: &BTreeMap<String, serde_json::Value>, body: &str) -> Result<String> {
        let mut context = tera::Context::new();
        for (key, value) in args {
            context.insert(key.clone(), value);
        }
        context.insert("body", body);
        self.tera.render(&format!("shortcodes/{name}.html"), &context).map_err(|err| self.error(&err))
    }
}

/// A link in navigation, breadcrumbs or tags.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A tag of a page, linking to the tag's page.
#[derive(Debug, Clone, Serialize)]
pub struct TagLink {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
}

/// `site` in every template.
#[derive(Debug, Clone, Serialize)]
pub struct SiteContext<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_url: &'a str,
    pub base_path: &'a str,
    pub extra: &'a serde_json::Value,
    pub nav: Vec<NavItem>,
}

/// A page in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub title: String,
    pub url: String,
    pub description: String,
    pub date: Option<String>,
    pub weight: Option<i64>,
    /// Safe HTML: the page's text before `<!-- more -->`, else its description as a paragraph,
    /// else empty. Its links work from any page; it has no ids.
    pub summary: String,
}

/// One page of a paginated section's listing (`paginate_by`), for templates as `page.paginator`.
#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    /// This page's number, from 1.
    pub current: usize,
    pub number_of_pages: usize,
    pub paginate_by: usize,
    /// How many pages the whole listing has.
    pub total_pages: usize,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The pages listed on this page.
    pub pages: Vec<Summary>,
    /// Every page of the listing, for numbered links.
    pub links: Vec<PagerLink>,
}

/// A numbered link in a paginator.
#[derive(Debug, Clone, Serialize)]
pub struct PagerLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

/// `page` in every template.
#[derive(Debug, Clone, Serialize)]
pub struct PageContext<'a> {
    pub kind: &'static str,
    pub title: &'a str,
    pub description: &'a str,
    pub url: String,
    pub permalink: String,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub review_date: Option<String>,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub show_toc: bool,
    pub sources: Vec<&'a Source>,
    pub extra: serde_json::Value,
    pub tags: Vec<TagLink>,
    /// Every page the section lists, in its order (complete, also when it is paginated).
    pub pages: Vec<Summary>,
    /// For a section with `paginate_by`: this page of its listing.
    pub paginator: Option<Paginator>,
    /// The pages before and after this one in its section's order.
    pub previous: Option<Link>,
    pub next: Option<Link>,
    pub ancestors: Vec<Link>,
    pub has_code: bool,
    pub word_count: usize,
    /// The URL of the `site.nav` item this page falls under, if there is one: templates mark the
    /// current item with `item.url == page.nav_url`. `site` is then the same for every page.
    pub nav_url: String,
    /// The history notice this page shows, if any: its own, else the site's (`crate::notice`).
    /// Themes show it near the top, before the heading.
    pub notice: Option<String>,
}

/// `site` converted once per build for templates. Tera's values share their contents, so each
/// page gets a cheap handle instead of its own copy of the navigation.
#[derive(Clone)]
pub struct SiteValue(tera::Value);

impl SiteValue {
    pub fn new(site: &SiteContext) -> SiteValue {
        SiteValue(tera::Value::from_serializable(site))
    }
}

/// Renders a page template with `site` and `page`.
pub fn render_page(theme: &Theme, template: &str, site: &SiteValue, page: &PageContext) -> Result<String> {
    if !theme.tera.contains_template(template) {
        return Err(Error::in_file(
            &theme.templates_dir,
            format!("the theme has no template `{template}`; add `{}/{template}`", theme.templates_dir.display()),
        ));
    }
    let mut context = tera::Context::new();
    context.insert_value("site", site.0.clone());
    context.insert("page", page);
    let html = theme.tera.render(template, &context).map_err(|err| theme.error(&err))?;
    let html = without_nul(html);
    // For `picket check`, which points at the template a finding comes from.
    Ok(if theme.source_markers { format!("{}{html}", crate::checks::markers::template(template)) } else { html })
}

/// `html` with every NUL replaced by U+FFFD, as an HTML parser would read it (issue 10, item 8):
/// a NUL from front matter or a template never reaches the output.
fn without_nul(html: String) -> String {
    if html.contains('\0') { html.replace('\0', "\u{FFFD}") } else { html }
}

/// `sitemap.xml` listing `urls` (absolute).
pub fn sitemap(urls: &[(String, Option<String>)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        xml.push_str(&format!("  <url><loc>{}</loc>", xml_escape(url)));
        if let Some(date) = lastmod {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(config: &Config) -> String {
    format!("User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n", config.base_url)
}

/// An entry in the Atom feed.
pub struct FeedEntry {
    pub title: String,
    pub url: String,
    pub updated: String,
    pub summary: String,
    /// Whether `summary` is HTML (the text before `<!-- more -->`) rather than plain text.
    pub summary_is_html: bool,
}

/// `atom.xml` with the given entries, newest first; `updated` is the newest entry's date.
///
/// RFC 4287 requires an author for the feed (or every entry). picket names the site itself, by
/// its title: it is the one author a site is sure to have, and naming a person or a publisher
/// the site does not state would be invented.
pub fn atom(config: &Config, entries: &[FeedEntry]) -> String {
    let updated = entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| "1970-01-01".to_string());
    let title = xml_escape(&crate::typography::smart(&config.title));
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{title}</title>\n  \
         <author><name>{title}</name></author>\n  \
         <link href=\"{}/atom.xml\" rel=\"self\"/>\n  <link href=\"{}/\"/>\n  <id>{}/</id>\n  <updated>{updated}T00:00:00Z</updated>\n",
        xml_escape(&config.language),
        xml_escape(&config.base_url),
        xml_escape(&config.base_url),
        xml_escape(&config.base_url),
    );
    for entry in entries {
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}T00:00:00Z</updated>\n    <summary{}>{}</summary>\n  </entry>\n",
            xml_escape(&entry.title),
            xml_escape(&entry.url),
            xml_escape(&entry.url),
            entry.updated,
            if entry.summary_is_html { " type=\"html\"" } else { "" },
            xml_escape(&entry.summary)
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A redirect page for templates as `redirect`: where the old URL leads now.
#[derive(Debug, Clone, Serialize)]
pub struct RedirectContext<'a> {
    /// The new URL, as links on the site write it (or an absolute URL off the site).
    pub url: &'a str,
    /// The new URL, absolute.
    pub permalink: &'a str,
    /// The title of the page it leads to (or of the redirecting page, for a URL off the site).
    pub title: &'a str,
}

/// The page left at an old URL: a theme's `redirect.html` if it has one, else picket's own,
/// which refreshes at once to the new URL, names it as canonical, asks search engines not to
/// index the old one, and links to it for browsers that do not refresh.
pub fn redirect_page(config: &Config, theme: &Theme, site: &SiteValue, redirect: &RedirectContext) -> Result<String> {
    if theme.has_template(REDIRECT_TEMPLATE) {
        let mut context = tera::Context::new();
        context.insert_value("site", site.0.clone());
        context.insert("redirect", redirect);
        return theme.tera.render(REDIRECT_TEMPLATE, &context).map(without_nul).map_err(|err| theme.error(&err));
    }
    let attribute = |text: &str| {
        let mut escaped = String::new();
        pulldown_cmark_escape::escape_html(&mut escaped, text).expect("writing to a string cannot fail");
        escaped
    };
    let title = attribute(&crate::typography::smart(redirect.title));
    let site_title = attribute(&crate::typography::smart(&config.title));
    let (url, permalink) = (attribute(redirect.url), attribute(redirect.permalink));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Moved: {title} \u{2013} {site_title}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{permalink}\">\n<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n\
         </head>\n<body>\n<a href=\"#main-content\">Skip to main content</a>\n<main id=\"main-content\">\n\
         <h1>This page has moved</h1>\n<p>It is now at <a href=\"{url}\">{title}</a>.</p>\n</main>\n</body>\n</html>\n",
        lang = attribute(&config.language),
    ))
}

/// The template a theme may provide for redirect pages.
pub const REDIRECT_TEMPLATE: &str = "redirect.html";
