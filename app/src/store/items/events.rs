//! Events: those still to come, soonest first, and the archive of those that ended.

use rusqlite::types::Value;
use rusqlite::{named_params, Connection};

use super::{paged, summaries, summary_select, Order, VISIBLE};
use crate::i18n::Lang;
use crate::news::ItemSummary;
use crate::pager::Page;
use crate::store::StoreError;

/// Visible events that have not ended by `today` (an ISO date), soonest first.
pub fn upcoming_events(
    conn: &Connection,
    lang: Lang,
    today: &str,
    limit: u32,
) -> Result<Vec<ItemSummary>, StoreError> {
    let sql = format!(
        "{} WHERE i.kind = 'event' AND {VISIBLE}
           AND substr(coalesce(i.event_end, i.event_start), 1, 10) >= :today
         ORDER BY i.event_start, i.id LIMIT :limit",
        summary_select()
    );
    summaries(
        conn,
        &sql,
        named_params! {":lang": lang, ":today": today, ":limit": limit},
    )
}

/// Page `page` of the visible events that ended before `today`, most recent first; `None` past
/// the last page.
pub fn past_events(
    conn: &Connection,
    lang: Lang,
    today: &str,
    page: u32,
    per_page: u32,
) -> Result<Option<Page<ItemSummary>>, StoreError> {
    paged(
        conn,
        lang,
        "i.kind = 'event' AND substr(coalesce(i.event_end, i.event_start), 1, 10) < :today",
        &[(":today", Value::from(today.to_owned()))],
        Order::LatestStart,
        page,
        per_page,
    )
}
