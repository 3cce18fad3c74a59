//! The one error type of the app. Policy: every failure a visitor or editor can cause maps to a
//! 4xx variant with a message a person understands; anything else is `Internal`, whose detail is
//! logged on the server and never sent to the client.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a request could not be served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
    /// A login with a wrong name or password (deliberately not saying which).
    #[error("login failed")]
    LoginFailed,
    /// Too many failed logins from this address or for this name; try again later.
    #[error("too many attempts")]
    TooManyAttempts,
    #[error("conflict")]
    Conflict,
    #[error("internal error")]
    Internal,
    /// The browser could not reach the server or understand its answer.
    #[error("server unreachable: {0}")]
    Unavailable(String),
}

impl AppError {
    /// An `Invalid` error for `field` with a message for the person who sent it.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::Invalid { .. } => 400,
            Self::LoginFailed => 401,
            Self::TooManyAttempts => 429,
            Self::Conflict => 409,
            Self::Internal => 500,
            Self::Unavailable(_) => 503,
        }
    }

    /// A short heading for the error page.
    pub fn heading(&self) -> &'static str {
        match self {
            Self::NotFound => "Page not found",
            Self::Unauthorized => "Please log in",
            Self::Forbidden => "Not allowed",
            Self::Invalid { .. } => "That request did not make sense",
            Self::LoginFailed => "Could not log in",
            Self::TooManyAttempts => "Too many attempts",
            Self::Conflict => "Someone else changed this meanwhile",
            Self::Internal => "Something went wrong on our side",
            Self::Unavailable(_) => "The server could not be reached",
        }
    }

    /// What the person can do about it.
    pub fn message(&self) -> String {
        match self {
            Self::NotFound => {
                "There is nothing at this address. It may have moved, or the link may be mistyped."
                    .to_owned()
            }
            Self::Unauthorized => "This page is for the portal's editors.".to_owned(),
            Self::Forbidden => "Your account may not do this.".to_owned(),
            Self::Invalid { message, .. } => message.clone(),
            Self::LoginFailed => "The user name or the password is wrong.".to_owned(),
            Self::TooManyAttempts => {
                "Too many failed logins. Please wait a quarter of an hour and try again.".to_owned()
            }
            Self::Conflict => "Reload to see the current version.".to_owned(),
            Self::Internal => "The error has been logged. Please try again in a moment.".to_owned(),
            Self::Unavailable(_) => "Check your connection and try again.".to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                Self::invalid("request", format!("The request was malformed: {msg}"))
            }
            // On the server, what fails to deserialise is the request's arguments.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(msg) => {
                Self::invalid("request", format!("The request was malformed: {msg}"))
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(msg) => Self::Unavailable(msg),
            ServerFnErrorErr::Request(msg) | ServerFnErrorErr::Response(msg) => {
                Self::Unavailable(msg)
            }
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use crate::store::StoreError;

    impl From<StoreError> for AppError {
        fn from(err: StoreError) -> Self {
            if let StoreError::Rejected { field, message } = err {
                return Self::Invalid {
                    field: field.to_owned(),
                    message,
                };
            }
            if let StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows) = err {
                return Self::NotFound;
            }
            if let StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) = &err {
                if e.code == rusqlite::ErrorCode::ConstraintViolation
                    && e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                {
                    return Self::Conflict;
                }
            }
            tracing::error!(error = %err, "store call failed");
            Self::Internal
        }
    }

    /// Sets the HTTP status of the current response from an error result, so that a server
    /// function answers its HTTP callers with a real status and a page rendering it gets it too.
    /// A plain HTML form posting to a server function is the exception: the framework answers it
    /// with a redirect back to the form's page, the error in the URL, and that must stay a redirect.
    pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(err) = &result {
            if !is_html_form_post() {
                set_status(err.status());
            }
        }
        result
    }

    fn is_html_form_post() -> bool {
        leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
            parts.uri.path().starts_with("/api/")
                && parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
        })
    }

    /// Sets the HTTP status of the response being rendered, when there is one.
    pub fn set_status(code: u16) {
        if let (Some(opts), Ok(status)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(code),
        ) {
            opts.set_status(status);
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{set_status, with_status};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_4xx_or_5xx_status_and_a_message() {
        let all = [
            AppError::NotFound,
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::invalid("page", "The page number must be a whole number."),
            AppError::LoginFailed,
            AppError::TooManyAttempts,
            AppError::Conflict,
            AppError::Internal,
            AppError::Unavailable("offline".into()),
        ];
        for e in all {
            assert!((400..600).contains(&e.status()), "{e:?}");
            assert!(!e.message().is_empty());
        }
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::invalid("x", "y").status(), 400);
    }

    #[test]
    fn malformed_arguments_become_a_400() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("page".into()));
        assert_eq!(e.status(), 400);
    }
}
