//! The accessibility statement and the barrier reports.

use rusqlite::{params, Connection, OptionalExtension};

use super::{audit, StoreError};
use crate::accessibility::{BarrierReport, NewReport, ReportStatus, StatementText};
use crate::editor::audit::AuditDetail;
use crate::i18n::Lang;

/// Most reports one client address may send within a minute.
pub const REPORTS_PER_MINUTE: i64 = 10;

/// The statement in `lang`.
pub fn statement(conn: &Connection, lang: Lang) -> Result<Option<StatementText>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT body, reviewed_on, updated_at FROM accessibility_statement WHERE lang = ?1",
        )?
        .query_row([lang], |r| {
            Ok(StatementText {
                body: r.get("body")?,
                reviewed_on: r.get("reviewed_on")?,
                updated_at: r.get("updated_at")?,
            })
        })
        .optional()?)
}

/// Replaces the statement in `lang`, recording who did it.
pub fn save_statement(
    conn: &mut Connection,
    lang: Lang,
    body: &str,
    reviewed_on: &str,
    user_id: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        concat!(
            "INSERT INTO accessibility_statement (lang, body, reviewed_on, updated_by)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (lang) DO UPDATE SET body = excluded.body,
             reviewed_on = excluded.reviewed_on, updated_by = excluded.updated_by,
             updated_at = ",
            sql_now!()
        ),
        params![lang, body, reviewed_on, user_id],
    )?;
    audit::record(
        &tx,
        Some(user_id),
        "edit",
        &format!("accessibility:{}", lang.code()),
        &AuditDetail::StatementSaved { lang },
    )?;
    tx.commit()?;
    Ok(())
}

/// Counts a report from `address` against the limit: false once it has sent
/// `REPORTS_PER_MINUTE` in the last minute. Rows older than a minute go first.
pub fn reserve_report(conn: &mut Connection, address: &str) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "DELETE FROM report_attempts WHERE at <= unixepoch() - 60",
        [],
    )?;
    let sent: i64 = tx.query_row(
        "SELECT count(*) FROM report_attempts WHERE address = ?1",
        [address],
        |r| r.get(0),
    )?;
    let allowed = sent < REPORTS_PER_MINUTE;
    if allowed {
        tx.execute(
            "INSERT INTO report_attempts (address, at) VALUES (?1, unixepoch())",
            [address],
        )?;
    }
    tx.commit()?;
    Ok(allowed)
}

/// Stores a report; returns its number.
pub fn insert_report(conn: &Connection, report: &NewReport) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO barrier_reports (page, what, contact, lang) VALUES (?1, ?2, ?3, ?4)",
        params![report.page, report.what, report.contact, report.lang],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every report, the open ones first, newest first within each status.
pub fn reports(conn: &Connection) -> Result<Vec<BarrierReport>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, page, what, contact, lang, status, created_at FROM barrier_reports
         ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'answered' THEN 1 ELSE 2 END, id DESC",
    )?;
    let rows = statement.query_map([], |r| {
        let status: String = r.get("status")?;
        Ok(BarrierReport {
            id: r.get("id")?,
            page: r.get("page")?,
            what: r.get("what")?,
            contact: r.get("contact")?,
            lang: r.get("lang")?,
            status: ReportStatus::from_db(&status)
                .ok_or_else(|| super::unknown_value(5, &status))?,
            created_at: r.get("created_at")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Sets the status of report `id`; false when there is no such report.
pub fn set_report_status(
    conn: &mut Connection,
    id: i64,
    status: ReportStatus,
    user_id: i64,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE barrier_reports SET status = ?2 WHERE id = ?1",
        params![id, status.as_str()],
    )?;
    if changed == 1 {
        audit::record(
            &tx,
            Some(user_id),
            "edit",
            &format!("barrier-report:{id}"),
            &AuditDetail::ReportMarked { status },
        )?;
    }
    tx.commit()?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::store::testing::temp_db;
    use crate::store::users;

    fn report(what: &str) -> NewReport {
        NewReport {
            page: "/map".into(),
            what: what.into(),
            contact: String::new(),
            lang: Lang::Ru,
        }
    }

    #[test]
    fn both_languages_have_a_statement() {
        let db = temp_db();
        for lang in Lang::ALL {
            let text = statement(&db.conn, lang).unwrap().unwrap();
            assert!(text.body.starts_with("## "));
            assert_eq!(text.reviewed_on.len(), 10);
        }
    }

    #[test]
    fn an_address_may_send_ten_reports_a_minute() {
        let mut db = temp_db();
        for _ in 0..REPORTS_PER_MINUTE {
            assert!(reserve_report(&mut db.conn, "192.0.2.1").unwrap());
        }
        assert!(!reserve_report(&mut db.conn, "192.0.2.1").unwrap());
        assert!(
            reserve_report(&mut db.conn, "192.0.2.2").unwrap(),
            "others still may"
        );
        db.conn
            .execute("UPDATE report_attempts SET at = at - 61", [])
            .unwrap();
        assert!(
            reserve_report(&mut db.conn, "192.0.2.1").unwrap(),
            "a minute later"
        );
        let kept: i64 = db
            .conn
            .query_row("SELECT count(*) FROM report_attempts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1, "older attempts are gone");
    }

    #[test]
    fn reports_are_listed_open_first_and_change_status() {
        let mut db = temp_db();
        let admin = users::add_user(&db.conn, "olga", "Olga", Role::Admin, "x").unwrap();
        let first = insert_report(&db.conn, &report("The map has no text")).unwrap();
        let second = insert_report(&db.conn, &report("Low contrast")).unwrap();
        assert!(set_report_status(&mut db.conn, second, ReportStatus::Fixed, admin).unwrap());
        assert!(!set_report_status(&mut db.conn, 999, ReportStatus::Fixed, admin).unwrap());
        let listed: Vec<(i64, ReportStatus)> = reports(&db.conn)
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.status))
            .collect();
        assert_eq!(
            listed,
            vec![(first, ReportStatus::New), (second, ReportStatus::Fixed)]
        );
    }
}
