//! The one error type of the app. Policy: every failure a visitor or editor can cause maps to a
//! 4xx variant with a message a person understands; anything else is `Internal`, whose detail is
//! logged on the server and never sent to the client.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::{fill, Key, Lang};

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
    Invalid { field: String, message: Message },
    /// A login with a wrong name or password (deliberately not saying which).
    #[error("login failed")]
    LoginFailed,
    /// Too many failed logins from this address or for this name; try again later.
    #[error("too many attempts")]
    TooManyAttempts,
    /// Too many barrier reports from this address within a minute.
    #[error("too many reports")]
    TooManyReports,
    /// Slow work (checking a password, resizing an image) is at its bound; try again shortly.
    #[error("busy")]
    Busy,
    #[error("conflict")]
    Conflict,
    #[error("internal error")]
    Internal,
    /// The browser could not reach the server or understand its answer.
    #[error("server unreachable: {0}")]
    Unavailable(String),
}

/// A message in the catalogue's words: its key, and what fills its `{0}`, `{1}`…, so that each
/// reader sees it in their own language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub key: Key,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Arg>,
}

/// What fills a placeholder of a [`Message`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arg {
    /// A catalogue string (a field's label), shown in the reader's language.
    Key(Key),
    /// A value (a number, a date, what the request sent), shown as it is.
    Value(String),
}

impl Arg {
    /// `value` as it will be shown, cut to its first 200 characters ([`brief`]): it may be what
    /// a request sent, as long as the request, and the answer need not echo it whole.
    pub fn value(value: impl std::fmt::Display) -> Self {
        Self::Value(brief(&value.to_string()))
    }
}

impl From<Key> for Arg {
    fn from(key: Key) -> Self {
        Self::Key(key)
    }
}

impl Message {
    /// The message `key` filled with `args`.
    pub fn new(key: Key, args: impl IntoIterator<Item = Arg>) -> Self {
        Self {
            key,
            args: args.into_iter().collect(),
        }
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let t = lang.t();
        let args: Vec<&str> = self
            .args
            .iter()
            .map(|arg| match arg {
                Arg::Key(key) => t.of(*key),
                Arg::Value(value) => value.as_str(),
            })
            .collect();
        let args: Vec<&dyn std::fmt::Display> = args.iter().map(|a| a as _).collect();
        fill(t.of(self.key), &args)
    }
}

impl From<Key> for Message {
    fn from(key: Key) -> Self {
        Self::new(key, [])
    }
}

/// In logs, a message reads in English.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl AppError {
    /// A 400 for `field`, saying the catalogue's `key`.
    pub fn invalid(field: &str, key: Key) -> Self {
        Self::invalid_with(field, key, [])
    }

    /// A 400 for `field` whose message, the catalogue's `key`, has `{0}`, `{1}`… filled with
    /// `args`.
    pub fn invalid_with(field: &str, key: Key, args: impl IntoIterator<Item = Arg>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: Message::new(key, args),
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
            Self::TooManyAttempts | Self::TooManyReports => 429,
            Self::Busy => 503,
            Self::Conflict => 409,
            Self::Internal => 500,
            Self::Unavailable(_) => 503,
        }
    }

    /// After how many seconds a client may try again, for the errors that say to wait.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::TooManyAttempts => Some(crate::auth::api::FAILURE_WINDOW_SECONDS),
            Self::TooManyReports => Some(60),
            Self::Busy => Some(2),
            _ => None,
        }
    }

    /// The error as this site would have written it, when it came from an address: anybody
    /// can write an address, so an `Invalid` message with a value in it (free text) is never
    /// shown from there; a message is always one of the catalogue's keys.
    pub fn from_address(self) -> Option<Self> {
        match &self {
            Self::Invalid { message, .. }
                if message.args.iter().any(|a| matches!(a, Arg::Value(_))) =>
            {
                None
            }
            Self::Unavailable(_) => Some(Self::Unavailable(String::new())),
            _ => Some(self),
        }
    }

    /// The error a plain HTML form posting to the server function at `path` came back with: the
    /// framework sends the browser back to the form's page with the error in the address
    /// (`__path`, `__err`), where anybody could have put one, so only [`Self::from_address`]
    /// errors count.
    pub fn of_form(query: &leptos_router::params::ParamsMap, path: &str) -> Option<Self> {
        (query.get_str("__path") == Some(path))
            .then(|| query.get_str("__err"))
            .flatten()
            .map(leptos::server_fn::error::ServerFnUrlError::<Self>::decode_err)
            .and_then(Self::from_address)
    }

    /// A short heading for the error page, in `lang`.
    pub fn heading(&self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Self::NotFound => t.err_not_found,
            Self::Unauthorized => t.err_unauthorized,
            Self::Forbidden => t.err_forbidden,
            Self::Invalid { .. } => t.err_invalid,
            Self::LoginFailed => t.err_login_failed,
            Self::TooManyAttempts => t.err_too_many,
            Self::TooManyReports => t.err_too_many_reports,
            Self::Busy => t.err_busy,
            Self::Conflict => t.err_conflict,
            Self::Internal => t.err_internal,
            Self::Unavailable(_) => t.err_unavailable,
        }
    }

    /// What the person can do about it, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.t();
        match self {
            Self::NotFound => t.err_not_found_text.to_owned(),
            Self::Unauthorized => t.err_unauthorized_text.to_owned(),
            Self::Forbidden => t.err_forbidden_text.to_owned(),
            Self::Invalid { message, .. } => message.text(lang),
            Self::LoginFailed => t.err_login_failed_text.to_owned(),
            Self::TooManyAttempts => t.err_too_many_text.to_owned(),
            Self::TooManyReports => t.err_too_many_reports_text.to_owned(),
            Self::Busy => t.err_busy_text.to_owned(),
            Self::Conflict => t.err_conflict_text.to_owned(),
            Self::Internal => t.err_internal_text.to_owned(),
            Self::Unavailable(_) => t.err_unavailable_text.to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                Self::invalid_with("request", Key::ErrMalformed, [Arg::value(msg)])
            }
            // On the server, what fails to deserialise is the request's arguments.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(msg) => {
                Self::invalid_with("request", Key::ErrMalformed, [Arg::value(msg)])
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

/// At most the first 200 characters of `msg`.
fn brief(msg: &str) -> String {
    const MAX: usize = 200;
    match msg.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &msg[..at]),
        None => msg.to_owned(),
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
pub use ssr::set_status;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_4xx_or_5xx_status_and_a_message() {
        let all = [
            AppError::NotFound,
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::invalid("page", Key::ErrPageNumber),
            AppError::LoginFailed,
            AppError::TooManyAttempts,
            AppError::TooManyReports,
            AppError::Busy,
            AppError::Conflict,
            AppError::Internal,
            AppError::Unavailable("offline".into()),
        ];
        for e in all {
            assert!((400..600).contains(&e.status()), "{e:?}");
            for lang in Lang::ALL {
                assert!(!e.message(lang).is_empty());
                assert!(!e.heading(lang).is_empty());
            }
        }
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::invalid("x", Key::ErrSort).status(), 400);
    }

    #[test]
    fn an_address_shows_only_the_site_s_own_messages() {
        let own = AppError::invalid("page", Key::ErrPageNumber);
        assert_eq!(own.clone().from_address(), Some(own));
        assert_eq!(
            AppError::LoginFailed.from_address(),
            Some(AppError::LoginFailed)
        );
        let labelled = AppError::invalid_with("name", Key::ErrEmpty, [Key::LabelCityName.into()]);
        assert_eq!(labelled.clone().from_address(), Some(labelled));
        let with_text =
            AppError::invalid_with("request", Key::ErrMalformed, [Arg::value("send it to me")]);
        assert_eq!(with_text.from_address(), None);
        let forged = r#"{"Invalid":{"field":"x","message":{"key":"Password expired: mail evil@example.com"}}}"#;
        assert!(serde_json::from_str::<AppError>(forged).is_err());
    }

    #[test]
    fn no_message_echoes_a_request_whole() {
        let sent = "𠹕".repeat(100_000);
        let error =
            AppError::invalid_with("published_at", Key::ErrNotDatetime, [Arg::value(&sent)]);
        let json = serde_json::to_string(&error).unwrap();
        assert!(json.chars().count() < 350, "{}", json.len());
        assert!(error.message(Lang::En).contains("𠹕𠹕"));
    }

    #[test]
    fn malformed_arguments_become_a_400() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("page".into()));
        assert_eq!(e.status(), 400);
        let long = format!("invalid type: string \"{}\"", "я".repeat(100_000));
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args(long));
        assert!(
            e.message(Lang::En).chars().count() < 300,
            "the value is not echoed whole"
        );
    }

    #[test]
    fn invalid_messages_are_shown_in_the_reader_s_language() {
        let e = AppError::invalid("page", Key::ErrPageNumber);
        assert!(e.message(Lang::En).contains("whole number"));
        assert!(e.message(Lang::Ru).contains("целым числом"));
        let e = AppError::invalid_with("request", Key::ErrMalformed, [Arg::value("x")]);
        assert_eq!(e.message(Lang::Ru), "Запрос искажён: x");
        let e = AppError::invalid_with("name", Key::ErrEmpty, [Key::LabelCityName.into()]);
        assert!(e.message(Lang::Ru).contains(Lang::Ru.t().label_city_name));
        assert!(e.message(Lang::En).contains(Lang::En.t().label_city_name));
    }
}
