//! The frame around every page (skip link, header, navigation, footer), the page metadata, and
//! the error pages.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::accessibility::{SettingsBar, ViewSwitch};
use crate::auth::UserMenu;
use crate::error::AppError;
use crate::i18n::{use_lang, Lang};
use crate::search::SearchForm;
use crate::url::{page_address, site_path};

/// The absolute address the portal is served at, as seen by visitors.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);

/// The page's `<title>`. `leptos_meta` writes a title into the server-rendered `<head>` as it is,
/// unescaped (docs/upstream.md), so the server's build escapes it here; in the browser the text
/// becomes `document.title`, which takes plain text, and must stay as it is.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let text = crate::syndication::xml_escape(&text);
    view! { <Title text/> }
}

/// `<title>`, description, canonical link, language alternates and OpenGraph tags of the page.
#[component]
pub fn PageMeta(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// The page's path in its English form, e.g. `/news/some-slug`; the Russian page's
    /// canonical address and both `hreflang` alternates are made from it.
    #[prop(into)]
    path: String,
    #[prop(default = "website")] og_type: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let site = lang.t().site_name;
    let base = use_context::<PublicUrl>().map(|u| u.0).unwrap_or_default();
    let url = format!("{base}{}", lang.href(&path));
    let alternates = Lang::ALL
        .into_iter()
        .map(|l| view! { <Link rel="alternate" hreflang=l.code() href=format!("{base}{}", l.href(&path))/> })
        .collect_view();
    view! {
        <PageTitle text=format!("{title} · {site}")/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=url.clone()/>
        {alternates}
        <Link rel="alternate" hreflang="x-default" href=format!("{base}{path}")/>
        <Meta property="og:site_name" content=site/>
        <Meta property="og:type" content=og_type/>
        <Meta property="og:locale" content=if lang == Lang::Ru { "ru_RU" } else { "en_GB" }/>
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:url" content=url/>
        <Link rel="alternate" type_="application/rss+xml" title=format!("{site} (RSS)") href=lang.href("/news/rss.xml")/>
        <Link rel="alternate" type_="application/atom+xml" title=format!("{site} (Atom)") href=lang.href("/news/atom.xml")/>
        // The portal's fediverse actor, for servers and apps that look for it in a page.
        <Link rel="alternate" type_=crate::federation::ACTIVITY_JSON href=crate::federation::Urls::new(&base).actor/>
    }
}

/// Writes `text` as a JSON string literal, safe inside a `<script>` element.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // `<` never appears raw, so no `</script>` can end the element early.
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` escaped for the inside of a `<textarea>`: Leptos writes a textarea's children as they
/// are (see docs/upstream.md), and a text holding `</textarea>` would end it and go on as markup.
pub fn rcdata(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// Structured data (schema.org JSON-LD) describing the page's subject for search engines.
/// `fields` are pairs of a property and an already-encoded JSON value.
#[component]
pub fn JsonLd(kind: &'static str, fields: Vec<(&'static str, String)>) -> impl IntoView {
    let body: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", json_string(k)))
        .collect();
    let json = format!(
        "{{\"@context\":\"https://schema.org\",\"@type\":{},{}}}",
        json_string(kind),
        body.join(",")
    );
    view! { <script type="application/ld+json" inner_html=json></script> }
}

/// Header with the site name, the main navigation, search and the language switch.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    view! {
        <a class="skip-link" href="#main">{t.skip_to_content}</a>
        <SettingsBar/>
        <UserMenu/>
        <header class="site-header">
            <div class="wrap">
                <a class="brand" href=lang.href("/")>
                    <span class="brand-name">{t.site_name}</span>
                    <span class="brand-tagline">{t.site_tagline}</span>
                </a>
                <nav aria-label=t.nav_label>
                    <ul>
                        <li><a href=lang.href("/news")>{t.nav_news}</a></li>
                        <li><a href=lang.href("/events")>{t.nav_events}</a></li>
                        <li><a href=lang.href("/cities")>{t.nav_cities}</a></li>
                        <li><a href=lang.href("/map")>{t.nav_map}</a></li>
                        <li><a href=lang.href("/partnerships")>{t.nav_partnerships}</a></li>
                    </ul>
                </nav>
                <SearchForm id="header-q"/>
                <ViewSwitch/>
                <LanguageSwitch/>
            </div>
        </header>
    }
}

/// A link to the page being read in the other language. It loads a new document (the
/// language of a document never changes under it).
#[component]
fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let other = lang.other();
    let location = leptos_router::hooks::use_location();
    // Only what the page itself reads of the address is carried over: the rest could be anything.
    let href = move || {
        let path = site_path(&Lang::strip(&location.pathname.get()));
        other.href(&page_address(
            &path,
            location.search.get().trim_start_matches('?'),
        ))
    };
    view! {
        <p class="lang-switch">
            <a
                id="lang-switch"
                href=href
                rel="external"
                hreflang=other.code()
                lang=other.code()
                data-testid="lang-switch"
            >
                {lang.t().lang_switch_to}
            </a>
        </p>
    }
}

/// Footer with the credits for the data the portal shows.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <p>{t.footer_about}</p>
                <p>
                    <a href=lang.href("/partnerships")>{t.footer_partnerships}</a>
                    " · "
                    {t.footer_open_data}
                    ": "
                    <a href="/open-data/partnerships.json" rel="external" type="application/json">
                        {t.open_data_partnerships_json}
                    </a>
                    ", "
                    <a href="/open-data/partnerships.csv" rel="external" type="text/csv">
                        {t.open_data_partnerships_csv}
                    </a>
                    ", "
                    <a href="/open-data/events.json" rel="external" type="application/json">
                        {t.open_data_events_json}
                    </a>
                </p>
                <p>
                    <a href=lang.href("/accessibility")>{t.footer_accessibility}</a>
                </p>
                <p>
                    {t.footer_built_with}
                    " "
                    <a href=lang.href("/login") rel="nofollow">{t.footer_login}</a>
                </p>
            </div>
        </footer>
    }
}

/// Shows `view` of a resource's value once it has loaded, or the error page when loading failed.
#[component]
pub fn Loaded<T, V>(resource: Resource<Result<T, AppError>>, view: fn(T) -> V) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">{use_lang().t().loading}</p> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(value) => view(value).into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The 404 page: sets the status on the server and helps the visitor on.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage error=AppError::NotFound/> }
}

/// An error page for `error`, with its HTTP status set when rendered on the server.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::error::set_status(error.status());
    let lang = use_lang();
    let t = lang.t();
    let heading = error.heading(lang);
    view! {
        <PageTitle text=format!("{heading} · {}", t.site_name)/>
        <Meta name="robots" content="noindex"/>
        <section class="error-page" data-testid="error-page">
            <h1>{heading}</h1>
            <p>{error.message(lang)}</p>
            <p>{t.error_try}</p>
            <ul>
                <li><a href=lang.href("/")>{t.error_try_home}</a></li>
                <li><a href=lang.href("/news")>{t.error_try_news}</a></li>
                <li><a href=lang.href("/events")>{t.error_try_events}</a></li>
                <li><a href=lang.href("/cities")>{t.error_try_cities}</a></li>
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_controls_and_script_ends() {
        assert_eq!(
            json_string("a \"b\" </script>\n"),
            r#""a \"b\" \u003c/script>\n""#
        );
    }
}
