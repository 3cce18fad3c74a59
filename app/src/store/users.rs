//! SQL for editors' accounts, their server-side sessions and the throttling of failed logins.

use rusqlite::{params, Connection, OptionalExtension};

use super::{unknown_value, StoreError};
use crate::auth::{Role, SessionUser};

/// A session ends after this long without a request...
pub const IDLE_TIMEOUT_MINUTES: u32 = 8 * 60;
/// ...and at the latest this long after login.
pub const ABSOLUTE_TIMEOUT_DAYS: u32 = 7;
/// Failed logins are counted over this window.
pub const FAILURE_WINDOW_MINUTES: u32 = 15;

/// An account as the user list shows it (never with its hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
}

/// What a login needs to know about an account.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
    pub disabled: bool,
}

fn role_from(column: usize, text: &str) -> rusqlite::Result<Role> {
    Role::from_db(text).ok_or_else(|| unknown_value(column, text))
}

/// Adds an account; a taken name (in any letter case) is a unique-constraint error.
pub fn add_user(
    conn: &Connection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO users (username, display_name, role, password_hash) VALUES (?1, ?2, ?3, ?4)",
        params![username, display_name, role.as_str(), password_hash],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Replaces an account's password hash and ends its sessions; `false` when there is no such account.
pub fn set_password(
    conn: &mut Connection,
    username: &str,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE username = ?1",
        params![username, password_hash],
    )?;
    end_sessions_of(&tx, username)?;
    tx.commit()?;
    Ok(changed == 1)
}

/// Disables or re-enables an account; disabling ends its sessions. `false` when there is no such
/// account.
pub fn set_disabled(
    conn: &mut Connection,
    username: &str,
    disabled: bool,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE users SET disabled_at = CASE WHEN ?2 THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END
         WHERE username = ?1",
        params![username, disabled],
    )?;
    if disabled {
        end_sessions_of(&tx, username)?;
    }
    tx.commit()?;
    Ok(changed == 1)
}

fn end_sessions_of(conn: &Connection, username: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?1)",
        [username],
    )?;
    Ok(())
}

/// Every account, by name.
pub fn list_users(conn: &Connection) -> Result<Vec<Account>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT username, display_name, role, disabled_at IS NOT NULL, created_at
         FROM users ORDER BY username",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Account {
            username: r.get(0)?,
            display_name: r.get(1)?,
            role: role_from(2, &r.get::<_, String>(2)?)?,
            disabled: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stored hash and state of the account `username`, if there is one.
pub fn credentials(conn: &Connection, username: &str) -> Result<Option<Credentials>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, password_hash, disabled_at IS NOT NULL FROM users WHERE username = ?1",
        )?
        .query_row([username], |r| {
            Ok(Credentials {
                user_id: r.get(0)?,
                password_hash: r.get(1)?,
                disabled: r.get(2)?,
            })
        })
        .optional()?)
}

/// Starts a session for `user_id` under the hash of its token.
pub fn create_session(conn: &Connection, user_id: i64, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
                     strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
                     strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+{ABSOLUTE_TIMEOUT_DAYS} days'))"
        ),
        params![token_hash, user_id],
    )?;
    Ok(())
}

/// The user of the live session with `token_hash`: not expired, not idle too long, account enabled.
/// Notes the activity, at most once a minute so that reading pages hardly ever writes.
pub fn session_user(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<SessionUser>, StoreError> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT u.id, u.username, u.display_name, u.role,
                    s.last_seen_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 minute')
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND u.disabled_at IS NULL
               AND s.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
               AND s.last_seen_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now',
                                             '-{IDLE_TIMEOUT_MINUTES} minutes')"
        ))?
        .query_row([token_hash], |r| {
            let user = SessionUser {
                id: r.get(0)?,
                username: r.get(1)?,
                display_name: r.get(2)?,
                role: role_from(3, &r.get::<_, String>(3)?)?,
            };
            Ok((user, r.get::<_, bool>(4)?))
        })
        .optional()?;
    let Some((user, stale)) = found else {
        return Ok(None);
    };
    if stale {
        conn.prepare_cached(
            "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
             WHERE token_hash = ?1",
        )?
        .execute([token_hash])?;
    }
    Ok(Some(user))
}

/// Ends the session with `token_hash` (a no-op when there is none), and any expired ones.
pub fn end_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    conn.execute(
        "DELETE FROM sessions WHERE expires_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        [],
    )?;
    Ok(())
}

/// Failed logins within the window, from `ip` and for the name `username`.
pub fn recent_failures(
    conn: &Connection,
    ip: &str,
    username: &str,
) -> Result<(u32, u32), StoreError> {
    let sql = format!(
        "SELECT count(*) FROM login_failures WHERE scope = ?1 AND key = ?2
           AND at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-{FAILURE_WINDOW_MINUTES} minutes')"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let by_ip = stmt.query_row(params!["ip", ip], |r| r.get(0))?;
    let by_account = stmt.query_row(params!["account", username.to_lowercase()], |r| r.get(0))?;
    Ok((by_ip, by_account))
}

/// Notes a failed login from `ip` for the name `username`, and forgets failures past the window.
pub fn record_failure(conn: &Connection, ip: &str, username: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO login_failures (scope, key, at)
         VALUES ('ip', ?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                ('account', ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        params![ip, username.to_lowercase()],
    )?;
    conn.execute(
        &format!(
            "DELETE FROM login_failures
             WHERE at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-{FAILURE_WINDOW_MINUTES} minutes')"
        ),
        [],
    )?;
    Ok(())
}

/// Forgets the failed logins for `username` after a successful one.
pub fn clear_failures(conn: &Connection, username: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM login_failures WHERE scope = 'account' AND key = ?1",
        [username.to_lowercase()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_db;

    #[test]
    fn names_are_unique_regardless_of_case() {
        let db = temp_db();
        add_user(&db.conn, "Olga", "Olga P.", Role::Editor, "h").unwrap();
        let err = add_user(&db.conn, "olga", "Another", Role::Admin, "h").unwrap_err();
        assert!(matches!(
            crate::error::AppError::from(err),
            crate::error::AppError::Conflict
        ));
        let found = credentials(&db.conn, "OLGA").unwrap().unwrap();
        assert_eq!(found.password_hash, "h");
    }

    #[test]
    fn sessions_resolve_until_ended_or_the_account_is_disabled() {
        let mut db = temp_db();
        let id = add_user(&db.conn, "ivan", "Ivan", Role::Admin, "h").unwrap();
        create_session(&db.conn, id, "t1").unwrap();
        create_session(&db.conn, id, "t2").unwrap();
        let user = session_user(&db.conn, "t1").unwrap().unwrap();
        assert_eq!((user.username.as_str(), user.role), ("ivan", Role::Admin));
        assert!(session_user(&db.conn, "unknown").unwrap().is_none());

        end_session(&db.conn, "t1").unwrap();
        assert!(session_user(&db.conn, "t1").unwrap().is_none());
        assert!(session_user(&db.conn, "t2").unwrap().is_some());

        assert!(set_disabled(&mut db.conn, "ivan", true).unwrap());
        assert!(session_user(&db.conn, "t2").unwrap().is_none());
        assert!(list_users(&db.conn).unwrap()[0].disabled);
    }

    #[test]
    fn idle_and_expired_sessions_are_refused() {
        let db = temp_db();
        let id = add_user(&db.conn, "ivan", "Ivan", Role::Editor, "h").unwrap();
        create_session(&db.conn, id, "idle").unwrap();
        create_session(&db.conn, id, "old").unwrap();
        db.conn
            .execute_batch(
                "UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z' WHERE token_hash = 'idle';
                 UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z' WHERE token_hash = 'old';",
            )
            .unwrap();
        assert!(session_user(&db.conn, "idle").unwrap().is_none());
        assert!(session_user(&db.conn, "old").unwrap().is_none());
    }

    #[test]
    fn a_new_password_ends_existing_sessions() {
        let mut db = temp_db();
        let id = add_user(&db.conn, "ivan", "Ivan", Role::Editor, "old").unwrap();
        create_session(&db.conn, id, "t").unwrap();
        assert!(set_password(&mut db.conn, "ivan", "new").unwrap());
        assert!(session_user(&db.conn, "t").unwrap().is_none());
        assert!(!set_password(&mut db.conn, "nobody", "new").unwrap());
    }

    #[test]
    fn failures_count_per_address_and_per_name() {
        let db = temp_db();
        for _ in 0..3 {
            record_failure(&db.conn, "10.0.0.1", "Ivan").unwrap();
        }
        record_failure(&db.conn, "10.0.0.2", "ivan").unwrap();
        assert_eq!(
            recent_failures(&db.conn, "10.0.0.1", "IVAN").unwrap(),
            (3, 4)
        );
        clear_failures(&db.conn, "ivan").unwrap();
        assert_eq!(
            recent_failures(&db.conn, "10.0.0.1", "ivan").unwrap(),
            (3, 0)
        );
    }
}
