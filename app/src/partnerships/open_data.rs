//! `/open-data/partnerships.json`, `/open-data/partnerships.csv` and `/open-data/events.json`:
//! what visitors can read about the partnerships and events, in both languages, under the
//! licence below. Field names are a public interface (`docs/open-data.md`): add, never rename.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, LINK};
use http::HeaderValue;
use serde::Serialize;

use super::{Detail, Entry, PlanCounts};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::store::partnerships::OpenPartnership;
use crate::store::syndication::OpenEvent;

/// The licence the open data is published under.
pub const LICENCE_NAME: &str = "CC BY 4.0";
pub const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

/// A text in both languages (empty where it has not been written in one).
#[derive(Debug, Serialize)]
pub struct Texts {
    pub en: String,
    pub ru: String,
}

#[derive(Debug, Serialize)]
struct Licence {
    name: &'static str,
    url: &'static str,
}

const LICENCE: Licence = Licence {
    name: LICENCE_NAME,
    url: LICENCE_URL,
};

#[derive(Debug, Serialize)]
struct PartnershipsDocument {
    licence: Licence,
    source: String,
    partnerships: Vec<PartnershipRecord>,
}

#[derive(Debug, Serialize)]
struct PartnershipRecord {
    slug: String,
    url: String,
    name: Texts,
    country: Texts,
    kind: &'static str,
    since_year: Option<i32>,
    status: &'static str,
    latitude: f64,
    longitude: f64,
    latest_activity: Option<String>,
    quiet: bool,
    plan_progress: PlanCounts,
    agreements: Vec<AgreementRecord>,
    status_history: Vec<StatusRecord>,
    milestones: Vec<MilestoneRecord>,
    plan: Vec<PlanRecord>,
    visits: Vec<VisitRecord>,
}

#[derive(Debug, Serialize)]
struct AgreementRecord {
    id: i64,
    kind: &'static str,
    signed: String,
    place: String,
    signatories: String,
    summary: Texts,
    renewal_or_expiry: Option<String>,
    document_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct StatusRecord {
    id: i64,
    date: String,
    status: &'static str,
    note: Texts,
}

#[derive(Debug, Serialize)]
struct MilestoneRecord {
    id: i64,
    date: String,
    title: Texts,
    text: Texts,
    photo_url: Option<String>,
    photo_alt: Texts,
    news: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PlanRecord {
    id: i64,
    area: &'static str,
    description: Texts,
    responsible: String,
    target_date: String,
    state: &'static str,
    news: Vec<String>,
}

#[derive(Debug, Serialize)]
struct VisitRecord {
    id: i64,
    date: String,
    end_date: Option<String>,
    direction: &'static str,
    participants: String,
    purpose: Texts,
    outcome: Texts,
    news: Vec<String>,
}

fn texts(entry: &Entry, pick: impl Fn(&super::EntryText) -> &String) -> Texts {
    Texts {
        en: pick(&entry.en).clone(),
        ru: pick(&entry.ru).clone(),
    }
}

fn record(base: &str, p: OpenPartnership) -> PartnershipRecord {
    let news =
        |e: &Entry| -> Vec<String> { e.news.iter().map(|n| format!("{base}{}", n.href)).collect() };
    let mut record = PartnershipRecord {
        url: format!("{base}{}", p.en.href()),
        slug: p.en.slug.clone(),
        name: Texts {
            en: p.en.name.clone(),
            ru: p.ru.name.clone(),
        },
        country: Texts {
            en: p.en.country_name.clone(),
            ru: p.ru.country_name.clone(),
        },
        kind: p.en.kind.as_str(),
        since_year: p.en.since_year,
        status: p.en.status.as_str(),
        latitude: p.en.lat,
        longitude: p.en.lon,
        latest_activity: p.row.activity.latest.clone(),
        quiet: p.row.activity.quiet,
        plan_progress: p.row.plan,
        agreements: Vec::new(),
        status_history: Vec::new(),
        milestones: Vec::new(),
        plan: Vec::new(),
        visits: Vec::new(),
    };
    for e in &p.entries {
        match e.detail {
            Detail::Agreement(kind) => record.agreements.push(AgreementRecord {
                id: e.id,
                kind: kind.as_str(),
                signed: e.date.clone(),
                place: e.place.clone(),
                signatories: e.people.clone(),
                summary: texts(e, |t| &t.body),
                renewal_or_expiry: e.end_date.clone(),
                document_url: e.document.as_ref().map(|d| format!("{base}{}", d.href())),
            }),
            Detail::Status(status) => record.status_history.push(StatusRecord {
                id: e.id,
                date: e.date.clone(),
                status: status.as_str(),
                note: texts(e, |t| &t.body),
            }),
            Detail::Milestone => record.milestones.push(MilestoneRecord {
                id: e.id,
                date: e.date.clone(),
                title: texts(e, |t| &t.title),
                text: texts(e, |t| &t.body),
                photo_url: e.photo.as_ref().map(|p| format!("{base}{}", p.src())),
                photo_alt: texts(e, |t| &t.photo_alt),
                news: news(e),
            }),
            Detail::Plan(area, state) => record.plan.push(PlanRecord {
                id: e.id,
                area: area.as_str(),
                description: texts(e, |t| &t.title),
                responsible: e.people.clone(),
                target_date: e.date.clone(),
                state: state.as_str(),
                news: news(e),
            }),
            Detail::Visit(direction) => record.visits.push(VisitRecord {
                id: e.id,
                date: e.date.clone(),
                end_date: e.end_date.clone(),
                direction: direction.as_str(),
                participants: e.people.clone(),
                purpose: texts(e, |t| &t.title),
                outcome: texts(e, |t| &t.body),
                news: news(e),
            }),
        }
    }
    record
}

/// The CSV's columns, one row per partnership.
pub const CSV_COLUMNS: [&str; 20] = [
    "slug",
    "url",
    "name_en",
    "name_ru",
    "country_en",
    "country_ru",
    "kind",
    "since_year",
    "status",
    "latitude",
    "longitude",
    "latest_activity",
    "quiet",
    "agreements",
    "milestones",
    "visits",
    "plan_planned",
    "plan_in_progress",
    "plan_done",
    "plan_dropped",
];

/// A text cell as a spreadsheet shows it rather than runs it: one that begins like a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return) gets a `'` in front, as OWASP advises
/// against CSV injection. Numbers the portal writes itself are not text and never pass here.
fn inert_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_of(records: &[PartnershipRecord]) -> Result<String, AppError> {
    let internal = |e: csv::Error| {
        tracing::error!(error = %e, "cannot write the partnerships CSV");
        AppError::Internal
    };
    // Every text cell in quotes (OWASP's advice too); numbers bare, so they stay numbers.
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new());
    out.write_record(CSV_COLUMNS).map_err(internal)?;
    for r in records {
        let optional = |v: &Option<String>| inert_cell(v.as_deref().unwrap_or_default());
        out.write_record([
            inert_cell(&r.slug),
            inert_cell(&r.url),
            inert_cell(&r.name.en),
            inert_cell(&r.name.ru),
            inert_cell(&r.country.en),
            inert_cell(&r.country.ru),
            r.kind.to_owned(),
            r.since_year.map(|y| y.to_string()).unwrap_or_default(),
            r.status.to_owned(),
            r.latitude.to_string(),
            r.longitude.to_string(),
            optional(&r.latest_activity),
            r.quiet.to_string(),
            r.agreements.len().to_string(),
            r.milestones.len().to_string(),
            r.visits.len().to_string(),
            r.plan_progress.planned.to_string(),
            r.plan_progress.in_progress.to_string(),
            r.plan_progress.done.to_string(),
            r.plan_progress.dropped.to_string(),
        ])
        .map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| internal(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
}

#[derive(Debug, Serialize)]
struct EventsDocument {
    licence: Licence,
    source: String,
    events: Vec<EventRecord>,
}

#[derive(Debug, Serialize)]
struct EventRecord {
    slug: String,
    url: String,
    start: String,
    end: Option<String>,
    venue: String,
    published_at: String,
    title: Texts,
    lead: Texts,
    cities: Vec<String>,
    tags: Vec<String>,
}

fn event_record(base: &str, e: OpenEvent) -> EventRecord {
    EventRecord {
        url: format!("{base}/events/{}", e.slug),
        slug: e.slug,
        start: e.start,
        end: e.end,
        venue: e.venue,
        published_at: e.published_at,
        title: Texts {
            en: e.en.0,
            ru: e.ru.0,
        },
        lead: Texts {
            en: e.en.1,
            ru: e.ru.1,
        },
        cities: e.cities,
        tags: e.tags,
    }
}

/// An open-data answer: a document like the feeds (revalidated on every use; the page layer adds
/// the `ETag`), with the licence as a link.
fn published(content_type: &'static str, body: String) -> Response {
    let mut response = crate::syndication::document(content_type, body);
    if let Ok(link) = HeaderValue::from_str(&format!("<{LICENCE_URL}>; rel=\"license\"")) {
        response.headers_mut().insert(LINK, link);
    }
    response
}

fn failure(error: AppError) -> Response {
    crate::syndication::failure(Lang::En, &error)
}

async fn records(state: &AppState) -> Result<Vec<PartnershipRecord>, AppError> {
    let base = state.config.public_url.clone();
    let found = state
        .store
        .call(|c| crate::store::partnerships::open_partnerships(c))
        .await?;
    Ok(found.into_iter().map(|p| record(&base, p)).collect())
}

fn json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string_pretty(value).map_err(|_| AppError::Internal)
}

/// `GET /open-data/partnerships.json`.
pub async fn partnerships_json(State(state): State<AppState>) -> Response {
    let document = records(&state).await.and_then(|partnerships| {
        json(&PartnershipsDocument {
            licence: LICENCE,
            source: format!("{}/partnerships", state.config.public_url),
            partnerships,
        })
    });
    match document {
        Ok(body) => published("application/json; charset=utf-8", body),
        Err(e) => failure(e),
    }
}

/// `GET /open-data/partnerships.csv`.
pub async fn partnerships_csv(State(state): State<AppState>) -> Response {
    match records(&state).await.and_then(|r| csv_of(&r)) {
        Ok(body) => published("text/csv; charset=utf-8; header=present", body),
        Err(e) => failure(e),
    }
}

/// `GET /open-data/events.json`.
pub async fn events_json(State(state): State<AppState>) -> Response {
    let base = state.config.public_url.clone();
    let found = state
        .store
        .call(|c| crate::store::syndication::open_events(c))
        .await
        .map_err(AppError::from);
    let document = found.and_then(|events| {
        json(&EventsDocument {
            licence: LICENCE,
            source: format!("{base}/events"),
            events: events.into_iter().map(|e| event_record(&base, e)).collect(),
        })
    });
    match document {
        Ok(body) => published("application/json; charset=utf-8", body),
        Err(e) => failure(e),
    }
}

/// `GET /documents/{file}`: a scanned agreement, as a download of the type its bytes were
/// checked to be, never shown inline or sniffed as anything else. A document no published entry
/// shows is for signed-in editors only, kept by their browser alone; to anyone else it is not
/// there.
pub async fn document(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: http::HeaderMap,
) -> Response {
    // Every miss reads the same, a draft's document included, and no cache keeps it: once the
    // entry is published the document is there.
    let not_found = || {
        let mut response = failure(AppError::NotFound);
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    };
    let Some((hash, extension)) = file.split_once('.') else {
        return not_found();
    };
    if hash.len() != 64
        || !hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return not_found();
    }
    let lookup = hash.to_owned();
    let document = match state
        .store
        .call(move |c| crate::store::partnerships::stored_document(c, &lookup))
        .await
    {
        Ok(Some(d)) if super::Document::extension(&d.mime) == extension => d,
        Ok(_) => return not_found(),
        Err(e) => return failure(e.into()),
    };
    let caching = if document.published {
        "public, max-age=31536000, immutable"
    } else {
        match is_editor(&state, &headers).await {
            Ok(true) => "private, no-store",
            Ok(false) => return not_found(),
            Err(e) => return failure(e),
        }
    };
    let path = state.config.documents_dir.join(&file);
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return not_found();
    };
    let disposition = format!(
        "attachment; filename=\"agreement-{}.{extension}\"",
        &hash[..12]
    );
    (
        [
            (CONTENT_TYPE, document.mime),
            (http::header::CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, caching.to_owned()),
            (
                http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Whether the request `headers` carry the session of an editor or admin.
async fn is_editor(state: &AppState, headers: &http::HeaderMap) -> Result<bool, AppError> {
    let Some(token) = crate::auth::session::token_in(headers) else {
        return Ok(false);
    };
    let user = crate::auth::session::user_of_token(&state.store, &token).await?;
    Ok(user.is_some_and(|u| u.role >= crate::auth::Role::Editor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_begin_like_formulas_are_made_inert() {
        for (cell, inert) in [
            (
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
        ] {
            assert_eq!(inert_cell(cell), inert);
        }
        for plain in ["Chemnitz", "Кёльн", "", "1988", "a=b", " =1", "'quoted"] {
            assert_eq!(inert_cell(plain), plain);
        }
    }

    #[test]
    fn text_cells_are_quoted_and_numbers_stay_numbers() {
        let record = PartnershipRecord {
            slug: "toronto".into(),
            url: "http://portal.test/cities/toronto".into(),
            name: Texts {
                en: "=1+2".into(),
                ru: "Торонто".into(),
            },
            country: Texts {
                en: "-Canada".into(),
                ru: "Канада".into(),
            },
            kind: "partner",
            since_year: Some(1984),
            status: "active",
            latitude: 43.65,
            longitude: -79.38,
            latest_activity: None,
            quiet: true,
            plan_progress: PlanCounts::default(),
            agreements: Vec::new(),
            status_history: Vec::new(),
            milestones: Vec::new(),
            plan: Vec::new(),
            visits: Vec::new(),
        };
        let csv = csv_of(&[record]).unwrap();
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with(r#""toronto","http://portal.test/cities/toronto","'=1+2","Торонто","'-Canada","Канада","partner",1984,"active",43.65,-79.38,"#), "{row}");
        assert!(row.ends_with(",0,0,0,0,0,0,0"), "{row}");
    }
}
