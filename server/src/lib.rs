//! twincity's server: configuration, the axum router around the Leptos app, and start-up.

pub mod config;
mod page;
mod routes;
pub mod users;

pub use routes::router;
