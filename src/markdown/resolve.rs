//! Every link of a page through `links`: Markdown links and images, the `href` and `src` of raw
//! HTML written in the Markdown (rewritten when they name a file), and the links a theme
//! shortcode's HTML holds (reported at the call). Anchors are recorded for `site::check_anchors`.

use pulldown_cmark::CowStr;

use super::{AnchorLink, Context, Outputs, PageSource, State};
use crate::error::Error;
use crate::figures;
use crate::links::{self, Resolved};

/// Rewrites a link or image destination written in Markdown; records its anchor to check later.
/// `offset` is where the link starts in the page's file.
pub(super) fn resolve_link(
    ctx: &Context,
    page: &PageSource,
    dest: &str,
    offset: usize,
    shortcodes: &Outputs,
    state: &mut State,
) -> String {
    // A shortcode in the destination stands for the URL it writes; messages show the call.
    let dest_resolved = shortcodes.substitute(dest, |o, i| o.text[i].clone());
    let written = shortcodes.substitute(dest, |o, i| o.written[i].to_string());
    if let Some(scheme) = links::script_scheme(&dest_resolved) {
        let message = format!(
            "the link `{written}` is a `{scheme}` URL, which runs script or hides what it shows in the reader's browser; link to a page, a file or an `https://` address"
        );
        state.errors.push(Error::at_offset(page.path, page.text, offset, message));
        return String::new();
    }
    let from = links::From { source: page.path, dir: page.dir, route: page.route };
    match links::resolve_markdown(ctx.config, ctx.urls, &from, &dest_resolved, &written) {
        Resolved::External => dest_resolved,
        Resolved::Internal(target) => {
            if let Some(fragment) = target.fragment.filter(|f| !f.is_empty()) {
                state.anchor_links.push(AnchorLink { url: target.url, fragment, offset, written, context: None });
            }
            target.href
        }
        Resolved::Outside => dest_resolved,
        Resolved::Missing(message) => {
            state.errors.push(Error::at_offset(page.path, page.text, offset, message));
            dest_resolved
        }
    }
}

/// Resolves the `href` and `src` attributes of raw HTML written in Markdown, like Markdown
/// links: `<a href="pay.md">` becomes the page's URL, a missing target is an error at it.
pub(super) fn resolve_raw_html<'a>(
    ctx: &Context,
    page: &PageSource,
    html: CowStr<'a>,
    text: &str,
    range: std::ops::Range<usize>,
    to_file_offset: &dyn Fn(usize) -> usize,
    state: &mut State,
) -> CowStr<'a> {
    if !html.contains("href") && !html.contains("src") {
        return html;
    }
    // The event's text is the source itself unless the HTML sits in a quote or a list item;
    // then the value's place is only known to the line.
    let exact = text.get(range.clone()) == Some(&*html);
    let mut rewritten: Option<String> = None;
    let mut shift: isize = 0;
    for tag in links::start_tags(&html) {
        let Some(attribute) = links::link_attribute(&tag) else { continue };
        let Some((value, at)) = tag.attribute(attribute) else { continue };
        let offset = to_file_offset(if exact { range.start + at } else { range.start });
        let from = links::From { source: page.path, dir: page.dir, route: page.route };
        let href = match links::resolve_markdown(ctx.config, ctx.urls, &from, value, value) {
            Resolved::Internal(target) => {
                if let Some(fragment) = target.fragment.filter(|f| !f.is_empty()) {
                    state.anchor_links.push(AnchorLink {
                        url: target.url,
                        fragment,
                        offset,
                        written: value.to_string(),
                        context: None,
                    });
                }
                target.href
            }
            Resolved::External | Resolved::Outside => continue,
            Resolved::Missing(message) => {
                state.errors.push(Error::at_offset(page.path, page.text, offset, message));
                continue;
            }
        };
        if href == value {
            continue;
        }
        let out = rewritten.get_or_insert_with(|| html.to_string());
        let written_len = html[at..].find(['"', '\'', ' ', '>']).unwrap_or(html.len() - at);
        let start = (at as isize + shift) as usize;
        let escaped = figures::html::escape(&href);
        out.replace_range(start..start + written_len, &escaped);
        shift += escaped.len() as isize - written_len as isize;
    }
    match rewritten {
        Some(html) => html.into(),
        None => html,
    }
}

/// Resolves the links of HTML a shortcode wrote on the page; errors at `offset` (the call).
pub(super) fn check_output_links(
    ctx: &Context,
    page: &PageSource,
    tags: &[links::StartTag],
    offset: usize,
    call: &str,
    state: &mut State,
) {
    for tag in tags {
        let Some((href, _)) = links::link_attribute(tag).and_then(|attribute| tag.attribute(attribute)) else {
            continue;
        };
        match links::resolve_html(ctx.config, ctx.urls, page.route, href) {
            Resolved::Internal(target) => {
                if let Some(fragment) = target.fragment.filter(|f| !f.is_empty()) {
                    state.anchor_links.push(AnchorLink { url: target.url, fragment, offset, written: href.to_string(), context: None });
                }
            }
            Resolved::External => {}
            Resolved::Outside => state.errors.push(Error::at_offset(
                page.path,
                page.text,
                offset,
                format!("`{call}` writes a link to `{href}`, which is outside the site's base path `{}/`; start it with the base path", ctx.config.base_path),
            )),
            Resolved::Missing(message) => {
                state.errors.push(Error::at_offset(page.path, page.text, offset, format!("`{call}` writes a link: {message}")))
            }
        }
    }
}
