//! Servers (with their subdomains) and accounts whose activities the inbox refuses.

use rusqlite::{params, Connection, OptionalExtension};

use super::host_of;
use crate::store::StoreError;

/// What a block names: a server by host, or one account by actor id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Server,
    Account,
}

db_enum!(BlockKind {
    Server = "server",
    Account = "account",
});

/// Whether `host` is `server` or one of its subdomains (both named as `host_of` names them).
fn within(host: &str, server: &str) -> bool {
    host == server
        || host
            .strip_suffix(server)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// The SQL condition "the host `$host` is the server `$server` or one of its subdomains": what
/// `within` says in Rust.
macro_rules! within_sql {
    ($host:literal, $server:literal) => {
        concat!(
            "(",
            $host,
            " = ",
            $server,
            " OR substr(",
            $host,
            ", -length(",
            $server,
            ") - 1) = '.' || ",
            $server,
            ")"
        )
    };
}

/// A server as an admin names it (`Spam.Example.`, `спам.example`), the way the inbox compares
/// hosts: lower case, international names in their ASCII form, no trailing dot. `None` for
/// what is not a host name or address.
pub fn server_name(input: &str) -> Option<String> {
    let trimmed = input.trim().trim_end_matches('.');
    if trimmed.is_empty() || trimmed.len() > 253 || trimmed.contains(['/', ':', '@', ' ']) {
        return None;
    }
    match url::Host::parse(trimmed).ok()? {
        url::Host::Domain(domain) => Some(domain.trim_end_matches('.').to_ascii_lowercase()),
        url::Host::Ipv4(ip) => Some(ip.to_string()),
        url::Host::Ipv6(_) => None,
    }
}

/// An actor id in the form the portal compares them: its host as `host_of` names it, the rest
/// exactly as written (`/users/Victim` and `/users/victim` are two accounts). `None` for what
/// is not an http(s) address with a host.
pub fn actor_name(id: &str) -> Option<String> {
    let mut url = url::Url::parse(id.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.').to_owned();
    if host.is_empty() {
        return None;
    }
    url.set_host(Some(&host)).ok()?;
    Some(url.to_string())
}

/// Blocks `value` (a `server_name` or an `actor_name`): its activities are refused from now
/// on, what it sent that waits for moderation is removed, and it stops being a follower.
pub fn block(
    conn: &mut Connection,
    kind: BlockKind,
    value: &str,
    user: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.prepare_cached(
        "INSERT INTO blocks (kind, value, created_by) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, value) DO NOTHING",
    )?
    .execute(params![kind.as_str(), value, user])?;
    let followers: Vec<String> = tx
        .prepare_cached("SELECT actor FROM followers")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let blocked = |actor: &str| match kind {
        BlockKind::Server => within(&host_of(actor), value),
        BlockKind::Account => actor_name(actor).as_deref() == Some(value),
    };
    for actor in followers.iter().filter(|a| blocked(a)) {
        tx.prepare_cached("DELETE FROM followers WHERE actor = ?1")?
            .execute([actor])?;
    }
    let waiting = "(status = 'held' OR edit_at IS NOT NULL)";
    match kind {
        BlockKind::Server => tx.execute(
            &format!(
                "DELETE FROM incoming_posts WHERE {waiting} AND {}",
                within_sql!("host", "?1")
            ),
            [value],
        )?,
        BlockKind::Account => tx.execute(
            &format!("DELETE FROM incoming_posts WHERE {waiting} AND actor = ?1"),
            [value],
        )?,
    };
    tx.commit()?;
    Ok(())
}

/// Lifts the block of `value`; whether there was one.
pub fn unblock(conn: &Connection, kind: BlockKind, value: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM blocks WHERE kind = ?1 AND value = ?2")?
        .execute([kind.as_str(), value])?
        > 0)
}

/// Every block, servers first.
pub fn blocks(conn: &Connection) -> Result<Vec<(BlockKind, String)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT kind, value FROM blocks ORDER BY kind DESC, value")?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        Ok((
            BlockKind::from_db(&kind).ok_or_else(|| crate::store::unknown_value(0, &kind))?,
            r.get(1)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the server `host` (as `host_of` names it) or one it is a subdomain of is blocked,
/// or the account `actor` (as `actor_name` names it).
pub fn is_blocked(conn: &Connection, host: &str, actor: Option<&str>) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(concat!(
            "SELECT 1 FROM blocks WHERE (kind = 'server' AND ",
            within_sql!("?1", "value"),
            ") OR (kind = 'account' AND value = ?2)"
        ))?
        .query_row(params![host, actor], |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_db;

    #[test]
    fn a_server_is_named_one_way_whatever_the_spelling() {
        assert_eq!(
            server_name(" Spam.Example. ").as_deref(),
            Some("spam.example")
        );
        let international = server_name("спам.example").unwrap();
        assert!(
            international.starts_with("xn--") && international.ends_with(".example"),
            "{international}"
        );
        assert_eq!(server_name("СПАМ.Example."), Some(international));
        assert_eq!(server_name("127.0.0.1").as_deref(), Some("127.0.0.1"));
        for bad in ["", ".", "a b", "x/y", "user@host", "host:80", "[::1]"] {
            assert_eq!(server_name(bad), None, "{bad:?}");
        }
        assert_eq!(
            actor_name("https://Spam.Example./users/Victim").as_deref(),
            Some("https://spam.example/users/Victim")
        );
        assert_eq!(actor_name("ftp://x.example/a"), None);
    }

    #[test]
    fn a_blocked_server_takes_its_subdomains_and_an_account_is_matched_exactly() {
        let mut db = temp_db();
        db.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let blocked = |conn: &Connection, url: &str| {
            is_blocked(conn, &host_of(url), actor_name(url).as_deref()).unwrap()
        };
        block(&mut db.conn, BlockKind::Server, "spam.example", 0).unwrap();
        for url in [
            "https://spam.example/users/a",
            "https://SPAM.example./users/a",
            "https://sub.spam.example/users/a",
            "https://a.b.spam.example:8443/users/a",
        ] {
            assert!(blocked(&db.conn, url), "{url}");
        }
        for url in ["https://notspam.example/a", "https://spam.example.org/a"] {
            assert!(!blocked(&db.conn, url), "{url}");
        }
        let victim = actor_name("https://mastodon.example/users/Victim").unwrap();
        block(&mut db.conn, BlockKind::Account, &victim, 0).unwrap();
        assert!(blocked(&db.conn, "https://Mastodon.Example./users/Victim"));
        assert!(!blocked(&db.conn, "https://mastodon.example/users/victim"));
        assert!(!blocked(&db.conn, "https://mastodon.example/users/Victim2"));
    }
}
