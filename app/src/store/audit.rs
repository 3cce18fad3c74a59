//! SQL for the audit log: who changed what, and when.

use rusqlite::{params, Connection};

use super::StoreError;
use crate::editor::audit::AuditDetail;
use crate::editor::{ItemStatus, RevisionNote};
use crate::i18n::Lang;

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub username: Option<String>,
    pub action: String,
    pub entity: String,
    pub detail: AuditDetail,
}

/// Records that `user_id` did `action` to `entity` (e.g. `item:42`). Call it inside the
/// transaction of the change, so the log and the change commit together.
pub fn record(
    conn: &Connection,
    user_id: Option<i64>,
    action: &str,
    entity: &str,
    detail: &AuditDetail,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (user_id, action, entity, detail) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![user_id, action, entity, detail.to_db()])?;
    Ok(())
}

/// Rewrites the details stored as English text before they had kinds (migration 010).
pub(crate) fn details_from_text(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(i64, String, String, String)> = tx
        .prepare("SELECT id, action, entity, detail FROM audit_log")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE audit_log SET detail = ?2 WHERE id = ?1")?;
    for (id, action, entity, text) in rows {
        update.execute(params![id, legacy(&action, &entity, &text).to_db()])?;
    }
    Ok(())
}

/// The detail an old line's `text` said, in the shapes the portal wrote it in.
fn legacy(action: &str, entity: &str, text: &str) -> AuditDetail {
    let number = |s: &str| s.trim().parse::<i64>().ok();
    let note = |s: &str| {
        RevisionNote::from_db(s).or(match s {
            "as first stored" => Some(RevisionNote::FirstStored),
            _ => s
                .strip_prefix("restored version ")
                .and_then(number)
                .map(RevisionNote::Restored),
        })
    };
    let kind = entity.split(':').next().unwrap_or_default();
    let read = || -> Option<AuditDetail> {
        match (action, kind) {
            ("login", _) => Some(AuditDetail::Login {
                address: text.to_owned(),
            }),
            ("create", _) => Some(AuditDetail::Created {
                slug: text.to_owned(),
            }),
            ("upload", _) => Some(AuditDetail::Uploaded {
                mime: text.to_owned(),
            }),
            // "version 3 (edited, published)"
            ("save", "item") => {
                let (version, rest) = text.strip_prefix("version ")?.split_once(" (")?;
                let (saved, status) = rest.strip_suffix(')')?.rsplit_once(", ")?;
                Some(AuditDetail::ItemSaved {
                    version: number(version)?,
                    note: note(saved)?,
                    status: ItemStatus::from_db(status)?,
                })
            }
            // "version 2 (ru texts)"
            ("save", "city") => {
                let (version, rest) = text.strip_prefix("version ")?.split_once(" (")?;
                let code = rest.strip_suffix(" texts)")?;
                Some(AuditDetail::CitySaved {
                    version: number(version)?,
                    lang: Lang::ALL.into_iter().find(|l| l.code() == code)?,
                })
            }
            // "milestone restored 2 version 3"
            ("save", "partnership") => {
                let (entry, rest) = text.split_once(' ')?;
                let (saved, version) = rest.rsplit_once(" version ")?;
                Some(AuditDetail::EntrySaved {
                    entry: entry.to_owned(),
                    note: note(saved)?,
                    version: number(version)?,
                })
            }
            _ => None,
        }
    };
    read().unwrap_or_else(|| AuditDetail::Text {
        text: text.to_owned(),
    })
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
            detail: AuditDetail::from_db(&r.get::<_, String>(4)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_english_details_are_read_into_kinds() {
        let cases = [
            (
                "login",
                "user:olga",
                "127.0.0.1",
                AuditDetail::Login {
                    address: "127.0.0.1".into(),
                },
            ),
            (
                "create",
                "item:7",
                "a-slug",
                AuditDetail::Created {
                    slug: "a-slug".into(),
                },
            ),
            (
                "save",
                "item:7",
                "version 3 (restored version 1, published)",
                AuditDetail::ItemSaved {
                    version: 3,
                    note: RevisionNote::Restored(1),
                    status: ItemStatus::Published,
                },
            ),
            (
                "save",
                "item:7",
                "version 4 (edited, draft)",
                AuditDetail::ItemSaved {
                    version: 4,
                    note: RevisionNote::Edited,
                    status: ItemStatus::Draft,
                },
            ),
            (
                "save",
                "city:coventry",
                "version 2 (ru texts)",
                AuditDetail::CitySaved {
                    version: 2,
                    lang: Lang::Ru,
                },
            ),
            (
                "save",
                "partnership:ruse:4",
                "milestone restored 2 version 3",
                AuditDetail::EntrySaved {
                    entry: "milestone".into(),
                    note: RevisionNote::Restored(2),
                    version: 3,
                },
            ),
            (
                "upload",
                "image:ab",
                "image/png",
                AuditDetail::Uploaded {
                    mime: "image/png".into(),
                },
            ),
            (
                "save",
                "item:7",
                "something else",
                AuditDetail::Text {
                    text: "something else".into(),
                },
            ),
        ];
        for (action, entity, text, detail) in cases {
            assert_eq!(legacy(action, entity, text), detail, "{text}");
        }
    }

    #[test]
    fn the_migration_rewrites_the_lines_of_an_older_database() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open_connection(&dir.path().join("old.db")).unwrap();
        crate::store::migrations().to_version(&mut conn, 9).unwrap();
        conn.execute(
            "INSERT INTO audit_log (action, entity, detail)
             VALUES ('save', 'item:1', 'version 2 (edited, published)')",
            [],
        )
        .unwrap();
        crate::store::migrations().to_latest(&mut conn).unwrap();
        let lines = recent(&conn, 10).unwrap();
        assert_eq!(
            lines[0].detail,
            AuditDetail::ItemSaved {
                version: 2,
                note: RevisionNote::Edited,
                status: ItemStatus::Published,
            }
        );
    }

    #[test]
    fn details_are_shown_in_the_readers_language() {
        let saved = AuditDetail::ItemSaved {
            version: 3,
            note: RevisionNote::Restored(1),
            status: ItemStatus::Published,
        };
        assert_eq!(AuditDetail::from_db(&saved.to_db()), saved);
        let ru = saved.label(Lang::Ru);
        let en = saved.label(Lang::En);
        assert_ne!(ru, en);
        assert!(ru.contains('3') && !ru.contains("version"), "{ru}");
        assert!(en.contains("version 3"), "{en}");
    }
}
