//! How a generated document is answered, in one place and with its body read once: a page gets
//! the script nonce the server chose before rendering it and the policy naming that nonce (never
//! a value read back out of the page, which content could have written); pages, feeds and
//! calendars get an entity tag and a 304 when the client holds them; anonymous visitors' pages
//! are kept in memory (`cache`). Only a valid session makes a visitor an editor here: a cookie
//! that merely has the session's name is an anonymous visitor's.

mod cache;
mod policy;
mod tag;

pub use cache::PageCache;
pub use policy::default_csp;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LAST_MODIFIED, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use leptos::nonce::Nonce;

use cache::{Page, MAX_PAGE};
use tag::{cut_at_nonce, or_not_modified, tag_of, tag_page, ANONYMOUS_PAGE, EDITOR_PAGE};

/// The middleware around every request: GETs and HEADs are answered as above; anything else
/// passes through, and gets the page policy when it is answered with a page (`answer_post`),
/// else the nothing-runs policy outside.
pub async fn serve(State(cache): State<PageCache>, mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return answer_post(request, next, &nonce).await;
    }
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let token = document_session(&request);
    let editor = match token {
        Some(token) => is_editor(&cache, &token).await,
        None => false,
    };
    let view = app::accessibility::settings::Settings::of_headers(request.headers());
    let key = (request.method() == Method::GET && !editor)
        .then(|| cache::key(request.uri(), view))
        .flatten();
    if let Some(page) = key.as_deref().and_then(|key| cache.lookup(key)) {
        return answer(page, if_none_match.as_ref());
    }
    // Read before rendering: a page rendered while an edit commits keeps the older number.
    let generation = cache.store.generation();
    let head = request.method() == Method::HEAD;
    let mut response = next.run(request).await;
    let is_page = is_html(response.headers());
    if is_page {
        policy::set_page_policy(response.headers_mut(), &nonce);
    }
    if head || !(is_page || taggable(&response, is_page)) {
        return response;
    }
    let tagged = taggable(&response, is_page);
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let bytes = if is_page {
        scripts_into_body(bytes)
    } else {
        bytes
    };
    if !tagged {
        parts.headers.remove(http::header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(bytes));
    }
    if !is_page {
        parts
            .headers
            .insert(ETAG, tag_of(std::slice::from_ref(&bytes)));
        return or_not_modified(parts, Body::from(bytes), if_none_match.as_ref());
    }
    let cache_control = if editor { EDITOR_PAGE } else { ANONYMOUS_PAGE };
    match key.filter(|_| bytes.len() <= MAX_PAGE && !parts.headers.contains_key(SET_COOKIE)) {
        Some(key) => {
            let page = Page::new(generation, parts.headers.clone(), &bytes, &nonce);
            tag_page(&mut parts.headers, page.tag.clone(), cache_control);
            cache.keep(key, page);
        }
        None => {
            let tag = tag_of(&cut_at_nonce(&bytes, &nonce));
            tag_page(&mut parts.headers, tag, cache_control);
        }
    }
    or_not_modified(parts, Body::from(bytes), if_none_match.as_ref())
}

/// A request that is not a GET or HEAD: passed on; a page it is answered with (a form refused
/// with the form shown again) lets its own scripts run like any page, and is never kept.
async fn answer_post(request: Request, next: Next, nonce: &Nonce) -> Response {
    let response = next.run(request).await;
    if !is_html(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    policy::set_page_policy(&mut parts.headers, nonce);
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(scripts_into_body(bytes)))
}

/// `html` with what the framework writes after `</html>` (the scripts that would carry resources
/// to a hydrating page, empty for islands) moved to the end of `<body>`, where HTML allows it.
fn scripts_into_body(html: Bytes) -> Bytes {
    let find_last =
        |needle: &[u8], within: &[u8]| within.windows(needle.len()).rposition(|w| w == needle);
    let Some(end) = find_last(b"</html>", &html) else {
        return html;
    };
    let after = end + b"</html>".len();
    let tail = &html[after..];
    if tail.iter().all(u8::is_ascii_whitespace) {
        return html;
    }
    let Some(body_end) = find_last(b"</body>", &html[..end]) else {
        return html;
    };
    let mut moved = Vec::with_capacity(html.len());
    moved.extend_from_slice(&html[..body_end]);
    moved.extend_from_slice(tail);
    moved.extend_from_slice(&html[body_end..after]);
    Bytes::from(moved)
}

/// The session token of a request for a document (files and server functions never need to
/// know whether their caller is signed in).
fn document_session(request: &Request) -> Option<String> {
    let path = request.uri().path();
    let document = !path.starts_with(app::API_PREFIX)
        && !path.starts_with("/pkg/")
        && !path.starts_with("/media/");
    document
        .then(|| app::auth::session::token_in(request.headers()))
        .flatten()
}

/// Whether `token` opens a live session: only that makes a visitor an editor here.
async fn is_editor(cache: &PageCache, token: &str) -> bool {
    app::auth::session::user_of_token(&cache.store, token)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// Whether `response` is a generated document to tag: a 200 without validators of its own whose
/// caching advice, if any, is to revalidate (files and hashed assets have theirs).
fn taggable(response: &Response, is_page: bool) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && !headers.contains_key(ETAG)
        && !headers.contains_key(LAST_MODIFIED)
        && match headers.get(CACHE_CONTROL) {
            None => is_page,
            Some(value) => value == "no-cache",
        }
}

/// A kept page with a nonce of its own in place of the one it was rendered with, and the policy
/// that names it; or a 304 when the client holds it.
fn answer(page: Page, if_none_match: Option<&HeaderValue>) -> Response {
    let nonce = Nonce::new();
    let (mut parts, body) = Response::new(Body::from(page.with_nonce(&nonce))).into_parts();
    parts.headers = page.headers;
    tag_page(&mut parts.headers, page.tag, ANONYMOUS_PAGE);
    policy::set_page_policy(&mut parts.headers, &nonce);
    or_not_modified(parts, body, if_none_match)
}

/// Whether a response is an HTML page.
fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}
