//! Building the query strings of the portal's own links, and the one rule for which parts of an
//! address a page depends on: the page cache keys on it, and links that carry the current
//! address on (the language switch) keep only that part, so nothing else a request says can
//! reach a page's output.

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

/// `path` with every byte that may not stand in a `Location` header (controls, spaces, anything
/// not ASCII) percent-encoded.
pub fn header_safe(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sends the browser to `path` once a server function is done. `leptos_axum::redirect` panics
/// on a value that cannot be a header, which would drop the connection: the path, which may
/// carry text from the request, is made `header_safe` first.
#[cfg(feature = "ssr")]
pub fn redirect(path: &str) {
    leptos_axum::redirect(&header_safe(path));
}

/// `path` with `pairs` as its query string.
pub fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    format!("{path}?{}", query_string(pairs))
}

/// `pairs` as a query string, without the `?`.
fn query_string(pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    query.join("&")
}

/// The query parameters the page at `path` (English or Russian form) reads. Any other parameter
/// changes nothing on that page; each page's `use_query_map` reads must be listed here.
pub fn page_params(path: &str) -> &'static [&'static str] {
    let path = crate::i18n::Lang::strip(path);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["news"] => &["city", "tag", "kind", "year", "page"],
        ["news" | "events", _] => &["edit"],
        ["news" | "events", _, "history"] => &["rev"],
        ["events"] => &["page"],
        ["map"] => &["kind", "status", "country", "until"],
        ["cities"] => &["sort"],
        ["cities", _] => &["page", "edit", "saved", "__path", "__err"],
        ["partnerships"] => &["kind", "status", "country", "until"],
        ["search"] => &["q", "page"],
        ["tags", _] => &["city", "kind", "year", "page"],
        ["login"] => &["next", "__path", "__err"],
        ["accessibility"] => &["saved", "report", "__path", "__err"],
        ["accessibility", "reports"] => &["__path", "__err"],
        ["inbox"] => &["page", "__path", "__err"],
        _ => &[],
    }
}

/// `query` (without its `?`) cut down to what the page at `path` reads: the first value of each
/// of its parameters, in `page_params` order, encoded as this site encodes them. Two addresses
/// with the same result show the same page.
pub fn page_query(path: &str, query: &str) -> String {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let kept: Vec<(&str, String)> = page_params(path)
        .iter()
        .filter_map(|name| {
            let (_, value) = pairs.iter().find(|(k, _)| k == name)?;
            Some((*name, value.clone()))
        })
        .collect();
    query_string(&kept)
}

/// The address of the page at `path` as this site links and keeps it: the path and what the page
/// reads of `query` (`page_query`).
pub fn page_address(path: &str, query: &str) -> String {
    match page_query(path, query).as_str() {
        "" => path.to_owned(),
        query => format!("{path}?{query}"),
    }
}

/// `path` as a path of this site: a run of slashes or backslashes at its start becomes one
/// slash, so that no link made from it can name another host (`//evil.example`).
pub fn site_path(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_depend_on_the_parameters_they_read_only() {
        assert_eq!(
            page_query("/news", "x=1&page=2&city=kyiv"),
            "city=kyiv&page=2"
        );
        assert_eq!(page_query("/ru/news", "page=2&page=3"), "page=2");
        assert_eq!(page_query("/search", "q=a%20b&utm=1"), "q=a+b");
        assert_eq!(page_query("/news/some-item", "x=1"), "");
        assert_eq!(page_query("/", "page=2"), "");
        assert_eq!(page_query("/tags/music", "tag=x&year=2020"), "year=2020");
        assert_eq!(page_address("/news", "utm=1&page=3"), "/news?page=3");
        assert_eq!(page_address("/news/some-item", "page=3"), "/news/some-item");
    }

    #[test]
    fn site_paths_never_name_another_host() {
        assert_eq!(site_path("//evil.example"), "/evil.example");
        assert_eq!(site_path("/\\evil.example"), "/evil.example");
        assert_eq!(site_path("/news"), "/news");
        assert_eq!(site_path(""), "/");
    }

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

    #[test]
    fn redirect_targets_are_always_header_values() {
        let hostile = "/cities/a\r\nSet-Cookie: x=1\u{0}é#partner-portal";
        let safe = header_safe(hostile);
        assert_eq!(
            safe,
            "/cities/a%0D%0ASet-Cookie:%20x=1%00%C3%A9#partner-portal"
        );
        assert!(http::HeaderValue::from_str(&safe).is_ok());
        assert_eq!(header_safe("/ru/inbox#held"), "/ru/inbox#held");
    }
}
