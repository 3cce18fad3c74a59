//! Server functions of the session: who is logged in, logging in and logging out.

use leptos::prelude::*;

use super::SessionUser;
use crate::error::AppError;

/// Most failed logins from one address within the window before it must wait.
pub const MAX_FAILURES_PER_IP: u32 = 20;
/// Most failed logins for one user name within the window before it must wait.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;

/// The logged-in user, if any.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    super::session::current_user().await
}

/// Logs in and sends the browser to `next` (a path on this site). The same error answers an
/// unknown name, a disabled account and a wrong password, so the form reveals no accounts.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::{password, session};
    use crate::error::with_status;
    use crate::state::app_state;
    use crate::store::{audit, users};

    with_status(
        async move {
            let state = app_state()?;
            let username = username.trim().to_owned();
            if username.is_empty() || username.len() > 64 || password.len() > 1024 {
                return Err(AppError::LoginFailed);
            }
            let ip = session::client_ip();
            let (by_ip, by_account) = {
                let (ip, username) = (ip.clone(), username.clone());
                state
                    .store
                    .call(move |c| users::recent_failures(c, &ip, &username))
                    .await?
            };
            if by_ip >= MAX_FAILURES_PER_IP || by_account >= MAX_FAILURES_PER_ACCOUNT {
                return Err(AppError::TooManyAttempts);
            }
            let found = {
                let username = username.clone();
                state
                    .store
                    .call(move |c| users::credentials(c, &username))
                    .await?
            };
            // Hashing is deliberately slow: keep it off the async workers.
            let (user_id, ok) = tokio::task::spawn_blocking(move || match found {
                Some(c) => (
                    Some(c.user_id),
                    password::verify(&password, &c.password_hash) && !c.disabled,
                ),
                None => (None, password::verify(&password, password::decoy_hash())),
            })
            .await
            .map_err(|_| AppError::Internal)?;
            let (Some(user_id), true) = (user_id, ok) else {
                state
                    .store
                    .call(move |c| users::record_failure(c, &ip, &username))
                    .await?;
                return Err(AppError::LoginFailed);
            };
            let token = session::new_token()?;
            let hash = session::token_hash(&token);
            state
                .store
                .call(move |c| {
                    let tx = c.transaction()?;
                    users::create_session(&tx, user_id, &hash)?;
                    users::clear_failures(&tx, &username)?;
                    audit::record(
                        &tx,
                        Some(user_id),
                        "login",
                        &format!("user:{username}"),
                        &ip,
                    )?;
                    tx.commit()?;
                    Ok(())
                })
                .await?;
            let secure = state.config.public_url.starts_with("https://");
            session::set_cookie(&session::cookie(Some(&token), secure));
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
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
    let secure = state.config.public_url.starts_with("https://");
    session::set_cookie(&session::cookie(None, secure));
    leptos_axum::redirect("/");
    Ok(())
}

/// Where to go after logging in: a local path, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/news/x?edit")), "/news/x?edit");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
