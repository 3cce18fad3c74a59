//! Pages as anonymous visitors get them, kept in memory so that a crowd of readers costs one
//! render per page instead of one per reader.
//!
//! Never stale after an edit: every store call that changes a row moves the store's generation
//! on once it has committed, and an entry answers only while the generation it was rendered in
//! is still current. (A render that read the old data stays tagged with the old generation.)
//! What changes with the clock alone — a scheduled item's time arriving, an event becoming past
//! — shows at most `FRESH_FOR` (and one render) late. Each answer gets a script nonce of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::store::Store;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{IF_NONE_MATCH, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::conditional::{
    client_holds, cut_at_nonce, not_modified, signed_in, tag_of, tag_page, unless_held,
    ANONYMOUS_PAGE,
};
use crate::routes::{buffered, is_html, page_nonce, set_page_policy};

/// How long a page may answer without a new render when nothing was edited.
const FRESH_FOR: Duration = Duration::from_secs(5);
/// How long the others wait on a request rendering a page again before one more tries.
const REFRESH_WAIT: Duration = Duration::from_secs(2);
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
    /// The page cut where its nonce stood, so that an answer is one copy with a new nonce.
    pieces: Arc<[Bytes]>,
    len: usize,
    tag: HeaderValue,
    /// When a request began rendering the page again after `FRESH_FOR`.
    refreshing: Option<Instant>,
}

impl Page {
    fn new(generation: u64, headers: HeaderMap, html: &Bytes, nonce: &str) -> Self {
        let pieces = cut_at_nonce(html, nonce);
        Self {
            generation,
            rendered: Instant::now(),
            headers,
            tag: tag_of(&pieces),
            pieces: pieces.into(),
            len: html.len(),
            refreshing: None,
        }
    }

    /// The page with `nonce` where the old one stood.
    fn with_nonce(&self, nonce: &str) -> Vec<u8> {
        let mut html = Vec::with_capacity(self.len + self.pieces.len() * nonce.len());
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                html.extend_from_slice(nonce.as_bytes());
            }
            html.extend_from_slice(piece);
        }
        html
    }
}

impl PageCache {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            entries: Arc::default(),
        }
    }

    /// The page kept for `key`, if it may answer. Past `FRESH_FOR` (and not edited), one request
    /// renders it again while the others still get it: when all of them rendered at once, the
    /// busiest pages stalled every few seconds.
    fn lookup(&self, key: &str) -> Option<Page> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let page = entries.pages.get_mut(key)?;
        if page.generation != self.store.generation() {
            return None;
        }
        if page.rendered.elapsed() < FRESH_FOR {
            return Some(page.clone());
        }
        match page.refreshing {
            Some(since) if since.elapsed() < REFRESH_WAIT => Some(page.clone()),
            _ => {
                page.refreshing = Some(Instant::now());
                None
            }
        }
    }

    fn keep(&self, key: String, page: Page) {
        let size = key.len() + page.len;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = entries.pages.remove(&key) {
            entries.bytes -= key.len() + old.len;
        }
        if entries.bytes + size > MAX_BYTES {
            let current = self.store.generation();
            entries
                .pages
                .retain(|_, p| p.generation == current && p.rendered.elapsed() < FRESH_FOR);
            entries.bytes = entries.pages.iter().map(|(k, p)| k.len() + p.len).sum();
            if entries.bytes + size > MAX_BYTES {
                entries.pages.clear();
                entries.bytes = 0;
            }
        }
        entries.bytes += size;
        entries.pages.insert(key, page);
    }
}

/// The key of `request` when it may be answered from the cache: a plain GET without a session,
/// whose answer is the same for every anonymous visitor.
fn cache_key(request: &Request) -> Option<&str> {
    let key = request.uri().path_and_query()?.as_str();
    (request.method() == Method::GET
        && !signed_in(request.headers())
        && !key.starts_with("/api/")
        && key.len() <= MAX_KEY)
        .then_some(key)
}

/// The middleware: answers from the cache or renders and keeps the page.
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let Some(key) = cache_key(&request) else {
        return next.run(request).await;
    };
    if let Some(page) = cache.lookup(key) {
        if client_holds(request.headers().get(IF_NONE_MATCH), &page.tag) {
            return not_modified(page.tag, Some(ANONYMOUS_PAGE));
        }
        return answer(page);
    }
    let key = key.to_owned();
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    // Read before rendering: a page rendered while an edit commits keeps the older number.
    let generation = cache.store.generation();
    let response = next.run(request).await;
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(SET_COOKIE)
        && is_html(response.headers());
    if !keepable {
        return response;
    }
    let (mut parts, bytes) = match buffered(response, usize::MAX).await {
        Ok(buffered) => buffered,
        Err(failed) => return failed,
    };
    let Some(nonce) = page_nonce(&bytes).filter(|_| bytes.len() <= MAX_PAGE) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let page = Page::new(generation, parts.headers.clone(), &bytes, nonce);
    tag_page(&mut parts.headers, page.tag.clone(), ANONYMOUS_PAGE);
    set_page_policy(&mut parts, nonce);
    cache.keep(key, page);
    unless_held(parts, bytes, if_none_match.as_ref())
}

/// A cached page with a nonce of its own in place of the one it was rendered with, and the
/// policy that names it.
fn answer(page: Page) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let (mut parts, body) = Response::new(Body::from(page.with_nonce(&nonce))).into_parts();
    parts.headers = page.headers;
    tag_page(&mut parts.headers, page.tag, ANONYMOUS_PAGE);
    set_page_policy(&mut parts, &nonce);
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::auth::session::COOKIE_NAME;
    use http::header::{CONTENT_SECURITY_POLICY, COOKIE};

    fn page(html: &str, generation: u64) -> Page {
        Page::new(
            generation,
            HeaderMap::new(),
            &Bytes::from(html.to_owned()),
            "n0",
        )
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
            cache_key(&request.body(Body::empty()).unwrap()).map(str::to_owned)
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

    #[tokio::test]
    async fn one_request_renders_an_old_page_again_while_the_others_get_it() {
        let (_dir, store) = store();
        let cache = PageCache::new(store.clone());
        let mut old = page("<p>old</p>", store.generation());
        old.rendered = Instant::now() - FRESH_FOR - Duration::from_secs(1);
        cache.keep("/".into(), old);
        assert!(cache.lookup("/").is_none(), "the first renders it");
        assert!(cache.lookup("/").is_some(), "the next still get it");
        store
            .call(|c| Ok(c.execute("UPDATE site SET city_name = 'Elsewhere'", [])?))
            .await
            .unwrap();
        assert!(cache.lookup("/").is_none(), "never after an edit");
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
                .map(|(k, p)| k.len() + p.len)
                .sum::<usize>()
        );
    }

    #[test]
    fn every_answer_has_a_new_nonce() {
        let cached = page(
            r#"<head><link crossorigin="n0"><script nonce="n0">a</script></head><body><script nonce="n0">b</script></body>"#,
            0,
        );
        let read = |response: Response| {
            let rt = tokio::runtime::Runtime::new().unwrap();
            let bytes = rt
                .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        let first = answer(cached.clone());
        let policy = first.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let (a, b) = (read(first), read(answer(cached)));
        let nonce = |html: &str| page_nonce(html.as_bytes()).unwrap().to_owned();
        assert_ne!(nonce(&a), "n0");
        assert!(
            policy.contains(&format!("'nonce-{}'", nonce(&a))),
            "{policy}"
        );
        assert_ne!(nonce(&a), nonce(&b));
        assert_eq!(a.matches(&nonce(&a)).count(), 3, "every place it stood");
        assert!(!a.contains("n0"));
    }
}
