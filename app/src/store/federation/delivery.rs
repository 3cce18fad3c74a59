//! The delivery queue: one row per activity and receiving inbox, kept until the inbox accepted it.
//! Due deliveries are handed out fairly across servers, partner portals first.

use rusqlite::{params, Connection};

use super::host_of;
use crate::store::StoreError;

/// Queues `activity` (JSON) for each of `inboxes`, due at `now` (unix seconds).
pub fn enqueue(
    conn: &Connection,
    inboxes: &[String],
    activity: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO deliveries (inbox, host, activity, next_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )?;
    for inbox in inboxes {
        stmt.execute(params![inbox, host_of(inbox), activity, now])?;
    }
    Ok(())
}

/// A queued delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub inbox: String,
    /// The inbox's server, as `host_of` names it.
    pub host: String,
    pub activity: String,
    pub attempts: u32,
    /// Unix seconds.
    pub created_at: i64,
    /// Whether the inbox is on the server of a partner portal the portal follows.
    pub partner: bool,
}

/// Up to `limit` deliveries due at `now`, at most `per_host` of them for any one server, in the
/// order they should go: partner portals' first, then those not yet failed before retries, and
/// among those every server's first delivery before any server's second (so a stranger's many
/// inboxes or its backlog never go ahead of other servers), then oldest due first.
pub fn due_deliveries(
    conn: &Connection,
    now: i64,
    limit: u32,
    per_host: u32,
) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, inbox, host, activity, attempts, created_at, partner FROM (
             SELECT d.*,
                    row_number() OVER (PARTITION BY d.host ORDER BY d.next_at, d.id) AS n,
                    EXISTS (SELECT 1 FROM following f
                            WHERE instr(f.actor, '://' || d.host || '/') > 0
                               OR instr(f.actor, '://' || d.host || ':') > 0) AS partner
             FROM deliveries d WHERE d.given_up_at IS NULL AND d.next_at <= ?1)
         WHERE n <= ?3 ORDER BY partner DESC, attempts > 0, n, next_at, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit, per_host], |r| {
        Ok(Delivery {
            id: r.get("id")?,
            inbox: r.get("inbox")?,
            host: r.get("host")?,
            activity: r.get("activity")?,
            attempts: r.get("attempts")?,
            created_at: r.get("created_at")?,
            partner: r.get("partner")?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{seed, testing::temp_db};

    #[test]
    fn strangers_many_inboxes_never_go_ahead_of_a_partner_or_other_servers() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        // Inbox addresses that sort before everyone else's, many per stranger server, queued
        // before the partner's.
        let mut strangers: Vec<String> = (0..24)
            .map(|n| format!("https://aaa{}.example/users/{n}/inbox", n % 3))
            .collect();
        strangers.push("https://other.example/inbox".into());
        enqueue(&db.conn, &strangers, "{}", 100).unwrap();
        enqueue(
            &db.conn,
            &["https://chemnitz.example/inbox".to_owned()],
            "{}",
            100,
        )
        .unwrap();
        db.conn
            .execute_batch(
                "INSERT INTO remote_actors (id, inbox, key_id, public_pem, fetched_at)
                 VALUES ('https://chemnitz.example/actor', 'https://chemnitz.example/inbox',
                         'https://chemnitz.example/actor#k', '', 0);
                 INSERT INTO following (actor, handle, city_id, follow_id, state)
                 SELECT 'https://chemnitz.example/actor', 'news@chemnitz.example', id, 'f', 'accepted'
                 FROM cities LIMIT 1;",
            )
            .unwrap();
        let due = due_deliveries(&db.conn, 100, 8, 2).unwrap();
        assert_eq!(due[0].host, "chemnitz.example");
        assert!(due[0].partner);
        // One of each server before a second of any.
        let first_four: Vec<&str> = due[1..5].iter().map(|d| d.host.as_str()).collect();
        assert_eq!(
            first_four,
            [
                "aaa0.example",
                "aaa1.example",
                "aaa2.example",
                "other.example"
            ]
        );
        for host in ["aaa0.example", "aaa1.example", "aaa2.example"] {
            assert_eq!(due.iter().filter(|d| d.host == host).count(), 2, "{host}");
        }
        // A server that failed goes after those that did not.
        for d in due.iter().filter(|d| d.host == "aaa0.example") {
            failed(&db.conn, d.id, "slow", 100, Some(100)).unwrap();
        }
        let due = due_deliveries(&db.conn, 100, 8, 2).unwrap();
        let hosts: Vec<&str> = due.iter().map(|d| d.host.as_str()).collect();
        assert_eq!(hosts[hosts.len() - 2..], ["aaa0.example", "aaa0.example"]);
    }
}
