//! Code highlighting with syntect into CSS classes (`hl-*`), and the stylesheet for them.
//!
//! The syntaxes are bat's set (`two-face`, built for fancy-regex: no C), which adds TOML,
//! TypeScript, Dockerfile, SCSS, Jinja and many more to syntect's defaults. A language is found
//! by its name or file extension (`rust`, `rs`, `Dockerfile`), then by the aliases writers use
//! that the set lacks (`shell`, Go and Handlebars templates); `console` (a shell session) is
//! highlighted line by line: a line starting with a prompt (`$`, `#` or `%` and a space) is a
//! command in Bash, any other line is output. An unknown language stays plain, escaped text.
//!
//! The syntax set is loaded once per build, when the first code block needs it, and shared by
//! every page and thread. Parsing a line
//! is the cost of highlighting (syntect's regexes, without C), and most lines of code repeat
//! across pages (`}`, `fn main() {`, imports), so the parse of each line is remembered with the
//! parser state it started from: a line met again in the same state reuses its parse. Most
//! distinct lines occur once (13,000 of the 20,600 in the 10,000-page benchmark corpus), so a line's
//! parse is kept only from its second sighting; the first leaves just a hash. The HTML is exactly
//! what syntect's `ClassedHTMLGenerator` writes; a test compares the two.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::figures::html::escape;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// One parsed line: the state it started in, its scope operations and the state after it.
struct ParsedLine {
    start: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    end: ParseState,
}

/// Remembered parses, by line text, and the hashes of lines met once. A parser state belongs to one
/// syntax, so equal states imply the same syntax.
#[derive(Default)]
struct LineCache {
    parsed: HashMap<String, Vec<ParsedLine>>,
    seen_once: HashSet<u64>,
}

/// How many starting states are remembered per line. A line such as `}` is met in many states;
/// scanning an unbounded list would make each lookup slower as the site grows.
const STATES_PER_LINE: usize = 4;

/// How many distinct lines are remembered. The lines that repeat most are met early, so once
/// this many are known new lines are parsed but not kept: memory stays bounded on large sites.
const MAX_LINES: usize = 50_000;

/// How many lines met once are remembered (by hash, 8 bytes each) before new ones are forgotten.
const MAX_SEEN_ONCE: usize = 500_000;

/// What a language names.
enum Found<'a> {
    Syntax(&'a SyntaxReference),
    /// A shell session, with the shell's syntax for its commands.
    Console(&'a SyntaxReference),
    Nothing,
}

/// Highlights code blocks; build once per build and share.
pub struct Highlighter {
    /// Loaded when the first code block is highlighted: a site without code never pays for it.
    syntaxes: OnceLock<SyntaxSet>,
    lines: Mutex<LineCache>,
    max_lines: usize,
}

impl Default for Highlighter {
    fn default() -> Highlighter {
        Highlighter { syntaxes: OnceLock::new(), lines: Mutex::new(LineCache::default()), max_lines: MAX_LINES }
    }
}

impl Highlighter {
    /// Whether the syntax set has been loaded (by the first code block highlighted).
    pub fn is_loaded(&self) -> bool {
        self.syntaxes.get().is_some()
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(two_face::syntax::extra_newlines)
    }

    /// `<pre><code>` with `hl-` classes; unknown languages are escaped as plain text.
    pub fn highlight(&self, code: &str, language: Option<&str>) -> String {
        let class = language.map(|l| format!(" class=\"language-{}\"", escape(l))).unwrap_or_default();
        let inner = match language.map(|l| self.find(l)) {
            Some(Found::Syntax(syntax)) => self.classed_html(code, syntax),
            Some(Found::Console(shell)) => self.console_html(code, shell),
            Some(Found::Nothing) | None => None,
        };
        let inner = inner.unwrap_or_else(|| escape(code));
        format!("<pre class=\"code\"><code{class}>{inner}</code></pre>\n")
    }

    /// The syntax for a code block's language.
    fn find(&self, language: &str) -> Found<'_> {
        let lower = language.to_ascii_lowercase();
        let by_name = |name: &str| self.syntaxes().find_syntax_by_name(name);
        let found = match lower.as_str() {
            "console" | "shell-session" | "shellsession" | "sh-session" | "terminal" => {
                return by_name("Bourne Again Shell (bash)").map_or(Found::Nothing, Found::Console);
            }
            "shell" => by_name("Bourne Again Shell (bash)"),
            // bat's set has no grammar for Go or Handlebars templates; Jinja's has their `{{ }}`
            // and the HTML around them.
            "go-html-template" | "go-text-template" | "go-template" | "gotmpl" | "gohtml" | "tmpl" | "handlebars"
            | "hbs" | "mustache" => by_name("HTML (Jinja2)"),
            _ => self.syntaxes().find_syntax_by_token(language),
        };
        found.map_or(Found::Nothing, Found::Syntax)
    }

    /// A shell session: prompts marked, commands highlighted as `shell`, output as plain text.
    /// A command ending in `\\` goes on with the next line.
    fn console_html(&self, code: &str, shell: &SyntaxReference) -> Option<String> {
        let mut html = String::with_capacity(code.len() * 2);
        let mut command = String::new();
        let mut continues = false;
        let flush = |command: &mut String, html: &mut String| -> Option<()> {
            if !command.is_empty() {
                html.push_str(&self.classed_html(command, shell)?);
                command.clear();
            }
            Some(())
        };
        for line in LinesWithEndings::from(code) {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            let after = indent + 1;
            let prompt = line[indent..].starts_with(['$', '#', '%'])
                && (after == line.len() || line[after..].starts_with([' ', '\n', '\r']));
            if continues {
                command.push_str(line);
            } else if prompt {
                let end = if line[after..].starts_with(' ') { after + 1 } else { after };
                html.push_str(&format!("<span class=\"hl-prompt\">{}</span>", escape(&line[..end])));
                command.push_str(&line[end..]);
            } else {
                flush(&mut command, &mut html)?;
                html.push_str(&format!("<span class=\"hl-output\">{}</span>", escape(line)));
            }
            continues = (prompt || continues) && line.trim_end().ends_with('\\');
            if !continues {
                flush(&mut command, &mut html)?;
            }
        }
        flush(&mut command, &mut html)?;
        Some(html)
    }

    /// The same HTML as `ClassedHTMLGenerator`, with each line's parse looked up first.
    fn classed_html(&self, code: &str, syntax: &SyntaxReference) -> Option<String> {
        let mut state = ParseState::new(syntax);
        let mut scopes = ScopeStack::new();
        let mut html = String::with_capacity(code.len() * 4);
        let mut open_spans: isize = 0;
        for line in LinesWithEndings::from(code) {
            let ops = self.parse_line(line, &mut state)?;
            let (formatted, delta) = line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut scopes).ok()?;
            open_spans += delta;
            html.push_str(&formatted);
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    }

    /// Parses `line` from `state`, reusing an earlier parse of the same line from the same state,
    /// and leaves `state` as the parse does.
    fn parse_line(&self, line: &str, state: &mut ParseState) -> Option<Vec<(usize, ScopeStackOp)>> {
        {
            let lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(parsed) = lines.parsed.get(line).and_then(|known| known.iter().find(|p| p.start == *state)) {
                *state = parsed.end.clone();
                return Some(parsed.ops.clone());
            }
        }
        let start = state.clone();
        let ops = state.parse_line(line, self.syntaxes()).ok()?;
        let mut lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !lines.parsed.contains_key(line) {
            let hash = xxhash_rust::xxh3::xxh3_64(line.as_bytes());
            let first_sighting = !lines.seen_once.remove(&hash);
            if first_sighting && lines.seen_once.len() < MAX_SEEN_ONCE {
                lines.seen_once.insert(hash);
            }
            if first_sighting || lines.parsed.len() >= self.max_lines {
                return Some(ops);
            }
        }
        let known = lines.parsed.entry(line.to_string()).or_default();
        if known.len() < STATES_PER_LINE {
            known.push(ParsedLine { start, ops: ops.clone(), end: state.clone() });
        }
        Some(ops)
    }

    /// The stylesheet for `theme` (a syntect default theme name), or `None` if there is no such
    /// theme. Colours too faint to read are darkened (or, on a dark theme, lightened) until they
    /// meet WCAG AA's 4.5:1 on the theme's background, with room for a light grey code box
    /// (InspiredGitHub's comments are 2.9:1 on white as the theme has them).
    pub fn css(theme: &str) -> Option<String> {
        let themes = ThemeSet::load_defaults();
        let theme = readable(themes.themes.get(theme)?);
        css_for_theme_with_class_style(&theme, CLASS_STYLE).ok()
    }

    /// Names of the themes `css` accepts.
    pub fn theme_names() -> Vec<String> {
        ThemeSet::load_defaults().themes.keys().cloned().collect()
    }
}

/// The contrast a colour gets against a light background: 4.5:1 (WCAG AA) on a code box as
/// dark as `#f3f2f1`, which is about 5.1:1 on white. On a dark background, AA itself.
const LIGHT_CONTRAST: f64 = 5.1;
const DARK_CONTRAST: f64 = 4.5;

/// `theme` with every foreground colour moved, in small steps towards black (or white on a dark
/// theme), until it is readable on the background it is drawn on.
fn readable(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let white = Color { r: 255, g: 255, b: 255, a: 255 };
    let background = theme.settings.background.unwrap_or(white);
    if let Some(foreground) = theme.settings.foreground {
        theme.settings.foreground = Some(readable_on(foreground, background));
    }
    for item in &mut theme.scopes {
        if let Some(foreground) = item.style.foreground {
            item.style.foreground = Some(readable_on(foreground, item.style.background.unwrap_or(background)));
        }
    }
    theme
}

fn readable_on(colour: Color, background: Color) -> Color {
    let dark_background = luminance(background) < 0.18;
    let target = if dark_background { DARK_CONTRAST } else { LIGHT_CONTRAST };
    let mut colour = colour;
    for _ in 0..100 {
        if contrast(colour, background) >= target {
            break;
        }
        let step = |c: u8| if dark_background { c + (255 - c).div_ceil(20) } else { c - c.div_ceil(20) };
        colour = Color { r: step(colour.r), g: step(colour.g), b: step(colour.b), a: colour.a };
    }
    colour
}

/// WCAG's relative luminance.
fn luminance(colour: Color) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use syntect::html::ClassedHTMLGenerator;

    use super::*;

    /// What syntect itself writes, with no cache.
    fn straightforward(highlighter: &Highlighter, code: &str, language: &str) -> String {
        let syntax = highlighter.syntaxes().find_syntax_by_token(language).unwrap();
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, highlighter.syntaxes(), CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator.parse_html_for_line_which_includes_newline(line).unwrap();
        }
        format!("<pre class=\"code\"><code class=\"language-{language}\">{}</code></pre>\n", generator.finalize())
    }

    #[test]
    fn cached_highlighting_is_byte_identical_to_syntect() {
        let highlighter = Highlighter::default();
        let snippets = [
            ("rust", "fn main() {\n    let s = \"}\n}\";\n    println!(\"{s}\");\n}\n"),
            ("rust", "}\nfn main() {\n}\n/* a comment\n}\nfn main() {\n*/\n"),
            ("python", "def f(x):\n    \"\"\"doc\n    def f(x):\n    \"\"\"\n    return x\n"),
            ("python", "def f(x):\n    return x\n"),
            ("rust", "fn main() {\n    let s = \"}\n}\";\n    println!(\"{s}\");\n}\n"),
            ("yaml", "a: 1\nb: [1, 2\n"),
        ];
        // Twice over, so the second round is served from the cache.
        for _ in 0..2 {
            for (language, code) in snippets {
                assert_eq!(highlighter.highlight(code, Some(language)), straightforward(&highlighter, code, language));
            }
        }
    }

    #[test]
    fn a_full_line_cache_keeps_what_it_knows_and_stays_at_its_limit() {
        let highlighter = Highlighter { max_lines: 2, ..Highlighter::default() };
        let code = "fn main() {\n    let a = 1;\n    let b = 2;\n}\nfn main() {\n}\n";
        for _ in 0..2 {
            assert_eq!(highlighter.highlight(code, Some("rust")), straightforward(&highlighter, code, "rust"));
        }
        let lines = highlighter.lines.lock().unwrap();
        assert_eq!(lines.parsed.len(), 2);
        // A line is kept from its second sighting: `fn main() {` and `}` are met twice in the
        // first round, and then the cache is full.
        assert!(lines.parsed.contains_key("fn main() {\n") && lines.parsed.contains_key("}\n"));
        assert!(!lines.parsed.contains_key("    let a = 1;\n"));
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let highlighter = Highlighter::default();
        assert_eq!(
            highlighter.highlight("<b>", Some("nosuch")),
            "<pre class=\"code\"><code class=\"language-nosuch\">&lt;b&gt;</code></pre>\n"
        );
    }

    #[test]
    fn every_colour_of_every_stylesheet_is_readable_on_its_background() {
        let white = Color { r: 255, g: 255, b: 255, a: 255 };
        for name in Highlighter::theme_names() {
            let theme = readable(ThemeSet::load_defaults().themes.get(&name).unwrap());
            let background = theme.settings.background.unwrap_or(white);
            for item in &theme.scopes {
                let Some(foreground) = item.style.foreground else { continue };
                let on = item.style.background.unwrap_or(background);
                let ratio = contrast(foreground, on);
                assert!(ratio >= 4.5, "{name}: {foreground:?} on {on:?} is {ratio:.2}:1");
            }
        }
        let faint = Color { r: 0x96, g: 0x98, b: 0x96, a: 255 };
        let darker = readable_on(faint, white);
        assert!(contrast(darker, white) >= LIGHT_CONTRAST && contrast(darker, white) < LIGHT_CONTRAST + 0.5);
        let css = Highlighter::css("InspiredGitHub").unwrap();
        assert!(!css.contains("#969896"), "InspiredGitHub's comment colour is left as it was");
    }
}
