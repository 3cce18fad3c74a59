//! Server functions of the session: who is logged in, logging in and logging out.

use leptos::prelude::*;

use super::SessionUser;
use crate::error::AppError;

/// Most failed logins from one address within the window before it must wait.
pub const MAX_FAILURES_PER_IP: u32 = 20;
/// Most failed logins for one user name within the window before it must wait.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failed logins are counted over this window: a client refused for too many waits at most this.
pub const FAILURE_WINDOW_SECONDS: u32 = 15 * 60;

/// The logged-in user, if any.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    super::session::current_user().await
}

/// Logs in and sends the browser to `next` (a path on this site). The same error answers an
/// unknown name, a disabled account and a wrong password, so the form reveals no accounts.
///
/// Under a flood it stays cheap: an attempt is counted against the limits before its password
/// is checked (so a burst gets at most the limit of checks), and the checks themselves run a
/// few at a time; past that the answer is a quick `Busy`.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    log_in(username, password, next).await
}

#[cfg(feature = "ssr")]
async fn log_in(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::session;
    use crate::state::app_state;
    use crate::store::{audit, users};

    let state = app_state()?;
    let username = username.trim().to_owned();
    if username.is_empty() || username.len() > 64 || password.len() > 1024 {
        return Err(AppError::LoginFailed);
    }
    let ip = session::client_ip();
    let limits = users::Limits {
        per_ip: MAX_FAILURES_PER_IP,
        per_account: MAX_FAILURES_PER_ACCOUNT,
    };
    let reservation = {
        let (ip, username) = (ip.clone(), username.clone());
        state
            .store
            .call(move |c| users::reserve_attempt(c, &ip, &username, limits))
            .await?
            .ok_or(AppError::TooManyAttempts)?
    };
    let found = {
        let username = username.clone();
        state
            .store
            .call(move |c| users::credentials(c, &username))
            .await?
    };
    let (user_id, hash) = match found {
        Some(c) if !c.disabled => (Some(c.user_id), Some(c.password_hash)),
        // A disabled account's password is still checked, against the decoy: as slow as any.
        _ => (None, None),
    };
    let verified = match state.passwords.verify(password, hash).await {
        Ok(verified) => verified,
        Err(_busy) => {
            // Never checked, so not a failure of this name's.
            state
                .store
                .call(move |c| users::release(c, reservation))
                .await?;
            return Err(AppError::Busy);
        }
    };
    let (Some(user_id), true) = (user_id, verified) else {
        return Err(AppError::LoginFailed);
    };
    let token = session::new_token()?;
    let hash = session::token_hash(&token);
    state
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            users::create_session(&tx, user_id, &hash)?;
            users::release(&tx, reservation)?;
            users::clear_failures(&tx, &username)?;
            audit::record(
                &tx,
                Some(user_id),
                "login",
                &format!("user:{username}"),
                &crate::editor::audit::AuditDetail::Login { address: ip },
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    let secure = state.config.is_https();
    session::set_cookie(&session::cookie(Some(&token), secure));
    crate::url::redirect(&safe_next(next.as_deref(), &state.config.public_url));
    Ok(())
}

/// Ends the current session and sends the browser home.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::session;
    use crate::state::app_state;
    use crate::store::users;

    let state = app_state()?;
    if let Some(token) = session::request_token() {
        let hash = session::token_hash(&token);
        state
            .store
            .call(move |c| users::end_session(c, &hash))
            .await?;
    }
    let secure = state.config.is_https();
    session::set_cookie(&session::cookie(None, secure));
    crate::url::redirect("/");
    Ok(())
}

/// Where to go after logging in: `next` when it is a path of this site (read as a browser would
/// read it against `public_url`: same origin, and no control character or backslash, which
/// browsers drop or turn into slashes), else the home page.
#[cfg(feature = "ssr")]
pub fn safe_next(next: Option<&str>, public_url: &str) -> String {
    let home = "/".to_owned();
    let Some(next) = next else {
        return home;
    };
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    let suspicious = |text: &str| text.chars().any(|c| c.is_control() || c == '\\');
    if !next.starts_with('/') || suspicious(next) || suspicious(&decoded) {
        return home;
    }
    let Ok(base) = url::Url::parse(public_url) else {
        return home;
    };
    let Ok(joined) = base.join(next) else {
        return home;
    };
    if joined.origin() != base.origin() || decoded.starts_with("//") {
        return home;
    }
    let mut path = joined.path().to_owned();
    if let Some(query) = joined.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = joined.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    path
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::safe_next;

    const SITE: &str = "https://portal.example";

    #[test]
    fn next_stays_on_this_site() {
        let next = |value: &str| safe_next(Some(value), SITE);
        assert_eq!(next("/news/x?edit"), "/news/x?edit");
        assert_eq!(next("/ru/news?page=2#top"), "/ru/news?page=2#top");
        assert_eq!(safe_next(None, SITE), "/");
        for hostile in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "%2F%2Fevil.example",
            "javascript:alert(1)",
            "/\u{7f}/evil.example",
            "",
        ] {
            assert_eq!(next(hostile), "/", "{hostile:?}");
        }
    }
}
