//! Revalidation: pages, feeds and calendars carry an `ETag` and are answered `304 Not Modified`
//! when the client already holds the same bytes, so a returning visitor or a feed reader polling
//! every few minutes downloads nothing while nothing changed.
//!
//! A page's tag leaves out its script nonce, which differs in every answer while the page stays
//! the same. A 304 carries no Content-Security-Policy: the client keeps the policy stored with the
//! page, which names the nonce in the stored page.

use std::hash::{Hash, Hasher};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, COOKIE, ETAG, IF_NONE_MATCH, LAST_MODIFIED, VARY};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::routes::{buffered, is_html, page_nonce};

/// A weak entity tag for `pieces` taken together (weak: compression may change the bytes sent).
pub(crate) fn tag_of(pieces: &[Bytes]) -> HeaderValue {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for piece in pieces {
        piece[..].hash(&mut hasher);
    }
    HeaderValue::from_str(&format!("W/\"{:016x}\"", hasher.finish()))
        .unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

/// `html` cut wherever `nonce` stands: the pieces keep everything else. Leptos writes the nonce
/// into more than `nonce` attributes (its preload links carry it as `crossorigin`), and a random
/// 128-bit value found in the page is that nonce wherever it is.
pub(crate) fn cut_at_nonce(html: &Bytes, nonce: &str) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut rest = html.clone();
    while let Some(at) = find(&rest, nonce.as_bytes()) {
        pieces.push(rest.slice(..at));
        rest = rest.slice(at + nonce.len()..);
    }
    pieces.push(rest);
    pieces
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the request's `If-None-Match` names `tag` (weak comparison, as for GET).
pub(crate) fn client_holds(if_none_match: Option<&HeaderValue>, tag: &HeaderValue) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let (Some(Ok(theirs)), Ok(ours)) = (if_none_match.map(|v| v.to_str()), tag.to_str()) else {
        return false;
    };
    let ours = bare(ours);
    theirs
        .split(',')
        .any(|t| t.trim() == "*" || bare(t) == ours)
}

/// What an anonymous visitor's pages say about caching: revalidate on every use.
pub(crate) const ANONYMOUS_PAGE: HeaderValue = HeaderValue::from_static("no-cache");

/// Marks `headers` of a page tagged `tag`.
pub(crate) fn tag_page(headers: &mut HeaderMap, tag: HeaderValue, cache_control: HeaderValue) {
    headers.insert(ETAG, tag);
    headers.insert(CACHE_CONTROL, cache_control);
    headers.append(VARY, HeaderValue::from_static("Cookie"));
}

/// The answer for a tagged response: a 304 when the request's `If-None-Match` names its tag
/// (with the tag and caching advice only), else the response itself.
pub(crate) fn unless_held(
    parts: http::response::Parts,
    body: Bytes,
    if_none_match: Option<&HeaderValue>,
) -> Response {
    match parts.headers.get(ETAG) {
        Some(tag) if client_holds(if_none_match, tag) => {
            not_modified(tag.clone(), parts.headers.get(CACHE_CONTROL).cloned())
        }
        _ => Response::from_parts(parts, Body::from(body)),
    }
}

/// The answer to a client that holds the page tagged `tag` already.
pub(crate) fn not_modified(tag: HeaderValue, cache_control: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    response.headers_mut().insert(ETAG, tag);
    if let Some(value) = cache_control {
        response.headers_mut().insert(CACHE_CONTROL, value);
    }
    response
}

/// Whether the request carries a session cookie (valid or not).
pub(crate) fn signed_in(request: &HeaderMap) -> bool {
    request
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(app::auth::session::COOKIE_NAME))
}

/// What pages say about caching: revalidate on every use; a signed-in editor's pages are for
/// their browser only.
fn page_cache_control(request: &HeaderMap) -> HeaderValue {
    if signed_in(request) {
        HeaderValue::from_static("private, no-cache")
    } else {
        ANONYMOUS_PAGE
    }
}

/// The middleware: tags generated documents (pages, feeds, calendars, the sitemap) and answers
/// 304 when the client holds them. Files with their own validators or lifetimes are left alone,
/// and so is what is answered already tagged (the page cache's answers).
pub async fn revalidate(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let cache_control = page_cache_control(request.headers());
    let response = next.run(request).await;
    let is_page = is_html(response.headers());
    let taggable = response.status() == StatusCode::OK
        && !response.headers().contains_key(ETAG)
        && !response.headers().contains_key(LAST_MODIFIED)
        && match response.headers().get(CACHE_CONTROL) {
            None => is_page,
            Some(value) => value == "no-cache",
        };
    if !taggable {
        return response;
    }
    let (mut parts, bytes) = match buffered(response, usize::MAX).await {
        Ok(buffered) => buffered,
        Err(failed) => return failed,
    };
    match page_nonce(&bytes).filter(|_| is_page) {
        Some(nonce) => {
            let tag = tag_of(&cut_at_nonce(&bytes, nonce));
            tag_page(&mut parts.headers, tag, cache_control);
        }
        None => {
            parts
                .headers
                .insert(ETAG, tag_of(std::slice::from_ref(&bytes)));
        }
    }
    unless_held(parts, bytes, if_none_match.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_ignore_the_nonce_and_nothing_else() {
        let page = |nonce: &str, text: &str| {
            let html =
                format!(r#"<head><script nonce="{nonce}">x</script></head><body>{text}</body>"#);
            let bytes = Bytes::from(html);
            tag_of(&cut_at_nonce(&bytes, nonce))
        };
        assert_eq!(page("aaa", "news"), page("bbbbbb", "news"));
        assert_ne!(page("aaa", "news"), page("aaa", "news!"));
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_in_lists() {
        let tag = HeaderValue::from_static("W/\"00ff\"");
        let holds = |value: &str| client_holds(Some(&HeaderValue::from_str(value).unwrap()), &tag);
        assert!(holds("W/\"00ff\""));
        assert!(holds("\"00ff\""));
        assert!(holds("\"abc\", W/\"00ff\""));
        assert!(holds("*"));
        assert!(!holds("W/\"00fe\""));
        assert!(!client_holds(None, &tag));
    }
}
