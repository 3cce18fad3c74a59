//! What the fediverse was told of each item, and the items as federated objects.

use rusqlite::{params, Connection, OptionalExtension};

use crate::i18n::Lang;
use crate::news::ItemKind;
use crate::store::images::{self, ImageMeta};
use crate::store::items::VISIBLE;
use crate::store::StoreError;

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
                        ItemKind::from_db(&kind)
                            .ok_or_else(|| crate::store::unknown_value(2, &kind))?
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
}
