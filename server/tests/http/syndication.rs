//! `/news/rss.xml`, `/news/atom.xml`, `/events.ics`, `/events/{slug}/calendar.ics`,
//! `/sitemap.xml` and `/robots.txt` through the real router, parsed back with libraries.

use super::common;
use app::store::seed::SEED_ITEMS;
use http::StatusCode;
use icalendar::{Calendar, CalendarComponent, Component, EventLike};

#[test]
fn rss_and_atom_parse_with_every_field_a_reader_shows() {
    common::block_on(async {
        let app = common::app();
        for (path, kind) in [
            ("/news/rss.xml", feed_rs::model::FeedType::RSS2),
            ("/news/atom.xml", feed_rs::model::FeedType::Atom),
        ] {
            let (status, body) = app.get(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let feed =
                feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(feed.feed_type, kind);
            assert_eq!(feed.entries.len(), SEED_ITEMS.len());
            let first = &feed.entries[0];
            assert_eq!(first.title.as_ref().unwrap().content, SEED_ITEMS[0].title);
            assert_eq!(
                first.links[0].href,
                format!("http://portal.test/news/{}", SEED_ITEMS[0].slug)
            );
            assert!(first.published.is_some(), "{path}: a date");
            assert_eq!(first.summary.as_ref().unwrap().content, SEED_ITEMS[0].lead);
        }
    });
}

#[test]
fn feeds_narrow_like_the_feed_page_and_say_so() {
    common::block_on(async {
        let app = common::app();
        let (_, body) = app.get("/news/rss.xml?tag=peace&kind=event").await;
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        assert!(feed.title.unwrap().content.ends_with("— Peace"));
        assert!(!feed.entries.is_empty());
        assert!(feed
            .entries
            .iter()
            .all(|e| e.links[0].href.contains("/events/")));
        assert_eq!(
            app.get("/news/atom.xml?city=atlantis").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/news/atom.xml?kind=poem").await.0,
            StatusCode::BAD_REQUEST
        );
        let (_, page) = app.get("/news").await;
        assert!(
            page.contains(r#"type="application/rss+xml""#)
                && page.contains(r#"href="/news/atom.xml""#),
            "autodiscovery"
        );
    });
}

#[test]
fn events_calendar_parses_with_all_day_dates_and_the_venue() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/events.ics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("\r\n"), "CRLF line ends");
        let calendar: Calendar = body.parse().expect("a valid iCalendar file");
        let events: Vec<_> = calendar
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 2, "the forum and the exhibition");
        let forum = events
            .iter()
            .find(|e| {
                e.get_summary()
                    .is_some_and(|s| s.contains("Dialogue on the Volga"))
            })
            .expect("the forum");
        assert_eq!(forum.property_value("DTSTART"), Some("20201031"));
        assert_eq!(
            forum.property_value("DTEND"),
            Some("20201102"),
            "exclusive end, the day after"
        );
        assert!(forum.get_location().is_some());
        assert!(forum
            .get_url()
            .unwrap()
            .ends_with("/events/dialogue-on-the-volga-forum-2020"));

        let (status, one) = app
            .get("/events/dialogue-on-the-volga-forum-2020/calendar.ics")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one.matches("BEGIN:VEVENT").count(), 1);
        let (_, page) = app.get("/events/dialogue-on-the-volga-forum-2020").await;
        assert!(page.contains(r#"href="/events/dialogue-on-the-volga-forum-2020/calendar.ics""#));
        assert_eq!(
            app.get("/events/nothing/calendar.ics").await.0,
            StatusCode::NOT_FOUND
        );
    });
}

#[test]
fn sitemap_lists_every_published_page_and_no_draft() {
    common::block_on(async {
        let app = common::app();
        app.store
            .call_blocking(|c| {
                c.execute(
                    "UPDATE items SET status = 'draft', feed_rank = NULL WHERE slug = 'perm-oxford-friendship-week'",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let (status, body) = app.get("/sitemap.xml").await;
        assert_eq!(status, StatusCode::OK);
        for item in SEED_ITEMS
            .iter()
            .filter(|i| i.slug != "perm-oxford-friendship-week")
        {
            let kind = if item.event.is_some() {
                "events"
            } else {
                "news"
            };
            assert!(
                body.contains(&format!(
                    "<loc>http://portal.test/{kind}/{}</loc><lastmod>",
                    item.slug
                )),
                "{}",
                item.slug
            );
        }
        assert!(
            !body.contains("perm-oxford-friendship-week"),
            "a draft is not listed"
        );
        assert!(body.contains("<loc>http://portal.test/cities/chemnitz</loc>"));
        assert!(body.contains("<loc>http://portal.test/tags/peace</loc>"));
        let (_, robots) = app.get("/robots.txt").await;
        assert!(robots.contains("Sitemap: http://portal.test/sitemap.xml"));
    });
}

#[test]
fn pages_describe_themselves_with_json_ld() {
    common::block_on(async {
        let app = common::app();
        let (_, event) = app.get("/events/dialogue-on-the-volga-forum-2020").await;
        assert!(event.contains(r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Event""#), "{event}");
        assert!(event.contains(r#""startDate":"2020-10-31""#));
        let (_, article) = app
            .get("/news/mayors-for-peace-letter-against-nuclear-tests")
            .await;
        assert!(article.contains(r#""@type":"NewsArticle""#));
        let (_, city) = app.get("/cities/chemnitz").await;
        assert!(
            city.contains(r#""@type":"Place""#) && city.contains(r#""addressCountry":"Germany""#)
        );
    });
}

#[test]
fn feed_entries_carry_their_cover_image() {
    common::block_on(async {
        let app = common::app();
        let hash = "a".repeat(64);
        let h = hash.clone();
        app.store
            .call_blocking(move |c| {
                c.execute(
                    "INSERT INTO images (hash, mime, width, height, widths) VALUES (?1, 'image/png', 1200, 600, '480,960,1200')",
                    [&h],
                )?;
                c.execute("UPDATE items SET cover_image = ?1 WHERE slug = ?2", (&h, SEED_ITEMS[0].slug))?;
                Ok(())
            })
            .unwrap();
        let url = format!("http://portal.test/media/{hash}/960.jpg");
        for path in ["/news/rss.xml", "/news/atom.xml"] {
            let (_, body) = app.get(path).await;
            let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
            let first = &feed.entries[0];
            let found = first
                .media
                .iter()
                .flat_map(|m| &m.content)
                .filter_map(|c| c.url.as_ref())
                .any(|u| u.as_str() == url)
                || first.links.iter().any(|l| l.href == url);
            assert!(found, "{path}: {body}");
        }
    });
}
