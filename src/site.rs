//! The build recipe: one call per stage, from `Config` to the list of output files.
//!
//! `render` is the whole build in memory and writes nothing; `build` writes its result. Every
//! error of every stage is collected and returned together.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content, Page, PageKind};
use crate::error::{Error, Errors};
use crate::figures::{Figures, Source};
use crate::links::{self, Urls};
use crate::markdown::{self, Highlighter, Rendered};
use crate::notice::Notice;
use crate::output::{self, Contents, OutputFile, OutputPath};
use crate::render::{self, FeedEntry, Link, NavItem, PageContext, SiteContext, Summary, TagLink, Theme};
use crate::typography::smart;

mod cache;
mod files;
mod listing;
mod redirects;

pub use files::DiskFiles;

pub use cache::{Cache, Product, Reuse, Scope};
use cache::{Keyed, Loaded, PageHash};

/// The built site, in memory.
pub struct Built {
    pub files: Vec<OutputFile>,
    pub n_pages: usize,
    pub timings: Timings,
    /// The URLs the site serves and the links of its templates, for `picket check`.
    pub links: links::SiteLinks,
}

/// What a build reports when it writes to disk.
pub struct Report {
    pub n_pages: usize,
    pub n_files: usize,
    /// Files written anew, and their bytes; the others were the same as in the last build and
    /// were kept as they were.
    pub n_written: usize,
    pub bytes_written: u64,
    /// What came from the build cache.
    pub reuse: Reuse,
    /// Why the build cache could not be read or written, if it could not; the build is good.
    pub cache_problem: Option<Error>,
    pub timings: Timings,
}

/// Time spent per phase. `load`, `model`, `pages`, `checks`, `site files` and `total` are wall
/// time, one after the other; `markdown`, `highlight`, `templates` and `write` add up the time
/// every thread spent in them inside `pages`, so on several cores they can exceed it.
#[derive(Debug, Default)]
pub struct Timings {
    pub load: Duration,
    /// The site model, output paths and cache keys.
    pub model: Duration,
    /// Every page, in parallel.
    pub pages: Duration,
    /// Links and anchors across pages.
    pub checks: Duration,
    /// 404, tags, sitemap, feed, stylesheet and static files.
    pub site_files: Duration,
    /// Reading and writing the build cache on disk (`build` only).
    pub cache: Duration,
    /// Swapping the new output in and removing the old (`build` only).
    pub swap: Duration,
    pub total: Duration,
    markdown_ns: AtomicU64,
    highlight_ns: AtomicU64,
    templates_ns: AtomicU64,
    write_ns: AtomicU64,
}

impl Timings {
    fn add(counter: &AtomicU64, since: Instant) {
        counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    /// `(phase, duration)` in pipeline order.
    pub fn phases(&self) -> Vec<(&'static str, Duration)> {
        let get = |c: &AtomicU64| Duration::from_nanos(c.load(Ordering::Relaxed));
        vec![
            ("load", self.load),
            ("model", self.model),
            ("pages", self.pages),
            ("  markdown", get(&self.markdown_ns).saturating_sub(get(&self.highlight_ns))),
            ("  highlight", get(&self.highlight_ns)),
            ("  templates", get(&self.templates_ns)),
            ("  write", get(&self.write_ns)),
            ("checks", self.checks),
            ("site files", self.site_files),
            ("cache", self.cache),
            ("swap", self.swap),
            ("total", self.total),
        ]
    }
}

/// The phases of `timings` on one line, for `serve --timings`.
pub fn phases_line(timings: &Timings) -> String {
    let phases: Vec<String> = timings
        .phases()
        .iter()
        .map(|(phase, time)| format!("{} {:.1} ms", phase.trim(), time.as_secs_f64() * 1000.0))
        .collect();
    phases.join(", ")
}

/// Where output files go as they are made: memory, or the output's staging folder.
pub trait Sink: Sync {
    /// Takes a file this build made; returns where a later build can find it again, if it can.
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error>;
    /// Takes the file an earlier build made at `path` from where `product` says, if it is still
    /// there as that build left it; `false` when it is not, and the file must be made again.
    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error>;
    /// Whether `keep` would take `product` for `path` (looks, changes nothing).
    fn can_keep(&self, path: &OutputPath, product: &Product) -> bool;
}

/// Collects files in memory.
#[derive(Default)]
pub struct Memory(Mutex<Vec<OutputFile>>);

impl Memory {
    /// The files collected, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.into_unsorted_files();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// The files collected, in the order they came.
    pub fn into_unsorted_files(self) -> Vec<OutputFile> {
        self.0.into_inner().expect("no thread panics while holding the lock")
    }

    fn push(&self, file: OutputFile) {
        self.0.lock().expect("no thread panics while holding the lock").push(file);
    }
}

impl Sink for Memory {
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error> {
        // Bytes move behind an `Arc`, so that a cache can keep them without a copy.
        let (contents, product) = match file.contents {
            Contents::Bytes(bytes) => {
                let shared: Arc<[u8]> = Arc::from(bytes);
                (Contents::Shared(Arc::clone(&shared)), Some(Product::Bytes(shared)))
            }
            Contents::Shared(shared) => (Contents::Shared(Arc::clone(&shared)), Some(Product::Bytes(shared))),
            copy @ Contents::Copy(_) => (copy, None),
        };
        self.push(OutputFile { path: file.path, contents });
        Ok(product)
    }

    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error> {
        match product {
            Product::Bytes(bytes) => {
                self.push(OutputFile { path: path.clone(), contents: Contents::Shared(Arc::clone(bytes)) });
                Ok(true)
            }
            Product::File(_) => Ok(false),
        }
    }

    fn can_keep(&self, _: &OutputPath, product: &Product) -> bool {
        matches!(product, Product::Bytes(_))
    }
}

/// Builds the site and writes it to the output folder, replacing the old one only on success.
pub fn build(config: &Config) -> Result<Report, Errors> {
    let started = Instant::now();
    let staging = output::Staging::begin(&config.output_dir)?;
    // A cache folder that cannot be made is no reason to fail the build: it runs without one.
    let (mut cache, mut cache_problem) = match Cache::on_disk(&config.output_dir) {
        Ok(cache) => (cache, None),
        Err(err) => (Cache::empty(), Some(err)),
    };
    let cache_read = started.elapsed();
    let counting = Counting {
        staging: &staging,
        n_files: AtomicU64::new(0),
        n_written: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    };
    let mut outcome = run(config, &mut cache, &Scope::everything(), &counting)?;
    let n_files = counting.n_files.load(Ordering::Relaxed) as usize;
    let n_written = counting.n_written.load(Ordering::Relaxed) as usize;
    let bytes_written = counting.bytes.load(Ordering::Relaxed);
    let clock = Instant::now();
    staging.commit()?;
    outcome.timings.swap = clock.elapsed();
    let reuse = cache.reuse();
    let clock = Instant::now();
    if let Err(err) = cache.save(&config.output_dir) {
        cache_problem = Some(err);
    }
    outcome.timings.cache = cache_read + clock.elapsed();
    outcome.timings.total = started.elapsed();
    Ok(Report {
        n_pages: outcome.n_pages,
        n_files,
        n_written,
        bytes_written,
        reuse,
        cache_problem,
        timings: outcome.timings,
    })
}

/// Writes into the staging folder, counting the files and what was written anew.
struct Counting<'a> {
    staging: &'a output::Staging,
    n_files: AtomicU64,
    n_written: AtomicU64,
    bytes: AtomicU64,
}

impl Sink for Counting<'_> {
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error> {
        let written = self.staging.write(&file)?;
        self.n_files.fetch_add(1, Ordering::Relaxed);
        if let Some(bytes) = written.new_bytes {
            self.n_written.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
        }
        Ok(Some(Product::File(written.stamp)))
    }

    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error> {
        let Product::File(stamp) = product else { return Ok(false) };
        let kept = self.staging.keep(path, stamp)?;
        if kept {
            self.n_files.fetch_add(1, Ordering::Relaxed);
        }
        Ok(kept)
    }

    fn can_keep(&self, path: &OutputPath, product: &Product) -> bool {
        matches!(product, Product::File(stamp) if self.staging.still_has(path, stamp))
    }
}

/// Runs every stage in memory and returns the files a build would write, sorted by path.
pub fn render(config: &Config) -> Result<Built, Errors> {
    let memory = Memory::default();
    let outcome = run(config, &mut Cache::empty(), &Scope::everything(), &memory)?;
    Ok(Built { files: memory.into_files(), n_pages: outcome.n_pages, timings: outcome.timings, links: outcome.links })
}

/// What one run of the pipeline reports.
pub struct Outcome {
    pub n_pages: usize,
    pub timings: Timings,
    /// The URLs the site serves and the links of its templates, for `picket check`.
    pub links: links::SiteLinks,
}

/// The pipeline, the same for every command: load what `scope` says changed (the rest comes from
/// `cache`), then make every page (Markdown, template, out to `sink`) in parallel, taking from
/// `cache` each product whose inputs did not change, then the site-wide files. `cache` then holds
/// this build's inputs and products for the next one.
pub fn run(config: &Config, cache: &mut Cache, scope: &Scope, sink: &dyn Sink) -> Result<Outcome, Errors> {
    let started = Instant::now();
    let mut timings = Timings::default();
    cache.reuse = Reuse::default();
    let loaded = cache.load(config, scope)?;
    timings.load = started.elapsed();
    let made = make_site(config, cache, &loaded, sink, &mut timings);
    let n_pages = loaded.content.pages.len();
    cache.keep(loaded, true);
    let links = made?;
    timings.total = started.elapsed();
    Ok(Outcome { n_pages, timings, links })
}

/// The keys products are cached under: what Markdown reads from the rest of the site, and what
/// templates read from it besides.
struct Keys {
    markdown: u64,
    templates: u64,
}

impl Keys {
    fn new(config: &Config, loaded: &Loaded, model: &SiteModel, urls: &Urls) -> Keys {
        let markdown = cache::hash_of(&(cache::config_key(config), loaded.figures.key, loaded.shortcodes, urls));
        // Listings, navigation, breadcrumbs and tags show other pages' front matter.
        let structure: Vec<(&str, u64)> =
            loaded.content.pages.iter().map(|p| (p.route.as_str(), loaded.hashes[cache::key(&p.path)].front)).collect();
        // Listings and the feed show the summaries of other pages too.
        let mut summaries: Vec<(&PathBuf, &String)> = model.summaries.iter().collect();
        summaries.sort();
        Keys { markdown, templates: cache::hash_of(&(markdown, loaded.theme.key, structure, summaries)) }
    }

    fn markdown_of(&self, page: PageHash) -> u64 {
        cache::hash_of(&(self.markdown, page.text))
    }

    /// The key of a page's HTML: its Markdown's key and the bytes of the files it included,
    /// which can change while the page's own text does not.
    fn html_of(&self, markdown_key: u64, includes: &[markdown::Included]) -> u64 {
        cache::hash_of(&(self.templates, markdown_key, includes))
    }
}

/// Makes every output file of the site from `loaded`, reusing what `cache` holds, and stores
/// what it made in `cache`. Returns what `check` needs of the site's links.
fn make_site(
    config: &Config,
    cache: &mut Cache,
    loaded: &Loaded,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<links::SiteLinks, Errors> {
    let content = &loaded.content;
    let theme = &*loaded.theme.value;
    let clock = Instant::now();
    let mut model = SiteModel::new(config, content);
    let (outputs, urls) = check_output_paths(config, content, &model)?;
    model.redirect_targets = redirects::resolve_targets(config, &model, &content.pages, &outputs)?;
    let files = DiskFiles::new(config);
    let (summaries, summary_errors) = {
        let ctx = markdown_context(config, loaded, &urls, &cache.highlighter, &files);
        listing::render_summaries(&ctx, config, &content.pages)
    };
    model.summaries = summaries;
    let keys = Keys::new(config, loaded, &model, &urls);
    timings.model = clock.elapsed();
    let clock = Instant::now();
    let (done, mut errors) = render_pages(config, loaded, &model, &urls, &keys, cache, &files, sink, timings);
    errors.extend(summary_errors.0);
    timings.pages = clock.elapsed();
    let clock = Instant::now();
    // The anchors of the pages that rendered are checked even when others failed, so that every
    // error of the build is reported at once.
    let theme_ids = links::ThemeIds::new(config, theme.template_sources());
    if let Err(more) = check_anchors(&config.root, &content.pages, &done, &theme_ids) {
        errors.extend(more.0);
    }
    errors.into_result(())?;
    timings.checks = clock.elapsed();
    let clock = Instant::now();
    let has_code = done.iter().any(|d| d.rendered.has_code);
    let site_key = cache::hash_of(&(keys.templates, has_code));
    let site_files = make_site_files(config, loaded, &model, has_code, site_key, cache, sink)?;
    for file in static_files(config, content)? {
        sink.put(file)?;
    }
    timings.site_files = clock.elapsed();
    remember(cache, done, site_key, site_files);
    Ok(links::SiteLinks::new(config, urls, theme.templates_dir(), theme.template_sources()))
}

/// A page made (or taken from the cache) by this build.
struct PageDone<'a> {
    path: &'a Path,
    rendered: Arc<Rendered>,
    markdown: Keyed<()>,
    markdown_reused: bool,
    output: OutputPath,
    html: Option<Keyed<Product>>,
    html_reused: bool,
    /// Where this build stored the page's Markdown HTML in the disk cache, if it did.
    packed: Option<cache::disk::PackEntry>,
}

/// 404, tag pages, sitemap, robots.txt, the feed and the highlight stylesheet: taken whole from
/// the cache when nothing they show changed (`site_key`), else made again. Returns them.
fn make_site_files(
    config: &Config,
    loaded: &Loaded,
    model: &SiteModel,
    has_code: bool,
    site_key: u64,
    cache: &mut Cache,
    sink: &dyn Sink,
) -> Result<Vec<(OutputPath, Product)>, Errors> {
    if let Some((key, files)) = &cache.site_files
        && *key == site_key
        && sink_has_all(sink, files)
    {
        let files = files.clone();
        for (path, product) in &files {
            if !sink.keep(path, product)? {
                return Err(Error::msg(format!("`{path}` changed while the site was building; build again")).into());
            }
        }
        cache.reuse.files_reused += files.len();
        return Ok(files);
    }
    let recording = Recording { inner: sink, made: Mutex::new(Vec::new()) };
    render_site_pages(config, &loaded.theme.value, model, &loaded.content.pages, &recording)?;
    for file in site_files(config, model, &loaded.content.pages, has_code) {
        recording.put(file)?;
    }
    let made = recording.made.into_inner().expect("no thread panics while holding the lock");
    cache.reuse.files_made += made.len();
    Ok(made)
}

/// Whether `sink` can still take every one of `files` from where the last build left them.
fn sink_has_all(sink: &dyn Sink, files: &[(OutputPath, Product)]) -> bool {
    files.iter().all(|(path, product)| sink.can_keep(path, product))
}

/// Passes files on to a sink and notes what it made of each.
struct Recording<'a> {
    inner: &'a dyn Sink,
    made: Mutex<Vec<(OutputPath, Product)>>,
}

impl Sink for Recording<'_> {
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error> {
        let path = file.path.clone();
        let product = self.inner.put(file)?;
        if let Some(product) = &product {
            self.made.lock().expect("no thread panics while holding the lock").push((path, product.clone()));
        }
        Ok(product)
    }

    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error> {
        self.inner.keep(path, product)
    }

    fn can_keep(&self, path: &OutputPath, product: &Product) -> bool {
        self.inner.can_keep(path, product)
    }
}

/// Stores this build's products in `cache` and forgets those of pages and files that are gone.
fn remember(cache: &mut Cache, done: Vec<PageDone>, site_key: u64, site_files: Vec<(OutputPath, Product)>) {
    // (`site_files` were counted when they were made or kept.)
    let n_pages = done.len();
    for page in &done {
        if page.markdown_reused {
            cache.reuse.markdown_reused += 1;
        } else {
            cache.reuse.markdown_rendered += 1;
        }
        if page.html_reused {
            cache.reuse.files_reused += 1;
        } else {
            cache.reuse.files_made += 1;
        }
    }
    cache.site_files = Some((site_key, site_files));
    // Only what is new goes in: what was reused is there already, under the same key.
    let mut outputs: Vec<OutputPath> = Vec::new();
    for page in &done {
        let key = cache::key(page.path);
        if let Some(entry) = page.packed {
            cache.packed.insert(key.to_string(), entry);
        }
        if !page.markdown_reused {
            cache.markdown.insert(key.to_string(), Keyed { key: page.markdown.key, value: Arc::clone(&page.rendered) });
        }
        if let (false, Some(html)) = (page.html_reused, &page.html) {
            cache.products.insert(page.output.clone(), html.clone());
        }
        outputs.push(page.output.clone());
    }
    // Every page now has its entries, so more entries than pages means some are of pages gone.
    if cache.markdown.len() > n_pages || cache.products.len() > n_pages || cache.packed.len() > n_pages {
        let pages: HashSet<&str> = done.iter().map(|d| cache::key(d.path)).collect();
        cache.forget_all_but(&pages, &outputs.iter().collect());
        cache.packed.retain(|path, _| pages.contains(path.as_str()));
    }
}

/// What every page needs to know about the others: routes, listings, navigation, tags.
struct SiteModel<'a> {
    /// Each page's file -> its route (for `redirect_to`, which names a file).
    routes: BTreeMap<PathBuf, String>,
    by_route: BTreeMap<&'a str, &'a Page>,
    children: BTreeMap<String, Vec<&'a Page>>,
    /// By `tag_key`.
    tags: BTreeMap<String, Tag<'a>>,
    /// `site` for templates, converted once: it is the same for every page.
    site_value: render::SiteValue,
    /// The summary HTML of each page with a `<!-- more -->` marker, by path.
    summaries: HashMap<PathBuf, String>,
    /// Where each page with `redirect_to` leads, by path.
    redirect_targets: HashMap<PathBuf, (redirects::Target, Option<markdown::AnchorLink>)>,
}

/// What the Markdown of every page is rendered with.
fn markdown_context<'a>(
    config: &'a Config,
    loaded: &'a Loaded,
    urls: &'a Urls,
    highlighter: &'a Highlighter,
    files: &'a DiskFiles,
) -> markdown::Context<'a> {
    markdown::Context {
        config,
        urls,
        figures: &loaded.figures.value,
        templates: &*loaded.theme.value,
        highlighter,
        files,
    }
}

/// The URL of the top-level route `route` falls under, which the navigation marks as current.
fn nav_url(config: &Config, route: &str) -> String {
    match route.split_once('/') {
        Some((top, _)) => url_of(config, &format!("{top}/")),
        None => url_of(config, route),
    }
}

impl<'a> SiteModel<'a> {
    fn new(config: &Config, content: &'a Content) -> SiteModel<'a> {
        let pages = &content.pages;
        let by_route: BTreeMap<&str, &Page> = pages.iter().map(|p| (p.route.as_str(), p)).collect();
        let mut children: BTreeMap<String, Vec<&Page>> = BTreeMap::new();
        for page in pages {
            if let Some(parent) = parent_route(page) {
                children.entry(parent).or_default().push(page);
            }
        }
        for (route, list) in children.iter_mut() {
            let section = by_route.get(route.as_str()).map(|p| &p.front_matter);
            content::sort_listing(list, section.and_then(|f| f.sort_by), section.is_some_and(|f| f.reverse));
        }
        // Home, then the top-level sections and pages, in listing order.
        let top = by_route.get("").copied().into_iter().chain(children.get("").into_iter().flatten().copied());
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
        SiteModel {
            routes: pages.iter().map(|p| (p.path.clone(), p.route.clone())).collect(),
            by_route,
            children,
            tags: collect_tags(pages),
            site_value: render::SiteValue::new(&site),
            summaries: HashMap::new(),
            redirect_targets: HashMap::new(),
        }
    }
}

/// Makes every page: its Markdown (or the cache's, when its text and what Markdown reads from the
/// rest of the site are the same), then its HTML through the templates (or the sink's copy from
/// the last build, when nothing the templates read changed either). In parallel; returns the
/// pages made and the errors of those that could not be.
#[allow(clippy::too_many_arguments)]
fn render_pages<'a>(
    config: &Config,
    loaded: &'a Loaded,
    model: &SiteModel,
    urls: &Urls,
    keys: &Keys,
    cache: &Cache,
    files: &DiskFiles,
    sink: &dyn Sink,
    timings: &Timings,
) -> (Vec<PageDone<'a>>, Errors) {
    let (figures, theme) = (&*loaded.figures.value, &*loaded.theme.value);
    let ctx = markdown_context(config, loaded, urls, &cache.highlighter, files);
    let results: Vec<Result<PageDone, Errors>> = loaded
        .content
        .pages
        .par_iter()
        .map(|page| {
            let markdown_key = keys.markdown_of(loaded.hashes[cache::key(&page.path)]);
            let output = page_output_path(page)?;
            // Rendered Markdown is reused only while every file it included has the same bytes.
            let cached = cache
                .markdown
                .get(cache::key(&page.path))
                .filter(|m| m.key == markdown_key && includes_unchanged(files, &m.value));
            let html_key = keys.html_of(markdown_key, cached.map_or(&[][..], |m| m.value.includes.as_slice()));
            let previous = cache.products.get(&output).filter(|p| p.key == html_key);
            // A paginated section writes several files; only the first is kept between builds.
            let paginated = listing::is_paginated(page);
            if let (Some(markdown), Some(html), false) = (cached, previous, paginated)
                && sink.keep(&output, &html.value)?
            {
                return Ok(PageDone {
                    path: &page.path,
                    rendered: Arc::clone(&markdown.value),
                    markdown: Keyed { key: markdown_key, value: () },
                    markdown_reused: true,
                    output,
                    html: Some(html.clone()),
                    html_reused: true,
                    packed: None,
                });
            }
            let from_cache = cached.and_then(|markdown| cache.with_html(&page.path, &markdown.value));
            let markdown_reused = from_cache.is_some();
            let rendered = match from_cache {
                Some(rendered) => rendered,
                None => {
                    let clock = Instant::now();
                    let rendered = render_markdown(config, &ctx, model, page);
                    Timings::add(&timings.markdown_ns, clock);
                    let rendered = rendered?;
                    timings.highlight_ns.fetch_add(rendered.highlight_ns, Ordering::Relaxed);
                    Arc::new(rendered)
                }
            };
            let html_key = keys.html_of(markdown_key, &rendered.includes);
            let clock = Instant::now();
            let html = render_page(config, figures, theme, model, page, &rendered);
            Timings::add(&timings.templates_ns, clock);
            let clock = Instant::now();
            let mut product = None;
            for file in html? {
                let first = file.path == output;
                let made = sink.put(file)?;
                if first {
                    product = made;
                }
            }
            Timings::add(&timings.write_ns, clock);
            // What was read back from the disk cache stays where it is there.
            let (rendered, packed) = match (markdown_reused, cached) {
                (true, Some(cached)) if cache.disk.is_some() => (Arc::clone(&cached.value), None),
                _ => cache.keep_rendered(rendered)?,
            };
            Ok(PageDone {
                path: &page.path,
                rendered,
                markdown: Keyed { key: markdown_key, value: () },
                markdown_reused,
                output,
                html: product.map(|value| Keyed { key: html_key, value }),
                html_reused: false,
                packed,
            })
        })
        .collect();
    let mut errors = Errors::default();
    let mut done = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(page) => done.push(page),
            Err(e) => errors.extend(e.0),
        }
    }
    (done, errors)
}

/// Whether every file `rendered` included still has the bytes it had.
fn includes_unchanged(files: &dyn markdown::IncludeFiles, rendered: &Rendered) -> bool {
    rendered.includes.iter().all(|included| {
        files.read(&included.path).is_ok_and(|text| markdown::Included::of(&included.path, &text) == *included)
    })
}

/// The rendered Markdown of `page`. A page with `redirect_to` shows none: it renders as a
/// redirect page, and only the anchor its target names is checked.
fn render_markdown(
    config: &Config,
    ctx: &markdown::Context,
    model: &SiteModel,
    page: &Page,
) -> Result<Rendered, Errors> {
    if page.front_matter.redirect_to.is_some() {
        let anchor = model.redirect_targets.get(&page.path).and_then(|(_, anchor)| anchor.clone());
        return Ok(Rendered { anchor_links: anchor.into_iter().collect(), ..Rendered::default() });
    }
    let text = page.full_text(&config.root)?;
    let source = markdown::PageSource {
        path: &page.path,
        text: &text,
        dir: &page.dir,
        body_offset: page.body_offset,
        route: &page.route,
    };
    markdown::render(ctx, &source)
}

/// Where a page's HTML goes. Routes are checked when pages are parsed, so this fails only if a
/// page was made some other way; the error then names the page.
fn page_output_path(page: &Page) -> Result<OutputPath, Error> {
    OutputPath::index_of(&page.route).map_err(|problem| Error::in_file(&page.path, problem))
}

/// Every `#fragment` a page links to must name an id of its target page: one its Markdown made
/// (`Rendered::anchors`) or one the theme's templates give (`links::ThemeIds`). Links to pages
/// that did not render, or to files that are not pages (a tag page, a PDF), are left to
/// `picket check`, which reads every id of the built HTML.
fn check_anchors(root: &Path, pages: &[Page], done: &[PageDone], theme_ids: &links::ThemeIds) -> Result<(), Errors> {
    let by_path: HashMap<&Path, &Page> = pages.iter().map(|p| (p.path.as_path(), p)).collect();
    let rendered: HashMap<&str, (&Page, &Rendered)> = done
        .iter()
        .filter_map(|d| by_path.get(d.path).map(|page| (page.route.as_str(), (*page, &*d.rendered))))
        .collect();
    let mut errors = Errors::default();
    for (page, facts) in rendered.values() {
        for link in &facts.anchor_links {
            let Some((target, target_facts)) = rendered.get(link.url.as_str()) else { continue };
            let fragment = &link.fragment;
            if links::fragment_found(&target_facts.anchors, fragment)
                || theme_ids.has(fragment)
                || theme_ids.has(&links::decode(fragment))
            {
                continue;
            }
            let name =
                if target.path == page.path { "this page".to_string() } else { format!("`{}`", target.path.display()) };
            let mut message = links::missing_fragment(&link.written, &name, fragment, &target_facts.anchors);
            if let Some(context) = &link.context {
                message = format!("{context}: {message}");
            }
            // Only now is the body needed again, to show the line of the link.
            errors.push(match page.full_text(root) {
                Ok(text) => Error::at_offset(&page.path, &text, link.offset, message),
                Err(err) => err,
            });
        }
    }
    // Pages come out of the map in no order; errors are reported in the order of the pages.
    errors.0.sort_by(|a, b| {
        let at = |e: &Error| e.location.map(|l| (l.line, l.column));
        a.path.cmp(&b.path).then_with(|| at(a).cmp(&at(b)))
    });
    errors.into_result(())
}

fn url_of(config: &Config, route: &str) -> String {
    format!("{}/{route}", config.base_path)
}

fn iso(date: Option<jiff::civil::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

fn summary(config: &Config, model: &SiteModel, page: &Page) -> Summary {
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
fn parent_route(page: &Page) -> Option<String> {
    if page.kind == PageKind::Home {
        return None;
    }
    Some(parent_of_route(&page.route))
}

fn parent_of_route(route: &str) -> String {
    let trimmed = route.trim_end_matches('/');
    trimmed.rfind('/').map_or(String::new(), |i| format!("{}/", &trimmed[..i]))
}

/// The sources a page shows: those its front matter names, then those its figures cite.
fn page_sources<'f>(figures: &'f Figures, page: &Page, cited: &[String]) -> Result<Vec<&'f Source>, Error> {
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
fn render_page(
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
    let listed: Vec<Summary> =
        model.children.get(&page.route).into_iter().flatten().map(|p| summary(config, model, p)).collect();
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
        ancestors: ancestors(config, page, &model.by_route),
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
        let html = render::render_page(theme, template, &model.site_value, &context)?;
        return Ok(vec![OutputFile::text(page_output_path(page)?, html)]);
    }
    let per_page = front.paginate_by.unwrap_or(1);
    let mut files = Vec::with_capacity(pagers.len());
    for (index, pager) in pagers.iter().enumerate() {
        let mut context = context.clone();
        context.url = url_of(config, &pager.route);
        context.permalink = format!("{}/{}", config.base_url, pager.route);
        context.paginator = Some(listing::paginator(config, &pagers, index, per_page, &context.pages));
        let html = render::render_page(theme, template, &model.site_value, &context)?;
        files.push(OutputFile::text(pager.output.clone(), html));
    }
    Ok(files)
}

fn redirect_html(
    config: &Config,
    theme: &Theme,
    model: &SiteModel,
    target: &redirects::Target,
) -> Result<String, Error> {
    let redirect = render::RedirectContext { url: &target.url, permalink: &target.permalink, title: &target.title };
    render::redirect_page(config, theme, &model.site_value, &redirect)
}

/// A page the theme renders with no Markdown behind it: 404, a tag, the list of tags.
fn special_page<'a>(
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
fn render_site_pages(
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
    put("404.html".to_string(), render::render_page(theme, "404.html", &model.site_value, &not_found));
    for tag in model.tags.values() {
        let route = format!("tags/{}/", markdown::slugify(&tag.name));
        let listed = tag.pages.iter().map(|p| summary(config, model, p)).collect();
        let context = special_page(config, "tag", &tag.name, &route, listed);
        put(format!("{route}index.html"), render::render_page(theme, "tag.html", &model.site_value, &context));
    }
    if !model.tags.is_empty() {
        let listed = model
            .tags
            .values()
            .map(|t| {
                let link = tag_link(config, &t.name);
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
        put("tags/index.html".to_string(), render::render_page(theme, "tags.html", &model.site_value, &context));
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

/// The theme's own `_redirects`, which picket's lines are added to.
const REDIRECTS_FILE: &str = "_redirects";

/// `_redirects` with every redirect of the site, or `None` when it has none.
fn redirects_file(
    config: &Config,
    model: &SiteModel,
    pages: &[Page],
    aliases: &[redirects::Redirect],
) -> Option<OutputFile> {
    let mut lines: Vec<(String, String)> = aliases.iter().map(|r| (r.from_url.clone(), r.target.url.clone())).collect();
    for page in pages {
        if let Some((target, _)) = model.redirect_targets.get(&page.path) {
            lines.push((url_of(config, &page.route), target.url.clone()));
        }
    }
    if lines.is_empty() {
        return None;
    }
    let theme_lines = std::fs::read_to_string(config.theme_dir.join("static").join(REDIRECTS_FILE)).ok();
    let text = redirects::redirects_file(lines, theme_lines.as_deref());
    Some(OutputFile::named(REDIRECTS_FILE, text))
}

/// Whether the site writes a `_redirects` of its own (which then takes in the theme's).
fn has_redirects(pages: &[Page]) -> bool {
    pages.iter().any(|p| {
        !p.front_matter.aliases.is_empty()
            || p.front_matter.redirect_to.is_some()
            || p.front_matter.paginate_by.is_some_and(|n| n > 0)
    })
}

/// A page's tags, each spelt as the site first wrote it and listed once.
fn page_tags(config: &Config, model: &SiteModel, page: &Page) -> Vec<TagLink> {
    let mut keys: Vec<String> = Vec::new();
    for name in &page.front_matter.tags {
        let key = tag_key(name);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.iter()
        .filter_map(|key| model.tags.get(key))
        .map(|tag| {
            let link = tag_link(config, &tag.name);
            TagLink { name: link.title, url: link.url }
        })
        .collect()
}

fn tag_link(config: &Config, tag: &str) -> Link {
    Link { title: tag.to_string(), url: url_of(config, &format!("tags/{}/", markdown::slugify(tag))) }
}

/// Every tag with its pages, keyed by the tag in lower case, so that "Blog" and "blog" are one
/// tag; each keeps the spelling it was first written with (in page order).
fn collect_tags(pages: &[Page]) -> BTreeMap<String, Tag<'_>> {
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for page in pages {
        for name in &page.front_matter.tags {
            let tag = tags.entry(tag_key(name)).or_insert_with(|| Tag { name: name.clone(), pages: Vec::new() });
            // A page that writes one tag twice, in two cases, is listed once.
            if !tag.pages.iter().any(|p| std::ptr::eq(*p, page)) {
                tag.pages.push(page);
            }
        }
    }
    for tag in tags.values_mut() {
        tag.pages.sort_by(|a, b| content::listing_order(a, b));
    }
    tags
}

/// What makes two tags one: their text without case.
fn tag_key(name: &str) -> String {
    name.to_lowercase()
}

/// A tag as the site shows it: its first spelling and its pages.
struct Tag<'a> {
    name: String,
    pages: Vec<&'a Page>,
}

fn ancestors(config: &Config, page: &Page, by_route: &BTreeMap<&str, &Page>) -> Vec<Link> {
    let mut links = Vec::new();
    let mut route = parent_route(page);
    while let Some(current) = route {
        if let Some(parent) = by_route.get(current.as_str()) {
            links.push(Link { title: smart(&parent.front_matter.title), url: url_of(config, &parent.route) });
        }
        route = if current.is_empty() { None } else { Some(parent_of_route(&current)) };
    }
    links.reverse();
    links
}

/// sitemap.xml, robots.txt, atom.xml, and the highlight stylesheet when a page has code.
/// Redirects are in neither the sitemap nor the feed; every page of a paginated listing is in
/// the sitemap.
fn site_files(config: &Config, model: &SiteModel, pages: &[Page], has_code: bool) -> Vec<OutputFile> {
    let date = |p: &Page| p.front_matter.updated.or(p.front_matter.date);
    let pages: Vec<&Page> = pages.iter().filter(|p| p.front_matter.redirect_to.is_none()).collect();
    let mut urls: Vec<(String, Option<String>)> = Vec::with_capacity(pages.len());
    for page in &pages {
        let n_listed = model.children.get(&page.route).map_or(0, Vec::len);
        let pagers = listing::pagers(page, n_listed);
        let routes =
            pagers.iter().map(|pager| pager.route.clone()).chain(pagers.is_empty().then(|| page.route.clone()));
        urls.extend(routes.map(|route| (format!("{}/{route}", config.base_url), iso(date(page)))));
    }
    let mut dated: Vec<&Page> = pages.iter().copied().filter(|p| date(p).is_some()).collect();
    dated.sort_by(|a, b| date(b).cmp(&date(a)).then_with(|| a.route.cmp(&b.route)));
    let entries: Vec<FeedEntry> = dated
        .iter()
        .map(|p| {
            let summary = model.summaries.get(&p.path);
            FeedEntry {
                title: smart(&p.front_matter.title),
                url: format!("{}/{}", config.base_url, p.route),
                updated: iso(date(p)).unwrap_or_default(),
                summary: summary
                    .cloned()
                    .unwrap_or_else(|| smart(p.front_matter.description.as_deref().unwrap_or_default())),
                summary_is_html: summary.is_some(),
            }
        })
        .collect();
    let mut files = vec![
        OutputFile::named("sitemap.xml", render::sitemap(&urls)),
        OutputFile::named("robots.txt", render::robots(config)),
        OutputFile::named("atom.xml", render::atom(config, &entries)),
    ];
    if has_code {
        let css = Highlighter::css(&config.highlight_theme).unwrap_or_default();
        files.push(OutputFile::named("highlight.css", css));
    }
    files
}

/// The theme's `static/` files and the non-Markdown files of `content/`. The theme's
/// `_redirects` is left out when the site writes its own, which includes it.
fn static_files(config: &Config, content: &Content) -> Result<Vec<OutputFile>, Errors> {
    let skip_redirects = has_redirects(&content.pages);
    let walked = content::walk(config, &config.theme_dir.join("static"), content::Skip::EditorFiles);
    let mut errors = Errors(walked.errors);
    let mut files = Vec::new();
    for found in walked.files {
        match OutputPath::of_relative(&found.inside) {
            Ok(path) if skip_redirects && path.as_str() == REDIRECTS_FILE => {}
            Ok(path) => files.push(OutputFile { path, contents: Contents::Copy(found.absolute) }),
            Err(problem) => errors.push(Error::in_file(&found.relative, problem)),
        }
    }
    for asset in &content.assets {
        files.push(OutputFile { path: asset.target.clone(), contents: Contents::Copy(asset.source.clone()) });
    }
    errors.into_result(files)
}

/// Where an output file comes from, to point the editor at: a file, or a key of a page's front
/// matter (an alias), or nothing for picket's own files.
enum Origin<'a> {
    Picket,
    File(PathBuf),
    Key(&'a Page, String),
}

impl Origin<'_> {
    fn error(&self, message: String) -> Error {
        match self {
            Origin::Picket => Error::msg(message),
            Origin::File(path) => Error::in_file(path, message),
            Origin::Key(page, key) => page.error_at_key(key, message),
        }
    }
}

/// Two things that would be written to one path, or a file where another needs a folder, are an
/// error before anything is rendered. Returns every path the build will write.
fn check_output_paths(
    config: &Config,
    content: &Content,
    model: &SiteModel,
) -> Result<(HashSet<OutputPath>, Urls), Errors> {
    // What would be written where, what makes it, and where to point the editor.
    let mut errors = Errors::default();
    let mut paths: Vec<(OutputPath, String, Origin)> = Vec::new();
    let mut urls = Urls::default();
    for page in &content.pages {
        urls.add_page(&page.path, &page.route);
        let n_listed = model.children.get(&page.route).map_or(0, Vec::len);
        let pagers = listing::pagers(page, n_listed);
        match page_output_path(page) {
            Ok(path) => {
                paths.push((path, format!("the page `{}`", page.path.display()), Origin::File(page.path.clone())))
            }
            Err(err) => errors.push(err),
        }
        for pager in pagers.iter().skip(1) {
            let what = format!("page {} of the listing of `{}`", pager.number, page.path.display());
            paths.push((pager.output.clone(), what, Origin::Key(page, "paginate_by".to_string())));
        }
        if !pagers.is_empty()
            && let Ok(path) = OutputPath::index_of(&listing::first_pager_alias(page))
        {
            let what = format!("the redirect from page 1 of the listing of `{}`", page.path.display());
            paths.push((path, what, Origin::Key(page, "paginate_by".to_string())));
        }
        for (index, alias) in page.front_matter.aliases.iter().enumerate() {
            let what = format!("the alias `{}` of `{}`", alias.as_str(), page.path.display());
            paths.push((alias.output_path(), what, Origin::Key(page, format!("aliases/{index}"))));
        }
    }
    for name in ["404.html", "sitemap.xml", "robots.txt", "atom.xml", "highlight.css"] {
        let path = OutputPath::new(name).expect("picket's own file names are valid");
        paths.push((path, "a file picket writes".to_string(), Origin::Picket));
    }
    if has_redirects(&content.pages) {
        let path = OutputPath::new(REDIRECTS_FILE).expect("picket's own file names are valid");
        paths.push((path, "a file picket writes".to_string(), Origin::Picket));
    }
    for Tag { name: tag, pages } in model.tags.values() {
        match OutputPath::new(&format!("tags/{}/index.html", markdown::slugify(tag))) {
            Ok(path) => paths.push((path, format!("the tag `{tag}`"), Origin::File(pages[0].path.clone()))),
            Err(_) => errors.push(pages[0].error_at_key(
                "tags",
                format!("the tag `{tag}` has no letter or digit to make its URL from; add one or remove the tag"),
            )),
        }
    }
    if !model.tags.is_empty() {
        urls.add_file("tags/", None);
    }
    for file in static_files(config, content)? {
        if let Contents::Copy(from) = &file.contents {
            let source = config.relative(from).to_path_buf();
            let in_content = source.starts_with("content").then(|| Path::new("content").join(file.path.as_str()));
            urls.add_file(file.path.as_str(), in_content.as_deref());
            paths.push((file.path, format!("`{}`", source.display()), Origin::File(source)));
        }
    }
    let mut seen: HashMap<&OutputPath, (&String, &Origin)> = HashMap::with_capacity(paths.len());
    for (path, what, origin) in &paths {
        let Some((first, first_origin)) = seen.insert(path, (what, origin)) else { continue };
        let message = format!("{first} and {what} would both be written to `{path}`; rename one of them");
        errors.push(pick_origin(first_origin, origin).error(message));
    }
    // A file cannot also be a folder: `old.png` copied from content/ and an alias `old.png/`.
    for (path, what, origin) in &paths {
        let mut folder = path.as_str();
        while let Some((parent, _)) = folder.rsplit_once('/') {
            folder = parent;
            let Ok(as_file) = OutputPath::new(folder) else { continue };
            if let Some((file_what, file_origin)) = seen.get(&as_file) {
                let message =
                    format!("{what} needs a folder `{folder}/`, but {file_what} is a file there; rename one of them");
                errors.push(pick_origin(file_origin, origin).error(message));
            }
        }
    }
    // Every other file picket writes is a URL the site serves: `x/index.html` serves `x/`.
    for (path, _, _) in &paths {
        let url = path.as_str();
        match url.strip_suffix("index.html") {
            Some(folder) if folder.is_empty() || folder.ends_with('/') => urls.add_file(folder, None),
            _ => urls.add_file(url, None),
        }
    }
    errors.into_result((paths.into_iter().map(|(path, _, _)| path).collect(), urls))
}

/// Which of two colliding outputs to point at: an alias line first, else the later file, else
/// the first (one of them is always an editor's).
fn pick_origin<'a>(first: &'a Origin<'a>, later: &'a Origin<'a>) -> &'a Origin<'a> {
    match (first, later) {
        (_, Origin::Key(..)) => later,
        (Origin::Key(..), _) | (_, Origin::Picket) => first,
        _ => later,
    }
}
