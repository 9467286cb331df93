//! `picket init DIR`: writes a small site that builds as it is and shows what picket does.
//!
//! The site lives in `src/init/site/` as ordinary files, built into the binary: a section with
//! two tagged pages, a figure, a table with its chart and a check in the data, a theme shortcode,
//! a code block and a link to another page's heading, and a complete theme (base, index,
//! section, page, tag, tags, 404, a shortcode). Never overwrites: it refuses a folder that
//! already holds any of the files it would write, before writing any.

use std::path::Path;

use crate::error::{Error, Result};

/// Every file of the starter site: its path in the new site and its text.
const FILES: &[(&str, &str)] = &[
    ("content/_data/figures.yaml", include_str!("init/site/content/_data/figures.yaml")),
    ("content/_index.md", include_str!("init/site/content/_index.md")),
    ("content/guide/_index.md", include_str!("init/site/content/guide/_index.md")),
    ("content/guide/background.md", include_str!("init/site/content/guide/background.md")),
    ("content/guide/how-it-works.md", include_str!("init/site/content/guide/how-it-works.md")),
    ("site.yaml", include_str!("init/site/site.yaml")),
    ("themes/default/templates/404.html", include_str!("init/site/themes/default/templates/404.html")),
    ("themes/default/templates/base.html", include_str!("init/site/themes/default/templates/base.html")),
    ("themes/default/templates/index.html", include_str!("init/site/themes/default/templates/index.html")),
    ("themes/default/templates/page.html", include_str!("init/site/themes/default/templates/page.html")),
    ("themes/default/templates/section.html", include_str!("init/site/themes/default/templates/section.html")),
    (
        "themes/default/templates/shortcodes/note.html",
        include_str!("init/site/themes/default/templates/shortcodes/note.html"),
    ),
    ("themes/default/templates/sources.html", include_str!("init/site/themes/default/templates/sources.html")),
    ("themes/default/templates/tag.html", include_str!("init/site/themes/default/templates/tag.html")),
    ("themes/default/templates/tags.html", include_str!("init/site/themes/default/templates/tags.html")),
];

/// Writes the starter site into `dir`.
pub(crate) fn run(dir: &Path) -> Result<()> {
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
    let shown = dir.display();
    println!(
        "created a site in {shown}; preview it with `cd {shown}` and `picket serve`, or build it with `picket build --root {shown}`"
    );
    Ok(())
}
