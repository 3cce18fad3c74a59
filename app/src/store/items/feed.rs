//! The feed of all visible items, newest first, paged by dense ranks so that every page is an
//! index lookup; and the newest items of one kind.

use rusqlite::{named_params, Connection, OptionalExtension};

use super::{page_count, summaries, summary_select, VISIBLE};
use crate::i18n::Lang;
use crate::news::{ItemKind, ItemSummary};
use crate::pager::Page;
use crate::store::{StoreError, NOW};

/// Page `page` (1-based) of the feed of all published items, newest first; `None` past the last
/// page. Ranks are dense, so the page is the rank range ending `(page - 1) * per_page` below the
/// top: the cost is the same for page 1 and page 5,000.
pub fn feed_page(
    conn: &Connection,
    lang: Lang,
    page: u32,
    per_page: u32,
) -> Result<Option<Page<ItemSummary>>, StoreError> {
    // Ranks follow publication time, so items scheduled for later hold the top ranks: the
    // visible feed ends at the highest rank already due.
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT feed_rank FROM items
             WHERE feed_rank IS NOT NULL AND published_at <= {NOW}
             ORDER BY feed_rank DESC LIMIT 1"
        ))?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let pages = page_count(total.unsigned_abs(), per_page);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let top = total - i64::from(page - 1) * i64::from(per_page);
    let bottom = top - i64::from(per_page) + 1;
    let items = summaries(
        conn,
        &ranked_sql(),
        named_params! {":lang": lang, ":bottom": bottom, ":top": top},
    )?;
    Ok(Some(Page { items, page, pages }))
}

/// The summaries of the visible items ranked `:bottom` to `:top`, newest first.
fn ranked_sql() -> String {
    format!(
        "{} WHERE i.feed_rank BETWEEN :bottom AND :top AND {VISIBLE}
         ORDER BY i.feed_rank DESC",
        summary_select()
    )
}

/// The newest visible items of one kind.
pub fn latest(
    conn: &Connection,
    lang: Lang,
    kind: ItemKind,
    limit: u32,
) -> Result<Vec<ItemSummary>, StoreError> {
    let sql = format!(
        "{} WHERE i.kind = :kind AND {VISIBLE}
         ORDER BY i.published_at DESC, i.id DESC LIMIT :limit",
        summary_select()
    );
    summaries(
        conn,
        &sql,
        named_params! {":lang": lang, ":kind": kind.as_str(), ":limit": limit},
    )
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
    use crate::store::testing::seeded;

    #[test]
    fn feed_page_uses_the_rank_index() {
        let db = seeded();
        let plan: Vec<String> = db
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", ranked_sql()))
            .unwrap()
            .query_map(
                named_params! {":lang": "en", ":bottom": 1, ":top": 10},
                |r| r.get::<_, String>(3),
            )
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("items_feed_rank")),
            "plan: {plan:?}"
        );
    }
}
