//! A real router over a real, freshly seeded SQLite file, driven without a socket.

use std::sync::LazyLock;

use app::state::{AppState, SiteConfig};
use app::store::{seed, Store};
use axum::body::Body;
use axum::Router;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

/// One multi-threaded runtime for every test, as the server has one. The tests must still run
/// one at a time (`--test-threads=1`, see scripts/test.sh): several apps rendering in parallel in
/// one process sometimes leave a render waiting forever, which one server under concurrent load
/// does not do (810 concurrent mixed requests, none lost).
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
    _dir: tempfile::TempDir,
}

/// A seeded portal with `extra` generated items.
pub fn app_with(extra: u32) -> TestApp {
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
    std::fs::write(site.join("robots.txt"), "User-agent: *\n").expect("static file");
    std::fs::write(site.join("pkg/twincity.0123abcd.css"), "body{}").expect("asset");
    std::fs::write(site.join("pkg/twincity.css"), "body{}").expect("asset");
    let leptos_options = LeptosOptions::builder()
        .output_name("twincity")
        .site_root(site.to_string_lossy().to_string())
        .build();
    let state = AppState {
        leptos_options,
        store,
        config: SiteConfig {
            public_url: "http://portal.test".into(),
        },
    };
    TestApp {
        router: server::router(state),
        _dir: dir,
    }
}

pub fn app() -> TestApp {
    app_with(0)
}

impl TestApp {
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
