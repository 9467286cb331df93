//! The template model: what every page knows about the others (routes, listings, navigation,
//! tags, breadcrumbs), and the typed contexts page, section, tag and 404 templates get. Pure:
//! turns loaded pages and their rendered Markdown into HTML through the theme.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::content::{self, Content, Page, PageKind};
use crate::error::{Error, Errors};
use crate::figures::{Figures, Source};
use crate::links::Urls;
use crate::markdown::{self, Highlighter, Rendered};
use crate::notice::Notice;
use crate::output::{OutputFile, OutputPath};
use crate::render::{self, Link, NavItem, PageContext, SiteContext, Summary, TagLink, Theme};
use crate::typography::smart;

use super::cache::Loaded;
use super::outputs::redirects_file;
use super::{DiskFiles, Sink, listing, page_output_path, redirects};

/// The shape of the site, as places in `Content::pages`: the page at each route, what each
/// section lists (in listing order), each tag's pages, and `site` for templates. It depends only
/// on the config and the pages' paths, routes and front matter (`key`), so a build in which only
/// bodies changed takes it from the cache instead of sorting every listing again.
pub(crate) struct Shape {
    key: u64,
    by_route: BTreeMap<String, usize>,
    children: BTreeMap<String, Vec<usize>>,
    /// By `tag_key`: the tag's first spelling and its pages.
    tags: BTreeMap<String, (String, Vec<usize>)>,
    /// `site` for templates, converted once: it is the same for every page.
    site_value: render::SiteValue,
}

impl Shape {
    fn new(config: &Config, pages: &[Page], key: u64) -> Shape {
        let by_route: BTreeMap<String, usize> = pages.iter().enumerate().map(|(i, p)| (p.route.clone(), i)).collect();
        let mut listed: BTreeMap<String, Vec<(usize, &Page)>> = BTreeMap::new();
        for (index, page) in pages.iter().enumerate() {
            if let Some(parent) = parent_route(page) {
                listed.entry(parent).or_default().push((index, page));
            }
        }
        let children: BTreeMap<String, Vec<usize>> = listed
            .into_iter()
            .map(|(route, mut list)| {
                let section = by_route.get(&route).map(|&i| &pages[i].front_matter);
                content::sort_listing(
                    &mut list,
                    |(_, page)| page,
                    section.and_then(|f| f.sort_by),
                    section.is_some_and(|f| f.reverse),
                );
                (route, list.into_iter().map(|(index, _)| index).collect())
            })
            .collect();
        // Home, then the top-level sections and pages, in listing order.
        let top = by_route.get("").into_iter().chain(children.get("").into_iter().flatten()).map(|&i| &pages[i]);
        let (title, description) = (smart(&config.title), smart(&config.description));
        let site = SiteContext {
            title: &title,
            description: &description,
            language: &config.language,
            base_url: &config.base_url,
            base_path: &config.base_path,
            extra: &config.extra,
            nav: top.map(|p| NavItem { title: smart(&p.front_matter.title), url: url_of(config, &p.route) }).collect(),
        };
        Shape { key, by_route, children, tags: collect_tags(pages), site_value: render::SiteValue::new(&site) }
    }
}

/// What every page needs to know about the others: routes, listings, navigation, tags.
pub(super) struct SiteModel<'a> {
    pages: &'a [Page],
    shape: Arc<Shape>,
    /// The summary HTML of each page with a `<!-- more -->` marker, by path.
    pub(crate) summaries: HashMap<PathBuf, String>,
    /// Where each page with `redirect_to` leads, by path.
    pub(crate) redirect_targets: HashMap<PathBuf, (redirects::Target, Option<markdown::AnchorLink>)>,
}

/// A tag as the site shows it: its first spelling and its pages, in listing order.
pub(super) struct Tag<'m, 'a> {
    pub(crate) name: &'m str,
    indices: &'m [usize],
    pages: &'a [Page],
}

impl<'m, 'a> Tag<'m, 'a> {
    pub(crate) fn pages(&self) -> impl Iterator<Item = &'a Page> + '_ {
        self.indices.iter().map(|&i| &self.pages[i])
    }

    /// The first page with the tag, to point an error at.
    pub(crate) fn first(&self) -> &'a Page {
        &self.pages[self.indices[0]]
    }
}

/// What the Markdown of every page is rendered with.
pub(super) fn markdown_context<'a>(
    config: &'a Config,
    loaded: &'a Loaded,
    urls: &'a Urls,
    highlighter: &'a Highlighter,
    files: &'a DiskFiles,
    known_code: &'a dyn markdown::KnownCode,
) -> markdown::Context<'a> {
    markdown::Context {
        config,
        urls,
        figures: &loaded.figures.value,
        templates: &*loaded.theme.value,
        highlighter,
        files,
        known_code: Some(known_code),
    }
}

/// The URL of the top-level route `route` falls under, which the navigation marks as current.
pub(super) fn nav_url(config: &Config, route: &str) -> String {
    match route.split_once('/') {
        Some((top, _)) => url_of(config, &format!("{top}/")),
        None => url_of(config, route),
    }
}

impl<'a> SiteModel<'a> {
    /// The model of `content`, with `shape` when it is of the same structure (`key`); the shape
    /// is made again otherwise.
    pub(crate) fn new(config: &Config, content: &'a Content, shape: Option<Arc<Shape>>, key: u64) -> SiteModel<'a> {
        let shape = shape.filter(|s| s.key == key).unwrap_or_else(|| Arc::new(Shape::new(config, &content.pages, key)));
        SiteModel { pages: &content.pages, shape, summaries: HashMap::new(), redirect_targets: HashMap::new() }
    }

    /// The shape, for the cache to keep.
    pub(crate) fn shape(&self) -> Arc<Shape> {
        Arc::clone(&self.shape)
    }

    /// The page at `route`.
    pub(crate) fn page_at(&self, route: &str) -> Option<&'a Page> {
        self.shape.by_route.get(route).map(|&i| &self.pages[i])
    }

    /// Every route of the site, in order.
    pub(crate) fn routes(&self) -> impl Iterator<Item = &str> {
        self.shape.by_route.keys().map(String::as_str)
    }

    /// The pages the section at `route` lists, in listing order.
    pub(crate) fn children(&self, route: &str) -> impl Iterator<Item = &'a Page> + '_ {
        self.shape.children.get(route).into_iter().flatten().map(|&i| &self.pages[i])
    }

    /// How many pages the section at `route` lists.
    pub(crate) fn n_children(&self, route: &str) -> usize {
        self.shape.children.get(route).map_or(0, Vec::len)
    }

    /// Every tag, in order of `tag_key`.
    pub(crate) fn tags(&self) -> impl Iterator<Item = Tag<'_, 'a>> {
        self.shape.tags.values().map(|(name, indices)| Tag { name, indices, pages: self.pages })
    }

    /// The tag whose `tag_key` is `key`.
    pub(crate) fn tag(&self, key: &str) -> Option<Tag<'_, 'a>> {
        self.shape.tags.get(key).map(|(name, indices)| Tag { name, indices, pages: self.pages })
    }

    pub(crate) fn has_tags(&self) -> bool {
        !self.shape.tags.is_empty()
    }

    /// `site` for templates.
    pub(crate) fn site_value(&self) -> &render::SiteValue {
        &self.shape.site_value
    }
}

pub(super) fn url_of(config: &Config, route: &str) -> String {
    format!("{}/{route}", config.base_path)
}

pub(super) fn iso(date: Option<jiff::civil::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub(super) fn summary(config: &Config, model: &SiteModel, page: &Page) -> Summary {
    let description = smart(page.front_matter.description.as_deref().unwrap_or_default());
    let summary = match model.summaries.get(&page.path) {
        Some(html) => html.clone(),
        None => listing::description_html(&description),
    };
    Summary {
        title: smart(&page.front_matter.title),
        url: url_of(config, &page.route),
        description,
        date: iso(page.front_matter.date),
        weight: page.front_matter.weight,
        summary,
    }
}

/// The route of the section that lists `page` (`""` for home), or `None` for home itself.
pub(super) fn parent_route(page: &Page) -> Option<String> {
    if page.kind == PageKind::Home {
        return None;
    }
    Some(parent_of_route(&page.route))
}

pub(super) fn parent_of_route(route: &str) -> String {
    let trimmed = route.trim_end_matches('/');
    trimmed.rfind('/').map_or(String::new(), |i| format!("{}/", &trimmed[..i]))
}

/// The sources a page shows: those its front matter names, then those its figures cite.
pub(super) fn page_sources<'f>(figures: &'f Figures, page: &Page, cited: &[String]) -> Result<Vec<&'f Source>, Error> {
    let mut ids: Vec<&String> = page.front_matter.sources.iter().collect();
    ids.extend(cited.iter().filter(|c| !page.front_matter.sources.contains(c)));
    let mut sources = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(source) = figures.source(id) else {
            let key = match page.front_matter.sources.iter().position(|s| s == id) {
                Some(index) => format!("sources/{index}"),
                None => "sources".to_string(),
            };
            return Err(page.error_at_key(
                &key,
                format!(
                    "`sources` names `{id}`, which is not in the sources registry; add it to `content/_data/` or fix the id"
                ),
            ));
        };
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    sources.sort_by_key(|s| figures.sources.iter().position(|r| r.id == s.id));
    Ok(sources)
}

/// The files of one page: its HTML, a redirect page for a page with `redirect_to`, or one HTML
/// file per page of a paginated section's listing (the first at the section's own URL).
pub(super) fn render_page(
    config: &Config,
    figures: &Figures,
    theme: &Theme,
    model: &SiteModel,
    page: &Page,
    rendered: &Rendered,
) -> Result<Vec<OutputFile>, Error> {
    let front = &page.front_matter;
    if let Some((target, _)) = model.redirect_targets.get(&page.path) {
        let html = redirect_html(config, theme, model, target)?;
        return Ok(vec![OutputFile::text(page_output_path(page)?, html)]);
    }
    let listed: Vec<Summary> = model.children(&page.route).map(|p| summary(config, model, p)).collect();
    let (previous, next) = listing::neighbours(config, model, page);
    // Front-matter text gets the body's typography wherever templates show it.
    let (title, description) = (smart(&front.title), smart(front.description.as_deref().unwrap_or("")));
    let context = PageContext {
        kind: match page.kind {
            PageKind::Home => "home",
            PageKind::Section => "section",
            PageKind::Page => "page",
        },
        title: &title,
        description: &description,
        url: url_of(config, &page.route),
        permalink: format!("{}/{}", config.base_url, page.route),
        date: iso(front.date),
        updated: iso(front.updated.or(front.date)),
        review_date: iso(front.review_date),
        content: &rendered.html,
        toc: &rendered.toc,
        show_toc: front.toc.unwrap_or(rendered.toc.len() >= 3),
        sources: page_sources(figures, page, &rendered.cited_sources)?,
        extra: front.extra.as_ref().map(crate::yaml::to_json).unwrap_or(serde_json::json!({})),
        tags: page_tags(config, model, page),
        pages: listed,
        paginator: None,
        previous,
        next,
        ancestors: ancestors(config, page, model),
        has_code: rendered.has_code,
        word_count: rendered.word_count,
        nav_url: nav_url(config, &page.route),
        notice: Notice::resolve(config.notice.as_ref(), front.notice.as_ref()).map(smart),
    };
    let template = match (&front.template, page.kind) {
        (Some(name), _) => name.as_str(),
        (None, PageKind::Home) => "index.html",
        (None, PageKind::Section) => "section.html",
        (None, PageKind::Page) => "page.html",
    };
    if front.template.is_some() && !theme.has_template(template) {
        return Err(page.error_at_key(
            "template",
            format!(
                "the theme has no template `{template}`; add `{}` or fix the name",
                theme.path_of(template).display()
            ),
        ));
    }
    let pagers = listing::pagers(page, context.pages.len());
    if pagers.is_empty() {
        let html = render::render_page(theme, template, model.site_value(), &context)?;
        return Ok(vec![OutputFile::text(page_output_path(page)?, html)]);
    }
    let per_page = front.paginate_by.unwrap_or(1);
    let mut files = Vec::with_capacity(pagers.len());
    for (index, pager) in pagers.iter().enumerate() {
        let mut context = context.clone();
        context.url = url_of(config, &pager.route);
        context.permalink = format!("{}/{}", config.base_url, pager.route);
        context.paginator = Some(listing::paginator(config, &pagers, index, per_page, &context.pages));
        let html = render::render_page(theme, template, model.site_value(), &context)?;
        files.push(OutputFile::text(pager.output.clone(), html));
    }
    Ok(files)
}

pub(super) fn redirect_html(
    config: &Config,
    theme: &Theme,
    model: &SiteModel,
    target: &redirects::Target,
) -> Result<String, Error> {
    let redirect = render::RedirectContext { url: &target.url, permalink: &target.permalink, title: &target.title };
    render::redirect_page(config, theme, model.site_value(), &redirect)
}

/// A page the theme renders with no Markdown behind it: 404, a tag, the list of tags.
pub(super) fn special_page<'a>(
    config: &Config,
    kind: &'static str,
    title: &'a str,
    route: &str,
    pages: Vec<Summary>,
) -> PageContext<'a> {
    PageContext {
        kind,
        title,
        description: "",
        url: url_of(config, route),
        permalink: format!("{}/{route}", config.base_url),
        date: None,
        updated: None,
        review_date: None,
        content: "",
        toc: &[],
        show_toc: false,
        sources: Vec::new(),
        extra: serde_json::json!({}),
        tags: Vec::new(),
        pages,
        paginator: None,
        previous: None,
        next: None,
        ancestors: Vec::new(),
        has_code: false,
        word_count: 0,
        nav_url: nav_url(config, route),
        notice: Notice::resolve(config.notice.as_ref(), None).map(smart),
    }
}

/// 404.html, a page per tag, the list of tags, the redirect pages of aliases and `_redirects`.
pub(super) fn render_site_pages(
    config: &Config,
    theme: &Theme,
    model: &SiteModel,
    pages: &[Page],
    sink: &dyn Sink,
) -> Result<(), Errors> {
    let mut errors = Errors::default();
    let mut put = |path: String, html: Result<String, Error>| {
        let file = OutputPath::new(&path).map_err(Error::msg).and_then(|path| Ok(OutputFile::text(path, html?)));
        if let Err(err) = file.and_then(|file| sink.put(file).map(drop)) {
            errors.push(err);
        }
    };
    let not_found = special_page(config, "404", "Page not found", "404.html", Vec::new());
    put("404.html".to_string(), render::render_page(theme, "404.html", model.site_value(), &not_found));
    for tag in model.tags() {
        let route = format!("tags/{}/", markdown::slugify(tag.name));
        let listed = tag.pages().map(|p| summary(config, model, p)).collect();
        let context = special_page(config, "tag", tag.name, &route, listed);
        put(format!("{route}index.html"), render::render_page(theme, "tag.html", model.site_value(), &context));
    }
    if model.has_tags() {
        let listed = model
            .tags()
            .map(|t| {
                let link = tag_link(config, t.name);
                Summary {
                    title: link.title,
                    url: link.url,
                    description: String::new(),
                    date: None,
                    weight: None,
                    summary: String::new(),
                }
            })
            .collect();
        let context = special_page(config, "tags", "Tags", "tags/", listed);
        put("tags/index.html".to_string(), render::render_page(theme, "tags.html", model.site_value(), &context));
    }
    let aliases = redirects::aliases(config, model, pages);
    for redirect in &aliases {
        let html = redirect_html(config, theme, model, &redirect.target);
        put(redirect.from.as_str().to_string(), html);
    }
    if let Some(file) = redirects_file(config, model, pages, &aliases)
        && let Err(err) = sink.put(file)
    {
        errors.push(err);
    }
    errors.into_result(())
}

/// A page's tags, each spelt as the site first wrote it and listed once.
pub(super) fn page_tags(config: &Config, model: &SiteModel, page: &Page) -> Vec<TagLink> {
    let mut keys: Vec<String> = Vec::new();
    for name in &page.front_matter.tags {
        let key = tag_key(name);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.iter()
        .filter_map(|key| model.tag(key))
        .map(|tag| {
            let link = tag_link(config, tag.name);
            TagLink { name: link.title, url: link.url }
        })
        .collect()
}

pub(super) fn tag_link(config: &Config, tag: &str) -> Link {
    Link { title: tag.to_string(), url: url_of(config, &format!("tags/{}/", markdown::slugify(tag))) }
}

/// Every tag with its pages (places in `pages`), keyed by the tag in lower case, so that "Blog"
/// and "blog" are one tag; each keeps the spelling it was first written with (in page order).
fn collect_tags(pages: &[Page]) -> BTreeMap<String, (String, Vec<usize>)> {
    // The tagged pages in listing order once (a stable sort, so ties keep the order of their
    // routes): every tag's pages then come out in that order with no sort of their own.
    let mut ordered: Vec<(usize, &Page)> =
        pages.iter().enumerate().filter(|(_, p)| !p.front_matter.tags.is_empty()).collect();
    ordered.sort_by(|(_, a), (_, b)| content::listing_order(a, b));
    let mut tags: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (index, page) in ordered {
        for name in &page.front_matter.tags {
            let (_, listed) = tags.entry(tag_key(name)).or_insert_with(|| (name.clone(), Vec::new()));
            // A page that writes one tag twice, in two cases, is listed once: if it is there,
            // it was the last one added.
            if listed.last() != Some(&index) {
                listed.push(index);
            }
        }
    }
    tags
}

/// What makes two tags one: their text without case.
pub(super) fn tag_key(name: &str) -> String {
    name.to_lowercase()
}

pub(super) fn ancestors(config: &Config, page: &Page, model: &SiteModel) -> Vec<Link> {
    let mut links = Vec::new();
    let mut route = parent_route(page);
    while let Some(current) = route {
        if let Some(parent) = model.page_at(&current) {
            links.push(Link { title: smart(&parent.front_matter.title), url: url_of(config, &parent.route) });
        }
        route = if current.is_empty() { None } else { Some(parent_of_route(&current)) };
    }
    links.reverse();
    links
}
