//! The build recipe: one call per stage, from `Config` to the list of output files.
//!
//! `render` is the whole build in memory and writes nothing; `build` writes its result. Every
//! error of every stage is collected and returned together.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content, Page, PageKind};
use crate::error::{Error, Errors};
use crate::figures::{Figures, Source};
use crate::markdown::{self, Highlighter, Rendered};
use crate::notice::Notice;
use crate::output::{self, Contents, OutputFile, OutputPath};
use crate::render::{self, FeedEntry, Link, NavItem, PageContext, SiteContext, Summary, TagLink, Theme};
use crate::typography::smart;

mod cache;

pub use cache::{Cache, Product, Reuse, Scope};
use cache::{Keyed, Loaded, PageHash};

/// The built site, in memory.
pub struct Built {
    pub files: Vec<OutputFile>,
    pub n_pages: usize,
    pub timings: Timings,
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
    Ok(Built { files: memory.into_files(), n_pages: outcome.n_pages, timings: outcome.timings })
}

/// What one run of the pipeline reports.
pub struct Outcome {
    pub n_pages: usize,
    pub timings: Timings,
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
    made?;
    timings.total = started.elapsed();
    Ok(Outcome { n_pages, timings })
}

/// The keys products are cached under: what Markdown reads from the rest of the site, and what
/// templates read from it besides.
struct Keys {
    markdown: u64,
    templates: u64,
}

impl Keys {
    fn new(config: &Config, loaded: &Loaded, model: &SiteModel) -> Keys {
        let markdown = cache::hash_of(&(
            cache::config_key(config),
            loaded.figures.key,
            loaded.shortcodes,
            &model.routes,
            &model.assets,
        ));
        // Listings, navigation, breadcrumbs and tags show other pages' front matter.
        let structure: Vec<(&str, u64)> =
            loaded.content.pages.iter().map(|p| (p.route.as_str(), loaded.hashes[cache::key(&p.path)].front)).collect();
        Keys { markdown, templates: cache::hash_of(&(markdown, loaded.theme.key, structure)) }
    }

    fn markdown_of(&self, page: PageHash) -> u64 {
        cache::hash_of(&(self.markdown, page.text))
    }

    fn html_of(&self, markdown_key: u64) -> u64 {
        cache::hash_of(&(self.templates, markdown_key))
    }
}

/// Makes every output file of the site from `loaded`, reusing what `cache` holds, and stores
/// what it made in `cache`.
fn make_site(
    config: &Config,
    cache: &mut Cache,
    loaded: &Loaded,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<(), Errors> {
    let content = &loaded.content;
    let clock = Instant::now();
    let model = SiteModel::new(config, content);
    check_output_paths(config, content, &model)?;
    let keys = Keys::new(config, loaded, &model);
    timings.model = clock.elapsed();
    let clock = Instant::now();
    let done = render_pages(config, loaded, &model, &keys, cache, sink, timings)?;
    timings.pages = clock.elapsed();
    let clock = Instant::now();
    let links: Vec<_> = done.iter().map(|d| (&d.rendered.anchors, d.rendered.anchor_links.as_slice())).collect();
    check_anchors(&config.root, &content.pages, &links)?;
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
    Ok(())
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
    render_site_pages(config, &loaded.theme.value, model, &recording)?;
    for file in site_files(config, &loaded.content.pages, has_code) {
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
    routes: BTreeMap<PathBuf, String>,
    assets: BTreeSet<PathBuf>,
    by_route: BTreeMap<&'a str, &'a Page>,
    children: BTreeMap<String, Vec<&'a Page>>,
    /// By `tag_key`.
    tags: BTreeMap<String, Tag<'a>>,
    /// `site` for templates, converted once: it is the same for every page.
    site_value: render::SiteValue,
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
        for list in children.values_mut() {
            list.sort_by(|a, b| content::listing_order(a, b));
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
            assets: content.assets.iter().map(|a| Path::new("content").join(&a.target)).collect(),
            by_route,
            children,
            tags: collect_tags(pages),
            site_value: render::SiteValue::new(&site),
        }
    }
}

/// Makes every page: its Markdown (or the cache's, when its text and what Markdown reads from the
/// rest of the site are the same), then its HTML through the templates (or the sink's copy from
/// the last build, when nothing the templates read changed either). In parallel; every page's
/// errors are collected.
fn render_pages<'a>(
    config: &Config,
    loaded: &'a Loaded,
    model: &SiteModel,
    keys: &Keys,
    cache: &Cache,
    sink: &dyn Sink,
    timings: &Timings,
) -> Result<Vec<PageDone<'a>>, Errors> {
    let (figures, theme) = (&*loaded.figures.value, &*loaded.theme.value);
    let ctx = markdown::Context {
        config,
        routes: &model.routes,
        assets: &model.assets,
        figures,
        templates: theme,
        highlighter: &cache.highlighter,
    };
    let results: Vec<Result<PageDone, Errors>> = loaded
        .content
        .pages
        .par_iter()
        .map(|page| {
            let markdown_key = keys.markdown_of(loaded.hashes[cache::key(&page.path)]);
            let html_key = keys.html_of(markdown_key);
            let output = page_output_path(page)?;
            let cached = cache.markdown.get(cache::key(&page.path)).filter(|m| m.key == markdown_key);
            let previous = cache.products.get(&output).filter(|p| p.key == html_key);
            if let (Some(markdown), Some(html)) = (cached, previous)
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
                    let text = page.full_text(&config.root)?;
                    let source = markdown::PageSource {
                        path: &page.path,
                        text: &text,
                        dir: &page.dir,
                        body_offset: page.body_offset,
                    };
                    let rendered = markdown::render(&ctx, &source);
                    Timings::add(&timings.markdown_ns, clock);
                    let rendered = rendered?;
                    timings.highlight_ns.fetch_add(rendered.highlight_ns, Ordering::Relaxed);
                    Arc::new(rendered)
                }
            };
            let clock = Instant::now();
            let html = render_page(config, figures, theme, model, page, &rendered);
            Timings::add(&timings.templates_ns, clock);
            let clock = Instant::now();
            let product = sink.put(OutputFile::text(output.clone(), html?))?;
            Timings::add(&timings.write_ns, clock);
            // A disk cache keeps the Markdown HTML in its pack rather than in memory.
            let (rendered, packed) = match &cache.disk {
                None => (rendered, None),
                Some(_) if markdown_reused => (Arc::clone(&cached.expect("reused from the cache").value), None),
                Some(disk) => {
                    let entry = disk.store(&rendered.html)?;
                    let stripped = Rendered { html: String::new(), ..(*rendered).clone() };
                    (Arc::new(stripped), Some(entry))
                }
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
    errors.into_result(done)
}

/// Where a page's HTML goes. Routes are checked when pages are parsed, so this fails only if a
/// page was made some other way; the error then names the page.
fn page_output_path(page: &Page) -> Result<OutputPath, Error> {
    OutputPath::index_of(&page.route).map_err(|problem| Error::in_file(&page.path, problem))
}

/// Every `#anchor` a page links to must be a heading or note id on its target page.
/// `facts[i]` holds the anchors and the anchor links of `pages[i]`.
fn check_anchors(
    root: &Path,
    pages: &[Page],
    facts: &[(&BTreeSet<String>, &[markdown::AnchorLink])],
) -> Result<(), Errors> {
    let anchors: HashMap<&Path, &BTreeSet<String>> =
        pages.iter().zip(facts).map(|(p, (anchors, _))| (p.path.as_path(), *anchors)).collect();
    let mut errors = Errors::default();
    for (page, (_, links)) in pages.iter().zip(facts) {
        for link in *links {
            let found = anchors.get(link.target.as_path()).is_some_and(|a| a.contains(&link.anchor));
            // Same-page links may point at ids the theme adds (sources, main content).
            let theme_id = link.target == page.path && is_theme_anchor(&link.anchor);
            if !found && !theme_id {
                // Only now is the body needed again, to show the line of the link.
                errors.push(match page.full_text(root) {
                    Ok(text) => Error::at_offset(&page.path, &text, link.offset, link.message.clone()),
                    Err(err) => err,
                });
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
        title: smart(&page.front_matter.title),
        url: url_of(config, &page.route),
        description: smart(page.front_matter.description.as_deref().unwrap_or_default()),
        date: iso(page.front_matter.date),
        weight: page.front_matter.weight,
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

fn render_page(
    config: &Config,
    figures: &Figures,
    theme: &Theme,
    model: &SiteModel,
    page: &Page,
    rendered: &Rendered,
) -> Result<String, Error> {
    let front = &page.front_matter;
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
        pages: model.children.get(&page.route).into_iter().flatten().map(|p| summary(config, p)).collect(),
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
    render::render_page(theme, template, &model.site_value, &context)
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
        ancestors: Vec::new(),
        has_code: false,
        word_count: 0,
        nav_url: nav_url(config, route),
        notice: Notice::resolve(config.notice.as_ref(), None).map(smart),
    }
}

/// 404.html, a page per tag and the list of tags.
fn render_site_pages(config: &Config, theme: &Theme, model: &SiteModel, sink: &dyn Sink) -> Result<(), Errors> {
    let mut errors = Errors::default();
    let mut put = |path: String, html: Result<String, Error>| {
        let file = OutputPath::new(&path).map_err(Error::msg).and_then(|path| Ok(OutputFile::text(path, html?)));
        if let Err(err) = file.and_then(|file| sink.put(file)) {
            errors.push(err);
        }
    };
    let not_found = special_page(config, "404", "Page not found", "404.html", Vec::new());
    put("404.html".to_string(), render::render_page(theme, "404.html", &model.site_value, &not_found));
    for tag in model.tags.values() {
        let route = format!("tags/{}/", markdown::slugify(&tag.name));
        let listed = tag.pages.iter().map(|p| summary(config, p)).collect();
        let context = special_page(config, "tag", &tag.name, &route, listed);
        put(format!("{route}index.html"), render::render_page(theme, "tag.html", &model.site_value, &context));
    }
    if !model.tags.is_empty() {
        let listed = model
            .tags
            .values()
            .map(|t| {
                let link = tag_link(config, &t.name);
                Summary { title: link.title, url: link.url, description: String::new(), date: None, weight: None }
            })
            .collect();
        let context = special_page(config, "tags", "Tags", "tags/", listed);
        put("tags/index.html".to_string(), render::render_page(theme, "tags.html", &model.site_value, &context));
    }
    errors.into_result(())
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
fn site_files(config: &Config, pages: &[Page], has_code: bool) -> Vec<OutputFile> {
    let date = |p: &Page| p.front_matter.updated.or(p.front_matter.date);
    let urls: Vec<(String, Option<String>)> =
        pages.iter().map(|p| (format!("{}/{}", config.base_url, p.route), iso(date(p)))).collect();
    let mut dated: Vec<&Page> = pages.iter().filter(|p| date(p).is_some()).collect();
    dated.sort_by(|a, b| date(b).cmp(&date(a)).then_with(|| a.route.cmp(&b.route)));
    let entries: Vec<FeedEntry> = dated
        .iter()
        .map(|p| FeedEntry {
            title: smart(&p.front_matter.title),
            url: format!("{}/{}", config.base_url, p.route),
            updated: iso(date(p)).unwrap_or_default(),
            summary: smart(p.front_matter.description.as_deref().unwrap_or_default()),
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

/// The theme's `static/` files and the non-Markdown files of `content/`.
fn static_files(config: &Config, content: &Content) -> Result<Vec<OutputFile>, Errors> {
    let walked = content::walk(config, &config.theme_dir.join("static"), content::Skip::EditorFiles);
    let mut errors = Errors(walked.errors);
    let mut files = Vec::new();
    for found in walked.files {
        match OutputPath::of_relative(&found.inside) {
            Ok(path) => files.push(OutputFile { path, contents: Contents::Copy(found.absolute) }),
            Err(problem) => errors.push(Error::in_file(&found.relative, problem)),
        }
    }
    for asset in &content.assets {
        files.push(OutputFile { path: asset.target.clone(), contents: Contents::Copy(asset.source.clone()) });
    }
    errors.into_result(files)
}

/// Two things that would be written to one path are an error before anything is rendered.
fn check_output_paths(config: &Config, content: &Content, model: &SiteModel) -> Result<(), Errors> {
    let mut errors = Errors::default();
    let mut paths: Vec<(OutputPath, Maker)> = Vec::with_capacity(content.pages.len() + content.assets.len() + 8);
    for page in &content.pages {
        match page_output_path(page) {
            Ok(path) => paths.push((path, Maker::Page(&page.path))),
            Err(err) => errors.push(err),
        }
    }
    for name in ["404.html", "sitemap.xml", "robots.txt", "atom.xml", "highlight.css"] {
        paths.push((OutputPath::new(name).expect("picket's own file names are valid"), Maker::Picket));
    }
    for Tag { name: tag, pages } in model.tags.values() {
        match OutputPath::new(&format!("tags/{}/index.html", markdown::slugify(tag))) {
            Ok(path) => paths.push((path, Maker::Tag(tag, &pages[0].path))),
            Err(_) => errors.push(pages[0].error_at_key(
                "tags",
                format!("the tag `{tag}` has no letter or digit to make its URL from; add one or remove the tag"),
            )),
        }
    }
    for file in static_files(config, content)? {
        if let Contents::Copy(from) = &file.contents {
            paths.push((file.path, Maker::File(config.relative(from).to_path_buf())));
        }
    }
    let mut seen: HashMap<&OutputPath, &Maker> = HashMap::with_capacity(paths.len());
    for (path, maker) in &paths {
        let Some(first) = seen.insert(path, maker) else { continue };
        let message = format!(
            "{} and {} would both be written to `{path}`; rename one of them",
            first.describe(),
            maker.describe()
        );
        // Point at an editor's file: the later one, else the first (one of them always is).
        match maker.source().or(first.source()) {
            Some(file) => errors.push(Error::in_file(file, message)),
            None => errors.push(Error::msg(message)),
        }
    }
    errors.into_result(())
}

/// What makes an output file, to name in a message when two would be written to one place.
enum Maker<'a> {
    Page(&'a Path),
    Picket,
    Tag(&'a str, &'a Path),
    /// A file copied as it is, relative to the root.
    File(PathBuf),
}

impl Maker<'_> {
    fn describe(&self) -> String {
        match self {
            Maker::Page(path) => format!("the page `{}`", path.display()),
            Maker::Picket => "a file picket writes".to_string(),
            Maker::Tag(tag, _) => format!("the tag `{tag}`"),
            Maker::File(path) => format!("`{}`", path.display()),
        }
    }

    /// The editor's file behind it, if there is one.
    fn source(&self) -> Option<&Path> {
        match self {
            Maker::Page(path) | Maker::Tag(_, path) => Some(path),
            Maker::Picket => None,
            Maker::File(path) => Some(path),
        }
    }
}
