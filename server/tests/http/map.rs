//! `/map`, `/map/countries.svg` and the city filters through the real router.

use super::common;
use http::StatusCode;

/// The pins on the map, not those the page keeps for its island in a `<template>`.
fn pins(body: &str) -> usize {
    let shown = body.split(r#"<template id="map-parts">"#).next().unwrap();
    shown.matches(r#"data-testid="pin""#).count()
}

#[test]
fn map_has_a_linked_pin_per_city() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/map").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(pins(&body), 25);
        assert!(body.contains(r#"href="/cities/chemnitz""#));
        assert!(body.contains(r#"aria-label="Chemnitz, Germany — twin city since 1988""#));
        assert!(body.contains(
            r#"aria-label="Coventry, United Kingdom — twin city since 1944, partnership suspended""#
        ));
        assert!(body.contains("/map/countries.svg?v="));
    });
}

#[test]
fn year_and_kind_filters_come_from_the_url() {
    common::block_on(async {
        let app = common::app();
        let (_, body) = app.get("/map?until=1960").await;
        // Coventry 1944, Ostrava 1947, Kemi 1953, Dijon and Liège 1959.
        assert_eq!(pins(&body), 5, "cities partnered by 1960");
        assert!(body.contains("Showing 5 of 25 cities"));
        let (_, body) = app.get("/map?kind=partner").await;
        assert_eq!(pins(&body), 2, "Tiraspol and Ortona");
        let (_, body) = app
            .get("/map?status=suspended&country=United+Kingdom")
            .await;
        assert_eq!(pins(&body), 1);
    });
}

#[test]
fn bad_filters_are_400_with_a_reason() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/map?kind=sister").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("“twin” or “partner”"));
        assert_eq!(
            app.get("/map?until=yesterday").await.0,
            StatusCode::BAD_REQUEST
        );
    });
}

#[test]
fn countries_layer_is_an_svg_cached_by_version() {
    common::block_on(async {
        let app = common::app();
        let (_, page) = app.get("/map").await;
        let start = page.find("/map/countries.svg?v=").unwrap();
        let url = &page[start..start + page[start..].find('"').unwrap()];
        let (head, body) = app
            .send(
                http::Request::get(url)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.headers[http::header::CONTENT_TYPE], "image/svg+xml");
        assert_eq!(
            head.headers[http::header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert!(body.starts_with(b"<svg"));
        let (head, _) = app
            .send(
                http::Request::get("/map/countries.svg?v=stale")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(head.headers[http::header::CACHE_CONTROL], "no-cache");
    });
}

#[test]
fn cities_table_sorts_by_year_with_unknown_years_last() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/cities?sort=year").await;
        assert_eq!(status, StatusCode::OK);
        let coventry = body.find("/cities/coventry").unwrap();
        let ortona = body.find("/cities/ortona").unwrap();
        let toronto = body.find("/cities/toronto").unwrap();
        assert!(coventry < ortona && ortona < toronto);
        assert!(body.contains(r#"aria-sort="ascending""#));
        assert_eq!(
            app.get("/cities?sort=size").await.0,
            StatusCode::BAD_REQUEST
        );
    });
}

#[test]
fn news_feed_filters_by_city() {
    common::block_on(async {
        let app = common::app_with(30);
        let (status, body) = app.get("/news?city=ostrava").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("News about Ostrava"));
        assert!(body.contains("An online concert was held in Ostrava"));
        assert!(!body.contains("Chemnitz</a>"));
        assert!(!body.contains("Inostranka"));
        assert_eq!(
            app.get("/news?city=atlantis").await.0,
            StatusCode::NOT_FOUND
        );
    });
}

#[test]
fn city_page_has_a_locator_map() {
    common::block_on(async {
        let app = common::app();
        let (_, body) = app.get("/cities/hiroshima").await;
        assert!(body.contains(r#"data-testid="mini-map""#));
        assert!(body.contains("pin twin active marked"));
    });
}
