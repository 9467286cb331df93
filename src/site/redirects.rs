//! Old URLs kept alive: a redirect page at each `aliases` entry, at the URL of each page with
//! `redirect_to`, and at a paginated section's `page/1/`; and the same list in `_redirects`, the
//! file Netlify and Cloudflare Pages read (`/old/ /new/ 301`, with the base path).
//!
//! Targets are resolved here, once every page and output file is known, so a redirect to a
//! page or file the site does not have is an error at the page's `redirect_to` line.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::model::url_of;
use super::{SiteModel, listing};
use crate::config::Config;
use crate::content::{Page, RedirectTarget};
use crate::error::{Errors, Location};
use crate::markdown::AnchorLink;
use crate::output::OutputPath;

/// A redirect page that is not itself a page in `content/`: an alias or a section's `page/1/`.
pub(super) struct Redirect {
    pub from: OutputPath,
    /// The old URL, with the base path: `/strike/old/path/`.
    pub from_url: String,
    pub target: Target,
}

/// Where a redirect leads.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// As links on the site write it: `/strike/new/#part`, or a URL off the site.
    pub url: String,
    /// Absolute.
    pub permalink: String,
    pub title: String,
}

/// The aliases of every page and the `page/1/` of every paginated section.
pub(super) fn aliases(config: &Config, model: &SiteModel, pages: &[Page]) -> Vec<Redirect> {
    let mut redirects = Vec::new();
    for page in pages {
        let target = Target {
            url: url_of(config, &page.route),
            permalink: format!("{}/{}", config.base_url, page.route),
            title: page.title().to_string(),
        };
        for alias in &page.front_matter.aliases {
            redirects.push(Redirect {
                from: alias.output_path(),
                from_url: format!("{}/{}", config.base_path, alias.as_str()),
                target: target.clone(),
            });
        }
        let n_listed = model.n_children(&page.route);
        if !listing::pagers(page, n_listed).is_empty() {
            let route = listing::first_pager_alias(page);
            if let Ok(from) = OutputPath::index_of(&route) {
                redirects.push(Redirect { from, from_url: url_of(config, &route), target: target.clone() });
            }
        }
    }
    redirects
}

/// Where each page with `redirect_to` leads, by path; a target the site does not have is an
/// error at the page's `redirect_to`. Links to an anchor of another page are returned to be
/// checked with the other anchors.
pub(super) fn resolve_targets(
    config: &Config,
    model: &SiteModel,
    pages: &[Page],
    outputs: &HashSet<OutputPath>,
) -> Result<HashMap<PathBuf, (Target, Option<AnchorLink>)>, Errors> {
    let mut targets = HashMap::new();
    let mut errors = Errors::default();
    for page in pages {
        let Some(redirect) = &page.front_matter.redirect_to else { continue };
        match resolve(config, model, pages, page, redirect, outputs) {
            Ok(target) => {
                targets.insert(page.path.clone(), target);
            }
            Err(message) => errors.push(page.error_at_key("redirect_to", message)),
        }
    }
    errors.into_result(targets)
}

fn resolve(
    config: &Config,
    model: &SiteModel,
    pages: &[Page],
    page: &Page,
    redirect: &RedirectTarget,
    outputs: &HashSet<OutputPath>,
) -> Result<(Target, Option<AnchorLink>), String> {
    let own_title = page.title().to_string();
    match redirect {
        RedirectTarget::Url(url) => Ok((Target { url: url.clone(), permalink: url.clone(), title: own_title }, None)),
        RedirectTarget::SitePath(written) => {
            let (path, fragment) = split_fragment(written);
            let inside = path.trim_start_matches('/');
            let candidates: Vec<String> = match inside {
                "" => vec!["index.html".to_string()],
                _ if inside.ends_with('/') => vec![format!("{inside}index.html")],
                _ => vec![inside.to_string(), format!("{inside}/index.html")],
            };
            let found = candidates.iter().find(|c| OutputPath::new(c).is_ok_and(|p| outputs.contains(&p)));
            let Some(found) = found else {
                let urls: Vec<String> = model.routes().map(|route| format!("/{route}")).collect();
                let known: Vec<&str> = urls.iter().map(String::as_str).collect();
                return Err(match crate::error::did_you_mean(path, &known) {
                    Some(hint) => format!(
                        "`redirect_to` leads to `{path}`, which this site does not have; did you mean `{hint}`?"
                    ),
                    None => format!("`redirect_to` leads to `{path}`, which this site does not have; fix the path"),
                });
            };
            if OutputPath::index_of(&page.route).is_ok_and(|own| own.as_str() == found.as_str()) {
                return Err(format!("`redirect_to` leads to `{path}`, this page's own URL; point it elsewhere"));
            }
            let route = found.strip_suffix("index.html").unwrap_or(found);
            let title = model.page_at(route).map_or(own_title, |p| p.title().to_string());
            Ok((
                Target {
                    url: format!("{}{path}{fragment}", config.base_path),
                    permalink: format!("{}{path}{fragment}", config.base_url),
                    title,
                },
                None,
            ))
        }
        RedirectTarget::File(written) => {
            let (file, fragment) = split_fragment(written);
            let target = crate::normalize(&page.dir.join(file));
            let Some(route) = pages.iter().find(|p| p.path == target).map(|p| &p.route) else {
                return Err(format!(
                    "`redirect_to` names `{}`, which does not exist or is a draft; fix the path",
                    target.display()
                ));
            };
            if *route == page.route {
                return Err("`redirect_to` names this page itself; point it elsewhere".to_string());
            }
            let title = model.page_at(route).map_or(own_title, |p| p.title().to_string());
            let anchor = fragment.strip_prefix('#').filter(|a| !a.is_empty()).map(|anchor| AnchorLink {
                url: route.clone(),
                fragment: anchor.to_string(),
                offset: offset_of_key(page, "redirect_to"),
                written: written.to_string(),
                context: Some("`redirect_to`".to_string()),
            });
            Ok((
                Target {
                    url: format!("{}{fragment}", url_of(config, route)),
                    permalink: format!("{}/{route}{fragment}", config.base_url),
                    title,
                },
                anchor,
            ))
        }
    }
}

/// `text` split before its `#fragment` (which keeps its `#`).
fn split_fragment(text: &str) -> (&str, &str) {
    match text.find('#') {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    }
}

/// The byte offset of the front matter key `key` in the page's file (0 if it is not there).
fn offset_of_key(page: &Page, key: &str) -> usize {
    let Some(Location { line, column }) = crate::content::front_matter::key_location(&page.text, key) else {
        return 0;
    };
    let line_start: usize = page.text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    line_start + column.saturating_sub(1)
}

/// Characters written percent-encoded in `_redirects`, where a space ends the path.
const ENCODED: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`').add(b'{').add(b'}');

/// `_redirects` for Netlify and Cloudflare Pages: `from to 301` per redirect, sorted by the old
/// URL, after the lines of the theme's own `_redirects` (`theme_lines`), if it has one.
pub(super) fn redirects_file(mut lines: Vec<(String, String)>, theme_lines: Option<&str>) -> String {
    lines.sort();
    lines.dedup();
    let mut text = String::new();
    if let Some(theme_lines) = theme_lines {
        text.push_str(theme_lines.trim_end());
        text.push('\n');
    }
    text.push_str("# Written by picket from `aliases` and `redirect_to`.\n");
    for (from, to) in lines {
        let to = match to.contains("://") {
            true => to,
            false => utf8_percent_encode(&to, ENCODED).to_string(),
        };
        text.push_str(&format!("{} {to} 301\n", utf8_percent_encode(&from, ENCODED)));
    }
    text
}
