//! What reaches a page's `<head>`: titles, descriptions, city and tag names and search terms are
//! escaped wherever they come from, and the script policy names the nonce the server chose,
//! never one written in the page — rendered afresh, from the page cache, and after a 304.

use super::common::{self, TestApp};
use axum::body::Body;
use http::header::{CONTENT_SECURITY_POLICY, ETAG, IF_NONE_MATCH};
use http::{Request, StatusCode};

/// A text that ends the title and the head and brings a script with a nonce of its own.
const HOSTILE: &str =
    r#"</title><script nonce="attacker">window.pwned=1</script></head><meta content="x" & '"#;
const SLUG: &str = "reply-from-a-twin-city-across-the-ocean";

/// Stores `HOSTILE` as an article's title and lead, a city's name and a tag's name, before any
/// page is rendered.
fn hostile_app() -> TestApp {
    let app = common::app();
    let conn = rusqlite::Connection::open(app.store.path()).unwrap();
    conn.execute(
        "UPDATE item_texts SET title = ?1, lead = ?1
         WHERE item_id = (SELECT id FROM items WHERE slug = ?2)",
        [HOSTILE, SLUG],
    )
    .unwrap();
    conn.execute(
        "UPDATE cities SET name = ?1 WHERE slug = 'coventry'",
        [HOSTILE],
    )
    .unwrap();
    conn.execute("UPDATE tags SET name = ?1 WHERE slug = 'music'", [HOSTILE])
        .unwrap();
    conn.execute("UPDATE tag_texts SET name = ?1", [HOSTILE])
        .unwrap();
    app
}

/// The policy's nonce of a response.
fn policy_nonce(parts: &http::response::Parts) -> String {
    let policy = parts.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    let start = policy.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    policy[start..start + policy[start..].find('\'').unwrap()].to_owned()
}

/// Checks one rendered page: no script or element of the text's own in the document, one title,
/// the text shown escaped, and the policy naming the server's nonce (which the page's own
/// scripts carry) and not the attacker's.
fn assert_contained(uri: &str, parts: &http::response::Parts, body: &str) {
    let head = &body[..body
        .find("</head>")
        .unwrap_or_else(|| panic!("{uri}: a head"))];
    assert_eq!(
        head.matches("<title>").count(),
        1,
        "{uri}: one title\n{head}"
    );
    assert_eq!(
        head.matches("</title>").count(),
        1,
        "{uri}: one title end\n{head}"
    );
    assert_eq!(body.matches("</head>").count(), 1, "{uri}: one head end");
    assert!(
        !body.contains(r#"<script nonce="attacker""#),
        "{uri}: {body}"
    );
    assert!(!body.contains("<meta content=\"x\" &"), "{uri}");
    assert!(
        head.contains("&lt;/title&gt;"),
        "{uri}: the title shows the text\n{head}"
    );
    let nonce = policy_nonce(parts);
    assert_ne!(nonce, "attacker", "{uri}");
    assert!(
        head.contains(&format!(r#"nonce="{nonce}""#)),
        "{uri}: the page's own scripts carry the policy's nonce"
    );
}

#[test]
fn hostile_texts_reach_the_head_escaped_and_never_choose_the_policy() {
    common::block_on(async {
        let app = hostile_app();
        let query = app::url::encode(HOSTILE);
        let pages = [
            format!("/search?q={query}"),
            format!("/ru/search?q={query}"),
            format!("/news/{SLUG}"),
            format!("/ru/news/{SLUG}"),
            "/cities/coventry".to_owned(),
            "/news?city=coventry".to_owned(),
            "/tags/music".to_owned(),
        ];
        for uri in &pages {
            // Twice: rendered afresh, then (where pages are kept) from the cache.
            for round in 0..2 {
                let (parts, body) = app
                    .send(Request::get(uri.as_str()).body(Body::empty()).unwrap())
                    .await;
                assert_eq!(parts.status, StatusCode::OK, "{uri} ({round})");
                assert_contained(uri, &parts, &String::from_utf8(body).unwrap());
            }
        }
    });
}

#[test]
fn a_page_held_by_the_client_gets_no_policy_of_the_content_s() {
    common::block_on(async {
        let app = hostile_app();
        let uri = format!("/news/{SLUG}");
        let (parts, _) = app
            .send(Request::get(uri.as_str()).body(Body::empty()).unwrap())
            .await;
        let tag = parts.headers[ETAG].to_str().unwrap().to_owned();
        let request = Request::get(uri.as_str())
            .header(IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap();
        let (held, body) = app.send(request).await;
        assert_eq!(held.status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert!(!held.headers.contains_key(CONTENT_SECURITY_POLICY));
    });
}

#[test]
fn head_requests_get_the_policy_of_the_page_they_ask_about() {
    common::block_on(async {
        let app = common::app();
        let (parts, body) = app
            .send(Request::head("/news").body(Body::empty()).unwrap())
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        assert!(body.is_empty());
        let policy = parts.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.contains("'nonce-"), "{policy}");
    });
}
