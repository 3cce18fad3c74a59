//! `/login`, `/api/login`, `/api/logout` and the cross-site write check, through the real router.

use super::common::{self, PASSWORD};
use app::auth::Role;
use base64::Engine as _;
use http::header::{CONTENT_TYPE, LOCATION, ORIGIN, SET_COOKIE};
use http::StatusCode;

#[test]
fn login_page_is_a_plain_form_posting_to_the_login_function() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/login?next=/news").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#"action="/api/login""#), "{body}");
        assert!(body.contains(r#"method="post""#));
        assert!(body.contains(r#"name="username""#) && body.contains(r#"name="password""#));
        assert!(body.contains(r#"<meta name="robots" content="noindex">"#));
    });
}

#[test]
fn a_login_sets_an_http_only_same_site_cookie_and_redirects_to_next() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let (parts, _) = app
            .post_form(
                "/api/login",
                "username=olga&password=correct+horse+battery&next=%2Fnews",
                None,
            )
            .await;
        assert_eq!(parts.headers.get(LOCATION).unwrap(), "/news");
        let cookie = parts.headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cookie.starts_with("twincity_session="), "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain http in tests");

        let session = cookie.split(';').next().unwrap();
        let (_, body) = app.get_as("/", session).await;
        assert!(body.contains("Logged in as"), "the editor bar shows");
        let (_, body) = app.get("/").await;
        assert!(!body.contains("Logged in as"));
    });
}

#[test]
fn failed_logins_say_the_same_whether_or_not_the_account_exists() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let (wrong, wrong_body) = app
            .post_form("/api/login", "username=olga&password=nope", None)
            .await;
        let (unknown, unknown_body) = app
            .post_form("/api/login", "username=nobody&password=nope", None)
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong_body, unknown_body);
        assert!(wrong.headers.get(SET_COOKIE).is_none());
    });
}

#[test]
fn disabled_accounts_cannot_log_in() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        app.store
            .call_blocking(|c| app::store::users::set_disabled(c, "olga", true))
            .unwrap();
        let (parts, _) = app
            .post_form(
                "/api/login",
                &format!("username=olga&password={}", PASSWORD.replace(' ', "+")),
                None,
            )
            .await;
        assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn repeated_failures_lock_the_name_for_a_while_even_with_the_right_password() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        for _ in 0..app::auth::api::MAX_FAILURES_PER_ACCOUNT {
            let (parts, _) = app
                .post_form("/api/login", "username=olga&password=guess", None)
                .await;
            assert_eq!(parts.status, StatusCode::UNAUTHORIZED);
        }
        let (parts, body) = app
            .post_form(
                "/api/login",
                "username=OLGA&password=correct+horse+battery",
                None,
            )
            .await;
        assert_eq!(parts.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(body.contains("TooManyAttempts"), "{body}");
        let (parts, _) = app
            .post_form("/api/login", "username=ghost&password=guess", None)
            .await;
        assert_eq!(
            parts.status,
            StatusCode::UNAUTHORIZED,
            "other names are not locked"
        );
    });
}

#[test]
fn logout_ends_the_session_on_the_server() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let session = app.login("olga").await;
        let (parts, _) = app.post_form("/api/logout", "", Some(&session)).await;
        assert!(parts
            .headers
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
        let (_, body) = app.get_as("/", &session).await;
        assert!(
            !body.contains("Logged in as"),
            "the old cookie no longer works"
        );
    });
}

/// A form POST creating a draft, as a browser on `origin` would send it.
fn create_from(origin: &str, session: &str) -> http::Request<axum::body::Body> {
    http::Request::post("/api/create_item")
        .header(ORIGIN, origin)
        .header(http::header::COOKIE, session)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from("kind=news"))
        .unwrap()
}

#[test]
fn writes_from_another_site_are_refused_and_change_nothing() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let session = app.login("olga").await;
        let before = app.db_bytes();
        let (parts, body) = app
            .send(create_from("https://evil.example", &session))
            .await;
        assert_eq!(parts.status, StatusCode::FORBIDDEN);
        assert!(String::from_utf8_lossy(&body).contains("other sites"));
        assert_eq!(app.db_bytes(), before);

        let (parts, _) = app.send(create_from("http://portal.test", &session)).await;
        assert!(
            parts.status.is_success() || parts.status.is_redirection(),
            "{:?}",
            parts.status
        );
    });
}

#[test]
fn after_login_only_a_path_of_this_site_is_followed() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        for next in [
            "%2F%09%2Fevil.example",
            "%2F%0A%2Fevil.example",
            "%2F%0D%0ASet-Cookie%3A+x%3D1",
            "%2F%5Cevil.example",
            "%5C%5Cevil.example",
            "%2F%2Fevil.example",
            "https%3A%2F%2Fevil.example%2F",
            "%2F%252F%2Fevil.example",
            "%2F%255Cevil.example",
            "javascript%3Aalert(1)",
        ] {
            let (parts, body) = app
                .post_form(
                    "/api/login",
                    &format!("username=olga&password=correct+horse+battery&next={next}"),
                    None,
                )
                .await;
            assert_eq!(
                parts.headers.get(LOCATION),
                Some(&"/".parse().unwrap()),
                "{next}: {body}"
            );
        }
    });
}

#[test]
fn an_error_in_the_address_shows_only_the_site_s_own_words() {
    common::block_on(async {
        let app = common::app();
        let forged = r#"{"Invalid":{"field":"password","message":"Your password expired: mail it to help@evil.example"}}"#;
        let encode = |json: &str| base64::engine::general_purpose::URL_SAFE.encode(json);
        let uri = format!("/login?__path=%2Fapi%2Flogin&__err={}", encode(forged));
        let (status, body) = app.get(&uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains("evil.example"), "{body}");
        assert!(!body.contains(r#"data-testid="login-error""#));
        let own = encode(r#""LoginFailed""#);
        let (_, body) = app
            .get(&format!("/login?__path=%2Fapi%2Flogin&__err={own}"))
            .await;
        assert!(body.contains(r#"data-testid="login-error""#), "{body}");
    });
}

/// A wrong-password login for `username` from the peer `peer`, with `X-Forwarded-For: forwarded`.
async fn wrong_login_from(
    app: &common::TestApp,
    peer: &str,
    forwarded: &str,
    username: &str,
) -> StatusCode {
    let peer: std::net::SocketAddr = format!("{peer}:50000").parse().unwrap();
    let mut request = http::Request::post("/api/login")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(axum::body::Body::from(format!(
            "username={username}&password=wrong+password+here"
        )))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    app.send(request).await.0.status
}

#[test]
fn behind_a_trusted_proxy_each_visitor_is_throttled_by_their_own_address() {
    common::block_on(async {
        let app = common::app_behind(vec!["127.0.0.1/32".parse().unwrap()]);
        let proxy = "127.0.0.1";
        // Twenty failures from one visitor, spread over names so no name's limit is reached.
        for i in 0..app::auth::api::MAX_FAILURES_PER_IP {
            let name = format!("name{}", i % 4);
            let status = wrong_login_from(&app, proxy, "203.0.113.1", &name).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        assert_eq!(
            wrong_login_from(&app, proxy, "203.0.113.1", "other").await,
            StatusCode::TOO_MANY_REQUESTS,
            "that visitor waits"
        );
        assert_eq!(
            wrong_login_from(&app, proxy, "198.51.100.1, 203.0.113.2", "other").await,
            StatusCode::UNAUTHORIZED,
            "another visitor behind the same proxy does not"
        );
        assert_eq!(
            wrong_login_from(&app, "192.0.2.9", "203.0.113.9", "other").await,
            StatusCode::UNAUTHORIZED,
            "an untrusted peer is throttled by its own address"
        );
        for i in 0..app::auth::api::MAX_FAILURES_PER_IP {
            let name = format!("third{}", i % 4);
            wrong_login_from(&app, "192.0.2.10", "203.0.113.1", &name).await;
        }
        assert_eq!(
            wrong_login_from(&app, "192.0.2.10", "203.0.113.5", "fourth").await,
            StatusCode::TOO_MANY_REQUESTS,
            "a header it wrote itself does not lift that"
        );
    });
}
