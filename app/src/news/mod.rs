//! News items and events as the feed and the article pages show them: the shared types, the
//! server functions that load them, and the feed and article pages.

pub mod api;
mod article;
mod feed;
pub mod filter;
#[cfg(feature = "ssr")]
pub mod markdown;

pub use article::ItemArticle;
pub use feed::{DateLine, FeedList, NewsPage, TagPage};

use serde::{Deserialize, Serialize};

/// Items per feed page, as on the seed site.
pub const PER_PAGE: u32 = 10;

/// Whether an item is a plain news story or an event with dates and a venue. Spelt as in the
/// database everywhere (`news`, `event`); server functions also accept the capitalised names
/// they were first called with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    #[serde(rename = "news", alias = "News")]
    News,
    #[serde(rename = "event", alias = "Event")]
    Event,
}

db_enum!(ItemKind { News = "news", Event = "event" });

impl ItemKind {
    /// The public URL of the item with this kind and slug.
    pub fn href(self, slug: &str) -> String {
        match self {
            Self::News => format!("/news/{slug}"),
            Self::Event => format!("/events/{slug}"),
        }
    }
}

/// What a list shows of an item: enough for a title, a date line and the lead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub slug: String,
    pub kind: ItemKind,
    /// The language the texts below are in (may differ from the requested one).
    pub lang: crate::i18n::Lang,
    pub title: String,
    pub lead: String,
    /// ISO 8601 UTC.
    pub published_at: String,
    pub event_start: Option<String>,
    pub event_end: Option<String>,
    pub venue: String,
}

impl ItemSummary {
    pub fn href(&self) -> String {
        self.kind.href(&self.slug)
    }
}

/// A tag attached to items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub slug: String,
    pub name: String,
}

/// A link to a neighbouring item in the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemLink {
    pub href: String,
    pub title: String,
}

/// A partner city as an item names it and pages link to it (the cities feature makes one from
/// a whole city).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CityRef {
    pub slug: String,
    pub name: String,
    pub country: String,
}

impl CityRef {
    pub fn href(&self) -> String {
        format!("/cities/{}", self.slug)
    }
}

/// One item with everything its own page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub summary: ItemSummary,
    /// Sanitised HTML rendered from the stored Markdown body.
    pub body_html: String,
    pub cities: Vec<CityRef>,
    pub tags: Vec<Tag>,
    /// The next older published item.
    pub previous: Option<ItemLink>,
    /// The next newer published item.
    pub next: Option<ItemLink>,
    pub cover: Option<crate::media::Cover>,
}

/// A page of the (maybe filtered) feed with what the page says about its filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    pub page: crate::pager::Page<ItemSummary>,
    pub filter: filter::FeedFilter,
    pub city_name: Option<String>,
    pub tag_name: Option<String>,
    pub choices: filter::FilterChoices,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::ItemKind;

    #[test]
    fn kinds_are_spelt_as_in_the_database() {
        for kind in [ItemKind::News, ItemKind::Event] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ItemKind>(&json).unwrap(), kind);
        }
        assert_eq!(
            serde_json::from_str::<ItemKind>("\"News\"").unwrap(),
            ItemKind::News,
            "the first spelling is still understood"
        );
    }
}
