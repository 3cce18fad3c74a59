//! SQL for the audit log: who changed what, and when.

use rusqlite::{params, Connection};

use super::StoreError;

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub username: Option<String>,
    pub action: String,
    pub entity: String,
    pub detail: String,
}

/// Records that `user_id` did `action` to `entity` (e.g. `item:42`). Call it inside the
/// transaction of the change, so the log and the change commit together.
pub fn record(
    conn: &Connection,
    user_id: Option<i64>,
    action: &str,
    entity: &str,
    detail: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (user_id, action, entity, detail) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![user_id, action, entity, detail])?;
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.at, u.username, a.action, a.entity, a.detail
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         ORDER BY a.id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            username: r.get(1)?,
            action: r.get(2)?,
            entity: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
