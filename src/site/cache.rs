//! The build cache: what a build takes from the one before instead of making it again.
//!
//! Every product is keyed by a hash of exactly what it was made from: the bytes of the page, of
//! the data files and templates, the site's structure (routes and front matter of every page),
//! the configuration and picket's own build. A product is reused only when making it again would
//! give the same bytes, so a rebuild always equals a clean build. File times are used for one
//! thing only: to know, without reading it, that a page's file is the one read last time (see
//! `FileStamp`); anything else is compared by its bytes. It may be empty (`check`, the tests), kept in memory between rebuilds (`serve`) or kept
//! on disk between builds (`build`, see `disk`). It counts what it reuses (`Reuse`), so that a
//! cache that silently stopped hitting shows in the tests.
//!
//! Loading is scoped: the watcher names the pages that changed (`Scope`), and only those are read
//! again. Data files and templates are few, so they are always read and hashed; only their
//! parsing is skipped when their bytes are the same.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Bodies, Content, Page};
use crate::error::{Error, Errors};
use crate::figures::{self, Figures};
use crate::markdown::{self, Highlighter, Rendered};
use crate::output::{OutputPath, Stamp};
use crate::render::Theme;

pub(crate) mod disk;

use disk::{Disk, PackEntry};

/// What a rebuild must read again. The watcher decides it; a build without one reads everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Read every input again: the first build, lost events, a folder replaced.
    pub everything: bool,
    /// Something under `content/` other than a Markdown page changed (an asset, a folder): walk
    /// `content/` again. Pages whose bytes did not change are still not parsed again.
    pub content: bool,
    /// Markdown pages saved, added or removed since the last build (absolute paths).
    pub pages: Vec<PathBuf>,
}

impl Scope {
    pub fn everything() -> Scope {
        Scope { everything: true, ..Scope::default() }
    }
}

/// A product of an earlier build with the key of what it was made from.
#[derive(Debug, Clone)]
pub(crate) struct Keyed<T> {
    pub key: u64,
    pub value: T,
}

/// Where a file an earlier build made can be found again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Product {
    /// Its bytes, held in memory (`serve`).
    #[serde(skip)]
    Bytes(Arc<[u8]>),
    /// The file in the output folder, as it was when this build wrote it (`build`).
    File(Stamp),
}

/// How much of the last build came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Pages whose files were read (the others' stamps showed them unchanged; see `FileStamp`).
    pub pages_read: usize,
    pub pages_parsed: usize,
    pub pages_reused: usize,
    pub markdown_rendered: usize,
    pub markdown_reused: usize,
    pub files_made: usize,
    pub files_reused: usize,
    /// Code blocks whose HTML came from an earlier build, not highlighted again.
    pub code_reused: usize,
    /// Whether the site's shape (listings, tags, navigation) and layout (output paths and URLs)
    /// came from the last build, its structure unchanged.
    pub structure_reused: bool,
}

/// The hashes of a page's file: of the whole text, and of its front matter alone (which the
/// pages that list it depend on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct PageHash {
    pub text: u64,
    pub front: u64,
    /// The file as it was when these hashes were taken, if it had settled by then.
    pub stamp: Option<FileStamp>,
}

/// What a page's file looked like when it was read: its inode, size, modification time and
/// status-change time, as git's index keeps them. A file whose stamp is the same is the same file
/// with the same bytes, and is not read again. The change time (`ctime`) cannot be set back by
/// any program (`touch -r`, `cp -p` and `rsync -t` set only the modification time), and every
/// write moves it. A stamp is kept only if both times were at least `SETTLED` before the file was
/// read: a file written again within the same tick of the file system's clock, with the same
/// size, would otherwise look unchanged. So a page saved just before a build is read again by
/// the next one too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    inode: u64,
    len: u64,
    modified_ns: i128,
    changed_ns: i128,
}

/// How long before a read a file's times must be for its stamp to be trusted: more than the
/// coarsest clock of a common file system (FAT's two seconds).
const SETTLED: std::time::Duration = std::time::Duration::from_secs(3);

impl FileStamp {
    /// The stamp of the file at `path` (following a link, as reading does); `None` where the
    /// system gives no change time, and then the file is always read.
    fn of(path: &Path) -> Option<FileStamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let metadata = std::fs::metadata(path).ok()?;
            let ns = |seconds: i64, nanos: i64| i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
            Some(FileStamp {
                inode: metadata.ino(),
                len: metadata.len(),
                modified_ns: ns(metadata.mtime(), metadata.mtime_nsec()),
                changed_ns: ns(metadata.ctime(), metadata.ctime_nsec()),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// Whether both of the file's times are at least `SETTLED` before `read_at`.
    fn settled_before(&self, read_at: std::time::SystemTime) -> bool {
        let Ok(read_at) = read_at.duration_since(std::time::UNIX_EPOCH) else { return false };
        let limit = read_at.as_nanos() as i128 - SETTLED.as_nanos() as i128;
        self.modified_ns < limit && self.changed_ns < limit
    }
}

/// A page's file read for a build: its text, the hash of its bytes, and its stamp if settled.
struct Read {
    text: String,
    hash: u64,
    stamp: Option<FileStamp>,
}

/// Reads the page at `absolute`; `read_at` is when this load began.
fn read_page(absolute: &Path, relative: &Path, read_at: std::time::SystemTime) -> Result<Read, Error> {
    // Stamped before reading: a write after this moves the change time past the stamp's.
    let stamp = FileStamp::of(absolute).filter(|stamp| stamp.settled_before(read_at));
    let text = content::read_text_as(absolute, relative)?;
    Ok(Read { hash: hash_bytes(text.as_bytes()), text, stamp })
}

/// The inputs of one build, with their hashes.
pub(crate) struct Loaded {
    pub content: Content,
    /// By page path (see `key`).
    pub hashes: HashMap<String, PageHash>,
    pub figures: Keyed<Arc<Figures>>,
    pub theme: Keyed<Arc<Theme>>,
    /// A hash of the theme's shortcode templates alone: all that Markdown reads of the theme.
    pub shortcodes: u64,
    /// The pages that could not be read or parsed: the rest of the site is made without them,
    /// so that every other error is reported too, and links to them are not errors.
    pub unread: Vec<PathBuf>,
}

/// The pages and assets of the last load. `complete` is false when some page failed to load:
/// then the next load walks `content/` again, whatever the scope.
struct Pages {
    content: Content,
    hashes: HashMap<String, PageHash>,
    /// The pages that could not be read or parsed (paths relative to the root).
    unread: Vec<PathBuf>,
    complete: bool,
}

/// What is kept from one build to the next.
pub struct Cache {
    bodies: Bodies,
    pub(crate) highlighter: Highlighter,
    pages: Option<Pages>,
    figures: Option<Keyed<Arc<Figures>>>,
    theme: Option<Keyed<Arc<Theme>>>,
    /// By page path (see `key`).
    pub(crate) markdown: HashMap<String, Keyed<Arc<Rendered>>>,
    pub(crate) products: HashMap<OutputPath, Keyed<Product>>,
    /// The site-wide files (404, tags, sitemap, feed) with the key they were made for.
    pub(crate) site_files: Option<(u64, Vec<(OutputPath, Product)>)>,
    /// The shape of the last build's site, and the output paths and URLs it makes.
    pub(crate) shape: Option<Arc<super::model::Shape>>,
    pub(crate) layout: Option<super::outputs::Layout>,
    /// Where each code block of `markdown` is, by its `markdown::code_key`: made when a build
    /// first looks one up, forgotten when the build starts (`markdown` changes in between).
    pub(crate) code_index: std::sync::OnceLock<HashMap<u64, (String, markdown::CodeBlock)>>,
    /// The key of the data the last good build checked typed numbers against: every page in
    /// `markdown` passed that check with that data (a page is stored only by a good build).
    pub(crate) numbers_checked: Option<u64>,
    pub(crate) reuse: Reuse,
    /// For `build`: the cache folder on disk, where Markdown HTML is kept rather than in memory.
    pub(crate) disk: Option<Disk>,
    /// Where each page's Markdown HTML is in the disk cache's pack.
    pub(crate) packed: HashMap<String, PackEntry>,
    /// Each page as the disk cache's index held it (JSON), with the hash of the text it was
    /// parsed from: written back as it is for a page whose text is the same, rather than made
    /// again.
    page_json: HashMap<String, (u64, String)>,
    /// Whether the last build dropped products of pages or files that are gone.
    forgot: bool,
    /// Whether rendered Markdown keeps its HTML in memory (`serve`), rather than in the disk
    /// cache or nowhere.
    keep_html: bool,
}

impl Cache {
    /// A cache that holds nothing yet, for a build whose page bodies are read again when they
    /// render (`build`, `check`): memory does not grow with the size of the pages.
    pub fn empty() -> Cache {
        Cache::new(Bodies::Release, false)
    }

    /// A cache for `serve`, which keeps page bodies and their rendered Markdown, since it renders
    /// the same pages again and again.
    pub fn in_memory() -> Cache {
        Cache::new(Bodies::Keep, true)
    }

    fn new(bodies: Bodies, keep_html: bool) -> Cache {
        Cache {
            keep_html,
            bodies,
            highlighter: Highlighter::default(),
            pages: None,
            figures: None,
            theme: None,
            markdown: HashMap::new(),
            products: HashMap::new(),
            site_files: None,
            shape: None,
            layout: None,
            code_index: std::sync::OnceLock::new(),
            numbers_checked: None,
            reuse: Reuse::default(),
            disk: None,
            packed: HashMap::new(),
            page_json: HashMap::new(),
            forgot: false,
        }
    }

    /// The cache `picket build` keeps beside `output` from one run to the next. A cache that
    /// cannot be used (another build of picket, another folder, cut short) starts out empty.
    pub fn on_disk(output: &Path) -> Result<Cache, Error> {
        let (disk, index) = Disk::open(output)?;
        let mut cache = Cache::empty();
        cache.site_files = index
            .site_files
            .map(|(key, files)| (key, files.into_iter().map(|(path, stamp)| (path, Product::File(stamp))).collect()));
        // The pages' JSON is parsed while the maps are filled.
        let (parsed, (products, (packed, markdown))) = rayon::join(
            // A page that does not read back is simply parsed again from its file.
            || -> Vec<(Page, PageHash, String)> {
                index
                    .pages
                    .into_par_iter()
                    .filter_map(|(json, hash)| serde_json::from_str::<Page>(&json).ok().map(|page| (page, hash, json)))
                    .collect()
            },
            || {
                rayon::join(
                    || disk::products(index.products),
                    || {
                        let mut packed = HashMap::with_capacity(index.markdown.len());
                        let mut markdown = HashMap::with_capacity(index.markdown.len());
                        for (path, key, rendered, entry) in index.markdown {
                            packed.insert(path.clone(), entry);
                            markdown.insert(path, Keyed { key, value: Arc::new(rendered) });
                        }
                        (packed, markdown)
                    },
                )
            },
        );
        (cache.products, cache.packed, cache.markdown) = (products, packed, markdown);
        let mut hashes = HashMap::with_capacity(parsed.len());
        let mut pages = Vec::with_capacity(parsed.len());
        cache.page_json.reserve(parsed.len());
        for (page, hash, json) in parsed {
            let key = key(&page.path).to_string();
            cache.page_json.insert(key.clone(), (hash.text, json));
            hashes.insert(key, hash);
            pages.push(page);
        }
        // Not complete: a build walks `content/` and reads every page; these only spare parsing.
        cache.pages =
            Some(Pages { content: Content { pages, assets: Vec::new() }, hashes, unread: Vec::new(), complete: false });
        cache.disk = Some(disk);
        Ok(cache)
    }

    /// Writes what this build made to the disk cache it was opened from, for the next build.
    pub fn save(mut self, output: &Path) -> Result<(), Error> {
        let Some(disk) = self.disk.take() else { return Ok(()) };
        // An index that already says all of this need not be written again.
        if !self.changed() && disk.had_index() {
            drop_later(self);
            return Ok(());
        }
        // The syntax set and its compiled grammars are the largest thing a build holds, and
        // the index needs none of it: freed first (here, so that the index can reuse the
        // memory), so that the two are never in memory at once.
        drop(std::mem::take(&mut self.highlighter));
        let mut index = disk::Index::new(output);
        index.markdown.reserve_exact(self.markdown.len());
        index.products.reserve_exact(self.products.len());
        let pages = self.pages.take().filter(|p| p.complete);
        if let Some(pages) = &pages {
            index.pages = pages
                .content
                .pages
                .par_iter()
                .filter_map(|page| {
                    let hash = pages.hashes.get(key(&page.path)).copied()?;
                    // A page is what its text parses to (for one build of picket, which the
                    // index is checked for): the same text, the same JSON.
                    let json = match self.page_json.get(key(&page.path)) {
                        Some((text, json)) if *text == hash.text => json.clone(),
                        _ => serde_json::to_string(page).ok()?,
                    };
                    Some((json, hash))
                })
                .collect();
        }
        for (path, markdown) in std::mem::take(&mut self.markdown) {
            if let Some(entry) = self.packed.get(&path) {
                let rendered = Arc::try_unwrap(markdown.value).unwrap_or_else(|shared| (*shared).clone());
                index.markdown.push((path, markdown.key, Rendered { html: String::new(), ..rendered }, entry.clone()));
            }
        }
        for (path, product) in std::mem::take(&mut self.products) {
            if let Product::File(stamp) = product.value {
                index.products.push((path, product.key, stamp));
            }
        }
        index.site_files = self.site_files.take().map(|(key, files)| {
            let stamps = files.into_iter().filter_map(|(path, product)| match product {
                Product::File(stamp) => Some((path, stamp)),
                Product::Bytes(_) => None,
            });
            (key, stamps.collect())
        });
        let saved = disk.save(&mut index);
        drop_later((self, pages, index));
        saved
    }

    /// `markdown` with its HTML, read back from the disk cache if it is kept there; `None` when
    /// the disk cache no longer holds it as it was written (then the page renders again).
    pub(crate) fn with_html(&self, path: &Path, markdown: &Arc<Rendered>) -> Option<Arc<Rendered>> {
        if self.keep_html {
            return Some(Arc::clone(markdown));
        }
        let (html, toc) = self.disk.as_ref()?.load(self.packed.get(key(path))?)?;
        Some(Arc::new(Rendered { html, toc, ..(**markdown).clone() }))
    }

    /// What to keep of a page's rendered Markdown once its HTML is written, and where its HTML
    /// went: `serve` keeps it all; `build` keeps the HTML and table of contents in the disk
    /// cache's pack and only what the checks and keys need in memory; a cache used once (`check`)
    /// keeps only that. So memory does not grow with the size of the pages.
    /// `at` is where the page's output file holds its HTML whole, if it does.
    pub(crate) fn keep_rendered(
        &self,
        rendered: Arc<Rendered>,
        at: Option<(&OutputPath, usize)>,
    ) -> Result<(Arc<Rendered>, Option<PackEntry>), Error> {
        if self.keep_html {
            return Ok((rendered, None));
        }
        let entry = match &self.disk {
            Some(disk) => Some(disk.store(&rendered.html, &rendered.toc, at)?),
            None => None,
        };
        let rendered = Arc::try_unwrap(rendered).unwrap_or_else(|shared| (*shared).clone());
        Ok((Arc::new(Rendered { html: String::new(), toc: Vec::new(), ..rendered }), entry))
    }

    /// The theme of the last build that loaded one.
    pub(crate) fn theme(&self) -> Option<Arc<Theme>> {
        self.theme.as_ref().map(|theme| Arc::clone(&theme.value))
    }

    /// How much of the last build came from the cache.
    pub fn reuse(&self) -> Reuse {
        self.reuse
    }

    /// Reads what `scope` says changed and takes the rest from the cache.
    /// Loads the pages, data and theme, reusing what is unchanged. A page that cannot be read or
    /// parsed does not stop the build: the rest of the site is loaded without it, and its errors
    /// are returned beside it, to be reported with everything else the build finds. Any other
    /// error stops it here.
    pub(crate) fn load(&mut self, config: &Config, scope: &Scope) -> Result<(Loaded, Errors), Errors> {
        let config_key = config_key(config);
        let previous_pages = self.pages.take();
        let (figures, theme) = (self.figures.take(), self.theme.take());
        let bodies = self.bodies;
        let (pages, (figures, theme)) = rayon::join(
            || load_pages(config, scope, previous_pages, bodies),
            || rayon::join(|| load_figures(config, figures), || load_theme(config, config_key, theme)),
        );
        let (pages, reuse, mut errors) = pages;
        self.reuse.pages_read = reuse.pages_read;
        self.reuse.pages_parsed = reuse.pages_parsed;
        self.reuse.pages_reused = reuse.pages_reused;
        let figures = figures.map_err(|e| errors.extend(e.0)).ok();
        let theme = theme.map_err(|e| errors.extend(e.0)).ok();
        // Errors only of pages that could not be read: the build goes on without those pages.
        let of_unread = errors.0.iter().all(|e| e.path.as_ref().is_some_and(|path| pages.unread.contains(path)));
        match (of_unread, figures, theme) {
            (true, Some(figures), Some((theme, shortcodes))) => Ok((
                Loaded {
                    content: pages.content,
                    hashes: pages.hashes,
                    figures,
                    theme,
                    shortcodes,
                    unread: pages.unread,
                },
                errors,
            )),
            (_, figures, theme) => {
                // Keep what did load, so that the next build reads only what must be fixed.
                self.pages = Some(Pages { complete: false, ..pages });
                self.figures = figures;
                self.theme = theme.map(|(theme, _)| theme);
                Err(errors)
            }
        }
    }

    /// Keeps the inputs of a build for the next one, with the products it made.
    pub(crate) fn keep(&mut self, loaded: Loaded, complete: bool) {
        self.pages = Some(Pages { content: loaded.content, hashes: loaded.hashes, unread: loaded.unread, complete });
        self.figures = Some(loaded.figures);
        self.theme = Some(loaded.theme);
    }

    /// Forgets the products of pages and files that are gone.
    pub(crate) fn forget_all_but(&mut self, pages: &HashSet<&str>, outputs: &HashSet<&OutputPath>) {
        let before = (self.markdown.len(), self.products.len());
        self.markdown.retain(|path, _| pages.contains(path.as_str()));
        self.products.retain(|path, _| outputs.contains(path));
        self.forgot = before != (self.markdown.len(), self.products.len());
    }

    /// Whether the last build made or forgot anything, so that the disk cache must be written.
    fn changed(&self) -> bool {
        let reuse = self.reuse;
        // A page read again has a new stamp to remember, even when its bytes are the same.
        self.forgot
            || reuse.pages_read > 0
            || reuse.pages_parsed > 0
            || reuse.markdown_rendered > 0
            || reuse.files_made > 0
    }
}

/// A code block this cache's Markdown holds, found through `code_index` (made on the first
/// lookup of a build, from every page's list of blocks). Taken from the HTML in memory, or read
/// back from the disk cache's pack, checked against its hash there.
impl markdown::KnownCode for Cache {
    fn code_html(&self, key: u64) -> Option<String> {
        let index = self.code_index.get_or_init(|| {
            let mut index = HashMap::new();
            for (path, markdown) in &self.markdown {
                for block in &markdown.value.code_blocks {
                    index.entry(block.key).or_insert_with(|| (path.clone(), *block));
                }
            }
            index
        });
        let (path, block) = index.get(&key)?;
        let markdown = self.markdown.get(path)?;
        let range = block.start..block.start.checked_add(block.len)?;
        let html = if self.keep_html {
            markdown.value.html.get(range)?.to_string()
        } else {
            let (html, _) = self.disk.as_ref()?.load(self.packed.get(path)?)?;
            html.get(range)?.to_string()
        };
        (html.starts_with("<pre") && html.ends_with("</pre>\n")).then_some(html)
    }
}

/// Drops `value` on a thread of its own. A build's cache holds every page, its Markdown and the
/// syntax set: freeing it all takes tens of milliseconds at 10,000 pages, which the build need
/// not wait for (when the process ends first, the system takes the memory back at once).
fn drop_later<T: Send + 'static>(value: T) {
    // When no thread can be started, `value` is dropped here, with the closure that holds it.
    let _ = std::thread::Builder::new().name("picket-drop".to_string()).spawn(move || drop(value));
}

/// A hash of everything in `value`. Keys are only ever compared with keys made by the same
/// build of picket (`PICKET_BUILD_ID` is part of every key), so the hash needs no stability beyond
/// that.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    env!("PICKET_BUILD_ID").hash(&mut hasher);
    value.hash(&mut hasher);
    hasher.finish()
}

/// A page's path as the key of the cache's maps. Paths of pages are UTF-8 (`content::walk`
/// refuses other names), and a string hashes and compares far faster than a `Path`, whose `Hash`
/// walks its components.
pub(crate) fn key(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// A hash of bytes, for page texts.
fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// What every product depends on in the configuration.
pub(crate) fn config_key(config: &Config) -> u64 {
    hash_of(&format!("{config:?}"))
}

fn page_hash(page: &Page, text: &str) -> PageHash {
    PageHash { text: hash_bytes(text.as_bytes()), front: hash_bytes(&text.as_bytes()[..page.body_offset]), stamp: None }
}

/// Parses a page, releasing its body if the build does not keep bodies.
fn parse_page(relative: &Path, text: String, bodies: Bodies) -> Result<(Page, PageHash), Errors> {
    let mut page = Page::parse(relative, text)?;
    let hash = page_hash(&page, &page.text);
    if bodies == Bodies::Release {
        page.release_body();
    }
    Ok((page, hash))
}

#[derive(Default)]
struct PageReuse {
    pages_read: usize,
    pages_parsed: usize,
    pages_reused: usize,
}

/// The pages and assets of `content/`: only the pages `scope` names are read again when the
/// last load is complete; otherwise `content/` is walked and every page read, but a page whose
/// bytes did not change is taken from `previous` rather than parsed again.
fn load_pages(config: &Config, scope: &Scope, previous: Option<Pages>, bodies: Bodies) -> (Pages, PageReuse, Errors) {
    match previous {
        Some(previous) if previous.complete && !scope.everything && !scope.content => {
            match reload_named(config, &scope.pages, previous, bodies) {
                Ok(result) => result,
                Err(previous) => walk_pages(config, Some(previous), bodies),
            }
        }
        previous => walk_pages(config, previous, bodies),
    }
}

/// Reads the pages `named` again into `previous`; `Err(previous)` when a named path is a folder
/// (or was one), since then a walk must find what it holds.
#[allow(clippy::result_large_err)]
fn reload_named(
    config: &Config,
    named: &[PathBuf],
    mut previous: Pages,
    bodies: Bodies,
) -> Result<(Pages, PageReuse, Errors), Pages> {
    let mut errors = Errors::default();
    let mut reuse = PageReuse::default();
    let mut unread = Vec::new();
    let read_at = std::time::SystemTime::now();
    for absolute in named {
        let Ok(inside) = absolute.strip_prefix(&config.content_dir) else { continue };
        let relative = config.relative(absolute).to_path_buf();
        // Compared as strings: `Path` compares component by component, slowly, and this runs
        // over every page on each save.
        let (name, folder) = (key(&relative), format!("{}/", key(&relative)));
        let holds_pages = previous.content.pages.iter().any(|p| key(&p.path).starts_with(&folder));
        if absolute.is_dir() || holds_pages {
            return Err(previous);
        }
        let ignored = inside.components().any(|c| content::is_hidden_or_private(c.as_os_str()))
            || content::is_editor_temp_file(absolute)
            || absolute.extension().is_none_or(|e| e != "md");
        if ignored {
            continue;
        }
        previous.content.pages.retain(|p| key(&p.path) != name);
        previous.hashes.remove(key(&relative));
        if !absolute.is_file() {
            continue;
        }
        reuse.pages_read += 1;
        reuse.pages_parsed += 1;
        let parsed = read_page(absolute, &relative, read_at).map_err(Errors::from).and_then(|read| {
            let (page, hash) = parse_page(&relative, read.text, bodies)?;
            Ok((page, PageHash { stamp: read.stamp, ..hash }))
        });
        match parsed {
            Ok((page, _)) if page.front_matter.draft && !config.drafts => {}
            Ok((page, hash)) => {
                previous.hashes.insert(key(&page.path).to_string(), hash);
                previous.content.pages.push(page);
            }
            Err(err) => {
                unread.push(relative);
                errors.extend(err.0);
            }
        }
    }
    reuse.pages_reused = previous.content.pages.len().saturating_sub(reuse.pages_parsed);
    errors.extend(content::check_pages(&mut previous.content.pages, &unread));
    let complete = errors.is_empty();
    Ok((Pages { complete, unread, ..previous }, reuse, errors))
}

/// Walks `content/`, reads every page whose stamp changed since `previous` and parses those
/// whose bytes changed.
fn walk_pages(config: &Config, previous: Option<Pages>, bodies: Bodies) -> (Pages, PageReuse, Errors) {
    let read_at = std::time::SystemTime::now();
    let found = content::find(config);
    let mut errors = Errors(found.errors);
    let (mut old_pages, old_hashes) = match previous {
        Some(previous) => {
            let pages: HashMap<String, Page> =
                previous.content.pages.into_iter().map(|p| (key(&p.path).to_string(), p)).collect();
            (pages, previous.hashes)
        }
        None => (HashMap::new(), HashMap::new()),
    };
    // Read and hash in parallel what may have changed; parse only what did.
    let texts: Vec<Result<Option<Read>, Error>> = found
        .pages
        .par_iter()
        .map(|(absolute, relative)| {
            let old = old_hashes.get(key(relative)).and_then(|hash| hash.stamp);
            if old.is_some() && old == FileStamp::of(absolute) && old_pages.contains_key(key(relative)) {
                return Ok(None);
            }
            read_page(absolute, relative, read_at).map(Some)
        })
        .collect();
    let mut to_parse = Vec::new();
    let mut pages = Vec::with_capacity(found.pages.len());
    let mut hashes = HashMap::with_capacity(found.pages.len());
    let mut reuse = PageReuse::default();
    let mut unread = Vec::new();
    for ((absolute, relative), text) in found.pages.iter().zip(texts) {
        let read = match text {
            Ok(read) => {
                reuse.pages_read += usize::from(read.is_some());
                read
            }
            Err(err) => {
                errors.push(err);
                unread.push(relative.clone());
                continue;
            }
        };
        let stamp = read.as_ref().map_or_else(|| old_hashes.get(key(relative)).and_then(|h| h.stamp), |r| r.stamp);
        let same = old_hashes.get(key(relative)).filter(|h| read.as_ref().is_none_or(|r| r.hash == h.text)).copied();
        match (same, old_pages.remove(key(relative)), read) {
            (Some(old_hash), Some(page), _) => {
                reuse.pages_reused += 1;
                hashes.insert(key(relative).to_string(), PageHash { stamp, ..old_hash });
                pages.push(page);
            }
            (_, _, Some(read)) => to_parse.push((relative, read)),
            // Not read because the last load holds it, which the match above takes: never here,
            // but reading it is right whatever happens.
            (_, _, None) => match read_page(absolute, relative, read_at) {
                Ok(read) => {
                    reuse.pages_read += 1;
                    to_parse.push((relative, read));
                }
                Err(err) => {
                    errors.push(err);
                    unread.push(relative.clone());
                }
            },
        }
    }
    reuse.pages_parsed = to_parse.len();
    type Parsed<'a> = (&'a PathBuf, Result<(Page, PageHash), Errors>);
    let parsed: Vec<Parsed> = to_parse
        .into_par_iter()
        .map(|(relative, read)| {
            let parsed = parse_page(relative, read.text, bodies);
            (relative, parsed.map(|(page, hash)| (page, PageHash { stamp: read.stamp, ..hash })))
        })
        .collect();
    for (relative, result) in parsed {
        match result {
            Ok((page, _)) if page.front_matter.draft && !config.drafts => {}
            Ok((page, hash)) => {
                hashes.insert(key(&page.path).to_string(), hash);
                pages.push(page);
            }
            Err(err) => {
                errors.extend(err.0);
                unread.push(relative.clone());
            }
        }
    }
    errors.extend(content::check_pages(&mut pages, &unread));
    let complete = errors.is_empty();
    (Pages { content: Content { pages, assets: found.assets }, hashes, unread, complete }, reuse, errors)
}

/// The data files, parsed again only when their bytes changed.
fn load_figures(config: &Config, previous: Option<Keyed<Arc<Figures>>>) -> Result<Keyed<Arc<Figures>>, Errors> {
    let files = figures::read(config)?;
    let key = hash_of(&files);
    match previous {
        Some(previous) if previous.key == key => Ok(previous),
        _ => Ok(Keyed { key, value: Arc::new(figures::parse(&files)?) }),
    }
}

/// The templates, parsed again only when their bytes (or the base path their `url()` uses)
/// changed, with a hash of the shortcode templates alone.
fn load_theme(
    config: &Config,
    config_key: u64,
    previous: Option<Keyed<Arc<Theme>>>,
) -> Result<(Keyed<Arc<Theme>>, u64), Errors> {
    let files = Theme::read(config)?;
    let key = hash_of(&(&files, config_key));
    let shortcodes: Vec<&(String, String)> = files.iter().filter(|(name, _)| name.starts_with("shortcodes/")).collect();
    let shortcodes = hash_of(&(shortcodes, config_key));
    match previous {
        Some(previous) if previous.key == key => Ok((previous, shortcodes)),
        _ => {
            let dir = config.relative(&config.theme_dir.join(crate::render::TEMPLATES)).to_path_buf();
            Ok((Keyed { key, value: Arc::new(Theme::parse(config, &dir, files)?) }, shortcodes))
        }
    }
}
