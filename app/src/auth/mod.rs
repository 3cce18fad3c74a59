//! Editors' accounts and sessions: who is logged in, the login page and form, logging out, and
//! (on the server) password hashing and the role check every mutating server function starts with.

#[cfg(feature = "ssr")]
pub mod address;
pub mod api;
mod login;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;

pub use login::{LoginPage, UserMenu};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What an account may do. Editors keep the news and events current; admins also edit the partner
/// cities and read the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Editor,
    Admin,
}

db_enum!(Role {
    Editor = "editor",
    Admin = "admin"
});

/// The logged-in person, as pages and server functions see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// The session as a page sees it: who is logged in, and the login and logout forms' actions.
/// Pages are rendered on the server only, so it is read once per page; logging in or out
/// loads a new one.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<SessionUser>, crate::error::AppError>>,
    pub login: ServerAction<api::Login>,
    pub logout: ServerAction<api::Logout>,
}

impl Auth {
    /// Creates the session resource and the login and logout actions, and provides them as context.
    pub fn provide() {
        let login = ServerAction::<api::Login>::new();
        let logout = ServerAction::<api::Logout>::new();
        let user = Resource::new(|| (), |_| api::current_user());
        provide_context(Self {
            user,
            login,
            logout,
        });
    }
}

/// The app's session context.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
