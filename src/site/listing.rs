//! What sections show of the pages they list: summaries, pagination and previous/next links.
//!
//! Summaries are rendered before the pages, since a section needs the summaries of its pages
//! while the pages themselves render in parallel. A summary is the Markdown before the page's
//! `<!-- more -->`, rendered like the page and made fit for any other page: its ids are removed
//! (they would repeat the page's own) and its `#anchor` links lead to the page.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::SiteModel;
use super::model::url_of;
use crate::config::Config;
use crate::content::Page;
use crate::error::{Error, Errors};
use crate::markdown::{self, Rendered};
use crate::output::OutputPath;
use crate::render::{Link, PagerLink, Paginator, Summary};

/// The rendered summary of every page that has a `<!-- more -->` marker, by path; errors in the
/// summaries are returned apart, to be reported only if the pages themselves render.
pub(super) fn render_summaries(
    ctx: &markdown::Context,
    config: &Config,
    pages: &[Page],
) -> (HashMap<PathBuf, String>, Errors) {
    let results: Vec<(PathBuf, Result<String, Errors>)> = pages
        .par_iter()
        .filter(|page| page.summary_end.is_some() && page.front_matter.redirect_to.is_none())
        .map(|page| {
            let html = render_summary(ctx, config, page).map(|r| summary_html(config, page, &r));
            (page.path.clone(), html)
        })
        .collect();
    let mut summaries = HashMap::with_capacity(results.len());
    let mut errors = Errors::default();
    for (path, result) in results {
        match result {
            Ok(html) => {
                summaries.insert(path, html);
            }
            Err(e) => errors.extend(e.0.into_iter().map(in_summary)),
        }
    }
    (summaries, errors)
}

/// Renders the Markdown of `page` up to its summary marker, with the page's footnote
/// definitions, so that a note referred to in the summary is a link to it rather than `[^1]`.
pub(super) fn render_summary(ctx: &markdown::Context, config: &Config, page: &Page) -> Result<Rendered, Errors> {
    let end = page.summary_end.expect("only pages with a summary marker are rendered");
    let text = page.full_text(&config.root)?;
    let end = end.min(text.len());
    let mut summary = text[..end].to_string();
    let rest = &text[end..];
    if rest.contains("[^") {
        let parser = pulldown_cmark::Parser::new_ext(rest, markdown::options()).into_offset_iter();
        for (event, range) in parser {
            if let pulldown_cmark::Event::Start(pulldown_cmark::Tag::FootnoteDefinition(_)) = event {
                summary.push_str("\n\n");
                summary.push_str(&rest[range]);
            }
        }
    }
    let source = markdown::PageSource {
        path: &page.path,
        text: &summary,
        dir: &page.dir,
        body_offset: page.body_offset,
        route: &page.route,
    };
    markdown::render(ctx, &source)
}

/// The summary of `page` as listings show it.
pub(super) fn summary_html(config: &Config, page: &Page, rendered: &Rendered) -> String {
    listing_html(&rendered.html, &url_of(config, &page.route))
}

/// An error of a summary that the whole page does not have: the summary cuts the page short.
pub(super) fn in_summary(mut err: Error) -> Error {
    err.message = format!(
        "{} (in the summary: the text before `{}` must make sense on its own; move the marker)",
        err.message,
        crate::content::SUMMARY_MARKER
    );
    err
}

/// `html` made fit to show on another page: without the notes section and without ids, and
/// with `#anchor` links leading to `page_url`.
pub(super) fn listing_html(html: &str, page_url: &str) -> String {
    let html = match html.rfind("<section class=\"footnotes\"") {
        Some(at) => &html[..at],
        None => html,
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |i| i + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest);
        out.push_str(&clean_tag(&rest[..end], page_url));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.trim_end().to_string()
}

/// The length of the tag at the start of `text`, quotes respected.
fn tag_end(text: &str) -> usize {
    let mut quote = None;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    text.len()
}

/// A tag without its `id` and with same-page links made links to `page_url`.
fn clean_tag(tag: &str, page_url: &str) -> String {
    let mut tag = tag.to_string();
    while let Some(at) = tag.find(" id=\"") {
        let value_end = tag[at + 5..].find('"').map_or(tag.len(), |i| at + 5 + i + 1);
        tag.replace_range(at..value_end, "");
    }
    tag.replace(" href=\"#", &format!(" href=\"{page_url}#"))
}

/// A description shown as a summary: one paragraph of escaped text.
pub(super) fn description_html(description: &str) -> String {
    if description.is_empty() {
        return String::new();
    }
    let mut html = String::from("<p>");
    pulldown_cmark_escape::escape_html(&mut html, description).expect("writing to a string cannot fail");
    html.push_str("</p>");
    html
}

/// One page of a paginated listing.
#[derive(Debug, Clone)]
pub(super) struct Pager {
    pub number: usize,
    /// Its URL below the base path: the section's own for the first.
    pub route: String,
    pub output: OutputPath,
}

/// The pages of `section`'s listing of `n_listed` pages; empty when it is not paginated.
/// The first stays at the section's URL, the others are at `page/2/`, `page/3/`...
pub(super) fn pagers(section: &Page, n_listed: usize) -> Vec<Pager> {
    let Some(per_page) = section.front_matter.paginate_by.filter(|n| *n > 0) else {
        return Vec::new();
    };
    let n_pagers = n_listed.div_ceil(per_page).max(1);
    (1..=n_pagers)
        .filter_map(|number| {
            let route = match number {
                1 => section.route.clone(),
                _ => format!("{}page/{number}/", section.route),
            };
            OutputPath::index_of(&route).ok().map(|output| Pager { number, route, output })
        })
        .collect()
}

/// Whether `section` splits its listing into pages.
pub(super) fn is_paginated(section: &Page) -> bool {
    section.front_matter.paginate_by.is_some_and(|n| n > 0)
}

/// The route of the first page's old-style URL, `page/1/`, which redirects to the section.
pub(super) fn first_pager_alias(section: &Page) -> String {
    format!("{}page/1/", section.route)
}

/// `page.paginator` for pager `index` of `pagers`.
pub(super) fn paginator(
    config: &Config,
    pagers: &[Pager],
    index: usize,
    per_page: usize,
    listed: &[Summary],
) -> Paginator {
    let url = |pager: &Pager| url_of(config, &pager.route);
    let start = (index * per_page).min(listed.len());
    let end = (start + per_page).min(listed.len());
    Paginator {
        current: index + 1,
        number_of_pages: pagers.len(),
        paginate_by: per_page,
        total_pages: listed.len(),
        first: url(&pagers[0]),
        last: url(&pagers[pagers.len() - 1]),
        previous: index.checked_sub(1).map(|i| url(&pagers[i])),
        next: pagers.get(index + 1).map(url),
        pages: listed[start..end].to_vec(),
        links: pagers
            .iter()
            .enumerate()
            .map(|(i, pager)| PagerLink { number: pager.number, url: url(pager), current: i == index })
            .collect(),
    }
}

/// The pages before and after `page` in its section's order, leaving out redirects.
pub(super) fn neighbours(config: &Config, model: &SiteModel, page: &Page) -> (Option<Link>, Option<Link>) {
    let Some(parent) = super::model::parent_route(page) else { return (None, None) };
    let siblings: Vec<&Page> =
        model.children(&parent).filter(|p| p.front_matter.redirect_to.is_none() || p.path == page.path).collect();
    let Some(at) = siblings.iter().position(|p| p.path == page.path) else { return (None, None) };
    let link = |p: &Page| Link { title: crate::typography::smart(p.title()), url: url_of(config, &p.route) };
    let previous = at.checked_sub(1).map(|i| link(siblings[i]));
    let next = siblings.get(at + 1).map(|p| link(p));
    (previous, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_lose_ids_and_notes_and_their_anchors_lead_to_the_page() {
        let html = "<h2 id=\"intro\">Intro</h2>\n<p>See <a href=\"#intro\">this</a><sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">[1]</a></sup> and <a href=\"/x/\">x</a>.</p>\n<section class=\"footnotes\" aria-labelledby=\"footnotes-heading\">\n<h2 id=\"footnotes-heading\">Notes</h2></section>\n";
        assert_eq!(
            listing_html(html, "/p/"),
            "<h2>Intro</h2>\n<p>See <a href=\"/p/#intro\">this</a><sup class=\"footnote-ref\"><a href=\"/p/#fn-1\">[1]</a></sup> and <a href=\"/x/\">x</a>.</p>"
        );
    }

    #[test]
    fn text_that_looks_like_an_attribute_is_left_alone() {
        assert_eq!(listing_html("<p>write id=\"x\" here</p>", "/p/"), "<p>write id=\"x\" here</p>");
    }
}
