//! SQL for editing items: loading an item with all its fields whatever its status, creating
//! drafts, saving with optimistic locking (a revision and an audit entry in the same
//! transaction), and reading revisions back.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{audit, items, seed::slugify, unknown_value, StoreError};
use crate::editor::audit::AuditDetail;
use crate::editor::{Editable, ItemFields, ItemStatus, RevisionMeta, RevisionNote};
use crate::error::{Arg, Message};
use crate::i18n::Key;
use crate::i18n::Lang;
use crate::news::ItemKind;

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Saved; the item as it now is.
    Saved(Editable),
    /// Someone saved since the editor's version; nothing was written. The item as it now is.
    Conflict(Editable),
}

const EDITABLE_SELECT: &str = "
    SELECT i.id, i.kind, i.slug, i.version, i.status, i.published_at, i.event_start, i.event_end,
           i.venue, i.cover_image, i.cover_alt, i.updated_at, t.lang, t.title, t.lead, t.body,
           (SELECT u.username FROM revisions r JOIN users u ON u.id = r.user_id
            WHERE r.item_id = i.id ORDER BY r.version DESC LIMIT 1)
    FROM items i
    JOIN item_texts t ON t.item_id = i.id
     AND t.lang = (SELECT lang FROM item_texts WHERE item_id = i.id
                   ORDER BY lang = ?1 DESC, lang LIMIT 1)";

fn editable_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Editable> {
    let kind: String = row.get(1)?;
    let status: String = row.get(4)?;
    Ok(Editable {
        id: row.get(0)?,
        kind: ItemKind::from_db(&kind).ok_or_else(|| unknown_value(1, &kind))?,
        slug: row.get(2)?,
        version: row.get(3)?,
        fields: ItemFields {
            status: ItemStatus::from_db(&status).ok_or_else(|| unknown_value(4, &status))?,
            published_at: row.get(5)?,
            event_start: row.get(6)?,
            event_end: row.get(7)?,
            venue: row.get(8)?,
            cover_image: row.get(9)?,
            cover_alt: row.get(10)?,
            lang: row.get(12)?,
            title: row.get(13)?,
            lead: row.get(14)?,
            body: row.get(15)?,
            cities: Vec::new(),
            tags: Vec::new(),
        },
        updated_at: row.get(11)?,
        updated_by: row.get(16)?,
    })
}

fn with_links(conn: &Connection, mut item: Editable) -> Result<Editable, StoreError> {
    let names = |sql: &str| -> Result<Vec<String>, StoreError> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([item.id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    item.fields.cities = names(
        "SELECT c.slug FROM item_cities ic JOIN cities c ON c.id = ic.city_id
         WHERE ic.item_id = ?1 ORDER BY c.name",
    )?;
    item.fields.tags = names(
        "SELECT g.name FROM item_tags it JOIN tags g ON g.id = it.tag_id
         WHERE it.item_id = ?1 ORDER BY g.name",
    )?;
    Ok(item)
}

/// The item of `kind` at `slug` in any status, texts in `lang` when it has them.
pub fn editable_item(
    conn: &Connection,
    lang: Lang,
    kind: ItemKind,
    slug: &str,
) -> Result<Option<Editable>, StoreError> {
    let found = conn
        .prepare_cached(&format!(
            "{EDITABLE_SELECT} WHERE i.slug = ?2 AND i.kind = ?3"
        ))?
        .query_row(params![lang, slug, kind.as_str()], editable_from_row)
        .optional()?;
    found.map(|item| with_links(conn, item)).transpose()
}

/// The item with row id `id` in any status.
pub fn editable_by_id(
    conn: &Connection,
    lang: Lang,
    id: i64,
) -> Result<Option<Editable>, StoreError> {
    let found = conn
        .prepare_cached(&format!("{EDITABLE_SELECT} WHERE i.id = ?2"))?
        .query_row(params![lang, id], editable_from_row)
        .optional()?;
    found.map(|item| with_links(conn, item)).transpose()
}

/// A slug from `title` that no other item has.
fn unique_slug(conn: &Connection, title: &str, item_id: i64) -> Result<String, StoreError> {
    let base = match slugify(title) {
        s if s.is_empty() => "item".to_owned(),
        s => s
            .chars()
            .take(80)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned(),
    };
    let mut stmt = conn.prepare_cached("SELECT 1 FROM items WHERE slug = ?1 AND id <> ?2")?;
    let mut candidate = base.clone();
    let mut n = 2;
    while stmt.exists(params![candidate, item_id])? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Creates an untitled draft of `kind` (events start today) as `user_id`, with its first revision.
pub fn create_draft(
    conn: &mut Connection,
    kind: ItemKind,
    lang: Lang,
    user_id: i64,
) -> Result<Editable, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let title = match kind {
        ItemKind::News => "Untitled article",
        ItemKind::Event => "Untitled event",
    };
    let slug = unique_slug(&tx, title, 0)?;
    tx.execute(
        "INSERT INTO items (slug, kind, status, event_start)
         VALUES (?1, ?2, 'draft', CASE WHEN ?2 = 'event' THEN date('now') END)",
        params![slug, kind.as_str()],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO item_texts (item_id, lang, title) VALUES (?1, ?2, ?3)",
        params![id, lang, title],
    )?;
    let item = editable_by_id(&tx, lang, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    insert_revision(&tx, &item, Some(user_id), RevisionNote::Created)?;
    audit::record(
        &tx,
        Some(user_id),
        "create",
        &format!("item:{id}"),
        &AuditDetail::Created { slug },
    )?;
    tx.commit()?;
    Ok(item)
}

fn insert_revision(
    conn: &Connection,
    item: &Editable,
    user_id: Option<i64>,
    note: RevisionNote,
) -> Result<(), StoreError> {
    let fields =
        serde_json::to_string(&item.fields).map_err(|e| StoreError::Task(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO revisions (item_id, version, user_id, note, fields) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![item.id, item.version, user_id, note.to_db(), fields])?;
    Ok(())
}

/// Saves `fields` (already validated) over item `id` if it is still at `base_version`, as
/// `user_id`, noting `note` in its history. The check and the write happen in one immediate
/// transaction, so of any number of concurrent saves from the same version exactly one wins.
pub fn save_item(
    conn: &mut Connection,
    id: i64,
    base_version: i64,
    fields: &ItemFields,
    user_id: i64,
    note: RevisionNote,
) -> Result<SaveOutcome, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(current) = editable_by_id(&tx, fields.lang, id)? else {
        return Err(rusqlite::Error::QueryReturnedNoRows.into());
    };
    if current.version != base_version {
        return Ok(SaveOutcome::Conflict(current));
    }
    // Items that never went through the editor (the seed, generated items) have no revision of
    // their text yet: keep it before the first edit replaces it.
    let recorded = tx
        .prepare_cached("SELECT 1 FROM revisions WHERE item_id = ?1 AND version = ?2")?
        .exists(params![id, current.version])?;
    if !recorded {
        insert_revision(&tx, &current, None, RevisionNote::FirstStored)?;
    }
    let city_ids = city_ids(&tx, &fields.cities)?;
    if let Some(hash) = &fields.cover_image {
        if !tx
            .prepare_cached("SELECT 1 FROM images WHERE hash = ?1")?
            .exists([hash])?
        {
            return Err(StoreError::Rejected {
                field: "cover_image",
                message: Key::ErrCoverUnknown.into(),
            });
        }
    }
    let published_at = match (fields.status, &fields.published_at) {
        (ItemStatus::Published, None) => Some(items::now(&tx)?),
        (_, at) => at.clone(),
    };
    // A slug follows the title until the item is first published; after that links must last.
    let slug = if current.fields.published_at.is_none() {
        unique_slug(&tx, &fields.title, id)?
    } else {
        current.slug.clone()
    };
    tx.prepare_cached(concat!(
        "UPDATE items SET slug = ?3, status = ?4, published_at = ?5, event_start = ?6,
                event_end = ?7, venue = ?8, cover_image = ?9, cover_alt = ?10,
                version = version + 1, updated_at = ",
        sql_now!(),
        "
         WHERE id = ?1 AND version = ?2"
    ))?
    .execute(params![
        id,
        base_version,
        slug,
        fields.status.as_str(),
        published_at,
        fields.event_start,
        fields.event_end,
        fields.venue,
        fields.cover_image,
        fields.cover_alt,
    ])?;
    tx.prepare_cached(
        "INSERT INTO item_texts (item_id, lang, title, lead, body) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (item_id, lang) DO UPDATE
         SET title = excluded.title, lead = excluded.lead, body = excluded.body",
    )?
    .execute(params![
        id,
        fields.lang,
        fields.title,
        fields.lead,
        fields.body
    ])?;
    replace_links(&tx, id, &city_ids, &fields.tags)?;
    if current.fields.status != fields.status || current.fields.published_at != published_at {
        items::renumber_feed(&tx)?;
    }
    let saved =
        editable_by_id(&tx, fields.lang, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    insert_revision(&tx, &saved, Some(user_id), note)?;
    audit::record(
        &tx,
        Some(user_id),
        "save",
        &format!("item:{id}"),
        &AuditDetail::ItemSaved {
            version: saved.version,
            note,
            status: fields.status,
        },
    )?;
    tx.commit()?;
    Ok(SaveOutcome::Saved(saved))
}

fn city_ids(conn: &Connection, slugs: &[String]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM cities WHERE slug = ?1")?;
    slugs
        .iter()
        .map(|slug| {
            stmt.query_row([slug], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::Rejected {
                    field: "cities",
                    message: Message::new(Key::ErrNoCity, [Arg::value(slug)]),
                })
        })
        .collect()
}

fn replace_links(
    conn: &Connection,
    id: i64,
    city_ids: &[i64],
    tags: &[String],
) -> Result<(), StoreError> {
    conn.execute("DELETE FROM item_cities WHERE item_id = ?1", [id])?;
    conn.execute("DELETE FROM item_tags WHERE item_id = ?1", [id])?;
    for city in city_ids {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO item_cities (item_id, city_id) VALUES (?1, ?2)",
        )?
        .execute(params![id, city])?;
    }
    for name in tags {
        let slug = slugify(name);
        conn.prepare_cached("INSERT OR IGNORE INTO tags (slug, name) VALUES (?1, ?2)")?
            .execute(params![slug, name])?;
        conn.prepare_cached(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id) SELECT ?1, id FROM tags WHERE slug = ?2",
        )?
        .execute(params![id, slug])?;
    }
    Ok(())
}

/// The revisions of item `id`, newest first.
pub fn revisions(conn: &Connection, id: i64) -> Result<Vec<RevisionMeta>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.version, r.saved_at, u.username, r.note
         FROM revisions r LEFT JOIN users u ON u.id = r.user_id
         WHERE r.item_id = ?1 ORDER BY r.version DESC",
    )?;
    let rows = stmt.query_map([id], |r| {
        let note: String = r.get(3)?;
        Ok(RevisionMeta {
            version: r.get(0)?,
            saved_at: r.get(1)?,
            username: r.get(2)?,
            note: RevisionNote::from_db(&note).ok_or_else(|| unknown_value(3, &note))?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The fields item `id` had at `version`.
pub fn revision_fields(
    conn: &Connection,
    id: i64,
    version: i64,
) -> Result<Option<ItemFields>, StoreError> {
    let json: Option<String> = conn
        .prepare_cached("SELECT fields FROM revisions WHERE item_id = ?1 AND version = ?2")?
        .query_row(params![id, version], |r| r.get(0))
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Task(e.to_string())))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::store::testing::temp_db;
    use crate::store::{seed, users};

    fn setup() -> (crate::store::testing::TempDb, i64) {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        let user = users::add_user(&db.conn, "olga", "Olga", Role::Editor, "h").unwrap();
        (db, user)
    }

    fn visible(conn: &Connection, slug: &str) -> bool {
        items::visible_item(conn, crate::i18n::Lang::En, ItemKind::News, slug)
            .unwrap()
            .is_some()
    }

    #[test]
    fn english_notes_of_older_databases_become_notes_of_any_language() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open_connection(&dir.path().join("old.db")).unwrap();
        crate::store::migrations().to_version(&mut conn, 7).unwrap();
        conn.execute_batch(
            "INSERT INTO items (id, slug, kind) VALUES (1, 'a', 'news');
             INSERT INTO revisions (item_id, version, note, fields) VALUES
                 (1, 1, 'as first stored', '{}'), (1, 2, 'created', '{}'),
                 (1, 3, 'edited', '{}'), (1, 4, 'restored version 2', '{}');",
        )
        .unwrap();
        crate::store::migrate(&mut conn).unwrap();
        let notes: Vec<RevisionNote> = revisions(&conn, 1)
            .unwrap()
            .into_iter()
            .map(|r| r.note)
            .collect();
        assert_eq!(
            notes,
            [
                RevisionNote::Restored(2),
                RevisionNote::Edited,
                RevisionNote::Created,
                RevisionNote::FirstStored
            ]
        );
    }

    #[test]
    fn drafts_are_hidden_until_published_and_keep_every_revision() {
        let (mut db, user) = setup();
        let draft =
            create_draft(&mut db.conn, ItemKind::News, crate::i18n::Lang::En, user).unwrap();
        assert_eq!(draft.fields.status, ItemStatus::Draft);
        assert!(!visible(&db.conn, &draft.slug));

        let mut fields = draft.fields.clone();
        fields.title = "Chemnitz choir visits".into();
        fields.cities = vec!["chemnitz".into()];
        fields.tags = vec!["Music".into(), "Brand new tag".into()];
        let SaveOutcome::Saved(saved) = save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &fields,
            user,
            RevisionNote::Edited,
        )
        .unwrap() else {
            panic!("conflict")
        };
        assert_eq!(
            saved.slug, "chemnitz-choir-visits",
            "a draft's slug follows its title"
        );
        assert!(!visible(&db.conn, &saved.slug));

        fields.status = ItemStatus::Published;
        let SaveOutcome::Saved(published) = save_item(
            &mut db.conn,
            saved.id,
            saved.version,
            &fields,
            user,
            RevisionNote::Edited,
        )
        .unwrap() else {
            panic!("conflict")
        };
        assert!(visible(&db.conn, &published.slug));
        let page = items::feed_page(&db.conn, crate::i18n::Lang::En, 1, 10)
            .unwrap()
            .unwrap();
        assert_eq!(page.items[0].title, "Chemnitz choir visits", "newest first");

        fields.title = "Renamed after publishing".into();
        let SaveOutcome::Saved(renamed) = save_item(
            &mut db.conn,
            saved.id,
            published.version,
            &fields,
            user,
            RevisionNote::Edited,
        )
        .unwrap() else {
            panic!("conflict")
        };
        assert_eq!(renamed.slug, published.slug, "published slugs stay");
        let history = revisions(&db.conn, saved.id).unwrap();
        assert_eq!(
            history.iter().map(|r| r.version).collect::<Vec<_>>(),
            vec![4, 3, 2, 1]
        );
        assert_eq!(history[0].username.as_deref(), Some("olga"));
        let v2 = revision_fields(&db.conn, saved.id, 2).unwrap().unwrap();
        assert_eq!(v2.title, "Chemnitz choir visits");
        assert_eq!(v2.cities, vec!["chemnitz".to_owned()]);
        let audit: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE entity = ?1",
                [format!("item:{}", saved.id)],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audit, 4);
    }

    #[test]
    fn the_first_edit_of_a_seed_item_keeps_its_original_text() {
        let (mut db, user) = setup();
        let seeded = editable_item(
            &db.conn,
            crate::i18n::Lang::En,
            ItemKind::News,
            "perm-oxford-friendship-week",
        )
        .unwrap()
        .unwrap();
        let fields = ItemFields {
            title: "Changed".into(),
            ..seeded.fields.clone()
        };
        save_item(
            &mut db.conn,
            seeded.id,
            seeded.version,
            &fields,
            user,
            RevisionNote::Edited,
        )
        .unwrap();
        let history = revisions(&db.conn, seeded.id).unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            (history[1].username.as_deref(), history[1].note),
            (None, RevisionNote::FirstStored)
        );
        let original = revision_fields(&db.conn, seeded.id, seeded.version)
            .unwrap()
            .unwrap();
        assert_eq!(original.title, seeded.fields.title);
    }

    #[test]
    fn a_save_from_an_old_version_is_a_conflict_and_writes_nothing() {
        let (mut db, user) = setup();
        let draft =
            create_draft(&mut db.conn, ItemKind::News, crate::i18n::Lang::En, user).unwrap();
        let mut mine = draft.fields.clone();
        mine.title = "First".into();
        save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &mine,
            user,
            RevisionNote::Edited,
        )
        .unwrap();
        mine.title = "Second".into();
        let outcome = save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &mine,
            user,
            RevisionNote::Edited,
        )
        .unwrap();
        let SaveOutcome::Conflict(current) = outcome else {
            panic!("expected a conflict")
        };
        assert_eq!(current.fields.title, "First");
        assert_eq!(current.version, draft.version + 1);
        assert_eq!(revisions(&db.conn, draft.id).unwrap().len(), 2);
    }

    #[test]
    fn unknown_cities_and_images_are_refused() {
        let (mut db, user) = setup();
        let draft =
            create_draft(&mut db.conn, ItemKind::News, crate::i18n::Lang::En, user).unwrap();
        let fields = ItemFields {
            cities: vec!["atlantis".into()],
            ..draft.fields.clone()
        };
        let err = save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &fields,
            user,
            RevisionNote::Edited,
        )
        .unwrap_err();
        assert!(err.to_string().contains("atlantis"), "{err}");
        let fields = ItemFields {
            cover_image: Some("a".repeat(64)),
            ..draft.fields.clone()
        };
        assert!(save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &fields,
            user,
            RevisionNote::Edited
        )
        .is_err());
        assert_eq!(
            editable_by_id(&db.conn, crate::i18n::Lang::En, draft.id)
                .unwrap()
                .unwrap()
                .version,
            1
        );
    }

    #[test]
    fn scheduled_items_appear_exactly_at_their_time() {
        let (mut db, user) = setup();
        let draft =
            create_draft(&mut db.conn, ItemKind::News, crate::i18n::Lang::En, user).unwrap();
        let at: String = db
            .conn
            .query_row(
                "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+2 seconds')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let fields = ItemFields {
            title: "Scheduled".into(),
            status: ItemStatus::Published,
            published_at: Some(at.clone()),
            ..draft.fields.clone()
        };
        let SaveOutcome::Saved(saved) = save_item(
            &mut db.conn,
            draft.id,
            draft.version,
            &fields,
            user,
            RevisionNote::Edited,
        )
        .unwrap() else {
            panic!("conflict")
        };
        let top = |c: &Connection| {
            items::feed_page(c, crate::i18n::Lang::En, 1, 10)
                .unwrap()
                .unwrap()
                .items[0]
                .title
                .clone()
        };
        assert!(!visible(&db.conn, &saved.slug));
        assert_ne!(top(&db.conn), "Scheduled");
        while items::now(&db.conn).unwrap() < at {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(visible(&db.conn, &saved.slug), "visible from {at}");
        assert_eq!(top(&db.conn), "Scheduled");
        assert_eq!(
            items::feed_page(&db.conn, crate::i18n::Lang::En, 1, 10)
                .unwrap()
                .unwrap()
                .items
                .len(),
            10
        );
    }
}
