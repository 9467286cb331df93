//! The list of output files: besides the pages, picket's own files (sitemap, robots.txt, the
//! feed, `_redirects`, the highlight stylesheet), the theme's static files and the assets of
//! `content/`; and the check, before anything is written, that no two of them share a path and
//! no file stands where another needs a folder.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::content::{self, Content, Page};
use crate::error::{Error, Errors};
use crate::links::Urls;
use crate::markdown::{self, Highlighter};
use crate::output::{Contents, OutputFile, OutputPath};
use crate::render::{self, FeedEntry};
use crate::typography::smart;

use super::model::{SiteModel, iso, url_of};
use super::{listing, page_output_path, redirects};

/// The theme's own `_redirects`, which picket's lines are added to.
pub(super) const REDIRECTS_FILE: &str = "_redirects";

/// `_redirects` with every redirect of the site, or `None` when it has none.
pub(super) fn redirects_file(
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
pub(super) fn has_redirects(pages: &[Page]) -> bool {
    pages.iter().any(|p| {
        !p.front_matter.aliases.is_empty()
            || p.front_matter.redirect_to.is_some()
            || p.front_matter.paginate_by.is_some_and(|n| n > 0)
    })
}

/// sitemap.xml, robots.txt, atom.xml, and the highlight stylesheet when a page has code.
/// Redirects are in neither the sitemap nor the feed; every page of a paginated listing is in
/// the sitemap.
pub(super) fn site_files(config: &Config, model: &SiteModel, pages: &[Page], has_code: bool) -> Vec<OutputFile> {
    let date = |p: &Page| p.front_matter.updated.or(p.front_matter.date);
    let pages: Vec<&Page> = pages.iter().filter(|p| p.front_matter.redirect_to.is_none()).collect();
    let mut urls: Vec<(String, Option<String>)> = Vec::with_capacity(pages.len());
    for page in &pages {
        let n_listed = model.n_children(&page.route);
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
pub(super) fn static_files(config: &Config, content: &Content) -> Result<Vec<OutputFile>, Errors> {
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
pub(super) enum Origin<'a> {
    Picket,
    File(PathBuf),
    Page(&'a Path),
    Key(&'a Page, String),
}

impl Origin<'_> {
    pub(crate) fn error(&self, message: String) -> Error {
        match self {
            Origin::Picket => Error::msg(message),
            Origin::File(path) => Error::in_file(path, message),
            Origin::Page(path) => Error::in_file(path, message),
            Origin::Key(page, key) => page.error_at_key(key, message),
        }
    }
}

/// What makes an output file, in words for a message; written out only when one is needed.
pub(super) enum What<'a> {
    Page(&'a Path),
    Pager(usize, &'a Path),
    FirstPager(&'a Path),
    Alias(&'a str, &'a Path),
    Picket,
    Tag(&'a str),
    File(PathBuf),
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Page(path) => write!(f, "the page `{}`", path.display()),
            What::Pager(number, path) => write!(f, "page {number} of the listing of `{}`", path.display()),
            What::FirstPager(path) => write!(f, "the redirect from page 1 of the listing of `{}`", path.display()),
            What::Alias(alias, path) => write!(f, "the alias `{alias}` of `{}`", path.display()),
            What::Picket => f.write_str("a file picket writes"),
            What::Tag(tag) => write!(f, "the tag `{tag}`"),
            What::File(path) => write!(f, "`{}`", path.display()),
        }
    }
}

/// Where everything the site's structure makes goes: every output path and URL. It depends only on
/// the structure (`key`: pages, routes, front matter, assets, the theme's static files, the
/// config), so a build whose structure did not change (a page's body saved) takes it from the
/// cache instead of making it again over every page.
#[derive(Clone)]
pub(crate) struct Layout {
    pub key: u64,
    /// Every path the build writes.
    pub outputs: Arc<HashSet<OutputPath>>,
    /// The output path of each page, in the order of `Content::pages`.
    pub page_outputs: Arc<Vec<OutputPath>>,
    pub urls: Arc<Urls>,
    /// A hash of `urls`, for the cache keys of Markdown (links resolve through them).
    pub urls_hash: u64,
}

/// Two things that would be written to one path, or a file where another needs a folder, are an
/// error before anything is rendered. Returns every path the build will write, in a `Layout`
/// for the structure `key`. Pages in `unread` could not be read: links to them are not errors.
pub(super) fn check_output_paths(
    config: &Config,
    content: &Content,
    model: &SiteModel,
    statics: &[OutputFile],
    unread: &[PathBuf],
    key: u64,
) -> Result<Layout, Errors> {
    // What would be written where, what makes it, and where to point the editor.
    let mut errors = Errors::default();
    let mut paths: Vec<(OutputPath, What, Origin)> = Vec::with_capacity(content.pages.len() + content.assets.len() + 8);
    let mut urls = Urls::default();
    let mut page_outputs = Vec::with_capacity(content.pages.len());
    for page in &content.pages {
        urls.add_page(&page.path, &page.route);
        let n_listed = model.n_children(&page.route);
        let pagers = listing::pagers(page, n_listed);
        match page_output_path(page) {
            Ok(path) => {
                page_outputs.push(path.clone());
                paths.push((path, What::Page(&page.path), Origin::Page(&page.path)));
            }
            Err(err) => errors.push(err),
        }
        for pager in pagers.iter().skip(1) {
            let what = What::Pager(pager.number, &page.path);
            paths.push((pager.output.clone(), what, Origin::Key(page, "paginate_by".to_string())));
        }
        if !pagers.is_empty()
            && let Ok(path) = OutputPath::index_of(&listing::first_pager_alias(page))
        {
            paths.push((path, What::FirstPager(&page.path), Origin::Key(page, "paginate_by".to_string())));
        }
        for (index, alias) in page.front_matter.aliases.iter().enumerate() {
            let what = What::Alias(alias.as_str(), &page.path);
            paths.push((alias.output_path(), what, Origin::Key(page, format!("aliases/{index}"))));
        }
    }
    for name in ["404.html", "sitemap.xml", "robots.txt", "atom.xml", "highlight.css"] {
        let path = OutputPath::new(name).expect("picket's own file names are valid");
        paths.push((path, What::Picket, Origin::Picket));
    }
    if has_redirects(&content.pages) {
        let path = OutputPath::new(REDIRECTS_FILE).expect("picket's own file names are valid");
        paths.push((path, What::Picket, Origin::Picket));
    }
    for tag in model.tags() {
        let (tag, first) = (tag.name, tag.first());
        match OutputPath::new(&format!("tags/{}/index.html", markdown::slugify(tag))) {
            Ok(path) => paths.push((path, What::Tag(tag), Origin::Page(&first.path))),
            Err(_) => errors.push(first.error_at_key(
                "tags",
                format!("the tag `{tag}` has no letter or digit to make its URL from; add one or remove the tag"),
            )),
        }
    }
    if model.has_tags() {
        urls.add_file("tags/", None);
    }
    for file in statics {
        if let Contents::Copy(from) = &file.contents {
            let source = config.relative(from).to_path_buf();
            let in_content = source.starts_with("content").then(|| Path::new("content").join(file.path.as_str()));
            urls.add_file(file.path.as_str(), in_content.as_deref());
            paths.push((file.path.clone(), What::File(source.clone()), Origin::File(source)));
        }
    }
    let mut seen: HashMap<&str, (&What, &Origin)> = HashMap::with_capacity(paths.len());
    for (path, what, origin) in &paths {
        let Some((first, first_origin)) = seen.insert(path.as_str(), (what, origin)) else { continue };
        let message = format!("{first} and {what} would both be written to `{path}`; rename one of them");
        errors.push(pick_origin(first_origin, origin).error(message));
    }
    // A file cannot also be a folder: `old.png` copied from content/ and an alias `old.png/`.
    for (path, what, origin) in &paths {
        let mut folder = path.as_str();
        while let Some((parent, _)) = folder.rsplit_once('/') {
            folder = parent;
            if let Some((file_what, file_origin)) = seen.get(folder) {
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
    for path in unread {
        urls.add_unread_page(path, &content::route_of_file(path));
    }
    errors.into_result(())?;
    let urls_hash = super::cache::hash_of(&urls);
    Ok(Layout {
        key,
        outputs: Arc::new(paths.into_iter().map(|(path, _, _)| path).collect()),
        page_outputs: Arc::new(page_outputs),
        urls: Arc::new(urls),
        urls_hash,
    })
}

/// Which of two colliding outputs to point at: an alias line first, else the later file, else
/// the first (one of them is always an editor's).
pub(super) fn pick_origin<'a>(first: &'a Origin<'a>, later: &'a Origin<'a>) -> &'a Origin<'a> {
    match (first, later) {
        (_, Origin::Key(..)) => later,
        (Origin::Key(..), _) | (_, Origin::Picket) => first,
        _ => later,
    }
}
