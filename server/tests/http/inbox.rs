//! `POST /federation/inbox` and `/inbox` as an attacker uses them: signed requests from
//! accounts whose keys the portal already holds (so that no network is needed), trying to
//! rewrite what an editor approved, fill the moderation list, slip past blocks, replay a
//! delivery meant for another server, end other people's follows, and date a post to the top.

use std::sync::LazyLock;

use app::federation::signature;
use app::store::federation::{self as stored, RemoteActor, WAITING_PER_SERVER};
use axum::body::Body;
use http::header::{CONTENT_TYPE, HOST, RETRY_AFTER};
use http::{Request, StatusCode};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};

use crate::common::{self, TestApp};

const BASE: &str = "http://portal.test";

/// One key for every account these tests speak as: making keys is slow, and the portal only
/// cares which account a key belongs to.
static KEY: LazyLock<rsa::RsaPrivateKey> =
    LazyLock::new(|| app::federation::keys::generate().unwrap());

/// Stores the account `id` with the test key, fetched just now, as if the portal had fetched it.
fn known(app: &TestApp, id: &str) {
    let pem = KEY
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let host = id.split('/').nth(2).unwrap().to_owned();
    let actor = RemoteActor {
        id: id.to_owned(),
        inbox: format!("{id}/inbox"),
        shared_inbox: None,
        key_id: format!("{id}#main-key"),
        public_pem: pem,
        handle: format!("someone@{host}"),
        name: "Someone".into(),
        fetched_at: app::federation::now(),
    };
    app.store
        .call_blocking(move |c| stored::save_remote_actor(c, &actor))
        .unwrap();
}

/// POSTs `activity` to the inbox signed by `actor`'s key, for the host `host`.
async fn deliver_to(
    app: &TestApp,
    host: &str,
    actor: &str,
    activity: &Value,
) -> (StatusCode, Option<String>, String) {
    let body = activity.to_string().into_bytes();
    let date = signature::http_date(app::federation::now());
    let digest = signature::digest(&body);
    let names: Vec<String> = signature::POST_HEADERS
        .split(' ')
        .map(str::to_owned)
        .collect();
    let headers = [("host", host), ("date", &date), ("digest", &digest)];
    let signing = signature::signing_string("POST", "/federation/inbox", &names, |n| {
        headers.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
    })
    .unwrap();
    let request = Request::post("/federation/inbox")
        .header(HOST, host)
        .header("date", &date)
        .header("digest", &digest)
        .header(CONTENT_TYPE, "application/activity+json")
        .header(
            "signature",
            signature::sign(
                &KEY,
                &format!("{actor}#main-key"),
                signature::POST_HEADERS,
                &signing,
            ),
        )
        .body(Body::from(body))
        .unwrap();
    let (parts, body) = app.send(request).await;
    let retry = parts
        .headers
        .get(RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    (
        parts.status,
        retry,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn deliver(
    app: &TestApp,
    actor: &str,
    activity: &Value,
) -> (StatusCode, Option<String>, String) {
    deliver_to(app, "portal.test", actor, activity).await
}

/// A `Create` (or `Update`) by `actor` of the note `id` with `text`, answering item `item`.
fn reply(kind: &str, actor: &str, id: &str, item: i64, text: &str) -> Value {
    json!({
        "id": format!("{id}#{kind}-{}", text.len()), "type": kind, "actor": actor,
        "object": {
            "id": id, "type": "Note", "attributedTo": actor,
            "inReplyTo": format!("{BASE}/federation/items/{item}"),
            "published": "2026-11-30T10:00:00Z",
            "content": text,
        },
    })
}

/// The id and page of the first published news item.
fn an_article(app: &TestApp) -> (i64, String) {
    app.store
        .call_blocking(|c| {
            Ok(c.query_row(
                "SELECT id, slug FROM items WHERE status = 'published' AND kind = 'news'
                 ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, format!("/news/{}", r.get::<_, String>(1)?))),
            )?)
        })
        .unwrap()
}

async fn decide(app: &TestApp, cookie: &str, object: &str, decision: &str) {
    let form = format!("object={}&decision={decision}", app::url::encode(object));
    let (parts, body) = app
        .post_form("/api/moderate_post", &form, Some(cookie))
        .await;
    assert_eq!(parts.status, StatusCode::OK, "{body}");
}

#[test]
fn an_approved_reply_rewritten_by_its_author_waits_for_an_editor_again() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let (item, page) = an_article(&app);
        let troll = "https://social.example/users/troll";
        known(&app, troll);
        let note = "https://social.example/notes/1";
        let (status, ..) = deliver(
            &app,
            troll,
            &reply("Create", troll, note, item, "Congratulations!"),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        decide(&app, &editor, note, "approve").await;
        let (_, article) = app.get(&page).await;
        assert!(article.contains("Congratulations!"));

        // The author swaps in a phishing link: visitors keep the approved text.
        let phishing =
            r#"<p>Claim your prize: <a href="https://evil.example/login">log in</a></p>"#;
        let (status, ..) =
            deliver(&app, troll, &reply("Update", troll, note, item, phishing)).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let (_, article) = app.get(&page).await;
        assert!(
            article.contains("Congratulations!"),
            "the approved text stays"
        );
        assert!(!article.contains("evil.example"), "the edit is not shown");
        // Editors see the edit against what is shown.
        let (_, inbox) = app.get_as("/inbox", &editor).await;
        assert!(inbox.contains(r#"data-testid="post-edit""#), "{inbox}");
        assert!(inbox.contains("<ins>") && inbox.contains("Claim your prize"));
        assert!(
            inbox.contains("(https://evil.example/login)"),
            "editors see where the new link goes"
        );
        // Rejected: still the approved text; approved: the new one.
        decide(&app, &editor, note, "reject").await;
        let (_, article) = app.get(&page).await;
        assert!(article.contains("Congratulations!") && !article.contains("Claim your prize"));
        let fixed = "Congratulations, friends in Volgograd!";
        deliver(&app, troll, &reply("Update", troll, note, item, fixed)).await;
        decide(&app, &editor, note, "approve").await;
        let (_, article) = app.get(&page).await;
        assert!(article.contains(fixed));
    });
}

#[test]
fn one_server_cannot_fill_the_moderation_list_and_editors_are_told() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let (item, _) = an_article(&app);
        let spammer = "https://spam.example/users/bot";
        known(&app, spammer);
        let big = "x".repeat(100_000);
        for n in 0..WAITING_PER_SERVER {
            let note = format!("https://spam.example/notes/{n}");
            let (status, _, body) =
                deliver(&app, spammer, &reply("Create", spammer, &note, item, &big)).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{n}: {body}");
        }
        let (status, retry, body) = deliver(
            &app,
            spammer,
            &reply(
                "Create",
                spammer,
                "https://spam.example/notes/more",
                item,
                "x",
            ),
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(retry.is_some());
        assert!(body.contains("waiting for moderation"), "{body}");
        // Another server still gets through.
        let friend = "https://friend.example/users/anna";
        known(&app, friend);
        for n in 0..3 {
            let note = format!("https://friend.example/notes/{n}");
            let (status, ..) =
                deliver(&app, friend, &reply("Create", friend, &note, item, "Hello")).await;
            assert_eq!(status, StatusCode::ACCEPTED);
        }
        // The list comes in pages of bounded size, and says what was refused.
        let (status, first) = app.get_as("/inbox", &editor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(first.len() < 600_000, "{} bytes", first.len());
        assert!(first.contains(r#"data-testid="inbox-refused""#));
        assert!(first.contains("spam.example"));
        assert!(first.contains("/inbox?page=2"));
        let (status, second) = app.get_as("/inbox?page=2", &editor).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(second.matches(r#"data-testid="received-post""#).count(), 3);
        let (status, _) = app.get_as("/inbox?page=3", &editor).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.get_as("/inbox?page=x", &editor).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn blocks_hold_against_trailing_dots_subdomains_and_the_case_of_account_ids() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        let like = |actor: &str, n: u32| {
            json!({ "id": format!("{actor}/likes/{n}"), "type": "Like", "actor": actor,
                    "object": format!("{BASE}/federation/items/1") })
        };
        let (parts, body) = app
            .post_form("/api/block_sender", "value=Spam.Example.", Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        for actor in [
            "https://spam.example/users/a",
            "https://sub.spam.example/users/a",
            "https://SPAM.example./users/b",
        ] {
            known(&app, actor);
            let (status, _, body) = deliver(&app, actor, &like(actor, 1)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{actor}: {body}");
        }
        let neighbour = "https://notspam.example/users/a";
        known(&app, neighbour);
        assert_eq!(
            deliver(&app, neighbour, &like(neighbour, 1)).await.0,
            StatusCode::ACCEPTED
        );

        let (victim, namesake) = (
            "https://mastodon.example/users/Victim",
            "https://mastodon.example/users/victim",
        );
        let form = format!("value={}", app::url::encode(victim));
        let (parts, _) = app
            .post_form("/api/block_sender", &form, Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        known(&app, victim);
        known(&app, namesake);
        assert_eq!(
            deliver(&app, victim, &like(victim, 1)).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            deliver(&app, namesake, &like(namesake, 1)).await.0,
            StatusCode::ACCEPTED,
            "another account of the same server"
        );
    });
}

#[test]
fn a_delivery_signed_for_another_server_is_not_taken_here() {
    common::block_on(async {
        let app = common::app();
        let sender = "https://partner.example/federation/actor";
        known(&app, sender);
        let like = json!({ "id": "https://partner.example/likes/1", "type": "Like",
                           "actor": sender, "object": "https://other.example/items/1" });
        let (status, _, body) = deliver_to(&app, "other.example", sender, &like).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("another server"), "{body}");
        let (status, ..) = deliver_to(&app, "PORTAL.test", sender, &like).await;
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "the portal's own host, in any case"
        );
    });
}

#[test]
fn an_undo_ends_only_the_senders_own_follow() {
    common::block_on(async {
        let app = common::app();
        let portal = format!("{BASE}/federation/actor");
        let (anna, mallory) = (
            "https://one.example/users/anna",
            "https://two.example/users/mallory",
        );
        let follow = |who: &str| {
            json!({ "id": format!("{who}/follows/1"), "type": "Follow", "actor": who,
                    "object": portal })
        };
        for who in [anna, mallory] {
            known(&app, who);
            assert_eq!(
                deliver(&app, who, &follow(who)).await.0,
                StatusCode::ACCEPTED
            );
        }
        let followers = || {
            app.store
                .call_blocking(|c| stored::follower_count(c))
                .unwrap()
        };
        assert_eq!(followers(), 2);
        let undo = |n: u32, object: Value| {
            json!({ "id": format!("{mallory}/undo/{n}"), "type": "Undo", "actor": mallory,
                    "object": object })
        };
        for (n, object) in [
            follow(anna),
            json!(format!("{anna}/follows/1")),
            json!("anything"),
            json!({ "type": "Like", "actor": mallory, "object": portal }),
        ]
        .into_iter()
        .enumerate()
        {
            let (status, ..) = deliver(&app, mallory, &undo(n as u32, object)).await;
            assert_eq!(status, StatusCode::ACCEPTED);
            assert_eq!(followers(), 2, "undo {n} ended nobody's follow");
        }
        deliver(&app, mallory, &undo(9, follow(mallory))).await;
        assert_eq!(followers(), 1, "its own follow ends");
        deliver(
            &app,
            anna,
            &json!({ "id": format!("{anna}/undo/1"), "type": "Undo",
                                     "actor": anna, "object": format!("{anna}/follows/1") }),
        )
        .await;
        assert_eq!(followers(), 0, "undone by the follow's id");
    });
}

#[test]
fn a_partners_posts_sort_by_approval_not_by_the_date_they_claim() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let partner = "https://ostrava.example/federation/actor";
        known(&app, partner);
        app.store
            .call_blocking(move |c| {
                Ok(c.execute(
                    "INSERT INTO following (actor, handle, city_id, follow_id, state)
                     SELECT ?1, 'news@ostrava.example', id, 'f', 'accepted' FROM cities LIMIT 1",
                    [partner],
                )?)
            })
            .unwrap();
        let post = |n: u32, published: &str, title: &str| {
            json!({ "id": format!("https://ostrava.example/posts/{n}/create"), "type": "Create",
                    "actor": partner,
                    "object": { "id": format!("https://ostrava.example/posts/{n}"),
                                "type": "Article", "attributedTo": partner,
                                "published": published, "name": title, "content": "<p>…</p>" } })
        };
        for (n, published, title) in [
            (1, "2099-01-01T00:00:00Z", "Forever on top"),
            (2, "2020-01-01T00:00:00Z", "Approved last"),
        ] {
            assert_eq!(
                deliver(&app, partner, &post(n, published, title)).await.0,
                StatusCode::ACCEPTED
            );
            decide(
                &app,
                &editor,
                &format!("https://ostrava.example/posts/{n}"),
                "approve",
            )
            .await;
            // Approval times are whole seconds: the second approval must come later.
            if n == 1 {
                app.store
                    .call_blocking(|c| {
                        Ok(c.execute(
                            "UPDATE incoming_posts SET approved_at = '2026-01-01T00:00:00Z'",
                            [],
                        )?)
                    })
                    .unwrap();
            }
        }
        let (_, home) = app.get("/").await;
        let (top, claimed) = (home.find("Approved last"), home.find("Forever on top"));
        assert!(
            top.is_some() && claimed.is_some() && top < claimed,
            "{home}"
        );
        assert!(
            !home.contains("2099"),
            "a date in the future is not believed"
        );
    });
}

#[test]
fn a_key_that_cannot_be_fetched_tells_the_sender_nothing_about_other_hosts() {
    common::block_on(async {
        let app = common::app();
        let closed = "http://127.0.0.1:9/actor";
        let like = json!({ "id": "http://127.0.0.1:9/likes/1", "type": "Like",
                           "actor": closed, "object": "x" });
        let (status, _, body) = deliver(&app, closed, &like).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, "The signing key cannot be fetched or used.");
    });
}

/// A well-formed activity of each kind the inbox acts on, by `actor`, for the portal's item
/// `item`.
fn activity(kind: usize, actor: &str, item: i64) -> Value {
    let portal = format!("{BASE}/federation/actor");
    match kind {
        0 => reply(
            "Create",
            actor,
            &format!("{actor}/notes/1"),
            item,
            "<p>Hello</p>",
        ),
        1 => reply(
            "Update",
            actor,
            &format!("{actor}/notes/1"),
            item,
            "<p>Hi</p>",
        ),
        2 => json!({ "id": format!("{actor}/follows/1"), "type": "Follow", "actor": actor,
                     "object": portal }),
        3 => json!({ "id": format!("{actor}/undo/1"), "type": "Undo", "actor": actor,
                     "object": { "type": "Follow", "actor": actor, "object": portal } }),
        _ => json!({ "id": format!("{actor}/delete/1"), "type": "Delete", "actor": actor,
                     "object": format!("{actor}/notes/1") }),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// One value of a signed activity, or of the object it carries, replaced by anything: the
    /// inbox takes it (202) or refuses it with a 4xx, never a 5xx, and the pages that show what
    /// it keeps still render.
    #[test]
    fn generated_activities_are_taken_or_refused_never_a_server_error(
        kind in 0..5usize,
        pick in proptest::num::usize::ANY,
        value in crate::fuzz::any_json(),
    ) {
        common::block_on(async {
            let app = common::app();
            app.add_user("olga", app::auth::Role::Editor);
            let editor = app.login("olga").await;
            let (item, page) = an_article(&app);
            let actor = "https://social.example/users/fuzz";
            known(&app, actor);
            // A reply already approved, for the edits and deletes to meet.
            let first = reply("Create", actor, &format!("{actor}/notes/1"), item, "<p>First</p>");
            assert_eq!(deliver(&app, actor, &first).await.0, StatusCode::ACCEPTED);
            decide(&app, &editor, &format!("{actor}/notes/1"), "approve").await;

            let mut document = activity(kind, actor, item);
            let mut paths: Vec<(bool, String)> = document
                .as_object().unwrap().keys().map(|k| (false, k.clone())).collect();
            if let Some(object) = document["object"].as_object() {
                paths.extend(object.keys().map(|k| (true, k.clone())));
            }
            let (inner, key) = paths[pick % paths.len()].clone();
            if inner {
                document["object"][key.as_str()] = value.clone();
            } else {
                document[key.as_str()] = value.clone();
            }
            let shown: String = value.to_string().chars().take(80).collect();
            let (status, _, body) = deliver(&app, actor, &document).await;
            assert!(
                status == StatusCode::ACCEPTED || status.is_client_error(),
                "{key} = {shown} → {status} {body}"
            );
            for (uri, cookie) in [(page.as_str(), None), ("/inbox", Some(&editor)), ("/", None)] {
                let (status, _) = match cookie {
                    Some(cookie) => app.get_as(uri, cookie).await,
                    None => app.get(uri).await,
                };
                assert!(!status.is_server_error(), "{uri} after {key} = {shown}: {status}");
            }
        });
    }
}
