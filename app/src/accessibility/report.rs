//! `POST /accessibility/report` (also under `/ru`): a barrier report from the statement's plain
//! form, without a login. A saved report sends the browser back to the statement with a thank-you;
//! a refused one is answered with its status (400, 429) and the statement page again, its
//! form holding what the visitor wrote and the reason in words.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, LOCATION, RETRY_AFTER};
use http::StatusCode;
use leptos::prelude::*;

use super::{NewReport, RefusedReport, MAX_CONTACT, MAX_PAGE, MAX_WHAT};
use crate::error::{AppError, Arg};
use crate::i18n::{Key, Lang};
use crate::state::AppState;
use crate::store;

/// Largest form body read; a report within the limits is far smaller.
const MAX_FORM: usize = 64 * 1024;

/// The handler.
pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    let lang = Lang::of_path(request.uri().path());
    let (parts, body) = request.into_parts();
    let address = crate::auth::session::client_ip_of(&parts, &state.config.trusted_proxies);
    let (report, outcome) = match axum::body::to_bytes(body, MAX_FORM).await {
        Ok(bytes) => {
            let report = read(&bytes, lang);
            let outcome = save(&state, &address, &report).await;
            (report, outcome)
        }
        Err(_) => (
            NewReport {
                lang,
                ..NewReport::default()
            },
            Err(AppError::invalid_with(
                "what",
                Key::ErrReportTooLong,
                [Arg::value(MAX_WHAT)],
            )),
        ),
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
        Err(error) => refused(state, parts, RefusedReport { report, error }).await,
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

/// Counts the report against the sender's limit, checks it and stores it.
async fn save(state: &AppState, address: &str, report: &NewReport) -> Result<(), AppError> {
    let address = address.to_owned();
    let allowed = state
        .store
        .call(move |c| store::accessibility::reserve_report(c, &address))
        .await?;
    if !allowed {
        return Err(AppError::TooManyReports);
    }
    validate(report)?;
    let report = report.clone();
    state
        .store
        .call(move |c| store::accessibility::insert_report(c, &report))
        .await?;
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

/// The statement page with the refused report in its form, answered with the error's status.
async fn refused(state: AppState, parts: http::request::Parts, refused: RefusedReport) -> Response {
    let status = StatusCode::from_u16(refused.error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let retry_after = refused.error.retry_after();
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
