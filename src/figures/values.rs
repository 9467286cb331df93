//! The checked values of data files: links, finite numbers and dates, each checked while serde
//! reads it so that a bad value is an error at its own path:line:col (serde_yaml locates errors
//! raised inside a visitor at the value), and the keys a record must not have (`Refused`). Pure.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use crate::yaml::{checked_string, own_message};

/// Reads a URL a page will link to: `http(s)://`, `mailto:` or a path on the site (`/report.pdf`).
/// Anything else (`javascript:`, `data:`) could run script or hide content behind a link.
pub(super) fn link_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    checked_string(deserializer, |url| {
        let lower = url.trim().to_ascii_lowercase();
        let site_relative = lower.starts_with('/') && !lower.starts_with("//");
        if ["https://", "http://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme)) || site_relative {
            return Ok(());
        }
        Err(format!(
            "`{}` is not a URL picket links to; write an `https://` or `http://` address, a `mailto:` address, or a path on the site starting with `/`",
            url.escape_debug()
        ))
    })
    .map(Some)
}

/// Reads a number that is finite: `.nan` and `.inf` are YAML numbers but no count or amount.
pub(super) fn finite_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_yaml::Number>, D::Error> {
    struct Finite;

    impl serde::de::Visitor<'_> for Finite {
        type Value = serde_yaml::Number;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number")
        }

        fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<Self::Value, E> {
            Ok(number.into())
        }

        fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<Self::Value, E> {
            Ok(number.into())
        }

        fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<Self::Value, E> {
            if number.is_finite() {
                return Ok(number.into());
            }
            Err(E::custom(own_message(&format!(
                "`{number}` is not a finite number; write the number the report gives, such as `1150`"
            ))))
        }
    }

    deserializer.deserialize_any(Finite).map(Some)
}

/// Reads a date written `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, checking that it exists.
pub(super) fn date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    checked_string(deserializer, |text| {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |part: &str, digits: usize| (part.len() == digits).then(|| part.parse::<i16>().ok()).flatten();
        let valid = match parts.as_slice() {
            [year] => number(year, 4).is_some(),
            [year, month] => number(year, 4).is_some() && number(month, 2).is_some_and(|m| (1..=12).contains(&m)),
            [_, _, _] => text.parse::<jiff::civil::Date>().is_ok(),
            _ => false,
        };
        if valid {
            return Ok(());
        }
        Err(format!(
            "`{}` is not a date; write `YYYY-MM-DD`, `YYYY-MM` or `YYYY` with a real month and day, such as `2016-02-10` or `2016-01`",
            text.escape_debug()
        ))
    })
}

pub(super) fn some_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    date(deserializer).map(Some)
}

/// A key that a record must not have; reading it is an error at its value saying why.
/// Used as `#[serde(default, deserialize_with = "...")]` on an `Option<Refused>` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Refused;

/// Reads any value and refuses it with `message`, located at the value.
pub(crate) fn refuse<'de, D: Deserializer<'de>>(
    deserializer: D,
    message: &'static str,
) -> Result<Option<Refused>, D::Error> {
    deserializer.deserialize_any(RefuseVisitor(message))
}

struct RefuseVisitor(&'static str);

impl RefuseVisitor {
    fn error<E: de::Error>(&self) -> E {
        E::custom(own_message(self.0))
    }
}

impl<'de> Visitor<'de> for RefuseVisitor {
    type Value = Option<Refused>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(self.error())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(self.error())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(self.error())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(self.error())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(self.error())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.error())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.error())
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.error())
    }
}
