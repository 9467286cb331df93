//! Heading ids: the text of a heading -> the id a link to it uses, by the rule of the tool the
//! site's links were written for (`heading_ids` in site.yaml), and made unique on the page.
//!
//! Pure. Each rule is the one its tool documents and implements:
//! - `github` (default; also GitHub's wikis, Hugo, VS Code and markdownlint): lower case; every
//!   character that is not a letter, mark, decimal or letter number, connector punctuation
//!   (`_`), `-` or a space is dropped; each space becomes `-`. Nothing is collapsed or trimmed:
//!   `Smileys & Emotion` is `smileys--emotion`, `-x-` stays `-x-`.
//! - `zola`: Zola's `slugify.anchors = "on"`, the `slug` crate: transliterated to ASCII, lower
//!   case, every run of other characters one `-`, no `-` at either end (`日本` is `ri-ben`).
//! - `mdbook`: mdBook's `id_from_content`: trimmed; letters, digits, `_` and `-` kept (ASCII
//!   letters lower-cased, others as they are); each whitespace character becomes `-`.
//!
//! A repeated id gets `-1`, `-2`, … (the first free one), as all three tools do.

use std::collections::BTreeSet;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::config::HeadingIds;

/// The id `text` gets under `rule`, before it is made unique.
pub(super) fn heading_id(rule: HeadingIds, text: &str) -> String {
    match rule {
        HeadingIds::Github => github(text),
        HeadingIds::Zola => slug::slugify(text),
        HeadingIds::Mdbook => mdbook(text),
    }
}

fn github(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' ' => id.push('-'),
            '-' | '_' => id.push(c),
            c if c.is_ascii_alphanumeric() => id.push(c.to_ascii_lowercase()),
            c if c.is_ascii() => {}
            c => id.extend(c.to_lowercase().filter(|c| is_word(*c))),
        }
    }
    id
}

/// Letters, marks, decimal and letter numbers, connector punctuation: Ruby's `\p{Word}`, which
/// GitHub's heading ids keep.
fn is_word(c: char) -> bool {
    use GeneralCategory as G;
    matches!(
        c.general_category(),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::NonspacingMark
            | G::SpacingMark
            | G::EnclosingMark
            | G::DecimalNumber
            | G::LetterNumber
            | G::ConnectorPunctuation
    )
}

fn mdbook(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Ids already given on a page, so that the next one is unique.
#[derive(Debug, Default)]
pub(super) struct UsedIds(BTreeSet<String>);

impl UsedIds {
    /// Takes `id` as it is (an id written by the editor: `{#id}`); `false` if it was taken.
    pub(super) fn reserve(&mut self, id: &str) -> bool {
        self.0.insert(id.to_string())
    }

    /// `wanted`, or `wanted-1`, `wanted-2`, … whichever is free first. An empty id (a heading
    /// of only punctuation or emoji) is `section`, since an element's id cannot be empty.
    /// Footnotes own `fn-*` and `fnref-*`, so a heading that would take one is prefixed `h-`.
    pub(super) fn unique(&mut self, wanted: &str) -> String {
        let mut base = if wanted.is_empty() { "section".to_string() } else { wanted.to_string() };
        if base.starts_with("fn-") || base.starts_with("fnref-") {
            base = format!("h-{base}");
        }
        let mut id = base.clone();
        let mut n = 1;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: HeadingIds, cases: &[(&str, &str)]) {
        for (text, expected) in cases {
            assert_eq!(heading_id(rule, text), *expected, "{rule:?} id of {text:?}");
        }
    }

    /// Expected ids from github-slugger's fixtures (which record what github.com does).
    #[test]
    fn github_ids() {
        check(
            HeadingIds::Github,
            &[
                ("Smileys & Emotion", "smileys--emotion"),
                ("What is in dispute: Saturday pay", "what-is-in-dispute-saturday-pay"),
                ("snake_case and -leading dash", "snake_case-and--leading-dash"),
                ("-x-", "-x-"),
                ("Émile's café -- 2016", "émiles-café----2016"),
                ("Привет non-latin 你好", "привет-non-latin-你好"),
                ("emoji 😄 here", "emoji--here"),
                ("a.b/c?d", "abcd"),
                ("x²", "x"),
                ("  two  spaces ", "--two--spaces-"),
                ("???", ""),
            ],
        );
    }

    /// Expected ids from Zola's `slugify_anchors` tests.
    #[test]
    fn zola_ids() {
        check(
            HeadingIds::Zola,
            &[
                ("input", "input"),
                ("test ", "test"),
                ("tes t", "tes-t"),
                ("日本", "ri-ben"),
                ("héhé", "hehe"),
                ("test (hey)", "test-hey"),
                ("Smileys & Emotion", "smileys-emotion"),
            ],
        );
    }

    /// Expected ids from mdBook's `id_from_content` tests.
    #[test]
    fn mdbook_ids() {
        check(
            HeadingIds::Mdbook,
            &[
                ("`--passes`: add more rustdoc passes", "--passes-add-more-rustdoc-passes"),
                ("Method-call 🐙 expressions \u{1f47c}", "method-call--expressions-"),
                ("_-_12345", "_-_12345"),
                ("中文標題 CJK title", "中文標題-cjk-title"),
                ("Über", "Über"),
                ("Smileys & Emotion", "smileys--emotion"),
            ],
        );
    }

    #[test]
    fn repeated_ids_get_the_first_free_number() {
        let mut used = UsedIds::default();
        assert_eq!(used.unique("pay"), "pay");
        assert_eq!(used.unique("pay"), "pay-1");
        assert_eq!(used.unique("pay-1"), "pay-1-1");
        assert_eq!(used.unique("pay"), "pay-2");
        assert!(used.reserve("manual"));
        assert_eq!(used.unique("manual"), "manual-1");
        assert_eq!(used.unique("fn-a"), "h-fn-a");
        assert_eq!(used.unique(""), "section");
    }
}
