//! SQL for partnership entries: a city's entries with both languages' texts and their news, the
//! activity of every partnership, saving an entry with optimistic locking (a revision and an
//! audit entry in the same transaction), and the uploaded agreement documents.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::{audit, cities, unknown_value, StoreError};
use crate::cities::{City, CityKind, CityStatus};
use crate::editor::audit::AuditDetail;
use crate::editor::RevisionNote;
use crate::i18n::Key;
use crate::i18n::Lang;
use crate::media::Cover;
use crate::news::ItemKind;
use crate::partnerships::{
    Activity, AgreementKind, Detail, Document, Entry, EntryInput, EntryText, NewsLink,
    PartnershipRow, PlanCounts, QUIET_MONTHS,
};

/// What saving an entry did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntrySave {
    /// Saved: the entry's id and new version.
    Saved(i64, i64),
    /// Someone saved since `base_version`; nothing was written.
    Conflict,
    /// No such city, or no such entry of that city.
    NotFound,
}

const ENTRY_COLUMNS: &str = "e.id, e.kind, e.variant, e.progress, e.date, e.end_date, e.place, \
                             e.people, e.document, d.mime, e.photo, e.published, e.version, \
                             e.updated_at, i.width, i.height, i.widths";
const ENTRY_FROM: &str = "partnership_entries e LEFT JOIN documents d ON d.hash = e.document \
                          LEFT JOIN images i ON i.hash = e.photo";

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = row.get(1)?;
    let variant: String = row.get(2)?;
    let progress: Option<String> = row.get(3)?;
    let detail = Detail::from_db(&kind, &variant, progress.as_deref())
        .ok_or_else(|| unknown_value(1, &format!("{kind} {variant}")))?;
    let document = match (row.get::<_, Option<String>>(8)?, row.get(9)?) {
        (Some(hash), Some(mime)) => Some(Document { hash, mime }),
        _ => None,
    };
    let photo = match row.get::<_, Option<String>>(10)? {
        Some(hash) => {
            let widths: String = row.get(16)?;
            Some(Cover {
                hash,
                alt: String::new(),
                width: row.get(14)?,
                height: row.get(15)?,
                widths: widths.split(',').filter_map(|w| w.parse().ok()).collect(),
            })
        }
        None => None,
    };
    Ok(Entry {
        id: row.get(0)?,
        detail,
        date: row.get(4)?,
        end_date: row.get(5)?,
        place: row.get(6)?,
        people: row.get(7)?,
        document,
        photo,
        published: row.get(11)?,
        version: row.get(12)?,
        updated_at: row.get(13)?,
        en: EntryText::default(),
        ru: EntryText::default(),
        news: Vec::new(),
    })
}

/// A news link from the columns slug, kind and title.
fn news_link(row: &Row<'_>) -> rusqlite::Result<NewsLink> {
    let slug: String = row.get(0)?;
    let kind: String = row.get(1)?;
    let kind = ItemKind::from_db(&kind).ok_or_else(|| unknown_value(1, &kind))?;
    Ok(NewsLink {
        href: kind.href(&slug),
        slug,
        title: row.get(2)?,
    })
}

/// Fills in each entry's texts and the news items it links to (titles in `lang`, visible items
/// only unless `drafts`).
fn with_texts(
    conn: &Connection,
    lang: Lang,
    drafts: bool,
    mut entries: Vec<Entry>,
) -> Result<Vec<Entry>, StoreError> {
    let mut texts = conn.prepare_cached(
        "SELECT lang, title, body, photo_alt FROM partnership_entry_texts WHERE entry_id = ?1",
    )?;
    let mut news = conn.prepare_cached(&format!(
        "SELECT i.slug, i.kind, t.title FROM partnership_entry_items pi
         JOIN items i ON i.id = pi.item_id
         JOIN item_texts t ON t.item_id = i.id
          AND t.lang = (SELECT lang FROM item_texts WHERE item_id = i.id
                        ORDER BY lang = ?2 DESC, lang LIMIT 1)
         WHERE pi.entry_id = ?1 AND (?3 OR {})
         ORDER BY i.published_at DESC, i.id",
        super::items::VISIBLE
    ))?;
    for entry in &mut entries {
        let rows = texts.query_map([entry.id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                EntryText {
                    title: r.get(1)?,
                    body: r.get(2)?,
                    photo_alt: r.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (text_lang, text) = row?;
            match text_lang.as_str() {
                "en" => entry.en = text,
                "ru" => entry.ru = text,
                _ => {}
            }
        }
        entry.news = news
            .query_map(params![entry.id, lang, drafts], news_link)?
            .collect::<Result<_, _>>()?;
    }
    Ok(entries)
}

/// The entries of the city with row id `city_id`, oldest first; drafts only when `drafts`.
pub fn entries_of_city(
    conn: &Connection,
    lang: Lang,
    city_id: i64,
    drafts: bool,
) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM {ENTRY_FROM}
         WHERE e.city_id = ?1 AND (?2 OR e.published = 1) ORDER BY e.date, e.id"
    ))?;
    let entries = stmt
        .query_map(params![city_id, drafts], entry_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    with_texts(conn, lang, drafts, entries)
}

/// The entry `id` of the city with row id `city_id`, drafts included.
pub fn entry(
    conn: &Connection,
    lang: Lang,
    city_id: i64,
    id: i64,
) -> Result<Option<Entry>, StoreError> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM {ENTRY_FROM} WHERE e.city_id = ?1 AND e.id = ?2"
        ))?
        .query_row([city_id, id], entry_from_row)
        .optional()?;
    Ok(with_texts(conn, lang, true, found.into_iter().collect())?.pop())
}

/// `?` compared with `QUIET_MONTHS` ago: a year alone counts as its first day.
fn quiet_sql(column: &str) -> String {
    format!("({column} IS NULL OR {column} < date('now', '-{QUIET_MONTHS} months'))")
}

/// A city with fewer linked items than this has its newest found by reading them all; one with
/// more is searched from the newest visible item down, where one of its own soon comes. Either
/// way a few hundred rows at most, whatever the number of items.
const FEW_ITEMS: i64 = 500;

/// The query for the day the newest visible news item about the city `?1` was published, for a
/// city with `few` linked items or with many.
fn news_day_sql(few: bool) -> String {
    let visible = super::items::VISIBLE;
    if few {
        format!(
            "SELECT max(substr(i.published_at, 1, 10)) FROM item_cities ic
             JOIN items i ON i.id = ic.item_id WHERE ic.city_id = ?1 AND {visible}"
        )
    } else {
        // CROSS JOIN keeps `items` outside, read newest first through its published index.
        format!(
            "SELECT substr(i.published_at, 1, 10) FROM items i
             CROSS JOIN item_cities ic ON ic.item_id = i.id AND ic.city_id = ?1
             WHERE {visible} ORDER BY i.published_at DESC LIMIT 1"
        )
    }
}

/// The day the newest visible news item about the city `city_id` was published.
fn latest_news_day(conn: &Connection, city_id: i64) -> Result<Option<String>, StoreError> {
    let linked: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM item_cities WHERE city_id = ?1 LIMIT {FEW_ITEMS})"
        ))?
        .query_row([city_id], |r| r.get(0))?;
    Ok(conn
        .prepare_cached(&news_day_sql(linked < FEW_ITEMS))?
        .query_row([city_id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// The latest day of a published entry of the city `city_id`, up to today: its date, a visit's
/// last day, the day a plan item was last updated (not its target).
fn latest_entry_day(conn: &Connection, city_id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(day) FROM (
                 SELECT CASE kind WHEN 'plan' THEN substr(updated_at, 1, 10)
                                  WHEN 'visit' THEN coalesce(end_date, date)
                                  ELSE date END AS day
                 FROM partnership_entries WHERE city_id = ?1 AND published = 1)
             WHERE day <= date('now')",
        )?
        .query_row([city_id], |r| r.get(0))?)
}

/// The activity of the partnership with the city whose row id is `city_id`: the latest of its
/// entries and its news.
pub fn activity(conn: &Connection, city_id: i64) -> Result<Activity, StoreError> {
    let latest = latest_entry_day(conn, city_id)?.max(latest_news_day(conn, city_id)?);
    let quiet: bool = conn
        .prepare_cached(&format!("SELECT {}", quiet_sql("?1")))?
        .query_row([&latest], |r| r.get(0))?;
    Ok(Activity { latest, quiet })
}

/// The activity of every partnership, by city slug.
pub fn activity_by_slug(conn: &Connection) -> Result<HashMap<String, Activity>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, slug FROM cities")?;
    let cities = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    cities
        .into_iter()
        .map(|(id, slug)| Ok((slug, activity(conn, id)?)))
        .collect()
}

/// Every partnership with its activity and plan progress, cities by name.
pub fn partnerships(conn: &Connection, lang: Lang) -> Result<Vec<PartnershipRow>, StoreError> {
    let mut activity = activity_by_slug(conn)?;
    let mut plans: HashMap<String, PlanCounts> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT c.slug, e.progress FROM partnership_entries e JOIN cities c ON c.id = e.city_id
         WHERE e.kind = 'plan' AND e.published = 1",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let progress: String = row.get(1)?;
        let state = crate::partnerships::PlanState::from_db(&progress)
            .ok_or_else(|| unknown_value(1, &progress))?;
        plans.entry(row.get(0)?).or_default().add(state);
    }
    Ok(cities::all_cities(conn, lang)?
        .into_iter()
        .map(|city| PartnershipRow {
            activity: activity.remove(&city.slug).unwrap_or(Activity {
                latest: None,
                quiet: true,
            }),
            plan: plans.remove(&city.slug).unwrap_or_default(),
            city,
        })
        .collect())
}

/// The visible news items about the city `city_id` an entry may link to, newest first.
pub fn linkable_news(
    conn: &Connection,
    lang: Lang,
    city_id: i64,
) -> Result<Vec<NewsLink>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.slug, i.kind, t.title FROM item_cities ic
         JOIN items i ON i.id = ic.item_id
         JOIN item_texts t ON t.item_id = i.id
          AND t.lang = (SELECT lang FROM item_texts WHERE item_id = i.id
                        ORDER BY lang = ?2 DESC, lang LIMIT 1)
         WHERE ic.city_id = ?1 AND i.status = 'published'
         ORDER BY i.published_at DESC, i.id DESC LIMIT 50",
    )?;
    let rows = stmt.query_map(params![city_id, lang], news_link)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn city_id(conn: &Connection, slug: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM cities WHERE slug = ?1")?
        .query_row([slug], |r| r.get(0))
        .optional()?)
}

/// Saves entry `id` of the city at `city_slug` (or adds one when `id` is `None`) if it is still
/// at `base_version`, with a revision and an audit entry for `user_id`, in one immediate
/// transaction. `input` is validated; its news slugs must name items about any city.
pub fn save_entry(
    conn: &mut Connection,
    city_slug: &str,
    id: Option<i64>,
    base_version: i64,
    input: &EntryInput,
    user_id: i64,
) -> Result<EntrySave, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(city_id) = city_id(&tx, city_slug)? else {
        return Ok(EntrySave::NotFound);
    };
    let (id, version, note) = match id {
        None => {
            tx.execute(
                "INSERT INTO partnership_entries (city_id, kind, variant, progress, date)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    city_id,
                    input.detail.kind(),
                    input.detail.variant(),
                    input.detail.progress(),
                    input.date
                ],
            )?;
            (tx.last_insert_rowid(), 1, RevisionNote::Created)
        }
        Some(id) => {
            let stored: Option<(i64, String)> = tx
                .prepare_cached(
                    "SELECT version, kind FROM partnership_entries WHERE id = ?1 AND city_id = ?2",
                )?
                .query_row([id, city_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match stored {
                Some((_, kind)) if kind != input.detail.kind() => {
                    return Err(StoreError::Rejected {
                        field: "kind",
                        message: Key::ErrEntryKind.into(),
                    })
                }
                Some((version, _)) if version == base_version => {
                    (id, version + 1, RevisionNote::Edited)
                }
                Some(_) => return Ok(EntrySave::Conflict),
                None => return Ok(EntrySave::NotFound),
            }
        }
    };
    write_entry(&tx, id, version, input)?;
    let saved =
        entry(&tx, Lang::En, city_id, id)?.ok_or(StoreError::Task("entry vanished".into()))?;
    let fields = serde_json::to_string(&saved).map_err(|e| StoreError::Task(e.to_string()))?;
    tx.execute(
        "INSERT INTO partnership_revisions (entry_id, version, user_id, note, fields)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, version, user_id, note.to_db(), fields],
    )?;
    audit::record(
        &tx,
        Some(user_id),
        "save",
        &format!("partnership:{city_slug}:{id}"),
        &AuditDetail::EntrySaved {
            entry: input.detail.kind().to_owned(),
            note,
            version,
        },
    )?;
    tx.commit()?;
    Ok(EntrySave::Saved(id, version))
}

fn write_entry(
    tx: &Transaction<'_>,
    id: i64,
    version: i64,
    input: &EntryInput,
) -> Result<(), StoreError> {
    tx.execute(
        concat!(
            "UPDATE partnership_entries SET variant = ?2, progress = ?3, date = ?4, end_date = ?5,
                place = ?6, people = ?7, published = ?8, version = ?9,
                document = coalesce(?10, document), photo = coalesce(?11, photo),
                updated_at = ",
            sql_now!(),
            "
         WHERE id = ?1"
        ),
        params![
            id,
            input.detail.variant(),
            input.detail.progress(),
            input.date,
            input.end_date,
            input.place,
            input.people,
            input.published,
            version,
            input.document,
            input.photo
        ],
    )?;
    let mut text = tx.prepare_cached(
        "INSERT INTO partnership_entry_texts (entry_id, lang, title, body, photo_alt)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entry_id, lang) DO UPDATE SET title = excluded.title,
             body = excluded.body, photo_alt = excluded.photo_alt",
    )?;
    for (lang, t) in [("en", &input.en), ("ru", &input.ru)] {
        text.execute(params![id, lang, t.title, t.body, t.photo_alt])?;
    }
    tx.execute(
        "DELETE FROM partnership_entry_items WHERE entry_id = ?1",
        [id],
    )?;
    let mut link = tx.prepare_cached(
        "INSERT OR IGNORE INTO partnership_entry_items (entry_id, item_id)
         SELECT ?1, id FROM items WHERE slug = ?2",
    )?;
    for slug in &input.news {
        if link.execute(params![id, slug])? == 0 && !linked(tx, id, slug)? {
            return Err(StoreError::Rejected {
                field: "news",
                message: Key::ErrEntryNews.into(),
            });
        }
    }
    Ok(())
}

fn linked(tx: &Transaction<'_>, entry_id: i64, slug: &str) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM partnership_entry_items pi JOIN items i
                            ON i.id = pi.item_id WHERE pi.entry_id = ?1 AND i.slug = ?2)",
        )?
        .query_row(params![entry_id, slug], |r| r.get(0))?)
}

/// What a save needs to know of a stored entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub detail: Detail,
    pub has_photo: bool,
}

/// What entry `id` of the city at `city_slug` is.
pub fn stored_entry(
    conn: &Connection,
    city_slug: &str,
    id: i64,
) -> Result<Option<StoredEntry>, StoreError> {
    conn.prepare_cached(
        "SELECT e.kind, e.variant, e.progress, e.photo IS NOT NULL FROM partnership_entries e
         JOIN cities c ON c.id = e.city_id WHERE c.slug = ?1 AND e.id = ?2",
    )?
    .query_row(params![city_slug, id], |r| {
        let kind: String = r.get(0)?;
        let variant: String = r.get(1)?;
        let progress: Option<String> = r.get(2)?;
        let detail = Detail::from_db(&kind, &variant, progress.as_deref())
            .ok_or_else(|| unknown_value(0, &kind))?;
        Ok(StoredEntry {
            detail,
            has_photo: r.get(3)?,
        })
    })
    .optional()
    .map_err(StoreError::from)
}

/// The type of a scanned agreement, told by its first bytes (never by its name or the type the
/// browser claims): PDF, JPEG or PNG, at most `MAX_DOCUMENT` bytes.
pub fn document_type(bytes: &[u8]) -> Result<&'static str, StoreError> {
    let rejected = |key: Key| StoreError::Rejected {
        field: "file",
        message: key.into(),
    };
    if bytes.len() > crate::partnerships::MAX_DOCUMENT {
        return Err(rejected(Key::ErrDocumentTooBig));
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else {
        Err(rejected(Key::ErrDocumentType))
    }
}

/// Records an uploaded agreement document (a no-op when the same bytes were uploaded before).
pub fn insert_document(
    conn: &mut Connection,
    document: &Document,
    size: usize,
    user_id: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let added = tx.execute(
        "INSERT OR IGNORE INTO documents (hash, mime, size, uploaded_by) VALUES (?1, ?2, ?3, ?4)",
        params![document.hash, document.mime, size as i64, user_id],
    )?;
    if added == 1 {
        audit::record(
            &tx,
            Some(user_id),
            "upload",
            &format!("document:{}", document.hash),
            &AuditDetail::Uploaded {
                mime: document.mime.clone(),
            },
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// An uploaded document as its download needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDocument {
    pub mime: String,
    /// Whether a published entry shows it. One that only drafts show, or no entry at all (an
    /// upload whose save failed, a scan since replaced), is not public.
    pub published: bool,
}

/// Document `hash`, if there is one.
pub fn stored_document(
    conn: &Connection,
    hash: &str,
) -> Result<Option<StoredDocument>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT d.mime, EXISTS (SELECT 1 FROM partnership_entries e
                                    WHERE e.document = d.hash AND e.published = 1)
             FROM documents d WHERE d.hash = ?1",
        )?
        .query_row([hash], |r| {
            Ok(StoredDocument {
                mime: r.get(0)?,
                published: r.get(1)?,
            })
        })
        .optional()?)
}

/// A partner city as the seed's data file (or a database from before partnerships) states it.
pub struct SeedCity<'a> {
    pub city_id: i64,
    pub kind: CityKind,
    pub since: Option<i32>,
    pub status: CityStatus,
    pub note_en: &'a str,
    pub note_ru: &'a str,
}

/// The entries a data file's row stands for: its first agreement (dated by the year, or by a full
/// date of that year in the note, the note as its summary), a status change to active on that
/// year, a status change to the row's status when it is not active (dated by the note, which is
/// its text), and for a city without a year a milestone of a year the note names. Nothing else
/// is inferred.
pub fn seed_entries(tx: &Transaction<'_>, city: &SeedCity<'_>) -> Result<(), StoreError> {
    let add = |detail: Detail, date: &str, title: [&str; 2], body: [&str; 2]| {
        tx.execute(
            "INSERT INTO partnership_entries (city_id, kind, variant, progress, date)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                city.city_id,
                detail.kind(),
                detail.variant(),
                detail.progress(),
                date
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (i, lang) in ["en", "ru"].into_iter().enumerate() {
            tx.execute(
                "INSERT INTO partnership_entry_texts (entry_id, lang, title, body)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, lang, title[i], body[i]],
            )?;
        }
        Ok::<_, StoreError>(())
    };
    let notes = [city.note_en, city.note_ru];
    let no_text = ["", ""];
    let status_dated = city.status != CityStatus::Active;
    match city.since {
        Some(year) => {
            let signed = first_date(city.note_en)
                .filter(|d| d.starts_with(&year.to_string()) && d.len() == 10)
                .unwrap_or_else(|| year.to_string());
            let kind = match city.kind {
                CityKind::Twin => AgreementKind::Charter,
                CityKind::Partner => AgreementKind::Cooperation,
            };
            let summary = if status_dated { no_text } else { notes };
            add(Detail::Agreement(kind), &signed, no_text, summary)?;
            add(
                Detail::Status(CityStatus::Active),
                &signed,
                no_text,
                no_text,
            )?;
        }
        None => {
            if let Some(year) = first_date(city.note_en).filter(|_| !status_dated) {
                add(Detail::Milestone, &year, notes, no_text)?;
            }
        }
    }
    if status_dated {
        let date = first_date(city.note_en).ok_or_else(|| {
            StoreError::Unusable(format!(
                "the note of a {} city needs a date",
                city.status.as_str()
            ))
        })?;
        add(Detail::Status(city.status), &date, no_text, notes)?;
    }
    Ok(())
}

/// The first `YYYY-MM-DD` or, failing that, `YYYY` (1900–2199) in `text`.
fn first_date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let digits = |at: usize, n: usize| {
        bytes
            .get(at..at + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let starts = (0..bytes.len()).filter(|&i| {
        digits(i, 4)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && !digits(i + 4, 1)
            && matches!(&text[i..i + 2], "19" | "20" | "21")
    });
    let mut year = None;
    for i in starts {
        let full = bytes.get(i + 4) == Some(&b'-')
            && digits(i + 5, 2)
            && bytes.get(i + 7) == Some(&b'-')
            && digits(i + 8, 2);
        if full {
            return Some(text[i..i + 10].to_owned());
        }
        year.get_or_insert_with(|| text[i..i + 4].to_owned());
    }
    year
}

/// One partnership as the open data publishes it: the city in both languages, its published
/// entries (news titles in English) and its activity and plan.
pub struct OpenPartnership {
    pub en: City,
    pub ru: City,
    pub entries: Vec<Entry>,
    pub row: PartnershipRow,
}

/// Every partnership for the open data, cities by English name.
pub fn open_partnerships(conn: &Connection) -> Result<Vec<OpenPartnership>, StoreError> {
    let mut ru: HashMap<String, City> = cities::all_cities(conn, Lang::Ru)?
        .into_iter()
        .map(|c| (c.slug.clone(), c))
        .collect();
    let mut out = Vec::new();
    for row in partnerships(conn, Lang::En)? {
        let Some((id, en)) = cities::city_by_slug(conn, Lang::En, &row.city.slug)? else {
            continue;
        };
        let ru = ru.remove(&en.slug).unwrap_or_else(|| en.clone());
        out.push(OpenPartnership {
            entries: entries_of_city(conn, Lang::En, id, false)?,
            en,
            ru,
            row,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnerships::{Direction, PlanArea, PlanState};
    use crate::store::seed;

    fn seeded() -> crate::store::testing::TempDb {
        let db = crate::store::testing::seeded();
        db.conn
            .execute(
                "INSERT INTO users (id, username, display_name, password_hash, role)
                 VALUES (1, 'ed', 'Ed', 'x', 'editor')",
                [],
            )
            .unwrap();
        db
    }

    fn input(detail: Detail, date: &str) -> EntryInput {
        EntryInput {
            detail,
            date: date.into(),
            end_date: None,
            place: String::new(),
            people: String::new(),
            published: true,
            en: EntryText {
                title: "A title".into(),
                ..EntryText::default()
            },
            ru: EntryText::default(),
            news: Vec::new(),
            document: None,
            photo: None,
        }
    }

    fn city(conn: &Connection, slug: &str) -> (i64, City) {
        cities::city_by_slug(conn, crate::i18n::Lang::En, slug)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn the_seed_states_each_citys_first_agreement_and_status() {
        let db = seeded();
        let (id, coventry) = city(&db.conn, "coventry");
        assert_eq!(coventry.status, CityStatus::Suspended);
        assert_eq!(
            coventry.status_note,
            "Coventry suspended the link on 2022-03-22"
        );
        assert_eq!(
            coventry.status_changes,
            [(1944, CityStatus::Active), (2022, CityStatus::Suspended)]
        );
        let entries = entries_of_city(&db.conn, crate::i18n::Lang::Ru, id, false).unwrap();
        let suspension = entries.last().unwrap();
        assert_eq!(suspension.date, "2022-03-22");
        assert_eq!(suspension.ru.body, "Ковентри приостановил связи 22.03.2022");
        let (id, cleveland) = city(&db.conn, "cleveland");
        assert_eq!(cleveland.status, CityStatus::Active);
        let entries = entries_of_city(&db.conn, crate::i18n::Lang::En, id, false).unwrap();
        assert_eq!(entries[0].detail, Detail::Agreement(AgreementKind::Charter));
        assert_eq!(entries[0].date, "1990-09-13", "the full date of the note");
        // A city without a year gets no agreement: nothing is invented.
        let (id, jilin) = city(&db.conn, "jilin");
        assert!(entries_of_city(&db.conn, crate::i18n::Lang::En, id, false)
            .unwrap()
            .is_empty());
        assert_eq!(jilin.status, CityStatus::Active);
        let (id, _) = city(&db.conn, "toronto");
        let toronto = entries_of_city(&db.conn, crate::i18n::Lang::En, id, false).unwrap();
        assert_eq!(toronto.len(), 1);
        assert_eq!(
            (toronto[0].detail, toronto[0].date.as_str()),
            (Detail::Milestone, "1984")
        );
    }

    #[test]
    fn the_status_at_a_date_is_the_latest_change_up_to_it() {
        let mut db = seeded();
        let (_, coventry) = city(&db.conn, "coventry");
        assert_eq!(coventry.status_at(Some(2010)), CityStatus::Active);
        assert_eq!(coventry.status_at(Some(2023)), CityStatus::Suspended);
        assert_eq!(coventry.status_at(None), CityStatus::Suspended);
        // A change dated in the future is not the current status yet, nor is a draft.
        save_entry(
            &mut db.conn,
            "coventry",
            None,
            0,
            &input(Detail::Status(CityStatus::Active), "2199"),
            1,
        )
        .unwrap();
        let mut draft = input(Detail::Status(CityStatus::Ended), "2024-01-01");
        draft.published = false;
        save_entry(&mut db.conn, "coventry", None, 0, &draft, 1).unwrap();
        assert_eq!(city(&db.conn, "coventry").1.status, CityStatus::Suspended);
        save_entry(
            &mut db.conn,
            "coventry",
            None,
            0,
            &input(Detail::Status(CityStatus::Ended), "2024-05-01"),
            1,
        )
        .unwrap();
        let (_, coventry) = city(&db.conn, "coventry");
        assert_eq!(coventry.status, CityStatus::Ended);
        assert_eq!(coventry.status_at(Some(2023)), CityStatus::Suspended);
    }

    #[test]
    fn activity_is_the_latest_dated_thing_and_old_activity_is_quiet() {
        let mut db = seeded();
        let (id, _) = city(&db.conn, "ruse");
        assert_eq!(
            activity(&db.conn, id).unwrap(),
            Activity {
                latest: Some("2001".into()),
                quiet: true
            }
        );
        let mut visit = input(Detail::Visit(Direction::FromPartner), "2001-05-02");
        visit.end_date = Some("2001-05-06".into());
        save_entry(&mut db.conn, "ruse", None, 0, &visit, 1).unwrap();
        assert_eq!(
            activity(&db.conn, id).unwrap().latest.as_deref(),
            Some("2001-05-06")
        );
        // A plan item counts from the day it was last updated, not its target date.
        save_entry(
            &mut db.conn,
            "ruse",
            None,
            0,
            &input(Detail::Plan(PlanArea::Youth, PlanState::Planned), "2199"),
            1,
        )
        .unwrap();
        let today: String = db
            .conn
            .query_row("SELECT date('now')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            activity(&db.conn, id).unwrap(),
            Activity {
                latest: Some(today),
                quiet: false
            }
        );
        let rows = partnerships(&db.conn, crate::i18n::Lang::En).unwrap();
        let ruse = rows.iter().find(|r| r.city.slug == "ruse").unwrap();
        assert_eq!(ruse.plan.planned, 1);
        assert!(!ruse.activity.quiet);
        let quiet: Vec<&str> = rows
            .iter()
            .filter(|r| r.activity.quiet)
            .map(|r| r.city.slug.as_str())
            .collect();
        assert!(
            quiet.contains(&"jilin") && quiet.contains(&"coventry") && !quiet.contains(&"ruse")
        );
        // A milestone dated 23 months ago keeps a partnership out of the quiet list.
        let recent: String = db
            .conn
            .query_row("SELECT date('now', '-23 months')", [], |r| r.get(0))
            .unwrap();
        save_entry(
            &mut db.conn,
            "jilin",
            None,
            0,
            &input(Detail::Milestone, &recent),
            1,
        )
        .unwrap();
        let (id, _) = city(&db.conn, "jilin");
        assert!(!activity(&db.conn, id).unwrap().quiet);
    }

    #[test]
    fn both_ways_to_the_newest_news_agree_and_the_many_way_reads_the_index() {
        let mut db = seeded();
        seed::generate(&mut db.conn, 300).unwrap();
        for slug in ["chemnitz", "coventry", "jilin", "orlando"] {
            let (id, _) = city(&db.conn, slug);
            let day = |few| -> Option<String> {
                db.conn
                    .query_row(&news_day_sql(few), [id], |r| r.get(0))
                    .optional()
                    .unwrap()
                    .flatten()
            };
            assert_eq!(day(true), day(false), "{slug}");
        }
        let plan: Vec<String> = db
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", news_day_sql(false)))
            .unwrap()
            .query_map([1], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(plan[0].contains("INDEX items_published_at"), "{plan:?}");
    }

    #[test]
    fn saves_keep_versions_revisions_and_the_audit_log() {
        let mut db = seeded();
        let EntrySave::Saved(id, 1) = save_entry(
            &mut db.conn,
            "ruse",
            None,
            0,
            &input(Detail::Milestone, "2020"),
            1,
        )
        .unwrap() else {
            panic!("not saved")
        };
        let mut changed = input(Detail::Milestone, "2021");
        changed.ru.title = "Заголовок".into();
        assert_eq!(
            save_entry(&mut db.conn, "ruse", Some(id), 1, &changed, 1).unwrap(),
            EntrySave::Saved(id, 2)
        );
        assert_eq!(
            save_entry(&mut db.conn, "ruse", Some(id), 1, &changed, 1).unwrap(),
            EntrySave::Conflict
        );
        assert_eq!(
            save_entry(&mut db.conn, "turin", Some(id), 2, &changed, 1).unwrap(),
            EntrySave::NotFound
        );
        assert!(save_entry(
            &mut db.conn,
            "ruse",
            Some(id),
            2,
            &input(Detail::Visit(Direction::ToPartner), "2021"),
            1
        )
        .is_err());
        let revisions: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM partnership_revisions WHERE entry_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        let audited: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE entity = ?1",
                [format!("partnership:ruse:{id}")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((revisions, audited), (2, 2));
        let (city_id, _) = city(&db.conn, "ruse");
        let stored = entry(&db.conn, crate::i18n::Lang::Ru, city_id, id)
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                stored.date.as_str(),
                stored.ru.title.as_str(),
                stored.version
            ),
            ("2021", "Заголовок", 2)
        );
    }

    #[test]
    fn drafts_are_for_editors_only() {
        let mut db = seeded();
        let mut draft = input(Detail::Milestone, "2020");
        draft.published = false;
        save_entry(&mut db.conn, "ruse", None, 0, &draft, 1).unwrap();
        let (id, _) = city(&db.conn, "ruse");
        let visible = entries_of_city(&db.conn, crate::i18n::Lang::En, id, false).unwrap();
        let all = entries_of_city(&db.conn, crate::i18n::Lang::En, id, true).unwrap();
        assert_eq!(all.len(), visible.len() + 1);
        assert!(visible.iter().all(|e| e.published));
    }

    #[test]
    fn a_document_is_public_once_a_published_entry_shows_it() {
        let mut db = seeded();
        let document = Document {
            hash: "ab".repeat(32),
            mime: "application/pdf".into(),
        };
        insert_document(&mut db.conn, &document, 10, 1).unwrap();
        let public = |db: &crate::store::testing::TempDb| {
            stored_document(&db.conn, &document.hash)
                .unwrap()
                .map(|d| d.published)
        };
        assert_eq!(public(&db), Some(false), "no entry shows it yet");
        let mut draft = input(Detail::Agreement(AgreementKind::Protocol), "2020");
        draft.published = false;
        draft.document = Some(document.hash.clone());
        let EntrySave::Saved(id, version) =
            save_entry(&mut db.conn, "ruse", None, 0, &draft, 1).unwrap()
        else {
            panic!("not saved")
        };
        assert_eq!(public(&db), Some(false), "only a draft shows it");
        let published = EntryInput {
            published: true,
            document: None,
            ..draft
        };
        save_entry(&mut db.conn, "ruse", Some(id), version, &published, 1).unwrap();
        assert_eq!(public(&db), Some(true));
        assert_eq!(stored_document(&db.conn, &"cd".repeat(32)).unwrap(), None);
    }

    #[test]
    fn links_to_news_must_name_news_items() {
        let mut db = seeded();
        let mut linked = input(Detail::Milestone, "2020");
        linked.news = vec!["no-such-item".into()];
        assert!(matches!(
            save_entry(&mut db.conn, "ruse", None, 0, &linked, 1),
            Err(StoreError::Rejected { field: "news", .. })
        ));
        let count: i64 = db.conn.query_row("SELECT count(*) FROM partnership_entries WHERE kind = 'milestone' AND city_id = (SELECT id FROM cities WHERE slug = 'ruse')", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 0, "a rejected save writes nothing");
    }

    #[test]
    fn documents_are_told_by_their_bytes() {
        assert_eq!(document_type(b"%PDF-1.7\n...").unwrap(), "application/pdf");
        assert_eq!(
            document_type(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
            "image/jpeg"
        );
        assert_eq!(
            document_type(b"\x89PNG\r\n\x1a\n....").unwrap(),
            "image/png"
        );
        for bad in [
            &b"<html><script>alert(1)</script>"[..],
            b"GIF89a",
            b"",
            b"PK\x03\x04",
        ] {
            assert!(matches!(
                document_type(bad),
                Err(StoreError::Rejected { message, .. }) if message.key == Key::ErrDocumentType
            ));
        }
        let mut big = b"%PDF-".to_vec();
        big.resize(crate::partnerships::MAX_DOCUMENT + 1, b' ');
        assert!(matches!(
            document_type(&big),
            Err(StoreError::Rejected { message, .. }) if message.key == Key::ErrDocumentTooBig
        ));
        let error: crate::error::AppError = document_type(b"MZ").unwrap_err().into();
        assert_eq!(error.status(), 400);
    }

    #[test]
    fn a_database_from_before_partnerships_keeps_its_statuses() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open_connection(&dir.path().join("old.db")).unwrap();
        let migrations = crate::store::migrations();
        migrations.to_version(&mut conn, 5).unwrap();
        conn.execute_batch(
            "INSERT INTO cities (slug, name, country, kind, since_year, status, status_note, lat, lon)
             VALUES ('cologne', 'Cologne', 'Germany', 'twin', 1988, 'paused',
                     'official contacts paused in 2022', 50.94, 6.96);
             INSERT INTO city_texts (city_id, lang, name, country, status_note)
             VALUES (1, 'ru', 'Кёльн', 'Германия', 'официальные контакты приостановлены в 2022');",
        )
        .unwrap();
        crate::store::migrate(&mut conn).unwrap();
        let (id, cologne) = city(&conn, "cologne");
        assert_eq!(cologne.status, CityStatus::Paused);
        assert_eq!(
            cologne.status_changes,
            [(1988, CityStatus::Active), (2022, CityStatus::Paused)]
        );
        let entries = entries_of_city(&conn, crate::i18n::Lang::Ru, id, false).unwrap();
        assert_eq!(
            entries.last().unwrap().ru.body,
            "официальные контакты приостановлены в 2022"
        );
    }
}
