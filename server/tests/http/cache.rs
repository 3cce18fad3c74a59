//! The cache of anonymous pages, through the real router: it answers while nothing changed, never
//! after an edit, never for a signed-in editor, and each answer carries a nonce of its own.

use super::common::{self, TestApp};
use app::auth::Role;
use axum::body::Body;
use http::header::CONTENT_SECURITY_POLICY;
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

#[test]
fn a_cached_page_is_never_served_after_an_edit() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let editor = app.login("olga").await;
        assert!(page(&app).await.contains(TITLE));

        retitle_out_of_band(&app, "Written behind the store");
        assert!(
            page(&app).await.contains(TITLE),
            "visitors get the cached page while the store saw no edit"
        );
        let (_, signed_in) = app.get_as(&format!("/news/{SLUG}"), &editor).await;
        assert!(
            signed_in.contains("Written behind the store"),
            "an editor's pages are never cached"
        );

        let (parts, body) = app
            .post_form(
                "/api/get_editable",
                &format!("kind=News&slug={SLUG}"),
                Some(&editor),
            )
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        let item: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut fields = item["fields"].clone();
        fields["title"] = json!("A reply from across the ocean");
        let request = json!({"id": item["id"], "base_version": item["version"], "fields": fields});
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
