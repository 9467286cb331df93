//! Declared checks on figures (`approximates`, `at_most`, `at_least`, `equals`): each runs at
//! load and fails with the data file's path:line, naming both numbers. Pure.

use serde::Deserialize;

use super::{Figure, Figures, Origin};
use crate::error::Result;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Direction {
    Below,
    Above,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCheck {
    pub(crate) id: String,
    figure: String,
    #[serde(default)]
    approximates: Option<String>,
    #[serde(default, deserialize_with = "super::values::finite_number")]
    tolerance: Option<serde_yaml::Number>,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    at_most: Option<String>,
    #[serde(default)]
    at_least: Option<String>,
    #[serde(default)]
    equals: Option<String>,
}

pub(crate) fn run_check(figures: &Figures, origin: &Origin, check: &RawCheck) -> Result<()> {
    let get = |id: &str| {
        figures.figures.get(id).ok_or_else(|| {
            origin.error(format!("the check `{}` uses the figure `{id}`, which is not defined", check.id))
        })
    };
    let stated = get(&check.figure)?;
    let describe = |f: &Figure| {
        let how = f.provenance.computation().map(|c| format!(", {}", c.how())).unwrap_or_default();
        format!("`{}` is {}{how} ({}:{})", f.id, f.display(), f.origin.path.display(), f.origin.line)
    };
    let fail = |other: &Figure, what: &str| {
        Err(origin.error(format!(
            "check `{}` failed: {} but {}; {what}; correct the number in the data file or the check",
            check.id,
            describe(stated),
            describe(other)
        )))
    };
    match (&check.approximates, &check.at_most, &check.at_least, &check.equals) {
        (Some(other), None, None, None) => {
            let other = get(other)?;
            let tolerance = check.tolerance.as_ref().and_then(serde_yaml::Number::as_f64).unwrap_or(0.05);
            let gap = (other.value - stated.value).abs() / stated.value.abs().max(f64::MIN_POSITIVE);
            if gap > tolerance {
                return fail(
                    other,
                    &format!("they differ by {:.1}%, more than the {:.1}% allowed", gap * 100.0, tolerance * 100.0),
                );
            }
            match check.direction {
                Some(Direction::Below) if other.value > stated.value => {
                    fail(other, "it should be at or below the stated number")
                }
                Some(Direction::Above) if other.value < stated.value => {
                    fail(other, "it should be at or above the stated number")
                }
                _ => Ok(()),
            }
        }
        (None, Some(other), None, None) => {
            let other = get(other)?;
            if stated.value > other.value { fail(other, "the first should be at most the second") } else { Ok(()) }
        }
        (None, None, Some(other), None) => {
            let other = get(other)?;
            if stated.value < other.value { fail(other, "the first should be at least the second") } else { Ok(()) }
        }
        (None, None, None, Some(other)) => {
            let other = get(other)?;
            if (stated.value - other.value).abs() > 1e-9 { fail(other, "they should be equal") } else { Ok(()) }
        }
        _ => Err(origin.error(format!(
            "the check `{}` needs exactly one of `approximates`, `at_most`, `at_least` or `equals`",
            check.id
        ))),
    }
}
