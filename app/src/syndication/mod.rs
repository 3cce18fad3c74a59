//! What the portal publishes for machines: RSS 2.0 and Atom feeds, iCalendar files of events,
//! the sitemap and robots.txt. Plain axum handlers over the store (server only).

pub mod feeds;
pub mod ical;
pub mod sitemap;

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::StatusCode;

use crate::error::AppError;
use crate::i18n::Lang;

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A response with `body` as `content_type`, revalidated by caches on every use.
pub(crate) fn document(content_type: &'static str, body: String) -> Response {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")],
        body,
    )
        .into_response()
}

/// A plain-text error response for `error`, in `lang`.
pub(crate) fn failure(lang: Lang, error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        error.message(lang),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn xml_text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            xml_escape("“Peace” & <war> 'x'"),
            "“Peace” &amp; &lt;war&gt; &apos;x&apos;"
        );
        assert_eq!(xml_escape("a\u{1}b\tc"), "ab\tc");
    }
}
