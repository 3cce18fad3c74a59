//! The SQLite store: opening and migrating the database file, a small connection pool, and one
//! module of SQL per feature. Nothing here knows about Leptos; every call runs on tokio's blocking
//! pool so that no SQLite work ever stalls an async worker.

/// The current time in SQL, in the format of every stored time (`YYYY-MM-DDTHH:MM:SSZ`), as a
/// literal that `concat!` can build other constants with.
macro_rules! sql_now {
    () => {
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
    };
}

pub mod accessibility;
pub mod audit;
pub mod backup;
pub mod cities;
pub mod editor;
pub mod export;
pub mod federation;
pub mod images;
pub mod items;
pub mod partnerships;
pub mod search;
pub mod seed;
pub mod syndication;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

/// The current time in SQL (see `sql_now!`).
pub(crate) const NOW: &str = sql_now!();
use rusqlite_migration::{Migrations, M};

/// How many connections the pool keeps open, and how many calls run at once: a burst of requests
/// waits its turn instead of opening a connection (with its page cache) and a thread each.
const MAX_CONNECTIONS: usize = 8;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot create the database directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad seed data: {0}")]
    Seed(#[from] csv::Error),
    /// What a visitor or editor asked for cannot be stored: a reference to something that does
    /// not exist, a value already taken.
    #[error("invalid {field}: {message}")]
    Rejected {
        field: &'static str,
        message: crate::error::Message,
    },
    /// What the operator gave the store (an import, a backup's target, the seed) cannot be used.
    #[error("{0}")]
    Unusable(String),
    /// Another process (a running server) holds the database's lock.
    #[error("{0} is in use by a running twincity; stop it first")]
    Busy(PathBuf),
    #[error("the blocking task running a store call failed: {0}")]
    Task(String),
}

/// The error for a text column holding `value`, which the enum it stores does not know.
pub(crate) fn unknown_value(column: usize, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unexpected value {value:?}").into(),
    )
}

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_init.sql")),
        M::up(include_str!("migrations/002_editors.sql")),
        M::up(include_str!("migrations/003_search.sql")),
        M::up(include_str!("migrations/004_languages.sql")),
        M::up(include_str!("migrations/005_feed_years.sql")),
        M::up_with_hook(
            include_str!("migrations/006_partnerships.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                seed::entries_from_status_columns(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/007_status_from_entries.sql")),
        M::up(include_str!("migrations/008_revision_notes.sql")),
        M::up(include_str!("migrations/009_accessibility.sql")),
        M::up_with_hook(
            include_str!("migrations/010_audit_details.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                audit::details_from_text(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/011_federation.sql")),
        M::up(include_str!("migrations/012_federation_safety.sql")),
        M::up(include_str!("migrations/013_report_limits.sql")),
    ])
}

/// Opens one connection with the pragmas every connection needs.
///
/// `synchronous = FULL` because an acknowledged edit must survive a power cut, not only a crash;
/// writes are rare on a portal, so the extra fsync is cheap.
pub fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Brings the schema of `conn` up to date.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrations().to_latest(conn)?;
    Ok(())
}

/// A handle on the database file, cheap to clone and shared by all requests.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Pool>,
}

#[derive(Debug)]
struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// One permit for each call that may run at once on the blocking pool.
    running: tokio::sync::Semaphore,
    /// Moves on after every call that changed a row (see `Store::generation`).
    generation: AtomicU64,
}

impl Pool {
    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => open_connection(&self.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_CONNECTIONS {
            idle.push(conn);
        }
    }
}

impl Store {
    /// Opens (creating it and its directory when missing) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut conn = open_connection(path)?;
        migrate(&mut conn)?;
        Ok(Self {
            inner: Arc::new(Pool {
                path: path.to_path_buf(),
                idle: Mutex::new(vec![conn]),
                running: tokio::sync::Semaphore::new(MAX_CONNECTIONS),
                generation: AtomicU64::new(0),
            }),
        })
    }

    /// The database file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A number that changes after every store call that inserted, updated or deleted a row,
    /// once that call's transaction is committed: what was read from the database under one
    /// value may be reused for as long as the value stays the same.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, keeping the caller's
    /// tracing span, once one of the `MAX_CONNECTIONS` places is free. No connection is ever
    /// held across an `.await`.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _running = self
            .inner
            .running
            .acquire()
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let pool = Arc::clone(&self.inner);
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            pool.with_conn(f)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` with a pooled connection on the current thread, for the CLI and start-up.
    pub fn call_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.inner.with_conn(f)
    }
}

impl Pool {
    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.take()?;
        let changes = conn.total_changes();
        let result = f(&mut conn);
        // Counted after `f` has committed (or rolled back: a needless change is harmless).
        if conn.total_changes() != changes {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        self.give_back(conn);
        result
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A migrated database in its own temporary directory, removed when dropped.
    pub struct TempDb {
        pub conn: Connection,
        _dir: tempfile::TempDir,
    }

    pub fn temp_db() -> TempDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("test.db");
        let mut conn = open_connection(&path).expect("open");
        migrate(&mut conn).expect("migrate");
        TempDb { conn, _dir: dir }
    }

    /// A migrated database holding the seed.
    pub fn seeded() -> TempDb {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).expect("seed");
        db
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp_db;
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().expect("valid migrations");
    }

    #[test]
    fn migrates_an_empty_file_to_the_full_schema() {
        let db = temp_db();
        let tables: Vec<String> = db
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in [
            "cities",
            "item_cities",
            "item_tags",
            "item_texts",
            "items",
            "site",
            "tags",
            "users",
            "sessions",
            "revisions",
            "images",
            "audit_log",
        ] {
            assert!(tables.iter().any(|t| t == table), "missing table {table}");
        }
    }

    #[test]
    fn connections_use_wal_and_foreign_keys() {
        let db = temp_db();
        let mode: String = db
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let fk: i64 = db
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
    }

    #[tokio::test]
    async fn store_creates_missing_directories_and_runs_calls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/portal.db");
        let store = Store::open(&path).unwrap();
        let n: i64 = store
            .call(|c| Ok(c.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, 0);
        assert!(path.exists());
    }

    #[tokio::test]
    async fn the_generation_moves_on_after_writes_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portal.db")).unwrap();
        store.call_blocking(seed::seed_if_empty).unwrap();
        let before = store.generation();
        store
            .call(|c| Ok(c.query_row("SELECT count(*) FROM items", [], |r| r.get::<_, i64>(0))?))
            .await
            .unwrap();
        assert_eq!(store.generation(), before, "a read changes nothing");
        store
            .call(|c| Ok(c.execute("UPDATE site SET city_name = city_name || '!'", [])?))
            .await
            .unwrap();
        assert_ne!(store.generation(), before, "a write moves it on");
        let after_write = store.generation();
        store
            .call(|c| {
                let tx = c.transaction()?;
                tx.execute("UPDATE items SET venue = 'Hall'", [])?;
                tx.commit()?;
                Ok(())
            })
            .await
            .unwrap();
        assert_ne!(store.generation(), after_write, "so does a transaction");
    }
}
