//! The settings of the version for the visually impaired: what a visitor may choose, how the
//! choice travels (one cookie, written by `GET /accessibility/view`), and the attributes on
//! `<html>` that the stylesheet reads. A page is rendered with them, so the first paint already
//! has them, with or without JavaScript.
//!
//! The cookie is read strictly: a value that is not exactly one of the combinations below is
//! ignored as a whole (the page is the normal version), so nothing a cookie says is ever written
//! into a page, and the page cache keys on the canonical form only (`Settings::key`).

use serde::{Deserialize, Serialize};

/// The name of the cookie that holds the settings.
pub const COOKIE_NAME: &str = "twincity_view";
/// How long the settings are kept, in seconds: a year.
#[cfg(feature = "ssr")]
const KEPT_FOR: u64 = 365 * 24 * 3600;

macro_rules! choice {
    ($(#[$doc:meta])* $ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $ty {
            $($variant),+
        }

        impl $ty {
            /// Every choice, in the order the settings bar offers them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value in the cookie, the address and the `<html>` attribute.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The choice written `text`, if it is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

choice!(
    /// The size of all text, in percent of the browser's own.
    TextSize { Normal = "100", Larger = "125", Large = "150", Largest = "200" }
);
choice!(
    /// The colours of the whole page.
    Scheme { BlackOnWhite = "bw", WhiteOnBlack = "wb", BlueOnBlue = "blue" }
);
choice!(
    /// The space between letters and words.
    Spacing { Normal = "normal", Wide = "wide" }
);
choice!(
    /// The height of a line of text.
    LineHeight { Normal = "normal", Tall = "tall" }
);
choice!(
    /// Whether pictures are shown, or their descriptions in their place.
    Images { Shown = "shown", Hidden = "hidden" }
);

/// The settings of a visitor who reads the version for the visually impaired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Settings {
    pub size: TextSize,
    pub scheme: Scheme,
    pub spacing: Spacing,
    pub line: LineHeight,
    pub images: Images,
}

impl Default for Settings {
    /// What switching the version on gives: larger text, black on white.
    fn default() -> Self {
        Self {
            size: TextSize::Large,
            scheme: Scheme::BlackOnWhite,
            spacing: Spacing::Normal,
            line: LineHeight::Normal,
            images: Images::Shown,
        }
    }
}

/// One setting changed by a link of the settings bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Size(TextSize),
    Scheme(Scheme),
    Spacing(Spacing),
    Line(LineHeight),
    Images(Images),
}

impl Change {
    /// The change a query parameter `name=value` asks for, if it is one.
    pub fn parse(name: &str, value: &str) -> Option<Self> {
        match name {
            "size" => TextSize::parse(value).map(Self::Size),
            "scheme" => Scheme::parse(value).map(Self::Scheme),
            "spacing" => Spacing::parse(value).map(Self::Spacing),
            "line" => LineHeight::parse(value).map(Self::Line),
            "images" => Images::parse(value).map(Self::Images),
            _ => None,
        }
    }

    /// The query parameter that asks for this change.
    pub fn param(self) -> (&'static str, &'static str) {
        match self {
            Self::Size(v) => ("size", v.as_str()),
            Self::Scheme(v) => ("scheme", v.as_str()),
            Self::Spacing(v) => ("spacing", v.as_str()),
            Self::Line(v) => ("line", v.as_str()),
            Self::Images(v) => ("images", v.as_str()),
        }
    }
}

impl Settings {
    /// These settings with `change` made.
    pub fn with(mut self, change: Change) -> Self {
        match change {
            Change::Size(v) => self.size = v,
            Change::Scheme(v) => self.scheme = v,
            Change::Spacing(v) => self.spacing = v,
            Change::Line(v) => self.line = v,
            Change::Images(v) => self.images = v,
        }
        self
    }

    /// Whether `change` is what these settings already are.
    pub fn has(self, change: Change) -> bool {
        self.with(change) == self
    }

    /// The canonical text of the settings: the cookie's value and the page cache's key.
    pub fn key(self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.size.as_str(),
            self.scheme.as_str(),
            self.spacing.as_str(),
            self.line.as_str(),
            self.images.as_str()
        )
    }

    /// The settings written `text` by [`Self::key`]; anything else is none.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let settings = Self {
            size: TextSize::parse(parts.next()?)?,
            scheme: Scheme::parse(parts.next()?)?,
            spacing: Spacing::parse(parts.next()?)?,
            line: LineHeight::parse(parts.next()?)?,
            images: Images::parse(parts.next()?)?,
        };
        parts.next().is_none().then_some(settings)
    }

    /// The settings in the cookies of `headers`, if they hold valid ones.
    #[cfg(feature = "ssr")]
    pub fn of_headers(headers: &http::HeaderMap) -> Option<Self> {
        crate::auth::session::cookie_in(headers, COOKIE_NAME).and_then(Self::parse)
    }
}

/// The settings of the page being rendered: from the request on the server. Pages are
/// server-rendered only, so the browser never needs them.
pub fn use_settings() -> Option<Settings> {
    leptos::prelude::use_context::<Option<Settings>>().flatten()
}

/// `GET /accessibility/view` (also under `/ru`): changes the settings as the query says (`on`,
/// `off`, or one `setting=value`) and sends the browser back to `back`, a path of this site, at
/// the settings bar. A plain link does it, so it works without JavaScript.
#[cfg(feature = "ssr")]
pub async fn choose(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    uri: http::Uri,
    headers: http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};

    let lang = crate::i18n::Lang::of_path(uri.path());
    let current = Settings::of_headers(&headers);
    let mut back = None;
    let mut next = current;
    let mut understood = true;
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match &*name {
            "back" => back = Some(value.into_owned()),
            "on" => next = Some(current.unwrap_or_default()),
            "off" => next = None,
            _ => match Change::parse(&name, &value) {
                Some(change) => next = Some(next.unwrap_or_default().with(change)),
                None => understood = false,
            },
        }
    }
    if !understood {
        let message = lang.t().view_unknown_setting;
        return (
            http::StatusCode::BAD_REQUEST,
            [(CACHE_CONTROL, "no-store")],
            message,
        )
            .into_response();
    }
    let key = next.map(Settings::key);
    let cookie = crate::auth::session::cookie_header(
        COOKIE_NAME,
        key.as_deref().map(|key| (key, KEPT_FOR)),
        state.config.is_https(),
    );
    let target = back_to(back.as_deref(), lang);
    let target = if next.is_some() {
        format!("{target}#view-settings")
    } else {
        target
    };
    (
        http::StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, cookie),
            (LOCATION, target),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// Where to send the browser back to: `back` when it is a page of this site (its path and what
/// that page reads of its query, encoded again), else the home page in `lang`.
#[cfg(feature = "ssr")]
fn back_to(back: Option<&str>, lang: crate::i18n::Lang) -> String {
    let Some(back) = back.filter(|b| b.starts_with('/') && b.len() <= 1024) else {
        return lang.href("/");
    };
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let path = crate::url::site_path(path);
    let path: String = path
        .split('/')
        .map(|segment| {
            let decoded = percent_decode(segment);
            crate::url::encode(&decoded).replace('+', "%20")
        })
        .collect::<Vec<_>>()
        .join("/");
    crate::url::page_address(&path, query)
}

#[cfg(feature = "ssr")]
fn percent_decode(segment: &str) -> String {
    form_urlencoded::parse(format!("s={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_back_what_they_write_and_nothing_else() {
        let all = Settings {
            size: TextSize::Largest,
            scheme: Scheme::WhiteOnBlack,
            spacing: Spacing::Wide,
            line: LineHeight::Tall,
            images: Images::Hidden,
        };
        assert_eq!(Settings::parse(&all.key()), Some(all));
        assert_eq!(all.key(), "200.wb.wide.tall.hidden");
        for bad in [
            "",
            "200.wb.wide.tall",
            "200.wb.wide.tall.hidden.x",
            "300.wb.wide.tall.hidden",
            "200.WB.wide.tall.hidden",
            "200.wb.wide.tall.hidden\"><script>",
        ] {
            assert_eq!(Settings::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_change_touches_one_setting() {
        let s = Settings::default().with(Change::Scheme(Scheme::BlueOnBlue));
        assert_eq!(s.scheme, Scheme::BlueOnBlue);
        assert_eq!(s.size, Settings::default().size);
        assert!(s.has(Change::Scheme(Scheme::BlueOnBlue)));
        assert_eq!(
            Change::parse("size", "125"),
            Some(Change::Size(TextSize::Larger))
        );
        assert_eq!(Change::parse("size", "999"), None);
        assert_eq!(Change::parse("colour", "bw"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; twincity_view=125.blue.normal.tall.shown; b=2"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            Settings::of_headers(&headers).map(Settings::key).as_deref(),
            Some("125.blue.normal.tall.shown")
        );
        headers.insert(http::header::COOKIE, "twincity_view=on".parse().unwrap());
        assert_eq!(Settings::of_headers(&headers), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_way_back_stays_on_this_site() {
        use crate::i18n::Lang;
        assert_eq!(back_to(Some("/news?page=2&x=1"), Lang::En), "/news?page=2");
        assert_eq!(
            back_to(Some("//evil.example/x"), Lang::En),
            "/evil.example/x"
        );
        assert_eq!(back_to(Some("https://evil.example"), Lang::Ru), "/ru");
        assert_eq!(back_to(None, Lang::En), "/");
        assert_eq!(
            back_to(Some("/cities/a\r\nSet-Cookie:%20x"), Lang::En),
            "/cities/a%0D%0ASet-Cookie%3A%20x"
        );
        assert_eq!(
            back_to(Some("/ru/news/%D0%B0"), Lang::Ru),
            "/ru/news/%D0%B0"
        );
    }
}
