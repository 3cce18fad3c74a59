//! SQL for editors' accounts, their server-side sessions and the throttling of failed logins.

use rusqlite::{params, Connection, OptionalExtension};

use super::{unknown_value, StoreError, NOW};
use crate::auth::{Role, SessionUser};

/// A session ends after this long without a request...
pub const IDLE_TIMEOUT_MINUTES: u32 = 8 * 60;
/// ...and at the latest this long after login.
pub const ABSOLUTE_TIMEOUT_DAYS: u32 = 7;
/// Failed logins are counted over this window.
pub const FAILURE_WINDOW_MINUTES: u32 = crate::auth::api::FAILURE_WINDOW_SECONDS / 60;

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
        concat!(
            "UPDATE users SET disabled_at = CASE WHEN ?2 THEN ",
            sql_now!(),
            " END
         WHERE username = ?1"
        ),
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
             VALUES (?1, ?2, {NOW}, {NOW},
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
               AND s.expires_at > {NOW}
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
        conn.prepare_cached(concat!(
            "UPDATE sessions SET last_seen_at = ",
            sql_now!(),
            "
             WHERE token_hash = ?1"
        ))?
        .execute([token_hash])?;
    }
    Ok(Some(user))
}

/// Ends the session with `token_hash` (a no-op when there is none), and any expired ones.
pub fn end_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    conn.execute(
        concat!("DELETE FROM sessions WHERE expires_at <= ", sql_now!()),
        [],
    )?;
    Ok(())
}

/// A login attempt counted as failed before its password is checked (see `reserve_attempt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    ip_row: i64,
    account_row: i64,
}

/// The most failed logins a window may hold, from one address and for one name.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_ip: u32,
    pub per_account: u32,
}

/// Counts a login attempt from `ip` for `username` as failed before its password is checked,
/// unless either already has `limits` failures within the window (then `None`). Counting and
/// recording are one write transaction, so attempts arriving together pass the check one at a
/// time: a burst of them gets at most the limit of password checks. A successful login, or one
/// that was never checked, gives its reservation back with `release`.
pub fn reserve_attempt(
    conn: &mut Connection,
    ip: &str,
    username: &str,
    limits: Limits,
) -> Result<Option<Reservation>, StoreError> {
    let account = username.to_lowercase();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        &format!(
            "DELETE FROM login_failures
             WHERE at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-{FAILURE_WINDOW_MINUTES} minutes')"
        ),
        [],
    )?;
    let count = |scope: &str, key: &str| -> rusqlite::Result<u32> {
        tx.prepare_cached("SELECT count(*) FROM login_failures WHERE scope = ?1 AND key = ?2")?
            .query_row(params![scope, key], |r| r.get(0))
    };
    if count("ip", ip)? >= limits.per_ip || count("account", &account)? >= limits.per_account {
        return Ok(None);
    }
    let insert = |scope: &str, key: &str| -> rusqlite::Result<i64> {
        tx.prepare_cached(concat!(
            "INSERT INTO login_failures (scope, key, at)
             VALUES (?1, ?2, ",
            sql_now!(),
            ")"
        ))?
        .execute(params![scope, key])?;
        Ok(tx.last_insert_rowid())
    };
    let reservation = Reservation {
        ip_row: insert("ip", ip)?,
        account_row: insert("account", &account)?,
    };
    tx.commit()?;
    Ok(Some(reservation))
}

/// Gives back a reservation: the attempt no longer counts as failed.
pub fn release(conn: &Connection, reservation: Reservation) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM login_failures WHERE rowid IN (?1, ?2)")?
        .execute(params![reservation.ip_row, reservation.account_row])?;
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
    fn attempts_are_reserved_up_to_the_limits_per_address_and_per_name() {
        let mut db = temp_db();
        let limits = Limits {
            per_ip: 4,
            per_account: 3,
        };
        for _ in 0..3 {
            assert!(reserve_attempt(&mut db.conn, "10.0.0.1", "Ivan", limits)
                .unwrap()
                .is_some());
        }
        assert_eq!(
            reserve_attempt(&mut db.conn, "10.0.0.2", "IVAN", limits).unwrap(),
            None,
            "the name's limit holds whatever the address and case"
        );
        let other = reserve_attempt(&mut db.conn, "10.0.0.1", "olga", limits)
            .unwrap()
            .expect("another name from the same address");
        assert_eq!(
            reserve_attempt(&mut db.conn, "10.0.0.1", "petr", limits).unwrap(),
            None,
            "the address's limit holds whatever the name"
        );
        release(&db.conn, other).unwrap();
        assert!(reserve_attempt(&mut db.conn, "10.0.0.1", "petr", limits)
            .unwrap()
            .is_some());
        clear_failures(&db.conn, "ivan").unwrap();
        assert!(reserve_attempt(&mut db.conn, "10.0.0.3", "ivan", limits)
            .unwrap()
            .is_some());
    }
}
