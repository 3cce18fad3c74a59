//! The map of partner cities: the projection, the countries layer, the filters that live in the
//! URL, the interactive `/map` page and the small maps on other pages.

pub mod api;
#[cfg(feature = "ssr")]
pub mod base;
mod controls;
mod drawing;
mod page;
pub mod projection;

pub use drawing::MapPreview;
pub use page::MapPage;

use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

use super::{City, CityKind, CityStatus, HomeCity};
use crate::error::AppError;
use crate::i18n::Key;
use crate::news::ItemSummary;

/// The first year the slider offers: Stalingrad and Coventry, 1944.
pub const FIRST_YEAR: i32 = 1944;

/// What every map needs: the home city, all partner cities and the countries layer's address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapData {
    pub home: HomeCity,
    pub cities: Vec<City>,
    /// URL of the countries layer; changes whenever its content does.
    pub countries_url: String,
    /// The last year the slider offers.
    pub current_year: i32,
}

/// The side card of a city on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CityCard {
    pub city: City,
    pub news: Vec<ItemSummary>,
    pub distance_km: u32,
}

/// Which cities the map shows; read from and written to the query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapFilter {
    pub kind: Option<CityKind>,
    pub status: Option<CityStatus>,
    pub country: Option<String>,
    /// Only cities partnered in or before this year (cities with an unknown year are left out).
    pub until: Option<i32>,
}

impl MapFilter {
    /// Reads `kind`, `status`, `country` and `until` from a query string; empty values mean
    /// "any", anything unrecognised is a 400 that says what is accepted.
    pub fn from_query(query: &ParamsMap) -> Result<Self, AppError> {
        let value = |key: &str| query.get(key).filter(|v| !v.trim().is_empty());
        let kind = match value("kind") {
            None => None,
            Some(v) => Some(
                CityKind::from_db(&v).ok_or_else(|| AppError::invalid("kind", Key::ErrMapKind))?,
            ),
        };
        let status = match value("status") {
            None => None,
            Some(v) => Some(
                CityStatus::from_db(&v)
                    .ok_or_else(|| AppError::invalid("status", Key::ErrMapStatus))?,
            ),
        };
        let until = match value("until") {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (FIRST_YEAR..=9999).contains(y))
                    .ok_or_else(|| AppError::invalid("until", Key::ErrMapYear))?,
            ),
        };
        Ok(Self {
            kind,
            status,
            country: value("country"),
            until,
        })
    }

    /// Whether `city` passes every filter, its status as at the end of `until`.
    pub fn matches(&self, city: &City) -> bool {
        self.admits(
            city.kind,
            city.status_at(self.until),
            &city.country,
            city.since_year,
        )
    }

    /// Whether a city of `kind` and `status` in `country` (its stored name), partnered since
    /// `since`, passes every filter.
    pub fn admits(
        &self,
        kind: CityKind,
        status: CityStatus,
        country: &str,
        since: Option<i32>,
    ) -> bool {
        self.kind.is_none_or(|k| k == kind)
            && self.status.is_none_or(|s| s == status)
            && self.country.as_deref().is_none_or(|c| c == country)
            && self
                .until
                .is_none_or(|until| since.is_some_and(|y| y <= until))
    }

    /// The filter as a query string (with the leading `?`), or empty when nothing is filtered.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(k) = self.kind {
            parts.push(format!("kind={}", k.as_str()));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(c) = &self.country {
            parts.push(format!("country={}", crate::url::encode(c)));
        }
        if let Some(y) = self.until {
            parts.push(format!("until={y}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(kind: CityKind, status: CityStatus, country: &str, since: Option<i32>) -> City {
        City {
            slug: "x".into(),
            name: "X".into(),
            country: country.into(),
            country_name: country.into(),
            country_note: String::new(),
            kind,
            since_year: since,
            status,
            status_note: String::new(),
            status_changes: Vec::new(),
            lat: 0.0,
            lon: 0.0,
        }
    }

    fn query(pairs: &[(&str, &str)]) -> ParamsMap {
        let mut map = ParamsMap::new();
        for (k, v) in pairs {
            map.insert(k.to_string(), (*v).to_owned());
        }
        map
    }

    #[test]
    fn filters_by_year_kind_status_and_country() {
        let coventry = city(
            CityKind::Twin,
            CityStatus::Suspended,
            "United Kingdom",
            Some(1944),
        );
        let toronto = city(CityKind::Twin, CityStatus::Active, "Canada", None);
        let ortona = city(CityKind::Partner, CityStatus::Active, "Italy", Some(2014));
        let by_1960 = MapFilter::from_query(&query(&[("until", "1960")])).unwrap();
        assert!(by_1960.matches(&coventry));
        assert!(
            !by_1960.matches(&toronto),
            "unknown years only without a year filter"
        );
        assert!(!by_1960.matches(&ortona));
        assert!(MapFilter::default().matches(&toronto));
        let active_partners =
            MapFilter::from_query(&query(&[("kind", "partner"), ("status", "active")])).unwrap();
        assert!(active_partners.matches(&ortona) && !active_partners.matches(&coventry));
        let italy = MapFilter::from_query(&query(&[("country", "Italy")])).unwrap();
        assert!(italy.matches(&ortona) && !italy.matches(&toronto));
    }

    #[test]
    fn empty_values_mean_any_and_bad_values_are_400() {
        let f = MapFilter::from_query(&query(&[("kind", ""), ("until", " ")])).unwrap();
        assert_eq!(f, MapFilter::default());
        for (k, v) in [
            ("kind", "sister"),
            ("status", "dead"),
            ("until", "1900"),
            ("until", "x"),
        ] {
            let e = MapFilter::from_query(&query(&[(k, v)])).unwrap_err();
            assert_eq!(e.status(), 400, "{k}={v}");
        }
    }

    #[test]
    fn round_trips_through_the_query_string() {
        let f = MapFilter {
            kind: Some(CityKind::Twin),
            status: None,
            country: Some("United Kingdom".into()),
            until: Some(1990),
        };
        assert_eq!(f.to_query(), "?kind=twin&country=United+Kingdom&until=1990");
        assert_eq!(MapFilter::default().to_query(), "");
    }
}
