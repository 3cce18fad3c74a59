//! The Content-Security-Policy of every response: a page lets exactly its own scripts run, by the
//! nonce the server chose for it; anything else lets nothing run.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{HeaderValue, CONTENT_SECURITY_POLICY};
use http::{HeaderMap, StatusCode};
use leptos::nonce::Nonce;

/// Gives a page whose scripts carry `nonce` the policy that lets exactly them run: the inline
/// hydration script by that nonce, the app's JavaScript and WebAssembly from this origin; no
/// framing, no plugins, forms post only here (style attributes stay allowed: the map positions
/// pins with them). The nonce is base64url by construction, so it cannot end the header's value.
pub(super) fn set_page_policy(headers: &mut HeaderMap, nonce: &Nonce) {
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    match HeaderValue::from_str(&policy) {
        Ok(value) => {
            headers.insert(CONTENT_SECURITY_POLICY, value);
        }
        Err(_) => {
            headers.remove(CONTENT_SECURITY_POLICY);
        }
    }
}

/// The default for everything that is not a page: nothing runs. A 304 is left without one, as
/// its headers would replace the policy stored with the page the client keeps.
pub async fn default_csp(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() != StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .entry(CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ));
    }
    response
}
