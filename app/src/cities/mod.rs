//! Partner cities: their types, server functions, the list of all cities and a city's profile.

pub mod api;
pub mod map;
mod pages;

pub use pages::{CitiesPage, CityFacts};

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
}

db_enum!(CityKind { Twin = "twin", Partner = "partner" });
db_enum!(CityStatus { Active = "active", Suspended = "suspended", Paused = "paused" });

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
    pub status: CityStatus,
    pub status_note: String,
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
