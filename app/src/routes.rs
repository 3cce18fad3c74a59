//! The document and the routes: the HTML shell around every page, the app's frame, the table of
//! pages, and the pages that put an editor's controls around a visitor's page. Rendered on the
//! server only; the browser runs just the islands inside it.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use leptos_router::hooks::{use_params_map, use_query_map};

use crate::cities::api::get_city;
use crate::cities::CityFacts;
use crate::editor::city::EditableCity;
use crate::pager::parse_page;

use crate::editor::api::get_item_edit;
use crate::editor::{EditableItem, NewItemButton};
use crate::error::AppError;
use crate::federation::follow::{get_partner_portal, FollowPartner, PartnerPortalSection};
use crate::federation::moderation::{
    get_partner_posts, get_replies, get_twin_posts, PartnerPosts, Replies,
};
use crate::i18n::Lang;
use crate::layout::{json_string, Loaded, NotFound, PublicUrl, SiteFooter, SiteHeader};
use crate::news::api::get_item;
use crate::news::{ItemArticle, ItemKind};
use crate::partnerships::api::{get_partnership, SavePartnershipEntry};
use crate::partnerships::PartnershipSection;

/// The HTML document around the app, with the in-page navigation and island loader
/// (`navigate.js`); its scripts carry the nonce the server chose for the response before rendering
/// (a request extension), and the page's Content-Security-Policy names that value: nothing is
/// ever read back out of the page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned())
    {
        provide_context(nonce);
    }
    // The version for the visually impaired is in the document from its first byte: the
    // stylesheet reads these attributes, so the first paint already has the settings.
    let view_settings = use_context::<http::request::Parts>()
        .and_then(|parts| crate::accessibility::settings::Settings::of_headers(&parts.headers));
    provide_context(view_settings);
    // Islands mode: the page is not hydrated as a whole, only the islands in it.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html
            lang=request_lang().code()
            data-view=view_settings.map(|_| "low-vision")
            data-size=view_settings.map(|s| s.size.as_str())
            data-scheme=view_settings.map(|s| s.scheme.as_str())
            data-spacing=view_settings.map(|s| s.spacing.as_str())
            data-line=view_settings.map(|s| s.line.as_str())
            data-images=view_settings.map(|s| s.images.as_str())
        >
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#14365d"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                // Page metadata first: it holds the preload of a map page's largest image,
                // which should not queue behind the WebAssembly.
                <MetaTags/>
                <IslandCodeAddress/>
                <script type="module" nonce=leptos::nonce::use_nonce()>
                    {include_str!("navigate.js")}
                </script>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Where `navigate.js` finds the islands' code, as inert JSON: it loads the code only on a page that
/// has an island, so a page without one fetches no WebAssembly at all.
#[component]
fn IslandCodeAddress() -> impl IntoView {
    use_context::<crate::state::AppState>().map(|state| {
        let code = state.island_code;
        let json = format!(
            "{{\"script\":{},\"wasm\":{}}}",
            json_string(&code.script),
            json_string(&code.wasm)
        );
        view! { <script type="application/json" id="island-code" inner_html=json></script> }
    })
}

/// The public address of the site, as configured.
fn public_url() -> String {
    use_context::<crate::state::AppState>()
        .map(|s| s.config.public_url)
        .unwrap_or_default()
}

/// The language of the page being served, from the request's path. It is fixed for the life of a
/// document; the language switch loads a new one.
fn request_lang() -> Lang {
    use_context::<http::request::Parts>()
        .map(|parts| Lang::of_path(parts.uri.path()))
        .unwrap_or_default()
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
    crate::auth::Auth::provide();
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
            <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
            <Route path=path!("/news") view=NewsPage ssr=SsrMode::Async/>
            <Route path=path!("/news/:slug") view=ArticlePage ssr=SsrMode::Async/>
            <Route
                path=path!("/news/:slug/history")
                view=crate::editor::NewsHistoryPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/events") view=EventsPage ssr=SsrMode::Async/>
            <Route path=path!("/events/:slug") view=EventPage ssr=SsrMode::Async/>
            <Route
                path=path!("/events/:slug/history")
                view=crate::editor::EventHistoryPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/map") view=crate::cities::map::MapPage ssr=SsrMode::Async/>
            <Route path=path!("/cities") view=crate::cities::CitiesPage ssr=SsrMode::Async/>
            <Route path=path!("/cities/:slug") view=CityPage ssr=SsrMode::Async/>
            <Route path=path!("/partnerships") view=crate::partnerships::PartnershipsPage ssr=SsrMode::Async/>
            <Route path=path!("/partnerships/quiet") view=crate::partnerships::QuietPage ssr=SsrMode::Async/>
            <Route path=path!("/search") view=crate::search::SearchPage ssr=SsrMode::Async/>
            <Route path=path!("/tags/:tag") view=crate::news::TagPage ssr=SsrMode::Async/>
            <Route path=path!("/login") view=crate::auth::LoginPage ssr=SsrMode::Async/>
            <Route path=path!("/audit") view=crate::editor::AuditPage ssr=SsrMode::Async/>
            <Route path=path!("/inbox") view=crate::federation::moderation::InboxPage ssr=SsrMode::Async/>
            <Route
                path=path!("/accessibility")
                view=crate::accessibility::AccessibilityPage
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/accessibility/reports")
                view=crate::accessibility::ReportsPage
                ssr=SsrMode::Async
            />
        </ParentRoute>
    }
    .into_inner()
}

/// `/`: the home page, and what partner portals sent lately.
#[component]
fn HomePage() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let twins = Resource::new(|| (), move |_| get_twin_posts(lang));
    view! {
        <crate::home::HomePage/>
        <Loaded
            resource=twins
            view=|posts| {
                let heading = crate::i18n::use_lang().p().twin_posts_heading.to_owned();
                view! { <PartnerPosts posts heading id="twin-posts-heading"/> }
            }
        />
    }
}

/// `/news`, with a "New article" button for editors.
#[component]
fn NewsPage() -> impl IntoView {
    view! {
        <NewItemButton kind=ItemKind::News/>
        <crate::news::NewsPage/>
    }
}

/// `/events`, with a "New event" button for editors.
#[component]
fn EventsPage() -> impl IntoView {
    view! {
        <NewItemButton kind=ItemKind::Event/>
        <crate::events::EventsPage/>
    }
}

/// `/news/{slug}`.
#[component]
fn ArticlePage() -> impl IntoView {
    view! { <ItemPage kind=ItemKind::News/> }
}

/// `/events/{slug}`.
#[component]
fn EventPage() -> impl IntoView {
    view! { <ItemPage kind=ItemKind::Event/> }
}

/// The item of `kind` named by the `slug` route parameter: as visitors read it, or with the
/// editor's controls for a signed-in editor. Composed here, the one place that knows both, so
/// that the visitors' page (`news`) never imports the editor.
#[component]
fn ItemPage(kind: ItemKind) -> impl IntoView {
    let params = use_params_map();
    let lang = crate::i18n::use_lang();
    let page = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        move |slug| async move {
            let item = get_item(kind, slug.clone(), lang).await?;
            let edit = get_item_edit(kind, slug.clone(), lang).await?;
            let replies = get_replies(kind, slug, lang).await?;
            Ok((item, edit, replies))
        },
    );
    view! {
        <Loaded
            resource=page
            view=|(item, edit, replies)| {
                let page = match edit {
                    Some(edit) => view! {
                        <EditableItem item editable=edit.editable badge=edit.badge/>
                    }
                    .into_any(),
                    None => view! { <ItemArticle item/> }.into_any(),
                };
                view! { {page} <Replies replies/> }
            }
        />
    }
}

/// `/cities/{slug}?page=N`: the city's profile; for an admin with an Edit link, and with `?edit`
/// the facts as a form.
#[component]
fn CityPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let lang = crate::i18n::use_lang();
    let profile = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                parse_page(query.read().get("page")),
            )
        },
        move |(slug, page)| async move {
            let profile = get_city(slug.clone(), page?, lang).await?;
            let portal = get_partner_portal(slug.clone()).await?;
            let posts = get_partner_posts(slug.clone(), lang).await?;
            let partnership = get_partnership(slug, lang).await?;
            Ok((profile, partnership, (portal, posts)))
        },
    );
    view! {
        <Loaded
            resource=profile
            view=|(profile, partnership, (portal, posts))| {
                let lang = crate::i18n::use_lang();
                let query = use_query_map().read_untracked();
                let saved = query.get("saved").and_then(|v| v.parse().ok());
                let error = AppError::of_form(&query, SavePartnershipEntry::PATH)
                    .map(|e| e.message(lang));
                let portal_error = AppError::of_form(&query, FollowPartner::PATH)
                    .map(|e| e.message(lang));
                let partnership = view! {
                    <PartnershipSection partnership saved error/>
                    <PartnerPortalSection portal error=portal_error/>
                    <PartnerPosts posts heading=lang.p().partner_posts_heading.to_owned() id="partner-posts-heading"/>
                }
                .into_any();
                match profile.edit_version {
                    Some(version) => {
                        let editing = query.get("edit").is_some();
                        let city = profile.city.clone();
                        let facts = view! { <CityFacts profile partnership/> }.into_any();
                        view! { <EditableCity city version editing facts/> }.into_any()
                    }
                    None => view! { <CityFacts profile partnership/> }.into_any(),
                }
            }
        />
    }
}
