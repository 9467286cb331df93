//! Week grids: rules about hours (which attract a higher rate) -> a 7 x 24 grid per scheme, and
//! its HTML: for each day, the higher-rate hours as ranges in words ("Before 7am and from 7pm")
//! with the 24 hours drawn as a small SVG beside them, and the site's own count of those hours
//! per day and per week, computed from the grid.
//!
//! A scheme lists half-open hour ranges `[from, to)` per day; a scheme `based_on` another starts
//! from its grid and applies its own `unsocial` and `plain` ranges. The words carry the meaning,
//! so it survives any screen width and a screen reader hears one sentence per day; the SVG is
//! decorative (`aria-hidden`). Pure.

use serde::Deserialize;

use super::html::{citation, escape};
use super::{Figures, Origin, Source};
use crate::error::Result;

pub const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRange {
    days: Vec<String>,
    from: u32,
    to: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScheme {
    id: String,
    label: String,
    #[serde(default)]
    source: Vec<String>,
    #[serde(default)]
    based_on: Option<String>,
    #[serde(default)]
    unsocial: Vec<RawRange>,
    #[serde(default)]
    plain: Vec<RawRange>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGrid {
    pub id: String,
    caption: String,
    plain_label: String,
    unsocial_label: String,
    schemes: Vec<RawScheme>,
}

/// One scheme: for each day, for each hour, whether it attracts the higher rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    pub id: String,
    pub label: String,
    pub sources: Vec<String>,
    pub hours: [[bool; 24]; 7],
}

impl Scheme {
    pub fn unsocial_per_day(&self, day: usize) -> usize {
        self.hours[day].iter().filter(|h| **h).count()
    }

    pub fn unsocial_per_week(&self) -> usize {
        (0..7).map(|d| self.unsocial_per_day(d)).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub id: String,
    pub caption: String,
    pub plain_label: String,
    pub unsocial_label: String,
    pub schemes: Vec<Scheme>,
}

pub(crate) fn resolve(sources: &[Source], origin: &Origin, raw: RawGrid) -> Result<Grid> {
    let mut schemes: Vec<Scheme> = Vec::new();
    for scheme in raw.schemes {
        let mut hours = match &scheme.based_on {
            None => [[false; 24]; 7],
            Some(base) => match schemes.iter().find(|s| &s.id == base) {
                Some(base) => base.hours,
                None => {
                    return Err(origin.error(format!(
                        "the scheme `{}` is based on `{base}`, which is not an earlier scheme of this grid",
                        scheme.id
                    )));
                }
            },
        };
        for (ranges, value) in [(&scheme.unsocial, true), (&scheme.plain, false)] {
            for range in ranges {
                if range.from >= range.to || range.to > 24 {
                    return Err(origin.error(format!(
                        "the scheme `{}` has the hours {} to {}; hours run from 0 to 24 and `from` must be before `to`",
                        scheme.id, range.from, range.to
                    )));
                }
                for day in &range.days {
                    let Some(d) = DAYS.iter().position(|(key, _)| key == day) else {
                        return Err(
                            origin.error(format!("`{day}` is not a day; use mon, tue, wed, thu, fri, sat or sun"))
                        );
                    };
                    for hour in range.from..range.to {
                        hours[d][hour as usize] = value;
                    }
                }
            }
        }
        for id in &scheme.source {
            if !sources.iter().any(|s| &s.id == id) {
                return Err(origin
                    .error(format!("the scheme `{}` cites `{id}`, which is not in the sources registry", scheme.id)));
            }
        }
        schemes.push(Scheme { id: scheme.id, label: scheme.label, sources: scheme.source, hours });
    }
    Ok(Grid {
        id: raw.id,
        caption: raw.caption,
        plain_label: raw.plain_label,
        unsocial_label: raw.unsocial_label,
        schemes,
    })
}

/// The runs of consecutive higher-rate hours of one day, as half-open `[from, to)` ranges.
pub(crate) fn runs(hours: &[bool; 24]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (hour, &higher) in hours.iter().chain([&false]).enumerate() {
        match (higher, start) {
            (true, None) => start = Some(hour),
            (false, Some(from)) => {
                runs.push((from, hour));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// An hour of the day as the reports write times: `midnight`, `7am`, `midday`, `7pm`.
pub(crate) fn time_of_day(hour: usize) -> String {
    match hour % 24 {
        0 => "midnight".to_string(),
        12 => "midday".to_string(),
        h if h < 12 => format!("{h}am"),
        h => format!("{}pm", h - 12),
    }
}

/// One day's higher-rate hours in words, starting with a capital: `Before 7am and from 7pm`,
/// `All day`, `From 9am to 5pm`; `None` when there are none.
pub(crate) fn describe_day(hours: &[bool; 24]) -> Option<String> {
    let parts: Vec<String> = runs(hours)
        .into_iter()
        .map(|run| match run {
            (0, 24) => "all day".to_string(),
            (0, to) => format!("before {}", time_of_day(to)),
            (from, 24) => format!("from {}", time_of_day(from)),
            (from, to) => format!("from {} to {}", time_of_day(from), time_of_day(to)),
        })
        .collect();
    let sentence = match parts.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    Some(upper_first(&sentence))
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A label lower-cased for use inside a sentence, unless it starts with an acronym (`BST`).
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(std::iter::once(second)).chain(chars).collect()
        }
        _ => label.to_string(),
    }
}

fn hours(n: usize) -> String {
    if n == 1 { "1 hour".to_string() } else { format!("{n} hours") }
}

/// Width of one hour in the SVG's own units; the SVG scales to its box.
const HOUR: usize = 10;

/// The 24 hours of a day as a strip: higher-rate hours filled, plain hours white, a tick every
/// six hours. Decorative: the words beside it say the same.
fn strip(hours: &[bool; 24]) -> String {
    let width = 24 * HOUR;
    let mut svg = format!(
        "<svg class=\"week-strip\" aria-hidden=\"true\" focusable=\"false\" viewBox=\"0 0 {width} 10\" preserveAspectRatio=\"none\">"
    );
    for (from, to) in runs(hours) {
        svg.push_str(&format!(
            "<rect class=\"week-on\" x=\"{}\" width=\"{}\" height=\"10\"/>",
            from * HOUR,
            (to - from) * HOUR
        ));
    }
    for tick in [6, 12, 18] {
        svg.push_str(&format!("<path class=\"week-tick\" d=\"M{} 0V10\"/>", tick * HOUR));
    }
    svg.push_str(&format!("<rect class=\"week-frame\" width=\"{width}\" height=\"10\"/></svg>"));
    svg
}

/// The grid's caption and key, then one list per scheme, each with its source line.
pub fn html(figures: &Figures, grid: &Grid) -> String {
    let id = escape(&grid.id);
    let unsocial = escape(&in_sentence(&grid.unsocial_label));
    let plain = escape(&in_sentence(&grid.plain_label));
    let mut html = format!(
        "<div class=\"week-grid\" id=\"grid-{id}\">\n<p class=\"week-caption\">{}</p>\n\
         <p class=\"week-key\">For each day: the hours at the {unsocial}, a bar of the 24 hours from midnight to midnight \
         (<span class=\"week-key-on\" aria-hidden=\"true\"></span> {unsocial}, <span class=\"week-key-off\" aria-hidden=\"true\"></span> {plain}), \
         and how many hours that is. The hour counts are this site’s own, computed from the rules; the reports do not give them.</p>\n",
        escape(&grid.caption),
    );
    for scheme in &grid.schemes {
        html.push_str(&scheme_list(figures, grid, scheme));
    }
    html.push_str("</div>\n");
    html
}

fn scheme_list(figures: &Figures, grid: &Grid, scheme: &Scheme) -> String {
    let id = format!("grid-{}-{}", escape(&grid.id), escape(&scheme.id));
    let unsocial = escape(&in_sentence(&grid.unsocial_label));
    let plain = escape(&in_sentence(&grid.plain_label));
    let mut html = format!(
        "<figure class=\"week\" id=\"{id}\" aria-labelledby=\"{id}-title\">\n\
         <figcaption class=\"week-title\" id=\"{id}-title\">{}<span class=\"visually-hidden\">: hours at the {unsocial} each day</span></figcaption>\n\
         <div class=\"week-row week-head\" aria-hidden=\"true\"><span class=\"week-day\">Day</span>\
         <span class=\"week-hours\">Hours at the {unsocial}</span>\
         <span class=\"week-axis\"><span>midnight</span><span>midday</span><span>midnight</span></span>\
         <span class=\"week-count\">Our count</span></div>\n<ul class=\"week-days\">\n",
        escape(&scheme.label),
    );
    for (d, (_, day)) in DAYS.iter().enumerate() {
        let words = describe_day(&scheme.hours[d]).unwrap_or_else(|| format!("None: {plain} all day"));
        html.push_str(&format!(
            "<li class=\"week-row\"><span class=\"week-day\">{day}</span><span class=\"visually-hidden\">: </span>\
             <span class=\"week-hours\">{}</span>{}<span class=\"week-count\" data-computed=\"count\"><span class=\"visually-hidden\">, </span>{}</span></li>\n",
            escape(&words),
            strip(&scheme.hours[d]),
            hours(scheme.unsocial_per_day(d)),
        ));
    }
    html.push_str(&format!(
        "</ul>\n<p class=\"week-row week-total\"><span class=\"week-day\">Whole week</span><span class=\"visually-hidden\">: </span>\
         <span class=\"week-hours\">Hours at the {unsocial}, counted by this site</span>\
         <span class=\"week-count\" data-computed=\"count\"><span class=\"visually-hidden\">, </span>{}</span></p>\n",
        hours(scheme.unsocial_per_week())
    ));
    let cited = citation(figures, &scheme.sources);
    let source = if cited.is_empty() { String::new() } else { format!("Source: the rule as reported {cited}. ") };
    html.push_str(&format!(
        "<p class=\"source\">{source}The hour counts are computed by this site from the rule.</p>\n</figure>\n"
    ));
    html
}

#[cfg(test)]
mod tests;
