//! SQL for uploaded cover images (the files themselves live under the data directory).

use rusqlite::{params, Connection, OptionalExtension};

use super::{audit, StoreError};
use crate::editor::audit::AuditDetail;

/// What the pages need to know about an uploaded image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageMeta {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    /// Widths of the resized copies, ascending.
    pub widths: Vec<u32>,
}

/// Records an uploaded image (a no-op when the same bytes were uploaded before).
pub fn insert(
    conn: &mut Connection,
    image: &ImageMeta,
    mime: &str,
    user_id: i64,
) -> Result<(), StoreError> {
    let widths = image
        .widths
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let tx = conn.transaction()?;
    let added = tx.execute(
        "INSERT OR IGNORE INTO images (hash, mime, width, height, widths, uploaded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![image.hash, mime, image.width, image.height, widths, user_id],
    )?;
    if added == 1 {
        audit::record(
            &tx,
            Some(user_id),
            "upload",
            &format!("image:{}", image.hash),
            &AuditDetail::Uploaded {
                mime: mime.to_owned(),
            },
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The cover image of item `item_id` and its description, if it has one.
pub fn item_cover(
    conn: &Connection,
    item_id: i64,
) -> Result<Option<(ImageMeta, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT im.hash, im.width, im.height, im.widths, i.cover_alt
             FROM items i JOIN images im ON im.hash = i.cover_image
             WHERE i.id = ?1",
        )?
        .query_row([item_id], |r| Ok((meta_from_row(r)?, r.get(4)?)))
        .optional()?)
}

/// The image stored under `hash`, if any.
pub fn get(conn: &Connection, hash: &str) -> Result<Option<ImageMeta>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT hash, width, height, widths FROM images WHERE hash = ?1")?
        .query_row([hash], meta_from_row)
        .optional()?)
}

/// An image from the columns `hash, width, height, widths` (a comma-separated list), in order.
fn meta_from_row(r: &rusqlite::Row) -> rusqlite::Result<ImageMeta> {
    let widths: String = r.get(3)?;
    Ok(ImageMeta {
        hash: r.get(0)?,
        width: r.get(1)?,
        height: r.get(2)?,
        widths: widths.split(',').filter_map(|w| w.parse().ok()).collect(),
    })
}
