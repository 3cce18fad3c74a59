//! Federation over ActivityPub: the portal is an actor (`news@host`) that partner portals and
//! anyone on the fediverse can follow. Its published items go out as `Article` and `Event`
//! objects carrying both languages; a durable queue delivers them, signed; its inbox verifies
//! what arrives and keeps partners' posts for moderation. Admins follow a partner city's portal
//! from the city's page (`follow`). See docs/federation.md.

#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod documents;
#[cfg(feature = "ssr")]
pub mod endpoints;
#[cfg(feature = "ssr")]
pub mod fetch;
#[cfg(feature = "ssr")]
pub mod follow;
#[cfg(feature = "ssr")]
mod gate;
#[cfg(feature = "ssr")]
pub mod inbox;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod moderation;
#[cfg(feature = "ssr")]
mod post;
#[cfg(feature = "ssr")]
pub mod publish;
#[cfg(feature = "ssr")]
mod remote;
#[cfg(feature = "ssr")]
pub mod signature;

#[cfg(feature = "ssr")]
pub use runtime::Federation;

use serde::{Deserialize, Serialize};

/// The user part of the portal's handle: `news@host`.
pub const USERNAME: &str = "news";
/// The media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// Where following a partner portal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FollowState {
    /// The `Follow` is sent (or queued); no answer yet.
    Pending,
    Accepted,
    Rejected,
}

db_enum!(FollowState {
    Pending = "pending",
    Accepted = "accepted",
    Rejected = "rejected",
});

/// Where a received post stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    /// Waiting for an editor.
    Held,
    /// Shown: on the partner's city page and the home page, or under the item it answers.
    Approved,
    Rejected,
}

db_enum!(Moderation {
    Held = "held",
    Approved = "approved",
    Rejected = "rejected",
});

/// The portal's federation addresses, derived from its public URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Urls {
    /// The public URL, without a trailing slash.
    pub base: String,
    pub actor: String,
    pub inbox: String,
    pub outbox: String,
    pub followers: String,
    pub following: String,
}

impl Urls {
    pub fn new(base: &str) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        Self {
            actor: format!("{base}/federation/actor"),
            inbox: format!("{base}/federation/inbox"),
            outbox: format!("{base}/federation/outbox"),
            followers: format!("{base}/federation/followers"),
            following: format!("{base}/federation/following"),
            base,
        }
    }

    /// The id of the actor's key.
    pub fn key_id(&self) -> String {
        format!("{}#main-key", self.actor)
    }

    /// The id of item `id`'s object.
    pub fn item(&self, id: i64) -> String {
        format!("{}/federation/items/{id}", self.base)
    }

    /// The item whose object id is `object`, if it is one of this portal's.
    pub fn item_of(&self, object: &str) -> Option<i64> {
        object
            .strip_prefix(&self.base)?
            .strip_prefix("/federation/items/")?
            .parse()
            .ok()
    }

    /// The host (with its port, if any) the portal is reached at.
    pub fn host(&self) -> &str {
        let rest = self
            .base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    /// `news@host`.
    pub fn handle(&self) -> String {
        format!("{USERNAME}@{}", self.host())
    }
}

/// Starts the publisher and the delivery queue, for as long as the process runs.
#[cfg(feature = "ssr")]
pub fn start(state: &crate::state::AppState) {
    tokio::spawn(publish::run(state.clone()));
    tokio::spawn(delivery::run(state.clone()));
}

/// A short, stable name for `text` in an id.
#[cfg(feature = "ssr")]
pub fn short_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The clock, in unix seconds.
#[cfg(feature = "ssr")]
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(feature = "ssr")]
mod runtime {
    use std::sync::Arc;

    use tokio::sync::{Notify, OnceCell, Semaphore};

    use super::fetch::{Fetcher, Signer};
    use super::gate::FetchGate;
    use super::keys::{self, KeyPair};
    use super::Urls;
    use crate::error::AppError;
    use crate::store::Store;

    /// Inbox requests verified at once; more wait briefly or are told to come back. Those that
    /// fetch a key from another server also need one of the fewer slots of `FetchGate`.
    const INBOX_SLOTS: usize = 16;

    /// The portal's federation: its addresses, its key (made on first use), the HTTP client for
    /// other servers, and the signals that wake the publisher and the delivery queue.
    #[derive(Clone)]
    pub struct Federation {
        inner: Arc<Inner>,
    }

    struct Inner {
        urls: Urls,
        fetcher: Fetcher,
        key: OnceCell<Arc<KeyPair>>,
        deliveries: Notify,
        changes: Notify,
        inbox_slots: Semaphore,
        key_fetches: FetchGate,
    }

    impl std::fmt::Debug for Federation {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Federation")
                .field("actor", &self.inner.urls.actor)
                .finish_non_exhaustive()
        }
    }

    impl Federation {
        /// The federation of the portal at `public_url`; `loopback` lets it reach http and
        /// loopback addresses (tests only).
        pub fn new(public_url: &str, loopback: bool) -> Self {
            let urls = Urls::new(public_url);
            let agent = format!("twincity/{} (+{}/)", env!("CARGO_PKG_VERSION"), urls.base);
            Self {
                inner: Arc::new(Inner {
                    fetcher: Fetcher::new(loopback, &agent),
                    urls,
                    key: OnceCell::new(),
                    deliveries: Notify::new(),
                    changes: Notify::new(),
                    inbox_slots: Semaphore::new(INBOX_SLOTS),
                    key_fetches: FetchGate::default(),
                }),
            }
        }

        pub fn urls(&self) -> &Urls {
            &self.inner.urls
        }

        pub fn fetcher(&self) -> &Fetcher {
            &self.inner.fetcher
        }

        /// The key pair, read (or made) once.
        pub async fn key(&self, store: &Store) -> Result<Arc<KeyPair>, AppError> {
            self.inner
                .key
                .get_or_try_init(|| keys::load_or_create(store))
                .await
                .cloned()
        }

        /// The portal's key as it signs requests.
        pub async fn signer(&self, store: &Store) -> Result<Signer, AppError> {
            Ok(Signer {
                key: self.key(store).await?,
                key_id: self.inner.urls.key_id(),
            })
        }

        /// Tells the delivery queue that deliveries were queued.
        pub fn deliveries_queued(&self) {
            self.inner.deliveries.notify_one();
        }

        pub(super) async fn deliveries_wait(&self) {
            self.inner.deliveries.notified().await;
        }

        /// Tells the publisher that items may have changed.
        pub fn items_changed(&self) {
            self.inner.changes.notify_one();
        }

        pub(super) async fn changes_wait(&self) {
            self.inner.changes.notified().await;
        }

        pub(super) fn inbox_slots(&self) -> &Semaphore {
            &self.inner.inbox_slots
        }

        pub(super) fn key_fetches(&self) -> &FetchGate {
            &self.inner.key_fetches
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::Urls;

    #[test]
    fn addresses_follow_the_public_url() {
        let urls = Urls::new("https://city.example/");
        assert_eq!(urls.actor, "https://city.example/federation/actor");
        assert_eq!(
            urls.key_id(),
            "https://city.example/federation/actor#main-key"
        );
        assert_eq!(urls.handle(), "news@city.example");
        assert_eq!(
            Urls::new("http://127.0.0.1:3001").handle(),
            "news@127.0.0.1:3001"
        );
        assert_eq!(urls.item(7), "https://city.example/federation/items/7");
        assert_eq!(urls.item_of(&urls.item(7)), Some(7));
        assert_eq!(
            urls.item_of("https://evil.example/federation/items/7"),
            None
        );
        assert_eq!(
            urls.item_of("https://city.example/federation/items/7x"),
            None
        );
    }
}
