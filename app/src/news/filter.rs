//! The feed's filters — partner city, tag, kind and year — as they live in the URL, and the
//! choices the filter form offers.

use serde::{Deserialize, Serialize};

use super::ItemKind;
use crate::error::AppError;
use crate::i18n::Key;

/// What the feed is narrowed to; every field empty is the whole feed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFilter {
    /// Slug of a partner city.
    pub city: Option<String>,
    /// Slug of a tag.
    pub tag: Option<String>,
    pub kind: Option<ItemKind>,
    /// Year of publication.
    pub year: Option<i32>,
}

/// One choice in a select of the filter form: the URL value and what it shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Everything the filter form can offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub cities: Vec<Choice>,
    pub tags: Vec<Choice>,
    pub years: Vec<i32>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl FeedFilter {
    /// Reads the filters from URL query values; a kind or year that cannot be one is a 400.
    pub fn from_query(
        city: Option<String>,
        tag: Option<String>,
        kind: Option<String>,
        year: Option<String>,
    ) -> Result<Self, AppError> {
        let kind = match non_empty(kind).as_deref() {
            None => None,
            Some(k) => Some(
                ItemKind::from_db(k).ok_or_else(|| AppError::invalid("kind", Key::ErrFeedKind))?,
            ),
        };
        let year = match non_empty(year) {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                    .ok_or_else(|| AppError::invalid("year", Key::ErrFeedYear))?,
            ),
        };
        Ok(Self {
            city: non_empty(city),
            tag: non_empty(tag),
            kind,
            year,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The filters as URL query pairs, leaving out `tag` when the path already names it.
    pub fn query_pairs(&self, with_tag: bool) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(city) = &self.city {
            pairs.push(("city", city.clone()));
        }
        if let (Some(tag), true) = (&self.tag, with_tag) {
            pairs.push(("tag", tag.clone()));
        }
        if let Some(kind) = self.kind {
            pairs.push(("kind", kind.as_str().to_owned()));
        }
        if let Some(year) = self.year {
            pairs.push(("year", year.to_string()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::with_query;

    #[test]
    fn filters_come_from_the_url_and_go_back_to_it() {
        let f = FeedFilter::from_query(
            Some("chemnitz".into()),
            Some(" music ".into()),
            Some("event".into()),
            Some("2020".into()),
        )
        .unwrap();
        assert_eq!(f.tag.as_deref(), Some("music"));
        assert_eq!(
            with_query("/news", &f.query_pairs(true)),
            "/news?city=chemnitz&tag=music&kind=event&year=2020"
        );
        assert_eq!(
            with_query("/tags/music", &f.query_pairs(false)),
            "/tags/music?city=chemnitz&kind=event&year=2020"
        );
        assert!(
            FeedFilter::from_query(Some(String::new()), None, Some(String::new()), None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_bad_kind_or_year_is_a_400() {
        assert_eq!(
            FeedFilter::from_query(None, None, Some("poem".into()), None)
                .unwrap_err()
                .status(),
            400
        );
        assert_eq!(
            FeedFilter::from_query(None, None, None, Some("20x0".into()))
                .unwrap_err()
                .status(),
            400
        );
        assert_eq!(
            FeedFilter::from_query(None, None, None, Some("3000".into()))
                .unwrap_err()
                .status(),
            400
        );
    }
}
