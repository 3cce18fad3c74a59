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

#[cfg(test)]
mod tests {
    use super::*;

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
