//! One item, as visitors or its editors see it, with its cities, tags and feed neighbours.

use rusqlite::{named_params, Connection, OptionalExtension};

use super::filters::TAG_NAME;
use super::{summary_from_row, summary_select, SUMMARY_COLUMNS, SUMMARY_FROM, VISIBLE};
use crate::i18n::Lang;
use crate::news::{CityRef, ItemKind, ItemLink, ItemSummary, Tag};
use crate::store::{cities, StoreError};

/// An item as stored, before its body is rendered for display.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredItem {
    pub id: i64,
    pub summary: ItemSummary,
    /// Markdown.
    pub body: String,
    pub cities: Vec<CityRef>,
    pub tags: Vec<Tag>,
    pub previous: Option<ItemLink>,
    pub next: Option<ItemLink>,
}

/// The visible item of `kind` with `slug`, with its cities, tags and feed neighbours.
pub fn visible_item(
    conn: &Connection,
    lang: Lang,
    kind: ItemKind,
    slug: &str,
) -> Result<Option<StoredItem>, StoreError> {
    item_where(conn, lang, kind, slug, VISIBLE)
}

/// The item of `kind` with `slug` whatever its status, as its editors see it.
pub fn any_item(
    conn: &Connection,
    lang: Lang,
    kind: ItemKind,
    slug: &str,
) -> Result<Option<StoredItem>, StoreError> {
    item_where(conn, lang, kind, slug, "1")
}

fn item_where(
    conn: &Connection,
    lang: Lang,
    kind: ItemKind,
    slug: &str,
    condition: &str,
) -> Result<Option<StoredItem>, StoreError> {
    let sql = format!(
        "SELECT i.id AS id, i.feed_rank AS feed_rank, t.body AS body, {SUMMARY_COLUMNS}
         {SUMMARY_FROM}
         WHERE i.slug = :slug AND i.kind = :kind AND {condition}"
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row(
            named_params! {":lang": lang, ":slug": slug, ":kind": kind.as_str()},
            |row| {
                let id: i64 = row.get("id")?;
                let rank: Option<i64> = row.get("feed_rank")?;
                let body: String = row.get("body")?;
                Ok((id, rank, body, summary_from_row(row)?))
            },
        )
        .optional()?;
    let Some((id, rank, body, summary)) = found else {
        return Ok(None);
    };
    let (previous, next) = match rank {
        Some(rank) => (
            neighbour(conn, lang, rank - 1)?,
            neighbour(conn, lang, rank + 1)?,
        ),
        None => (None, None),
    };
    Ok(Some(StoredItem {
        id,
        summary,
        body,
        cities: cities::cities_of_item(conn, lang, id)?,
        tags: tags_of_item(conn, lang, id)?,
        previous,
        next,
    }))
}

/// The visible item ranked `rank` in the feed, as a link.
fn neighbour(conn: &Connection, lang: Lang, rank: i64) -> Result<Option<ItemLink>, StoreError> {
    let sql = format!(
        "{} WHERE i.feed_rank = :rank AND {VISIBLE}",
        summary_select()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            named_params! {":lang": lang, ":rank": rank},
            summary_from_row,
        )
        .optional()?
        .map(|s| ItemLink {
            href: s.href(),
            title: s.title,
        }))
}

fn tags_of_item(conn: &Connection, lang: Lang, item_id: i64) -> Result<Vec<Tag>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT g.slug, {TAG_NAME} FROM item_tags it JOIN tags g ON g.id = it.tag_id
         WHERE it.item_id = :item ORDER BY 2"
    ))?;
    let rows = stmt.query_map(named_params! {":lang": lang, ":item": item_id}, |r| {
        Ok(Tag {
            slug: r.get(0)?,
            name: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
