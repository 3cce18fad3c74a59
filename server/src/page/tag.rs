//! Revalidation: pages, feeds and calendars carry an `ETag` and are answered `304 Not Modified`
//! when the client already holds the same bytes, so a returning visitor or a feed reader polling
//! every few minutes downloads nothing while nothing changed.
//!
//! A page's tag leaves out its script nonce, which differs in every answer while the page stays
//! the same. A 304 carries no Content-Security-Policy: the client keeps the policy stored with the
//! page, which names the nonce in the stored page.

use std::hash::{Hash, Hasher};

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, ETAG, VARY};
use http::{HeaderMap, HeaderValue, StatusCode};

/// A weak entity tag for `pieces` taken together (weak: compression may change the bytes sent).
pub(super) fn tag_of(pieces: &[Bytes]) -> HeaderValue {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for piece in pieces {
        piece[..].hash(&mut hasher);
    }
    HeaderValue::from_str(&format!("W/\"{:016x}\"", hasher.finish()))
        .unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

/// `html` cut wherever `nonce` stands: the pieces keep everything else. Leptos writes the nonce
/// into more than `nonce` attributes (its preload links carry it as `crossorigin`); the nonce is
/// the server's random 128-bit value, which nothing else in the page can contain.
pub(super) fn cut_at_nonce(html: &Bytes, nonce: &str) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut rest = html.clone();
    while let Some(at) = rest
        .windows(nonce.len())
        .position(|w| w == nonce.as_bytes())
    {
        pieces.push(rest.slice(..at));
        rest = rest.slice(at + nonce.len()..);
    }
    pieces.push(rest);
    pieces
}

/// Whether the request's `If-None-Match` names `tag` (weak comparison, as for GET).
pub(super) fn etag_matches(if_none_match: Option<&HeaderValue>, tag: &HeaderValue) -> bool {
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
pub(super) const ANONYMOUS_PAGE: HeaderValue = HeaderValue::from_static("no-cache");
/// A signed-in editor's pages are for their browser only.
pub(super) const EDITOR_PAGE: HeaderValue = HeaderValue::from_static("private, no-cache");

/// Marks `headers` of a page tagged `tag`.
pub(super) fn tag_page(headers: &mut HeaderMap, tag: HeaderValue, cache_control: HeaderValue) {
    headers.insert(ETAG, tag);
    headers.insert(CACHE_CONTROL, cache_control);
    headers.append(VARY, HeaderValue::from_static("Cookie"));
}

/// The answer for a tagged response: a 304 when the request's `If-None-Match` names its tag
/// (with the tag and caching advice only), else the response itself.
pub(super) fn or_not_modified(
    parts: http::response::Parts,
    body: Body,
    if_none_match: Option<&HeaderValue>,
) -> Response {
    match parts.headers.get(ETAG) {
        Some(tag) if etag_matches(if_none_match, tag) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response.headers_mut().insert(ETAG, tag.clone());
            if let Some(value) = parts.headers.get(CACHE_CONTROL) {
                response.headers_mut().insert(CACHE_CONTROL, value.clone());
            }
            response
        }
        _ => Response::from_parts(parts, body),
    }
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
        let holds = |value: &str| etag_matches(Some(&HeaderValue::from_str(value).unwrap()), &tag);
        assert!(holds("W/\"00ff\""));
        assert!(holds("\"00ff\""));
        assert!(holds("\"abc\", W/\"00ff\""));
        assert!(holds("*"));
        assert!(!holds("W/\"00fe\""));
        assert!(!etag_matches(None, &tag));
    }
}
