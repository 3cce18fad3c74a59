//! The frame around every page (skip link, header, navigation, footer), the page metadata, and
//! the error pages.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::auth::UserMenu;
use crate::error::AppError;
use crate::search::SearchForm;

/// The portal's name as the header and titles show it.
pub const SITE_NAME: &str = "Volgograd International";

/// The absolute address the portal is served at, as seen by visitors.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);

/// `<title>`, description, canonical link and OpenGraph tags of the current page.
#[component]
pub fn PageMeta(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// Path of the canonical URL, e.g. `/news/some-slug`.
    #[prop(into)]
    path: String,
    #[prop(default = "website")] og_type: &'static str,
) -> impl IntoView {
    let base = use_context::<PublicUrl>().map(|u| u.0).unwrap_or_default();
    let url = format!("{base}{path}");
    let full_title = format!("{title} · {SITE_NAME}");
    view! {
        <Title text=full_title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=url.clone()/>
        <Meta property="og:site_name" content=SITE_NAME/>
        <Meta property="og:type" content=og_type/>
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:url" content=url/>
        <Link rel="alternate" type_="application/rss+xml" title=format!("{SITE_NAME} (RSS)") href="/news/rss.xml"/>
        <Link rel="alternate" type_="application/atom+xml" title=format!("{SITE_NAME} (Atom)") href="/news/atom.xml"/>
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

/// Header with the site name and the main navigation.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <UserMenu/>
        <header class="site-header">
            <div class="wrap">
                <a class="brand" href="/">
                    <span class="brand-name">{SITE_NAME}</span>
                    <span class="brand-tagline">"Twin cities and people’s diplomacy"</span>
                </a>
                <nav aria-label="Main">
                    <ul>
                        <li><a href="/news">"News"</a></li>
                        <li><a href="/events">"Events"</a></li>
                        <li><a href="/cities">"Partner cities"</a></li>
                        <li><a href="/map">"Map"</a></li>
                    </ul>
                </nav>
                <SearchForm id="header-q"/>
            </div>
        </header>
    }
}

/// Footer with the credits for the data the portal shows.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <p>
                    "International relations of the City of Volgograd. "
                    "Partner-city facts are compiled from public sources; years marked "
                    "“year unknown” have no reliable source yet."
                </p>
                <p>
                    "Built with twincity, an open portal for city partnerships. "
                    <a href="/login" rel="nofollow">"Editors’ login"</a>
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    let heading = error.heading();
    view! {
        <Title text=format!("{heading} · {SITE_NAME}")/>
        <Meta name="robots" content="noindex"/>
        <section class="error-page" data-testid="error-page">
            <h1>{heading}</h1>
            <p>{error.message()}</p>
            <p>"You could try:"</p>
            <ul>
                <li><a href="/">"the home page"</a></li>
                <li><a href="/news">"the latest news"</a></li>
                <li><a href="/events">"events"</a></li>
                <li><a href="/cities">"our partner cities"</a></li>
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
