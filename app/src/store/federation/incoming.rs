//! Posts received for moderation: partners' posts and replies to the portal's items, held until
//! an editor decides. An edit of an approved post waits beside the approved texts, which are
//! what visitors see until the edit is approved. What one server, and all of them, may have
//! waiting is capped, and what a cap refused is counted for the moderators to see.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::host_of;
use crate::federation::Moderation;
use crate::pager::Page;
use crate::store::StoreError;

/// Posts and edits one server may have waiting for moderation.
pub const WAITING_PER_SERVER: u32 = 20;
/// Posts and edits that may wait in all.
pub const WAITING_IN_ALL: u32 = 500;
/// How long a refusal is counted, in seconds.
const REFUSALS_KEPT: i64 = 7 * 24 * 3600;
/// Posts that wait: held ones, and approved ones with an edit to look at.
const WAITING: &str = "(p.status = 'held' OR p.edit_at IS NOT NULL)";

/// A post a followed partner sent, or a reply to one of the portal's items, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingPost {
    pub object_id: String,
    pub actor: String,
    pub kind: String,
    /// The portal's item a reply answers.
    pub in_reply_to: Option<i64>,
    pub url: String,
    /// JSON objects of language → text; summaries and contents are sanitised HTML.
    pub names: String,
    pub summaries: String,
    pub contents: String,
    /// When its sender says it was written (checked on arrival: never in the future).
    pub published: String,
    pub updated: String,
}

/// An edit of an approved post, waiting for an editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostEdit {
    pub kind: String,
    pub url: String,
    pub names: String,
    pub summaries: String,
    pub contents: String,
    pub updated: String,
    /// When it arrived (ISO 8601 UTC).
    pub at: String,
}

/// A cap on what may wait for moderation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// One server has `WAITING_PER_SERVER` posts and edits waiting.
    Server,
    /// `WAITING_IN_ALL` wait.
    Inbox,
}

db_enum!(Cap {
    Server = "server_cap",
    Inbox = "inbox_cap",
});

/// What the inbox did with a post it received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// A new post, held for moderation.
    Held,
    /// A held post's texts replaced by its author.
    Replaced,
    /// An approved post's edit, held beside the approved texts.
    EditHeld,
    /// Nothing to do: the texts are the approved ones, the post was rejected, or it is another
    /// actor's.
    Unchanged,
    /// Not kept: a cap is reached.
    Refused(Cap),
}

/// Stores `post` as its author sent it (a `Create`, an `Update`, or a delivery repeated after
/// a lost answer), received at `now` (unix seconds): see `Kept`.
pub fn keep_incoming(
    conn: &mut Connection,
    post: &IncomingPost,
    now: i64,
) -> Result<Kept, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let host = host_of(&post.actor);
    let found = tx
        .prepare_cached(
            "SELECT actor, status, edit_at IS NOT NULL AS edited,
                    kind = ?2 AND url = ?3 AND names = ?4 AND summaries = ?5 AND contents = ?6
                        AS same
             FROM incoming_posts WHERE object_id = ?1",
        )?
        .query_row(
            params![
                post.object_id,
                post.kind,
                post.url,
                post.names,
                post.summaries,
                post.contents
            ],
            |r| {
                Ok((
                    r.get::<_, String>("actor")?,
                    r.get::<_, String>("status")?,
                    r.get::<_, bool>("edited")?,
                    r.get::<_, bool>("same")?,
                ))
            },
        )
        .optional()?;
    let kept = match found {
        None => match full(&tx, &host)? {
            Some(cap) => Kept::Refused(cap),
            None => {
                tx.prepare_cached(
                    "INSERT INTO incoming_posts (object_id, actor, host, kind, in_reply_to, url,
                         names, summaries, contents, published, updated)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    post.object_id,
                    post.actor,
                    host,
                    post.kind,
                    post.in_reply_to,
                    post.url,
                    post.names,
                    post.summaries,
                    post.contents,
                    post.published,
                    post.updated
                ])?;
                Kept::Held
            }
        },
        Some((actor, ..)) if actor != post.actor => Kept::Unchanged,
        Some((_, status, ..)) if status == Moderation::Rejected.as_str() => Kept::Unchanged,
        Some((_, status, ..)) if status == Moderation::Held.as_str() => {
            set_texts(
                &tx,
                "UPDATE incoming_posts SET kind = ?2, url = ?3, names = ?4, summaries = ?5,
                     contents = ?6, updated = ?7
                 WHERE object_id = ?1",
                post,
            )?;
            Kept::Replaced
        }
        // Approved: back to the approved texts (an edit withdrawn), or an edit to look at.
        Some((_, _, _, true)) => {
            clear_edit(&tx, &post.object_id)?;
            Kept::Unchanged
        }
        Some((_, _, edited, false)) => match full(&tx, &host)?.filter(|_| !edited) {
            Some(cap) => Kept::Refused(cap),
            None => {
                set_texts(
                    &tx,
                    concat!(
                        "UPDATE incoming_posts SET edit_kind = ?2, edit_url = ?3, edit_names = ?4,
                             edit_summaries = ?5, edit_contents = ?6, edit_updated = ?7,
                             edit_at = ",
                        sql_now!(),
                        " WHERE object_id = ?1"
                    ),
                    post,
                )?;
                Kept::EditHeld
            }
        },
    };
    if let Kept::Refused(cap) = kept {
        count_refusal(&tx, cap, &host, now)?;
    }
    tx.commit()?;
    Ok(kept)
}

/// Runs `sql`, an update of post `?1` taking the texts of `post` as `?2` (kind) to `?7`
/// (updated) in the order the table has them.
fn set_texts(conn: &Connection, sql: &str, post: &IncomingPost) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute(params![
        post.object_id,
        post.kind,
        post.url,
        post.names,
        post.summaries,
        post.contents,
        post.updated
    ])?;
    Ok(())
}

/// The cap that one more waiting post from `host` would break, if any.
fn full(conn: &Connection, host: &str) -> Result<Option<Cap>, StoreError> {
    let (from_host, all): (u32, u32) = conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(p.host = ?1), 0), count(*) FROM incoming_posts p WHERE {WAITING}"
        ))?
        .query_row([host], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(if from_host >= WAITING_PER_SERVER {
        Some(Cap::Server)
    } else if all >= WAITING_IN_ALL {
        Some(Cap::Inbox)
    } else {
        None
    })
}

fn clear_edit(conn: &Connection, object_id: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE incoming_posts SET edit_kind = NULL, edit_url = NULL, edit_names = NULL,
             edit_summaries = NULL, edit_contents = NULL, edit_updated = NULL, edit_at = NULL
         WHERE object_id = ?1",
    )?
    .execute([object_id])?;
    Ok(())
}

/// Counts a refusal by `cap` of a post from `host` (the server cap names the server; the
/// inbox's does not, so that strangers cannot grow the table), forgetting old ones.
fn count_refusal(conn: &Connection, cap: Cap, host: &str, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM inbox_refusals WHERE last_at < ?1")?
        .execute([now - REFUSALS_KEPT])?;
    let host = if cap == Cap::Server { host } else { "" };
    conn.prepare_cached(
        "INSERT INTO inbox_refusals (reason, host, count, last_at) VALUES (?1, ?2, 1, ?3)
         ON CONFLICT (reason, host) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
    )?
    .execute(params![cap.as_str(), host, now])?;
    Ok(())
}

/// What the caps refused in the last week: by which cap, from which server (empty for the
/// inbox's cap), how many; the most first.
pub fn refusals(conn: &Connection, now: i64) -> Result<Vec<(Cap, String, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT reason, host, count FROM inbox_refusals WHERE last_at >= ?1
         ORDER BY count DESC, host LIMIT 20",
    )?;
    let rows = stmt.query_map([now - REFUSALS_KEPT], |r| {
        let reason: String = r.get(0)?;
        Ok((
            Cap::from_db(&reason).ok_or_else(|| crate::store::unknown_value(0, &reason))?,
            r.get(1)?,
            r.get::<_, i64>(2)?.unsigned_abs(),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes the post `object_id` its author `actor` deleted; whether there was one.
pub fn forget_incoming(
    conn: &Connection,
    object_id: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM incoming_posts WHERE object_id = ?1 AND actor = ?2")?
        .execute([object_id, actor])?
        > 0)
}

/// A received post with who sent it, as the moderation list and the pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPost {
    /// The texts visitors see once it is approved (the approved ones, when it is).
    pub post: IncomingPost,
    pub status: Moderation,
    /// An edit of the approved post, waiting for an editor.
    pub edit: Option<PostEdit>,
    pub author: String,
    pub handle: String,
    /// The partner city whose portal sent it (slug), when it is a followed portal's post.
    pub city: Option<String>,
    /// The slug and kind of the item a reply answers.
    pub reply_to: Option<(String, String)>,
}

const RECEIVED_SELECT: &str = "
    SELECT p.object_id, p.actor, p.kind, p.in_reply_to, p.url, p.names, p.summaries, p.contents,
           p.published, p.updated, p.status, p.edit_kind, p.edit_url, p.edit_names,
           p.edit_summaries, p.edit_contents, p.edit_updated, p.edit_at,
           a.name AS author, a.handle, c.slug AS city, i.slug AS reply_slug,
           i.kind AS reply_kind
    FROM incoming_posts p
    JOIN remote_actors a ON a.id = p.actor
    LEFT JOIN following f ON f.actor = p.actor
    LEFT JOIN cities c ON c.id = f.city_id
    LEFT JOIN items i ON i.id = p.in_reply_to";

fn received_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReceivedPost> {
    let status: String = r.get("status")?;
    let reply_slug: Option<String> = r.get("reply_slug")?;
    let reply_kind: Option<String> = r.get("reply_kind")?;
    let edit = match r.get::<_, Option<String>>("edit_at")? {
        Some(at) => Some(PostEdit {
            kind: r.get("edit_kind")?,
            url: r.get("edit_url")?,
            names: r.get("edit_names")?,
            summaries: r.get("edit_summaries")?,
            contents: r.get("edit_contents")?,
            updated: r.get("edit_updated")?,
            at,
        }),
        None => None,
    };
    Ok(ReceivedPost {
        post: IncomingPost {
            object_id: r.get("object_id")?,
            actor: r.get("actor")?,
            kind: r.get("kind")?,
            in_reply_to: r.get("in_reply_to")?,
            url: r.get("url")?,
            names: r.get("names")?,
            summaries: r.get("summaries")?,
            contents: r.get("contents")?,
            published: r.get("published")?,
            updated: r.get("updated")?,
        },
        status: Moderation::from_db(&status)
            .ok_or_else(|| crate::store::unknown_value(10, &status))?,
        edit,
        author: r.get("author")?,
        handle: r.get("handle")?,
        city: r.get("city")?,
        reply_to: reply_slug.zip(reply_kind),
    })
}

fn received_where(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<ReceivedPost>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{RECEIVED_SELECT} WHERE {condition}"))?;
    let rows = stmt.query_map(params, received_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Page `page` of the posts and edits waiting for moderation (`per_page` a page, oldest
/// first), and the latest `decided` decided ones.
pub fn moderation_list(
    conn: &Connection,
    page: u32,
    per_page: u32,
    decided: u32,
) -> Result<(Page<ReceivedPost>, Vec<ReceivedPost>), StoreError> {
    let waiting: u32 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM incoming_posts p WHERE {WAITING}"
        ))?
        .query_row([], |r| r.get(0))?;
    let per_page = per_page.max(1);
    let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
    let held = received_where(
        conn,
        &format!(
            "{WAITING} ORDER BY coalesce(p.edit_at, p.received_at), p.object_id
             LIMIT ?1 OFFSET ?2"
        ),
        params![per_page, offset],
    )?;
    let done = received_where(
        conn,
        "p.status <> 'held' AND p.edit_at IS NULL
         ORDER BY p.received_at DESC, p.object_id LIMIT ?1",
        [decided],
    )?;
    let page = Page {
        items: held,
        page,
        pages: waiting.div_ceil(per_page).max(1),
    };
    Ok((page, done))
}

/// The received post `object_id`.
pub fn received(conn: &Connection, object_id: &str) -> Result<Option<ReceivedPost>, StoreError> {
    Ok(received_where(conn, "p.object_id = ?1", [object_id])?
        .into_iter()
        .next())
}

/// Decides on post `object_id`: approving takes its waiting edit, if any, as the texts shown
/// (a first approval also dates it); rejecting an edit drops the edit and keeps the approved
/// texts, rejecting a post hides it. Whether there was one.
pub fn moderate(
    conn: &Connection,
    object_id: &str,
    approve: bool,
    user: i64,
) -> Result<bool, StoreError> {
    let sql = if approve {
        concat!(
            "UPDATE incoming_posts SET kind = coalesce(edit_kind, kind),
                 url = coalesce(edit_url, url), names = coalesce(edit_names, names),
                 summaries = coalesce(edit_summaries, summaries),
                 contents = coalesce(edit_contents, contents),
                 updated = coalesce(edit_updated, updated),
                 status = 'approved', approved_at = coalesce(approved_at, ",
            sql_now!(),
            "), moderated_by = ?2 WHERE object_id = ?1"
        )
    } else {
        "UPDATE incoming_posts SET moderated_by = ?2,
             status = CASE WHEN status = 'approved' AND edit_at IS NOT NULL THEN status
                      ELSE 'rejected' END
         WHERE object_id = ?1"
    };
    let changed = conn
        .prepare_cached(sql)?
        .execute(params![object_id, user])?
        > 0;
    clear_edit(conn, object_id)?;
    Ok(changed)
}

/// The newest `limit` approved posts of the portal followed for the city at `city`, newest
/// approval first.
pub fn approved_of_city(
    conn: &Connection,
    city: &str,
    limit: u32,
) -> Result<Vec<ReceivedPost>, StoreError> {
    received_where(
        conn,
        "p.status = 'approved' AND p.in_reply_to IS NULL AND c.slug = ?1
         ORDER BY p.approved_at DESC, p.object_id LIMIT ?2",
        params![city, limit],
    )
}

/// The newest `limit` approved posts of all followed partner portals, newest approval first.
pub fn approved_latest(conn: &Connection, limit: u32) -> Result<Vec<ReceivedPost>, StoreError> {
    received_where(
        conn,
        "p.status = 'approved' AND p.in_reply_to IS NULL AND c.slug IS NOT NULL
         ORDER BY p.approved_at DESC, p.object_id LIMIT ?1",
        [limit],
    )
}

/// The approved replies to item `item`, in the order they were approved.
pub fn approved_replies(conn: &Connection, item: i64) -> Result<Vec<ReceivedPost>, StoreError> {
    received_where(
        conn,
        "p.status = 'approved' AND p.in_reply_to = ?1 ORDER BY p.approved_at, p.object_id",
        [item],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_db;

    fn actor(conn: &Connection, id: &str) {
        conn.execute(
            "INSERT INTO remote_actors (id, inbox, key_id, public_pem, handle, name, fetched_at)
             VALUES (?1, ?1 || '/inbox', ?1 || '#k', '', 'x@h', 'X', 0)
             ON CONFLICT DO NOTHING",
            [id],
        )
        .unwrap();
    }

    fn post(actor: &str, id: &str, text: &str) -> IncomingPost {
        IncomingPost {
            object_id: id.into(),
            actor: actor.into(),
            kind: "Note".into(),
            in_reply_to: None,
            url: String::new(),
            names: "{}".into(),
            summaries: "{}".into(),
            contents: format!(r#"{{"und":"{text}"}}"#),
            published: "2026-01-01T00:00:00Z".into(),
            updated: String::new(),
        }
    }

    #[test]
    fn an_approved_post_keeps_its_approved_text_until_its_edit_is_approved() {
        let mut db = temp_db();
        db.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let author = "https://m.example/users/a";
        actor(&db.conn, author);
        let harmless = post(author, "https://m.example/1", "Congratulations!");
        assert_eq!(
            keep_incoming(&mut db.conn, &harmless, 0).unwrap(),
            Kept::Held
        );
        moderate(&db.conn, &harmless.object_id, true, 1).unwrap();
        let phishing = post(author, "https://m.example/1", "<a href=x>log in here</a>");
        assert_eq!(
            keep_incoming(&mut db.conn, &phishing, 0).unwrap(),
            Kept::EditHeld
        );
        let shown = received(&db.conn, &harmless.object_id).unwrap().unwrap();
        assert_eq!(shown.status, Moderation::Approved);
        assert_eq!(
            shown.post.contents, harmless.contents,
            "visitors see the approved text"
        );
        assert_eq!(shown.edit.unwrap().contents, phishing.contents);
        let (waiting, _) = moderation_list(&db.conn, 1, 20, 20).unwrap();
        assert_eq!(waiting.items.len(), 1, "the edit waits for an editor");
        // Rejecting the edit keeps the approved text.
        moderate(&db.conn, &harmless.object_id, false, 1).unwrap();
        let shown = received(&db.conn, &harmless.object_id).unwrap().unwrap();
        assert_eq!(
            (shown.status, shown.edit, shown.post.contents),
            (Moderation::Approved, None, harmless.contents.clone())
        );
        // An approved edit is shown.
        let fixed = post(author, "https://m.example/1", "Congratulations, friends!");
        keep_incoming(&mut db.conn, &fixed, 0).unwrap();
        moderate(&db.conn, &fixed.object_id, true, 1).unwrap();
        let shown = received(&db.conn, &fixed.object_id).unwrap().unwrap();
        assert_eq!(shown.post.contents, fixed.contents);
        // Someone else cannot edit it.
        actor(&db.conn, "https://m.example/users/b");
        let other = post("https://m.example/users/b", "https://m.example/1", "mine");
        assert_eq!(
            keep_incoming(&mut db.conn, &other, 0).unwrap(),
            Kept::Unchanged
        );
    }

    #[test]
    fn one_server_cannot_fill_the_moderation_list() {
        let mut db = temp_db();
        let author = "https://spam.example/users/a";
        actor(&db.conn, author);
        for n in 0..WAITING_PER_SERVER {
            let p = post(author, &format!("https://spam.example/{n}"), "x");
            assert_eq!(keep_incoming(&mut db.conn, &p, 0).unwrap(), Kept::Held);
        }
        let p = post(author, "https://spam.example/last", "x");
        assert_eq!(
            keep_incoming(&mut db.conn, &p, 0).unwrap(),
            Kept::Refused(Cap::Server)
        );
        keep_incoming(&mut db.conn, &p, 0).unwrap();
        assert_eq!(
            refusals(&db.conn, 10).unwrap(),
            [(Cap::Server, "spam.example".to_owned(), 2)]
        );
        assert!(refusals(&db.conn, 8 * 24 * 3600).unwrap().is_empty());
        // Another server still gets in, and the list comes in pages.
        let friend = "https://friend.example/users/a";
        actor(&db.conn, friend);
        let p = post(friend, "https://friend.example/1", "hello");
        assert_eq!(keep_incoming(&mut db.conn, &p, 0).unwrap(), Kept::Held);
        let (first, _) = moderation_list(&db.conn, 1, 15, 5).unwrap();
        assert_eq!((first.items.len(), first.pages), (15, 2));
        let (second, _) = moderation_list(&db.conn, 2, 15, 5).unwrap();
        assert_eq!(second.items.len(), 6);
    }
}
