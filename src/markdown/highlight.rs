//! Code highlighting with syntect into CSS classes (`hl-*`), and the stylesheet for them.
//!
//! The syntax set is loaded once per build and shared by every page and thread.

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::figures::html::escape;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlights code blocks; build once and share.
pub struct Highlighter {
    syntaxes: SyntaxSet,
}

impl Default for Highlighter {
    fn default() -> Highlighter {
        Highlighter { syntaxes: SyntaxSet::load_defaults_newlines() }
    }
}

impl Highlighter {
    /// `<pre><code>` with `hl-` classes; unknown languages are escaped as plain text.
    pub fn highlight(&self, code: &str, language: Option<&str>) -> String {
        let syntax = language.and_then(|l| self.syntaxes.find_syntax_by_token(l));
        let class = language.map(|l| format!(" class=\"language-{}\"", escape(l))).unwrap_or_default();
        let plain = || format!("<pre class=\"code\"><code{class}>{}</code></pre>\n", escape(code));
        let Some(syntax) = syntax else { return plain() };
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator.parse_html_for_line_which_includes_newline(line).is_err() {
                return plain();
            }
        }
        format!("<pre class=\"code\"><code{class}>{}</code></pre>\n", generator.finalize())
    }

    /// The stylesheet for `theme` (a syntect default theme name), or `None` if there is no such theme.
    pub fn css(theme: &str) -> Option<String> {
        let themes = ThemeSet::load_defaults();
        let theme = themes.themes.get(theme)?;
        css_for_theme_with_class_style(theme, CLASS_STYLE).ok()
    }

    /// Names of the themes `css` accepts.
    pub fn theme_names() -> Vec<String> {
        ThemeSet::load_defaults().themes.keys().cloned().collect()
    }
}
