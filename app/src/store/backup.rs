//! Online backups and restores of the database file, and the lock that tells whether a server is
//! using a database.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::{migrate, open_connection, StoreError};

/// Pages copied per step of a backup; between steps writers may go on.
const PAGES_PER_STEP: std::ffi::c_int = 256;

/// Held by a running server for as long as it serves a database; a restore refuses to run while
/// another process holds it.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
    path: PathBuf,
}

impl DbLock {
    /// Takes the lock of the database at `db`, or says who holds it.
    pub fn acquire(db: &Path) -> Result<Self, StoreError> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StoreError::Directory {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file, path }),
            Err(_) => Err(StoreError::Busy(db.to_path_buf())),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    db.with_file_name(name)
}

/// Copies the live database `conn` into a new file at `target` while others keep writing (SQLite's
/// backup API restarts a step when a writer changes a page it already copied), then checks the copy.
pub fn backup(conn: &Connection, target: &Path) -> Result<(), StoreError> {
    if target.exists() {
        return Err(StoreError::Unusable(format!(
            "{} exists already; choose a new file.",
            target.display()
        )));
    }
    let mut copy = Connection::open(target)?;
    Backup::new(conn, &mut copy)?.run_to_completion(
        PAGES_PER_STEP,
        Duration::from_millis(5),
        None,
    )?;
    check(&copy)
}

/// Replaces the database at `db` with the backup at `source`, after checking the backup and while
/// holding the database's lock (so never under a running server). The backup is migrated to the
/// current schema.
pub fn restore(source: &Path, db: &Path) -> Result<(), StoreError> {
    let _lock = DbLock::acquire(db)?;
    let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    check(&from)?;
    let mut to = open_connection(db)?;
    Backup::new(&from, &mut to)?.run_to_completion(PAGES_PER_STEP, Duration::ZERO, None)?;
    migrate(&mut to)?;
    check(&to)
}

/// Fails unless SQLite's integrity check passes.
pub fn check(conn: &Connection) -> Result<(), StoreError> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if result == "ok" {
        Ok(())
    } else {
        Err(StoreError::Unusable(format!(
            "the integrity check failed: {result}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{seed, Store};

    fn count(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_backup_taken_under_writes_is_consistent_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("live.db");
        let store = Store::open(&db).unwrap();
        store.call_blocking(seed::seed_if_empty).unwrap();
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..40 {
                    store.call_blocking(|c| seed::generate(c, 5)).unwrap();
                }
            })
        };
        let target = dir.path().join("copy.db");
        let before = store.call_blocking(|c| Ok(count(c))).unwrap();
        store.call_blocking(|c| backup(c, &target)).unwrap();
        writer.join().unwrap();
        let copy = Connection::open(&target).unwrap();
        check(&copy).unwrap();
        let copied = count(&copy);
        assert!(
            copied >= before && copied <= before + 200,
            "{before} ≤ {copied}"
        );
        assert_eq!(copied % 5, before % 5, "whole transactions only");

        let restored = dir.path().join("restored.db");
        restore(&target, &restored).unwrap();
        assert_eq!(count(&Connection::open(&restored).unwrap()), copied);
        assert!(
            store.call_blocking(|c| backup(c, &target)).is_err(),
            "never overwrites a file"
        );
    }

    #[test]
    fn a_restore_refuses_a_database_in_use_or_a_broken_backup() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("live.db");
        let store = Store::open(&db).unwrap();
        let backup_file = dir.path().join("copy.db");
        store.call_blocking(|c| backup(c, &backup_file)).unwrap();

        let lock = DbLock::acquire(&db).unwrap();
        let err = restore(&backup_file, &db).unwrap_err();
        assert!(matches!(err, StoreError::Busy(_)), "{err}");
        assert!(DbLock::acquire(&db).is_err(), "one server per database");
        drop(lock);

        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"not a database at all, just text").unwrap();
        assert!(restore(&junk, &db).is_err());
        restore(&backup_file, &db).unwrap();
    }
}
