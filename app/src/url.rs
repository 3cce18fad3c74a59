//! Building the query strings of the portal's own links.

/// Percent-encodes a query value (spaces as `+`).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `path` with `pairs` as its query string.
pub fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_for_links() {
        assert_eq!(encode("Coventry & peace"), "Coventry+%26+peace");
        assert_eq!(
            encode("Волгоград"),
            "%D0%92%D0%BE%D0%BB%D0%B3%D0%BE%D0%B3%D1%80%D0%B0%D0%B4"
        );
        assert_eq!(with_query("/news", &[]), "/news");
        assert_eq!(
            with_query("/search", &[("q", "a b".into()), ("page", "2".into())]),
            "/search?q=a+b&page=2"
        );
    }
}
