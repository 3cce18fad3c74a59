//! Federation over the router: WebFinger, the actor and its key, the outbox and item objects
//! with their tombstones, who may follow a partner portal, and the inbox's first refusals. Two
//! real portals talking to each other are in tests/federation.rs.

use axum::body::Body;
use http::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use http::{Request, StatusCode};
use serde_json::Value;

use crate::common::{self, TestApp};
use app::federation::{publish, Urls};

const BASE: &str = "http://portal.test";

async fn get_json(app: &TestApp, uri: &str) -> (StatusCode, String, Value) {
    let request = Request::get(uri)
        .header(ACCEPT, "application/activity+json")
        .body(Body::empty())
        .unwrap();
    let (parts, body) = app.send(request).await;
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        parts.status,
        content_type,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[test]
fn webfinger_names_the_actor_for_the_portals_handle_only() {
    common::block_on(async {
        let app = common::app();
        let (status, content_type, jrd) = get_json(
            &app,
            "/.well-known/webfinger?resource=acct:NEWS@portal.test",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/jrd+json");
        assert_eq!(jrd["subject"], "acct:news@portal.test");
        let this = jrd["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "self")
            .unwrap();
        assert_eq!(this["href"], format!("{BASE}/federation/actor"));
        assert_eq!(this["type"], "application/activity+json");
        for (uri, expected) in [
            (
                "/.well-known/webfinger?resource=acct:admin@portal.test",
                404,
            ),
            (
                "/.well-known/webfinger?resource=acct:news@evil.example",
                404,
            ),
            ("/.well-known/webfinger", 400),
        ] {
            let (status, _) = app.get(uri).await;
            assert_eq!(status.as_u16(), expected, "{uri}");
        }
    });
}

#[test]
fn the_actor_shows_its_public_key_and_never_the_private_one() {
    common::block_on(async {
        let app = common::app();
        let (status, content_type, actor) = get_json(&app, "/federation/actor").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/activity+json");
        assert_eq!(actor["type"], "Service");
        assert_eq!(actor["preferredUsername"], "news");
        assert_eq!(actor["inbox"], format!("{BASE}/federation/inbox"));
        assert_eq!(actor["nameMap"]["ru"], "Международный Волгоград");
        let pem = actor["publicKey"]["publicKeyPem"].as_str().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
        assert!(!actor.to_string().contains("PRIVATE"));
        // The same key on every read.
        let (_, _, again) = get_json(&app, "/federation/actor").await;
        assert_eq!(again["publicKey"], actor["publicKey"]);
        // A browser is sent to the home page.
        let request = Request::get("/federation/actor")
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .body(Body::empty())
            .unwrap();
        let (parts, _) = app.send(request).await;
        assert_eq!(parts.headers[LOCATION], "/");
        // Every page names the actor.
        let (_, home) = app.get("/").await;
        assert!(home.contains(&format!(
            r#"<link href="{BASE}/federation/actor" rel="alternate" type="application/activity+json">"#
        )));
    });
}

#[test]
fn the_outbox_lists_visible_items_with_every_language() {
    common::block_on(async {
        let app = common::app_with(3);
        let (status, _, outbox) = get_json(&app, "/federation/outbox").await;
        assert_eq!(status, StatusCode::OK);
        let visible: i64 = app
            .store
            .call_blocking(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM items WHERE status = 'published'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(outbox["totalItems"], visible);
        let items = outbox["orderedItems"].as_array().unwrap();
        assert!(items.iter().all(|a| a["type"] == "Create"));
        let generated = items
            .iter()
            .map(|a| &a["object"])
            .find(|o| o["url"] == format!("{BASE}/news/generated-3"))
            .expect("a generated item");
        assert_eq!(generated["type"], "Article");
        assert!(generated["nameMap"]["ru"]
            .as_str()
            .unwrap()
            .starts_with("Тестовый материал 3"));
        assert!(generated["contentMap"]["en"]
            .as_str()
            .unwrap()
            .contains("<em>Generated content.</em>"));
        assert!(generated["tag"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "Place"));
    });
}

#[test]
fn an_item_object_exists_while_visible_and_leaves_a_tombstone() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let urls = Urls::new(BASE);
        let told = |app: &TestApp| {
            let urls = urls.clone();
            app.store
                .call_blocking(move |c| publish::tell(c, &urls))
                .unwrap()
        };
        told(&app);
        let slug: String = app
            .store
            .call_blocking(|c| {
                Ok(c.query_row(
                    "SELECT slug FROM items WHERE kind = 'news' AND status = 'published' LIMIT 1",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        let item = app
            .editable(&format!("kind=news&slug={slug}"), &editor)
            .await;
        let id = item["id"].as_i64().unwrap();
        let uri = format!("/federation/items/{id}");
        let (status, _, object) = get_json(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{object}");
        assert_eq!(object["id"], format!("{BASE}{uri}"));
        let mut fields = item["fields"].clone();
        fields["status"] = "Archived".into();
        let (parts, body) = app
            .post_json(
                "/api/update_item",
                &common::update_request(&item, &fields),
                Some(&editor),
            )
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        told(&app);
        let (status, _, tombstone) = get_json(&app, &uri).await;
        assert_eq!(status, StatusCode::GONE);
        assert_eq!(tombstone["type"], "Tombstone");
        // A draft was never public: no object, no tombstone.
        let (status, _, _) = get_json(&app, "/federation/items/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = get_json(&app, "/federation/items/abc").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn only_admins_follow_partner_portals() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let form = "city=chemnitz&handle=news%40127.0.0.1%3A9";
        let before = app.db_bytes();
        let (parts, _) = app.post_form("/api/follow_partner", form, None).await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
        let (parts, _) = app
            .post_form("/api/follow_partner", form, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        let (parts, _) = app
            .post_form("/api/unfollow_partner", "city=chemnitz", Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        assert!(app.db_bytes() == before, "nothing written");
        // An admin with a handle nobody answers at, or no handle at all, is told so.
        let (parts, body) = app
            .post_form("/api/follow_partner", form, Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("err_partner_unreachable"), "{body}");
        let (parts, body) = app
            .post_form(
                "/api/follow_partner",
                "city=chemnitz&handle=chemnitz",
                Some(&admin),
            )
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST);
        assert!(body.contains("err_partner_handle"), "{body}");
        let followed: i64 = app
            .store
            .call_blocking(|c| Ok(c.query_row("SELECT count(*) FROM following", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(followed, 0);
    });
}

#[test]
fn a_city_no_address_can_name_is_a_clear_400_not_a_dropped_connection() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        for city in [
            "a%0Db",
            "%00",
            "chemnitz%0D%0ASet-Cookie%3A+x%3D1",
            "%C3%A9t%C3%A9",
            "",
        ] {
            for function in ["/api/unfollow_partner", "/api/follow_partner"] {
                let form = format!("city={city}&handle=news%40127.0.0.1%3A9");
                let (parts, body) = app.post_form(function, &form, Some(&admin)).await;
                assert_eq!(
                    parts.status,
                    StatusCode::BAD_REQUEST,
                    "{function} {city}: {body}"
                );
                assert!(body.contains("err_no_city"), "{body}");
            }
        }
        // A city that is not followed: back to its page, as before.
        let (parts, _) = app
            .post_form("/api/unfollow_partner", "city=chemnitz", Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::OK);
    });
}

#[test]
fn the_city_page_offers_admins_the_follow_form_and_visitors_nothing_yet() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let (_, visitor) = app.get("/cities/chemnitz").await;
        assert!(!visitor.contains("partner-portal"));
        let (_, as_editor) = app.get_as("/cities/chemnitz", &editor).await;
        assert!(!as_editor.contains("partner-handle"));
        let (_, as_admin) = app.get_as("/ru/cities/chemnitz", &admin).await;
        assert!(as_admin.contains(r#"<label for="partner-handle">Адрес портала партнёра</label>"#));
        assert!(as_admin.contains(r#"action="/api/follow_partner""#));
        // A refused handle comes back as the form's error, tied to the field.
        let err = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE,
            r#"{"Invalid":{"field":"handle","message":{"key":"err_partner_handle"}}}"#,
        );
        let (_, refused) = app
            .get_as(
                &format!("/cities/chemnitz?__path=%2Fapi%2Ffollow_partner&__err={err}"),
                &admin,
            )
            .await;
        assert!(
            refused.contains("Enter the handle as news@city.example."),
            "{refused}"
        );
        assert!(refused.contains(r#"aria-invalid="true""#));
    });
}

#[test]
fn the_inbox_refuses_what_is_not_signed_or_too_large() {
    common::block_on(async {
        let app = common::app();
        let (parts, body) = app
            .post(
                "/federation/inbox",
                "application/activity+json",
                br#"{"type":"Follow"}"#.to_vec(),
                None,
            )
            .await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("not signed"), "{body}");
        let (parts, _) = app
            .post(
                "/federation/inbox",
                "application/activity+json",
                vec![b' '; 300 * 1024],
                None,
            )
            .await;
        assert_eq!(parts.status, StatusCode::PAYLOAD_TOO_LARGE);
        let (parts, _) = app
            .post(
                "/federation/inbox",
                "application/activity+json",
                b"{}".to_vec(),
                None,
            )
            .await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
    });
}

/// Stores a post of `handle`'s portal as the inbox would, held.
fn received_post(app: &TestApp, object: &str, contents: &str) {
    use app::store::federation::{self as sql, IncomingPost, RemoteActor};
    let object = object.to_owned();
    let contents = contents.to_owned();
    app.store
        .call_blocking(move |c| {
            sql::save_remote_actor(
                c,
                &RemoteActor {
                    id: "https://ostrava.example/federation/actor".into(),
                    inbox: "https://ostrava.example/federation/inbox".into(),
                    shared_inbox: None,
                    key_id: "https://ostrava.example/federation/actor#main-key".into(),
                    public_pem: String::new(),
                    handle: "news@ostrava.example".into(),
                    name: "Ostrava".into(),
                    fetched_at: 0,
                },
            )?;
            sql::keep_incoming(
                c,
                &IncomingPost {
                    object_id: object,
                    actor: "https://ostrava.example/federation/actor".into(),
                    kind: "Article".into(),
                    in_reply_to: None,
                    url: "https://ostrava.example/news/concert".into(),
                    names: r#"{"en":"Russian Song concert"}"#.into(),
                    summaries: "{}".into(),
                    contents,
                    published: "2026-11-04T10:00:00Z".into(),
                    updated: String::new(),
                },
                0,
            )?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_inbox_is_for_editors_and_its_decisions_are_theirs() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        received_post(
            &app,
            "https://ostrava.example/federation/items/1",
            r#"{"en":"<p>A concert in Ostrava.</p>"}"#,
        );
        let (status, _) = app.get("/inbox").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, page) = app.get_as("/inbox", &editor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Russian Song concert") && page.contains("A concert in Ostrava."));
        assert!(
            !page.contains("block-value"),
            "editors do not manage blocks"
        );
        let (_, page) = app.get_as("/inbox", &admin).await;
        assert!(page.contains(r#"<label for="block-value">"#));

        let form =
            "object=https%3A%2F%2Fostrava.example%2Ffederation%2Fitems%2F1&decision=translate";
        let (parts, _) = app.post_form("/api/moderate_post", form, None).await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
        let (parts, _) = app
            .post_form("/api/block_sender", "value=spam.example", Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);

        // Approve and translate: a draft with the text and where it came from.
        let (parts, body) = app
            .post_form("/api/moderate_post", form, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        let draft = parts.headers[LOCATION].to_str().unwrap().to_owned();
        assert!(
            draft.starts_with("/news/") && draft.ends_with("?edit"),
            "{draft}"
        );
        let slug = draft.trim_start_matches("/news/").trim_end_matches("?edit");
        let item = app
            .editable(&format!("kind=news&slug={slug}"), &editor)
            .await;
        assert_eq!(item["fields"]["title"], "Russian Song concert");
        assert_eq!(item["fields"]["status"], "Draft");
        let body = item["fields"]["body"].as_str().unwrap();
        assert!(body.contains("A concert in Ostrava."));
        assert!(
            body.contains("(https://ostrava.example/news/concert)"),
            "{body}"
        );
        let (_, audit) = app.get_as("/audit", &admin).await;
        assert!(audit.contains("opened a draft"), "audited");

        // A bad block value is refused in words.
        let (parts, body) = app
            .post_form("/api/block_sender", "value=%25%27%3B", Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST);
        assert!(body.contains("err_block_value"), "{body}");
        let (parts, _) = app
            .post_form("/api/block_sender", "value=Spam.Example", Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        let (_, page) = app.get_as("/inbox", &admin).await;
        assert!(page.contains("spam.example"));
    });
}
