//! Week grids: rules about hours (which attract a higher rate) -> a 7 x 24 grid per scheme, as
//! accessible tables, with the higher-rate hours per day and per week computed from the grid.
//!
//! A scheme lists half-open hour ranges `[from, to)` per day; a scheme `based_on` another starts
//! from its grid and applies its own `unsocial` and `plain` ranges. Pure.

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

fn letter(label: &str) -> String {
    label.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()
}

/// One table per scheme, then a sentence comparing the weekly totals.
pub fn html(figures: &Figures, grid: &Grid) -> String {
    let unsocial = letter(&grid.unsocial_label);
    let plain = letter(&grid.plain_label);
    let mut html = format!(
        "<p class=\"grid-key\">Key: <span class=\"grid-unsocial\">{unsocial}</span> {}; <span class=\"grid-plain\">{plain}</span> {}. \
         Each column is one hour, starting at the time shown.</p>\n",
        escape(&grid.unsocial_label),
        escape(&grid.plain_label)
    );
    for scheme in &grid.schemes {
        html.push_str(&scheme_table(figures, grid, scheme, &unsocial, &plain));
    }
    let totals: Vec<String> =
        grid.schemes.iter().map(|s| format!("{}: {} hours a week", escape(&s.label), s.unsocial_per_week())).collect();
    html.push_str(&format!(
        "<p class=\"grid-totals\">{} hours, counted from the grids above: {}.</p>\n",
        escape(&grid.unsocial_label),
        totals.join("; ")
    ));
    html
}

fn scheme_table(figures: &Figures, grid: &Grid, scheme: &Scheme, unsocial: &str, plain: &str) -> String {
    let id = format!("grid-{}-{}", escape(&grid.id), escape(&scheme.id));
    let mut html = format!(
        "<section class=\"table-wrap\" aria-labelledby=\"{id}-caption\" tabindex=\"0\">\n\
         <table class=\"week-grid\" id=\"{id}\">\n<caption id=\"{id}-caption\">{}: {}</caption>\n<thead>\n<tr><th scope=\"col\">Day</th>",
        escape(&grid.caption),
        escape(&scheme.label)
    );
    for hour in 0..24 {
        html.push_str(&format!("<th scope=\"col\">{hour:02}<span class=\"visually-hidden\">:00</span></th>"));
    }
    html.push_str(&format!(
        "<th scope=\"col\" class=\"num\">{} hours</th></tr>\n</thead>\n<tbody>\n",
        escape(&grid.unsocial_label)
    ));
    for (d, (_, day)) in DAYS.iter().enumerate() {
        html.push_str(&format!("<tr><th scope=\"row\">{day}</th>"));
        for hour in 0..24 {
            let (class, mark, label) = if scheme.hours[d][hour] {
                ("grid-unsocial", unsocial, &grid.unsocial_label)
            } else {
                ("grid-plain", plain, &grid.plain_label)
            };
            html.push_str(&format!(
                "<td class=\"{class}\"><span aria-hidden=\"true\">{mark}</span><span class=\"visually-hidden\">{}</span></td>",
                escape(label)
            ));
        }
        html.push_str(&format!("<td class=\"num\">{}</td></tr>\n", scheme.unsocial_per_day(d)));
    }
    html.push_str(&format!(
        "</tbody>\n<tfoot>\n<tr><th scope=\"row\" colspan=\"25\">Total for the week</th><td class=\"num\">{}</td></tr>\n</tfoot>\n</table>\n</section>\n",
        scheme.unsocial_per_week()
    ));
    html.push_str(&format!(
        "<p class=\"source\">Source: the rule as reported {}. The hour counts are computed by this site from the grid.</p>\n",
        citation(figures, &scheme.sources)
    ));
    html
}
