//! SQL for news items and events: the paged feed, single items with their links, event listings,
//! and the feed ranking that keeps every feed page an index lookup.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::StoreError;
use crate::cities::City;
use crate::i18n::Lang;
use crate::news::filter::{Choice, FeedFilter, FilterChoices};
use crate::news::{CityRef, FeedPage, ItemKind, ItemLink, ItemSummary, Tag};

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

/// The columns `summary_from_row` reads, joined with the text in the best available language:
/// the requested one (`?1`) when present, else any other, so a missing translation never hides
/// an item.
pub(super) const SUMMARY_SELECT: &str = "
    SELECT i.slug, i.kind, t.lang, t.title, t.lead, coalesce(i.published_at, i.created_at),
           i.event_start, i.event_end,
           i.venue
    FROM items i
    JOIN item_texts t ON t.item_id = i.id
     AND t.lang = (SELECT lang FROM item_texts WHERE item_id = i.id
                   ORDER BY lang = ?1 DESC, lang LIMIT 1)";

/// Items visitors may see: published, and not scheduled for later.
pub(super) const VISIBLE: &str =
    "i.status = 'published' AND i.published_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// `SUMMARY_SELECT` with `column` selected before the summary's columns.
pub(super) fn summary_select_after(column: &str) -> String {
    SUMMARY_SELECT.replacen("SELECT", &format!("SELECT {column},"), 1)
}

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ItemSummary> {
    summary_from_row_at(row, 0)
}

fn collect_summaries(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<ItemSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, summary_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Number of pages needed for `total` entries, at least one so an empty list still has page 1.
pub fn page_count(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page)).max(1)).unwrap_or(u32::MAX)
}

/// Page `page` (1-based) of the feed of all published items, newest first; `None` past the last
/// page. Ranks are dense, so the page is the rank range ending `(page - 1) * per_page` below the
/// top: the cost is the same for page 1 and page 5,000.
pub fn feed_page(
    conn: &Connection,
    lang: Lang,
    page: u32,
    per_page: u32,
) -> Result<Option<FeedPage>, StoreError> {
    // Ranks follow publication time, so items scheduled for later hold the top ranks: the
    // visible feed ends at the highest rank already due.
    let total: i64 = conn
        .prepare_cached(
            "SELECT feed_rank FROM items
             WHERE feed_rank IS NOT NULL AND published_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
             ORDER BY feed_rank DESC LIMIT 1",
        )?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let pages = page_count(total.unsigned_abs(), per_page);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let top = total - i64::from(page - 1) * i64::from(per_page);
    let bottom = top - i64::from(per_page) + 1;
    let sql = format!(
        "{SUMMARY_SELECT} WHERE i.feed_rank BETWEEN ?2 AND ?3 AND {VISIBLE}
         ORDER BY i.feed_rank DESC"
    );
    let items = collect_summaries(conn, &sql, params![lang, bottom, top])?;
    Ok(Some(FeedPage { items, page, pages }))
}

/// Page `page` of the visible items passing `filter`, newest first, with the page count, the
/// city's and the tag's names; `None` for an unknown city or tag, or a page past the end. (An
/// empty filter is `feed_page`'s job: this pages with OFFSET.)
pub fn filtered_page(
    conn: &Connection,
    lang: Lang,
    filter: &FeedFilter,
    page: u32,
    per_page: u32,
) -> Result<Option<FilteredPage>, StoreError> {
    let city = match &filter.city {
        Some(slug) => match super::cities::city_by_slug(conn, lang, slug)? {
            Some((id, city)) => Some((id, city.name)),
            None => return Ok(None),
        },
        None => None,
    };
    let tag = match &filter.tag {
        Some(slug) => match tag_by_slug(conn, lang, slug)? {
            Some(found) => Some(found),
            None => return Ok(None),
        },
        None => None,
    };
    let mut conditions = Vec::new();
    let mut values: Vec<Value> = vec![lang.code().to_owned().into()];
    let mut bind = |condition: &str, value: Value| {
        values.push(value);
        conditions.push(condition.replace('?', &format!("?{}", values.len())));
    };
    if let Some((id, _)) = &city {
        bind(
            "i.id IN (SELECT item_id FROM item_cities WHERE city_id = ?)",
            (*id).into(),
        );
    }
    if let Some((id, _)) = &tag {
        bind(
            "i.id IN (SELECT item_id FROM item_tags WHERE tag_id = ?)",
            (*id).into(),
        );
    }
    if let Some(kind) = filter.kind {
        bind("i.kind = ?", kind.as_str().to_owned().into());
    }
    if let Some(year) = filter.year {
        bind(
            "substr(i.published_at, 1, 4) = ?",
            format!("{year:04}").into(),
        );
    }
    let condition = if conditions.is_empty() {
        "1".to_owned()
    } else {
        conditions.join(" AND ")
    };
    let newest_first = "i.published_at DESC, i.id DESC";
    let Some((items, pages)) = paged(conn, &condition, values, newest_first, page, per_page)?
    else {
        return Ok(None);
    };
    Ok(Some(FilteredPage {
        items,
        pages,
        city_name: city.map(|(_, name)| name),
        tag_name: tag.map(|(_, name)| name),
    }))
}

/// A page of a filtered feed.
#[derive(Clone, Debug, PartialEq)]
pub struct FilteredPage {
    pub items: Vec<ItemSummary>,
    pub pages: u32,
    pub city_name: Option<String>,
    pub tag_name: Option<String>,
}

/// A tag's name in the language bound to `?1`, where translated. Needs the tags aliased `g`.
const TAG_NAME: &str = "coalesce((SELECT name FROM tag_texts
                                  WHERE tag_id = g.id AND lang = ?1), g.name)";

/// The tag `slug` with its name, if a visible item has it: a tag only drafts, scheduled or
/// archived items use does not exist for visitors, nor does its name.
fn tag_by_slug(
    conn: &Connection,
    lang: Lang,
    slug: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT g.id, {TAG_NAME} FROM tags g WHERE g.slug = ?2 AND EXISTS (
                 SELECT 1 FROM item_tags it JOIN items i ON i.id = it.item_id
                 WHERE it.tag_id = g.id AND {VISIBLE})"
        ))?
        .query_row(params![lang, slug], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The choices of the feed's filter form: every partner city, the tags and years of visible items.
pub fn filter_choices(conn: &Connection, lang: Lang) -> Result<FilterChoices, StoreError> {
    let choices = |sql: &str| -> Result<Vec<Choice>, StoreError> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([lang], |r| {
            Ok(Choice {
                value: r.get(0)?,
                label: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    // Newest year first, then each next one is the year of the newest item before January of
    // the last: one index probe per year, whatever the number of items.
    let years = conn
        .prepare_cached(
            "WITH RECURSIVE years (y) AS (
                 SELECT CAST(substr(max(published_at), 1, 4) AS INTEGER) FROM items
                 WHERE status = 'published'
                   AND published_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
                 UNION ALL
                 SELECT (SELECT CAST(substr(max(published_at), 1, 4) AS INTEGER) FROM items
                         WHERE status = 'published' AND published_at < printf('%04d', years.y))
                 FROM years WHERE years.y IS NOT NULL
             )
             SELECT y FROM years WHERE y IS NOT NULL",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(FilterChoices {
        cities: super::cities::all_cities(conn, lang)?
            .into_iter()
            .map(|c| Choice {
                value: c.slug,
                label: c.name,
            })
            .collect(),
        tags: choices(&format!(
            "SELECT g.slug, {TAG_NAME} FROM tags g WHERE EXISTS (
                 SELECT 1 FROM item_tags it JOIN items i ON i.id = it.item_id
                 WHERE it.tag_id = g.id AND {VISIBLE})
             ORDER BY 2 COLLATE NOCASE"
        ))?,
        years,
    })
}

/// The newest visible items of one kind.
pub fn latest(
    conn: &Connection,
    lang: Lang,
    kind: ItemKind,
    limit: u32,
) -> Result<Vec<ItemSummary>, StoreError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE i.kind = ?2 AND {VISIBLE}
         ORDER BY i.published_at DESC, i.id DESC LIMIT ?3"
    );
    collect_summaries(conn, &sql, params![lang, kind.as_str(), limit])
}

/// Visible events that have not ended by `today` (an ISO date), soonest first.
pub fn upcoming_events(
    conn: &Connection,
    lang: Lang,
    today: &str,
    limit: u32,
) -> Result<Vec<ItemSummary>, StoreError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE i.kind = 'event' AND {VISIBLE}
           AND substr(coalesce(i.event_end, i.event_start), 1, 10) >= ?2
         ORDER BY i.event_start, i.id LIMIT ?3"
    );
    collect_summaries(conn, &sql, params![lang, today, limit])
}

/// One page of visible events that ended before `today`, most recent first, with the page count;
/// `None` past the last page.
pub fn past_events(
    conn: &Connection,
    lang: Lang,
    today: &str,
    page: u32,
    per_page: u32,
) -> Result<Option<(Vec<ItemSummary>, u32)>, StoreError> {
    let ended = "i.kind = 'event' AND substr(coalesce(i.event_end, i.event_start), 1, 10) < ?2";
    let values = vec![lang.code().to_owned().into(), today.to_owned().into()];
    paged(
        conn,
        ended,
        values,
        "i.event_start DESC, i.id DESC",
        page,
        per_page,
    )
}

/// Page `page` of the visible items matching `condition` (whose parameters are `values`, the
/// first being the language) in `order`, with the page count; `None` past the last page.
fn paged(
    conn: &Connection,
    condition: &str,
    mut values: Vec<Value>,
    order: &str,
    page: u32,
    per_page: u32,
) -> Result<Option<(Vec<ItemSummary>, u32)>, StoreError> {
    // Counting binds the language too, although only the summary query uses it.
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM items i WHERE ({condition}) AND {VISIBLE}"
        ))?
        .query_row(rusqlite::params_from_iter(&values), |r| r.get(0))?;
    let pages = page_count(total.unsigned_abs(), per_page);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let (limit, offset) = (values.len() + 1, values.len() + 2);
    values.push(i64::from(per_page).into());
    values.push((i64::from(page - 1) * i64::from(per_page)).into());
    // The page's items are chosen from `items` alone; their texts are joined for those only (joined
    // before sorting, they were looked up for every match: 30 ms for a city with 4,000 items).
    let sql = format!(
        "{SUMMARY_SELECT} WHERE i.id IN (
             SELECT i.id FROM items i WHERE ({condition}) AND {VISIBLE}
             ORDER BY {order} LIMIT ?{limit} OFFSET ?{offset}
         )
         ORDER BY {order}"
    );
    let items = collect_summaries(conn, &sql, rusqlite::params_from_iter(&values))?;
    Ok(Some((items, pages)))
}

/// One page of the visible items linked to the city with row id `city_id`, newest first, with
/// the page count; `None` past the last page.
pub fn items_of_city(
    conn: &Connection,
    lang: Lang,
    city_id: i64,
    page: u32,
    per_page: u32,
) -> Result<Option<(Vec<ItemSummary>, u32)>, StoreError> {
    let linked = "i.id IN (SELECT item_id FROM item_cities WHERE city_id = ?2)";
    let values = vec![lang.code().to_owned().into(), city_id.into()];
    paged(
        conn,
        linked,
        values,
        "i.published_at DESC, i.id DESC",
        page,
        per_page,
    )
}

/// The city at `slug` with page `page` of its visible news and the page count; `None` when there
/// is no such city or the page is past the end.
pub fn city_news_page(
    conn: &Connection,
    lang: Lang,
    slug: &str,
    page: u32,
    per_page: u32,
) -> Result<Option<(City, Vec<ItemSummary>, u32)>, StoreError> {
    let Some((id, city)) = super::cities::city_by_slug(conn, lang, slug)? else {
        return Ok(None);
    };
    Ok(items_of_city(conn, lang, id, page, per_page)?.map(|(news, pages)| (city, news, pages)))
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
        "SELECT i.id, i.feed_rank, t.body, s.* FROM ({SUMMARY_SELECT}
            WHERE i.slug = ?2 AND i.kind = ?3 AND {condition}) s
         JOIN items i ON i.slug = s.slug
         JOIN item_texts t ON t.item_id = i.id AND t.lang = s.lang"
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row(params![lang, slug, kind.as_str()], |row| {
            let id: i64 = row.get(0)?;
            let rank: Option<i64> = row.get(1)?;
            let body: String = row.get(2)?;
            let summary = summary_from_row_at(row, 3)?;
            Ok((id, rank, body, summary))
        })
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
        cities: super::cities::cities_of_item(conn, lang, id)?,
        tags: tags_of_item(conn, lang, id)?,
        previous,
        next,
    }))
}

/// Reads the summary columns starting at column `offset` of a wider row.
pub(super) fn summary_from_row_at(row: &Row<'_>, offset: usize) -> rusqlite::Result<ItemSummary> {
    let kind: String = row.get(offset + 1)?;
    Ok(ItemSummary {
        slug: row.get(offset)?,
        kind: ItemKind::from_db(&kind).ok_or_else(|| super::unknown_value(offset + 1, &kind))?,
        lang: row.get(offset + 2)?,
        title: row.get(offset + 3)?,
        lead: row.get(offset + 4)?,
        published_at: row.get(offset + 5)?,
        event_start: row.get(offset + 6)?,
        event_end: row.get(offset + 7)?,
        venue: row.get(offset + 8)?,
    })
}

fn neighbour(conn: &Connection, lang: Lang, rank: i64) -> Result<Option<ItemLink>, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE i.feed_rank = ?2 AND {VISIBLE}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![lang, rank], summary_from_row)
        .optional()?
        .map(|s| ItemLink {
            href: s.href(),
            title: s.title,
        }))
}

fn tags_of_item(conn: &Connection, lang: Lang, item_id: i64) -> Result<Vec<Tag>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT g.slug, {TAG_NAME} FROM item_tags it JOIN tags g ON g.id = it.tag_id
         WHERE it.item_id = ?2 ORDER BY 2"
    ))?;
    let rows = stmt.query_map(params![lang, item_id], |r| {
        Ok(Tag {
            slug: r.get(0)?,
            name: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The current time in UTC, as `YYYY-MM-DDTHH:MM:SSZ` (the format of every stored time).
pub fn now(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")?
        .query_row([], |r| r.get(0))?)
}

/// Today's date in UTC, as `YYYY-MM-DD`.
pub fn today(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT date('now')")?
        .query_row([], |r| r.get(0))?)
}

/// Recomputes the dense feed ranks of all published items (oldest = 1). Run after any change
/// to which items are published or when.
pub fn renumber_feed(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "UPDATE items SET feed_rank = NULL WHERE feed_rank IS NOT NULL;
         WITH ranked AS (
             SELECT id, row_number() OVER (ORDER BY published_at, id) AS rank
             FROM items WHERE status = 'published'
         )
         UPDATE items SET feed_rank = ranked.rank FROM ranked WHERE items.id = ranked.id;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;
    use crate::store::testing::temp_db;

    fn seeded() -> crate::store::testing::TempDb {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        db
    }

    #[test]
    fn filters_combine_and_unknown_names_are_none() {
        let db = seeded();
        let filter = |city: Option<&str>,
                      tag: Option<&str>,
                      kind: Option<ItemKind>,
                      year: Option<i32>| FeedFilter {
            city: city.map(str::to_owned),
            tag: tag.map(str::to_owned),
            kind,
            year,
        };
        let titles = |f: &FeedFilter| -> Vec<String> {
            filtered_page(&db.conn, crate::i18n::Lang::En, f, 1, 50)
                .unwrap()
                .map(|p| p.items.into_iter().map(|i| i.title).collect())
                .unwrap_or_default()
        };
        let peace = filtered_page(
            &db.conn,
            crate::i18n::Lang::En,
            &filter(None, Some("peace"), None, None),
            1,
            50,
        )
        .unwrap()
        .unwrap();
        assert_eq!(peace.tag_name.as_deref(), Some("Peace"));
        assert!(peace.items.len() >= 2);
        let events_2020 = titles(&filter(
            None,
            Some("peace"),
            Some(ItemKind::Event),
            Some(2020),
        ));
        assert!(!events_2020.is_empty());
        let all_peace_events = titles(&filter(None, Some("peace"), Some(ItemKind::Event), None));
        assert!(events_2020.iter().all(|t| all_peace_events.contains(t)));
        assert!(titles(&filter(None, Some("peace"), None, Some(1999))).is_empty());
        let chemnitz = filtered_page(
            &db.conn,
            crate::i18n::Lang::En,
            &filter(Some("chemnitz"), None, None, None),
            1,
            50,
        )
        .unwrap()
        .unwrap();
        assert_eq!(chemnitz.city_name.as_deref(), Some("Chemnitz"));
        assert!(filtered_page(
            &db.conn,
            crate::i18n::Lang::En,
            &filter(Some("atlantis"), None, None, None),
            1,
            10
        )
        .unwrap()
        .is_none());
        assert!(filtered_page(
            &db.conn,
            crate::i18n::Lang::En,
            &filter(None, Some("nonsense"), None, None),
            1,
            10
        )
        .unwrap()
        .is_none());
        let choices = filter_choices(&db.conn, crate::i18n::Lang::En).unwrap();
        assert!(choices.tags.iter().any(|c| c.value == "peace"));
        assert!(choices.years.contains(&2020) && choices.years.contains(&2021));
        assert_eq!(choices.cities.len(), 25);
    }

    #[test]
    fn filter_years_are_exactly_the_years_of_visible_items() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        seed::generate(&mut db.conn, 3_000).unwrap();
        // A draft, an archived item and a scheduled one add no year.
        for (slug, status, at) in [
            ("draft-1990", "draft", "1990-05-01T00:00:00Z"),
            ("archived-1991", "archived", "1991-05-01T00:00:00Z"),
            ("scheduled-2999", "published", "2999-01-01T00:00:00Z"),
        ] {
            db.conn
                .execute(
                    "INSERT INTO items (slug, kind, status, published_at) VALUES (?1, 'news', ?2, ?3)",
                    params![slug, status, at],
                )
                .unwrap();
        }
        let scanned: Vec<i32> = db
            .conn
            .prepare(&format!(
                "SELECT DISTINCT CAST(substr(i.published_at, 1, 4) AS INTEGER) AS y FROM items i
                 WHERE {VISIBLE} ORDER BY y DESC"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(scanned.len() > 1, "{scanned:?}");
        assert_eq!(
            filter_choices(&db.conn, crate::i18n::Lang::En)
                .unwrap()
                .years,
            scanned
        );
    }

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(page_count(100_000, 10), 10_000);
    }

    #[test]
    fn feed_lists_the_seed_newest_first() {
        let db = seeded();
        let page = feed_page(&db.conn, crate::i18n::Lang::En, 1, 10)
            .unwrap()
            .unwrap();
        assert_eq!(page.pages, 1);
        let titles: Vec<_> = page.items.iter().map(|i| i.title.as_str()).collect();
        let expected: Vec<_> = seed::SEED_ITEMS.iter().map(|s| s.title).collect();
        assert_eq!(titles, expected);
        let dates: Vec<_> = page.items.iter().map(|i| i.published_at.clone()).collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "newest first");
    }

    #[test]
    fn feed_pages_cover_every_item_once_and_stop_at_the_last_page() {
        let mut db = seeded();
        seed::generate(&mut db.conn, 25).unwrap();
        let mut seen = Vec::new();
        for page in 1..=4 {
            let p = feed_page(&db.conn, crate::i18n::Lang::En, page, 10)
                .unwrap()
                .unwrap();
            assert_eq!(p.pages, 4);
            seen.extend(p.items.into_iter().map(|i| i.slug));
        }
        assert_eq!(seen.len(), 35);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 35, "no item on two pages");
        assert!(feed_page(&db.conn, crate::i18n::Lang::En, 5, 10)
            .unwrap()
            .is_none());
        assert!(feed_page(&db.conn, crate::i18n::Lang::En, 0, 10)
            .unwrap()
            .is_none());
    }

    #[test]
    fn generated_items_come_after_the_seed() {
        let mut db = seeded();
        seed::generate(&mut db.conn, 15).unwrap();
        let first = feed_page(&db.conn, crate::i18n::Lang::En, 1, 10)
            .unwrap()
            .unwrap();
        assert_eq!(first.items[0].title, seed::SEED_ITEMS[0].title);
        let second = feed_page(&db.conn, crate::i18n::Lang::En, 2, 10)
            .unwrap()
            .unwrap();
        assert!(second.items.iter().all(|i| i.lead.contains("generated")));
    }

    #[test]
    fn feed_page_uses_the_rank_index() {
        let db = seeded();
        let plan: Vec<String> = db
            .conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {SUMMARY_SELECT} WHERE i.feed_rank BETWEEN ?2 AND ?3 AND {VISIBLE}"
            ))
            .unwrap()
            .query_map(params!["en", 1, 10], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("items_feed_rank")),
            "plan: {plan:?}"
        );
    }

    #[test]
    fn finds_a_published_item_by_kind_and_slug_with_links() {
        let db = seeded();
        let forum = seed::SEED_ITEMS
            .iter()
            .find(|s| s.slug == "dialogue-on-the-volga-forum-2020")
            .unwrap();
        let item = visible_item(&db.conn, crate::i18n::Lang::En, ItemKind::Event, forum.slug)
            .unwrap()
            .expect("forum");
        assert_eq!(item.summary.title, forum.title);
        assert_eq!(item.summary.event_start.as_deref(), Some("2020-10-31"));
        assert_eq!(item.summary.event_end.as_deref(), Some("2020-11-01"));
        assert!(item.next.is_some(), "a newer item exists");
        assert!(!item.tags.is_empty());

        let chemnitz = seed::SEED_ITEMS
            .iter()
            .find(|s| s.cities.contains(&"chemnitz"))
            .unwrap();
        let item = visible_item(
            &db.conn,
            crate::i18n::Lang::En,
            ItemKind::News,
            chemnitz.slug,
        )
        .unwrap()
        .unwrap();
        assert_eq!(item.cities[0].name, "Chemnitz");
        assert!(item.previous.is_some() && item.next.is_some());
    }

    #[test]
    fn unknown_slug_wrong_kind_and_drafts_are_not_found() {
        let db = seeded();
        assert!(visible_item(
            &db.conn,
            crate::i18n::Lang::En,
            ItemKind::News,
            "no-such-item"
        )
        .unwrap()
        .is_none());
        let forum = seed::SEED_ITEMS.iter().find(|s| s.event.is_some()).unwrap();
        assert!(
            visible_item(&db.conn, crate::i18n::Lang::En, ItemKind::News, forum.slug)
                .unwrap()
                .is_none()
        );
        db.conn
            .execute(
                "UPDATE items SET status = 'draft' WHERE slug = ?1",
                [forum.slug],
            )
            .unwrap();
        assert!(
            visible_item(&db.conn, crate::i18n::Lang::En, ItemKind::Event, forum.slug)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn missing_translation_falls_back_to_another_language() {
        let db = seeded();
        let page = feed_page(&db.conn, crate::i18n::Lang::Ru, 1, 10)
            .unwrap()
            .unwrap();
        assert_eq!(page.items.len(), 10);
        assert!(page.items.iter().all(|i| i.lang == crate::i18n::Lang::En));
    }

    #[test]
    fn events_split_into_upcoming_and_past() {
        let db = seeded();
        let upcoming = upcoming_events(&db.conn, crate::i18n::Lang::En, "2020-11-01", 10).unwrap();
        assert!(upcoming
            .iter()
            .any(|e| e.event_start.as_deref() == Some("2020-10-31")));
        let (past, pages) = past_events(&db.conn, crate::i18n::Lang::En, "2020-11-01", 1, 20)
            .unwrap()
            .unwrap();
        assert_eq!(pages, 1);
        assert!(past
            .iter()
            .all(|e| e.event_start.as_deref() != Some("2020-10-31")));
        let (past_later, _) = past_events(&db.conn, crate::i18n::Lang::En, "2030-01-01", 1, 20)
            .unwrap()
            .unwrap();
        assert_eq!(past_later.len(), upcoming.len() + past.len());
    }
}
