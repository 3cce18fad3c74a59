//! Partner cities: their types, server functions, the list of all cities and a city's profile.

pub mod api;
pub mod map;
mod pages;

pub use pages::{status_label, CitiesPage, CityFacts};

use serde::{Deserialize, Serialize};

use crate::news::{CityRef, ItemSummary};

impl From<City> for CityRef {
    fn from(city: City) -> Self {
        Self {
            slug: city.slug,
            name: city.name,
            country: city.country_name,
        }
    }
}

/// Twin city (a formal twinning) or partner city (a cooperation agreement).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CityKind {
    Twin,
    Partner,
}

/// Whether the partnership is currently alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CityStatus {
    Active,
    Suspended,
    Paused,
    Ended,
}

db_enum!(CityKind { Twin = "twin", Partner = "partner" });
db_enum!(CityStatus {
    Active = "active",
    Suspended = "suspended",
    Paused = "paused",
    Ended = "ended",
});

impl CityStatus {
    pub const ALL: [Self; 4] = [Self::Active, Self::Paused, Self::Suspended, Self::Ended];
}

/// Everything known about one partner city.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct City {
    pub slug: String,
    pub name: String,
    pub country: String,
    pub country_note: String,
    pub kind: CityKind,
    /// Year the partnership began; `None` where no source gives it.
    pub since_year: Option<i32>,
    /// The latest status change's status (active when none is recorded) and its note.
    pub status: CityStatus,
    pub status_note: String,
    /// Every recorded status change as (year, status), oldest first: what the map's years
    /// slider shows a city as.
    pub status_changes: Vec<(i32, CityStatus)>,
    pub lat: f64,
    pub lon: f64,
    /// The country as the page's language writes it (`country` is the stored English name,
    /// which filters use as their value).
    pub country_name: String,
}

impl City {
    pub fn href(&self) -> String {
        format!("/cities/{}", self.slug)
    }

    /// The status at the end of `year`, or the current one when `year` is `None`.
    pub fn status_at(&self, year: Option<i32>) -> CityStatus {
        status_at(&self.status_changes, year).unwrap_or(self.status)
    }
}

/// The status the last of `changes` (oldest first) made in or before `year`; `None` when `year`
/// is `None` or comes before them all.
pub fn status_at(changes: &[(i32, CityStatus)], year: Option<i32>) -> Option<CityStatus> {
    let year = year?;
    changes
        .iter()
        .rev()
        .find(|(y, _)| *y <= year)
        .map(|(_, status)| *status)
}

/// A city's profile: its facts and one page of the news that mentions it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CityProfile {
    pub city: City,
    pub news: Vec<ItemSummary>,
    pub page: u32,
    pub pages: u32,
    /// For admins only: the version of the city's facts, which an edit must name.
    pub edit_version: Option<i64>,
}

/// The city whose portal this is: the centre of the map and of every partnership.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeCity {
    pub name: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
}
