//! The theme an import writes into `themes/default/`: the init theme's shape (base, index,
//! section, page, 404, tags) plus what the source needs: section listings and a feed link for a
//! Zola site; a table of contents from SUMMARY.md and previous/next links for a book.
//!
//! The templates are real files beside this one, included at compile time. Pure.

use super::NewFile;

const TEMPLATES: &str = "themes/default/templates";

const STYLE: &str = include_str!("theme/common/style.css");
const HEAD: &str = include_str!("theme/common/head.html");
const NOT_FOUND: &str = include_str!("theme/common/404.html");
const TAG: &str = include_str!("theme/common/tag.html");
const TAGS: &str = include_str!("theme/common/tags.html");

fn template(name: &str, text: &str) -> NewFile {
    NewFile::text(format!("{TEMPLATES}/{name}"), text)
}

fn common() -> Vec<NewFile> {
    vec![
        template("partials/head.html", HEAD),
        template("partials/style.css", STYLE),
        template("tag.html", TAG),
        template("tags.html", TAGS),
    ]
}

/// The theme for a Zola site. `custom` names the templates its pages ask for (`template = "x.html"`),
/// each with whether a page (or else a section) uses it; each becomes a template extending
/// picket's own page or section template, for the editor to fill in.
pub(crate) fn zola(custom: &[(String, bool)]) -> Vec<NewFile> {
    let mut files = common();
    files.extend([
        template("base.html", include_str!("theme/zola/base.html")),
        template("index.html", include_str!("theme/zola/index.html")),
        template("section.html", include_str!("theme/zola/section.html")),
        template("page.html", include_str!("theme/zola/page.html")),
        template("partials/page_list.html", include_str!("theme/zola/page_list.html")),
        template("404.html", NOT_FOUND),
    ]);
    for (name, is_page) in custom {
        if ["base.html", "index.html", "section.html", "page.html", "404.html", "tag.html", "tags.html"]
            .contains(&name.as_str())
            || !is_plain_name(name)
        {
            continue;
        }
        let parent = if *is_page { "page.html" } else { "section.html" };
        let text = format!(
            "{{# Zola's `{name}` was not converted: this template looks like picket's {parent} until it is written. #}}\n{{% extends \"{parent}\" %}}\n"
        );
        files.push(template(name, &text));
    }
    files
}

/// A template name that is a plain relative path (`x.html`, `docs/x.html`).
fn is_plain_name(name: &str) -> bool {
    std::path::Path::new(name).components().all(|c| matches!(c, std::path::Component::Normal(_)))
        && name.ends_with(".html")
}

/// The theme for an mdBook book: `toc` is the table of contents partial, `not_found` the HTML of
/// the book's 404 page when it has one.
pub(crate) fn mdbook(toc: &str, not_found: Option<&str>) -> Vec<NewFile> {
    let mut files = common();
    files.extend([
        template("base.html", include_str!("theme/mdbook/base.html")),
        template("index.html", include_str!("theme/mdbook/index.html")),
        template("section.html", include_str!("theme/mdbook/section.html")),
        template("page.html", include_str!("theme/mdbook/page.html")),
        template("partials/summary.html", toc),
    ]);
    let not_found = match not_found {
        Some(html) => format!(
            "{{% extends \"base.html\" %}}\n{{% block title %}}Page not found – {{{{ site.title }}}}{{% endblock title %}}\n{{% block content %}}\n{html}{{% endblock content %}}\n{{% block pager %}}{{% endblock pager %}}\n"
        ),
        None => {
            NOT_FOUND.replace("{% endblock content %}", "{% endblock content %}\n{% block pager %}{% endblock pager %}")
        }
    };
    files.push(template("404.html", &not_found));
    files
}
