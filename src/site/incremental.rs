//! Rebuilds for `serve` that reuse the last build: the same pipeline as `site::render`, with the
//! parsed pages, their rendered Markdown and their HTML kept between rebuilds.
//!
//! Everything is keyed by the bytes of its inputs, never by file times. A page's Markdown is
//! reused when its text and everything Markdown reads from the rest of the site (the routes, the
//! assets, the data, the theme's shortcodes, the configuration) are unchanged; its HTML when, in
//! addition, nothing that templates show about other pages (titles, dates, weights, tags,
//! routes) changed. When the watcher names only Markdown files, only those are read again;
//! anything else (data, theme, config, folders, lost events, the build after a failed one)
//! reloads everything from disk. A test checks the result against a clean build after every edit.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Built, Memory, SiteModel, Timings, check_anchors, check_output_paths, render_page, render_site_pages};
use crate::config::Config;
use crate::content::{self, Content, Page};
use crate::error::Errors;
use crate::figures::Figures;
use crate::markdown::{self, Highlighter, Rendered};
use crate::output::{Contents, OutputFile};
use crate::render::Theme;

/// What a rebuild must look at again.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Reload every input from disk.
    Everything,
    /// Only these files changed (absolute paths); anything but a Markdown page means everything.
    Files(&'a [PathBuf]),
}

/// The state kept from one rebuild to the next.
#[derive(Default)]
pub struct Session {
    highlighter: Highlighter,
    loaded: Option<Loaded>,
    markdown: HashMap<PathBuf, (u64, Arc<Rendered>)>,
    html: HashMap<PathBuf, (u64, Arc<[u8]>)>,
    /// 404, tag pages, sitemap, feed and static files, with the template epoch they were made for.
    site_files: Option<(u64, Vec<OutputFile>)>,
}

/// The inputs of the last good load.
struct Loaded {
    config: u64,
    content: Content,
    /// Hash of each page's text, by path.
    texts: HashMap<PathBuf, u64>,
    figures: Figures,
    theme: Theme,
    /// Changes whenever data or templates are reloaded.
    generation: u64,
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

impl Session {
    /// Builds the site in memory, reusing what `scope` says did not change.
    pub fn rebuild(&mut self, config: &Config, scope: Scope) -> Result<Built, Errors> {
        let started = std::time::Instant::now();
        let config_hash = hash_of(&format!("{config:?}"));
        let result = self.update_inputs(config, config_hash, scope).and_then(|()| self.render(config));
        if result.is_err() {
            // The next rebuild starts from the disk: a page that failed is not in `loaded`.
            self.loaded = None;
        }
        result.map(|(files, n_pages)| Built {
            files,
            n_pages,
            timings: Timings { total: started.elapsed(), ..Timings::default() },
        })
    }

    fn update_inputs(&mut self, config: &Config, config_hash: u64, scope: Scope) -> Result<(), Errors> {
        let pages_only = match (scope, &self.loaded) {
            (Scope::Files(paths), Some(loaded)) if loaded.config == config_hash => markdown_pages(config, paths),
            _ => None,
        };
        match (pages_only, self.loaded.as_mut()) {
            (Some(paths), Some(loaded)) => reload_pages(config, loaded, &paths),
            _ => {
                let generation = self.loaded.as_ref().map_or(0, |l| l.generation + 1);
                self.loaded = Some(load_everything(config, config_hash, generation)?);
                Ok(())
            }
        }
    }

    /// Renders every page whose inputs changed, reuses the rest, and adds the site-wide files.
    fn render(&mut self, config: &Config) -> Result<(Vec<OutputFile>, usize), Errors> {
        let loaded = self.loaded.as_ref().expect("inputs are loaded before rendering");
        let content = &loaded.content;
        let model = SiteModel::new(config, content);
        check_output_paths(config, content, &model)?;
        let markdown_epoch = hash_of(&(loaded.config, loaded.generation, &model.routes, &model.assets));
        let template_epoch = hash_of(&(markdown_epoch, structure_of(&content.pages)));
        let ctx = markdown::Context {
            config,
            routes: &model.routes,
            assets: &model.assets,
            figures: &loaded.figures,
            templates: &loaded.theme,
            highlighter: &self.highlighter,
        };
        let (markdown_cache, html_cache) = (&self.markdown, &self.html);
        let results: Vec<Result<PageOutput, Errors>> = content
            .pages
            .par_iter()
            .map(|page| {
                let markdown_key = hash_of(&(loaded.texts.get(&page.path), markdown_epoch));
                let rendered = match markdown_cache.get(&page.path) {
                    Some((key, rendered)) if *key == markdown_key => Arc::clone(rendered),
                    _ => Arc::new(markdown::render(&ctx, &source_of(page))?),
                };
                let html_key = hash_of(&(markdown_key, template_epoch));
                let html = match html_cache.get(&page.path) {
                    Some((key, html)) if *key == html_key => Arc::clone(html),
                    _ => Arc::from(
                        render_page(config, &loaded.figures, &loaded.theme, &model, page, &rendered)?.into_bytes(),
                    ),
                };
                Ok(PageOutput { markdown_key, rendered, html_key, html })
            })
            .collect();
        let mut errors = Errors::default();
        let mut outputs = Vec::with_capacity(results.len());
        for result in results {
            match result {
                Ok(output) => outputs.push(output),
                Err(e) => errors.extend(e.0),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let links: Vec<_> = outputs.iter().map(|o| (&o.rendered.anchors, o.rendered.anchor_links.as_slice())).collect();
        check_anchors(&config.root, &content.pages, &links)?;
        let has_code = outputs.iter().any(|o| o.rendered.has_code);
        let site_key = hash_of(&(template_epoch, has_code));
        let mut files = match &self.site_files {
            Some((key, files)) if *key == site_key => files.clone(),
            _ => {
                let memory = Memory::default();
                render_site_pages(config, &loaded.theme, &model, &memory)?;
                let mut files = memory.0.into_inner().expect("no thread panics while holding the lock");
                files.extend(super::site_files(config, &content.pages, has_code));
                files.extend(super::static_files(config, content)?);
                let files: Vec<OutputFile> = files.into_iter().map(shared).collect();
                self.site_files = Some((site_key, files.clone()));
                files
            }
        };
        if self.markdown.len() != content.pages.len() {
            // Pages were removed or renamed: forget the ones that are gone.
            let present: std::collections::HashSet<&PathBuf> = content.pages.iter().map(|p| &p.path).collect();
            self.markdown.retain(|path, _| present.contains(path));
            self.html.retain(|path, _| present.contains(path));
        }
        files.reserve(content.pages.len());
        for (page, output) in content.pages.iter().zip(outputs) {
            files.push(OutputFile {
                path: super::page_output_path(page).map_err(Errors::from)?,
                contents: Contents::Shared(Arc::clone(&output.html)),
            });
            remember(&mut self.markdown, &page.path, output.markdown_key, output.rendered);
            remember(&mut self.html, &page.path, output.html_key, output.html);
        }
        Ok((files, content.pages.len()))
    }
}

struct PageOutput {
    markdown_key: u64,
    rendered: Arc<Rendered>,
    html_key: u64,
    html: Arc<[u8]>,
}

/// Stores `value` under `path` unless the cache already holds it for the same key.
fn remember<T>(cache: &mut HashMap<PathBuf, (u64, T)>, path: &PathBuf, key: u64, value: T) {
    match cache.get_mut(path) {
        Some(entry) if entry.0 == key => {}
        Some(entry) => *entry = (key, value),
        None => {
            cache.insert(path.clone(), (key, value));
        }
    }
}

/// Moves generated bytes behind an `Arc`, so that keeping them costs no copy.
fn shared(file: OutputFile) -> OutputFile {
    match file.contents {
        Contents::Bytes(bytes) => OutputFile { path: file.path, contents: Contents::Shared(Arc::from(bytes)) },
        _ => file,
    }
}

fn source_of(page: &Page) -> markdown::PageSource<'_> {
    debug_assert!(!page.body_released, "serve loads pages with Bodies::Keep");
    markdown::PageSource { path: &page.path, text: &page.text, dir: &page.dir, body_offset: page.body_offset }
}

/// What templates show about pages other than the one being rendered: listings, navigation,
/// breadcrumbs and tags. A page's HTML is reused only while this stays the same.
fn structure_of(pages: &[Page]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for page in pages {
        let front = &page.front_matter;
        (&page.route, page.kind, &front.title, &front.description).hash(&mut hasher);
        (front.date, front.updated, front.weight, &front.tags).hash(&mut hasher);
    }
    hasher.finish()
}

/// The site-relative paths of `paths` when every one is a Markdown page (or a page that was
/// deleted); `None` when anything else changed.
fn markdown_pages(config: &Config, paths: &[PathBuf]) -> Option<Vec<(PathBuf, PathBuf)>> {
    let mut pages = Vec::new();
    for path in paths {
        let inside = path.strip_prefix(&config.content_dir).ok()?;
        let is_page = path.extension().is_some_and(|e| e == "md") && !path.is_dir();
        let hidden = inside.components().any(|c| content::is_hidden_or_private(c.as_os_str()));
        if !is_page || hidden || content::is_editor_temp_file(path) {
            return None;
        }
        pages.push((path.clone(), config.relative(path).to_path_buf()));
    }
    Some(pages)
}

/// Reads the named pages again; a page whose file is gone is removed.
fn reload_pages(config: &Config, loaded: &mut Loaded, paths: &[(PathBuf, PathBuf)]) -> Result<(), Errors> {
    let mut errors = Errors::default();
    for (absolute, relative) in paths {
        loaded.content.pages.retain(|p| &p.path != relative);
        loaded.texts.remove(relative);
        if !absolute.is_file() {
            continue;
        }
        let parsed = content::read_text_as(absolute, relative).and_then(|text| Page::parse(relative, text));
        match parsed {
            Ok(page) if page.front_matter.draft && !config.drafts => {}
            Ok(page) => {
                loaded.texts.insert(page.path.clone(), hash_of(&page.text));
                loaded.content.pages.push(page);
            }
            Err(err) => errors.push(err),
        }
    }
    errors.extend(content::check_pages(&mut loaded.content.pages));
    errors.into_result(())
}

fn load_everything(config: &Config, config_hash: u64, generation: u64) -> Result<Loaded, Errors> {
    let (content, figures, theme) = super::load_inputs(config, content::Bodies::Keep)?;
    let texts = content.pages.par_iter().map(|p| (p.path.clone(), hash_of(&p.text))).collect();
    Ok(Loaded { config: config_hash, content, texts, figures, theme, generation })
}
