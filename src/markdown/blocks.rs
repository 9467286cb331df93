//! Passes over a fragment's events once pulldown-cmark has read it, and over its HTML: block
//! shortcodes out of the paragraphs they were written in, `Table:` captions into their tables,
//! and Markdown tables made accessible. Pure.

use pulldown_cmark::{Event, Tag, TagEnd};

/// Moves every block shortcode (its placeholder) out of the paragraph it was written in, closing
/// the paragraph before it and opening another after it; paragraphs left empty are dropped.
pub(super) fn lift_blocks<'a>(events: Vec<Event<'a>>, blocks: &[String]) -> Vec<Event<'a>> {
    if blocks.is_empty() {
        return events;
    }
    let mut out: Vec<Event> = Vec::with_capacity(events.len() + 4);
    let mut in_paragraph = false;
    // Just after a lifted block: the line break and spaces that led to it are dropped.
    let mut after_block = false;
    for event in events {
        match event {
            Event::Start(Tag::Paragraph) => {
                (in_paragraph, after_block) = (true, false);
                out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                (in_paragraph, after_block) = (false, false);
                close_paragraph(&mut out);
            }
            Event::SoftBreak if after_block => {}
            Event::Text(t) if in_paragraph && blocks.iter().any(|mark| t.contains(mark.as_str())) => {
                let mut rest: &str = if after_block { t.trim_start() } else { &t };
                while let Some((at, mark)) =
                    blocks.iter().filter_map(|mark| rest.find(mark.as_str()).map(|at| (at, mark))).min()
                {
                    if !rest[..at].trim().is_empty() {
                        out.push(Event::Text(rest[..at].to_string().into()));
                    }
                    close_paragraph(&mut out);
                    out.push(Event::Html(format!("{mark}\n").into()));
                    out.push(Event::Start(Tag::Paragraph));
                    rest = rest[at + mark.len()..].trim_start();
                }
                after_block = rest.is_empty();
                if !rest.is_empty() {
                    out.push(Event::Text(rest.to_string().into()));
                }
            }
            Event::Text(t) if after_block => {
                after_block = false;
                let rest = t.trim_start();
                if !rest.is_empty() {
                    out.push(Event::Text(rest.to_string().into()));
                }
            }
            other => {
                after_block = false;
                out.push(other);
            }
        }
    }
    out
}

/// Ends the paragraph being written, without the line break and spaces at its end, or drops it
/// if nothing but space was written in it.
fn close_paragraph(out: &mut Vec<Event>) {
    while let Some(Event::SoftBreak) = out.last() {
        out.pop();
    }
    if let Some(Event::Text(t)) = out.last_mut()
        && t.ends_with(char::is_whitespace)
    {
        *t = t.trim_end().to_string().into();
    }
    let start = out.iter().rposition(|e| matches!(e, Event::Start(Tag::Paragraph)));
    let empty = start.is_some_and(|start| {
        out[start + 1..].iter().all(|e| match e {
            Event::Text(t) => t.trim().is_empty(),
            Event::SoftBreak | Event::HardBreak => true,
            _ => false,
        })
    });
    match start {
        Some(start) if empty => out.truncate(start),
        _ => out.push(Event::End(TagEnd::Paragraph)),
    }
}

/// A paragraph `Table: …` directly before or after a table becomes that table's `<caption>`
/// (Pandoc's syntax).
pub(super) fn table_captions(events: Vec<Event>) -> Vec<Event> {
    let caption_at = |events: &[Event], i: usize| -> Option<usize> {
        let (Some(Event::Start(Tag::Paragraph)), Some(Event::Text(first))) = (events.get(i), events.get(i + 1)) else {
            return None;
        };
        if !first.starts_with("Table:") {
            return None;
        }
        events[i..].iter().position(|e| matches!(e, Event::End(TagEnd::Paragraph))).map(|len| i + len)
    };
    let has_caption = events
        .windows(2)
        .any(|pair| matches!(pair, [Event::Start(Tag::Paragraph), Event::Text(first)] if first.starts_with("Table:")));
    if !has_caption || !events.iter().any(|e| matches!(e, Event::Start(Tag::Table(_)))) {
        return events;
    }
    let mut out: Vec<Event> = Vec::with_capacity(events.len() + 2);
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Table(_)) = &events[i] else {
            out.push(events[i].clone());
            i += 1;
            continue;
        };
        let end = events[i..]
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Table)))
            .map_or(events.len() - 1, |len| i + len);
        // The marker a `check` build puts before a table stays just before it.
        let mut markers = Vec::new();
        while let Some(Event::Html(html)) = out.last()
            && html.starts_with("<!--picket")
        {
            markers.extend(out.pop());
        }
        // A caption written before the table was pushed already: take it back.
        let before = out
            .iter()
            .rposition(|e| matches!(e, Event::Start(Tag::Paragraph)))
            .filter(|start| caption_at(&out, *start) == Some(out.len() - 1));
        let caption: Vec<Event> = match before {
            Some(start) => out.drain(start..).collect(),
            None => Vec::new(),
        };
        let (caption, after) = match (caption.is_empty(), caption_at(&events, end + 1)) {
            (true, Some(caption_end)) => (events[end + 1..=caption_end].to_vec(), caption_end + 1),
            _ => (caption, end + 1),
        };
        out.extend(markers.into_iter().rev());
        out.push(events[i].clone());
        if !caption.is_empty() {
            out.push(Event::Html("<caption>".into()));
            for (n, event) in caption[1..caption.len() - 1].iter().enumerate() {
                match event {
                    Event::Text(t) if n == 0 => {
                        let rest = t["Table:".len()..].trim_start();
                        if !rest.is_empty() {
                            out.push(Event::Text(rest.to_string().into()));
                        }
                    }
                    other => out.push(other.clone()),
                }
            }
            out.push(Event::Html("</caption>".into()));
        }
        out.extend(events[i + 1..=end].iter().cloned());
        i = after;
    }
    out
}

/// Markdown tables get `scope` on header cells and classes instead of inline `style` alignment,
/// so pages pass validators and a strict content security policy. Only the tables are rewritten;
/// the rest of the page is copied as it is.
pub(super) fn accessible_tables(html: String) -> String {
    let Some(first) = html.find("<table>") else {
        return html;
    };
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = &html[first..];
    out.push_str(&html[..first]);
    while let Some(start) = rest.find("<table>") {
        let end = rest[start..].find("</table>").map_or(rest.len(), |len| start + len);
        out.push_str(&rest[..start]);
        out.push_str(
            &rest[start..end]
                .replace("<th>", "<th scope=\"col\">")
                .replace("<th style=\"text-align: ", "<th scope=\"col\" style=\"text-align: ")
                .replace(" style=\"text-align: right\"", " class=\"num\"")
                .replace(" style=\"text-align: left\"", " class=\"align-left\"")
                .replace(" style=\"text-align: center\"", " class=\"align-center\""),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
