//! The version for the visually impaired, the accessibility statement and barrier reports over
//! the router: settings links and the cookie, cookies the server did not write, the page cache
//! per setting, and reports sent, refused, limited per sender and in all, and shown to admins
//! only, a page at a time.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::header::{CONTENT_TYPE, COOKIE, ETAG, LOCATION, RETRY_AFTER, SET_COOKIE};
use http::{Request, StatusCode};

use crate::common::{self, TestApp};

const VIEW: &str = "twincity_view";

/// GETs `uri` with `cookie` (if any): status, entity tag and page.
async fn page(app: &TestApp, uri: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let (parts, body) = app.send(request.body(Body::empty()).unwrap()).await;
    let tag = parts
        .headers
        .get(ETAG)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        parts.status,
        tag,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// The `<html …>` start tag of `page`.
fn html_tag(page: &str) -> &str {
    let start = page.find("<html").expect("an html element");
    &page[start..start + page[start..].find('>').unwrap()]
}

/// Sends a barrier report from `address` with the form `body` to `uri`: the answer's head and
/// page.
async fn report(
    app: &TestApp,
    uri: &str,
    body: &str,
    address: impl Into<IpAddr>,
) -> (http::response::Parts, String) {
    let mut request = Request::post(uri)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((address.into(), 40000))));
    let (parts, bytes) = app.send(request).await;
    (parts, String::from_utf8_lossy(&bytes).into_owned())
}

/// The answer's head to a settings link `uri` sent with `cookie`.
async fn choose(app: &TestApp, uri: &str, cookie: Option<&str>) -> http::response::Parts {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    app.send(request.body(Body::empty()).unwrap()).await.0
}

fn stored_reports(app: &TestApp) -> i64 {
    app.store
        .call_blocking(|c| {
            Ok(c.query_row("SELECT count(*) FROM barrier_reports", [], |r| r.get(0))?)
        })
        .unwrap()
}

/// Runs `sql` on the portal's database: what time or an admin would have done meanwhile.
fn meanwhile(app: &TestApp, sql: &'static str) {
    app.store
        .call_blocking(move |c| Ok(c.execute_batch(sql)?))
        .unwrap();
}

/// Stores `n` new reports, numbered in their text, as if sent over time by many senders.
fn waiting_reports(app: &TestApp, n: u32) {
    app.store
        .call_blocking(move |c| {
            c.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO barrier_reports (page, what, lang)
                 SELECT '/', 'Waiting report number ' || i, 'en' FROM n",
                [n],
            )?;
            Ok(())
        })
        .unwrap();
}

/// How many reports the admins' list `page` shows.
fn listed(page: &str) -> usize {
    page.matches("data-testid=\"barrier-report\"").count()
}

#[test]
fn a_settings_link_sets_the_cookie_and_comes_back_to_the_page() {
    common::block_on(async {
        let app = common::app();
        let parts = choose(
            &app,
            "/accessibility/view?scheme=wb&back=%2Fnews%3Fpage%3D2%26utm%3Dx",
            None,
        )
        .await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER);
        assert_eq!(parts.headers[LOCATION], "/news?page=2#view-settings");
        let cookie = parts.headers[SET_COOKIE].to_str().unwrap();
        assert!(
            cookie.starts_with("twincity_view=150.wb.normal.normal.shown;"),
            "{cookie}"
        );
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

        // A change keeps the other settings; "off" removes the cookie.
        let parts = choose(
            &app,
            "/ru/accessibility/view?size=200&back=/ru/map",
            Some("twincity_view=125.blue.wide.tall.hidden"),
        )
        .await;
        assert!(parts.headers[SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("twincity_view=200.blue.wide.tall.hidden;"));
        assert_eq!(parts.headers[LOCATION], "/ru/map#view-settings");
        let parts = choose(
            &app,
            "/accessibility/view?off=1&back=//evil.example/x",
            None,
        )
        .await;
        assert!(parts.headers[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
        assert_eq!(
            parts.headers[LOCATION], "/evil.example/x",
            "never another host"
        );

        let (status, body) = app.get("/accessibility/view?size=900&back=/").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("does not exist"), "{body}");
    });
}

#[test]
fn settings_cookies_outside_the_allowed_set_are_ignored_and_never_reflected() {
    common::block_on(async {
        let app = common::app();
        let (_, plain_tag, plain) = page(&app, "/news", None).await;
        for value in [
            "on",
            "200.wb.wide.tall",
            "300.wb.normal.normal.shown",
            "200.wb.normal.normal.shown\"><script>alert(1)</script>",
            "200.wb.normal.normal.shown.x",
            "200.WB.normal.normal.shown",
        ] {
            let cookie = format!("{VIEW}={value}");
            let (status, tag, body) = page(&app, "/news", Some(&cookie)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                tag, plain_tag,
                "{value}: the normal page, from the same cache entry"
            );
            assert!(!html_tag(&body).contains("data-view"), "{value}");
            assert!(
                !body.contains("alert(1)") && !body.contains("view-settings\""),
                "{value}"
            );
        }
        assert!(!html_tag(&plain).contains("data-"));
    });
}

#[test]
fn each_setting_reaches_the_page_and_cached_pages_differ_per_setting_only() {
    common::block_on(async {
        let app = common::app();
        let all = format!("{VIEW}=200.wb.wide.tall.hidden");
        let (_, tag, body) = page(&app, "/ru/news", Some(&all)).await;
        let html = html_tag(&body);
        for attribute in [
            "data-view=\"low-vision\"",
            "data-size=\"200\"",
            "data-scheme=\"wb\"",
            "data-spacing=\"wide\"",
            "data-line=\"tall\"",
            "data-images=\"hidden\"",
        ] {
            assert!(html.contains(attribute), "{attribute} in {html}");
        }
        assert!(body.contains("id=\"view-settings\""), "the settings bar");
        assert!(body.contains("aria-current=\"true\" data-setting=\"scheme\" data-value=\"wb\""));
        assert!(body.contains("Обычная версия"));

        let (_, again, _) = page(&app, "/ru/news", Some(&format!("a=1; {all}"))).await;
        assert_eq!(again, tag, "the same settings, the same page");
        let (_, other, other_body) = page(
            &app,
            "/ru/news",
            Some(&format!("{VIEW}=200.bw.wide.tall.hidden")),
        )
        .await;
        assert_ne!(other, tag, "another scheme, another page");
        assert!(html_tag(&other_body).contains("data-scheme=\"bw\""));
        let (_, plain, plain_body) = page(&app, "/ru/news", None).await;
        assert_ne!(plain, tag);
        assert!(plain_body.contains("Версия для слабовидящих"));
        assert!(!plain_body.contains("id=\"view-settings\""));
    });
}

#[test]
fn a_barrier_report_is_saved_and_shown_to_admins_only() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let text =
            "The map pins cannot be reached <b>by keyboard</b> </textarea><script>x()</script>";
        let body = format!(
            "page=%2Fmap&what={}&contact=anna%40example.org",
            app::url::encode(text)
        );
        let (parts, _) = report(&app, "/ru/accessibility/report", &body, [192, 0, 2, 1]).await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER);
        assert_eq!(
            parts.headers[LOCATION],
            "/ru/accessibility?report=sent#report"
        );
        assert_eq!(stored_reports(&app), 1);

        let (status, thanks) = app.get("/ru/accessibility?report=sent").await;
        assert_eq!(status, StatusCode::OK);
        assert!(thanks.contains("data-testid=\"report-sent\""));
        for (who, cookie) in [("a visitor", None), ("an editor", Some(editor.as_str()))] {
            let (_, _, statement) = page(&app, "/accessibility", cookie).await;
            assert!(!statement.contains("cannot be reached"), "{who}");
            let (_, _, list) = page(&app, "/accessibility/reports", cookie).await;
            assert!(!list.contains("cannot be reached"), "{who}");
            assert!(!list.contains("anna@example.org"), "{who}");
        }
        let (status, list) = app.get_as("/accessibility/reports", &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains("The map pins cannot be reached &lt;b&gt;by keyboard&lt;/b&gt;"));
        assert!(!list.contains("<script>x()"), "escaped");
        assert!(list.contains("anna@example.org"));

        let (parts, _) = app
            .post_form(
                "/api/set_barrier_report_status",
                "id=1&status=fixed&lang=en",
                Some(&editor),
            )
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        let (parts, _) = app
            .post_form(
                "/api/set_barrier_report_status",
                "id=1&status=fixed&lang=en",
                Some(&admin),
            )
            .await;
        assert!(parts.status.is_success(), "{:?}", parts.status);
        assert_eq!(parts.headers[LOCATION], "/accessibility/reports#report-1");
        let status: String = app
            .store
            .call_blocking(|c| {
                Ok(c.query_row("SELECT status FROM barrier_reports", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(status, "fixed");
    });
}

#[test]
fn a_refused_report_says_why_and_keeps_what_was_written() {
    common::block_on(async {
        let app = common::app();
        let (parts, page) = report(
            &app,
            "/accessibility/report",
            "page=%2F&what=https%3A%2F%2Fspam.example+https%3A%2F%2Fspam.example%2F%3C%2Ftextarea%3E",
            [192, 0, 2, 7],
        )
        .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST);
        assert!(page.contains("only links"), "the reason in words");
        assert!(
            page.contains("https://spam.example/&lt;/textarea>"),
            "kept, escaped"
        );
        assert!(page.contains("aria-invalid=\"true\""));
        assert!(parts.headers.contains_key("content-security-policy"));
        assert_eq!(stored_reports(&app), 0);

        let (parts, page) = report(
            &app,
            "/accessibility/report",
            &format!("what={}", "a".repeat(70_000)),
            [192, 0, 2, 7],
        )
        .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST);
        assert!(page.contains("too long"));
    });
}

#[test]
fn the_eleventh_report_in_a_minute_from_one_address_waits() {
    common::block_on(async {
        let app = common::app();
        let body = "page=%2F&what=The+text+is+too+small+to+read";
        for _ in 0..10 {
            let (parts, _) = report(&app, "/accessibility/report", body, [198, 51, 100, 9]).await;
            assert_eq!(parts.status, StatusCode::SEE_OTHER);
        }
        let (parts, page) = report(&app, "/accessibility/report", body, [198, 51, 100, 9]).await;
        assert_eq!(parts.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(parts.headers[RETRY_AFTER], "60");
        assert!(page.contains("wait a minute"), "a clear message");
        assert!(
            page.contains("The text is too small to read"),
            "what was written is kept"
        );
        let (parts, _) = report(&app, "/accessibility/report", body, [198, 51, 100, 10]).await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER, "another address may");
        assert_eq!(stored_reports(&app), 11);
    });
}

#[test]
fn every_address_of_one_ipv6_64_and_a_mapped_ipv4_address_is_one_sender() {
    common::block_on(async {
        let app = common::app();
        let body = "page=%2F&what=The+text+is+too+small+to+read";
        let network = u128::from("2001:db8:7:8::".parse::<Ipv6Addr>().unwrap());
        let mut statuses = Vec::new();
        for host in 1..=100u128 {
            // A hundred addresses spread over the /64, as one subscriber may pick them.
            let host = (host * 0x9e37_79b9_7f4a_7c15) & u128::from(u64::MAX);
            let (parts, _) = report(
                &app,
                "/accessibility/report",
                body,
                Ipv6Addr::from(network | host),
            )
            .await;
            statuses.push(parts.status);
        }
        assert!(
            statuses[..10].iter().all(|s| *s == StatusCode::SEE_OTHER),
            "{statuses:?}"
        );
        assert!(
            statuses[10..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
            "ten a minute from the whole /64: {statuses:?}"
        );
        let next: Ipv6Addr = "2001:db8:7:9::1".parse().unwrap();
        let (parts, _) = report(&app, "/accessibility/report", body, next).await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER, "the next /64 may");

        let v4 = std::net::Ipv4Addr::new(198, 51, 100, 20);
        for _ in 0..10 {
            let (parts, _) = report(&app, "/accessibility/report", body, v4).await;
            assert_eq!(parts.status, StatusCode::SEE_OTHER);
        }
        let (parts, _) = report(&app, "/accessibility/report", body, v4.to_ipv6_mapped()).await;
        assert_eq!(
            parts.status,
            StatusCode::TOO_MANY_REQUESTS,
            "a mapped IPv4 address is that address"
        );
        assert_eq!(stored_reports(&app), 21);
    });
}

#[test]
fn one_sender_cannot_have_more_than_twenty_reports_waiting_and_the_list_says_so() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        let sender = [203, 0, 113, 5];
        for n in 0..20 {
            if n == 10 {
                meanwhile(&app, "UPDATE report_attempts SET at = at - 61");
            }
            let body = format!("page=%2F&what=The+contrast+of+part+{n}+is+too+low");
            let (parts, _) = report(&app, "/accessibility/report", &body, sender).await;
            assert_eq!(parts.status, StatusCode::SEE_OTHER);
        }
        meanwhile(&app, "UPDATE report_attempts SET at = at - 61");
        let body = "page=%2Fmap&what=The+legend+cannot+be+read+%3C%2Ftextarea%3E";
        let (parts, page) = report(&app, "/accessibility/report", body, sender).await;
        assert_eq!(parts.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            page.contains("20 reports from your address are still waiting for an answer"),
            "the reason in words"
        );
        assert!(
            page.contains("The legend cannot be read &lt;/textarea>"),
            "what was written is kept"
        );
        let (parts, page) = report(&app, "/ru/accessibility/report", body, sender).await;
        assert_eq!(parts.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(page.contains("20 сообщений с вашего адреса ещё ждут ответа"));
        assert_eq!(stored_reports(&app), 20);
        let (parts, _) = report(&app, "/accessibility/report", body, [203, 0, 113, 6]).await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER, "another sender may");

        let (_, list) = app.get_as("/accessibility/reports", &admin).await;
        assert!(
            list.contains(
                "2 reports were refused in the last 24 hours because their sender already had \
                 20 waiting for an answer."
            ),
            "{list}"
        );
        assert!(!list.contains("203.0.113"), "nothing about who sent them");
        let (_, list) = app.get_as("/ru/accessibility/reports", &admin).await;
        assert!(list.contains("2 сообщения отклонены за последние 24 часа"));

        meanwhile(
            &app,
            "UPDATE barrier_reports SET status = 'answered' WHERE id = 1",
        );
        let (parts, _) = report(&app, "/accessibility/report", body, sender).await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER, "an answer makes room");
    });
}

#[test]
fn one_sender_may_send_fifty_reports_a_day() {
    common::block_on(async {
        let app = common::app();
        let sender = [203, 0, 113, 9];
        for n in 0..50 {
            if n % 10 == 0 {
                meanwhile(
                    &app,
                    "UPDATE report_attempts SET at = at - 61;
                     UPDATE barrier_reports SET status = 'fixed';",
                );
            }
            let body = format!("page=%2F&what=The+button+number+{n}+has+no+name");
            let (parts, _) = report(&app, "/accessibility/report", &body, sender).await;
            assert_eq!(parts.status, StatusCode::SEE_OTHER, "report {n}");
        }
        meanwhile(&app, "UPDATE report_attempts SET at = at - 61");
        let body = "page=%2F&what=The+menu+closes+too+soon";
        let (parts, page) = report(&app, "/accessibility/report", body, sender).await;
        assert_eq!(parts.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(page.contains("50 reports have come from your address in the last 24 hours"));
        assert!(page.contains("The menu closes too soon"));
        meanwhile(&app, "UPDATE report_attempts SET at = at - 86400");
        let (parts, _) = report(&app, "/accessibility/report", body, sender).await;
        assert_eq!(parts.status, StatusCode::SEE_OTHER, "a day later");
    });
}

#[test]
fn while_a_thousand_reports_wait_none_is_taken_and_the_list_says_so() {
    common::block_on(async {
        let (app, _, admin) = common::staffed().await;
        waiting_reports(&app, 1000);
        let body = "page=%2Fsearch&what=The+search+field+has+no+label";
        let (parts, page) = report(&app, "/accessibility/report", body, [192, 0, 2, 44]).await;
        assert_eq!(parts.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            page.contains("we cannot take more just now"),
            "the reason in words"
        );
        assert!(page.contains("The search field has no label"), "kept");
        assert_eq!(stored_reports(&app), 1000);

        let (status, list) = app.get_as("/accessibility/reports", &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains(
            "1 report was refused in the last 24 hours because 1000 reports were already waiting"
        ));
        assert_eq!(listed(&list), 50);
    });
}

#[test]
fn the_reports_list_shows_fifty_a_page_newest_first() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        waiting_reports(&app, 120);
        let (status, first) = app.get_as("/accessibility/reports", &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed(&first), 50);
        assert!(first.contains(">Waiting report number 120<"));
        assert!(!first.contains(">Waiting report number 70<"));
        assert!(first.contains("href=\"/accessibility/reports?page=2\""));
        assert!(!first.contains("refused"), "no refusals, no line");
        let (_, last) = app.get_as("/accessibility/reports?page=3", &admin).await;
        assert_eq!(listed(&last), 20);
        assert!(last.contains(">Waiting report number 1<"));
        assert!(
            last.contains("name=\"page\" value=\"3\""),
            "the status form comes back"
        );

        let (status, _) = app.get_as("/accessibility/reports?page=4", &admin).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, page) = app.get_as("/accessibility/reports?page=abc", &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("must be a whole number"));
        let (status, page) = app.get_as("/accessibility/reports?page=2", &editor).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!page.contains("Waiting report"));

        let (parts, _) = app
            .post_form(
                "/api/set_barrier_report_status",
                "id=60&status=answered&lang=en&page=2",
                Some(&admin),
            )
            .await;
        assert_eq!(
            parts.headers[LOCATION],
            "/accessibility/reports?page=2#report-60"
        );
    });
}

#[test]
fn only_admins_change_the_statement_and_it_is_sanitised() {
    common::block_on(async {
        let (app, editor, admin) = common::staffed().await;
        let form = "lang=ru&reviewed_on=2027-01-15&body=%23%23+%D0%9D%D0%BE%D0%B2%D0%BE%D0%B5%0A%0A%3Cscript%3Ealert(1)%3C%2Fscript%3E";
        let before = app.db_bytes();
        let (parts, _) = app
            .post_form("/api/save_accessibility_statement", form, Some(&editor))
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        let (parts, _) = app
            .post_form("/api/save_accessibility_statement", form, None)
            .await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.db_bytes(), before, "a refused call changes nothing");

        let (parts, _) = app
            .post_form("/api/save_accessibility_statement", form, Some(&admin))
            .await;
        assert!(parts.status.is_success(), "{:?}", parts.status);
        assert_eq!(parts.headers[LOCATION], "/ru/accessibility?saved=1");
        let (status, page) = app.get("/ru/accessibility").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<h2>Новое</h2>"));
        assert!(!page.contains("alert(1)"));
        assert!(page.contains("15 января 2027"), "the review date");
        let (_, english) = app.get("/accessibility").await;
        assert!(
            english.contains("Conformance status"),
            "the other language stays"
        );

        let bad = "lang=en&reviewed_on=2027-02-30&body=x";
        let (parts, body) = app
            .post_form("/api/save_accessibility_statement", bad, Some(&admin))
            .await;
        assert_eq!(parts.status, StatusCode::BAD_REQUEST, "{body}");
    });
}

#[test]
fn in_a_colour_scheme_the_map_legend_names_shapes_not_colours() {
    common::block_on(async {
        let app = common::app();
        let (_, _, normal) = page(&app, "/map", None).await;
        assert!(normal.contains("Hollow amber ring"));
        let cookie = format!("{VIEW}=100.wb.normal.normal.shown");
        let (_, _, scheme) = page(&app, "/map", Some(&cookie)).await;
        assert!(scheme.contains("Hollow ring: partnership paused"));
        assert!(!scheme.contains("amber") && !scheme.contains("Filled blue"));
    });
}
