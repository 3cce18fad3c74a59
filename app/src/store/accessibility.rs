//! The accessibility statement, the barrier reports, and the limits on sending reports.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::items::page_count;
use super::{audit, StoreError};
use crate::accessibility::{BarrierReport, NewReport, ReportCap, ReportStatus, StatementText};
use crate::editor::audit::AuditDetail;
use crate::i18n::Lang;
use crate::pager::Page;

/// Most reports one sender may send within a minute.
pub const REPORTS_PER_MINUTE: i64 = 10;
/// Most reports one sender may send within 24 hours.
pub const REPORTS_PER_DAY: i64 = 50;
/// Most reports one sender may have waiting to be answered (of those sent within 24 hours: the
/// link between a sender and a report is kept no longer).
pub const WAITING_PER_SENDER: i64 = 20;
/// Most reports that may wait to be answered in all, which bounds the new reports the admins'
/// list and the database hold however many senders there are.
pub const WAITING_IN_ALL: i64 = 1000;
/// How long an attempt is kept: the daily cap's window.
const DAY_SECONDS: i64 = 24 * 3600;

/// What `reserve_report` decided about a report.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// It may be stored, by `insert_report` with this attempt.
    Allowed(Attempt),
    /// Its sender has sent `REPORTS_PER_MINUTE` within the last minute.
    TooSoon,
    /// A cap refused it.
    Refused(ReportCap),
}

/// A report's place among its sender's attempts, which the stored report is linked to while it
/// waits.
#[derive(Debug, PartialEq, Eq)]
pub struct Attempt(i64);

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

/// Counts a report from `sender` (the network that counts as one sender, as
/// `Cidr::sender_of` writes it) against the limits, in this order: `REPORTS_PER_MINUTE`, then
/// the caps `REPORTS_PER_DAY`, `WAITING_PER_SENDER` and `WAITING_IN_ALL`. A refusal by a cap is
/// counted for the admins' list. Attempts older than a day go first.
pub fn reserve_report(conn: &mut Connection, sender: &str) -> Result<Admission, StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "DELETE FROM report_attempts WHERE at <= unixepoch() - ?1",
        [DAY_SECONDS],
    )?;
    let sender = sender_hash(&tx, sender)?;
    let (minute, day, waiting): (i64, i64, i64) = tx
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE a.at > unixepoch() - 60), count(*), count(r.id)
             FROM report_attempts a
             LEFT JOIN barrier_reports r ON r.id = a.report_id AND r.status = 'new'
             WHERE a.sender = ?1",
        )?
        .query_row([&sender], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let all_waiting: i64 = tx
        .prepare_cached("SELECT count(*) FROM barrier_reports WHERE status = 'new'")?
        .query_row([], |r| r.get(0))?;
    let admission = if minute >= REPORTS_PER_MINUTE {
        Admission::TooSoon
    } else if day >= REPORTS_PER_DAY {
        Admission::Refused(ReportCap::SenderDay)
    } else if waiting >= WAITING_PER_SENDER {
        Admission::Refused(ReportCap::SenderWaiting)
    } else if all_waiting >= WAITING_IN_ALL {
        Admission::Refused(ReportCap::AllWaiting)
    } else {
        tx.execute(
            "INSERT INTO report_attempts (sender, at) VALUES (?1, unixepoch())",
            [&sender],
        )?;
        Admission::Allowed(Attempt(tx.last_insert_rowid()))
    };
    if let Admission::Refused(cap) = admission {
        count_refusal(&tx, cap)?;
    }
    tx.commit()?;
    Ok(admission)
}

/// `sender` as `report_attempts` keeps it: hashed with this database's own key, so that the
/// table holds no address, and a copy of the table without the key cannot be matched to one.
fn sender_hash(conn: &Connection, sender: &str) -> Result<Vec<u8>, StoreError> {
    let key: Vec<u8> = conn
        .prepare_cached("SELECT key FROM report_sender_key")?
        .query_row([], |r| r.get(0))?;
    Ok(Sha256::new()
        .chain_update(key)
        .chain_update(sender.as_bytes())
        .finalize()
        .to_vec())
}

/// Adds one to what `cap` refused this hour; hours older than a day go.
fn count_refusal(conn: &Connection, cap: ReportCap) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM report_refusals WHERE hour <= unixepoch() / 3600 - 24",
        [],
    )?;
    conn.execute(
        "INSERT INTO report_refusals (hour, cap, count) VALUES (unixepoch() / 3600, ?1, 1)
         ON CONFLICT (hour, cap) DO UPDATE SET count = count + 1",
        [cap.as_str()],
    )?;
    Ok(())
}

/// How many reports each cap refused in the last 24 hours (counted by the hour), in the order
/// of `ReportCap`; caps that refused none are left out.
pub fn refusals(conn: &Connection) -> Result<Vec<(ReportCap, u64)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT cap, sum(count) FROM report_refusals WHERE hour > unixepoch() / 3600 - 24
         GROUP BY cap",
    )?;
    let rows = statement.query_map([], |r| {
        let cap: String = r.get(0)?;
        let count: i64 = r.get(1)?;
        Ok((
            ReportCap::from_db(&cap).ok_or_else(|| super::unknown_value(0, &cap))?,
            count.unsigned_abs(),
        ))
    })?;
    let mut refusals = rows.collect::<Result<Vec<_>, _>>()?;
    refusals.sort_unstable();
    Ok(refusals)
}

/// Stores a report that `attempt` made room for, linked to the attempt while it waits; returns
/// its number.
pub fn insert_report(
    conn: &mut Connection,
    report: &NewReport,
    attempt: Attempt,
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO barrier_reports (page, what, contact, lang) VALUES (?1, ?2, ?3, ?4)",
        params![report.page, report.what, report.contact, report.lang],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE report_attempts SET report_id = ?2 WHERE id = ?1",
        [attempt.0, id],
    )?;
    tx.commit()?;
    Ok(id)
}

/// Page `page` of the reports, `per_page` to a page: the open ones first, newest first within
/// each status. `None` past the last page.
pub fn reports(
    conn: &Connection,
    page: u32,
    per_page: u32,
) -> Result<Option<Page<BarrierReport>>, StoreError> {
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM barrier_reports")?
        .query_row([], |r| r.get(0))?;
    let pages = page_count(total.unsigned_abs(), per_page);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let mut statement = conn.prepare_cached(
        "SELECT id, page, what, contact, lang, status, created_at FROM barrier_reports
         ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'answered' THEN 1 ELSE 2 END, id DESC
         LIMIT ?1 OFFSET ?2",
    )?;
    let offset = i64::from(page - 1) * i64::from(per_page);
    let rows = statement.query_map(params![per_page, offset], |r| {
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
    Ok(Some(Page {
        items: rows.collect::<Result<_, _>>()?,
        page,
        pages,
    }))
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
    if status != ReportStatus::New {
        // An answered report no longer counts against its sender, so nothing need tie it to one.
        tx.execute(
            "UPDATE report_attempts SET report_id = NULL WHERE report_id = ?1",
            [id],
        )?;
    }
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

    /// Sends a report from `sender` as the form does: its number, or what refused it.
    fn send(conn: &mut Connection, sender: &str) -> Result<i64, Admission> {
        match reserve_report(conn, sender).unwrap() {
            Admission::Allowed(attempt) => {
                Ok(insert_report(conn, &report("The map has no text"), attempt).unwrap())
            }
            refused => Err(refused),
        }
    }

    /// Moves every attempt `seconds` into the past.
    fn later(conn: &Connection, seconds: i64) {
        conn.execute("UPDATE report_attempts SET at = at - ?1", [seconds])
            .unwrap();
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_sender_may_send_ten_reports_a_minute() {
        let mut db = temp_db();
        for _ in 0..REPORTS_PER_MINUTE {
            assert!(send(&mut db.conn, "192.0.2.1/32").is_ok());
        }
        assert_eq!(send(&mut db.conn, "192.0.2.1/32"), Err(Admission::TooSoon));
        assert!(
            send(&mut db.conn, "192.0.2.2/32").is_ok(),
            "others still may"
        );
        later(&db.conn, 61);
        assert!(send(&mut db.conn, "192.0.2.1/32").is_ok(), "a minute later");
        assert_eq!(
            refusals(&db.conn).unwrap(),
            vec![],
            "waiting a minute is no refusal"
        );
    }

    #[test]
    fn a_sender_may_have_twenty_waiting_and_send_fifty_a_day() {
        let mut db = temp_db();
        let admin = users::add_user(&db.conn, "olga", "Olga", Role::Admin, "x").unwrap();
        let sender = "2001:db8:1:2::/64";
        let mut sent = Vec::new();
        for _ in 0..WAITING_PER_SENDER {
            sent.push(send(&mut db.conn, sender).unwrap());
            later(&db.conn, 61);
        }
        assert_eq!(
            send(&mut db.conn, sender),
            Err(Admission::Refused(ReportCap::SenderWaiting))
        );
        assert!(
            send(&mut db.conn, "2001:db8:1:3::/64").is_ok(),
            "another /64 may"
        );
        assert!(set_report_status(&mut db.conn, sent[0], ReportStatus::Answered, admin).unwrap());
        assert!(send(&mut db.conn, sender).is_ok(), "an answer makes room");

        for _ in WAITING_PER_SENDER + 1..REPORTS_PER_DAY {
            db.conn
                .execute("UPDATE barrier_reports SET status = 'fixed'", [])
                .unwrap();
            later(&db.conn, 61);
            assert!(send(&mut db.conn, sender).is_ok());
        }
        later(&db.conn, 61);
        assert_eq!(
            send(&mut db.conn, sender),
            Err(Admission::Refused(ReportCap::SenderDay))
        );
        later(&db.conn, DAY_SECONDS);
        assert!(send(&mut db.conn, sender).is_ok(), "a day later");
        assert_eq!(
            count(&db.conn, "SELECT count(*) FROM report_attempts"),
            1,
            "older attempts are gone"
        );
        assert_eq!(
            refusals(&db.conn).unwrap(),
            vec![(ReportCap::SenderDay, 1), (ReportCap::SenderWaiting, 1)]
        );
    }

    #[test]
    fn no_report_is_taken_while_a_thousand_wait_and_refusals_are_counted() {
        let mut db = temp_db();
        db.conn
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO barrier_reports (page, what, lang) SELECT '/', 'Too small', 'en' FROM n",
                [WAITING_IN_ALL],
            )
            .unwrap();
        for sender in ["192.0.2.1/32", "192.0.2.2/32"] {
            assert_eq!(
                send(&mut db.conn, sender),
                Err(Admission::Refused(ReportCap::AllWaiting))
            );
        }
        assert_eq!(
            refusals(&db.conn).unwrap(),
            vec![(ReportCap::AllWaiting, 2)]
        );
        db.conn
            .execute(
                "UPDATE barrier_reports SET status = 'answered' WHERE id = 1",
                [],
            )
            .unwrap();
        assert!(send(&mut db.conn, "192.0.2.1/32").is_ok());
        db.conn
            .execute("UPDATE report_refusals SET hour = hour - 24", [])
            .unwrap();
        assert_eq!(refusals(&db.conn).unwrap(), vec![], "a day later");
    }

    #[test]
    fn senders_are_kept_hashed_and_untied_from_answered_reports() {
        let mut db = temp_db();
        let admin = users::add_user(&db.conn, "olga", "Olga", Role::Admin, "x").unwrap();
        let id = send(&mut db.conn, "192.0.2.1/32").unwrap();
        let stored: Vec<u8> = db
            .conn
            .query_row("SELECT sender FROM report_attempts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored.len(), 32);
        assert!(!String::from_utf8_lossy(&stored).contains("192.0.2"));
        assert_eq!(
            count(
                &db.conn,
                "SELECT count(*) FROM report_attempts WHERE report_id IS NOT NULL"
            ),
            1
        );
        assert!(set_report_status(&mut db.conn, id, ReportStatus::Fixed, admin).unwrap());
        assert_eq!(
            count(
                &db.conn,
                "SELECT count(*) FROM report_attempts WHERE report_id IS NOT NULL"
            ),
            0
        );
        let other = temp_db();
        assert_ne!(
            sender_hash(&db.conn, "192.0.2.1/32").unwrap(),
            sender_hash(&other.conn, "192.0.2.1/32").unwrap(),
            "each database has its own key"
        );
    }

    #[test]
    fn reports_are_listed_open_first_a_page_at_a_time_and_change_status() {
        let mut db = temp_db();
        let admin = users::add_user(&db.conn, "olga", "Olga", Role::Admin, "x").unwrap();
        let first = send(&mut db.conn, "192.0.2.1/32").unwrap();
        let second = send(&mut db.conn, "192.0.2.1/32").unwrap();
        let third = send(&mut db.conn, "192.0.2.1/32").unwrap();
        assert!(set_report_status(&mut db.conn, second, ReportStatus::Fixed, admin).unwrap());
        assert!(!set_report_status(&mut db.conn, 999, ReportStatus::Fixed, admin).unwrap());
        let listed = |page| -> Vec<(i64, ReportStatus)> {
            reports(&db.conn, page, 2)
                .unwrap()
                .unwrap()
                .items
                .into_iter()
                .map(|r| (r.id, r.status))
                .collect()
        };
        assert_eq!(
            listed(1),
            vec![(third, ReportStatus::New), (first, ReportStatus::New)]
        );
        assert_eq!(listed(2), vec![(second, ReportStatus::Fixed)]);
        assert_eq!(reports(&db.conn, 1, 2).unwrap().unwrap().pages, 2);
        assert!(reports(&db.conn, 3, 2).unwrap().is_none());
        assert!(reports(&db.conn, 0, 2).unwrap().is_none());
    }
}
