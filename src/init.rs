//! `picket init DIR`: writes a small site that builds as it is.
//!
//! Never overwrites: it refuses a folder that already holds any of the files it would write.

use std::path::Path;

use crate::error::{Error, Result};

const FILES: &[(&str, &str)] = &[
    (
        "site.yaml",
        "title: My explainer\ndescription: A short explainer built with picket\nbase_url: https://example.org/\nlanguage: en-GB\ntheme: default\n",
    ),
    (
        "content/_index.md",
        "---\ntitle: My explainer\ndescription: What this site explains, in one sentence\nupdated: 2026-01-01\n---\n\nStart here. Read [the background](background.md).\n",
    ),
    (
        "content/background.md",
        "---\ntitle: The background\ndescription: Where this story starts\nweight: 10\nsources: [example-report]\n---\n\n## What happened\n\nThe report counted {{ figure(id=\"example_count\") }} cases.\n\n## Where the numbers come from\n\n{{ table(id=\"example\") }}\n",
    ),
    (
        "content/_data/figures.yaml",
        "sources:\n  - id: example-report\n    short: Example report\n    title: An example report\n    covers: Replace this with the report your facts come from\nfigures:\n  - id: example_count\n    label: Cases counted in the example report\n    value: 1200\n    unit: cases\n    as_of: 2026-01\n    source: example-report\ntables:\n  - id: example\n    caption: Cases counted in the example report\n    row_header: Count\n    columns:\n      - id: cases\n        label: Cases\n        unit: number\n    rows:\n      - label: All cases\n        cells: {cases: example_count}\n",
    ),
    (
        "themes/default/templates/base.html",
        "<!doctype html>\n<html lang=\"{{ site.language }}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{% block title %}{{ page.title }} – {{ site.title }}{% endblock title %}</title>\n<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:0 auto;padding:1em;line-height:1.5}.num{text-align:right}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}</style>\n</head>\n<body>\n<a href=\"#main-content\">Skip to main content</a>\n<header><a href=\"{{ url(path='/') }}\">{{ site.title }}</a></header>\n<main id=\"main-content\">\n{% block content %}{% endblock content %}\n</main>\n</body>\n</html>\n",
    ),
    (
        "themes/default/templates/index.html",
        "{% extends \"base.html\" %}\n{% block title %}{{ site.title }}{% endblock title %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n{{ page.content | safe }}\n{% include \"sources.html\" %}\n{% endblock content %}\n",
    ),
    (
        "themes/default/templates/section.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n{{ page.content | safe }}\n<ul>{% for p in page.pages %}<li><a href=\"{{ p.url }}\">{{ p.title }}</a></li>{% endfor %}</ul>\n{% endblock content %}\n",
    ),
    (
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n{{ page.content | safe }}\n{% include \"sources.html\" %}\n{% endblock content %}\n",
    ),
    (
        "themes/default/templates/sources.html",
        "{% if page.updated %}<p>Last updated {{ page.updated | date_long }}</p>{% endif %}\n<h2 id=\"sources\">Sources</h2>\n<ul>{% for s in page.sources %}<li id=\"source-{{ s.id }}\">{{ s.short }}: {{ s.title }}</li>{% endfor %}</ul>\n",
    ),
    (
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>Page not found</h1>\n<p><a href=\"{{ url(path='/') }}\">Go to the home page</a></p>\n{% endblock content %}\n",
    ),
];

/// Writes the starter site into `dir`.
pub fn run(dir: &Path) -> Result<()> {
    for (name, _) in FILES {
        let path = dir.join(name);
        if path.exists() {
            return Err(Error::in_file(
                &path,
                "this file already exists; picket init never overwrites, so choose an empty folder",
            ));
        }
    }
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| Error::io(parent, &err))?;
        }
        std::fs::write(&path, text).map_err(|err| Error::io(&path, &err))?;
    }
    println!(
        "created a site in {}; build it with `picket build --root {}` or preview it with `picket serve --root {}`",
        dir.display(),
        dir.display(),
        dir.display()
    );
    Ok(())
}
