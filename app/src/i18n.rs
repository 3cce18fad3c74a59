//! How the interface writes dates. Dates arrive as ISO 8601 text (`2021-01-19` or
//! `2021-01-19T15:00:00Z`); only the calendar date is shown.

/// The language content is requested in until the Russian interface exists.
pub const DEFAULT_LANG: &str = "en";

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

/// "19 January 2021"; the input unchanged when it is not a date.
pub fn format_date(iso: &str) -> String {
    match parts(iso) {
        Some((y, m, d)) => format!("{d} {} {y}", MONTHS[m - 1]),
        None => iso.to_owned(),
    }
}

/// "19 January 2021, 15:00 UTC" for a stored UTC time; just the date when there is no time.
pub fn format_datetime(iso: &str) -> String {
    match iso.get(11..16) {
        Some(time) if iso.as_bytes().get(10) == Some(&b'T') => {
            format!("{}, {time} UTC", format_date(iso))
        }
        _ => format_date(iso),
    }
}

/// "October 2020", for grouping by month.
pub fn format_month(iso: &str) -> String {
    match parts(iso) {
        Some((y, m, _)) => format!("{} {y}", MONTHS[m - 1]),
        None => iso.to_owned(),
    }
}

/// A date range written as briefly as it reads well: "15–17 December 2020",
/// "31 October – 1 November 2020", "30 December 2020 – 2 January 2021".
pub fn format_date_range(start: &str, end: Option<&str>) -> String {
    let end = end.filter(|e| iso_date(e) != iso_date(start));
    match (parts(start), end.and_then(parts)) {
        (Some((y1, m1, d1)), Some((y2, m2, d2))) if y1 == y2 && m1 == m2 => {
            format!("{d1}–{d2} {} {y1}", MONTHS[m1 - 1])
        }
        (Some((y1, m1, d1)), Some((y2, _, _))) if y1 == y2 => {
            format!(
                "{d1} {} – {}",
                MONTHS[m1 - 1],
                format_date(end.unwrap_or(start))
            )
        }
        (Some(_), Some(_)) => format!(
            "{} – {}",
            format_date(start),
            format_date(end.unwrap_or(start))
        ),
        _ => format_date(start),
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
            format_datetime("2021-01-19T15:00:00Z"),
            "19 January 2021, 15:00 UTC"
        );
        assert_eq!(format_datetime("2021-01-19"), "19 January 2021");
    }

    #[test]
    fn formats_dates_and_date_times() {
        assert_eq!(format_date("2021-01-19"), "19 January 2021");
        assert_eq!(format_date("2020-11-05T09:00:00Z"), "5 November 2020");
        assert_eq!(format_date("not a date"), "not a date");
        assert_eq!(format_month("2020-10-31"), "October 2020");
    }

    #[test]
    fn formats_ranges_briefly() {
        assert_eq!(format_date_range("2020-12-15", None), "15 December 2020");
        assert_eq!(
            format_date_range("2020-12-15", Some("2020-12-15")),
            "15 December 2020"
        );
        assert_eq!(
            format_date_range("2020-12-15", Some("2020-12-17")),
            "15–17 December 2020"
        );
        assert_eq!(
            format_date_range("2020-10-31", Some("2020-11-01")),
            "31 October – 1 November 2020"
        );
        assert_eq!(
            format_date_range("2020-12-30", Some("2021-01-02")),
            "30 December 2020 – 2 January 2021"
        );
    }
}
