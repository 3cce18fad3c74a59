//! SQL for what leaves the site as data: feed entries (RSS/Atom), the events calendar, and the
//! sitemap's list of pages.

use rusqlite::{Connection, OptionalExtension};

use super::images::{self, ImageMeta};
use super::items::{self, FilterNames, VISIBLE};
use super::StoreError;
use crate::i18n::Lang;
use crate::news::filter::FeedFilter;
use crate::news::{ItemKind, ItemSummary};

/// An item as a feed entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub summary: ItemSummary,
    pub updated_at: String,
    pub cover: Option<ImageMeta>,
}

/// The newest `limit` visible items passing `filter`, with the city's and tag's names; `None`
/// for an unknown city or tag.
pub fn entries(
    conn: &Connection,
    lang: Lang,
    filter: &FeedFilter,
    limit: u32,
) -> Result<Option<(Vec<Entry>, FilterNames)>, StoreError> {
    let found = if filter.is_empty() {
        items::feed_page(conn, lang, 1, limit)?.map(|page| (page, FilterNames::default()))
    } else {
        items::filtered_page(conn, lang, filter, 1, limit)?
    };
    let Some((page, names)) = found else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT updated_at, cover_image FROM items WHERE slug = ?1")?;
    let entries = page
        .items
        .into_iter()
        .map(|summary| {
            let (updated_at, hash): (String, Option<String>) =
                stmt.query_row([&summary.slug], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let cover = match hash {
                Some(hash) => images::get(conn, &hash)?,
                None => None,
            };
            Ok(Entry {
                summary,
                updated_at,
                cover,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some((entries, names)))
}

/// Every visible event, newest start first (at most `limit`).
pub fn events(conn: &Connection, lang: Lang, limit: u32) -> Result<Vec<ItemSummary>, StoreError> {
    let sql = format!(
        "{} WHERE i.kind = 'event' AND {VISIBLE}
         ORDER BY i.event_start DESC, i.id DESC LIMIT :limit",
        items::summary_select()
    );
    items::summaries(
        conn,
        &sql,
        rusqlite::named_params! {":lang": lang, ":limit": limit},
    )
}

/// The visible event at `slug`.
pub fn event(conn: &Connection, lang: Lang, slug: &str) -> Result<Option<ItemSummary>, StoreError> {
    let sql = format!(
        "{} WHERE i.kind = 'event' AND i.slug = :slug AND {VISIBLE}",
        items::summary_select()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            rusqlite::named_params! {":lang": lang, ":slug": slug},
            items::summary_from_row,
        )
        .optional()?)
}

/// Every public page worth indexing, as (path, last modified `YYYY-MM-DD`): the item pages,
/// the partner cities and the tags of visible items. Drafts, scheduled and archived items are
/// not public and not listed.
pub fn pages(conn: &Connection) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.kind, i.slug, substr(i.updated_at, 1, 10) FROM items i WHERE {VISIBLE}
         ORDER BY i.published_at DESC, i.id DESC"
    ))?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        let slug: String = r.get(1)?;
        Ok((kind, slug, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (kind, slug, lastmod) = row?;
        let kind = ItemKind::from_db(&kind).unwrap_or(ItemKind::News);
        out.push((kind.href(&slug), lastmod));
    }
    let mut stmt =
        conn.prepare_cached("SELECT slug, substr(updated_at, 1, 10) FROM cities ORDER BY name")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (slug, lastmod) = row?;
        out.push((format!("/cities/{slug}"), lastmod));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT g.slug, max(substr(i.updated_at, 1, 10)) FROM tags g
         JOIN item_tags it ON it.tag_id = g.id JOIN items i ON i.id = it.item_id
         WHERE {VISIBLE} GROUP BY g.id ORDER BY g.slug"
    ))?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (slug, lastmod) = row?;
        out.push((format!("/tags/{slug}"), lastmod));
    }
    Ok(out)
}

/// A visible event in both languages, for the open data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenEvent {
    pub slug: String,
    pub start: String,
    pub end: Option<String>,
    pub venue: String,
    pub published_at: String,
    /// (title, lead) in English and in Russian; empty where the event has no such text.
    pub en: (String, String),
    pub ru: (String, String),
    pub cities: Vec<String>,
    pub tags: Vec<String>,
}

/// Every visible event, earliest first.
pub fn open_events(conn: &Connection) -> Result<Vec<OpenEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.slug, i.event_start, i.event_end, i.venue, i.published_at,
                coalesce(en.title, ''), coalesce(en.lead, ''),
                coalesce(ru.title, ''), coalesce(ru.lead, ''),
                (SELECT group_concat(c.slug, ' ' ORDER BY c.slug) FROM item_cities ic
                 JOIN cities c ON c.id = ic.city_id WHERE ic.item_id = i.id),
                (SELECT group_concat(g.slug, ' ' ORDER BY g.slug) FROM item_tags it
                 JOIN tags g ON g.id = it.tag_id WHERE it.item_id = i.id)
         FROM items i
         LEFT JOIN item_texts en ON en.item_id = i.id AND en.lang = 'en'
         LEFT JOIN item_texts ru ON ru.item_id = i.id AND ru.lang = 'ru'
         WHERE i.kind = 'event' AND {VISIBLE}
         ORDER BY i.event_start, i.id"
    ))?;
    let words = |value: Option<String>| -> Vec<String> {
        value
            .map(|v| v.split(' ').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let rows = stmt.query_map([], |r| {
        Ok(OpenEvent {
            slug: r.get(0)?,
            start: r.get(1)?,
            end: r.get(2)?,
            venue: r.get(3)?,
            published_at: r.get(4)?,
            en: (r.get(5)?, r.get(6)?),
            ru: (r.get(7)?, r.get(8)?),
            cities: words(r.get(9)?),
            tags: words(r.get(10)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
