//! Two partner portals following each other and exchanging items, edits, removals and replies.

use std::time::Duration;

use app::federation::signature;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{json, Value};

use crate::{
    client, item_id, login, make_chemnitz, now, post_signed, received, save, wait_for, Portal,
};

/// Approves the post `object` waiting at `portal`, as the session `cookie`.
fn approve(portal: &Portal, cookie: &str, object: &str) {
    let approved = client()
        .post(format!("{}/api/moderate_post", portal.base()))
        .header("cookie", cookie)
        .form(&[("object", object), ("decision", "approve")])
        .send()
        .unwrap();
    assert!(
        approved.status().is_success(),
        "{}",
        approved.text().unwrap()
    );
}

#[test]
fn partner_portals_follow_each_other_and_exchange_items() {
    let root = tempfile::tempdir().unwrap();
    let mut volgograd = Portal::new(root.path(), "volgograd");
    let mut chemnitz = Portal::new(root.path(), "chemnitz");
    make_chemnitz(&chemnitz);
    volgograd.start();
    chemnitz.start();
    let http = client();

    // An admin of Chemnitz follows Volgograd's portal from Volgograd's city page.
    let admin = login(&chemnitz);
    let answer = http
        .post(format!("{}/api/follow_partner", chemnitz.base()))
        .header("cookie", &admin)
        .form(&[("city", "volgograd"), ("handle", &volgograd.handle())])
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().unwrap());
    wait_for("Volgograd to accept", Duration::from_secs(30), || {
        chemnitz.count("SELECT count(*) FROM following WHERE state = 'accepted'") == 1
    });
    let page = http
        .get(format!("{}/cities/volgograd", chemnitz.base()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains(&volgograd.handle()),
        "visitors see the partner's handle"
    );
    let followers: Value = http
        .get(format!("{}/federation/followers", volgograd.base()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(followers["totalItems"], 1);

    // A new item reaches Chemnitz with both languages.
    volgograd.generate();
    wait_for("the item at Chemnitz", Duration::from_secs(30), || {
        received(&chemnitz, "Generated item").is_some()
    });
    let names = received(&chemnitz, "Generated item").unwrap();
    assert!(names["en"].as_str().unwrap().starts_with("Generated item"));
    assert!(names["ru"]
        .as_str()
        .unwrap()
        .starts_with("Тестовый материал"));

    // Held until an editor approves it; then on Volgograd's city page and the home page, in
    // the reader's language.
    let city_page = |path: &str| {
        http.get(format!("{}{path}", chemnitz.base()))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    assert!(!city_page("/cities/volgograd").contains("Generated item 1"));
    let object: String = chemnitz
        .sql()
        .query_row("SELECT object_id FROM incoming_posts", [], |r| r.get(0))
        .unwrap();
    approve(&chemnitz, &admin, &object);
    assert!(city_page("/cities/volgograd").contains("Generated item 1"));
    assert!(city_page("/ru/cities/volgograd").contains("Тестовый материал 1"));
    let home = city_page("/");
    assert!(home.contains("From our twin cities") && home.contains("Generated item 1"));

    // An edit updates it.
    let editor = login(&volgograd);
    let saved = save(
        &volgograd,
        &editor,
        "generated-1",
        "title",
        json!("Chemnitz and Volgograd plant a friendship garden"),
    );
    assert!(saved.status().is_success(), "{}", saved.text().unwrap());
    // An edit of an approved post waits for an editor; visitors keep the approved title.
    wait_for("the edit at Chemnitz", Duration::from_secs(30), || {
        chemnitz.count(
            "SELECT count(*) FROM incoming_posts WHERE edit_names LIKE '%friendship garden%'",
        ) == 1
    });
    assert_eq!(
        chemnitz.count("SELECT count(*) FROM incoming_posts"),
        1,
        "an update replaces, it does not add"
    );
    let shown = city_page("/cities/volgograd");
    assert!(shown.contains("Generated item 1") && !shown.contains("friendship garden"));
    approve(&chemnitz, &admin, &object);
    assert!(received(&chemnitz, "friendship garden").is_some());
    assert!(city_page("/cities/volgograd").contains("friendship garden"));

    // Archiving removes it.
    let (archived, id) = (
        save(
            &volgograd,
            &editor,
            "generated-1",
            "status",
            json!("Archived"),
        ),
        item_id(&volgograd, "generated-1"),
    );
    assert!(archived.status().is_success());
    wait_for("the removal at Chemnitz", Duration::from_secs(30), || {
        chemnitz.count("SELECT count(*) FROM incoming_posts") == 0
    });
    let gone = http
        .get(format!("{}/federation/items/{}", volgograd.base(), id))
        .header("accept", "application/activity+json")
        .send()
        .unwrap();
    assert_eq!(gone.status().as_u16(), 410);
    assert_eq!(gone.json::<Value>().unwrap()["type"], "Tombstone");

    // The receiver dies; the item waits in Volgograd's queue and arrives once it is back.
    chemnitz.kill();
    volgograd.generate();
    wait_for("a failed attempt", Duration::from_secs(30), || {
        volgograd.count("SELECT count(*) FROM deliveries WHERE attempts > 0") == 1
    });
    chemnitz.start();
    wait_for(
        "the item after the restart",
        Duration::from_secs(60),
        || received(&chemnitz, "Generated item 2").is_some(),
    );
    wait_for("the queue to empty", Duration::from_secs(10), || {
        volgograd.count("SELECT count(*) FROM deliveries") == 0
    });
    assert_eq!(chemnitz.count("SELECT count(*) FROM incoming_posts"), 1);

    // A reply from Chemnitz (signed with its key) is held at Volgograd, then shown under the
    // article once approved, sanitised.
    let pem: String = chemnitz
        .sql()
        .query_row("SELECT private_pem FROM federation_key", [], |r| r.get(0))
        .unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let item = item_id(&volgograd, "generated-2");
    let chemnitz_actor = format!("{}/federation/actor", chemnitz.base());
    let reply_id = format!("{}/replies/1", chemnitz.base());
    let reply = json!({
        "id": format!("{reply_id}#create"), "type": "Create", "actor": chemnitz_actor,
        "object": {
            "id": reply_id, "type": "Note", "attributedTo": chemnitz_actor,
            "inReplyTo": format!("{}/federation/items/{item}", volgograd.base()),
            "published": "2026-12-01T10:00:00Z",
            "contentMap": { "en": "<p>Greetings from Chemnitz!<script>alert(1)</script></p>" },
        },
    })
    .to_string()
    .into_bytes();
    let sent = post_signed(
        &volgograd,
        &key,
        &format!("{chemnitz_actor}#main-key"),
        &reply,
        &signature::http_date(now()),
        &signature::digest(&reply),
    );
    assert_eq!(sent.status().as_u16(), 202);
    let article = |portal: &Portal| {
        http.get(format!("{}/news/generated-2", portal.base()))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    assert!(
        !article(&volgograd).contains("Greetings from Chemnitz"),
        "held"
    );
    let volgograd_admin = login(&volgograd);
    approve(&volgograd, &volgograd_admin, &reply_id);
    let shown = article(&volgograd);
    assert!(
        shown.contains("Greetings from Chemnitz!"),
        "shown once approved"
    );
    assert!(!shown.contains("alert(1)"), "sanitised");
    assert!(shown.contains(&format!("news@127.0.0.1:{}", chemnitz.port)));

    // Unfollowing sends Undo: Volgograd has no follower left.
    let stopped = http
        .post(format!("{}/api/unfollow_partner", chemnitz.base()))
        .header("cookie", &admin)
        .form(&[("city", "volgograd")])
        .send()
        .unwrap();
    assert!(stopped.status().is_success());
    wait_for("the Undo at Volgograd", Duration::from_secs(30), || {
        volgograd.count("SELECT count(*) FROM followers") == 0
    });
}
