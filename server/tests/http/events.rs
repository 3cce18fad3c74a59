//! `/events` and `/events/{slug}` through the real router.

use super::common;
use http::StatusCode;

#[test]
fn event_page_shows_dates_and_venue() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/events/dialogue-on-the-volga-forum-2020").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("31 October – 1 November 2020"));
        assert!(body.contains("Volgograd and the Volgograd region"));
        assert!(body.contains("Dialogue on the Volga"));
    });
}

#[test]
fn events_are_listed_by_month() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/events").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Past events"));
        let december = body.find("December 2020").expect("December group");
        let october = body.find("October 2020").expect("October group");
        assert!(december < october, "most recent month first");
    });
}

#[test]
fn unknown_event_and_page_are_404() {
    common::block_on(async {
        let app = common::app();
        assert_eq!(app.get("/events/nope").await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/events?page=9").await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/events/movie-recommendations-inostranka").await.0,
            StatusCode::NOT_FOUND,
            "news is not an event"
        );
    });
}
