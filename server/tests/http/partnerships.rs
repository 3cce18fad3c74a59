//! Partnerships over the router: who may record what (a refused call changes no byte), drafts
//! never reach visitors, the status as at a year on the map and in the table, the quiet list,
//! scanned agreements, and the open data read back and compared with the store.

use axum::body::Body;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{Request, StatusCode};
use serde_json::Value;

use crate::common::{self, TestApp};

const SAVE: &str = "/api/save_partnership_entry";

/// A multipart form with `fields` and, if given, a file.
fn form(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----twincity-partnership-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn entry<'a>(
    city: &'a str,
    kind: &'a str,
    variant: &'a str,
    title: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("city", city),
        ("kind", kind),
        ("variant", variant),
        ("progress", "planned"),
        ("date", "2024-05-01"),
        ("title_en", title),
        ("body_en", "What happened."),
        ("published", "1"),
        ("lang", "en"),
    ]
}

async fn save(
    app: &TestApp,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let (content_type, body) = form(fields, file);
    let (parts, text) = app.post(SAVE, &content_type, body, cookie).await;
    (parts.status, text)
}

fn saved(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

#[test]
fn only_editors_record_entries_and_only_admins_agreements_and_status() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let kinds = [
            ("milestone", "", false),
            ("visit", "to_partner", false),
            ("plan", "culture", false),
            ("agreement", "memorandum", true),
            ("status", "paused", true),
        ];
        for (kind, variant, admins_only) in kinds {
            let fields = entry("ruse", kind, variant, "A title");
            let before = app.db_bytes();
            for cookie in [None, Some("twincity_session=forged")] {
                let (status, body) = save(&app, &fields, Some(b"%PDF-1.4 scan"), cookie).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{kind}: {body}");
            }
            if admins_only {
                let (status, body) =
                    save(&app, &fields, Some(b"%PDF-1.4 scan"), Some(&editor)).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{kind}: {body}");
            }
            assert_eq!(
                app.db_bytes(),
                before,
                "a refused {kind} changed the database"
            );
            assert!(
                !app.dir.path().join("documents").exists(),
                "no file was stored"
            );
            let who = if admins_only { &admin } else { &editor };
            let (status, body) = save(&app, &fields, None, Some(who)).await;
            assert!(saved(status), "{kind}: {status} {body}");
        }
        // An editor cannot change an admin's entry either, by naming its id.
        let (_, page) = app.get_as("/cities/ruse", &admin).await;
        let id = entry_id(&page, "agreement").expect("the new agreement");
        let version = "1";
        let mut fields = entry("ruse", "agreement", "renewal", "");
        fields.push(("id", &id));
        fields.push(("version", version));
        let before = app.db_bytes();
        let (status, _) = save(&app, &fields, None, Some(&editor)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Nor by calling it a milestone, which editors may keep.
        let mut fields = entry("ruse", "milestone", "", "Sneaky");
        fields.push(("id", &id));
        fields.push(("version", version));
        let (status, _) = save(&app, &fields, None, Some(&editor)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = save(&app, &fields, None, Some(&admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an entry keeps its kind");
        assert_eq!(app.db_bytes(), before);
    });
}

/// The id of the last entry of `kind` on a city page.
fn entry_id(page: &str, kind: &str) -> Option<String> {
    let marker = format!("data-kind=\"{kind}\"");
    page.match_indices("<li id=\"entry-")
        .filter_map(|(at, m)| {
            let rest = &page[at + m.len()..];
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            rest[..rest.find('>')?].contains(&marker).then_some(id)
        })
        .last()
}

#[test]
fn saves_are_checked_and_stale_ones_conflict() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        for (field, value) in [
            ("date", "2024-02-30"),
            ("date", "yesterday"),
            ("date", "1492"),
            ("kind", "rumour"),
            ("title_en", ""),
        ] {
            let mut fields = entry("ruse", "milestone", "", "A title");
            fields.retain(|(k, _)| *k != field);
            fields.push((field, value));
            let before = app.db_bytes();
            let (status, body) = save(&app, &fields, None, Some(&editor)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}: {body}");
            assert_eq!(app.db_bytes(), before);
        }
        let (status, _) = save(
            &app,
            &entry("atlantis", "milestone", "", "A title"),
            None,
            Some(&editor),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = save(
            &app,
            &entry("ruse", "milestone", "", "First"),
            None,
            Some(&editor),
        )
        .await;
        assert!(saved(status));
        let (_, page) = app.get_as("/cities/ruse", &editor).await;
        let id = entry_id(&page, "milestone").unwrap_or_else(|| panic!("{page}"));
        let mut fields = entry("ruse", "milestone", "", "Second");
        fields.push(("id", &id));
        fields.push(("version", "1"));
        let (status, _) = save(&app, &fields, None, Some(&editor)).await;
        assert!(saved(status));
        let before = app.db_bytes();
        let (status, _) = save(&app, &fields, None, Some(&editor)).await;
        assert_eq!(status, StatusCode::CONFLICT, "the same base version again");
        assert_eq!(app.db_bytes(), before);
        let (_, page) = app.get("/cities/ruse").await;
        assert!(page.contains("Second") && !page.contains(">First<"));
    });
}

#[test]
fn visitors_never_see_drafts() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let mut fields = entry("chemnitz", "milestone", "", "Draft-only milestone 7f3a");
        fields.retain(|(k, _)| *k != "published");
        let (status, _) = save(&app, &fields, None, Some(&editor)).await;
        assert!(saved(status));
        let (_, page) = app.get_as("/cities/chemnitz", &editor).await;
        assert!(page.contains("Draft-only milestone 7f3a"), "editors see it");
        for uri in [
            "/cities/chemnitz",
            "/ru/cities/chemnitz",
            "/open-data/partnerships.json",
            "/open-data/partnerships.csv",
        ] {
            let (status, body) = app.get(uri).await;
            assert_eq!(status, StatusCode::OK);
            assert!(!body.contains("7f3a"), "{uri} shows a draft");
        }
        let (parts, body) = app
            .post_form("/api/get_partnership", "slug=chemnitz", None)
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        assert!(!body.contains("7f3a"));
    });
}

#[test]
fn the_city_page_holds_the_partnership_in_reading_order() {
    common::block_on(async {
        let app = common::app();
        let (status, page) = app.get("/cities/coventry").await;
        assert_eq!(status, StatusCode::OK);
        let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("no {needle}"));
        assert!(at("The partnership with Coventry") < at("Current agreement"));
        assert!(at("Current agreement") < at("Cooperation plan"));
        assert!(at("Cooperation plan") < at(r#"data-testid="timeline""#));
        assert!(at(r#"<h4 id="year-1944">1944</h4>"#) < at(r#"<h4 id="year-2022">2022</h4>"#));
        assert!(page.contains("Coventry suspended the link on 2022-03-22"));
        assert!(page.contains("Nothing recorded since 22 March 2022."));
        assert!(!page.contains("entry-form"), "visitors get no forms");
        let (_, ru) = app.get("/ru/cities/coventry").await;
        assert!(ru.contains("Ковентри приостановил связи 22.03.2022"));
        assert!(ru.contains("Хроника"));
    });
}

#[test]
fn an_address_cannot_put_a_form_s_message_on_a_visitor_s_page() {
    common::block_on(async {
        let app = common::app();
        let encode =
            |json: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE, json);
        let uri = format!(
            "/cities/ruse?saved=1&__path=%2Fapi%2Fsave_partnership_entry&__err={}",
            encode(r#""Forbidden""#)
        );
        let (status, body) = app.get(&uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !body.contains("role=\"alert\"") && !body.contains("Saved."),
            "{body}"
        );
        let (_, plain) = app.get("/cities/ruse").await;
        assert!(!plain.contains("Saved."));
    });
}

#[test]
fn the_map_and_the_table_show_the_status_as_at_a_year() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        let pin = |page: &str| -> String {
            let at = page
                .find(r#"data-testid="pin" data-slug="coventry""#)
                .expect("a Coventry pin");
            let start = page[..at].rfind("class=\"").unwrap();
            page[start..at].to_owned()
        };
        let (_, page) = app.get("/map?until=2010").await;
        assert!(pin(&page).contains(" active"), "{}", pin(&page));
        let (_, page) = app.get("/map?until=2023").await;
        assert!(pin(&page).contains(" suspended"));
        let (_, table) = app.get("/partnerships?status=suspended&until=2010").await;
        assert!(!table.contains(r#"data-slug="coventry""#));
        let (_, table) = app.get("/partnerships?status=suspended&until=2023").await;
        assert!(table.contains(r#"data-slug="coventry""#));
        // An admin records that the link ended: the map and the table follow, the past stays.
        let mut fields = entry("coventry", "status", "ended", "");
        fields.retain(|(k, _)| *k != "date");
        fields.push(("date", "2025-01-15"));
        let (status, body) = save(&app, &fields, None, Some(&admin)).await;
        assert!(saved(status), "{body}");
        let (_, page) = app.get("/map").await;
        assert!(pin(&page).contains(" ended"));
        let (_, page) = app.get("/map?until=2023").await;
        assert!(pin(&page).contains(" suspended"));
        let (status, _) = app.get("/partnerships?status=closed").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn the_quiet_list_is_for_editors() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let (status, _) = app.get("/partnerships/quiet").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, page) = app.get_as("/partnerships/quiet", &editor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(r#"data-slug="jilin""#),
            "nothing dated at all is quiet"
        );
        // A visit 31 months ago leaves it quiet; one last month wakes it.
        let date = |months: u32| {
            app.store
                .call_blocking(move |c| {
                    Ok(c.query_row(
                        &format!("SELECT date('now', '-{months} months')"),
                        [],
                        |r| r.get::<_, String>(0),
                    )?)
                })
                .unwrap()
        };
        let (old, recent) = (date(31), date(1));
        let mut visit = entry("jilin", "visit", "from_partner", "Delegation");
        visit.retain(|(k, _)| *k != "date");
        visit.push(("date", &old));
        let (status, _) = save(&app, &visit, None, Some(&editor)).await;
        assert!(saved(status));
        let (_, page) = app.get_as("/partnerships/quiet", &editor).await;
        assert!(
            page.contains(r#"data-slug="jilin""#),
            "an old visit leaves it quiet"
        );
        let mut visit = entry("jilin", "visit", "from_partner", "Delegation");
        visit.retain(|(k, _)| *k != "date");
        visit.push(("date", &recent));
        let (status, _) = save(&app, &visit, None, Some(&editor)).await;
        assert!(saved(status));
        let (_, page) = app.get_as("/partnerships/quiet", &editor).await;
        assert!(
            !page.contains(r#"data-slug="jilin""#),
            "a recent visit wakes it"
        );
        let (_, cities) = app.get("/cities?sort=activity").await;
        let jilin = cities.find(">Jilin<").unwrap();
        let coventry = cities.find(">Coventry<").unwrap();
        assert!(jilin < coventry, "the latest activity first");
    });
}

#[test]
fn scanned_agreements_are_checked_and_served_as_downloads() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        let fields = entry("ruse", "agreement", "protocol", "");
        for bad in [
            &b"<html><script>alert(1)</script></html>"[..],
            b"GIF89a....",
        ] {
            let before = app.db_bytes();
            let (status, body) = save(&app, &fields, Some(bad), Some(&admin)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert!(body.contains("err_document_type"), "{body}");
            assert_eq!(app.db_bytes(), before);
        }
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(app::partnerships::MAX_DOCUMENT + 10, b' ');
        let (status, _) = save(&app, &fields, Some(&big), Some(&admin)).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::PAYLOAD_TOO_LARGE,
            "{status}"
        );
        let pdf = b"%PDF-1.4\n% a scanned agreement\n%%EOF\n";
        let (status, body) = save(&app, &fields, Some(pdf), Some(&admin)).await;
        assert!(saved(status), "{body}");
        let (_, page) = app.get("/cities/ruse").await;
        let at = page.find("/documents/").expect("a link to the document");
        let href: String = page[at..].chars().take_while(|c| *c != '"').collect();
        let (parts, bytes) = app
            .send(Request::get(&href).body(Body::empty()).unwrap())
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        assert_eq!(bytes, pdf);
        assert_eq!(parts.headers[CONTENT_TYPE], "application/pdf");
        assert!(parts.headers[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        for wrong in [
            href.replace(".pdf", ".png"),
            "/documents/..%2F..%2Fetc%2Fpasswd".into(),
            "/documents/0000.pdf".into(),
        ] {
            let (status, _) = app.get(&wrong).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");
        }
    });
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV")
}

#[test]
fn open_data_parses_back_and_matches_the_store() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let (status, _) = save(
            &app,
            &entry(
                "chemnitz",
                "plan",
                "youth",
                "Youth exchange, \"quoted\", with commas",
            ),
            None,
            Some(&editor),
        )
        .await;
        assert!(saved(status));
        let stored = app
            .store
            .call_blocking(|c| app::store::partnerships::open_partnerships(c))
            .unwrap();
        let (parts, body) = app
            .send(
                Request::get("/open-data/partnerships.json")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        assert!(parts.headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert!(parts.headers["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"license\""));
        let json: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["licence"]["name"], "CC BY 4.0");
        let records = json["partnerships"].as_array().unwrap();
        assert_eq!(records.len(), stored.len());
        for (record, p) in records.iter().zip(&stored) {
            assert_eq!(record["slug"], p.en.slug.as_str());
            assert_eq!(record["name"]["en"], p.en.name.as_str());
            assert_eq!(record["name"]["ru"], p.ru.name.as_str());
            assert_eq!(record["status"], p.en.status.as_str());
            assert_eq!(
                record["since_year"].as_i64(),
                p.en.since_year.map(i64::from)
            );
            let entries = [
                "agreements",
                "status_history",
                "milestones",
                "plan",
                "visits",
            ]
            .iter()
            .map(|k| record[k].as_array().unwrap().len())
            .sum::<usize>();
            assert_eq!(entries, p.entries.len(), "{}", p.en.slug);
        }
        let chemnitz = records.iter().find(|r| r["slug"] == "chemnitz").unwrap();
        assert_eq!(
            chemnitz["plan"][0]["description"]["en"],
            "Youth exchange, \"quoted\", with commas"
        );
        assert_eq!(chemnitz["plan"][0]["area"], "youth");

        let (status, text) = app.get("/open-data/partnerships.csv").await;
        assert_eq!(status, StatusCode::OK);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(headers, app::partnerships::open_data::CSV_COLUMNS);
        let rows = csv_rows(&text);
        assert_eq!(rows.len(), stored.len());
        for (row, p) in rows.iter().zip(&stored) {
            assert_eq!(&row[0], p.en.slug);
            assert_eq!(&row[3], p.ru.name);
            assert_eq!(&row[8], p.en.status.as_str());
            assert_eq!(row[16].parse::<u32>().unwrap(), p.row.plan.planned);
        }

        let (_, body) = app.get("/open-data/events.json").await;
        let json: Value = serde_json::from_str(&body).unwrap();
        let events = app
            .store
            .call_blocking(|c| app::store::syndication::open_events(c))
            .unwrap();
        let records = json["events"].as_array().unwrap();
        assert!(!events.is_empty());
        assert_eq!(records.len(), events.len());
        for (record, e) in records.iter().zip(&events) {
            assert_eq!(record["slug"], e.slug.as_str());
            assert_eq!(record["start"], e.start.as_str());
            assert_eq!(record["title"]["en"], e.en.0.as_str());
            assert_eq!(record["title"]["ru"], e.ru.0.as_str());
        }
    });
}

#[test]
fn open_data_revalidates_with_an_etag() {
    common::block_on(async {
        let app = common::app();
        for uri in [
            "/open-data/partnerships.json",
            "/open-data/partnerships.csv",
            "/open-data/events.json",
        ] {
            let (parts, _) = app
                .send(Request::get(uri).body(Body::empty()).unwrap())
                .await;
            let tag = parts.headers.get(ETAG).expect("an ETag").clone();
            let (parts, body) = app
                .send(
                    Request::get(uri)
                        .header(IF_NONE_MATCH, tag)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(parts.status, StatusCode::NOT_MODIFIED, "{uri}");
            assert!(body.is_empty());
        }
    });
}

#[test]
fn entry_texts_are_inert_on_every_page() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        let hostile = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"#;
        let mut fields = entry("kemi", "visit", "to_partner", hostile);
        fields.push(("people", r#""><svg onload=alert(3)>"#));
        // The editor's page holds the texts in its forms' textareas, which `</textarea>` would end.
        fields.push((
            "body_ru",
            "</textarea></p><iframe src=javascript:alert(4)> &amp;",
        ));
        let (status, body) = save(&app, &fields, None, Some(&editor)).await;
        assert!(saved(status), "{body}");
        for (uri, cookie) in [
            ("/cities/kemi", None),
            ("/ru/cities/kemi", None),
            ("/cities/kemi", Some(editor.as_str())),
        ] {
            let page = match cookie {
                Some(cookie) => app.get_as(uri, cookie).await.1,
                None => app.get(uri).await.1,
            };
            for live in ["<script>alert", "<img src=x", "<svg onload", "<iframe"] {
                assert!(!page.contains(live), "{uri} carries {live}");
            }
            assert!(
                page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{uri}"
            );
            if cookie.is_some() {
                assert!(page.contains(
                    "&lt;/textarea>&lt;/p>&lt;iframe src=javascript:alert(4)> &amp;amp;"
                ));
            }
        }
    });
}
