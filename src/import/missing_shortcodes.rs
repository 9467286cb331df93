//! Shortcode templates for the calls SRC makes to shortcodes it has no template for (Zola's
//! documentation calls `resize_image` and `gallery`, whose templates live in a folder the site
//! leaves out). The new site must still build, and a reader must never see invented text, so
//! each template shows only what its calls can show: the image a call names, as it is, and the
//! text a call wraps; otherwise nothing. Every call is reported with what its template does.
//!
//! Pure: takes the calls found while converting and returns the templates to write.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::NewFile;
use super::report::Report;

/// One call of a shortcode that has no template in SRC.
pub(crate) struct MissingCall {
    pub name: String,
    /// The SRC file of the call and its line.
    pub path: PathBuf,
    pub line: Option<usize>,
    /// The arguments as picket reads them.
    pub args: BTreeMap<String, Value>,
    /// Whether the call wraps text (`{% name() %}…{% end %}`).
    pub has_body: bool,
}

const IMAGE_EXTENSIONS: [&str; 7] = ["png", "jpg", "jpeg", "gif", "webp", "avif", "svg"];

/// A template for each shortcode the calls name, and a note at every call. `published` says
/// whether a site path (`a/b.png`, as a call writes it) is a file the new site serves.
pub(crate) fn templates(
    calls: &[MissingCall],
    published: &dyn Fn(&str) -> bool,
    dir: &str,
    report: &mut Report,
) -> Vec<NewFile> {
    let mut by_name: BTreeMap<&str, Vec<&MissingCall>> = BTreeMap::new();
    for call in calls {
        by_name.entry(call.name.as_str()).or_default().push(call);
    }
    let mut files = Vec::new();
    for (name, calls) in by_name {
        let shortcode = Shortcode::of(name, &calls, published);
        let file = format!("{dir}/{name}.html");
        let shows = shortcode.shows();
        for call in &calls {
            report.note(
                &call.path,
                call.line,
                format!("the shortcode `{name}` has no template in SRC; the import wrote {file}, which {shows}: rewrite it to do what the original did"),
            );
        }
        files.push(NewFile::text(file, shortcode.template()));
    }
    files
}

/// What one template declares and shows, decided from all of its calls.
struct Shortcode<'a> {
    name: &'a str,
    /// Every argument any call gives, with whether every call gives it.
    args: BTreeMap<&'a str, bool>,
    /// The argument that names an image in every call that gives it.
    image: Option<&'a str>,
    has_body: bool,
}

impl<'a> Shortcode<'a> {
    fn of(name: &'a str, calls: &[&'a MissingCall], published: &dyn Fn(&str) -> bool) -> Shortcode<'a> {
        let mut args: BTreeMap<&str, bool> = BTreeMap::new();
        for call in calls {
            for arg in call.args.keys() {
                args.entry(arg.as_str()).or_insert(true);
            }
        }
        for (arg, in_every) in args.iter_mut() {
            *in_every = calls.iter().all(|call| call.args.contains_key(*arg));
        }
        let is_image = |value: &Value| {
            value.as_str().is_some_and(|path| {
                let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
                IMAGE_EXTENSIONS.contains(&extension.as_str()) && published(path)
            })
        };
        let image = args.keys().copied().find(|arg| calls.iter().all(|call| call.args.get(*arg).is_none_or(is_image)));
        let has_body = calls.iter().any(|call| call.has_body);
        Shortcode { name, args, image, has_body }
    }

    /// What the template shows, in words for the report.
    fn shows(&self) -> String {
        let alt = if self.args.contains_key("alt") { "with the `alt` it is given" } else { "with no text alternative" };
        let image = self.image.map(|arg| format!("shows the image `{arg}` names as it is, {alt}"));
        let body = self.has_body.then(|| "shows the text the call wraps".to_string());
        match (image, body) {
            (Some(image), Some(body)) => format!("{image}, and {body}"),
            (Some(shown), None) | (None, Some(shown)) => shown,
            (None, None) => "shows nothing".to_string(),
        }
    }

    fn template(&self) -> String {
        let declared: Vec<String> = self
            .args
            .iter()
            .map(|(arg, in_every)| if *in_every { arg.to_string() } else { format!("{arg}=\"\"") })
            .collect();
        let declared = if declared.is_empty() { String::new() } else { format!(" {}", declared.join(", ")) };
        let mut text = format!(
            "{{#- args:{declared}\n    Written by `picket import`: SRC calls `{}` but has no template for it.\n    This one {}; rewrite it to do what the original did. -#}}\n",
            self.name,
            self.shows()
        );
        if let Some(image) = self.image {
            let alt = if self.args.contains_key("alt") { "{{ alt }}" } else { "" };
            let img = format!("<img src=\"{{{{ url(path={image}) }}}}\" alt=\"{alt}\">");
            if self.args[image] {
                text.push_str(&img);
            } else {
                text.push_str(&format!("{{% if {image} %}}{img}{{% endif %}}"));
            }
            text.push('\n');
        }
        if self.has_body {
            text.push_str("{{ body | safe }}\n");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Tool;

    fn call(name: &str, args: &[(&str, Value)], has_body: bool) -> MissingCall {
        MissingCall {
            name: name.to_string(),
            path: PathBuf::from("content/a.md"),
            line: Some(3),
            args: args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            has_body,
        }
    }

    fn check(calls: &[MissingCall]) -> String {
        let mut report = Report::new(Tool::Zola, std::path::Path::new("src"));
        let published = |path: &str| path.starts_with("img/");
        let files = templates(calls, &published, "t", &mut report);
        let names: std::collections::BTreeSet<&str> = calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(files.len(), names.len());
        let mut out = String::new();
        for file in files {
            let super::super::Contents::Text(text) = file.contents else { panic!("a template is text") };
            out.push_str(&format!("== {} ==\n{text}", file.path.display()));
        }
        for note in report.notes() {
            out.push_str(&format!("note: {}\n", note.message));
        }
        out
    }

    #[test]
    fn an_image_every_call_names_is_shown_as_it_is() {
        let out = check(&[
            call("resize", &[("path", "img/a.png".into()), ("width", 150.into())], false),
            call("resize", &[("path", "img/b.JPG".into()), ("op", "fit".into())], false),
        ]);
        assert!(out.contains("{#- args: op=\"\", path, width=\"\"\n"), "{out}");
        assert!(out.contains("\n<img src=\"{{ url(path=path) }}\" alt=\"\">\n"), "{out}");
        assert!(out.contains("which shows the image `path` names as it is, with no text alternative"), "{out}");
    }

    #[test]
    fn an_argument_that_is_not_always_a_published_image_shows_nothing() {
        let out = check(&[
            call("pic", &[("src", "img/a.png".into())], false),
            call("pic", &[("src", "elsewhere/b.png".into())], false),
            call("gallery", &[], false),
        ]);
        assert!(!out.contains("<img"), "{out}");
        assert_eq!(out.matches("which shows nothing: rewrite it").count(), 3, "{out}");
    }

    #[test]
    fn an_optional_image_is_shown_when_given_with_its_alt_and_a_body_is_shown() {
        let out = check(&[
            call("figure_box", &[("image", "img/a.png".into()), ("alt", "A map".into())], true),
            call("figure_box", &[], true),
        ]);
        assert!(out.contains("{#- args: alt=\"\", image=\"\"\n"), "{out}");
        assert!(
            out.contains("{% if image %}<img src=\"{{ url(path=image) }}\" alt=\"{{ alt }}\">{% endif %}\n"),
            "{out}"
        );
        assert!(out.contains("{{ body | safe }}\n"), "{out}");
    }
}
