//! `/news` and `/news/{slug}` through the real router.

use super::common;
use app::store::seed::SEED_ITEMS;
use http::StatusCode;

/// Escapes text the way the page's HTML does, to find it in the markup.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn feed_lists_the_ten_seed_items_in_order() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/news").await;
        assert_eq!(status, StatusCode::OK);
        let mut last = 0;
        for item in SEED_ITEMS {
            let at = body
                .find(&html(item.title))
                .unwrap_or_else(|| panic!("missing {}", item.title));
            assert!(at > last, "{} out of order", item.title);
            last = at;
        }
        assert!(body.contains("<title>News · "));
        assert!(body.contains(r#"<link href="http://portal.test/news" rel="canonical">"#));
        assert!(!body.contains("Next ››"), "one page, no pager");
    });
}

#[test]
fn pager_links_pages_and_marks_the_current_one() {
    common::block_on(async {
        let app = common::app_with(120);
        let (status, body) = app.get("/news?page=2").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("‹‹ Back"));
        assert!(body.contains("Next ››"));
        assert!(body.contains(r#"href="/news?page=3""#));
        assert!(body.contains(r#"href="/news?page=13""#), "last page linked");
        assert!(body.contains(r#"aria-current="page""#));
        assert!(body.contains("Generated item"));
        assert!(!body.contains(&html(SEED_ITEMS[0].title)));
    });
}

#[test]
fn pages_past_the_end_are_404_and_bad_numbers_400() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/news?page=2").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Page not found"));
        let (status, body) = app.get("/news?page=0").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = app.get("/news?page=two").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("whole number"));
    });
}

#[test]
fn article_page_shows_the_item_with_its_city_tags_and_neighbours() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/news/chemnitz-drawing-competition-prizes").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Volgograd school pupils were awarded prizes"));
        assert!(body.contains("European Mobility Week"));
        assert!(body.contains(r#"href="/cities/chemnitz""#));
        assert!(body.contains("Competitions"));
        assert!(body.contains(r#"rel="prev""#) && body.contains(r#"rel="next""#));
        assert!(body.contains(r#"property="og:type" content="article""#));
        assert!(body.contains("12 November 2020"));
    });
}

#[test]
fn unknown_article_is_a_404_page() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/news/no-such-story").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Page not found"));
        assert!(body.contains(r#"href="/news""#));
    });
}

#[test]
fn an_event_is_not_found_under_news() {
    common::block_on(async {
        let app = common::app();
        let (status, _) = app.get("/news/dialogue-on-the-volga-forum-2020").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn tags_have_pages_and_filters_combine_in_the_url() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/tags/peace").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<h1>News tagged “Peace”</h1>"), "{body}");
        let (status, body) = app.get("/news?tag=peace&kind=event&year=2020").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("<h1>Events tagged “Peace” in 2020</h1>"),
            "{body}"
        );
        assert!(body.contains(&html("International Forum of People’s Diplomacy")));
        assert!(
            !body.contains(&html("“Mayors for Peace” sent")),
            "a 2021 news story"
        );
        assert!(
            body.contains(r#"<option value="event" selected"#),
            "the form shows the filters"
        );

        let (_, article) = app
            .get("/news/mayors-for-peace-letter-against-nuclear-tests")
            .await;
        assert!(
            article.contains(r#"<a href="/tags/peace">Peace</a>"#),
            "tags link to their pages"
        );
    });
}

#[test]
fn unknown_tags_are_404_and_bad_filters_400() {
    common::block_on(async {
        let app = common::app();
        assert_eq!(app.get("/tags/no-such-tag").await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/news?kind=poem").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/news?year=soon").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/news?year=1999").await.0, StatusCode::OK);
    });
}

#[test]
fn a_tag_that_only_hidden_items_use_does_not_exist_for_visitors() {
    common::block_on(async {
        let app = common::app();
        app.store
            .call_blocking(|c| {
                c.execute_batch(
                    "INSERT INTO tags (slug, name) VALUES ('secret-plans', 'Secret plans');
                     INSERT INTO item_tags (item_id, tag_id)
                       SELECT (SELECT id FROM items ORDER BY id LIMIT 1), id
                       FROM tags WHERE slug = 'secret-plans';
                     UPDATE items SET status = 'draft' WHERE id = (SELECT min(id) FROM items);",
                )?;
                Ok(())
            })
            .unwrap();
        for uri in [
            "/tags/secret-plans",
            "/ru/tags/secret-plans",
            "/news?tag=secret-plans",
            "/news/rss.xml?tag=secret-plans",
            "/news/atom.xml?tag=secret-plans",
        ] {
            let (status, body) = app.get(uri).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            assert!(!body.contains("Secret plans"), "{uri}: the name leaks");
        }
        let (status, _) = app.get("/tags/music").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a tag of published items still shows"
        );
    });
}
