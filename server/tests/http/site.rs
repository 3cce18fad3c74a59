//! Home, cities, static files and unknown paths through the real router.

use super::common;
use axum::body::Body;
use http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};
use http::{Request, StatusCode};

#[test]
fn home_page_shows_latest_news_events_and_cities() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Latest news"));
        assert!(body.contains("Recent events"));
        assert!(body.contains("See all 25 partner cities"));
        assert!(body.contains(r#"<meta name="description""#));
    });
}

#[test]
fn unknown_path_is_a_404_page() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/no/such/page").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Page not found"));
    });
}

#[test]
fn static_files_are_served() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/favicon.svg").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.starts_with("<svg"));
    });
}

#[test]
fn cities_list_and_profile() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/cities").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#"href="/cities/plonsk""#));
        assert!(body.contains("year unknown"));
        let (status, body) = app.get("/cities/coventry").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Partnership suspended"));
        assert!(body.contains("2022-03-22"));
        assert!(body.contains("Perm and Oxford"));
        assert_eq!(app.get("/cities/atlantis").await.0, StatusCode::NOT_FOUND);
    });
}

#[test]
fn precompressed_assets_are_sent_as_they_are() {
    common::block_on(async {
        let app = common::app();
        let pkg = app.dir.path().join("site/pkg");
        std::fs::write(pkg.join("twincity.0123abcd.wasm"), b"\0asm-not-really").unwrap();
        std::fs::write(
            pkg.join("twincity.0123abcd.wasm.br"),
            b"stored brotli bytes",
        )
        .unwrap();
        let (head, body) = app
            .send(
                Request::get("/pkg/twincity.0123abcd.wasm")
                    .header(http::header::ACCEPT_ENCODING, "gzip, br")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.headers[http::header::CONTENT_ENCODING], "br");
        assert_eq!(
            body, b"stored brotli bytes",
            "the stored file, not compressed again"
        );
    });
}

#[test]
fn hashed_assets_are_cached_for_a_year() {
    common::block_on(async {
        let app = common::app();
        let (head, body) = app
            .send(
                Request::get("/pkg/twincity.0123abcd.css")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(body, b"body{}");
        assert_eq!(
            head.headers[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let (head, _) = app
            .send(
                Request::get("/pkg/twincity.css")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            head.headers[CACHE_CONTROL], "no-cache",
            "unhashed names revalidate"
        );
        let (head, _) = app
            .send(Request::get("/pkg/missing.js").body(Body::empty()).unwrap())
            .await;
        assert_eq!(head.status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn pages_are_compressed_when_the_browser_accepts_it() {
    common::block_on(async {
        let app = common::app();
        for encoding in ["br", "gzip"] {
            let (head, body) = app
                .send(
                    Request::get("/news")
                        .header(ACCEPT_ENCODING, encoding)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(head.status, StatusCode::OK);
            assert_eq!(head.headers[CONTENT_ENCODING], encoding);
            assert!(!body.starts_with(b"<!DOCTYPE"), "body is encoded");
        }
    });
}

#[test]
fn health_check_answers_while_the_database_does() {
    common::block_on(async {
        let app = common::app();
        let (parts, body) = app
            .send(
                http::Request::get("/healthz")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(parts.status, StatusCode::OK);
        assert_eq!(body, b"ok\n");
        assert_eq!(parts.headers[http::header::CACHE_CONTROL], "no-store");
    });
}

#[test]
fn every_response_carries_the_security_headers() {
    common::block_on(async {
        let app = common::app();
        for uri in ["/", "/news/rss.xml", "/pkg/twincity.css", "/no-such-page"] {
            let (parts, _) = app
                .send(
                    http::Request::get(uri)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await;
            let h = &parts.headers;
            assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
            assert_eq!(
                h["referrer-policy"], "strict-origin-when-cross-origin",
                "{uri}"
            );
            assert_eq!(h["x-frame-options"], "DENY", "{uri}");
            assert!(
                h["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("frame-ancestors 'none'"),
                "{uri}"
            );
        }
        let (parts, body) = app
            .send(
                http::Request::get("/")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        let csp = parts.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = String::from_utf8_lossy(&body);
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a page allows its scripts by nonce");
        assert!(
            body.contains(&format!(r#"nonce="{nonce}""#)),
            "the hydration script carries it"
        );
        assert!(!csp.contains("unsafe-eval'") || csp.contains("wasm-unsafe-eval"));
        assert!(!csp.contains("script-src 'unsafe-inline'"));
    });
}

/// The checks of the HTML checker's that the portal can break by itself: a page ends with
/// `</html>`, a label holds one control at most, `crossorigin` holds one of its own values.
fn markup_problems(page: &str) -> Vec<String> {
    let mut problems = Vec::new();
    match page.rfind("</html>") {
        Some(end) if page[end + 7..].trim().is_empty() => {}
        _ => problems.push("something after </html>".to_owned()),
    }
    for (at, _) in page.match_indices("<label") {
        let label = &page[at..];
        let inside = &label[..label.find("</label>").unwrap_or(label.len())];
        let controls = [
            "<input",
            "<select",
            "<textarea",
            "<output",
            "<button",
            "<meter",
            "<progress",
        ]
        .iter()
        .map(|c| inside.matches(c).count())
        .sum::<usize>();
        if controls > 1 {
            problems.push(format!(
                "a label with {controls} controls: {}",
                &inside[..inside.len().min(120)]
            ));
        }
    }
    for (at, m) in page.match_indices("crossorigin=\"") {
        let value: String = page[at + m.len()..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        if !matches!(value.as_str(), "" | "anonymous" | "use-credentials") {
            problems.push(format!("crossorigin=\"{value}\""));
        }
    }
    problems
}

#[test]
fn every_page_type_is_well_formed_in_both_languages() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", app::auth::Role::Editor);
        let editor = app.login("olga").await;
        let pages = [
            "/",
            "/news",
            "/news/ostrava-online-concert-day-of-peoples-unity",
            "/events",
            "/events/dialogue-on-the-volga-forum-2020",
            "/map",
            "/map?until=1990&status=active",
            "/cities",
            "/cities/coventry",
            "/partnerships",
            "/search?q=Chemnitz",
            "/tags/peace",
            "/login",
            "/nowhere",
        ];
        for path in pages {
            for lang in [app::i18n::Lang::En, app::i18n::Lang::Ru] {
                let uri = lang.href(path);
                let (_, page) = app.get(&uri).await;
                assert_eq!(markup_problems(&page), Vec::<String>::new(), "{uri}");
            }
        }
        for uri in [
            "/cities/coventry",
            "/partnerships/quiet",
            "/news/ostrava-online-concert-day-of-peoples-unity?edit",
        ] {
            let (_, page) = app.get_as(uri, &editor).await;
            assert_eq!(
                markup_problems(&page),
                Vec::<String>::new(),
                "{uri} (editor)"
            );
        }
    });
}

/// Portals in one process (the tests run in parallel) keep rendering while another is built.
#[test]
fn a_page_renders_while_another_portal_is_built() {
    let building = std::thread::spawn(|| {
        common::block_on(async {
            for _ in 0..50 {
                drop(common::app());
            }
        })
    });
    common::block_on(async {
        let app = common::app();
        // A new address each time: a page the cache kept would not be rendered.
        let mut search = 0;
        while !building.is_finished() {
            search += 1;
            let uri = format!("/search?q=twin{search}");
            let page = tokio::time::timeout(std::time::Duration::from_secs(20), app.get(&uri));
            let (status, body) = page.await.expect("the page finished rendering");
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains("</html>"));
        }
    });
    building.join().expect("the portals were built");
}
