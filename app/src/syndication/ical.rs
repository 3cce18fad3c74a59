//! `/events.ics` (every event) and `/events/{slug}/calendar.ics` (one event): iCalendar
//! (RFC 5545) files that calendar apps can subscribe to or import.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;

use super::{document, failure};
use crate::error::AppError;
use crate::i18n::{add_days, fill, Lang};
use crate::news::ItemSummary;
use crate::state::AppState;
use crate::store::{items, syndication};

/// Most events in the calendar of all events.
const MAX_EVENTS: u32 = 1_000;

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn compact_date(iso: &str) -> String {
    iso.get(..10).unwrap_or(iso).replace('-', "")
}

fn compact_stamp(iso: &str) -> String {
    iso.replace(['-', ':'], "")
}

/// One VEVENT: all-day dates (DTEND is exclusive, so the day after the last day).
fn vevent(lang: Lang, event: &ItemSummary, base: &str, host: &str, stamp: &str) -> String {
    let Some(start) = event.event_start.as_deref() else {
        return String::new();
    };
    let last = event.event_end.as_deref().unwrap_or(start);
    let end = add_days(last, 1).unwrap_or_else(|| last.to_owned());
    let url = format!("{base}{}", lang.href(&event.href()));
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@{host}", event.slug),
        format!("DTSTAMP:{}", compact_stamp(stamp)),
        format!("DTSTART;VALUE=DATE:{}", compact_date(start)),
        format!("DTEND;VALUE=DATE:{}", compact_date(&end)),
        format!("SUMMARY:{}", text(&event.title)),
        format!("DESCRIPTION:{}", text(&event.lead)),
        format!("URL:{url}"),
    ];
    if !event.venue.is_empty() {
        lines.push(format!("LOCATION:{}", text(&event.venue)));
    }
    lines.push("END:VEVENT".to_owned());
    lines.iter().map(|l| fold(l)).collect()
}

fn calendar(lang: Lang, name: &str, events: &[ItemSummary], base: &str, stamp: &str) -> String {
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .trim_end_matches('/');
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//twincity//Volgograd International//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", text(name)),
    ] {
        out.push_str(&fold(&line));
    }
    for event in events {
        out.push_str(&vevent(lang, event, base, host, stamp));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// `GET /events.ics`.
pub async fn all_events(State(state): State<AppState>, uri: Uri) -> Response {
    let lang = Lang::of_path(uri.path());
    let found = state
        .store
        .call(move |c| Ok((syndication::events(c, lang, MAX_EVENTS)?, items::now(c)?)))
        .await;
    match found {
        Ok((events, now)) => document(
            "text/calendar; charset=utf-8",
            calendar(
                lang,
                &fill(lang.t().ical_name, &[&lang.t().site_name]),
                &events,
                &state.config.public_url,
                &now,
            ),
        ),
        Err(e) => failure(lang, &AppError::from(e)),
    }
}

/// `GET /events/{slug}/calendar.ics`.
pub async fn one_event(
    State(state): State<AppState>,
    uri: Uri,
    Path(slug): Path<String>,
) -> Response {
    let lang = Lang::of_path(uri.path());
    let found = state
        .store
        .call(move |c| Ok((syndication::event(c, lang, &slug)?, items::now(c)?)))
        .await;
    match found {
        Ok((Some(event), now)) => document(
            "text/calendar; charset=utf-8",
            calendar(
                lang,
                &event.title,
                std::slice::from_ref(&event),
                &state.config.public_url,
                &now,
            ),
        ),
        Ok((None, _)) => failure(lang, &AppError::NotFound),
        Err(e) => failure(lang, &AppError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped_and_long_lines_folded_on_character_boundaries() {
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "Волгоград ".repeat(20));
        let folded = fold(&long);
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(
            folded.replace("\r\n ", "").strip_suffix("\r\n"),
            Some(long.as_str())
        );
    }
}
