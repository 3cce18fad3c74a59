//! SQL for news items and events, by concern: the ranked feed (`feed`), feeds narrowed by
//! filters or to a city (`filters`), event listings (`events`), and one item with its links and
//! feed neighbours (`item`). Here: what they share — which items visitors see, the columns of
//! an item's summary, and paging.

mod events;
mod feed;
mod filters;
mod item;

pub use events::{past_events, upcoming_events};
pub use feed::{feed_page, latest, renumber_feed};
pub use filters::{city_news_page, filter_choices, filtered_page, items_of_city, FilterNames};
pub use item::{any_item, visible_item, StoredItem};

use rusqlite::types::Value;
use rusqlite::{Connection, Row, ToSql};

use super::{StoreError, NOW};
use crate::i18n::Lang;
use crate::news::{ItemKind, ItemSummary};
use crate::pager::Page;

/// Items visitors may see: published, and not scheduled for later. Needs the items aliased `i`.
pub(super) const VISIBLE: &str =
    concat!("i.status = 'published' AND i.published_at <= ", sql_now!());

/// The columns `summary_from_row` reads, by name, from items aliased `i` joined with their text
/// `t` (see `SUMMARY_FROM`).
pub(super) const SUMMARY_COLUMNS: &str = "
    i.slug AS slug, i.kind AS kind, t.lang AS text_lang, t.title AS title, t.lead AS lead,
    coalesce(i.published_at, i.created_at) AS shown_at, i.event_start AS event_start,
    i.event_end AS event_end, i.venue AS venue";

/// Items joined with their text in the best available language: the one bound to `:lang` when
/// present, else any other, so that a missing translation never hides an item.
pub(super) const SUMMARY_FROM: &str = "
    FROM items i
    JOIN item_texts t ON t.item_id = i.id
     AND t.lang = (SELECT lang FROM item_texts WHERE item_id = i.id
                   ORDER BY lang = :lang DESC, lang LIMIT 1)";

/// `SELECT` of the summary columns `FROM` the items with their texts; add `WHERE …`.
pub(super) fn summary_select() -> String {
    format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM}")
}

/// Reads a row holding `SUMMARY_COLUMNS` (whatever else it holds).
pub(super) fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ItemSummary> {
    let kind_at = row.as_ref().column_index("kind")?;
    let kind: String = row.get(kind_at)?;
    Ok(ItemSummary {
        slug: row.get("slug")?,
        kind: ItemKind::from_db(&kind).ok_or_else(|| super::unknown_value(kind_at, &kind))?,
        lang: row.get("text_lang")?,
        title: row.get("title")?,
        lead: row.get("lead")?,
        published_at: row.get("shown_at")?,
        event_start: row.get("event_start")?,
        event_end: row.get("event_end")?,
        venue: row.get("venue")?,
    })
}

/// The summaries `sql` (which selects `SUMMARY_COLUMNS`) finds with the named `params`.
pub(super) fn summaries(
    conn: &Connection,
    sql: &str,
    params: &[(&str, &dyn ToSql)],
) -> Result<Vec<ItemSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, summary_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Number of pages needed for `total` entries, at least one so an empty list still has page 1.
pub fn page_count(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page)).max(1)).unwrap_or(u32::MAX)
}

/// The orders lists of items are shown in.
#[derive(Clone, Copy)]
enum Order {
    /// Newest publication first.
    Newest,
    /// The latest event start first.
    LatestStart,
}

impl Order {
    fn sql(self) -> &'static str {
        match self {
            Self::Newest => "i.published_at DESC, i.id DESC",
            Self::LatestStart => "i.event_start DESC, i.id DESC",
        }
    }
}

/// Page `page` of the visible items matching `condition` (on items aliased `i`, with the named
/// parameters `params`) in `order`; `None` past the last page. Counting and choosing the page
/// read `items` alone; only the page's items are joined to their texts.
fn paged(
    conn: &Connection,
    lang: Lang,
    condition: &str,
    params: &[(&str, Value)],
    order: Order,
    page: u32,
    per_page: u32,
) -> Result<Option<Page<ItemSummary>>, StoreError> {
    let mut named: Vec<(&str, &dyn ToSql)> = params.iter().map(|(n, v)| (*n, v as _)).collect();
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM items i WHERE ({condition}) AND {VISIBLE}"
        ))?
        .query_row(named.as_slice(), |r| r.get(0))?;
    let pages = page_count(total.unsigned_abs(), per_page);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let order = order.sql();
    let sql = format!(
        "{} WHERE i.id IN (
             SELECT i.id FROM items i WHERE ({condition}) AND {VISIBLE}
             ORDER BY {order} LIMIT :limit OFFSET :offset
         )
         ORDER BY {order}",
        summary_select()
    );
    let offset = i64::from(page - 1) * i64::from(per_page);
    named.extend([
        (":lang", &lang as &dyn ToSql),
        (":limit", &per_page),
        (":offset", &offset),
    ]);
    let items = summaries(conn, &sql, &named)?;
    Ok(Some(Page { items, page, pages }))
}

/// The current time in UTC, as `YYYY-MM-DDTHH:MM:SSZ` (the format of every stored time).
pub fn now(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {NOW}"))?
        .query_row([], |r| r.get(0))?)
}

/// Today's date in UTC, as `YYYY-MM-DD`.
pub fn today(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT date('now')")?
        .query_row([], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::*;
    use crate::news::filter::FeedFilter;
    use crate::store::seed;
    use crate::store::testing::seeded;

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(page_count(100_000, 10), 10_000);
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
                .map(|(p, _)| p.items.into_iter().map(|i| i.title).collect())
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
        assert_eq!(peace.1.tag_name.as_deref(), Some("Peace"));
        assert!(peace.0.items.len() >= 2);
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
        assert_eq!(chemnitz.1.city_name.as_deref(), Some("Chemnitz"));
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
        let mut db = seeded();
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
        let past = past_events(&db.conn, crate::i18n::Lang::En, "2020-11-01", 1, 20)
            .unwrap()
            .unwrap();
        assert_eq!(past.pages, 1);
        assert!(past
            .items
            .iter()
            .all(|e| e.event_start.as_deref() != Some("2020-10-31")));
        let past_later = past_events(&db.conn, crate::i18n::Lang::En, "2030-01-01", 1, 20)
            .unwrap()
            .unwrap();
        assert_eq!(past_later.items.len(), upcoming.len() + past.items.len());
    }
}
