//! Lines left out of code blocks: rustdoc's hidden lines (`# ` or a lone `#`) and the prefixes a
//! site sets per language in `code.hidden_lines` (mdBook's `[output.html.code.hidelines]`).
//!
//! Pure: takes a code block's text and returns it without those lines. mdBook hides them behind
//! a button that needs JavaScript; picket pages work without it, so the lines are left out.

use std::collections::BTreeMap;

/// `source`, a code block in `language`, without the lines the site's `hidden_lines` hides.
/// For `rust`, the prefix `#` means rustdoc's rule (so `#[derive]` and `#!` lines stay).
pub(crate) fn apply(rules: &BTreeMap<String, String>, language: Option<&str>, source: String) -> String {
    let Some(prefix) = language.and_then(|language| rules.get(language)) else {
        return source;
    };
    match (language, prefix.as_str()) {
        (Some("rust"), "#") => rustdoc(&source),
        _ => with_prefix(&source, prefix),
    }
}

/// `text` without the lines rustdoc hides: those whose first non-blank characters are `# `, or
/// that hold only `#`. A line starting `##` is shown with one `#` less, as rustdoc does.
pub(crate) fn rustdoc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("##") {
            out.push_str(&line.replacen("##", "#", 1));
        } else if !(trimmed == "#" || trimmed.starts_with("# ")) {
            out.push_str(line);
        }
    }
    out
}

/// `text` without the lines whose first non-blank characters are `prefix`.
fn with_prefix(text: &str, prefix: &str) -> String {
    text.split_inclusive('\n').filter(|line| !line.trim_start().starts_with(prefix)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustdoc_hides_hash_space_and_lone_hash_lines_only() {
        let code = "# fn main() {\n#[derive(Debug)]\n#![allow(x)]\n    let x = 1;\n#\n## not hidden\n# }\n";
        assert_eq!(rustdoc(code), "#[derive(Debug)]\n#![allow(x)]\n    let x = 1;\n# not hidden\n");
    }

    #[test]
    fn a_site_prefix_applies_to_its_language_only() {
        let rules = BTreeMap::from([("python".to_string(), "~".to_string())]);
        assert_eq!(apply(&rules, Some("python"), "~import os\nprint(1)\n  ~x = 2\n".into()), "print(1)\n");
        assert_eq!(apply(&rules, Some("rust"), "# hidden?\n".into()), "# hidden?\n");
        assert_eq!(apply(&rules, None, "~a\n".into()), "~a\n");
    }
}
