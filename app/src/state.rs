//! The server's shared state, put into every request's context by `leptos_axum`.

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::error::AppError;
use crate::store::Store;

/// Site settings the pages need.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    /// Absolute URL the portal is reached at, without a trailing slash; used for canonical links.
    pub public_url: String,
    /// Where uploaded images and their resized copies are stored.
    pub media_dir: std::path::PathBuf,
}

/// Everything a request handler or server function may reach.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub config: SiteConfig,
}

/// The state of the request being served.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        AppError::Internal
    })
}
