//! SQL of federation: the portal's key pair, remote actors, followers and followed partners, the
//! delivery queue, what was sent of each item, replay protection, and the posts partners sent.

use rusqlite::{params, Connection, OptionalExtension};

use super::images::{self, ImageMeta};
use super::items::VISIBLE;
use super::StoreError;
use crate::federation::{FollowState, Moderation};
use crate::i18n::Key;
use crate::i18n::Lang;
use crate::news::ItemKind;

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

/// Queues `activity` (JSON) for each of `inboxes`, due at `now` (unix seconds).
pub fn enqueue(
    conn: &Connection,
    inboxes: &[String],
    activity: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO deliveries (inbox, activity, next_at, created_at) VALUES (?1, ?2, ?3, ?3)",
    )?;
    for inbox in inboxes {
        stmt.execute(params![inbox, activity, now])?;
    }
    Ok(())
}

/// A queued delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub inbox: String,
    pub activity: String,
    pub attempts: u32,
    /// Unix seconds.
    pub created_at: i64,
}

/// Up to `limit` deliveries due at `now`, oldest due first, at most `per_inbox` of them for any
/// one inbox: a slow server's backlog does not fill every slot.
pub fn due_deliveries(
    conn: &Connection,
    now: i64,
    limit: u32,
    per_inbox: u32,
) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, inbox, activity, attempts, created_at FROM (
             SELECT *, row_number() OVER (PARTITION BY inbox ORDER BY next_at, id) AS n
             FROM deliveries WHERE given_up_at IS NULL AND next_at <= ?1)
         WHERE n <= ?3 ORDER BY next_at, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit, per_inbox], |r| {
        Ok(Delivery {
            id: r.get(0)?,
            inbox: r.get(1)?,
            activity: r.get(2)?,
            attempts: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the next queued delivery is due (unix seconds), if any is waiting.
pub fn next_due(conn: &Connection) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT min(next_at) FROM deliveries WHERE given_up_at IS NULL")?
        .query_row([], |r| r.get(0))?)
}

/// Removes delivery `id`: its inbox accepted it.
pub fn delivered(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM deliveries WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Records a failed attempt of delivery `id`: tried again at `next_at`, or given up at `now`
/// when `next_at` is `None`.
pub fn failed(
    conn: &Connection,
    id: i64,
    error: &str,
    now: i64,
    next_at: Option<i64>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2,
             next_at = coalesce(?4, next_at),
             given_up_at = CASE WHEN ?4 IS NULL THEN ?3 END
         WHERE id = ?1",
    )?
    .execute(params![id, error, now, next_at])?;
    Ok(())
}

/// What has to be told about an item: it is visible in a version not yet sent, or no longer
/// visible though it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Visible, never sent (or sent and deleted before).
    Create { item: i64, version: i64 },
    /// Visible in a newer version than sent.
    Update { item: i64, version: i64 },
    /// Sent, but archived, unpublished or deleted since.
    Delete { item: i64, version: i64 },
}

/// Every item whose federated state differs from what visitors see now.
pub fn changes(conn: &Connection) -> Result<Vec<Change>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.id, i.version, f.version, f.state, {VISIBLE} FROM items i
         LEFT JOIN federated_items f ON f.item_id = i.id
         WHERE ({VISIBLE} AND (f.item_id IS NULL OR f.state = 'deleted' OR f.version <> i.version))
            OR (NOT ({VISIBLE}) AND f.state = 'sent')
         ORDER BY i.published_at, i.id"
    ))?;
    let rows = stmt.query_map([], |r| {
        let item: i64 = r.get(0)?;
        let version: i64 = r.get(1)?;
        let sent: Option<String> = r.get(3)?;
        let visible: bool = r.get(4)?;
        Ok(match (visible, sent.as_deref()) {
            (true, Some("sent")) => Change::Update { item, version },
            (true, _) => Change::Create { item, version },
            (false, _) => Change::Delete { item, version },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records that `change` was told (queued for every follower).
pub fn mark_told(conn: &Connection, change: Change) -> Result<(), StoreError> {
    let (item, version, state) = match change {
        Change::Create { item, version } | Change::Update { item, version } => {
            (item, version, "sent")
        }
        Change::Delete { item, version } => (item, version, "deleted"),
    };
    conn.prepare_cached(
        "INSERT INTO federated_items (item_id, version, state) VALUES (?1, ?2, ?3)
         ON CONFLICT (item_id) DO UPDATE SET version = excluded.version, state = excluded.state",
    )?
    .execute(params![item, version, state])?;
    Ok(())
}

/// Whether item `id` was told and then deleted: its object URL answers with a tombstone.
pub fn is_tombstone(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT 1 FROM federated_items f JOIN items i ON i.id = f.item_id
             WHERE f.item_id = ?1 AND f.state = 'deleted' AND NOT ({VISIBLE})"
        ))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// An item's text in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemText {
    pub lang: Lang,
    pub title: String,
    pub lead: String,
    /// Markdown.
    pub body: String,
}

/// A partner city an item names.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedCity {
    pub slug: String,
    /// English name, and the Russian where one is stored.
    pub name: String,
    pub name_ru: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

/// An item with everything a federated object carries, in every language it has.
#[derive(Clone, Debug, PartialEq)]
pub struct FederatedItem {
    pub id: i64,
    pub slug: String,
    pub kind: ItemKind,
    pub version: i64,
    pub published_at: String,
    pub updated_at: String,
    pub event_start: Option<String>,
    pub event_end: Option<String>,
    pub venue: String,
    pub texts: Vec<ItemText>,
    pub cover: Option<(ImageMeta, String)>,
    /// (slug, English name).
    pub tags: Vec<(String, String)>,
    pub cities: Vec<NamedCity>,
}

/// Item `id` when visitors may see it.
pub fn visible_item(conn: &Connection, id: i64) -> Result<Option<FederatedItem>, StoreError> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT i.id, i.slug, i.kind, i.version, i.published_at, i.updated_at, i.event_start,
                    i.event_end, i.venue, i.cover_image, i.cover_alt
             FROM items i WHERE i.id = ?1 AND {VISIBLE}"
        ))?
        .query_row([id], |r| {
            Ok((
                FederatedItem {
                    id: r.get("id")?,
                    slug: r.get("slug")?,
                    kind: {
                        let kind: String = r.get("kind")?;
                        ItemKind::from_db(&kind).ok_or_else(|| super::unknown_value(2, &kind))?
                    },
                    version: r.get("version")?,
                    published_at: r.get("published_at")?,
                    updated_at: r.get("updated_at")?,
                    event_start: r.get("event_start")?,
                    event_end: r.get("event_end")?,
                    venue: r.get("venue")?,
                    texts: Vec::new(),
                    cover: None,
                    tags: Vec::new(),
                    cities: Vec::new(),
                },
                r.get::<_, Option<String>>("cover_image")?,
                r.get::<_, String>("cover_alt")?,
            ))
        })
        .optional()?;
    let Some((mut item, cover, alt)) = found else {
        return Ok(None);
    };
    if let Some(hash) = cover {
        item.cover = images::get(conn, &hash)?.map(|meta| (meta, alt));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT lang, title, lead, body FROM item_texts
         WHERE item_id = ?1 AND lang IN ('en', 'ru') ORDER BY lang = 'en' DESC",
    )?;
    item.texts = stmt
        .query_map([id], |r| {
            Ok(ItemText {
                lang: r.get(0)?,
                title: r.get(1)?,
                lead: r.get(2)?,
                body: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT g.slug, g.name FROM item_tags it JOIN tags g ON g.id = it.tag_id
         WHERE it.item_id = ?1 ORDER BY g.slug",
    )?;
    item.tags = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.slug, c.name, ct.name, c.lat, c.lon FROM item_cities ic
         JOIN cities c ON c.id = ic.city_id
         LEFT JOIN city_texts ct ON ct.city_id = c.id AND ct.lang = 'ru'
         WHERE ic.item_id = ?1 ORDER BY c.name",
    )?;
    item.cities = stmt
        .query_map([id], |r| {
            Ok(NamedCity {
                slug: r.get(0)?,
                name: r.get(1)?,
                name_ru: r.get(2)?,
                lat: r.get(3)?,
                lon: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(item))
}

/// The ids of the newest `limit` visible items, and how many are visible in all.
pub fn outbox(conn: &Connection, limit: u32) -> Result<(Vec<i64>, u64), StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.id FROM items i WHERE {VISIBLE} ORDER BY i.published_at DESC, i.id DESC LIMIT ?1"
    ))?;
    let ids = stmt
        .query_map([limit], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let total = conn
        .prepare_cached(&format!("SELECT count(*) FROM items i WHERE {VISIBLE}"))?
        .query_row([], |r| r.get::<_, i64>(0))?;
    Ok((ids, total.unsigned_abs()))
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

/// A partner portal the portal follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Followed {
    pub actor: String,
    pub handle: String,
    pub city: String,
    pub follow_id: String,
    pub state: FollowState,
}

fn followed_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Followed> {
    let state: String = r.get("state")?;
    Ok(Followed {
        actor: r.get("actor")?,
        handle: r.get("handle")?,
        city: r.get("city")?,
        follow_id: r.get("follow_id")?,
        state: FollowState::from_db(&state).ok_or_else(|| super::unknown_value(4, &state))?,
    })
}

const FOLLOWED_SELECT: &str = "SELECT f.actor, f.handle, c.slug AS city, f.follow_id, f.state
     FROM following f JOIN cities c ON c.id = f.city_id";

/// The partner portal followed for the city at `city` (slug).
pub fn followed_of_city(conn: &Connection, city: &str) -> Result<Option<Followed>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{FOLLOWED_SELECT} WHERE c.slug = ?1"))?
        .query_row([city], followed_from_row)
        .optional()?)
}

/// The followed partner portal `actor`.
pub fn followed(conn: &Connection, actor: &str) -> Result<Option<Followed>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{FOLLOWED_SELECT} WHERE f.actor = ?1"))?
        .query_row([actor], followed_from_row)
        .optional()?)
}

/// Starts following `actor` (already stored) for the city at `city`, waiting for its answer.
/// `None` for an unknown city; refused when another city already follows that portal.
pub fn start_following(
    conn: &Connection,
    actor: &str,
    handle: &str,
    city: &str,
    follow_id: &str,
    user: i64,
) -> Result<Option<()>, StoreError> {
    let Some(city_id) = conn
        .prepare_cached("SELECT id FROM cities WHERE slug = ?1")?
        .query_row([city], |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(None);
    };
    let taken = conn
        .prepare_cached("SELECT 1 FROM following WHERE actor = ?1 AND city_id <> ?2")?
        .query_row(params![actor, city_id], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Err(StoreError::Rejected {
            field: "handle",
            message: Key::ErrPartnerTaken.into(),
        });
    }
    conn.prepare_cached("DELETE FROM following WHERE city_id = ?1")?
        .execute([city_id])?;
    conn.prepare_cached(
        "INSERT INTO following (actor, handle, city_id, follow_id, state, created_by)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
    )?
    .execute(params![actor, handle, city_id, follow_id, user])?;
    Ok(Some(()))
}

/// Records the answer to the follow `follow_id` sent by the portal; whether it was one.
pub fn answer_follow(
    conn: &Connection,
    actor: &str,
    follow_id: &str,
    state: FollowState,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(concat!(
            "UPDATE following SET state = ?3, updated_at = ",
            sql_now!(),
            "
             WHERE actor = ?1 AND follow_id = ?2"
        ))?
        .execute(params![actor, follow_id, state.as_str()])?
        > 0)
}

/// Stops following the portal of the city at `city`; the follow that ended, if any.
pub fn stop_following(conn: &Connection, city: &str) -> Result<Option<Followed>, StoreError> {
    let Some(followed) = followed_of_city(conn, city)? else {
        return Ok(None);
    };
    conn.prepare_cached("DELETE FROM following WHERE actor = ?1")?
        .execute([&followed.actor])?;
    Ok(Some(followed))
}

/// A post a followed partner sent, or a reply to one of the portal's items, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingPost {
    pub object_id: String,
    pub actor: String,
    pub kind: String,
    /// The portal's item a reply answers.
    pub in_reply_to: Option<i64>,
    pub url: String,
    /// JSON objects of language → text; summaries and contents are sanitised HTML.
    pub names: String,
    pub summaries: String,
    pub contents: String,
    pub published: String,
    pub updated: String,
}

/// Stores `post` (held), or replaces its texts when the same actor sent it before (an
/// `Update`, or a delivery repeated after a lost answer); an approved post stays approved. A
/// post of another actor with the same id is refused.
pub fn keep_incoming(conn: &Connection, post: &IncomingPost) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO incoming_posts (object_id, actor, kind, in_reply_to, url, names,
                                         summaries, contents, published, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (object_id) DO UPDATE SET kind = excluded.kind, url = excluded.url,
                 names = excluded.names, summaries = excluded.summaries,
                 contents = excluded.contents, published = excluded.published,
                 updated = excluded.updated
             WHERE incoming_posts.actor = excluded.actor",
        )?
        .execute(params![
            post.object_id,
            post.actor,
            post.kind,
            post.in_reply_to,
            post.url,
            post.names,
            post.summaries,
            post.contents,
            post.published,
            post.updated
        ])?
        > 0)
}

/// Removes the post `object_id` its author `actor` deleted; whether there was one.
pub fn forget_incoming(
    conn: &Connection,
    object_id: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM incoming_posts WHERE object_id = ?1 AND actor = ?2")?
        .execute([object_id, actor])?
        > 0)
}

/// A received post with who sent it, as the moderation list and the pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPost {
    pub post: IncomingPost,
    pub status: Moderation,
    pub author: String,
    pub handle: String,
    /// The partner city whose portal sent it (slug), when it is a followed portal's post.
    pub city: Option<String>,
    /// The slug and kind of the item a reply answers.
    pub reply_to: Option<(String, String)>,
}

const RECEIVED_SELECT: &str = "
    SELECT p.object_id, p.actor, p.kind, p.in_reply_to, p.url, p.names, p.summaries, p.contents,
           p.published, p.updated, p.status, a.name, a.handle, c.slug, i.slug, i.kind
    FROM incoming_posts p
    JOIN remote_actors a ON a.id = p.actor
    LEFT JOIN following f ON f.actor = p.actor
    LEFT JOIN cities c ON c.id = f.city_id
    LEFT JOIN items i ON i.id = p.in_reply_to";

fn received_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReceivedPost> {
    let status: String = r.get(10)?;
    let reply_slug: Option<String> = r.get(14)?;
    let reply_kind: Option<String> = r.get(15)?;
    Ok(ReceivedPost {
        post: IncomingPost {
            object_id: r.get(0)?,
            actor: r.get(1)?,
            kind: r.get(2)?,
            in_reply_to: r.get(3)?,
            url: r.get(4)?,
            names: r.get(5)?,
            summaries: r.get(6)?,
            contents: r.get(7)?,
            published: r.get(8)?,
            updated: r.get(9)?,
        },
        status: Moderation::from_db(&status).ok_or_else(|| super::unknown_value(10, &status))?,
        author: r.get(11)?,
        handle: r.get(12)?,
        city: r.get(13)?,
        reply_to: reply_slug.zip(reply_kind),
    })
}

fn received_where(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<ReceivedPost>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{RECEIVED_SELECT} WHERE {condition}"))?;
    let rows = stmt.query_map(params, received_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The posts waiting for moderation, oldest first, then the latest `decided` decided ones.
pub fn moderation_list(
    conn: &Connection,
    decided: u32,
) -> Result<(Vec<ReceivedPost>, Vec<ReceivedPost>), StoreError> {
    let held = received_where(
        conn,
        "p.status = 'held' ORDER BY p.received_at, p.object_id",
        [],
    )?;
    let done = received_where(
        conn,
        "p.status <> 'held' ORDER BY p.received_at DESC, p.object_id LIMIT ?1",
        [decided],
    )?;
    Ok((held, done))
}

/// The received post `object_id`.
pub fn received(conn: &Connection, object_id: &str) -> Result<Option<ReceivedPost>, StoreError> {
    Ok(received_where(conn, "p.object_id = ?1", [object_id])?
        .into_iter()
        .next())
}

/// Sets where post `object_id` stands; whether there was one.
pub fn moderate(
    conn: &Connection,
    object_id: &str,
    status: Moderation,
    user: i64,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE incoming_posts SET status = ?2, moderated_by = ?3 WHERE object_id = ?1",
        )?
        .execute(params![object_id, status.as_str(), user])?
        > 0)
}

/// The newest `limit` approved posts of the portal followed for the city at `city`.
pub fn approved_of_city(
    conn: &Connection,
    city: &str,
    limit: u32,
) -> Result<Vec<ReceivedPost>, StoreError> {
    received_where(
        conn,
        "p.status = 'approved' AND p.in_reply_to IS NULL AND c.slug = ?1
         ORDER BY p.published DESC, p.object_id LIMIT ?2",
        params![city, limit],
    )
}

/// The newest `limit` approved posts of all followed partner portals.
pub fn approved_latest(conn: &Connection, limit: u32) -> Result<Vec<ReceivedPost>, StoreError> {
    received_where(
        conn,
        "p.status = 'approved' AND p.in_reply_to IS NULL AND c.slug IS NOT NULL
         ORDER BY p.published DESC, p.object_id LIMIT ?1",
        [limit],
    )
}

/// The approved replies to item `item`, oldest first.
pub fn approved_replies(conn: &Connection, item: i64) -> Result<Vec<ReceivedPost>, StoreError> {
    received_where(
        conn,
        "p.status = 'approved' AND p.in_reply_to = ?1 ORDER BY p.published, p.object_id",
        [item],
    )
}

/// What a block names: a server by host, or one account by actor id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Server,
    Account,
}

db_enum!(BlockKind {
    Server = "server",
    Account = "account",
});

/// Blocks `value`: its activities are refused from now on, and what it sent or follows with is
/// removed.
pub fn block(
    conn: &mut Connection,
    kind: BlockKind,
    value: &str,
    user: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.prepare_cached(
        "INSERT INTO blocks (kind, value, created_by) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, value) DO NOTHING",
    )?
    .execute(params![kind.as_str(), value, user])?;
    let of_blocked = match kind {
        BlockKind::Account => "actor = ?1",
        BlockKind::Server => "actor IN (SELECT id FROM remote_actors WHERE handle LIKE '%@' || ?1
                               OR id LIKE 'https://' || ?1 || '/%' OR id LIKE 'http://' || ?1 || '/%')",
    };
    tx.execute(
        &format!("DELETE FROM incoming_posts WHERE {of_blocked} AND status = 'held'"),
        [value],
    )?;
    tx.execute(
        &format!("DELETE FROM followers WHERE {of_blocked}"),
        [value],
    )?;
    tx.commit()?;
    Ok(())
}

/// Lifts the block of `value`; whether there was one.
pub fn unblock(conn: &Connection, kind: BlockKind, value: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM blocks WHERE kind = ?1 AND value = ?2")?
        .execute([kind.as_str(), value])?
        > 0)
}

/// Every block, servers first.
pub fn blocks(conn: &Connection) -> Result<Vec<(BlockKind, String)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT kind, value FROM blocks ORDER BY kind DESC, value")?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        Ok((
            BlockKind::from_db(&kind).ok_or_else(|| super::unknown_value(0, &kind))?,
            r.get(1)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the server `host` or the account `actor` is blocked.
pub fn is_blocked(conn: &Connection, host: &str, actor: Option<&str>) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM blocks WHERE (kind = 'server' AND value = ?1)
                                     OR (kind = 'account' AND value = ?2)",
        )?
        .query_row(params![host, actor], |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{seed, testing::temp_db};

    fn tell_all(conn: &Connection) {
        for change in changes(conn).unwrap() {
            mark_told(conn, change).unwrap();
        }
    }

    #[test]
    fn items_are_told_when_visible_edited_and_withdrawn() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        tell_all(&db.conn);
        assert!(changes(&db.conn).unwrap().is_empty());
        seed::generate(&mut db.conn, 1).unwrap();
        let item: i64 = db
            .conn
            .query_row("SELECT id FROM items WHERE slug = 'generated-1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let set = |sql: &str| {
            db.conn.execute(sql, [item]).unwrap();
        };
        set("UPDATE items SET published_at = '2999-01-01T00:00:00Z' WHERE id = ?1");
        assert!(changes(&db.conn).unwrap().is_empty(), "scheduled: not yet");
        set("UPDATE items SET published_at = '2020-01-01T00:00:00Z' WHERE id = ?1");
        assert_eq!(
            changes(&db.conn).unwrap(),
            [Change::Create { item, version: 1 }],
            "its time came"
        );
        tell_all(&db.conn);
        set("UPDATE items SET version = 2 WHERE id = ?1");
        assert_eq!(
            changes(&db.conn).unwrap(),
            [Change::Update { item, version: 2 }]
        );
        tell_all(&db.conn);
        set("UPDATE items SET status = 'archived' WHERE id = ?1");
        assert_eq!(
            changes(&db.conn).unwrap(),
            [Change::Delete { item, version: 2 }]
        );
        tell_all(&db.conn);
        assert!(is_tombstone(&db.conn, item).unwrap());
        assert!(changes(&db.conn).unwrap().is_empty(), "told once");
    }

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
