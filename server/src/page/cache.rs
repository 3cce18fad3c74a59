//! Pages as anonymous visitors get them, kept in memory so that a crowd of readers costs one
//! render per page instead of one per reader.
//!
//! Never stale after an edit: every store call that changes a row moves the store's generation
//! on once it has committed, and an entry answers only while the generation it was rendered in
//! is still current. (A render that read the old data stays tagged with the old generation.)
//! What changes with the clock alone — a scheduled item's time arriving, an event becoming past
//! — shows at most `FRESH_FOR` (and one render) late.
//!
//! An entry is keyed by the page's path and the query parameters that page reads
//! (`app::url::page_query`): other parameters make no entry and evict nothing. When the pages
//! kept outgrow the configured size (`--page-cache-mb`), the least recently used go first.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::accessibility::settings::Settings;
use app::store::Store;
use axum::body::Bytes;
use http::{HeaderMap, HeaderValue, Uri};
use lru::LruCache;

use super::tag::{cut_at_nonce, tag_of};

/// How long a page may answer without a new render when nothing was edited.
const FRESH_FOR: Duration = Duration::from_secs(5);
/// How long the others wait on a request rendering a page again before one more tries.
const REFRESH_WAIT: Duration = Duration::from_secs(2);
/// Larger pages, and longer addresses, are rendered each time.
pub(super) const MAX_PAGE: usize = 512 * 1024;
const MAX_KEY: usize = 512;
/// Pages whose address carries free text of the visitor's (a search, where to go after login):
/// every visitor may ask for another one, and keeping them would only push out the others.
const UNKEPT: [&str; 2] = ["/search", "/login"];

/// The cache; shared by the router's middleware.
#[derive(Clone)]
pub struct PageCache {
    pub(super) store: Store,
    max_bytes: usize,
    entries: Arc<Mutex<Entries>>,
}

struct Entries {
    pages: LruCache<String, Page>,
    bytes: usize,
}

/// A kept page.
#[derive(Clone)]
pub(super) struct Page {
    generation: u64,
    rendered: Instant,
    pub(super) headers: HeaderMap,
    /// The page cut where its nonce stood, so that an answer is one copy with a new nonce.
    pieces: Arc<[Bytes]>,
    len: usize,
    pub(super) tag: HeaderValue,
    /// When a request began rendering the page again after `FRESH_FOR`.
    refreshing: Option<Instant>,
}

impl Page {
    /// The page `html`, rendered in `generation` with `nonce`.
    pub(super) fn new(generation: u64, headers: HeaderMap, html: &Bytes, nonce: &str) -> Self {
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
    pub(super) fn with_nonce(&self, nonce: &str) -> Vec<u8> {
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

/// The key of a GET for `uri` by a visitor with the `view` settings of the version for the
/// visually impaired, when its answer may be kept: the path, what the page reads of the query,
/// and the settings in their canonical form (a cookie that is not one of them is none).
pub(super) fn key(uri: &Uri, view: Option<Settings>) -> Option<String> {
    let path = uri.path();
    let english = app::i18n::Lang::strip(path);
    if path.len() > MAX_KEY || path.starts_with(app::API_PREFIX) || UNKEPT.contains(&&*english) {
        return None;
    }
    let mut key = app::url::page_address(path, uri.query().unwrap_or_default());
    if let Some(view) = view {
        key = format!("{key} {}", view.key());
    }
    (key.len() <= MAX_KEY).then_some(key)
}

impl PageCache {
    /// A cache whose pages take at most `max_bytes` (with their keys); 0 keeps none.
    pub fn new(store: Store, max_bytes: usize) -> Self {
        Self {
            store,
            max_bytes,
            entries: Arc::new(Mutex::new(Entries {
                pages: LruCache::unbounded(),
                bytes: 0,
            })),
        }
    }

    /// The page kept for `key`, if it may answer. Past `FRESH_FOR` (and not edited), one request
    /// renders it again while the others still get it: when all of them rendered at once, the
    /// busiest pages stalled every few seconds.
    pub(super) fn lookup(&self, key: &str) -> Option<Page> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.store.generation();
        if entries.pages.peek(key)?.generation != current {
            entries.remove(key);
            return None;
        }
        let page = entries.pages.get_mut(key)?;
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

    /// Keeps `page` under `key`, making room by dropping the least recently used pages.
    pub(super) fn keep(&self, key: String, page: Page) {
        let size = key.len() + page.len;
        if size > self.max_bytes {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&key);
        while entries.bytes + size > self.max_bytes {
            let Some((old_key, old)) = entries.pages.pop_lru() else {
                break;
            };
            entries.bytes -= old_key.len() + old.len;
        }
        entries.bytes += size;
        entries.pages.put(key, page);
    }
}

impl Entries {
    fn remove(&mut self, key: &str) {
        if let Some(old) = self.pages.pop(key) {
            self.bytes -= key.len() + old.len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size the binary keeps by default (`--page-cache-mb 8`).
    const MAX_BYTES: usize = 8 * 1024 * 1024;

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

    fn key_of(uri: &str) -> Option<String> {
        key(&uri.parse().unwrap(), None)
    }

    #[test]
    fn keys_keep_what_the_page_reads() {
        assert_eq!(key_of("/news?page=2").as_deref(), Some("/news?page=2"));
        assert_eq!(key_of("/news?x=1&page=2").as_deref(), Some("/news?page=2"));
        assert_eq!(key_of("/ru/news?utm=1").as_deref(), Some("/ru/news"));
        assert_eq!(key_of("/api/list_news"), None);
        assert_eq!(key_of("/search?q=peace"), None);
        assert_eq!(key_of("/ru/login?next=/news"), None);
        assert_eq!(key_of(&format!("/news/{}", "x".repeat(600))), None);
    }

    #[test]
    fn keys_tell_the_settings_of_the_version_for_the_visually_impaired_apart() {
        let uri: Uri = "/news?page=2".parse().unwrap();
        let wide = Settings::parse("200.wb.wide.tall.hidden");
        assert_eq!(
            key(&uri, wide).as_deref(),
            Some("/news?page=2 200.wb.wide.tall.hidden")
        );
        assert_ne!(
            key(&uri, wide),
            key(&uri, Settings::parse("100.wb.wide.tall.hidden"))
        );
        assert_ne!(key(&uri, wide), key(&uri, None));
    }

    #[tokio::test]
    async fn an_entry_answers_only_in_its_generation() {
        let (_dir, store) = store();
        let cache = PageCache::new(store.clone(), MAX_BYTES);
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
        let cache = PageCache::new(store.clone(), MAX_BYTES);
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
    fn a_cache_of_no_bytes_keeps_nothing() {
        let (_dir, store) = store();
        let cache = PageCache::new(store.clone(), 0);
        cache.keep("/".into(), page("<p>a page</p>", store.generation()));
        assert!(cache.lookup("/").is_none());
    }

    #[test]
    fn memory_stays_bounded_and_the_least_recently_used_go_first() {
        let (_dir, store) = store();
        let cache = PageCache::new(store.clone(), MAX_BYTES);
        let big = "x".repeat(MAX_PAGE);
        cache.keep("/".into(), page(&big, store.generation()));
        for i in 0..40 {
            cache.keep(format!("/news?page={i}"), page(&big, store.generation()));
            assert!(cache.lookup("/").is_some(), "a page in use stays");
        }
        assert!(cache.lookup("/news?page=0").is_none(), "the oldest went");
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
}
