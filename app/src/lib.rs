//! twincity's isomorphic application: the routes, the pages of each feature, and (with `ssr`)
//! the server functions, the application state and the SQLite store behind them.

// The map page's statically typed view tree is deeper than the compiler's default limit.
#![recursion_limit = "256"]

/// Implements `as_str` / `from_db` for a fieldless enum stored as text in the database.
macro_rules! db_enum {
    ($ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The value stored in the database column.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stored column value.
            pub fn from_db(value: &str) -> Option<Self> {
                match value { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

pub mod auth;
pub mod cities;
pub mod editor;
pub mod error;
pub mod events;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod news;
pub mod pager;
pub mod search;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod syndication;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use i18n::Lang;

/// Where the server functions are mounted (`/api/<name>`).
pub const API_PREFIX: &str = "/api/";
use layout::{NotFound, PublicUrl, SiteFooter, SiteHeader};

/// The HTML document around the app; rendered on the server only. Its scripts carry the nonce
/// the server chose for the response before rendering (a request extension), and the page's
/// Content-Security-Policy names that value: nothing is ever read back out of the page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned())
    {
        provide_context(nonce);
    }
    view! {
        <!DOCTYPE html>
        <html lang=request_lang().code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#14365d"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                // Page metadata first: it holds the preload of a map page's largest image,
                // which should not queue behind the WebAssembly.
                <MetaTags/>
                <HydrationScripts options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Runs `f` as an effect in the browser only. Effects never run on the server, and creating
/// one there wraps its closure for a single thread: when the multi-threaded runtime drops the
/// rendered page on another thread, that wrapper panics and the response never completes.
pub fn client_effect(f: impl Fn() + 'static) {
    #[cfg(not(feature = "ssr"))]
    Effect::new(f);
    #[cfg(feature = "ssr")]
    drop(f);
}

/// The public address of the site: configured on the server, the page's origin in the browser.
fn public_url() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<state::AppState>()
            .map(|s| s.config.public_url)
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        window().location().origin().unwrap_or_default()
    }
}

/// The language of the page being served: from the request on the server, from the address in
/// the browser. It is fixed for the life of a document; the language switch loads a new one.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| Lang::of_path(parts.uri.path()))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::of_path(&window().location().pathname().unwrap_or_default())
    }
}

/// The application: header, routed page, footer.
///
/// Every page route renders in `Async` mode: the server waits for the page's data before it
/// sends anything, so the HTTP status (404 for a missing item) and the `<head>` metadata are
/// known when the response starts.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(PublicUrl(public_url()));
    provide_context(request_lang());
    auth::Auth::provide();
    // Effects run only in the browser, after hydration: mark the document so that tests (and
    // styles) can tell a live page from server-rendered HTML.
    client_effect(|| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
    view! {
        <Router>
            <SiteHeader/>
            <main id="main" class="wrap" tabindex="-1">
                <Routes fallback=NotFound>
                    <ParentRoute path=path!("/ru") view=Outlet>
                        <PageRoutes/>
                    </ParentRoute>
                    <PageRoutes/>
                </Routes>
            </main>
            <SiteFooter/>
        </Router>
    }
}

/// Every page, once in English at the bare paths and once under `/ru` in Russian.
#[component(transparent)]
fn PageRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    // One node: a bare list of routes is a different type when components are erased (the
    // wasm build), so the pages sit under a pathless parent.
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
            <Route path=path!("/news") view=news::NewsPage ssr=SsrMode::Async/>
            <Route path=path!("/news/:slug") view=news::ArticlePage ssr=SsrMode::Async/>
            <Route
                path=path!("/news/:slug/history")
                view=editor::NewsHistoryPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/events") view=events::EventsPage ssr=SsrMode::Async/>
            <Route path=path!("/events/:slug") view=events::EventPage ssr=SsrMode::Async/>
            <Route
                path=path!("/events/:slug/history")
                view=editor::EventHistoryPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/map") view=cities::map::MapPage ssr=SsrMode::Async/>
            <Route path=path!("/cities") view=cities::CitiesPage ssr=SsrMode::Async/>
            <Route path=path!("/cities/:slug") view=cities::CityPage ssr=SsrMode::Async/>
            <Route path=path!("/search") view=search::SearchPage ssr=SsrMode::Async/>
            <Route path=path!("/tags/:tag") view=news::TagPage ssr=SsrMode::Async/>
            <Route path=path!("/login") view=auth::LoginPage ssr=SsrMode::Async/>
            <Route path=path!("/audit") view=editor::AuditPage ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}
