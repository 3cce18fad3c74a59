//! The countries layer: Natural Earth's country shapes (`countries.json`, made by
//! `scripts/build-map.mjs`) projected once into SVG paths, and served as one cacheable SVG image
//! in which the countries that hold a partner city are highlighted.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use serde::Deserialize;

use super::projection::{height, project, WIDTH};
use crate::state::AppState;

#[derive(Deserialize)]
struct Atlas {
    countries: Vec<AtlasCountry>,
}

#[derive(Deserialize)]
struct AtlasCountry {
    name: String,
    /// Each ring: first lon/lat pair absolute, then deltas, all in tenths of a degree.
    rings: Vec<Vec<i32>>,
}

/// Country name and its projected SVG path.
struct CountryPath {
    name: String,
    d: String,
}

/// The projected countries. Built on first use from data compiled into the binary: a pure
/// function of a constant, so computing it once is a cache, not shared state.
static COUNTRIES: LazyLock<Vec<CountryPath>> = LazyLock::new(|| {
    let atlas: Atlas = serde_json::from_str(include_str!("countries.json"))
        .expect("countries.json is generated and checked by tests");
    atlas
        .countries
        .into_iter()
        .map(|c| CountryPath {
            d: c.rings.iter().map(|r| ring_path(r)).collect(),
            name: c.name,
        })
        .collect()
});

/// A ring as an SVG subpath with whole-unit relative moves (a map 1000 units wide needs no
/// finer precision, and relative integers keep the file small).
fn ring_path(ring: &[i32]) -> String {
    let mut d = String::new();
    let (mut lon, mut lat) = (0, 0);
    let (mut px, mut py) = (0i64, 0i64);
    for (i, pair) in ring.chunks_exact(2).enumerate() {
        lon += pair[0];
        lat += pair[1];
        let (x, y) = project(f64::from(lon) / 10.0, f64::from(lat) / 10.0);
        let (x, y) = (x.round() as i64, y.round() as i64);
        if i == 0 {
            let _ = write!(d, "M{x} {y}");
        } else if (x, y) != (px, py) {
            let (dx, dy) = (x - px, y - py);
            let sep = if dy < 0 { "" } else { " " };
            let _ = write!(d, "l{dx}{sep}{dy}");
        }
        (px, py) = (x, y);
    }
    d.push('z');
    d
}

/// The outline of the whole Earth in this projection (the meridians ±180°).
fn sphere_path() -> String {
    let mut d = String::new();
    let edge = |lon: f64, lat: i32| project(lon, f64::from(lat));
    for (i, lat) in (-90..=90).step_by(5).enumerate() {
        let (x, y) = edge(180.0, lat);
        let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { 'M' } else { 'L' });
    }
    for lat in (-90..=90).rev().step_by(5) {
        let (x, y) = edge(-180.0, lat);
        let _ = write!(d, "L{x:.1} {y:.1}");
    }
    d.push('z');
    d
}

/// Names of the countries in the atlas, for checking that partner countries can be highlighted.
pub fn country_names() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().map(|c| c.name.as_str())
}

/// The countries layer as an SVG document, with `highlight` countries in a stronger colour.
pub fn countries_svg(highlight: &BTreeSet<String>) -> String {
    let (mut plain, mut marked) = (String::new(), String::new());
    for country in COUNTRIES.iter() {
        if highlight.contains(&country.name) {
            marked.push_str(&country.d);
        } else {
            plain.push_str(&country.d);
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {h:.1}"><path fill="#e8eef5" d="{sphere}"/><path fill="#cfd8e3" stroke="#fff" stroke-width=".5" d="{plain}"/><path fill="#9fb9d6" stroke="#fff" stroke-width=".5" d="{marked}"/></svg>"##,
        h = height(),
        sphere = sphere_path(),
    )
}

/// The layer's URL for `highlight`: it changes whenever the drawing would, so the image can be
/// cached for good.
pub fn countries_url(highlight: &BTreeSet<String>) -> String {
    format!("/map/countries.svg?v={}", version(highlight))
}

fn version(highlight: &BTreeSet<String>) -> String {
    let mut hasher = DefaultHasher::new();
    include_str!("countries.json").len().hash(&mut hasher);
    highlight.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Query of `/map/countries.svg`.
#[derive(Deserialize)]
pub struct LayerQuery {
    v: Option<String>,
}

/// `GET /map/countries.svg?v=…`: the countries layer with today's partner countries marked.
pub async fn countries_layer(
    State(state): State<AppState>,
    Query(query): Query<LayerQuery>,
) -> Response {
    let highlight = state
        .store
        .call(|c| crate::store::cities::partner_countries(c))
        .await;
    let Ok(highlight) = highlight else {
        return (
            http::StatusCode::SERVICE_UNAVAILABLE,
            "map layer unavailable",
        )
            .into_response();
    };
    // Only the current version is immutable; an old link gets today's drawing, revalidated.
    let cache = if query.v.as_deref() == Some(version(&highlight).as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, cache)],
        countries_svg(&highlight),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partner_country_is_in_the_atlas() {
        let names: BTreeSet<&str> = country_names().collect();
        let csv = include_str!("../../store/seed/partner-cities.csv");
        for line in csv.lines().skip(1) {
            let country = line.split(',').nth(1).unwrap();
            assert!(
                names.contains(country),
                "{country} missing from countries.json"
            );
        }
    }

    #[test]
    fn layer_stays_within_the_size_budget() {
        use std::io::Write as _;
        let all: BTreeSet<String> = ["Germany", "China", "Italy"].map(String::from).into();
        let svg = countries_svg(&all);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(svg.as_bytes()).unwrap();
        let size = gz.finish().unwrap().len();
        assert!(size <= 40 * 1024, "countries layer is {size} bytes gzipped");
    }

    #[test]
    fn highlighting_changes_the_drawing_and_the_url() {
        let none = BTreeSet::new();
        let some: BTreeSet<String> = ["Czechia".to_owned()].into();
        assert_ne!(countries_svg(&none), countries_svg(&some));
        assert_ne!(countries_url(&none), countries_url(&some));
        assert!(countries_svg(&some).starts_with("<svg"));
    }

    #[test]
    fn rings_become_closed_relative_paths() {
        let d = ring_path(&[0, 0, 100, 0, 0, 100]);
        assert!(d.starts_with("M500 243"), "{d}");
        assert!(d.ends_with('z'));
        assert_eq!(d.matches('l').count(), 2);
    }
}
