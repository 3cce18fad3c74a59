//! The HTTP surface: the Leptos pages and server functions, the hashed assets and uploaded images
//! with long-lived caching, other static files, compression, the request size limit, the
//! cross-site write check, the page pipeline (`page`), and the 404 fallback.

use std::sync::OnceLock;

use crate::page::{self, PageCache};
use app::accessibility;
use app::editor::images::UploadImage;
use app::error::AppError;
use app::federation;
use app::i18n::Key;
use app::partnerships::api::SavePartnershipEntry;
use app::partnerships::open_data;
use app::state::AppState;
use app::syndication::{feeds, ical, sitemap};
use app::{shell, App};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http::header::{
    HeaderValue, CACHE_CONTROL, HOST, ORIGIN, REFERER, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::{Method, StatusCode};
use leptos::server_fn::ServerFn;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The app's pages, as leptos_axum lists them, listed once per process. Listing renders the
/// app with resource loading switched off by a flag that is global to the process
/// (`leptos::server::SuppressResourceLoad`): a resource created anywhere while it is off waits
/// forever, so listing while another router renders a page would leave that page unfinished.
/// Listed once, before the first router exists, the flag is never on while a page renders.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the complete application router for `state`.
pub fn router(state: AppState) -> Router {
    let options = &state.leptos_options;
    let pkg_dir =
        std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::from_fn(asset_caching))
        .layer(middleware::from_fn(file_errors_are_not_found));

    // Uploaded images are stored by content hash, so a URL's bytes never change.
    let media = Router::new()
        .fallback_service(ServeDir::new(&state.config.media_dir))
        .layer(middleware::from_fn(immutable))
        .layer(middleware::from_fn(file_errors_are_not_found));

    let routed = Router::new()
        .leptos_routes(&state, route_list(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route(
            "/map/countries.svg",
            axum::routing::get(app::cities::map::base::countries_layer),
        )
        // Feeds and calendars in both languages: the handlers read the language from the path.
        .route("/news/rss.xml", get(feeds::rss))
        .route("/ru/news/rss.xml", get(feeds::rss))
        .route("/news/atom.xml", get(feeds::atom))
        .route("/ru/news/atom.xml", get(feeds::atom))
        .route("/events.ics", get(ical::all_events))
        .route("/ru/events.ics", get(ical::all_events))
        .route("/events/{slug}/calendar.ics", get(ical::one_event))
        .route("/ru/events/{slug}/calendar.ics", get(ical::one_event))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .route("/healthz", get(healthz))
        .route(
            "/open-data/partnerships.json",
            get(open_data::partnerships_json),
        )
        .route(
            "/open-data/partnerships.csv",
            get(open_data::partnerships_csv),
        )
        .route("/open-data/events.json", get(open_data::events_json))
        .route("/documents/{file}", get(open_data::document))
        .route("/accessibility/view", get(accessibility::settings::choose))
        .route(
            "/ru/accessibility/view",
            get(accessibility::settings::choose),
        )
        .route("/accessibility/report", post(accessibility::report::submit))
        .route(
            "/ru/accessibility/report",
            post(accessibility::report::submit),
        )
        .route(
            "/.well-known/webfinger",
            get(federation::endpoints::webfinger),
        )
        .route("/federation/actor", get(federation::endpoints::actor))
        .route("/federation/outbox", get(federation::endpoints::outbox))
        .route(
            "/federation/followers",
            get(federation::endpoints::followers),
        )
        .route(
            "/federation/following",
            get(federation::endpoints::following),
        )
        .route("/federation/items/{id}", get(federation::endpoints::item))
        .route("/federation/inbox", post(federation::inbox::receive))
        .nest(&format!("/{}", options.site_pkg_dir), pkg)
        .nest("/media", media)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(multipart_guard))
        .layer(middleware::from_fn_with_state(
            state.config.public_url.clone(),
            same_origin_writes,
        ))
        .layer(middleware::from_fn(body_limit))
        .with_state(state.clone());
    // What every response passes through, outside the routes: a layer on a router wraps each of
    // its routes, and calling a route clones its handler (with the app's options, work a cached
    // answer does not need), so the page cache answers before any route is chosen.
    Router::new()
        .fallback_service(routed)
        .layer(middleware::from_fn_with_state(
            PageCache::new(state.store.clone(), state.config.page_cache_bytes),
            page::serve,
        ))
        .layer(middleware::from_fn(page::default_csp))
        .layer(always(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(always(REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(always(X_FRAME_OPTIONS, "DENY"))
        .layer(CompressionLayer::new())
}

/// `GET /healthz`: 200 while the process serves and the database answers, else 503. Never cached.
async fn healthz(State(state): State<AppState>) -> Response {
    let readable = state
        .store
        .call(|c| Ok(c.query_row("SELECT count(*) FROM site", [], |r| r.get::<_, i64>(0))?))
        .await;
    let (status, body) = match readable {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    };
    (status, [(CACHE_CONTROL, "no-store")], body).into_response()
}

fn always(name: http::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// Largest request body: an image upload (10 MB) with room for the multipart framing.
const MAX_BODY: usize = 11 * 1024 * 1024;
/// Largest body of the form that saves a partnership entry: a scanned agreement (20 MB) and the
/// form's texts.
const MAX_ENTRY_BODY: usize = app::partnerships::MAX_DOCUMENT + 1024 * 1024;

/// Bounds every request body: `MAX_ENTRY_BODY` for the partnership form, `MAX_BODY` for the rest.
async fn body_limit(request: Request, next: Next) -> Response {
    let limit = if request.uri().path() == SavePartnershipEntry::PATH {
        MAX_ENTRY_BODY
    } else {
        MAX_BODY
    };
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The upload is larger than this portal accepts.",
        )
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// The `scheme://host[:port]` part of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let rest_at = url.find("://")? + 3;
    let end = url[rest_at..].find('/').map_or(url.len(), |i| rest_at + i);
    Some(&url[..end])
}

/// Whether a browser request from `origin` comes from this portal: its public URL, or the host
/// the request was sent to.
fn is_own_origin(origin: &str, host: Option<&str>, public_url: &str) -> bool {
    origin_of(public_url) == Some(origin)
        || host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, o)| o == h))
}

/// Refuses requests that change something when a browser says they come from another site. Kept
/// alongside SameSite cookies, which older browsers and some same-site setups do not cover.
/// Clients that send neither `Origin` nor `Referer` are not browsers acting for a visitor.
async fn same_origin_writes(
    State(public_url): State<String>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let headers = request.headers();
        let header = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let origin = header(ORIGIN).or_else(|| header(REFERER).and_then(origin_of));
        if let Some(origin) = origin {
            if !is_own_origin(origin, header(HOST), &public_url) {
                return (
                    StatusCode::FORBIDDEN,
                    "Requests from other sites may not change anything on this portal.",
                )
                    .into_response();
            }
        }
    }
    next.run(request).await
}

/// The one place a server function's failure gets its HTTP status: the framework answers every
/// `AppError` with a 500 whose JSON body says which error it was (also when the arguments did not
/// parse, before the function ran), and this reads it back and answers with the error's own
/// status and, for the errors that say to wait, `Retry-After`. A plain HTML form's post is
/// answered with a redirect back to its page (the error in the address) and passes untouched.
async fn server_fn_status(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with(app::API_PREFIX);
    let response = next.run(request).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(parts.status);
        if let Some(seconds) = error.retry_after() {
            parts
                .headers
                .insert(http::header::RETRY_AFTER, seconds.into());
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Server functions that take multipart bodies; the framework panics on a request whose
/// Content-Type carries no usable boundary, so such requests are refused before they reach it.
const MULTIPART_FUNCTIONS: [&str; 2] = [UploadImage::PATH, SavePartnershipEntry::PATH];

async fn multipart_guard(request: Request, next: Next) -> Response {
    if MULTIPART_FUNCTIONS.contains(&request.uri().path()) {
        let boundary = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok());
        if boundary.is_none() {
            let error = AppError::invalid("file", Key::ErrMultipart);
            return (
                StatusCode::BAD_REQUEST,
                [(http::header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&error).unwrap_or_default(),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// A file server answers 500 when the file system refuses a name (too long, not a directory…);
/// for a visitor that is simply a file that is not there.
async fn file_errors_are_not_found(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status().is_server_error() {
        return StatusCode::NOT_FOUND.into_response();
    }
    response
}

/// Lets browsers and proxies keep a response for a year.
async fn immutable(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response.headers_mut().insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

/// Whether a file name carries a content hash, as cargo-leptos writes them
/// (`twincity.5Rk2lXq1aPQ.css`): such a file never changes under its name.
fn is_hashed(file_name: &str) -> bool {
    let mut parts = file_name.rsplit('.');
    let (_ext, hash) = (parts.next(), parts.next());
    parts.next().is_some()
        && hash.is_some_and(|h| {
            h.len() >= 8
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Lets browsers keep hashed assets for a year; anything else they must revalidate.
async fn asset_caching(request: Request, next: Next) -> Response {
    let hashed = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(is_hashed);
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{is_hashed, is_own_origin, origin_of};

    #[test]
    fn origins_match_the_public_url_or_the_requested_host() {
        assert_eq!(
            origin_of("http://a.example:3000/news?x"),
            Some("http://a.example:3000")
        );
        assert_eq!(origin_of("https://a.example"), Some("https://a.example"));
        let public = "https://portal.example";
        assert!(is_own_origin("https://portal.example", None, public));
        assert!(is_own_origin(
            "http://127.0.0.1:3000",
            Some("127.0.0.1:3000"),
            public
        ));
        assert!(!is_own_origin(
            "https://evil.example",
            Some("127.0.0.1:3000"),
            public
        ));
        assert!(!is_own_origin("null", Some("127.0.0.1:3000"), public));
    }

    #[test]
    fn recognises_hashed_asset_names() {
        assert!(is_hashed("twincity.qAtJUsNtn084l0wH2C30lw.css"));
        assert!(is_hashed("twincity_bg.0123abcd.wasm"));
        assert!(!is_hashed("twincity.css"));
        assert!(!is_hashed("twincity_bg.wasm"));
        assert!(!is_hashed("abcdefgh.css"));
    }
}
