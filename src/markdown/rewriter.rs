//! The event rewriter: reads pulldown-cmark's events for one fragment of a page (shortcodes
//! already replaced by placeholders) and writes picket's HTML, one method per kind of event:
//! headings get their ids and enter the table of contents, code blocks are highlighted, links
//! and raw HTML are resolved by `links`, footnotes are numbered and gathered, GitHub alerts become
//! labelled sections, text is checked for numbers typed by hand. Pure: what it needs comes in the
//! `Context`; what it finds goes into the page's `State`.

use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use super::{
    Context, Outputs, PageSource, State, blocks, hidden_lines, ids, options, placeholder, resolve, shortcodes, slugify,
};
use crate::config::HeadingIds;
use crate::error::Error;
use crate::figures;

/// One fragment being rewritten, with what is open at the current event.
pub(super) struct Rewriter<'c, 'a> {
    ctx: &'c Context<'c>,
    page: &'c PageSource<'c>,
    text: &'a str,
    shortcodes: &'c Outputs<'c>,
    to_file_offset: &'c dyn Fn(usize) -> usize,
    state: &'c mut State,
    rule: HeadingIds,
    /// How many headings the page had before this fragment.
    first_heading: usize,
    events: Vec<Event<'a>>,
    /// Headings (and `mdbook` terms) whose ids are made once the fragment is read.
    pending: Vec<PendingId>,
    heading: Option<OpenHeading<'a>>,
    /// A definition-list term being read, for `mdbook` ids: its start index, id text and title.
    term: Option<(usize, String, String)>,
    /// A code block being read: its language and text.
    code: Option<(Option<String>, String)>,
    /// A footnote definition being read: its label and events.
    footnote: Option<(String, Vec<Event<'a>>)>,
}

impl<'c, 'a> Rewriter<'c, 'a> {
    pub(super) fn new(
        ctx: &'c Context<'c>,
        page: &'c PageSource<'c>,
        text: &'a str,
        shortcodes: &'c Outputs<'c>,
        to_file_offset: &'c dyn Fn(usize) -> usize,
        state: &'c mut State,
    ) -> Self {
        Rewriter {
            ctx,
            page,
            text,
            shortcodes,
            to_file_offset,
            rule: ctx.config.heading_ids,
            first_heading: state.headings.len(),
            state,
            events: Vec::new(),
            pending: Vec::new(),
            heading: None,
            term: None,
            code: None,
            footnote: None,
        }
    }

    /// Rewrites every event of the fragment and returns its HTML.
    pub(super) fn rewrite(mut self) -> String {
        for (event, range) in Parser::new_ext(self.text, options()).into_offset_iter() {
            self.mark_source(&event, &range);
            if let Some(event) = self.event(event, range) {
                self.push(event);
            }
        }
        self.finish()
    }

    /// What `event` becomes, or `None` when it was taken in (a heading or code block being read).
    fn event(&mut self, event: Event<'a>, range: Range<usize>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                self.heading =
                    Some(OpenHeading { level, id, classes, attrs, inner: Vec::new(), id_text: String::new() });
                None
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::DefinitionListTitle) if self.rule == HeadingIds::Mdbook && self.footnote.is_none() => {
                self.term = Some((self.events.len(), String::new(), String::new()));
                Some(Event::Start(Tag::DefinitionListTitle))
            }
            Event::End(TagEnd::DefinitionListTitle) if self.term.is_some() => self.end_term(),
            Event::Start(Tag::CodeBlock(kind)) => self.start_code(kind),
            Event::End(TagEnd::CodeBlock) => self.end_code(),
            Event::Text(text) if self.code.is_some() => self.code_text(&text),
            Event::Text(text) => Some(self.text(text, range)),
            Event::Code(code) => Some(self.inline_code(code)),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = match link_type {
                    LinkType::Email => dest_url.to_string(),
                    _ => self.resolve(&dest_url, range.start),
                };
                Some(Event::Start(Tag::Link { link_type, dest_url: dest_url.into(), title, id }))
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = self.resolve(&dest_url, range.start);
                Some(Event::Start(Tag::Image { link_type, dest_url: dest_url.into(), title, id }))
            }
            Event::Html(html) => Some(Event::Html(self.raw_html(html, range))),
            Event::InlineHtml(html) => Some(Event::InlineHtml(self.raw_html(html, range))),
            Event::Start(Tag::BlockQuote(Some(kind))) => Some(Event::Html(alert_start(kind).into())),
            Event::End(TagEnd::BlockQuote(Some(_))) => Some(Event::Html("</section>\n".into())),
            Event::FootnoteReference(label) => Some(footnote_reference(&label, self.state)),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnote = Some((slugify(&label), Vec::new()));
                None
            }
            Event::End(TagEnd::FootnoteDefinition) => self.end_footnote(),
            other => Some(other),
        }
    }

    /// Puts `event` where it belongs now: inside the heading or footnote being read, or the body.
    fn push(&mut self, event: Event<'a>) {
        match (&mut self.heading, &mut self.footnote) {
            (Some(open), _) => open.inner.push(event),
            (None, Some((_, buffer))) => buffer.push(event),
            (None, None) => self.events.push(event),
        }
    }

    /// For `picket check`: the blocks it checks say which line of the file they come from.
    fn mark_source(&mut self, event: &Event, range: &Range<usize>) {
        if !self.ctx.config.source_markers
            || !matches!(event, Event::Start(Tag::Heading { .. } | Tag::Table(_) | Tag::HtmlBlock))
        {
            return;
        }
        let marker = Event::Html(crate::checks::markers::at((self.to_file_offset)(range.start)).into());
        match &mut self.footnote {
            Some((_, buffer)) => buffer.push(marker),
            None => self.events.push(marker),
        }
    }

    fn end_heading(&mut self) -> Option<Event<'a>> {
        let open = self.heading.take()?;
        let target = match &mut self.footnote {
            Some((_, buffer)) => Target::Footnote(buffer),
            None => Target::Body(&mut self.events, &mut self.pending),
        };
        end_heading(open, self.rule, self.shortcodes, target, self.state);
        None
    }

    fn end_term(&mut self) -> Option<Event<'a>> {
        if let Some((index, id_text, title)) = self.term.take() {
            self.pending.push(PendingId { index, level: None, id_text, title });
        }
        Some(Event::End(TagEnd::DefinitionListTitle))
    }

    fn start_code(&mut self, kind: CodeBlockKind) -> Option<Event<'a>> {
        let language = match kind {
            CodeBlockKind::Fenced(info) => info_language(&info).map(str::to_string),
            CodeBlockKind::Indented => None,
        };
        self.code = Some((language, String::new()));
        None
    }

    fn code_text(&mut self, text: &str) -> Option<Event<'a>> {
        if let Some((_, source)) = &mut self.code {
            source.push_str(text);
        }
        None
    }

    /// A whole code block: its hidden lines left out, highlighted.
    fn end_code(&mut self) -> Option<Event<'a>> {
        let (language, source) = self.code.take()?;
        let source = hidden_lines::apply(&self.ctx.config.hidden_lines, language.as_deref(), source);
        let html = super::highlight_code(self.ctx, self.state, &source, language.as_deref());
        Some(Event::Html(html.into()))
    }

    /// Text: counted, checked for numbers typed by hand, and added to the id of the heading or
    /// term being read.
    fn text(&mut self, text: CowStr<'a>, range: Range<usize>) -> Event<'a> {
        self.state.word_count += text.split_whitespace().count();
        let written = &self.text[range.clone()];
        self.record_numbers(written, range.start);
        // GitHub and Zola make ids from the text as written, without smart punctuation (`--`
        // stays two hyphens); mdBook from the text as shown.
        let id_piece = if self.rule != HeadingIds::Mdbook && is_smart_punctuation(&text) && written.is_ascii() {
            written
        } else {
            &text
        };
        if let Some(open) = &mut self.heading {
            open.id_text.push_str(id_piece);
        }
        if let Some((_, id_text, title)) = &mut self.term {
            id_text.push_str(&text);
            title.push_str(&text);
        }
        Event::Text(text)
    }

    fn inline_code(&mut self, code: CowStr<'a>) -> Event<'a> {
        if let Some(open) = &mut self.heading {
            open.id_text.push_str(&code);
        }
        if let Some((_, id_text, title)) = &mut self.term {
            id_text.push_str(&code);
            title.push_str(&code);
        }
        Event::Code(code)
    }

    fn resolve(&mut self, dest: &str, offset: usize) -> String {
        resolve::resolve_link(self.ctx, self.page, dest, (self.to_file_offset)(offset), self.shortcodes, self.state)
    }

    /// Raw HTML with its links resolved, and the backslash of an escaped `\{{` dropped, as
    /// Markdown drops it in prose.
    fn raw_html(&mut self, html: CowStr<'a>, range: Range<usize>) -> CowStr<'a> {
        let html =
            resolve::resolve_raw_html(self.ctx, self.page, html, self.text, range, self.to_file_offset, self.state);
        shortcodes::unescape_openings(&html).map_or(html, Into::into)
    }

    /// A whole footnote definition, rendered apart and kept for the notes at the end.
    fn end_footnote(&mut self) -> Option<Event<'a>> {
        if let Some((label, buffer)) = self.footnote.take() {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, buffer.into_iter());
            self.state.footnote_defs.insert(label, html);
        }
        None
    }

    /// Notes every number of three or more digits in `source` (at byte `start` of the
    /// fragment), as written: whole numbers only, not joined to letters (`1,150` and `1150`, not
    /// `A1150`, `1150m` or part of `1,150,000`), for `markdown::typed_numbers`.
    fn record_numbers(&mut self, source: &str, start: usize) {
        let mut found = super::Numbers::default();
        let bytes = source.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let joined_before =
                source[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == ',' || c == '.');
            let begin = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || (matches!(bytes[i], b',' | b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            let number = &source[begin..i];
            let joined_after = source[i..].chars().next().is_some_and(char::is_alphanumeric);
            if !joined_before && !joined_after && number.bytes().filter(u8::is_ascii_digit).count() >= 3 {
                found.push(number, (self.to_file_offset)(start + begin));
            }
        }
        if found.is_empty() {
            return;
        }
        if self.state.include_stack.is_empty() {
            self.state.numbers.extend(&found);
            return;
        }
        // In included Markdown the offsets are in another file: check it now, and let the page
        // depend on every figure, so that it renders again when the data changes.
        for (offset, message) in super::typed_numbers(self.ctx.figures, &found) {
            self.state.errors.push(Error::at_offset(self.page.path, self.page.text, offset, message));
        }
        self.state.uses(self.ctx.figures, [crate::figures::Used::AllFigures]);
    }

    /// Gives the pending ids, lifts block shortcodes out of paragraphs, and writes the HTML.
    fn finish(mut self) -> String {
        let pending = std::mem::take(&mut self.pending);
        assign_pending_ids(self.rule, &mut self.events, pending, self.first_heading, self.state);
        let block_marks: Vec<String> = self
            .shortcodes
            .block
            .iter()
            .enumerate()
            .filter(|(_, block)| **block)
            .map(|(i, _)| placeholder(i))
            .collect();
        let events = blocks::table_captions(blocks::lift_blocks(self.events, &block_marks));
        let mut html = String::with_capacity(self.text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        blocks::accessible_tables(html)
    }
}

/// A heading being read: its level, id, classes, attributes, the events inside it and the text
/// its id is made from.
struct OpenHeading<'a> {
    level: HeadingLevel,
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    inner: Vec<Event<'a>>,
    id_text: String,
}

/// An element whose id is made once the whole fragment is read, so that every id the editor
/// wrote (`{#id}`) is taken first, as Zola does.
struct PendingId {
    /// Index of its start event in `events`.
    index: usize,
    /// The heading level, or `None` for a definition-list term (`mdbook` ids only).
    level: Option<u8>,
    id_text: String,
    title: String,
}

/// Where a finished heading goes: the body (whose ids are made once it is all read), or a
/// footnote being read.
enum Target<'e, 'a> {
    Body(&'e mut Vec<Event<'a>>, &'e mut Vec<PendingId>),
    Footnote(&'e mut Vec<Event<'a>>),
}

/// Writes a heading that was read whole: its title with shortcodes as text, its written id
/// taken, or its id left to `assign_pending_ids` (made at once inside a footnote, where they are
/// rare).
fn end_heading<'a>(
    open: OpenHeading<'a>,
    rule: HeadingIds,
    shortcodes: &Outputs,
    target: Target<'_, 'a>,
    state: &mut State,
) {
    let title = shortcodes.substitute(&plain_text(&open.inner), |o, i| o.text[i].clone());
    let id_text = shortcodes.substitute(&open.id_text, |o, i| o.text[i].clone());
    let level = open.level;
    let (events, id) = match (target, open.id.map(|id| id.to_string())) {
        (target, Some(id)) => {
            state.used_ids.reserve(&id);
            state.headings.push((level as u8, id.clone(), title));
            let events = match target {
                Target::Body(events, _) | Target::Footnote(events) => events,
            };
            (events, Some(id))
        }
        (Target::Footnote(events), None) => {
            let id = state.used_ids.unique(&ids::heading_id(rule, &id_text));
            state.headings.push((level as u8, id.clone(), title));
            (events, Some(id))
        }
        (Target::Body(events, pending), None) => {
            pending.push(PendingId { index: events.len(), level: Some(level as u8), id_text, title });
            (events, None)
        }
    };
    events.push(Event::Start(Tag::Heading {
        level,
        id: id.map(CowStr::from),
        classes: open.classes,
        attrs: open.attrs,
    }));
    events.extend(open.inner);
    events.push(Event::End(TagEnd::Heading(level)));
}

/// The link to a note, numbered in order of first reference; a note referred to again gets
/// another back-link id.
fn footnote_reference<'a>(label: &str, state: &mut State) -> Event<'a> {
    let label = slugify(label);
    if !state.footnote_order.contains(&label) {
        state.footnote_order.push(label.clone());
    }
    let number = state.footnote_order.iter().position(|l| *l == label).unwrap_or(0) + 1;
    let count = state.footnote_refs.entry(label.clone()).or_insert(0);
    *count += 1;
    let ref_id = if *count == 1 { format!("fnref-{label}") } else { format!("fnref-{label}-{count}") };
    Event::Html(
        format!("<sup class=\"footnote-ref\"><a href=\"#fn-{label}\" id=\"{ref_id}\">[{number}]</a></sup>").into(),
    )
}

/// The `[!NOTE]` kinds of GitHub's alerts, as the words a reader sees.
fn alert_label(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

/// The start of a GitHub alert: a section labelled by its kind, which its first line says in words.
fn alert_start(kind: BlockQuoteKind) -> String {
    let label = alert_label(kind);
    format!(
        "<section class=\"alert alert-{}\" aria-label=\"{label}\">\n<p class=\"alert-title\">{label}</p>\n",
        label.to_ascii_lowercase()
    )
}

/// Gives the headings (and, for `mdbook`, the terms) that have no `{#id}` their ids, in order,
/// after every written id was taken.
fn assign_pending_ids(
    rule: HeadingIds,
    events: &mut [Event],
    pending: Vec<PendingId>,
    first: usize,
    state: &mut State,
) {
    let mut headings = Vec::with_capacity(pending.len());
    for item in pending {
        let id = state.used_ids.unique(&ids::heading_id(rule, &item.id_text));
        match (&mut events[item.index], item.level) {
            (Event::Start(Tag::Heading { id: slot, .. }), Some(level)) => {
                *slot = Some(id.clone().into());
                headings.push((level, id, item.title));
            }
            (event, None) => *event = Event::Html(format!("<dt id=\"{}\">", figures::html::escape(&id)).into()),
            _ => {}
        }
    }
    // Headings with written ids were listed as they came, before these: put them in page order.
    let written = state.headings.len() > first;
    state.headings.extend(headings);
    if written {
        let order: std::collections::HashMap<&str, usize> = events
            .iter()
            .filter_map(|e| match e {
                Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.as_ref()),
                _ => None,
            })
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        state.headings[first..].sort_by_key(|(_, id, _)| order.get(id.as_str()).copied().unwrap_or(usize::MAX));
    }
}

fn plain_text(events: &[Event]) -> String {
    let mut title = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            title.push_str(t);
        }
    }
    title
}

/// The characters smart punctuation writes in place of `'`, `"`, `--`, `---` and `...`.
fn is_smart_punctuation(text: &str) -> bool {
    matches!(text, "\u{2018}" | "\u{2019}" | "\u{201c}" | "\u{201d}" | "\u{2013}" | "\u{2014}" | "\u{2026}")
}

/// The language of a code block's info string: its first word before a space or a comma
/// (`rust,ignore`, `python title=x`, `scss, linenos`).
pub(super) fn info_language(info: &str) -> Option<&str> {
    info.split([' ', '\t', ',']).find(|word| !word.is_empty())
}
