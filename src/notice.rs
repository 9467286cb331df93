//! The history notice: a short text a theme shows near the top of a page, before its heading,
//! as GOV.UK's history banner tells readers that a page describes the past ("This was published
//! under the 2010 to 2015 Conservative and Liberal Democrat coalition government").
//!
//! `notice` in `site.yaml` applies to every page; `notice` in a page's front matter replaces it
//! for that page, and `notice: false` shows none there. Templates get the notice that applies as
//! `page.notice`. Pure.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::yaml::own_message;

/// What a `notice:` key says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Notice {
    /// Plain text, shown as it is written.
    Text(String),
    /// `notice: false`: no notice on this page, whatever the site's.
    Off,
}

impl Notice {
    /// The notice a page shows: its own, else the site's; `None` when neither has one or the page
    /// turns it off.
    pub fn resolve<'a>(site: Option<&'a Notice>, page: Option<&'a Notice>) -> Option<&'a str> {
        match page.or(site)? {
            Notice::Text(text) => Some(text),
            Notice::Off => None,
        }
    }
}

/// An error located at the notice's value, worded for editors.
fn editor_error<E: de::Error>(message: String) -> E {
    E::custom(own_message(&message))
}

const HINT: &str = "`notice` is a line of text shown at the top of the page, such as `notice: \"This page describes events of February 2016.\"`, or `notice: false` for no notice on this page";

impl<'de> Deserialize<'de> for Notice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoticeVisitor)
    }
}

struct NoticeVisitor;

impl<'de> Visitor<'de> for NoticeVisitor {
    type Value = Notice;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("text, or false")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Notice, E> {
        if text.trim().is_empty() {
            return Err(editor_error(format!("the notice is empty; {HINT}")));
        }
        Ok(Notice::Text(text.trim().to_string()))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Notice, E> {
        if value {
            return Err(editor_error(format!("`notice: true` says nothing to show; {HINT}")));
        }
        Ok(Notice::Off)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Notice, E> {
        Err(editor_error(format!("the notice is the number {value}; {HINT}")))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Notice, E> {
        Err(editor_error(format!("the notice is the number {value}; {HINT}")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Notice, E> {
        Err(editor_error(format!("the notice is the number {value}; {HINT}")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Notice, E> {
        Err(editor_error(format!("the notice is empty; {HINT}")))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Notice, A::Error> {
        Err(editor_error(format!("the notice is a list; {HINT}")))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Notice, A::Error> {
        Err(editor_error(format!("the notice is a map of keys; {HINT}")))
    }
}

#[cfg(test)]
mod tests {
    use super::Notice;

    #[test]
    fn a_page_notice_replaces_the_site_notice_and_false_removes_it() {
        let site = Notice::Text("site".to_string());
        let page = Notice::Text("page".to_string());
        assert_eq!(Notice::resolve(Some(&site), None), Some("site"));
        assert_eq!(Notice::resolve(Some(&site), Some(&page)), Some("page"));
        assert_eq!(Notice::resolve(None, Some(&page)), Some("page"));
        assert_eq!(Notice::resolve(Some(&site), Some(&Notice::Off)), None);
        assert_eq!(Notice::resolve(None, None), None);
    }
}
