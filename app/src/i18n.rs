//! The two interface languages: which one a page is in (English at the bare paths, Russian
//! under `/ru`), the catalogue of interface strings, and how each language writes dates.
//! Dates arrive as ISO 8601 text (`2021-01-19` or `2021-01-19T15:00:00Z`).

use serde::{Deserialize, Serialize};
use std::fmt::Display;

mod text {
    include!(concat!(env!("OUT_DIR"), "/text.rs"));
}
pub use text::{Key, Text, KEYS};

impl Key {
    /// The key's name in the catalogue files.
    pub fn as_str(self) -> &'static str {
        KEYS[self as usize]
    }

    /// The key named `name`, if the catalogue has one.
    pub fn from_name(name: &str) -> Option<Self> {
        KEYS.iter().position(|k| *k == name).map(|i| Self::ALL[i])
    }
}

impl Text {
    /// The string stored under the key named `name`, for names made at run time.
    pub fn get(&self, name: &str) -> Option<&'static str> {
        Key::from_name(name).map(|key| self.of(key))
    }
}

/// A key travels as its name.
impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| serde::de::Error::custom("not a key of the catalogue"))
    }
}

/// The strings of parts only the server renders (kept out of the islands' WebAssembly).
#[cfg(feature = "ssr")]
mod page_text {
    include!(concat!(env!("OUT_DIR"), "/page_text.rs"));
}
#[cfg(feature = "ssr")]
pub use page_text::PageText;

/// An interface language. Content is stored per language under the same codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The other of the two languages.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Ru,
            Self::Ru => Self::En,
        }
    }

    /// The ISO 639-1 code, as in `<html lang>`, `hreflang` and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ru => "ru",
        }
    }

    /// The language a site path is in: Russian under `/ru`, English elsewhere.
    pub fn of_path(path: &str) -> Self {
        match path.strip_prefix("/ru") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') => {
                Self::Ru
            }
            _ => Self::En,
        }
    }

    /// `path` (a site path in English form, such as `/news?page=2`) in this language.
    pub fn href(self, path: &str) -> String {
        match self {
            Self::En => path.to_owned(),
            Self::Ru if path == "/" => "/ru".to_owned(),
            Self::Ru if path.starts_with("/?") => format!("/ru{}", &path[1..]),
            Self::Ru => format!("/ru{path}"),
        }
    }

    /// The English form of a site path: `/ru/news` → `/news`, `/ru?page=2` → `/?page=2`.
    pub fn strip(path: &str) -> String {
        match Self::of_path(path) {
            Self::En => path.to_owned(),
            Self::Ru => match &path[3..] {
                rest if rest.is_empty() || rest.starts_with('?') => format!("/{rest}"),
                rest => rest.to_owned(),
            },
        }
    }

    /// The interface strings of this language.
    pub fn t(self) -> &'static Text {
        match self {
            Self::En => &text::EN,
            Self::Ru => &text::RU,
        }
    }

    /// The catalogue of strings only server-rendered parts use.
    #[cfg(feature = "ssr")]
    pub fn p(self) -> &'static PageText {
        match self {
            Self::En => &page_text::PAGE_EN,
            Self::Ru => &page_text::PAGE_RU,
        }
    }

    /// The form of `forms` ("one|other" in English, "one|few|many" in Russian) that goes with
    /// `n`, with `{0}` replaced by the number.
    pub fn plural(self, n: u64, forms: &str) -> String {
        let forms: Vec<&str> = forms.split('|').collect();
        let index = match self {
            Self::En => usize::from(n != 1),
            Self::Ru => match (n % 10, n % 100) {
                (1, r) if r != 11 => 0,
                (2..=4, r) if !(12..=14).contains(&r) => 1,
                _ => 2,
            },
        };
        fill(forms[index.min(forms.len() - 1)], &[&n])
    }
}

/// A language is stored as its code, the only form it takes in the database.
#[cfg(feature = "ssr")]
impl rusqlite::ToSql for Lang {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.code().into())
    }
}

#[cfg(feature = "ssr")]
impl rusqlite::types::FromSql for Lang {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let code = value.as_str()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| {
                rusqlite::types::FromSqlError::Other(format!("unknown language {code:?}").into())
            })
    }
}

/// The language of the page being rendered (English when none was provided).
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// `template` with `{0}`, `{1}`, … replaced by `args`; a translation may reorder them.
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &arg.to_string());
    }
    out
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Russian month names as a date needs them ("19 января") and as a heading ("Январь 2021").
const MONTHS_RU_OF: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const MONTHS_RU: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];

fn month_of(lang: Lang, m: usize) -> &'static str {
    match lang {
        Lang::En => MONTHS[m - 1],
        Lang::Ru => MONTHS_RU_OF[m - 1],
    }
}

/// The `YYYY-MM-DD` part of an ISO 8601 date or date-time, for `<time datetime>`.
pub fn iso_date(iso: &str) -> &str {
    iso.get(..10).unwrap_or(iso)
}

fn parts(iso: &str) -> Option<(i32, usize, u32)> {
    let date = iso_date(iso);
    let mut it = date.split('-');
    let year = it.next()?.parse().ok()?;
    let month: usize = it.next()?.parse().ok()?;
    let day = it.next()?.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month, day))
}

/// "19 January 2021" / "19 января 2021"; the input unchanged when it is not a date.
pub fn format_date(lang: Lang, iso: &str) -> String {
    match parts(iso) {
        Some((y, m, d)) => format!("{d} {} {y}", month_of(lang, m)),
        None => iso.to_owned(),
    }
}

/// "19 January 2021, 15:00 UTC" for a stored UTC time; just the date when there is no time.
pub fn format_datetime(lang: Lang, iso: &str) -> String {
    match iso.get(11..16) {
        Some(time) if iso.as_bytes().get(10) == Some(&b'T') => {
            format!("{}, {time} UTC", format_date(lang, iso))
        }
        _ => format_date(lang, iso),
    }
}

/// "October 2020" / "Октябрь 2020", for grouping by month.
pub fn format_month(lang: Lang, iso: &str) -> String {
    match parts(iso) {
        Some((y, m, _)) => match lang {
            Lang::En => format!("{} {y}", MONTHS[m - 1]),
            Lang::Ru => format!("{} {y}", MONTHS_RU[m - 1]),
        },
        None => iso.to_owned(),
    }
}

/// A date range written as briefly as it reads well: "15–17 December 2020",
/// "31 October – 1 November 2020", "30 December 2020 – 2 January 2021".
pub fn format_date_range(lang: Lang, start: &str, end: Option<&str>) -> String {
    let end = end.filter(|e| iso_date(e) != iso_date(start));
    match (parts(start), end.and_then(parts)) {
        (Some((y1, m1, d1)), Some((y2, m2, d2))) if y1 == y2 && m1 == m2 => {
            format!("{d1}–{d2} {} {y1}", month_of(lang, m1))
        }
        (Some((y1, m1, d1)), Some((y2, _, _))) if y1 == y2 => {
            format!(
                "{d1} {} – {}",
                month_of(lang, m1),
                format_date(lang, end.unwrap_or(start))
            )
        }
        (Some(_), Some(_)) => format!(
            "{} – {}",
            format_date(lang, start),
            format_date(lang, end.unwrap_or(start))
        ),
        _ => format_date(lang, start),
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The `YYYY-MM-DD` date `days` after the date of `iso`.
pub fn add_days(iso: &str, days: i64) -> Option<String> {
    let (y, m, d) = parts(iso)?;
    let (y, m, d) = civil_from_days(days_from_civil(i64::from(y), m as i64, i64::from(d)) + days);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Unix seconds as the stored form of a UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_time(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let s = unix.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// An ISO 8601 UTC time as RFC 822 wants it in RSS: "Tue, 19 Jan 2021 15:00:00 +0000".
pub fn rfc822(iso: &str) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let Some((y, m, d)) = parts(iso) else {
        return iso.to_owned();
    };
    let weekday =
        DAYS[days_from_civil(i64::from(y), m as i64, i64::from(d)).rem_euclid(7) as usize];
    let time = iso
        .get(11..19)
        .filter(|t| t.len() == 8)
        .unwrap_or("00:00:00");
    format!("{weekday}, {d:02} {} {y} {time} +0000", &MONTHS[m - 1][..3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_add_across_months_years_and_leap_days() {
        assert_eq!(add_days("2020-10-31", 1).as_deref(), Some("2020-11-01"));
        assert_eq!(add_days("2020-12-31", 1).as_deref(), Some("2021-01-01"));
        assert_eq!(add_days("2024-02-28", 1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_days("2023-02-28", 1).as_deref(), Some("2023-03-01"));
        assert_eq!(add_days("soon", 1), None);
    }

    #[test]
    fn unix_seconds_read_as_stored_times() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(1_709_164_799), "2024-02-28T23:59:59Z");
        assert_eq!(iso_time(1_709_164_800), "2024-02-29T00:00:00Z");
    }

    #[test]
    fn rss_dates_carry_the_weekday() {
        assert_eq!(
            rfc822("2021-01-19T15:00:00Z"),
            "Tue, 19 Jan 2021 15:00:00 +0000"
        );
        assert_eq!(
            rfc822("1970-01-01T00:00:00Z"),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        assert_eq!(rfc822("2024-02-29"), "Thu, 29 Feb 2024 00:00:00 +0000");
    }

    #[test]
    fn date_times_show_their_utc_time() {
        assert_eq!(
            format_datetime(Lang::En, "2021-01-19T15:00:00Z"),
            "19 January 2021, 15:00 UTC"
        );
        assert_eq!(format_datetime(Lang::En, "2021-01-19"), "19 January 2021");
    }

    #[test]
    fn formats_dates_and_date_times() {
        assert_eq!(format_date(Lang::En, "2021-01-19"), "19 January 2021");
        assert_eq!(
            format_date(Lang::En, "2020-11-05T09:00:00Z"),
            "5 November 2020"
        );
        assert_eq!(format_date(Lang::En, "not a date"), "not a date");
        assert_eq!(format_month(Lang::En, "2020-10-31"), "October 2020");
    }

    #[test]
    fn formats_ranges_briefly() {
        assert_eq!(
            format_date_range(Lang::En, "2020-12-15", None),
            "15 December 2020"
        );
        assert_eq!(
            format_date_range(Lang::En, "2020-12-15", Some("2020-12-15")),
            "15 December 2020"
        );
        assert_eq!(
            format_date_range(Lang::En, "2020-12-15", Some("2020-12-17")),
            "15–17 December 2020"
        );
        assert_eq!(
            format_date_range(Lang::En, "2020-10-31", Some("2020-11-01")),
            "31 October – 1 November 2020"
        );
        assert_eq!(
            format_date_range(Lang::En, "2020-12-30", Some("2021-01-02")),
            "30 December 2020 – 2 January 2021"
        );
    }

    #[test]
    fn russian_dates_use_the_genitive_and_headings_the_nominative() {
        assert_eq!(format_date(Lang::Ru, "2021-01-19"), "19 января 2021");
        assert_eq!(format_month(Lang::Ru, "2020-10-31"), "Октябрь 2020");
        assert_eq!(
            format_date_range(Lang::Ru, "2020-10-31", Some("2020-11-01")),
            "31 октября – 1 ноября 2020"
        );
        assert_eq!(
            format_datetime(Lang::Ru, "2021-01-19T15:00:00Z"),
            "19 января 2021, 15:00 UTC"
        );
    }

    #[test]
    fn paths_carry_the_language() {
        assert_eq!(Lang::of_path("/ru"), Lang::Ru);
        assert_eq!(Lang::of_path("/ru/news/x"), Lang::Ru);
        assert_eq!(Lang::of_path("/rules"), Lang::En);
        assert_eq!(Lang::of_path("/news"), Lang::En);
        assert_eq!(Lang::Ru.href("/"), "/ru");
        assert_eq!(Lang::Ru.href("/?page=2"), "/ru?page=2");
        assert_eq!(Lang::Ru.href("/news?page=2"), "/ru/news?page=2");
        assert_eq!(Lang::En.href("/news"), "/news");
        assert_eq!(Lang::strip("/ru"), "/");
        assert_eq!(Lang::strip("/ru?page=2"), "/?page=2");
        assert_eq!(Lang::strip("/ru/news/x"), "/news/x");
        assert_eq!(Lang::strip("/rules"), "/rules");
        for path in ["/", "/news?page=2", "/cities/coventry"] {
            for lang in Lang::ALL {
                assert_eq!(Lang::strip(&lang.href(path)), path);
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let ru = "{0} город|{0} города|{0} городов";
        let forms: Vec<String> = [1, 2, 5, 11, 21, 22, 112]
            .map(|n| Lang::Ru.plural(n, ru))
            .into();
        assert_eq!(
            forms,
            [
                "1 город",
                "2 города",
                "5 городов",
                "11 городов",
                "21 город",
                "22 города",
                "112 городов"
            ]
        );
        assert_eq!(Lang::En.plural(1, "{0} city|{0} cities"), "1 city");
        assert_eq!(Lang::En.plural(25, "{0} city|{0} cities"), "25 cities");
    }

    #[test]
    fn every_translation_keeps_the_placeholders_and_plural_forms() {
        assert_eq!(fill("{1} of {0}", &[&"a", &2]), "2 of a");
        let placeholders = |text: &str| {
            (0..4)
                .filter(|i| text.contains(&format!("{{{i}}}")))
                .collect::<Vec<_>>()
        };
        for key in KEYS {
            let (en, ru) = (Lang::En.t().get(key), Lang::Ru.t().get(key));
            let (en, ru) = (en.expect(key), ru.expect(key));
            assert_eq!(placeholders(en), placeholders(ru), "{key}");
            let forms = (en.matches('|').count(), ru.matches('|').count());
            assert!(
                forms == (0, 0) || forms == (1, 2),
                "{key}: plural forms {forms:?}"
            );
        }
    }
}
