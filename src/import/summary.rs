//! mdBook's `SUMMARY.md` -> the book's outline: prefix chapters, part titles, numbered chapters
//! nested as the lists nest them, separators, draft chapters, suffix chapters.
//!
//! Pure. Follows mdBook's own reading of the file (pulldown-cmark with no extensions, `%20` in
//! links read as a space, section numbers running on across parts); what mdBook would refuse is
//! returned as a note with its line.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// One entry of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Chapter(Chapter),
    Part { title: String, line: usize },
    Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chapter {
    pub title: String,
    /// The chapter's file relative to the book's `src/`; `None` for a draft chapter.
    pub path: Option<PathBuf>,
    /// The line of its link in SUMMARY.md.
    pub line: usize,
    /// `[1, 2]` for chapter 1.2; empty for prefix and suffix chapters.
    pub number: Vec<u32>,
    pub children: Vec<Entry>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub title: Option<String>,
    pub entries: Vec<Entry>,
}

impl Summary {
    /// Every chapter in reading order, each with the index of its parent in the same list.
    pub(super) fn chapters(&self) -> Vec<(&Chapter, Option<usize>)> {
        fn walk<'a>(entries: &'a [Entry], parent: Option<usize>, out: &mut Vec<(&'a Chapter, Option<usize>)>) {
            for entry in entries {
                if let Entry::Chapter(chapter) = entry {
                    out.push((chapter, parent));
                    let index = out.len() - 1;
                    walk(&chapter.children, Some(index), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.entries, None, &mut out);
        out
    }
}

type Events<'a> = Vec<(Event<'a>, std::ops::Range<usize>)>;

struct Reader<'a> {
    text: &'a str,
    events: Events<'a>,
    at: usize,
    notes: Vec<(usize, String)>,
}

/// Parses SUMMARY.md; the notes are `(line, message)`.
pub(crate) fn parse(text: &str) -> (Summary, Vec<(usize, String)>) {
    let events: Events = Parser::new(text).into_offset_iter().collect();
    let mut reader = Reader { text, events, at: 0, notes: Vec::new() };
    let mut summary = Summary::default();
    let mut root_count = 0;
    while let Some((event, range)) = reader.next() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }) => {
                let title = reader.text_until(|e| matches!(e, Event::End(TagEnd::Heading(_))));
                let is_first = summary.title.is_none() && summary.entries.is_empty();
                if is_first {
                    summary.title = Some(title);
                } else {
                    summary.entries.push(Entry::Part { title, line: reader.line(range.start) });
                }
            }
            Event::Start(Tag::List(_)) => {
                let entries = reader.list(&[], &mut root_count);
                summary.entries.extend(entries);
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let chapter = reader.link(&dest_url, range.start, Vec::new());
                summary.entries.push(Entry::Chapter(chapter));
            }
            Event::Rule => summary.entries.push(Entry::Separator),
            _ => {}
        }
    }
    reader.check_duplicates(&summary);
    (summary, reader.notes)
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Option<(Event<'a>, std::ops::Range<usize>)> {
        let next = self.events.get(self.at).cloned();
        self.at += 1;
        next
    }

    fn line(&self, offset: usize) -> usize {
        super::body::line_of(self.text, offset)
    }

    /// The plain text of the events up to the one `end` matches, as mdBook reads titles.
    fn text_until(&mut self, end: impl Fn(&Event) -> bool) -> String {
        let mut text = String::new();
        while let Some((event, _)) = self.next() {
            match event {
                ref e if end(e) => break,
                Event::Text(part) | Event::Code(part) => text.push_str(&part),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
        }
        text.trim().to_string()
    }

    /// A chapter from the link just opened at `offset`.
    fn link(&mut self, dest: &str, offset: usize, number: Vec<u32>) -> Chapter {
        let title = self.text_until(|e| matches!(e, Event::End(TagEnd::Link)));
        let dest = dest.replace("%20", " ");
        let path = (!dest.is_empty()).then(|| PathBuf::from(dest));
        Chapter { title, path, line: self.line(offset), number, children: Vec::new() }
    }

    /// The items of the list just opened; `count` numbers the items at this level.
    fn list(&mut self, parent: &[u32], count: &mut u32) -> Vec<Entry> {
        let mut entries = Vec::new();
        while let Some((event, range)) = self.next() {
            match event {
                Event::Start(Tag::Item) => {
                    if let Some(chapter) = self.item(parent, count, range.start) {
                        entries.push(Entry::Chapter(chapter));
                    }
                }
                Event::End(TagEnd::List(_)) => break,
                _ => {}
            }
        }
        entries
    }

    /// The chapter of the item just opened, with the chapters of any list nested in it.
    fn item(&mut self, parent: &[u32], count: &mut u32, offset: usize) -> Option<Chapter> {
        let mut chapter: Option<Chapter> = None;
        let mut children_count = 0;
        while let Some((event, range)) = self.next() {
            match event {
                Event::End(TagEnd::Item) => break,
                Event::Start(Tag::Link { dest_url, .. }) if chapter.is_none() => {
                    *count += 1;
                    let mut number = parent.to_vec();
                    number.push(*count);
                    chapter = Some(self.link(&dest_url, range.start, number));
                }
                Event::Start(Tag::List(_)) => {
                    let number = chapter.as_ref().map(|c| c.number.clone()).unwrap_or_else(|| parent.to_vec());
                    let children = self.list(&number, &mut children_count);
                    match chapter.as_mut() {
                        Some(chapter) => chapter.children.extend(children),
                        None => self.notes.push((
                            self.line(range.start),
                            "this list is nested in an item that is not a link; mdBook refuses it, so these chapters were left out: make the item a link".to_string(),
                        )),
                    }
                }
                _ => {}
            }
        }
        if chapter.is_none() {
            self.notes.push((
                self.line(offset),
                "this item of SUMMARY.md is not a link, so it is no chapter; write it as `- [Title](file.md)`"
                    .to_string(),
            ));
        }
        chapter
    }

    fn check_duplicates(&mut self, summary: &Summary) {
        let mut seen = BTreeSet::new();
        for (chapter, _) in summary.chapters() {
            if let Some(path) = &chapter.path
                && !seen.insert(path.clone())
            {
                self.notes.push((
                    chapter.line,
                    format!(
                        "`{}` is listed twice; mdBook refuses that, and the import kept the first: remove one",
                        path.display()
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(text: &str) -> String {
        fn walk(entries: &[Entry], depth: usize, out: &mut String) {
            for entry in entries {
                let pad = "  ".repeat(depth);
                match entry {
                    Entry::Chapter(c) => {
                        let number: Vec<String> = c.number.iter().map(u32::to_string).collect();
                        let path = c.path.as_ref().map_or("(draft)".to_string(), |p| p.display().to_string());
                        out.push_str(&format!("{pad}{} {} {path} @{}\n", number.join("."), c.title, c.line));
                        walk(&c.children, depth + 1, out);
                    }
                    Entry::Part { title, line } => out.push_str(&format!("{pad}# {title} @{line}\n")),
                    Entry::Separator => out.push_str(&format!("{pad}---\n")),
                }
            }
        }
        let (summary, notes) = parse(text);
        let mut out = format!("title: {:?}\n", summary.title);
        walk(&summary.entries, 0, &mut out);
        for (line, note) in notes {
            out.push_str(&format!("note @{line}: {note}\n"));
        }
        out
    }

    #[test]
    fn prefix_parts_nesting_drafts_separators_and_suffix() {
        let text = "# Summary\n\n[Intro](README.md)\n\n# Guide\n\n- [One](one.md)\n    - [One a](one/a.md)\n        - [Draft]()\n- [Two `code`](two%20words.md)\n\n# Reference\n\n- [Three](three.md)\n\n---\n\n[Thanks](thanks.md)\n";
        insta::assert_snapshot!(outline(text), @r#"
        title: Some("Summary")
         Intro README.md @3
        # Guide @5
        1 One one.md @7
          1.1 One a one/a.md @8
            1.1.1 Draft (draft) @9
        2 Two code two words.md @10
        # Reference @12
        3 Three three.md @14
        ---
         Thanks thanks.md @18
        "#);
    }

    #[test]
    fn items_that_are_not_links_and_duplicates_are_noted() {
        let text = "- [A](a.md)\n- Plain text\n- [A again](a.md)\n";
        insta::assert_snapshot!(outline(text), @r"
        title: None
        1 A a.md @1
        2 A again a.md @3
        note @2: this item of SUMMARY.md is not a link, so it is no chapter; write it as `- [Title](file.md)`
        note @3: `a.md` is listed twice; mdBook refuses that, and the import kept the first: remove one
        ");
    }
}
