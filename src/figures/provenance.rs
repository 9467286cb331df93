//! Where a number comes from: a report (`Provenance::Reported`, with its sources) or the site's
//! own arithmetic (`Provenance::Computed`, with the operation, its parts and the reports behind
//! them). A computed number has no sources of its own, so nothing can cite it as if a report
//! gave it. Plain data.

use super::and_list;

/// Where a number comes from: a report, or the site's own arithmetic. A computed number never
/// has sources of its own, only the sources of what it is computed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Provenance {
    /// Given by the reports with these ids, in registry order.
    Reported { sources: Vec<String> },
    /// Worked out by the site.
    Computed(Computation),
}

impl Provenance {
    /// The reports behind the number, at any depth, in registry order.
    pub fn sources(&self) -> &[String] {
        match self {
            Provenance::Reported { sources } => sources,
            Provenance::Computed(computation) => &computation.sources,
        }
    }

    pub fn computation(&self) -> Option<&Computation> {
        match self {
            Provenance::Reported { .. } => None,
            Provenance::Computed(computation) => Some(computation),
        }
    }
}

/// How the site worked a number out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Sum,
    Difference,
    /// Counted from rules (the hours of a week grid).
    Count,
}

impl Operation {
    /// What a computed number is called where it appears: `our sum`, `our difference`, `our count`.
    pub fn mark_words(self) -> &'static str {
        match self {
            Operation::Sum => "our sum",
            Operation::Difference => "our difference",
            Operation::Count => "our count",
        }
    }

    /// `sum`, `difference`, `count`: for `data-computed` attributes and messages.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Sum => "sum",
            Operation::Difference => "difference",
            Operation::Count => "count",
        }
    }
}

/// A computed number: the operation, what it is made of, and the reports those come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Computation {
    pub operation: Operation,
    pub parts: Vec<Part>,
    /// The reports behind the parts, at any depth, in registry order.
    pub sources: Vec<String>,
}

/// One number a computation is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The figure id, or the column and row a table cell comes from.
    pub name: String,
    /// The number as readers see it.
    pub text: String,
    /// Whether the part is itself computed.
    pub computed: bool,
}

impl Computation {
    /// For editors' messages: "the sum of `a` and `b`".
    pub fn how(&self) -> String {
        let names: Vec<String> = self.parts.iter().map(|p| format!("`{}`", p.name)).collect();
        match self.operation {
            Operation::Sum => format!("the sum of {}", and_list(&names)),
            Operation::Difference => names.join(" minus "),
            Operation::Count => format!("a count from {}", and_list(&names)),
        }
    }
}
