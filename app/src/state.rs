//! The server's shared state, put into every request's context by `leptos_axum`.

use axum::extract::FromRef;
use leptos::prelude::*;

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::auth::password::Checker;
use crate::error::AppError;
use crate::store::Store;

/// Site settings the pages need.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    /// Absolute URL the portal is reached at, without a trailing slash; used for canonical links.
    pub public_url: String,
    /// Where uploaded images and their resized copies are stored.
    pub media_dir: std::path::PathBuf,
    /// Where scanned agreements are stored, by content hash (served as downloads only).
    pub documents_dir: std::path::PathBuf,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none unless configured).
    pub trusted_proxies: Vec<crate::auth::address::Cidr>,
    /// Memory the server may keep rendered pages in for anonymous visitors (0 keeps none).
    pub page_cache_bytes: usize,
    /// Lets federation reach http and loopback addresses: for tests on one machine only.
    pub federation_loopback: bool,
}

impl SiteConfig {
    /// Whether visitors reach the portal over https: then its cookies are `Secure`.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Where the browser finds the islands' code: the wasm-bindgen module and its WebAssembly, by the
/// names cargo-leptos gave them (with content hashes when it hashed them, read from the hash file
/// it writes beside the binary).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IslandCode {
    pub script: String,
    pub wasm: String,
}

impl IslandCode {
    fn of(options: &LeptosOptions) -> Self {
        let hashes = options
            .hash_files
            .then(|| {
                let file = std::env::current_exe()
                    .ok()?
                    .with_file_name(options.hash_file.as_ref());
                std::fs::read_to_string(file).ok()
            })
            .flatten()
            .unwrap_or_default();
        let hash = |kind: &str| {
            hashes
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(k, _)| k.trim() == kind)
                .map(|(_, h)| format!(".{}", h.trim()))
                .unwrap_or_default()
        };
        let base = format!("/{}/{}", options.site_pkg_dir, options.output_name);
        Self {
            script: format!("{base}{}.js", hash("js")),
            wasm: format!("{base}{}.wasm", hash("wasm")),
        }
    }
}

/// Everything a request handler or server function may reach.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub config: SiteConfig,
    /// Checks passwords for logins, a few at a time.
    pub passwords: Checker,
    /// Image uploads decoded and resized at once (each may take a few hundred MB).
    pub image_jobs: Arc<Semaphore>,
    /// The islands' code, for pages that have islands.
    pub island_code: IslandCode,
    pub federation: crate::federation::Federation,
}

/// How many image uploads are worked on at once.
const IMAGE_JOBS: usize = 1;
/// How many password checks may wait for a thread.
const PASSWORD_QUEUE: usize = 16;

impl AppState {
    /// The state of a portal on `store` with `config`, with its password-checking threads (one a
    /// core) started.
    pub fn new(leptos_options: LeptosOptions, store: Store, config: SiteConfig) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            federation: crate::federation::Federation::new(
                &config.public_url,
                config.federation_loopback,
            ),
            island_code: IslandCode::of(&leptos_options),
            leptos_options,
            store,
            config,
            passwords: Checker::start(cores, PASSWORD_QUEUE),
            image_jobs: Arc::new(Semaphore::new(IMAGE_JOBS)),
        }
    }
}

/// The state of the request being served.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        AppError::Internal
    })
}
