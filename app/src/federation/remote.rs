//! Other servers' actors: found by handle (WebFinger), fetched, checked, and cached with their
//! keys for a day.

use serde_json::Value;
use url::Url;

use super::fetch::FetchError;
use super::{keys, now, ACTIVITY_JSON};
use crate::state::AppState;
use crate::store::{self, federation::RemoteActor};

/// How long a fetched actor (and its key) is trusted before it is fetched again.
pub const FRESH_FOR: i64 = 24 * 3600;
/// How long fetching the key of a request's signer may take: the inbox request waits for it.
const KEY_FETCH_TIME: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest user name and display name kept of another server's actor.
const MAX_USERNAME: usize = 64;
const MAX_NAME: usize = 100;

/// Why another server's actor cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("fetching it failed: {0}")]
    Fetch(#[from] FetchError),
    #[error("its document is not a usable actor: {0}")]
    Document(&'static str),
    #[error("the portal's store failed")]
    Store,
    #[error("fetching it took too long")]
    Slow,
}

impl From<crate::error::AppError> for RemoteError {
    fn from(_: crate::error::AppError) -> Self {
        Self::Store
    }
}

impl From<store::StoreError> for RemoteError {
    fn from(error: store::StoreError) -> Self {
        tracing::error!(%error, "federation store call failed");
        Self::Store
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn host_of(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()
        .filter(|u| u.host_str().is_some())
        .map(|u| super::fetch::authority(&u))
}

/// Reads the actor document `doc`, fetched from `from`. Its id must be on the host it came
/// from, its key must be its own, and its inbox an address the portal may post to.
pub fn parse_actor(doc: &Value, from: &str, fetched_at: i64) -> Result<RemoteActor, RemoteError> {
    let id = text(doc, "id").ok_or(RemoteError::Document("no id"))?;
    if host_of(id).is_none() || host_of(id) != host_of(from) {
        return Err(RemoteError::Document("its id is on another host"));
    }
    let key = match doc.get("publicKey") {
        Some(Value::Array(keys)) => keys.first(),
        other => other,
    }
    .ok_or(RemoteError::Document("no public key"))?;
    let key_id = text(key, "id").ok_or(RemoteError::Document("a key without id"))?;
    if text(key, "owner") != Some(id) || host_of(key_id) != host_of(id) {
        return Err(RemoteError::Document("its key belongs to someone else"));
    }
    let pem = text(key, "publicKeyPem").ok_or(RemoteError::Document("a key without PEM"))?;
    if keys::public_key(pem).is_none() {
        return Err(RemoteError::Document("its key is not an RSA public key"));
    }
    let inbox = text(doc, "inbox").ok_or(RemoteError::Document("no inbox"))?;
    let shared = doc
        .get("endpoints")
        .and_then(|e| text(e, "sharedInbox"))
        .filter(|s| host_of(s) == host_of(id));
    let host = host_of(id).unwrap_or_default();
    // A user name that is not one (`news@partner.example (official)`, spaces, another `@`)
    // would show editors a handle of another server: such an actor is named by its server.
    let username = text(doc, "preferredUsername")
        .filter(|u| u.len() <= MAX_USERNAME && split_handle(&format!("{u}@{host}")).is_some());
    let handle = username.map_or_else(|| host.clone(), |u| format!("{u}@{host}"));
    let name = shown_name(text(doc, "name").unwrap_or_default());
    Ok(RemoteActor {
        id: id.to_owned(),
        inbox: inbox.to_owned(),
        shared_inbox: shared.map(str::to_owned),
        key_id: key_id.to_owned(),
        public_pem: pem.to_owned(),
        name: if name.is_empty() {
            handle.clone()
        } else {
            name
        },
        handle,
        fetched_at,
    })
}

/// A display name as editors and visitors may see it: one line, without the invisible and
/// direction-changing characters that make one text look like another, bounded.
fn shown_name(name: &str) -> String {
    let invisible = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{061c}')
    };
    name.chars()
        .filter(|c| !invisible(*c))
        .take(MAX_NAME)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Fetches the actor at `url`, checks it and stores it.
pub async fn fetch_actor(state: &AppState, url: &str) -> Result<RemoteActor, RemoteError> {
    let federation = &state.federation;
    let signer = federation.signer(&state.store).await?;
    let now = now();
    let doc = federation
        .fetcher()
        .get_json(url, ACTIVITY_JSON, &signer, now)
        .await?;
    let actor = parse_actor(&doc, url, now)?;
    federation.fetcher().check(&actor.inbox)?;
    let saved = actor.clone();
    state
        .store
        .call(move |c| store::federation::save_remote_actor(c, &saved))
        .await?;
    Ok(actor)
}

/// The actor whose key is `key_id`, as last fetched, however long ago.
pub async fn cached_key_owner(
    state: &AppState,
    key_id: &str,
) -> Result<Option<RemoteActor>, RemoteError> {
    let id = key_id.to_owned();
    Ok(state
        .store
        .call(move |c| store::federation::actor_of_key(c, &id))
        .await?)
}

/// Fetches the actor whose key is `key_id` from the key's document (an actor, or a key naming
/// its owner), within `KEY_FETCH_TIME`.
pub async fn fetch_key_owner(state: &AppState, key_id: &str) -> Result<RemoteActor, RemoteError> {
    let document = key_id.split('#').next().unwrap_or(key_id);
    let actor = tokio::time::timeout(KEY_FETCH_TIME, fetch_actor(state, document))
        .await
        .map_err(|_| RemoteError::Slow)??;
    if actor.key_id != key_id {
        return Err(RemoteError::Document("the key is not its actor's"));
    }
    Ok(actor)
}

/// Splits a handle as people write it (`news@city.example`, `@news@city.example`).
pub fn split_handle(handle: &str) -> Option<(&str, &str)> {
    let handle = handle.trim().trim_start_matches('@');
    let (user, host) = handle.split_once('@')?;
    let valid_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    let valid_user = !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    (valid_host && valid_user).then_some((user, host))
}

/// Finds the actor of `handle` by WebFinger and fetches it.
pub async fn lookup(state: &AppState, handle: &str) -> Result<RemoteActor, RemoteError> {
    let (user, host) = split_handle(handle).ok_or(RemoteError::Document("not a handle"))?;
    let scheme = if state.config.federation_loopback {
        "http"
    } else {
        "https"
    };
    let url = format!("{scheme}://{host}/.well-known/webfinger?resource=acct:{user}@{host}");
    let signer = state.federation.signer(&state.store).await?;
    let jrd = state
        .federation
        .fetcher()
        .get_json(&url, "application/jrd+json", &signer, now())
        .await?;
    let actor_url = jrd
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|link| {
            text(link, "rel") == Some("self")
                && text(link, "type")
                    .is_some_and(|t| t == ACTIVITY_JSON || t.starts_with("application/ld+json"))
        })
        .and_then(|link| text(link, "href"))
        .ok_or(RemoteError::Document("WebFinger names no actor"))?;
    fetch_actor(state, actor_url).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pem() -> String {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        KEY.get_or_init(|| {
            keys::generate()
                .unwrap()
                .to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap()
        })
        .clone()
    }

    fn doc(id: &str, key_id: &str, owner: &str) -> Value {
        json!({
            "id": id, "type": "Service", "preferredUsername": "news", "name": "Chemnitz",
            "inbox": format!("{id}/inbox"),
            "endpoints": { "sharedInbox": "https://chemnitz.example/inbox" },
            "publicKey": { "id": key_id, "owner": owner, "publicKeyPem": pem() },
        })
    }

    #[test]
    fn an_actor_is_read_with_its_key_and_shared_inbox() {
        let id = "https://chemnitz.example/actor";
        let actor = parse_actor(&doc(id, &format!("{id}#main-key"), id), id, 5).unwrap();
        assert_eq!(actor.handle, "news@chemnitz.example");
        assert_eq!(actor.delivery_inbox(), "https://chemnitz.example/inbox");
        assert_eq!(actor.fetched_at, 5);
        assert_eq!(actor.name, "Chemnitz");
    }

    #[test]
    fn a_user_name_that_is_not_one_never_shows_as_a_handle() {
        let id = "https://evil.example/actor";
        let key = format!("{id}#main-key");
        for spoof in [
            "news@chemnitz.example",
            "news@chemnitz.example (official)",
            "admin\u{202e}elpmaxe",
            "",
            &"a".repeat(65),
        ] {
            let mut d = doc(id, &key, id);
            d["preferredUsername"] = json!(spoof);
            d["name"] = json!(format!("Chemnitz\u{202e}\u{200b}\n{}", "x".repeat(300)));
            let actor = parse_actor(&d, id, 0).unwrap();
            assert_eq!(actor.handle, "evil.example", "{spoof:?}");
            assert!(actor.name.starts_with("Chemnitzx"), "{:?}", actor.name);
            assert_eq!(actor.name.chars().count(), MAX_NAME);
        }
    }

    #[test]
    fn an_actor_claiming_another_host_or_key_is_refused() {
        let id = "https://chemnitz.example/actor";
        let key = format!("{id}#main-key");
        // Served by another host.
        assert!(parse_actor(&doc(id, &key, id), "https://evil.example/actor", 0).is_err());
        // A key owned by someone else, or kept on another host.
        assert!(parse_actor(&doc(id, &key, "https://x.example/a"), id, 0).is_err());
        assert!(parse_actor(&doc(id, "https://evil.example/k", id), id, 0).is_err());
        let mut bad_pem = doc(id, &key, id);
        bad_pem["publicKey"]["publicKeyPem"] = json!("-----BEGIN PUBLIC KEY-----\nAAAA");
        assert!(parse_actor(&bad_pem, id, 0).is_err());
    }

    #[test]
    fn handles_are_split_and_checked() {
        assert_eq!(
            split_handle(" @news@chemnitz.example "),
            Some(("news", "chemnitz.example"))
        );
        assert_eq!(
            split_handle("news@127.0.0.1:3001"),
            Some(("news", "127.0.0.1:3001"))
        );
        for bad in [
            "news",
            "@chemnitz.example",
            "news@",
            "a b@c",
            "n@h/x?y",
            "n@h#f",
        ] {
            assert_eq!(split_handle(bad), None, "{bad}");
        }
    }
}
