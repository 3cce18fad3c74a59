//! The session cookie and the role check. The cookie holds a random token; the database keeps only
//! its SHA-256, so neither a leaked database nor a guessed id opens a session.

use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use sha2::{Digest, Sha256};

use super::{Role, SessionUser};
use crate::error::AppError;
use crate::state::app_state;
use crate::store::{users, Store};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "twincity_session";

/// A new random session token (256 bits, hex).
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a session token");
        AppError::Internal
    })?;
    Ok(hex(&bytes))
}

/// What the database stores for `token`.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Set-Cookie` value that stores `token`, or (with `None`) removes the cookie.
/// `Secure` when the portal is served over https.
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    let max_age = u64::from(users::ABSOLUTE_TIMEOUT_DAYS) * 24 * 3600;
    cookie_header(COOKIE_NAME, token.map(|t| (t, max_age)), secure)
}

/// The `Set-Cookie` value of every cookie the portal writes: `name` holding `value` for
/// `max_age` seconds, or (with `None`) removed; HttpOnly and SameSite=Lax on the whole site,
/// `Secure` when the portal is served over https.
pub fn cookie_header(name: &str, value: Option<(&str, u64)>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let (value, max_age) = value.unwrap_or(("", 0));
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The value of the cookie `name` among the cookies of `headers`, if it is there.
pub fn cookie_in<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// The session token the current request carries, if any.
pub fn request_token() -> Option<String> {
    token_in(&leptos::prelude::use_context::<http::request::Parts>()?.headers)
}

/// The session token among the cookies of `headers`, if any.
pub fn token_in(headers: &http::HeaderMap) -> Option<String> {
    cookie_in(headers, COOKIE_NAME)
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
}

/// Adds a `Set-Cookie` header to the response being built.
pub fn set_cookie(value: &str) {
    if let (Some(opts), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        opts.append_header(SET_COOKIE, value);
    }
}

/// The logged-in user of the current request, if any.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let Some(token) = request_token() else {
        return Ok(None);
    };
    user_of_token(&app_state()?.store, &token).await
}

/// The user whose live session `token` opens, if any.
pub async fn user_of_token(store: &Store, token: &str) -> Result<Option<SessionUser>, AppError> {
    let hash = token_hash(token);
    Ok(store.call(move |c| users::session_user(c, &hash)).await?)
}

/// The user of the current request when their role is at least `role`: `Unauthorized` without a
/// session, `Forbidden` with too small a role. Every mutating server function starts with this.
pub async fn require(role: Role) -> Result<SessionUser, AppError> {
    match current_user().await? {
        None => Err(AppError::Unauthorized),
        Some(user) if user.role < role => Err(AppError::Forbidden),
        Some(user) => Ok(user),
    }
}

/// The client's address, for throttling failed logins (see `address::client_addr`).
pub fn client_ip() -> String {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return "unknown".to_owned();
    };
    let trusted = app_state()
        .map(|s| s.config.trusted_proxies)
        .unwrap_or_default();
    client_ip_of(&parts, &trusted)
}

/// The client's address of the request `parts`, behind the `trusted` proxies.
pub fn client_ip_of(parts: &http::request::Parts, trusted: &[super::address::Cidr]) -> String {
    super::address::client_of(parts, trusted)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a).len(), 64);
    }

    #[test]
    fn cookies_are_http_only_same_site_and_secure_over_https() {
        let c = cookie(Some("abc"), false);
        assert!(c.starts_with("twincity_session=abc;"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(cookie(Some("abc"), true).ends_with("; Secure"));
        assert!(cookie(None, false).contains("Max-Age=0"));
    }
}
