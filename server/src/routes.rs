//! The HTTP surface: the Leptos pages and server functions, the hashed assets with long-lived
//! caching, other static files, compression, and the 404 fallback.

use app::state::AppState;
use app::{shell, App};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use http::header::{HeaderValue, CACHE_CONTROL};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

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
        .layer(middleware::from_fn(asset_caching));

    let routes = generate_route_list(App);
    Router::new()
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route(
            "/map/countries.svg",
            axum::routing::get(app::cities::map::base::countries_layer),
        )
        .nest(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(CompressionLayer::new())
        .with_state(state)
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
    use super::is_hashed;

    #[test]
    fn recognises_hashed_asset_names() {
        assert!(is_hashed("twincity.qAtJUsNtn084l0wH2C30lw.css"));
        assert!(is_hashed("twincity_bg.0123abcd.wasm"));
        assert!(!is_hashed("twincity.css"));
        assert!(!is_hashed("twincity_bg.wasm"));
        assert!(!is_hashed("abcdefgh.css"));
    }
}
