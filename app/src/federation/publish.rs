//! Tells followers what changed: compares what visitors see with what was last sent of each item
//! and queues a `Create` for a newly visible item (published now, or scheduled and its time
//! come), an `Update` for an edited one, a `Delete` for one archived or unpublished. Runs when
//! an editor saves and every few seconds, so scheduled items go out at their time; what it
//! queues and what it records as sent commit together.

use std::time::Duration;

use super::{documents, now, Urls};
use crate::state::AppState;
use crate::store::federation::{self as sql, Change};
use crate::store::StoreError;

/// How often the publisher looks for changes nobody announced (scheduled items coming due).
const EVERY: Duration = Duration::from_secs(5);

/// Queues what changed since the last call; how many activities were queued.
pub fn tell(conn: &mut rusqlite::Connection, urls: &Urls) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let changes = sql::changes(&tx)?;
    if changes.is_empty() {
        return Ok(0);
    }
    let inboxes = sql::follower_inboxes(&tx)?;
    let now = now();
    let mut queued = 0;
    for change in changes {
        let activity = match change {
            Change::Create { item, version } | Change::Update { item, version } => {
                let Some(found) = sql::visible_item(&tx, item)? else {
                    continue;
                };
                let (kind, id) = match change {
                    Change::Create { .. } => {
                        ("Create", format!("{}#create-{version}", urls.item(item)))
                    }
                    _ => ("Update", format!("{}#update-{version}", urls.item(item))),
                };
                let mut activity =
                    documents::activity(urls, kind, id, documents::object(urls, &found));
                activity["published"] = serde_json::json!(found.updated_at);
                activity
            }
            Change::Delete { item, version } => documents::activity(
                urls,
                "Delete",
                format!("{}#delete-{version}", urls.item(item)),
                documents::tombstone(urls, item, None),
            ),
        };
        if !inboxes.is_empty() {
            sql::enqueue(&tx, &inboxes, &activity.to_string(), now)?;
            queued += inboxes.len();
        }
        sql::mark_told(&tx, change)?;
    }
    tx.commit()?;
    Ok(queued)
}

/// Runs the publisher until the process ends.
pub async fn run(state: AppState) {
    loop {
        let urls = state.federation.urls().clone();
        match state.store.call(move |c| tell(c, &urls)).await {
            Ok(0) => {}
            Ok(queued) => {
                tracing::info!(queued, "queued deliveries of changed items");
                state.federation.deliveries_queued();
            }
            Err(error) => tracing::error!(%error, "the publisher cannot read the items"),
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            () = state.federation.changes_wait() => {}
        }
    }
}
