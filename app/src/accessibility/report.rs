//! `POST /accessibility/report` (also under `/ru`): a barrier report from the statement's plain
//! form, without a login. A saved report sends the browser back to the statement with a thank-you;
//! a refused one is answered with its status (400, 429, 503) and the statement page again, its
//! form holding what the visitor wrote and the reason in words.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, LOCATION, RETRY_AFTER};
use http::StatusCode;
use leptos::prelude::*;

use super::{NewReport, Refusal, RefusedReport, ReportCap, MAX_CONTACT, MAX_PAGE, MAX_WHAT};
use crate::auth::address::{self, Cidr};
use crate::error::{AppError, Arg};
use crate::i18n::{Key, Lang};
use crate::state::AppState;
use crate::store;
use crate::store::accessibility::{Admission, REPORTS_PER_DAY, WAITING_PER_SENDER};

/// Largest form body read; a report within the limits is far smaller.
const MAX_FORM: usize = 64 * 1024;

/// The handler.
pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    let lang = Lang::of_path(request.uri().path());
    let (parts, body) = request.into_parts();
    // Every request from a socket has a peer address; those built in-process count as one sender.
    let sender = address::client_of(&parts, &state.config.trusted_proxies).map_or_else(
        || "unknown".to_owned(),
        |ip| Cidr::sender_of(ip).to_string(),
    );
    let (report, outcome) = match axum::body::to_bytes(body, MAX_FORM).await {
        Ok(bytes) => {
            let report = read(&bytes, lang);
            let outcome = save(&state, sender, &report).await;
            (report, outcome)
        }
        Err(_) => {
            let too_long =
                AppError::invalid_with("what", Key::ErrReportTooLong, [Arg::value(MAX_WHAT)]);
            let report = NewReport {
                lang,
                ..NewReport::default()
            };
            (report, Err(too_long.into()))
        }
    };
    match outcome {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [
                (LOCATION, lang.href("/accessibility?report=sent#report")),
                (CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        Err(reason) => refused(state, parts, RefusedReport { report, reason }).await,
    }
}

/// The fields of the form body; missing ones are empty.
fn read(bytes: &[u8], lang: Lang) -> NewReport {
    let mut report = NewReport {
        lang,
        ..NewReport::default()
    };
    for (name, value) in form_urlencoded::parse(bytes) {
        let field = match &*name {
            "page" => &mut report.page,
            "what" => &mut report.what,
            "contact" => &mut report.contact,
            _ => continue,
        };
        *field = value.trim().to_owned();
    }
    report
}

/// Counts the report against the limits of its `sender` (see `Cidr::sender_of`), checks it and
/// stores it.
async fn save(state: &AppState, sender: String, report: &NewReport) -> Result<(), Refusal> {
    let admission = state
        .store
        .call(move |c| store::accessibility::reserve_report(c, &sender))
        .await
        .map_err(AppError::from)?;
    let attempt = match admission {
        Admission::Allowed(attempt) => attempt,
        Admission::TooSoon => return Err(AppError::TooManyReports.into()),
        Admission::Refused(cap) => return Err(Refusal::Cap(cap)),
    };
    validate(report)?;
    let report = report.clone();
    state
        .store
        .call(move |c| store::accessibility::insert_report(c, &report, attempt))
        .await
        .map_err(AppError::from)?;
    Ok(())
}

/// Whether a person could have written `report`: something said in words, within the limits.
pub fn validate(report: &NewReport) -> Result<(), AppError> {
    let long = |field: &str, text: &str, max: usize| {
        (text.chars().count() > max)
            .then(|| AppError::invalid_with(field, Key::ErrReportFieldTooLong, [Arg::value(max)]))
    };
    if let Some(error) = long("page", &report.page, MAX_PAGE)
        .or_else(|| long("what", &report.what, MAX_WHAT))
        .or_else(|| long("contact", &report.contact, MAX_CONTACT))
    {
        return Err(error);
    }
    if report.what.is_empty() {
        return Err(AppError::invalid("what", Key::ErrReportWhatMissing));
    }
    let is_link = |word: &str| {
        let word = word.to_ascii_lowercase();
        word.contains("://") || word.starts_with("www.") || word.contains("[url")
    };
    let words: Vec<&str> = report.what.split_whitespace().collect();
    let links = words.iter().filter(|w| is_link(w)).count();
    let said = words
        .iter()
        .filter(|w| !is_link(w) && w.chars().any(char::is_alphabetic))
        .count();
    if said < 2 || links > 3 {
        return Err(AppError::invalid("what", Key::ErrReportLinksOnly));
    }
    Ok(())
}

impl Refusal {
    /// The status the refusal is answered with: a cap on one sender is a 429, the cap on all
    /// reports waiting a 503, since nobody's sending it causes it.
    fn status(&self) -> StatusCode {
        match self {
            Self::Error(error) => {
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            Self::Cap(ReportCap::SenderDay | ReportCap::SenderWaiting) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Cap(ReportCap::AllWaiting) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// After how many seconds the sender may try again; none for a cap, which holds until admins
    /// answer reports or the sender's oldest report of the last 24 hours is older.
    fn retry_after(&self) -> Option<u32> {
        match self {
            Self::Error(error) => error.retry_after(),
            Self::Cap(_) => None,
        }
    }

    /// Why, in words, for the form in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let p = lang.p();
        match self {
            Self::Error(error) => error.message(lang),
            Self::Cap(ReportCap::SenderDay) => {
                lang.plural(REPORTS_PER_DAY.unsigned_abs(), p.report_refused_sender_day)
            }
            Self::Cap(ReportCap::SenderWaiting) => lang.plural(
                WAITING_PER_SENDER.unsigned_abs(),
                p.report_refused_sender_waiting,
            ),
            Self::Cap(ReportCap::AllWaiting) => p.report_refused_all_waiting.to_owned(),
        }
    }

    /// The form field the refusal is about, if it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Error(AppError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }
}

/// The statement page with the refused report in its form, answered with the refusal's status.
async fn refused(state: AppState, parts: http::request::Parts, refused: RefusedReport) -> Response {
    let status = refused.reason.status();
    let retry_after = refused.reason.retry_after();
    let lang = refused.report.lang;
    let mut request = Request::from_parts(parts, Body::empty());
    *request.method_mut() = http::Method::GET;
    *request.uri_mut() = lang
        .href("/accessibility")
        .parse()
        .unwrap_or_else(|_| http::Uri::from_static("/accessibility"));
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(refused.clone());
        },
        move || crate::shell(options.clone()),
    );
    let mut response = render(request).await;
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    if let Some(seconds) = retry_after {
        headers.insert(RETRY_AFTER, seconds.into());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(what: &str) -> NewReport {
        NewReport {
            what: what.into(),
            ..NewReport::default()
        }
    }

    #[test]
    fn reports_in_words_pass_and_links_alone_do_not() {
        assert!(validate(&report("The map cannot be used with a keyboard")).is_ok());
        assert!(validate(&report(
            "Карта не работает с клавиатуры, см. https://example.org/x"
        ))
        .is_ok());
        for spam in [
            "https://spam.example https://spam.example/2",
            "buy www.spam.example",
            "cheap http://a.example http://b.example http://c.example http://d.example now please",
            "",
            "!!! ???",
        ] {
            assert!(validate(&report(spam)).is_err(), "{spam}");
        }
        assert!(validate(&NewReport {
            contact: "x".repeat(MAX_CONTACT + 1),
            ..report("The text is too small")
        })
        .is_err());
    }

    #[test]
    fn the_form_body_is_read_field_by_field() {
        let r = read(b"page=%2Fmap&what=No+labels&contact=&other=x", Lang::Ru);
        assert_eq!(
            (r.page.as_str(), r.what.as_str(), r.lang),
            ("/map", "No labels", Lang::Ru)
        );
    }
}
