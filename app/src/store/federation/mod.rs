//! SQL of federation: the portal's key pair, remote actors, followers, replay protection and the
//! inbox's rate limit here; the delivery queue, what was sent of each item, the partners the
//! portal follows, the posts received for moderation and the block list in their own modules.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

mod blocks;
mod delivery;
mod following;
mod incoming;
mod items;

pub use blocks::*;
pub use delivery::*;
pub use following::*;
pub use incoming::*;
pub use items::*;

/// The host of `url` as the portal compares hosts: lower case (international names in their
/// ASCII form), without a port or a trailing dot; empty when `url` has none.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .unwrap_or_default()
}

/// The portal's key pair, PEM-encoded (PKCS#8 private key, SPKI public key).
#[derive(Clone, Debug)]
pub struct StoredKey {
    pub private_pem: String,
    pub public_pem: String,
}

/// The stored key pair, if one was made.
pub fn key(conn: &Connection) -> Result<Option<StoredKey>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT private_pem, public_pem FROM federation_key WHERE id = 1")?
        .query_row([], |r| {
            Ok(StoredKey {
                private_pem: r.get(0)?,
                public_pem: r.get(1)?,
            })
        })
        .optional()?)
}

/// Stores `key` unless a key pair exists, and returns the one stored: two first requests racing
/// agree on one key.
pub fn keep_key(conn: &Connection, key: &StoredKey) -> Result<StoredKey, StoreError> {
    conn.prepare_cached(
        "INSERT INTO federation_key (id, private_pem, public_pem) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![key.private_pem, key.public_pem])?;
    self::key(conn)?.ok_or_else(|| StoreError::Unusable("the key pair was not stored".into()))
}

/// An actor of another server, as the portal last fetched it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteActor {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_pem: String,
    pub handle: String,
    pub name: String,
    /// Unix seconds.
    pub fetched_at: i64,
}

impl RemoteActor {
    /// Where to deliver to this actor: its server's shared inbox where it has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

const ACTOR_COLUMNS: &str = "id, inbox, shared_inbox, key_id, public_pem, handle, name, fetched_at";

fn actor_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RemoteActor> {
    Ok(RemoteActor {
        id: r.get("id")?,
        inbox: r.get("inbox")?,
        shared_inbox: r.get("shared_inbox")?,
        key_id: r.get("key_id")?,
        public_pem: r.get("public_pem")?,
        handle: r.get("handle")?,
        name: r.get("name")?,
        fetched_at: r.get("fetched_at")?,
    })
}

/// The cached actor `id`.
pub fn remote_actor(conn: &Connection, id: &str) -> Result<Option<RemoteActor>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACTOR_COLUMNS} FROM remote_actors WHERE id = ?1"
        ))?
        .query_row([id], actor_from_row)
        .optional()?)
}

/// The cached actor whose key is `key_id`.
pub fn actor_of_key(conn: &Connection, key_id: &str) -> Result<Option<RemoteActor>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACTOR_COLUMNS} FROM remote_actors WHERE key_id = ?1"
        ))?
        .query_row([key_id], actor_from_row)
        .optional()?)
}

/// Stores or refreshes `actor`.
pub fn save_remote_actor(conn: &Connection, actor: &RemoteActor) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO remote_actors (id, inbox, shared_inbox, key_id, public_pem, handle, name,
                                    fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET inbox = excluded.inbox,
             shared_inbox = excluded.shared_inbox, key_id = excluded.key_id,
             public_pem = excluded.public_pem, handle = excluded.handle, name = excluded.name,
             fetched_at = excluded.fetched_at",
    )?
    .execute(params![
        actor.id,
        actor.inbox,
        actor.shared_inbox,
        actor.key_id,
        actor.public_pem,
        actor.handle,
        actor.name,
        actor.fetched_at
    ])?;
    Ok(())
}

/// Records `actor` (already stored as a remote actor) as a follower.
pub fn add_follower(conn: &Connection, actor: &str, follow_id: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO followers (actor, follow_id) VALUES (?1, ?2)
         ON CONFLICT (actor) DO UPDATE SET follow_id = excluded.follow_id",
    )?
    .execute([actor, follow_id])?;
    Ok(())
}

/// Ends `actor`'s following; whether it followed.
pub fn remove_follower(conn: &Connection, actor: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM followers WHERE actor = ?1")?
        .execute([actor])?
        > 0)
}

/// Ends `actor`'s following when `follow_id` is the follow it is recorded with (an `Undo` of
/// its own `Follow` by id); whether it did.
pub fn remove_follow(conn: &Connection, actor: &str, follow_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM followers WHERE actor = ?1 AND follow_id = ?2")?
        .execute([actor, follow_id])?
        > 0)
}

/// Every inbox the portal's posts go to: one per server where servers share an inbox.
pub fn follower_inboxes(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT coalesce(a.shared_inbox, a.inbox) FROM followers f
         JOIN remote_actors a ON a.id = f.actor ORDER BY 1",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many actors follow the portal.
pub fn follower_count(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM followers")?
        .query_row([], |r| r.get::<_, i64>(0))?
        .unsigned_abs())
}

/// Remembers the hash of an accepted signature; `false` when it was seen within the window (a
/// replay). Hashes older than `window` seconds are forgotten.
pub fn first_sight(
    conn: &Connection,
    hash: &str,
    now: i64,
    window: i64,
) -> Result<bool, StoreError> {
    conn.prepare_cached("DELETE FROM seen_signatures WHERE seen_at < ?1")?
        .execute([now - window])?;
    Ok(conn
        .prepare_cached(
            "INSERT INTO seen_signatures (hash, seen_at) VALUES (?1, ?2)
             ON CONFLICT (hash) DO NOTHING",
        )?
        .execute(params![hash, now])?
        > 0)
}

/// Counts an activity from `host`; `false` when `host` already sent `limit` in the last minute.
pub fn inbox_allowance(
    conn: &Connection,
    host: &str,
    now: i64,
    limit: u32,
) -> Result<bool, StoreError> {
    conn.prepare_cached("DELETE FROM inbox_attempts WHERE at <= ?1")?
        .execute([now - 60])?;
    let recent: u32 = conn
        .prepare_cached("SELECT count(*) FROM inbox_attempts WHERE host = ?1")?
        .query_row([host], |r| r.get(0))?;
    if recent >= limit {
        return Ok(false);
    }
    conn.prepare_cached("INSERT INTO inbox_attempts (host, at) VALUES (?1, ?2)")?
        .execute(params![host, now])?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_db;

    #[test]
    fn a_signature_is_seen_once_within_the_window() {
        let db = temp_db();
        assert!(first_sight(&db.conn, "abc", 1000, 7200).unwrap());
        assert!(!first_sight(&db.conn, "abc", 2000, 7200).unwrap());
        assert!(
            first_sight(&db.conn, "abc", 9000, 7200).unwrap(),
            "forgotten after"
        );
    }

    #[test]
    fn each_server_gets_its_share_of_the_inbox() {
        let db = temp_db();
        for _ in 0..3 {
            assert!(inbox_allowance(&db.conn, "a.example", 100, 3).unwrap());
        }
        assert!(!inbox_allowance(&db.conn, "a.example", 110, 3).unwrap());
        assert!(inbox_allowance(&db.conn, "b.example", 110, 3).unwrap());
        assert!(
            inbox_allowance(&db.conn, "a.example", 161, 3).unwrap(),
            "a minute later"
        );
    }
}
