//! Hostile requests against every route: wrong methods, malformed and oversized query strings,
//! invalid UTF-8, path traversal, broken bodies. Each gets a 4xx (or a page), never a 5xx, and the
//! content is unchanged (sessions and the failed-login count may change: a junk logout still logs
//! out, a junk login still counts as failed).

use super::common;
use app::auth::Role;
use axum::body::Body;
use http::{Method, Request};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};

/// A path of every kind the portal serves.
const ROUTES: &[&str] = &[
    "/",
    "/news",
    "/news/mayors-for-peace-letter-against-nuclear-tests",
    "/news/mayors-for-peace-letter-against-nuclear-tests/history",
    "/events",
    "/events/dialogue-on-the-volga-forum-2020",
    "/events/dialogue-on-the-volga-forum-2020/calendar.ics",
    "/events.ics",
    "/map",
    "/map/countries.svg",
    "/cities",
    "/cities/chemnitz",
    "/partnerships",
    "/partnerships/quiet",
    "/open-data/partnerships.json",
    "/open-data/partnerships.csv",
    "/open-data/events.json",
    "/documents/x.pdf",
    "/tags/peace",
    "/search",
    "/login",
    "/audit",
    "/news/rss.xml",
    "/news/atom.xml",
    "/sitemap.xml",
    "/healthz",
    "/media/x/480.jpg",
];

/// Query strings that try to break parsing.
const QUERIES: &[&str] = &[
    "?page=-1",
    "?page=99999999999999999999",
    "?page=%FF%FE",
    "?q=%00%01%02",
    "?q=%E0%A4%A",
    "?city=%2F..%2F..%2Fetc%2Fpasswd",
    "?year=1e9&kind=%3Cscript%3E",
    "?sort=%27%3B%20DROP%20TABLE%20items%3B--",
    "?until=NaN&kind=twin&status=%F0%9F%99%82",
    "?rev=-9223372036854775809",
    "?page=1&page=2&page=3",
];

/// Server functions, each posted a broken body.
const FUNCTIONS: &[&str] = &[
    "/api/login",
    "/api/logout",
    "/api/create_item",
    "/api/update_item",
    "/api/restore_revision",
    "/api/upload_image",
    "/api/update_city",
    "/api/get_editable",
    "/api/get_history",
    "/api/get_audit_log",
    "/api/search",
    "/api/current_user",
    "/api/save_partnership_entry",
    "/api/get_partnership",
    "/api/list_partnerships",
    "/api/list_quiet_partnerships",
    "/api/list_cities_with_activity",
];

#[test]
fn no_hostile_request_gets_a_server_error_or_changes_anything() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let session = app.login("olga").await;
        let content = || {
            app.store
                .call_blocking(|c| app::store::export::export(c))
                .expect("export")
        };
        let before = content();
        let mut requests = Vec::new();
        for route in ROUTES {
            for query in QUERIES {
                requests.push((
                    Method::GET,
                    format!("{route}{query}"),
                    None::<Vec<u8>>,
                    None,
                ));
            }
            requests.push((
                Method::GET,
                format!("{route}/{}", "x".repeat(5_000)),
                None,
                None,
            ));
            for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
                requests.push((method, (*route).to_owned(), Some(b"junk".to_vec()), None));
            }
        }
        for traversal in [
            "/media/../../../../etc/passwd",
            "/media/%2e%2e/%2e%2e/etc/passwd",
            "/pkg/..%2f..%2fCargo.toml",
            "/documents/..%2f..%2fetc%2fpasswd",
            "/documents/%2e%2e%2ftwincity.db",
        ] {
            requests.push((Method::GET, traversal.to_owned(), None, None));
        }
        for function in FUNCTIONS {
            for body in [
                &b"\xff\xfe\x00"[..],
                b"{\"id\":",
                b"id=1&base_version=x",
                b"kind=Poem",
                &[b'a'; 100_000][..],
            ] {
                for content_type in [
                    "application/x-www-form-urlencoded",
                    "application/json",
                    "multipart/form-data; boundary=x",
                ] {
                    requests.push((
                        Method::POST,
                        (*function).to_owned(),
                        Some(body.to_vec()),
                        Some(content_type),
                    ));
                }
            }
            requests.push((Method::GET, (*function).to_owned(), None, None));
        }
        let too_big = vec![b'x'; 12 * 1024 * 1024];
        requests.push((
            Method::POST,
            "/api/upload_image".into(),
            Some(too_big),
            Some("multipart/form-data; boundary=x"),
        ));
        let far_too_big = vec![b'x'; 22 * 1024 * 1024];
        requests.push((
            Method::POST,
            "/api/save_partnership_entry".into(),
            Some(far_too_big),
            Some("multipart/form-data; boundary=x"),
        ));

        for (method, uri, body, content_type) in requests {
            for cookie in [None, Some(session.as_str())] {
                let mut request = Request::builder().method(method.clone()).uri(&uri);
                if let Some(content_type) = content_type {
                    request = request.header(http::header::CONTENT_TYPE, content_type);
                }
                if let Some(cookie) = cookie {
                    request = request.header(http::header::COOKIE, cookie);
                }
                let body = body.clone().map_or_else(Body::empty, Body::from);
                let (parts, text) = app.send(request.body(body).unwrap()).await;
                assert!(
                    !parts.status.is_server_error(),
                    "{method} {} ({content_type:?}, logged in: {}) → {}: {}",
                    uri.chars().take(120).collect::<String>(),
                    cookie.is_some(),
                    parts.status,
                    String::from_utf8_lossy(&text)
                        .chars()
                        .take(300)
                        .collect::<String>()
                );
            }
        }
        assert!(content() == before, "hostile requests changed the content");
    });
}

#[test]
fn every_server_function_has_a_stable_named_address_under_the_api_prefix() {
    common::block_on(async {
        // Building the router registers the functions.
        let _app = common::app();
        let paths: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .collect();
        assert!(paths.len() >= 25, "{paths:?}");
        for path in paths {
            let name = path
                .strip_prefix(app::API_PREFIX)
                .unwrap_or_else(|| panic!("{path}"));
            // A name of the function's own, not the framework's hashed default (`get_map1234…`).
            let named = name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            assert!(!name.is_empty() && named, "{path}");
        }
    });
}

/// The URL of server function `F`, as the framework routes it.
const fn url<F: ServerFn>() -> &'static str {
    F::PATH
}

/// Every server function taking form arguments, with their names, for generated requests (the
/// JSON ones and the upload have tests of their own).
const ARGUMENTS: &[(&str, &[&str])] = &[
    (
        url::<app::auth::api::Login>(),
        &["username", "password", "next"],
    ),
    (url::<app::auth::api::Logout>(), &[]),
    (url::<app::auth::api::CurrentUser>(), &[]),
    (url::<app::editor::api::CreateItem>(), &["kind", "lang"]),
    (
        url::<app::editor::api::RestoreRevision>(),
        &["id", "version", "base_version"],
    ),
    (
        url::<app::editor::api::GetEditable>(),
        &["kind", "slug", "lang"],
    ),
    (
        url::<app::editor::api::GetHistory>(),
        &["kind", "slug", "rev", "lang"],
    ),
    (url::<app::editor::api::GetAuditLog>(), &[]),
    (url::<app::search::SearchItems>(), &["q", "page", "lang"]),
    (
        url::<app::news::api::ListNews>(),
        &["city", "tag", "kind", "year", "page", "lang"],
    ),
    (url::<app::news::api::GetItem>(), &["kind", "slug", "lang"]),
    (url::<app::events::ListEvents>(), &["page", "lang"]),
    (url::<app::cities::api::ListCities>(), &["lang"]),
    (
        url::<app::cities::api::GetCity>(),
        &["slug", "page", "lang"],
    ),
    (url::<app::cities::map::api::GetMap>(), &["lang"]),
    (url::<app::cities::map::api::GetCityCards>(), &["lang"]),
    (url::<app::home::GetHome>(), &["lang"]),
    (
        url::<app::partnerships::api::GetPartnership>(),
        &["slug", "lang"],
    ),
    (url::<app::partnerships::api::ListPartnerships>(), &["lang"]),
    (
        url::<app::partnerships::api::ListQuietPartnerships>(),
        &["lang"],
    ),
    (url::<app::cities::api::ListCitiesWithActivity>(), &["lang"]),
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any values for any server function's form arguments, logged in as an editor or not: a
    /// 2xx/3xx or a 4xx, never a 5xx, and the content does not change (bar what a valid
    /// `create_item` creates, which these generated kinds never are: only `News` and `Event` are).
    #[test]
    fn generated_arguments_never_cause_server_errors(
        function in 0..ARGUMENTS.len(),
        values in proptest::collection::vec(".{0,40}", 6),
        numbers in proptest::collection::vec(proptest::num::i64::ANY, 3),
        logged_in in proptest::bool::ANY,
    ) {
        common::block_on(async {
            let app = common::app();
            app.add_user("olga", Role::Editor);
            let session = app.login("olga").await;
            let before = app.store.call_blocking(|c| app::store::export::export(c)).unwrap();
            let (uri, names) = ARGUMENTS[function];
            let body: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let value = if i % 2 == 1 { numbers[i % 3].to_string() } else { values[i].clone() };
                    format!("{name}={}", app::url::encode(&value))
                })
                .collect();
            let cookie = logged_in.then_some(session.as_str());
            let (parts, text) = app
                .post_form(uri, &body.join("&"), cookie)
                .await;
            assert!(!parts.status.is_server_error(), "{uri} {body:?} → {} {text}", parts.status);
            let after = app.store.call_blocking(|c| app::store::export::export(c)).unwrap();
            assert!(after == before, "{uri} {body:?} changed the content");
        });
    }
}

/// Any JSON where a value of a saved item or city belongs: wrong types, nulls, nesting, huge
/// and odd text.
pub(crate) fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,60}".prop_map(Value::from),
        (".{1,3}", 0usize..30_000).prop_map(|(s, n)| Value::from(s.repeat(n))),
        proptest::collection::vec(".{0,6}", 0..3).prop_map(|v| json!(v)),
        Just(json!({"nested": {"deeper": [1, "two", null]}})),
    ]
}

/// The JSON call that saves `target` (0: a news item, 1: a city) as it is now, and its URL.
async fn save_request(app: &common::TestApp, target: usize, editor: &str) -> (&'static str, Value) {
    if target == 0 {
        let item = app
            .editable(
                "kind=news&slug=reply-from-a-twin-city-across-the-ocean",
                editor,
            )
            .await;
        let request = common::update_request(&item, &item["fields"]);
        ("/api/update_item", request)
    } else {
        let city = app
            .store
            .call_blocking(|c| app::store::cities::city_by_slug(c, app::i18n::Lang::En, "coventry"))
            .unwrap()
            .unwrap();
        // A seeded city's facts have never been saved: version 1.
        let request = json!({"city": city.1, "base_version": 1});
        ("/api/update_city", request)
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// One value of a saved item's or city's JSON (or of the call itself) replaced by anything:
    /// the save is taken or refused with a 4xx, never a 5xx; a refused save changes nothing and
    /// a taken one leaves a sound database whose pages still render.
    #[test]
    fn generated_json_saves_are_taken_or_refused_never_a_server_error(
        target in 0..2usize,
        pick in proptest::num::usize::ANY,
        value in any_json(),
    ) {
        common::block_on(async {
            let app = common::app();
            app.add_user("ivan", Role::Admin);
            let admin = app.login("ivan").await;
            let (uri, mut request) = save_request(&app, target, &admin).await;
            let object = if target == 0 { "fields" } else { "city" };
            let mut keys: Vec<String> = request[object].as_object().unwrap().keys().cloned().collect();
            keys.sort();
            let top = ["base_version", if target == 0 { "id" } else { "lang" }];
            let slot = pick % (keys.len() + top.len());
            let changed = match keys.get(slot) {
                Some(key) => {
                    request[object][key.as_str()] = value.clone();
                    format!("{object}.{key}")
                }
                None => {
                    let key = top[slot - keys.len()];
                    request[key] = value.clone();
                    key.to_owned()
                }
            };
            let before = app.store.call_blocking(|c| app::store::export::export(c)).unwrap();
            let (parts, text) = app.post_json(uri, &request, Some(&admin)).await;
            let status = parts.status;
            let shown: String = value.to_string().chars().take(80).collect();
            assert!(!status.is_server_error(), "{uri} {changed} = {shown} → {status} {text}");
            if status.is_success() {
                let check: String = app
                    .store
                    .call_blocking(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
                    .unwrap();
                assert_eq!(check, "ok");
                for page in ["/", "/news", "/cities", "/map"] {
                    let (status, _) = app.get(page).await;
                    assert!(!status.is_server_error(), "{page} after {changed} = {shown}: {status}");
                }
            } else {
                let after = app.store.call_blocking(|c| app::store::export::export(c)).unwrap();
                assert!(after == before, "a refused save ({changed} = {shown}) changed the content");
            }
        });
    }
}
