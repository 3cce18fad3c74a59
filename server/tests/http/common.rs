//! A real router over a real, freshly seeded SQLite file, driven without a socket.

use std::sync::LazyLock;

use app::auth::address::Cidr;
use app::auth::{password, Role};
use app::state::{AppState, SiteConfig};
use app::store::{seed, users, Store};
use axum::body::Body;
use axum::Router;
use http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

/// One multi-threaded runtime for every test, as the server has one. The tests run in parallel,
/// each on its own thread with its own portal; the route list in server/src/routes.rs says what
/// makes several portals in one process safe.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
});

/// Runs a test's body on the shared runtime.
pub fn block_on<F: std::future::Future>(test: F) -> F::Output {
    RUNTIME.block_on(test)
}

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub dir: tempfile::TempDir,
}

/// A seeded portal with `extra` generated items.
pub fn app_with(extra: u32) -> TestApp {
    configured(extra, Vec::new())
}

/// A seeded portal behind the reverse proxies `trusted`.
pub fn app_behind(trusted: Vec<Cidr>) -> TestApp {
    configured(0, trusted)
}

fn configured(extra: u32, trusted_proxies: Vec<Cidr>) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(&dir.path().join("portal.db")).expect("open store");
    store
        .call_blocking(|c| {
            seed::seed_if_empty(c)?;
            seed::generate(c, extra)
        })
        .expect("seed");
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).expect("site dir");
    std::fs::write(
        site.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("static file");
    std::fs::write(site.join("pkg/twincity.0123abcd.css"), "body{}").expect("asset");
    std::fs::write(site.join("pkg/twincity.css"), "body{}").expect("asset");
    let leptos_options = LeptosOptions::builder()
        .output_name("twincity")
        .site_root(site.to_string_lossy().to_string())
        .build();
    let state = AppState::new(
        leptos_options,
        store,
        SiteConfig {
            public_url: "http://portal.test".into(),
            media_dir: dir.path().join("media"),
            documents_dir: dir.path().join("documents"),
            trusted_proxies,
            page_cache_bytes: 8 * 1024 * 1024,
            federation_loopback: true,
        },
    );
    TestApp {
        router: server::router(state.clone()),
        store: state.store,
        dir,
    }
}

/// A seeded portal with an editor (`olga`) and an admin (`ivan`), logged in: the portal and their
/// `Cookie` headers.
pub async fn staffed() -> (TestApp, String, String) {
    let app = app();
    app.add_user("olga", Role::Editor);
    app.add_user("ivan", Role::Admin);
    let editor = app.login("olga").await;
    let admin = app.login("ivan").await;
    (app, editor, admin)
}

pub fn app() -> TestApp {
    app_with(0)
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Adds an account with `role` and the test password.
    pub fn add_user(&self, username: &str, role: Role) {
        let hash = password::hash(PASSWORD).expect("hash");
        let username = username.to_owned();
        self.store
            .call_blocking(move |c| users::add_user(c, &username, &username, role, &hash))
            .expect("add user");
    }

    /// Logs in through the login server function and returns the `Cookie` header to send.
    pub async fn login(&self, username: &str) -> String {
        let (parts, _) = self
            .post_form(
                "/api/login",
                &format!("username={username}&password=correct+horse+battery"),
                None,
            )
            .await;
        let cookie = parts
            .headers
            .get(SET_COOKIE)
            .expect("a session cookie")
            .to_str()
            .unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }

    /// The editable item `get_editable` returns for `form` (`kind=…&slug=…`, optionally
    /// `&lang=…`), read with the session `cookie`.
    pub async fn editable(&self, form: &str, cookie: &str) -> serde_json::Value {
        let (parts, body) = self
            .post_form("/api/get_editable", form, Some(cookie))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).expect("an editable item")
    }

    /// POSTs a form-encoded body, as an HTML form or a server-function client does.
    pub async fn post_form(
        &self,
        uri: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> (http::response::Parts, String) {
        self.post(
            uri,
            "application/x-www-form-urlencoded",
            body.to_owned().into_bytes(),
            cookie,
        )
        .await
    }

    /// POSTs a JSON body.
    pub async fn post_json(
        &self,
        uri: &str,
        body: &serde_json::Value,
        cookie: Option<&str>,
    ) -> (http::response::Parts, String) {
        self.post(
            uri,
            "application/json",
            body.to_string().into_bytes(),
            cookie,
        )
        .await
    }

    /// POSTs `body` with `content_type`, with the session `cookie` if given.
    pub async fn post(
        &self,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
        cookie: Option<&str>,
    ) -> (http::response::Parts, String) {
        let mut request = Request::post(uri).header(CONTENT_TYPE, content_type);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        let (parts, body) = self.send(request.body(Body::from(body)).unwrap()).await;
        (parts, String::from_utf8_lossy(&body).into_owned())
    }

    /// GETs `uri` with a session cookie.
    pub async fn get_as(&self, uri: &str, cookie: &str) -> (StatusCode, String) {
        let request = Request::get(uri)
            .header(COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let (parts, body) = self.send(request).await;
        (parts.status, String::from_utf8_lossy(&body).into_owned())
    }

    /// The database file's bytes with everything checkpointed into it, to prove a request
    /// changed nothing.
    pub fn db_bytes(&self) -> Vec<u8> {
        self.store
            .call_blocking(|c| {
                c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
                Ok(())
            })
            .expect("checkpoint");
        std::fs::read(self.store.path()).expect("read the database")
    }

    /// Sends `request` and returns the response head and the (undecoded) body.
    pub async fn send(&self, request: Request<Body>) -> (http::response::Parts, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        (parts, bytes.to_vec())
    }

    /// GETs `uri` and returns the status and the body as text.
    pub async fn get(&self, uri: &str) -> (StatusCode, String) {
        let response = self
            .router
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .expect("response");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The `update_item` call that saves `fields` over `item` (an editable item as JSON) from the
/// version it was read at.
pub fn update_request(item: &serde_json::Value, fields: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({"id": item["id"], "base_version": item["version"], "fields": fields})
}
