//! `/search` and `/api/search` through the real router.

use super::common;
use http::StatusCode;

#[test]
fn search_finds_a_seed_item_by_a_word_of_its_lead_and_marks_it() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/search?q=videoconference").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("How to secure a reply from your twin-city"),
            "{body}"
        );
        assert!(body.contains("<mark>videoconference</mark>"), "{body}");
        assert!(body.contains("One item found."));
        assert!(body.contains(r#"<meta name="robots" content="noindex">"#));
    });
}

#[test]
fn empty_nonsense_and_hostile_queries_are_friendly_empty_pages() {
    common::block_on(async {
        let app = common::app();
        for q in [
            "",
            "zzqqxx",
            "%22",
            "NEAR(",
            "*",
            "%28%28%28",
            "a%3Ab",
            "%F0%9F%99%82",
        ] {
            let (status, body) = app.get(&format!("/search?q={q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}");
            assert!(body.contains(r#"data-testid="search-summary""#), "{q}");
        }
        let (_, body) = app.get("/search?q=zzqqxx").await;
        assert!(body.contains("Nothing found for “zzqqxx”"));
        let (status, _) = app.get("/search?q=peace&page=99").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.get("/search?q=peace&page=two").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn every_page_has_a_search_box_that_works_without_script() {
    common::block_on(async {
        let app = common::app();
        let (_, body) = app.get("/news").await;
        assert!(
            body.contains(
                r#"<form action="/search" method="get" role="search" class="search-form">"#
            ),
            "{body}"
        );
        assert!(body.contains(r#"name="q""#));
    });
}
