//! The editing server functions under `/api/` and the history pages, through the real router:
//! who may call what, conflicts, revisions, drafts, sanitising, images.

use super::common::{self, TestApp};
use http::StatusCode;
use serde_json::{json, Value};

/// Creates a news draft as the session `cookie` and returns it (an `Editable` as JSON).
async fn create(app: &TestApp, cookie: &str) -> Value {
    let (parts, body) = app
        .post_form("/api/create_item", "kind=news", Some(cookie))
        .await;
    assert!(!parts.status.is_client_error(), "{:?} {body}", parts.status);
    serde_json::from_str(&body).expect("an editable item")
}

/// Saves `fields` over `item` (from its version) and returns the response.
async fn update(
    app: &TestApp,
    cookie: Option<&str>,
    item: &Value,
    fields: &Value,
) -> (StatusCode, String) {
    let request = common::update_request(item, fields);
    let (parts, body) = app.post_json("/api/update_item", &request, cookie).await;
    (parts.status, body)
}

fn with(item: &Value, changes: Value) -> Value {
    let mut fields = item["fields"].clone();
    for (k, v) in changes.as_object().unwrap() {
        fields[k] = v.clone();
    }
    fields
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(1000, 500, image::Rgb([200, 30, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----twincity-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn every_mutating_function_refuses_anonymous_callers_and_changes_nothing() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let item = create(&app, &editor).await;
        let before = app.db_bytes();
        let (type_, upload) = multipart(&png());
        let calls: Vec<(&str, &str, Vec<u8>)> = vec![
            (
                "/api/create_item",
                "application/x-www-form-urlencoded",
                b"kind=news".to_vec(),
            ),
            (
                "/api/update_item",
                "application/json",
                common::update_request(&item, &with(&item, json!({"title": "Hacked"})))
                    .to_string()
                    .into_bytes(),
            ),
            (
                "/api/restore_revision",
                "application/x-www-form-urlencoded",
                format!(
                    "id={}&version=1&base_version={}",
                    item["id"], item["version"]
                )
                .into_bytes(),
            ),
            ("/api/upload_image", &type_, upload.clone()),
            (
                "/api/update_city",
                "application/json",
                json!({"city": city_json(&app, "turin"), "base_version": 1})
                    .to_string()
                    .into_bytes(),
            ),
        ];
        for (uri, content_type, body) in calls {
            let (parts, text) = app.post(uri, content_type, body.clone(), None).await;
            assert_eq!(parts.status, StatusCode::UNAUTHORIZED, "{uri}: {text}");
            let (parts, _) = app
                .post(uri, content_type, body, Some("twincity_session=forged"))
                .await;
            assert_eq!(
                parts.status,
                StatusCode::UNAUTHORIZED,
                "{uri} with a forged cookie"
            );
            assert_eq!(app.db_bytes(), before, "{uri} changed the database");
        }
        assert!(!app.dir.path().join("media").exists(), "no file was stored");
    });
}

#[test]
fn editors_and_admins_may_edit_only_admins_read_the_audit_log() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        for cookie in [&editor, &admin] {
            let item = create(&app, cookie).await;
            let (status, body) = update(
                &app,
                Some(cookie),
                &item,
                &with(&item, json!({"title": "Ours"})),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let before = app.db_bytes();
        let (parts, _) = app.post_form("/api/get_audit_log", "", Some(&editor)).await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        assert_eq!(app.db_bytes(), before);
        let (status, body) = app.get_as("/audit", &editor).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("Not allowed"));
        let (status, body) = app.get_as("/audit", &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("olga") && body.contains("ivan") && body.contains("save"),
            "{body}"
        );
        assert!(body.contains("as version 2 (edited; now Draft)"), "{body}");
        // The same lines in Russian: nothing of the English details is left.
        let (status, body) = app.get_as("/ru/audit", &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("как версия 2 (изменено; теперь Черновик)"),
            "{body}"
        );
        assert!(body.contains("сохранение") && body.contains("вход"));
        assert!(!body.contains("as version") && !body.contains("(edited"));
        let (status, _) = app.get("/audit").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn a_save_from_a_stale_version_is_a_409_and_keeps_the_first_text() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let item = create(&app, &editor).await;
        let (status, _) = update(
            &app,
            Some(&editor),
            &item,
            &with(&item, json!({"title": "Olga's title"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let before = app.db_bytes();
        let (status, body) = update(
            &app,
            Some(&admin),
            &item,
            &with(&item, json!({"title": "Ivan's title"})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(app.db_bytes(), before);
        let slug = "olga-s-title";
        let (_, page) = app.get_as(&format!("/news/{slug}"), &editor).await;
        assert!(
            page.contains("Olga&#x27;s title") || page.contains("Olga's title"),
            "{page}"
        );
    });
}

#[test]
fn bad_input_is_a_400_with_a_message_and_changes_nothing() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let item = create(&app, &editor).await;
        let before = app.db_bytes();
        let cases = [
            json!({"title": ""}),
            json!({"title": "x".repeat(201)}),
            json!({"published_at": "next tuesday"}),
            json!({"cities": ["atlantis"]}),
            json!({"event_start": "2021-01-01"}),
            json!({"lang": "xx"}),
        ];
        for change in cases {
            let (status, body) =
                update(&app, Some(&editor), &item, &with(&item, change.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{change}: {body}");
            assert!(body.contains("Invalid"), "{body}");
        }
        let (parts, body) = app
            .post_json("/api/update_item", &json!({"id": "one"}), Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(app.db_bytes(), before);
    });
}

#[test]
fn drafts_are_404_for_visitors_and_badged_for_editors_until_published() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let item = create(&app, &editor).await;
        let (status, body) = update(
            &app,
            Some(&editor),
            &item,
            &with(&item, json!({"title": "Secret plans"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let saved: Value = serde_json::from_str(&body).unwrap();
        let (status, _) = app.get("/news/secret-plans").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, page) = app.get_as("/news/secret-plans", &editor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"class="badge">Draft</span>"#), "{page}");
        let (_, feed) = app.get("/news").await;
        assert!(!feed.contains("Secret plans"));

        let (status, _) = update(
            &app,
            Some(&editor),
            &saved,
            &with(&saved, json!({"status": "Published"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app.get("/news/secret-plans").await;
        assert_eq!(status, StatusCode::OK);
        let (_, feed) = app.get("/news").await;
        assert!(feed.contains("Secret plans"));
    });
}

#[test]
fn stored_script_is_never_sent_to_visitors() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let item = create(&app, &editor).await;
        let body = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> \
                    [click](javascript:alert(3)) <a href=\"#\" onclick=\"alert(4)\">x</a> \
                    <iframe src=\"https://evil.example\"></iframe> **bold**";
        let fields = with(
            &item,
            json!({"title": "Payloads", "body": body, "status": "Published"}),
        );
        let (status, _) = update(&app, Some(&editor), &item, &fields).await;
        assert_eq!(status, StatusCode::OK);
        let (_, page) = app.get("/news/payloads").await;
        let article = &page[page.find(r#"class="body""#).expect("a body")..];
        let article = &article[..article.find("</div>").unwrap()];
        for bad in ["<script", "onerror", "javascript:", "onclick", "<iframe"] {
            assert!(!article.contains(bad), "{bad} survived: {article}");
        }
        assert!(article.contains("<strong>bold</strong>"));
    });
}

#[test]
fn history_shows_the_difference_and_restoring_makes_a_new_revision() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let item = create(&app, &editor).await;
        let (_, body) = update(
            &app,
            Some(&editor),
            &item,
            &with(&item, json!({"title": "Concert in Ostrava"})),
        )
        .await;
        let v2: Value = serde_json::from_str(&body).unwrap();
        let (_, body) = update(
            &app,
            Some(&editor),
            &v2,
            &with(&v2, json!({"lead": "Online this year."})),
        )
        .await;
        let v3: Value = serde_json::from_str(&body).unwrap();

        let (status, _) = app.get("/news/concert-in-ostrava/history").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "history is for editors");
        let (status, page) = app
            .get_as("/news/concert-in-ostrava/history?rev=2", &editor)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<ins>Online this year.</ins>"), "{page}");
        assert!(page.contains("Restore version 2"));

        let (parts, body) = app
            .post_form(
                "/api/restore_revision",
                &format!("id={}&version=2&base_version={}", v3["id"], v3["version"]),
                Some(&editor),
            )
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        let restored: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(restored["version"], 4);
        assert_eq!(restored["fields"]["lead"], "");
        let (_, page) = app
            .get_as("/news/concert-in-ostrava/history", &editor)
            .await;
        assert!(page.contains("restored version 2"));
        // The notes are stored as what the save did, and each page writes them in its language.
        let (_, russian) = app
            .get_as("/ru/news/concert-in-ostrava/history", &editor)
            .await;
        for note in ["восстановлена версия 2", "изменено", "создано"]
        {
            assert!(russian.contains(note), "{note}");
        }
        for english in ["restored version", ">edited<", ">created<"] {
            assert!(!russian.contains(english), "{english} on the Russian page");
        }
    });
}

#[test]
fn uploaded_images_are_decoded_resized_and_served_with_a_srcset() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let (type_, not_image) = multipart(b"<?php system($_GET['c']); ?>");
        let before = app.db_bytes();
        let (parts, body) = app
            .post("/api/upload_image", &type_, not_image, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(app.db_bytes(), before);

        let (type_, upload) = multipart(&png());
        let (parts, body) = app
            .post("/api/upload_image", &type_, upload, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        let uploaded: Value = serde_json::from_str(&body).unwrap();
        let hash = uploaded["hash"].as_str().unwrap();
        assert_eq!(uploaded["widths"], json!([480, 960, 1000]));

        let item = create(&app, &editor).await;
        let fields = with(
            &item,
            json!({"title": "With a picture", "status": "Published", "cover_image": hash, "cover_alt": "A red square"}),
        );
        let (status, body) = update(&app, Some(&editor), &item, &fields).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, page) = app.get("/news/with-a-picture").await;
        assert!(
            page.contains(&format!("/media/{hash}/480.jpg 480w")),
            "{page}"
        );
        assert!(page.contains(r#"alt="A red square""#));
        let (parts, jpeg) = app
            .send(
                http::Request::get(format!("/media/{hash}/960.jpg"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        assert!(parts.headers[http::header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
    });
}

/// The facts of `slug` as JSON, ready to send back to `update_city`.
fn city_json(app: &TestApp, slug: &str) -> Value {
    let slug = slug.to_owned();
    let city = app
        .store
        .call_blocking(move |c| app::store::cities::city_by_slug(c, app::i18n::Lang::En, &slug))
        .unwrap()
        .unwrap()
        .1;
    serde_json::to_value(city).unwrap()
}

#[test]
fn only_admins_edit_cities_and_stale_saves_conflict() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let mut city = city_json(&app, "turin");
        city["country_note"] = json!("Piedmont, where the council reviews all agreements");
        let request = json!({"city": city, "base_version": 1});
        let before = app.db_bytes();
        let (parts, _) = app.post_json("/api/update_city", &request, None).await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
        let (parts, _) = app
            .post_json("/api/update_city", &request, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        assert_eq!(app.db_bytes(), before, "denied calls change nothing");
        let (status, page) = app.get_as("/cities/turin", &editor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.contains("edit-toggle"),
            "editors get no city Edit link"
        );

        let (parts, body) = app
            .post_json("/api/update_city", &request, Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        assert_eq!(body, "2");
        let (_, page) = app.get("/cities/turin").await;
        assert!(page.contains("Piedmont, where the council reviews all agreements"));

        let before = app.db_bytes();
        let (parts, _) = app
            .post_json("/api/update_city", &request, Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::CONFLICT);
        let mut bad = request.clone();
        bad["base_version"] = json!(2);
        bad["city"]["since_year"] = json!(1492);
        let (parts, body) = app.post_json("/api/update_city", &bad, Some(&admin)).await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{body}");
        bad["city"]["since_year"] = json!(1961);
        bad["city"]["slug"] = json!("atlantis");
        let (parts, _) = app.post_json("/api/update_city", &bad, Some(&admin)).await;
        assert_eq!(parts.status, StatusCode::NOT_FOUND);
        assert_eq!(app.db_bytes(), before);
    });
}

#[test]
fn of_fifty_simultaneous_saves_from_one_version_exactly_one_wins() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let item = create(&app, &editor).await;
        let saves = (0..50).map(|n| {
            let fields = with(&item, json!({"title": format!("Version from client {n}")}));
            let request = common::update_request(&item, &fields);
            let (app, editor) = (&app, &editor);
            async move {
                app.post_json("/api/update_item", &request, Some(editor))
                    .await
            }
        });
        let results = futures_util::future::join_all(saves).await;
        let statuses: Vec<u16> = results.iter().map(|(p, _)| p.status.as_u16()).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            49,
            "{statuses:?}"
        );
        let winner: Value =
            serde_json::from_str(&results.iter().find(|(p, _)| p.status == 200).unwrap().1)
                .unwrap();
        let id = item["id"].as_i64().unwrap();
        let (revisions, title): (i64, String) = app
            .store
            .call_blocking(move |c| {
                Ok((
                    c.query_row(
                        "SELECT count(*) FROM revisions WHERE item_id = ?1",
                        [id],
                        |r| r.get(0),
                    )?,
                    c.query_row(
                        "SELECT title FROM item_texts WHERE item_id = ?1",
                        [id],
                        |r| r.get(0),
                    )?,
                ))
            })
            .unwrap();
        assert_eq!(
            revisions, 2,
            "the draft's first revision and the one winning save"
        );
        assert_eq!(title, winner["fields"]["title"].as_str().unwrap());
    });
}

#[test]
fn an_image_claiming_too_many_pixels_is_refused_before_it_is_decoded() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        // A valid PNG of a few bytes whose header says 12000 × 12000 (432 MB once decoded).
        let img = image::RgbImage::from_pixel(1, 1, image::Rgb([0, 0, 0]));
        let mut bomb = std::io::Cursor::new(Vec::new());
        img.write_to(&mut bomb, image::ImageFormat::Png).unwrap();
        let mut bomb = bomb.into_inner();
        bomb[16..20].copy_from_slice(&12_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&12_000u32.to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        let (type_, upload) = multipart(&bomb);
        let (parts, body) = app
            .post("/api/upload_image", &type_, upload, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body.contains("err_image_too_many_pixels") && body.contains("12000"),
            "{body}"
        );
        assert!(!app.dir.path().join("media").exists(), "no file was stored");
    });
}
