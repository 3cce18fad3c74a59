//! twincity's server: configuration, the axum router around the Leptos app, and start-up.

mod conditional;
pub mod config;
mod page_cache;
mod routes;
pub mod users;

pub use routes::router;
