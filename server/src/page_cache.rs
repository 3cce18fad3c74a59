//! Pages as anonymous visitors get them, kept in memory so that a crowd of readers costs one
//! render per page instead of one per reader.
//!
//! Never stale after an edit: every store call that changes a row moves the store's generation
//! on once it has committed, and an entry answers only while the generation it was rendered in
//! is still current. (A render that read the old data stays tagged with the old generation.)
//! What changes with the clock alone — a scheduled item's time arriving, an event becoming past
//! — shows at most `FRESH_FOR` late. Each answer gets a script nonce of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::auth::session::COOKIE_NAME;
use app::store::Store;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{HeaderMap, Method, StatusCode};

use crate::routes::page_nonce;

/// How long a page may answer without a new render when nothing was edited.
const FRESH_FOR: Duration = Duration::from_secs(5);
/// Memory the cached pages may take; past it the oldest generation's pages go first.
const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Larger pages, and longer addresses, are rendered each time.
const MAX_PAGE: usize = 512 * 1024;
const MAX_KEY: usize = 512;

/// The cache; shared by the router's middleware.
#[derive(Clone)]
pub struct PageCache {
    store: Store,
    entries: Arc<Mutex<Entries>>,
}

#[derive(Default)]
struct Entries {
    pages: HashMap<String, Page>,
    bytes: usize,
}

#[derive(Clone)]
struct Page {
    generation: u64,
    rendered: Instant,
    headers: HeaderMap,
    html: Arc<str>,
    nonce: Arc<str>,
}

impl PageCache {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            entries: Arc::default(),
        }
    }

    fn lookup(&self, key: &str) -> Option<Page> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let page = entries.pages.get(key)?;
        (page.generation == self.store.generation() && page.rendered.elapsed() < FRESH_FOR)
            .then(|| page.clone())
    }

    fn keep(&self, key: String, page: Page) {
        let size = key.len() + page.html.len();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = entries.pages.remove(&key) {
            entries.bytes -= key.len() + old.html.len();
        }
        if entries.bytes + size > MAX_BYTES {
            let current = self.store.generation();
            entries
                .pages
                .retain(|_, p| p.generation == current && p.rendered.elapsed() < FRESH_FOR);
            entries.bytes = entries
                .pages
                .iter()
                .map(|(k, p)| k.len() + p.html.len())
                .sum();
            if entries.bytes + size > MAX_BYTES {
                entries.pages.clear();
                entries.bytes = 0;
            }
        }
        entries.bytes += size;
        entries.pages.insert(key, page);
    }
}

/// Whether `request` may be answered from the cache: a plain GET without a session, whose
/// answer is the same for every anonymous visitor.
fn cache_key(request: &Request) -> Option<String> {
    let signed_in = request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(COOKIE_NAME));
    let key = request.uri().to_string();
    (request.method() == Method::GET
        && !signed_in
        && !key.starts_with("/api/")
        && key.len() <= MAX_KEY)
        .then_some(key)
}

/// The middleware: answers from the cache or renders and keeps the page.
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let Some(key) = cache_key(&request) else {
        return next.run(request).await;
    };
    if let Some(page) = cache.lookup(&key) {
        return answer(page);
    }
    // Read before rendering: a page rendered while an edit commits keeps the older number.
    let generation = cache.store.generation();
    let response = next.run(request).await;
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(SET_COOKIE)
        && response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !keepable {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(nonce) = page_nonce(&bytes).filter(|_| bytes.len() <= MAX_PAGE) {
        if let Ok(html) = std::str::from_utf8(&bytes) {
            let page = Page {
                generation,
                rendered: Instant::now(),
                headers: parts.headers.clone(),
                html: html.into(),
                nonce: nonce.into(),
            };
            cache.keep(key, page);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A cached page with a nonce of its own in place of the one it was rendered with.
fn answer(page: Page) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let html = page.html.replace(
        &format!(r#"nonce="{}""#, page.nonce),
        &format!(r#"nonce="{}""#, &*nonce),
    );
    let mut response = Response::new(Body::from(html));
    *response.headers_mut() = page.headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str, generation: u64) -> Page {
        Page {
            generation,
            rendered: Instant::now(),
            headers: HeaderMap::new(),
            html: html.into(),
            nonce: "n0".into(),
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portal.db")).unwrap();
        store
            .call_blocking(app::store::seed::seed_if_empty)
            .unwrap();
        (dir, store)
    }

    #[test]
    fn only_anonymous_gets_of_pages_are_cached() {
        let get = |uri: &str, cookie: Option<&str>| {
            let mut request = Request::get(uri);
            if let Some(cookie) = cookie {
                request = request.header(COOKIE, cookie);
            }
            cache_key(&request.body(Body::empty()).unwrap())
        };
        assert_eq!(get("/news?page=2", None).as_deref(), Some("/news?page=2"));
        assert_eq!(
            get("/news", Some("theme=dark")).as_deref(),
            Some("/news"),
            "other cookies do not matter"
        );
        assert_eq!(get("/news", Some(&format!("{COOKIE_NAME}=abc"))), None);
        assert_eq!(get("/api/list_news", None), None);
        assert_eq!(get(&format!("/search?q={}", "x".repeat(600)), None), None);
        let post = Request::post("/news").body(Body::empty()).unwrap();
        assert_eq!(cache_key(&post), None);
    }

    #[tokio::test]
    async fn an_entry_answers_only_in_its_generation() {
        let (_dir, store) = store();
        let cache = PageCache::new(store.clone());
        cache.keep("/".into(), page("<p>old</p>", store.generation()));
        assert!(cache.lookup("/").is_some());
        store
            .call(|c| Ok(c.execute("UPDATE site SET city_name = 'Elsewhere'", [])?))
            .await
            .unwrap();
        assert!(cache.lookup("/").is_none(), "an edit retires it");
    }

    #[test]
    fn memory_stays_bounded() {
        let (_dir, store) = store();
        let cache = PageCache::new(store.clone());
        let big = "x".repeat(MAX_PAGE);
        for i in 0..40 {
            cache.keep(format!("/news?page={i}"), page(&big, store.generation()));
        }
        let entries = cache.entries.lock().unwrap();
        assert!(entries.bytes <= MAX_BYTES);
        assert_eq!(
            entries.bytes,
            entries
                .pages
                .iter()
                .map(|(k, p)| k.len() + p.html.len())
                .sum::<usize>()
        );
    }

    #[test]
    fn every_answer_has_a_new_nonce() {
        let cached = page(
            r#"<head><script nonce="n0">a</script></head><body><script nonce="n0">b</script>n0</body>"#,
            0,
        );
        let read = |response: Response| {
            let rt = tokio::runtime::Runtime::new().unwrap();
            let bytes = rt
                .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        let (a, b) = (read(answer(cached.clone())), read(answer(cached)));
        let nonce = |html: &str| page_nonce(html.as_bytes()).unwrap().to_owned();
        assert_ne!(nonce(&a), "n0");
        assert_ne!(nonce(&a), nonce(&b));
        assert_eq!(a.matches(&format!(r#"nonce="{}""#, nonce(&a))).count(), 2);
        assert!(a.ends_with("n0</body>"), "text that is not a nonce stays");
    }
}
