//! The cache of anonymous pages, through the real router: it answers while nothing changed, never
//! after an edit, never for a signed-in editor, and each answer carries a nonce of its own.

use super::common::{self, TestApp};
use app::auth::Role;
use axum::body::Body;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, COOKIE, ETAG, IF_NONE_MATCH};
use http::{Request, StatusCode};
use serde_json::json;

const SLUG: &str = "reply-from-a-twin-city-across-the-ocean";
const TITLE: &str = "How to secure a reply from your twin-city";

/// Changes the item's title behind the portal's back, through a connection of its own: the
/// store does not see this write, so only a page rendered afresh can show it.
fn retitle_out_of_band(app: &TestApp, title: &str) {
    let conn = rusqlite::Connection::open(app.store.path()).unwrap();
    conn.execute(
        "UPDATE item_texts SET title = ?1
         WHERE lang = 'en' AND item_id = (SELECT id FROM items WHERE slug = ?2)",
        [title, SLUG],
    )
    .unwrap();
}

async fn page(app: &TestApp) -> String {
    let (status, body) = app.get(&format!("/news/{SLUG}")).await;
    assert_eq!(status, StatusCode::OK);
    body
}

/// A portal with an editor logged in (their `Cookie` value returned) whose article page was
/// rendered and kept, then retitled "Written behind the store" where the store cannot see it.
async fn kept_then_retitled_behind_the_store() -> (TestApp, String) {
    let app = common::app();
    app.add_user("olga", Role::Editor);
    let editor = app.login("olga").await;
    assert!(page(&app).await.contains(TITLE));
    retitle_out_of_band(&app, "Written behind the store");
    (app, editor)
}

#[test]
fn a_cached_page_is_never_served_after_an_edit() {
    common::block_on(async {
        let (app, editor) = kept_then_retitled_behind_the_store().await;
        assert!(
            page(&app).await.contains(TITLE),
            "visitors get the cached page while the store saw no edit"
        );
        let (_, signed_in) = app.get_as(&format!("/news/{SLUG}"), &editor).await;
        assert!(
            signed_in.contains("Written behind the store"),
            "an editor's pages are never cached"
        );

        let item = app
            .editable(&format!("kind=news&slug={SLUG}"), &editor)
            .await;
        let mut fields = item["fields"].clone();
        fields["title"] = json!("A reply from across the ocean");
        let request = common::update_request(&item, &fields);
        let (parts, body) = app
            .post_json("/api/update_item", &request, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        let after = page(&app).await;
        assert!(
            after.contains("A reply from across the ocean") && !after.contains(TITLE),
            "the edit shows at once"
        );

        let (_, feed) = app.get("/news").await;
        assert!(feed.contains("A reply from across the ocean"));
    });
}

#[test]
fn every_cached_answer_has_its_own_nonce_and_matching_policy() {
    common::block_on(async {
        let app = common::app();
        let mut nonces = Vec::new();
        for _ in 0..3 {
            let request = Request::get("/news").body(Body::empty()).unwrap();
            let (parts, body) = app.send(request).await;
            let body = String::from_utf8(body).unwrap();
            let start = body.find(r#"nonce=""#).expect("a nonce") + r#"nonce=""#.len();
            let nonce = body[start..start + body[start..].find('"').unwrap()].to_owned();
            let policy = parts.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(policy.contains(&format!("'nonce-{nonce}'")), "{policy}");
            nonces.push(nonce);
        }
        nonces.sort();
        nonces.dedup();
        assert_eq!(nonces.len(), 3, "no nonce is used twice");
    });
}

/// GETs `uri` with `If-None-Match: tag` (and a session cookie if given).
async fn revalidate(
    app: &TestApp,
    uri: &str,
    tag: &str,
    cookie: Option<&str>,
) -> http::response::Parts {
    let mut request = Request::get(uri).header(IF_NONE_MATCH, tag);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let (parts, body) = app.send(request.body(Body::empty()).unwrap()).await;
    if parts.status == StatusCode::NOT_MODIFIED {
        assert!(body.is_empty());
    }
    parts
}

#[test]
fn pages_and_feeds_are_revalidated_with_etags_until_an_edit() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let editor = app.login("olga").await;
        for uri in [
            "/news",
            "/news/rss.xml",
            "/events.ics",
            "/ru/news/atom.xml",
            "/sitemap.xml",
        ] {
            let (parts, _) = app
                .send(Request::get(uri).body(Body::empty()).unwrap())
                .await;
            assert_eq!(parts.status, StatusCode::OK, "{uri}");
            assert_eq!(parts.headers[CACHE_CONTROL], "no-cache", "{uri}");
            let tag = parts.headers[ETAG].to_str().unwrap().to_owned();
            let again = revalidate(&app, uri, &tag, None).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
            assert_eq!(again.headers[ETAG], tag.as_str());
            assert!(
                !again.headers.contains_key(CONTENT_SECURITY_POLICY),
                "a 304 keeps the policy stored with the page ({uri})"
            );
            let other = revalidate(&app, uri, "W/\"0000000000000000\"", None).await;
            assert_eq!(other.status, StatusCode::OK, "{uri}");
        }

        let (parts, _) = app
            .send(Request::get("/news").body(Body::empty()).unwrap())
            .await;
        let tag = parts.headers[ETAG].to_str().unwrap().to_owned();
        let signed_in = revalidate(&app, "/news", &tag, Some(&editor)).await;
        assert_eq!(signed_in.headers[CACHE_CONTROL], "private, no-cache");
        assert_eq!(
            signed_in.status,
            StatusCode::OK,
            "an editor's page differs from a visitor's"
        );
        let editors_tag = signed_in.headers[ETAG].to_str().unwrap().to_owned();
        let rendered_again = revalidate(&app, "/news", &editors_tag, Some(&editor)).await;
        assert_eq!(
            rendered_again.status,
            StatusCode::NOT_MODIFIED,
            "a page rendered afresh, with a new nonce, keeps its tag"
        );

        let id: i64 = app
            .store
            .call_blocking(|c| {
                Ok(c.query_row(
                    "SELECT id FROM items WHERE status = 'published'
                     ORDER BY published_at DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        app.store
            .call_blocking(move |c| {
                Ok(c.execute(
                    "UPDATE item_texts SET title = 'The newest, retitled' WHERE item_id = ?1",
                    [id],
                )?)
            })
            .unwrap();
        let after = revalidate(&app, "/news", &tag, None).await;
        assert_eq!(after.status, StatusCode::OK, "an edit changes the tag");
        assert_ne!(after.headers[ETAG], tag.as_str());
    });
}

#[test]
fn a_made_up_session_cookie_is_an_anonymous_visitor_served_from_the_cache() {
    common::block_on(async {
        let (app, editor) = kept_then_retitled_behind_the_store().await;
        for forged in [
            "twincity_session=forged",
            "twincity_session=",
            "other=1; twincity_session=00ff",
        ] {
            let (status, body) = app.get_as(&format!("/news/{SLUG}"), forged).await;
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains(TITLE), "{forged} was served from the cache");
        }
        let (_, signed_in) = app.get_as(&format!("/news/{SLUG}"), &editor).await;
        assert!(
            signed_in.contains("Written behind the store"),
            "a valid session is not"
        );
    });
}

#[test]
fn unknown_query_parameters_neither_make_entries_nor_evict_pages() {
    common::block_on(async {
        let app = common::app();
        // Ten rounds of a thousand: each round starts from an edit through the store (so the
        // feed is rendered and kept afresh, well within the cache's few seconds of freshness),
        // then changes the newest title where the store cannot see it: only a render shows that.
        for round in 0..10 {
            let seen = format!("Kept in round {round}");
            let unseen = format!("Written behind the store in round {round}");
            retitle_newest(&app, &seen, true);
            assert!(app.get("/news").await.1.contains(&seen));
            retitle_newest(&app, &unseen, false);
            for i in 0..1_000 {
                let uri = format!("/news?x={round}-{i}&utm_source=s{i}");
                let (status, body) = app.get(&uri).await;
                assert_eq!(status, StatusCode::OK);
                assert!(body.contains(&seen), "{uri} rendered the page");
                assert!(
                    !body.contains(&format!("x={round}-{i}")),
                    "{uri} is reflected"
                );
            }
            let (_, after) = app.get("/news").await;
            assert!(after.contains(&seen), "the feed page is still the kept one");
        }
    });
}

/// Gives the newest item `title`, through the store (which retires kept pages) or behind it.
fn retitle_newest(app: &TestApp, title: &str, through_store: bool) {
    let sql = "UPDATE item_texts SET title = ?1 WHERE lang = 'en' AND item_id =
               (SELECT id FROM items WHERE status = 'published'
                ORDER BY published_at DESC, id DESC LIMIT 1)";
    if through_store {
        let title = title.to_owned();
        app.store
            .call_blocking(move |c| Ok(c.execute(sql, [title])?))
            .unwrap();
    } else {
        let conn = rusqlite::Connection::open(app.store.path()).unwrap();
        conn.execute(sql, [title]).unwrap();
    }
}

#[test]
fn the_language_switch_carries_only_what_the_page_reads() {
    common::block_on(async {
        let app = common::app();
        let (_, body) = app.get("/news?page=1&evil=%22%3E%3Cx&city=").await;
        assert!(
            body.contains(r#"href="/ru/news?city=&amp;page=1""#),
            "{body}"
        );
        assert!(!body.contains("evil"));
        let (status, body) = app.get("/ru//evil.example").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains(r#"href="//evil.example"#), "{body}");
        assert!(body.contains(r#"href="/evil.example""#));
    });
}
