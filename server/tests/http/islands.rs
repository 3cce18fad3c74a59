//! Which pages carry islands: reading pages none (they ship no WebAssembly of their own), the
//! map its explorer, and an item's or a city's page the editor only for an editor who asked for
//! it with `?edit`. Every page carries the island loader and in-page navigation under its nonce,
//! and preloads no code.

use super::common;
use app::auth::Role;

/// The components of the islands in a page, in order.
fn islands(body: &str) -> Vec<String> {
    body.split("<leptos-island data-component=\"")
        .skip(1)
        .map(|rest| {
            let name = &rest[..rest.find('"').unwrap()];
            // The macro appends a hash of the island's module path.
            name.rsplit_once('_')
                .map_or(name, |(name, _)| name)
                .to_owned()
        })
        .collect()
}

const ARTICLE: &str = "/news/reply-from-a-twin-city-across-the-ocean";

#[test]
fn reading_pages_have_no_islands_and_the_map_has_one() {
    common::block_on(async {
        let app = common::app();
        for uri in [
            "/",
            "/news",
            ARTICLE,
            "/events",
            "/cities",
            "/cities/chemnitz",
            "/partnerships",
            "/ru/partnerships?status=active",
            "/search?q=Coventry",
            "/login",
            "/ru/news",
        ] {
            let (status, body) = app.get(uri).await;
            assert_eq!(status, 200, "{uri}");
            assert_eq!(islands(&body), Vec::<String>::new(), "{uri}");
        }
        let (_, map) = app.get("/map?kind=twin").await;
        assert_eq!(islands(&map), ["MapControls"]);
        // The island works on the page's HTML: what it needs of the cities is there, not in
        // its props (every city's pin and card, for the filter to bring back).
        let (_, parts) = map.split_once(r#"<template id="map-parts">"#).unwrap();
        assert_eq!(parts.matches(r#"data-testid="pin""#).count(), 25);
        assert_eq!(parts.matches(r#"data-testid="city-card""#).count(), 25);
        assert!(
            !map.contains("data-props=\"{&quot;data"),
            "the cities are not props"
        );
    });
}

#[test]
fn editors_get_the_editor_island_only_when_editing() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        app.add_user("ivan", Role::Admin);
        let editor = app.login("olga").await;
        let admin = app.login("ivan").await;

        let (_, reading) = app.get_as(ARTICLE, &editor).await;
        assert_eq!(islands(&reading), Vec::<String>::new());
        let (_, editing) = app.get_as(&format!("{ARTICLE}?edit"), &editor).await;
        assert_eq!(islands(&editing), ["ItemEditor"]);
        let (_, visitor) = app.get(&format!("{ARTICLE}?edit")).await;
        assert_eq!(islands(&visitor), Vec::<String>::new());

        let (_, city) = app.get_as("/cities/chemnitz?edit", &admin).await;
        assert_eq!(islands(&city), ["CityEditor"]);
        let (_, not_admin) = app.get_as("/cities/chemnitz?edit", &editor).await;
        assert_eq!(islands(&not_admin), Vec::<String>::new());
        // The partnership's forms are plain HTML: an editor's city page stays without script.
        let (_, forms) = app.get_as("/cities/chemnitz", &editor).await;
        assert!(forms.contains(r#"class="entry-form""#));
        assert_eq!(islands(&forms), Vec::<String>::new());
    });
}

#[test]
fn every_page_carries_the_navigation_under_its_nonce() {
    common::block_on(async {
        let app = common::app();
        for uri in ["/", "/news", "/map", "/nowhere"] {
            let (_, body) = app.get(uri).await;
            let at = body
                .find("history.scrollRestoration")
                .unwrap_or_else(|| panic!("no navigation script on {uri}"));
            let tag = &body[body[..at].rfind("<script").unwrap()..at];
            assert!(tag.contains("nonce=\""), "{uri}: {tag}");
            // Where the loader finds the islands' code, as data, not as a script or a preload.
            assert!(
                body.contains(
                    r#"<script type="application/json" id="island-code">{"script":"/pkg/twincity"#
                ),
                "{uri}"
            );
            assert!(!body.contains("rel=\"modulepreload\""), "{uri}");
        }
    });
}
