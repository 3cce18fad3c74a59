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

pub mod accessibility;
pub mod auth;
pub mod cities;
pub mod editor;
pub mod error;
pub mod events;
pub mod federation;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod media;
pub mod news;
pub mod pager;
pub mod partnerships;
#[cfg(feature = "ssr")]
mod routes;
pub mod search;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod syndication;
pub mod url;

#[cfg(not(feature = "ssr"))]
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use routes::{shell, App};

/// Where the server functions are mounted (`/api/<name>`).
pub const API_PREFIX: &str = "/api/";

/// Runs `f` as an effect in the browser only. Effects never run on the server, and creating
/// one there wraps its closure for a single thread: when the multi-threaded runtime drops the
/// rendered page on another thread, that wrapper panics and the response never completes.
pub fn client_effect(f: impl Fn() + 'static) {
    #[cfg(not(feature = "ssr"))]
    Effect::new(f);
    #[cfg(feature = "ssr")]
    drop(f);
}

/// Loads `href` as a new document. Editors leave their forms this way: the page they return to is
/// rendered afresh by the server, and the form's guards go with the old document.
pub fn load_page(href: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window().location().assign(href);
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}
