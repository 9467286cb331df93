//! The build recipe: one call per stage, from `Config` to the list of output files.
//!
//! `render` is the whole build in memory and writes nothing; `build` writes its result. Every
//! error of every stage is collected and returned together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content, Page, PageKind};
use crate::error::{Error, Errors};
use crate::figures::{self, Figures};
use crate::markdown::{self, Highlighter, Rendered};
use crate::output::{self, Contents, OutputFile};
use crate::render::{self, FeedEntry, Link, NavItem, PageContext, SiteContext, Summary, Theme};

/// The built site, in memory.
pub struct Built {
    pub files: Vec<OutputFile>,
    pub n_pages: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Builds the site and writes it to the output folder.
pub fn build(config: &Config) -> Result<Built, Errors> {
    let mut built = render(config)?;
    let started = Instant::now();
    output::write_site(&config.output_dir, &built.files)?;
    built.timings.push(("write", started.elapsed()));
    Ok(built)
}

/// Runs every stage in memory and returns the files a build would write.
pub fn render(config: &Config) -> Result<Built, Errors> {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
        timings.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let (content, figures, theme) = rayon::join(
        || content::load(config),
        || rayon::join(|| figures::load(config), || Theme::load(config)),
    )
    .pipe(|(content, (figures, theme))| (content, figures, theme));
    let mut errors = Errors::default();
    let content = content.map_err(|e| errors.extend(e.0)).ok();
    let figures = figures.map_err(|e| errors.extend(e.0)).ok();
    let theme = theme.map_err(|e| errors.extend(e.0)).ok();
    let (Some(content), Some(figures), Some(theme)) = (content, figures, theme) else {
        return Err(errors);
    };
    lap("load", &mut timings);
    let highlighter = Highlighter::default();
    let rendered = render_markdown(config, &content, &figures, &theme, &highlighter)?;
    lap("markdown", &mut timings);
    check_anchors(&content.pages, &rendered)?;
    let files = render_files(config, &content, &figures, &theme, &rendered)?;
    lap("templates", &mut timings);
    Ok(Built { files, n_pages: content.pages.len(), timings })
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

fn render_markdown(
    config: &Config,
    content: &Content,
    figures: &Figures,
    theme: &Theme,
    highlighter: &Highlighter,
) -> Result<Vec<Rendered>, Errors> {
    let routes: BTreeMap<PathBuf, String> = content.pages.iter().map(|p| (p.path.clone(), p.route.clone())).collect();
    let assets: BTreeSet<PathBuf> = content
        .assets
        .iter()
        .map(|a| Path::new("content").join(&a.target))
        .collect();
    let ctx = markdown::Context { config, routes: &routes, assets: &assets, figures, templates: theme, highlighter };
    let results: Vec<Result<Rendered, Errors>> = content
        .pages
        .par_iter()
        .map(|page| {
            markdown::render(
                &ctx,
                &markdown::PageSource { path: &page.path, text: &page.text, dir: &page.dir, body_offset: page.body_offset },
            )
        })
        .collect();
    let mut errors = Errors::default();
    let mut rendered = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(r) => rendered.push(r),
            Err(e) => errors.extend(e.0),
        }
    }
    errors.into_result(rendered)
}

/// Every `#anchor` a page links to must be a heading or note id on its target page.
fn check_anchors(pages: &[Page], rendered: &[Rendered]) -> Result<(), Errors> {
    let anchors: BTreeMap<&Path, &BTreeSet<String>> =
        pages.iter().zip(rendered).map(|(p, r)| (p.path.as_path(), &r.anchors)).collect();
    let mut errors = Errors::default();
    for (page, rendered) in pages.iter().zip(rendered) {
        for link in &rendered.anchor_links {
            let found = anchors.get(link.target.as_path()).is_some_and(|a| a.contains(&link.anchor));
            // Same-page links may point at ids the theme adds (sources, main content).
            let theme_id = link.target == page.path && is_theme_anchor(&link.anchor);
            if !found && !theme_id {
                errors.push(link.error.clone());
            }
        }
    }
    errors.into_result(())
}

/// Ids that every page gets from the theme rather than from Markdown.
fn is_theme_anchor(anchor: &str) -> bool {
    anchor.starts_with("source-") || anchor == "main-content" || anchor == "sources"
}

fn url_of(config: &Config, route: &str) -> String {
    format!("{}/{route}", config.base_path)
}

fn iso(date: Option<jiff::civil::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

fn summary(config: &Config, page: &Page) -> Summary {
    Summary {
        title: page.front_matter.title.clone(),
        url: url_of(config, &page.route),
        description: page.front_matter.description.clone().unwrap_or_default(),
        date: iso(page.front_matter.date),
        weight: page.front_matter.weight,
    }
}

/// The route of the section that lists `page` (`""` for home), or `None` for home itself.
fn parent_route(page: &Page) -> Option<String> {
    if page.kind == PageKind::Home {
        return None;
    }
    let trimmed = page.route.trim_end_matches('/');
    Some(trimmed.rfind('/').map_or(String::new(), |i| format!("{}/", &trimmed[..i])))
}

fn render_files(
    config: &Config,
    content: &Content,
    figures: &Figures,
    theme: &Theme,
    rendered: &[Rendered],
) -> Result<Vec<OutputFile>, Errors> {
    let pages = &content.pages;
    let by_route: BTreeMap<&str, &Page> = pages.iter().map(|p| (p.route.as_str(), p)).collect();
    let mut children: BTreeMap<String, Vec<&Page>> = BTreeMap::new();
    for page in pages {
        if let Some(parent) = parent_route(page) {
            children.entry(parent).or_default().push(page);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| content::listing_order(a, b));
    }
    let home = by_route.get("");
    let top: Vec<&Page> = home.into_iter().copied().chain(children.get("").into_iter().flatten().copied()).collect();
    let tags = collect_tags(pages);
    let site = |current: &str| SiteContext {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        base_url: &config.base_url,
        base_path: &config.base_path,
        extra: &config.extra,
        nav: top
            .iter()
            .map(|p| NavItem {
                title: p.front_matter.title.clone(),
                url: url_of(config, &p.route),
                is_current: p.route == current
                    || (!p.route.is_empty() && current.starts_with(p.route.as_str())),
            })
            .collect(),
    };
    let results: Vec<Result<OutputFile, Error>> = pages
        .par_iter()
        .zip(rendered)
        .map(|(page, rendered)| {
            let front = &page.front_matter;
            let mut source_ids: Vec<&String> = front.sources.iter().collect();
            for cited in &rendered.cited_sources {
                if !source_ids.contains(&cited) {
                    source_ids.push(cited);
                }
            }
            let mut sources = Vec::new();
            for id in source_ids {
                match figures.source(id) {
                    Some(source) => sources.push(source),
                    None => {
                        return Err(Error::at(
                            &page.path,
                            &page.text,
                            crate::error::Location { line: 1, column: 1 },
                            format!("`sources` names `{id}`, which is not in the sources registry; add it to `content/_data/` or fix the id"),
                        ));
                    }
                }
            }
            sources.sort_by_key(|s| figures.sources.iter().position(|r| r.id == s.id));
            let listed: Vec<Summary> = children.get(&page.route).into_iter().flatten().map(|p| summary(config, p)).collect();
            let context = PageContext {
                kind: match page.kind {
                    PageKind::Home => "home",
                    PageKind::Section => "section",
                    PageKind::Page => "page",
                },
                title: &front.title,
                description: front.description.as_deref().unwrap_or(""),
                url: url_of(config, &page.route),
                permalink: format!("{}/{}", config.base_url, page.route),
                date: iso(front.date),
                updated: iso(front.updated.or(front.date)),
                review_date: iso(front.review_date),
                content: &rendered.html,
                toc: &rendered.toc,
                show_toc: front.toc.unwrap_or(rendered.toc.len() >= 3),
                sources,
                extra: front.extra.as_ref().map(crate::yaml::to_json).unwrap_or(serde_json::json!({})),
                tags: front.tags.iter().map(|t| tag_link(config, t)).collect(),
                pages: listed,
                ancestors: ancestors(config, page, &by_route),
                has_code: rendered.has_code,
                word_count: rendered.word_count,
            };
            let template = match (&front.template, page.kind) {
                (Some(name), _) => name.clone(),
                (None, PageKind::Home) => "index.html".to_string(),
                (None, PageKind::Section) => "section.html".to_string(),
                (None, PageKind::Page) => "page.html".to_string(),
            };
            if front.template.is_some() && !theme.has_template(&template) {
                let offset = page.text.find("template:").unwrap_or(0);
                return Err(Error::at_offset(
                    &page.path,
                    &page.text,
                    offset,
                    format!("the theme has no template `{template}`; add `{}` or fix the name", theme.path_of(&template).display()),
                ));
            }
            let html = render::render_page(theme, &template, &site(&page.route), &context)?;
            Ok(OutputFile::text(format!("{}index.html", page.route), html))
        })
        .collect();
    let mut errors = Errors::default();
    let mut files = Vec::new();
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(err) => errors.push(err),
        }
    }
    let empty_toc = Vec::new();
    let special = |kind: &'static str, title: &'static str, url: String, listed: Vec<Summary>| PageContext {
        kind,
        title,
        description: "",
        permalink: format!("{}{}", config.base_url, url.strip_prefix(&config.base_path).unwrap_or(&url)),
        url,
        date: None,
        updated: None,
        review_date: None,
        content: "",
        toc: &empty_toc,
        show_toc: false,
        sources: Vec::new(),
        extra: serde_json::json!({}),
        tags: Vec::new(),
        pages: listed,
        ancestors: Vec::new(),
        has_code: false,
        word_count: 0,
    };
    let not_found = special("404", "Page not found", url_of(config, "404.html"), Vec::new());
    match render::render_page(theme, "404.html", &site("404.html"), &not_found) {
        Ok(html) => files.push(OutputFile::text("404.html", html)),
        Err(err) => errors.push(err),
    }
    for (tag, tagged) in &tags {
        let listed = tagged.iter().map(|p| summary(config, p)).collect();
        let link = tag_link(config, tag);
        let mut context = special("tag", "", link.url.clone(), listed);
        context.title = tag;
        match render::render_page(theme, "tag.html", &site(""), &context) {
            Ok(html) => files.push(OutputFile::text(format!("tags/{}/index.html", markdown::slugify(tag)), html)),
            Err(err) => errors.push(err),
        }
    }
    if !tags.is_empty() {
        let listed = tags.keys().map(|t| {
            let link = tag_link(config, t);
            Summary { title: link.title, url: link.url, description: String::new(), date: None, weight: None }
        });
        let context = special("tags", "Tags", url_of(config, "tags/"), listed.collect());
        match render::render_page(theme, "tags.html", &site(""), &context) {
            Ok(html) => files.push(OutputFile::text("tags/index.html", html)),
            Err(err) => errors.push(err),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.extend(site_files(config, pages, rendered));
    files.extend(static_files(config, content)?);
    check_unique_paths(&files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn tag_link(config: &Config, tag: &str) -> Link {
    Link { title: tag.to_string(), url: url_of(config, &format!("tags/{}/", markdown::slugify(tag))) }
}

fn collect_tags(pages: &[Page]) -> BTreeMap<String, Vec<&Page>> {
    let mut tags: BTreeMap<String, Vec<&Page>> = BTreeMap::new();
    for page in pages {
        for tag in &page.front_matter.tags {
            tags.entry(tag.clone()).or_default().push(page);
        }
    }
    for list in tags.values_mut() {
        list.sort_by(|a, b| content::listing_order(a, b));
    }
    tags
}

fn ancestors(config: &Config, page: &Page, by_route: &BTreeMap<&str, &Page>) -> Vec<Link> {
    let mut links = Vec::new();
    let mut route = parent_route(page);
    while let Some(current) = route {
        if let Some(parent) = by_route.get(current.as_str()) {
            links.push(Link { title: parent.front_matter.title.clone(), url: url_of(config, &parent.route) });
            route = parent_route(parent);
        } else {
            let trimmed = current.trim_end_matches('/');
            route = if current.is_empty() {
                None
            } else {
                Some(trimmed.rfind('/').map_or(String::new(), |i| format!("{}/", &trimmed[..i])))
            };
        }
    }
    links.reverse();
    links
}

/// sitemap.xml, robots.txt, atom.xml and the highlight stylesheet when a page has code.
fn site_files(config: &Config, pages: &[Page], rendered: &[Rendered]) -> Vec<OutputFile> {
    let urls: Vec<(String, Option<String>)> = pages
        .iter()
        .map(|p| (format!("{}/{}", config.base_url, p.route), iso(p.front_matter.updated.or(p.front_matter.date))))
        .collect();
    let mut dated: Vec<&Page> = pages.iter().filter(|p| p.front_matter.updated.or(p.front_matter.date).is_some()).collect();
    dated.sort_by(|a, b| {
        let date = |p: &Page| p.front_matter.updated.or(p.front_matter.date);
        date(b).cmp(&date(a)).then_with(|| a.route.cmp(&b.route))
    });
    let entries: Vec<FeedEntry> = dated
        .iter()
        .map(|p| FeedEntry {
            title: p.front_matter.title.clone(),
            url: format!("{}/{}", config.base_url, p.route),
            updated: iso(p.front_matter.updated.or(p.front_matter.date)).unwrap_or_default(),
            summary: p.front_matter.description.clone().unwrap_or_default(),
        })
        .collect();
    let mut files = vec![
        OutputFile::text("sitemap.xml", render::sitemap(&urls)),
        OutputFile::text("robots.txt", render::robots(config)),
        OutputFile::text("atom.xml", render::atom(config, &entries)),
    ];
    if rendered.iter().any(|r| r.has_code) {
        let css = Highlighter::css(&config.highlight_theme).unwrap_or_default();
        files.push(OutputFile::text("highlight.css", css));
    }
    files
}

/// The theme's `static/` files and the non-Markdown files of `content/`.
fn static_files(config: &Config, content: &Content) -> Result<Vec<OutputFile>, Errors> {
    let mut files = Vec::new();
    let static_dir = config.theme_dir.join("static");
    if static_dir.is_dir() {
        for entry in walkdir::WalkDir::new(&static_dir).sort_by_file_name() {
            let entry = entry.map_err(|err| Error::msg(format!("cannot read the theme's static files: {err}")))?;
            if entry.file_type().is_file() {
                let path = entry.path().strip_prefix(&static_dir).unwrap_or(entry.path()).to_path_buf();
                files.push(OutputFile { path, contents: Contents::Copy(entry.path().to_path_buf()) });
            }
        }
    }
    for asset in &content.assets {
        files.push(OutputFile { path: asset.target.clone(), contents: Contents::Copy(asset.source.clone()) });
    }
    Ok(files)
}

fn check_unique_paths(files: &[OutputFile]) -> Result<(), Errors> {
    let mut seen = BTreeSet::new();
    let mut errors = Errors::default();
    for file in files {
        if !seen.insert(&file.path) {
            errors.push(Error::msg(format!(
                "two things would be written to `{}`; rename the page, asset or static file",
                file.path.display()
            )));
        }
    }
    errors.into_result(())
}
