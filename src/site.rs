//! The build recipe, the same for every command: `run` loads what changed (the rest comes from
//! the `Cache`), makes every page and the site-wide files, taking each product whose inputs did
//! not change from the cache, and hands the files to a `Sink`.
//!
//! `build` runs it with the cache on disk into the output's staging folder; `render` (for
//! `check` and the tests) with an empty cache into memory; `serve` with a cache kept in memory.
//! Every error of every stage is collected and returned together. The stages live beside it:
//! `cache` (what is kept and how it is keyed), `model` (what templates see), `outputs` (the list
//! of output files and the check that no two share a path), `sink`, `listing`, `redirects`,
//! `includes` and `timings`.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::Page;
use crate::error::{Error, Errors};
use crate::figures::Figures;
use crate::links::{self, Urls};
use crate::markdown::{self, Rendered};
use crate::output::{self, OutputFile, OutputPath};

mod cache;
mod includes;
mod listing;
mod model;
mod outputs;
mod redirects;
mod sink;
mod timings;

pub use includes::DiskFiles;

pub use cache::{Cache, Product, Reuse, Scope};
use cache::{Keyed, Loaded, PageHash};
use model::{SiteModel, markdown_context, render_page, render_site_pages};
use outputs::{check_output_paths, site_files, static_files};
use sink::{Counting, Recording, sink_has_all};
pub use sink::{Memory, Sink};
pub use timings::{Timings, phases_line};

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

/// Builds the site and writes it to the output folder, replacing the old one only on success.
pub fn build(config: &Config) -> Result<Report, Errors> {
    let started = Instant::now();
    // The cache is read only by the build that holds the lock; the staging folder is listed
    // while it is read.
    let lock = output::OutputLock::acquire(&config.output_dir)?;
    let ((staging, staging_time), (cache, cache_read)) = rayon::join(
        || (output::Staging::begin_locked(&config.output_dir, lock), started.elapsed()),
        || {
            let clock = Instant::now();
            (Cache::on_disk(&config.output_dir), clock.elapsed())
        },
    );
    let staging = staging?;
    // A cache folder that cannot be made is no reason to fail the build: it runs without one.
    let (mut cache, mut cache_problem) = match cache {
        Ok(cache) => (cache, None),
        Err(err) => (Cache::empty(), Some(err)),
    };
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
    outcome.timings.staging = staging_time;
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

/// Runs every stage in memory and returns the files a build would write, sorted by path.
pub fn render(config: &Config) -> Result<Built, Errors> {
    let memory = Memory::default();
    let mut cache = Cache::empty();
    let outcome = run(config, &mut cache, &Scope::everything(), &memory)?;
    // `check` reads the links of the theme's templates too.
    let theme = cache.theme().expect("a build that succeeds keeps its theme");
    let links = links::SiteLinks::new(config, outcome.urls, theme.templates_dir(), theme.template_sources());
    Ok(Built { files: memory.into_files(), n_pages: outcome.n_pages, timings: outcome.timings, links })
}

/// What one run of the pipeline reports.
pub struct Outcome {
    pub n_pages: usize,
    pub timings: Timings,
    /// The URLs the site serves.
    pub urls: Arc<Urls>,
}

/// The pipeline, the same for every command: load what `scope` says changed (the rest comes from
/// `cache`), then make every page (Markdown, template, out to `sink`) in parallel, taking from
/// `cache` each product whose inputs did not change, then the site-wide files. `cache` then holds
/// this build's inputs and products for the next one.
pub fn run(config: &Config, cache: &mut Cache, scope: &Scope, sink: &dyn Sink) -> Result<Outcome, Errors> {
    let started = Instant::now();
    let mut timings = Timings::default();
    cache.reuse = Reuse::default();
    cache.code_index = std::sync::OnceLock::new();
    let (loaded, mut errors) = cache.load(config, scope)?;
    timings.load = started.elapsed();
    // With pages that could not be read, the rest is made all the same, so that every error of
    // the build is reported at once; the build then fails.
    let made = make_site(config, cache, &loaded, sink, &mut timings);
    let n_pages = loaded.content.pages.len();
    let complete = errors.is_empty();
    cache.keep(loaded, complete);
    match made {
        Err(more) => errors.extend(more.0),
        Ok(_) if !complete => {}
        Ok(urls) => {
            timings.total = started.elapsed();
            return Ok(Outcome { n_pages, timings, urls });
        }
    }
    Err(errors)
}

/// The keys products are cached under: what Markdown reads from the rest of the site, and what
/// templates read from it besides.
struct Keys {
    markdown: u64,
    templates: u64,
}

impl Keys {
    /// `config_key` is of the config (`cache::config_key`), `urls_hash` of the site's URLs
    /// (`Layout::urls_hash`), `pages_key` of its pages' routes and front matter (`pages_key`).
    fn new(config_key: u64, loaded: &Loaded, model: &SiteModel, urls_hash: u64, pages_key: u64) -> Keys {
        // Not the data: a page's Markdown records what it used of it (`Rendered::uses`).
        let markdown = cache::hash_of(&(config_key, loaded.shortcodes, urls_hash));
        // Listings, navigation, breadcrumbs and tags show other pages' front matter
        // (`pages_key`), and listings and the feed the summaries of other pages too.
        let mut summaries: Vec<(&PathBuf, &String)> = model.summaries.iter().collect();
        summaries.sort();
        // Templates show the sources a page names (`page.sources`), from the registry.
        let sources = format!("{:?}", loaded.figures.value.sources);
        Keys { markdown, templates: cache::hash_of(&(markdown, loaded.theme.key, pages_key, summaries, sources)) }
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

/// A hash of every page's path, route and front matter, in order: what listings, navigation
/// and the layout of the output read of the pages.
fn pages_key(loaded: &Loaded) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for page in &loaded.content.pages {
        let path = cache::key(&page.path);
        (path, &page.route, loaded.hashes.get(path).map(|h| h.front)).hash(&mut hasher);
    }
    cache::hash_of(&hasher.finish())
}

/// Makes every output file of the site from `loaded`, reusing what `cache` holds, and stores
/// what it made in `cache`. Returns what `check` needs of the site's links.
fn make_site(
    config: &Config,
    cache: &mut Cache,
    loaded: &Loaded,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<Arc<Urls>, Errors> {
    let content = &loaded.content;
    let theme = &*loaded.theme.value;
    let clock = Instant::now();
    let config_key = cache::config_key(config);
    let statics = static_files(config, content)?;
    let (mut model, layout, pages_key) = structure(config, config_key, cache, loaded, &statics)?;
    let urls = &*layout.urls;
    model.redirect_targets = redirects::resolve_targets(config, &model, &content.pages, &layout.outputs)?;
    let files = DiskFiles::new(config);
    let (summaries, summary_errors) = {
        let ctx = markdown_context(config, loaded, urls, &cache.highlighter, &files, &*cache);
        listing::render_summaries(&ctx, config, &content.pages)
    };
    model.summaries = summaries;
    let keys = Keys::new(config_key, loaded, &model, layout.urls_hash, pages_key);
    timings.model = clock.elapsed();
    let clock = Instant::now();
    let (done, mut errors) = render_pages(config, loaded, &model, &layout, &keys, cache, &files, sink, timings);
    errors.extend(summary_errors.0);
    timings.pages = clock.elapsed();
    let clock = Instant::now();
    // The anchors of the pages that rendered are checked even when others failed, so that every
    // error of the build is reported at once.
    let theme_ids = links::ThemeIds::new(config, theme.template_sources());
    if let Err(more) = check_anchors(&config.root, &done, &theme_ids) {
        errors.extend(more.0);
    }
    errors.into_result(())?;
    timings.checks = clock.elapsed();
    let clock = Instant::now();
    let has_code = done.iter().any(|d| d.rendered.has_code);
    let site_key = cache::hash_of(&(keys.templates, has_code));
    let site_files = make_site_files(config, loaded, &model, has_code, site_key, cache, sink)?;
    for file in statics {
        sink.put(file)?;
    }
    timings.site_files = clock.elapsed();
    // Every page this build keeps passed the check of typed numbers against this data.
    cache.numbers_checked = Some(loaded.figures.key);
    remember(cache, done, site_key, site_files);
    Ok(Arc::clone(&layout.urls))
}

/// What every page knows of the others (the model) and where everything goes (the layout),
/// with the key of the pages' structure. Each is taken from `cache` when what it is made from
/// did not change: a save of a page's body sorts no listing and checks no output path again.
fn structure<'a>(
    config: &Config,
    config_key: u64,
    cache: &mut Cache,
    loaded: &'a Loaded,
    statics: &[OutputFile],
) -> Result<(SiteModel<'a>, outputs::Layout, u64), Errors> {
    let content = &loaded.content;
    let pages_key = pages_key(loaded);
    let previous_shape = cache.shape.take();
    let model = SiteModel::new(config, content, previous_shape.clone(), cache::hash_of(&(config_key, pages_key)));
    let shape_reused = previous_shape.is_some_and(|shape| Arc::ptr_eq(&shape, &model.shape()));
    cache.shape = Some(model.shape());
    let assets: Vec<(&Path, &str)> = content.assets.iter().map(|a| (a.source.as_path(), a.target.as_str())).collect();
    let copied: Vec<(&str, Option<&Path>)> = statics
        .iter()
        .map(|f| {
            (f.path.as_str(), if let output::Contents::Copy(from) = &f.contents { Some(from.as_path()) } else { None })
        })
        .collect();
    let layout_key = cache::hash_of(&(config_key, pages_key, &loaded.unread, assets, copied));
    let layout = match cache.layout.take() {
        Some(layout) if layout.key == layout_key => {
            cache.reuse.structure_reused = shape_reused;
            layout
        }
        _ => check_output_paths(config, content, &model, statics, &loaded.unread, layout_key)?,
    };
    cache.layout = Some(layout.clone());
    Ok((model, layout, pages_key))
}

/// A page made (or taken from the cache) by this build.
struct PageDone<'a> {
    page: &'a Page,
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

/// Stores this build's products in `cache` and forgets those of pages and files that are gone.
fn remember(cache: &mut Cache, done: Vec<PageDone>, site_key: u64, site_files: Vec<(OutputPath, Product)>) {
    // (`site_files` were counted when they were made or kept.)
    let n_pages = done.len();
    for page in &done {
        if page.markdown_reused {
            cache.reuse.markdown_reused += 1;
        } else {
            cache.reuse.markdown_rendered += 1;
            cache.reuse.code_reused += page.rendered.code_reused;
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
        let key = cache::key(&page.page.path);
        if let Some(entry) = &page.packed {
            cache.packed.insert(key.to_string(), entry.clone());
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
        let pages: HashSet<&str> = done.iter().map(|d| cache::key(&d.page.path)).collect();
        cache.forget_all_but(&pages, &outputs.iter().collect());
        cache.packed.retain(|path, _| pages.contains(path.as_str()));
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
    layout: &outputs::Layout,
    keys: &Keys,
    cache: &Cache,
    files: &DiskFiles,
    sink: &dyn Sink,
    timings: &Timings,
) -> (Vec<PageDone<'a>>, Errors) {
    let (figures, theme) = (&*loaded.figures.value, &*loaded.theme.value);
    let ctx = markdown_context(config, loaded, &layout.urls, &cache.highlighter, files, cache);
    let typed_forms = markdown::TypedForms::of(figures);
    let results: Vec<Result<PageDone, Errors>> = loaded
        .content
        .pages
        .par_iter()
        .zip(layout.page_outputs.par_iter())
        .map(|(page, output)| {
            let key = cache::key(&page.path);
            let markdown_key = keys.markdown_of(loaded.hashes[key]);
            let output = output.clone();
            // Rendered Markdown is reused only while every file it included has the same bytes and
            // everything it shows of the data is the same.
            let cached = cache.markdown.get(key).filter(|m| {
                m.key == markdown_key && includes_unchanged(files, &m.value) && uses_unchanged(figures, &m.value)
            });
            // The numbers its prose types are checked against the data as it is now, unless the
            // last good build checked every cached page against this same data.
            if let Some(markdown) = cached
                && cache.numbers_checked != Some(loaded.figures.key)
            {
                let typed = typed_forms.check(&markdown.value.numbers);
                if !typed.is_empty() {
                    let text = page.full_text(&config.root)?;
                    let errors =
                        typed.into_iter().map(|(offset, message)| Error::at_offset(&page.path, &text, offset, message));
                    return Err(Errors(errors.collect()));
                }
            }
            let html_key = keys.html_of(markdown_key, cached.map_or(&[][..], |m| m.value.includes.as_slice()));
            let previous = cache.products.get(&output).filter(|p| p.key == html_key);
            // A paginated section writes several files; only the first is kept between builds.
            let paginated = listing::is_paginated(page);
            if let (Some(markdown), Some(html), false) = (cached, previous, paginated)
                && sink.keep(&output, &html.value)?
            {
                return Ok(PageDone {
                    page,
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
            // Where the page's file holds its Markdown HTML whole, for the disk cache.
            let mut html_at = None;
            for file in html? {
                let first = file.path == output;
                if first && cache.disk.is_some() {
                    html_at = file.as_text().and_then(|text| find_whole(text, &rendered.html));
                }
                let made = sink.put(file)?;
                if first {
                    product = made;
                }
            }
            Timings::add(&timings.write_ns, clock);
            let (rendered, packed) = cache.keep_rendered(rendered, html_at.map(|at| (&output, at)))?;
            Ok(PageDone {
                page,
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

/// Where `text` holds all of `part`: its first bytes are looked for, then the rest compared at
/// each place they are found (a search for a whole page of HTML would cost far more).
fn find_whole(text: &str, part: &str) -> Option<usize> {
    let mut end = part.len().min(64);
    while !part.is_char_boundary(end) {
        end -= 1;
    }
    text.match_indices(&part[..end]).map(|(at, _)| at).find(|&at| text[at..].starts_with(part))
}

/// Whether everything `rendered` showed of the data (figures, tables, grids, sources) is as it was.
fn uses_unchanged(figures: &Figures, rendered: &Rendered) -> bool {
    rendered.uses.iter().all(|(used, fingerprint)| figures.fingerprint(used) == Some(*fingerprint))
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
fn check_anchors(root: &Path, done: &[PageDone], theme_ids: &links::ThemeIds) -> Result<(), Errors> {
    let rendered: HashMap<&str, (&Page, &Rendered)> =
        done.iter().map(|d| (d.page.route.as_str(), (d.page, &*d.rendered))).collect();
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
