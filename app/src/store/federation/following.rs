//! The partner portals the portal follows, one per partner city.

use rusqlite::{params, Connection, OptionalExtension};

use crate::federation::FollowState;
use crate::i18n::Key;
use crate::store::StoreError;

/// A partner portal the portal follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Followed {
    pub actor: String,
    pub handle: String,
    pub city: String,
    pub follow_id: String,
    pub state: FollowState,
}

fn followed_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Followed> {
    let state: String = r.get("state")?;
    Ok(Followed {
        actor: r.get("actor")?,
        handle: r.get("handle")?,
        city: r.get("city")?,
        follow_id: r.get("follow_id")?,
        state: FollowState::from_db(&state)
            .ok_or_else(|| crate::store::unknown_value(4, &state))?,
    })
}

const FOLLOWED_SELECT: &str = "SELECT f.actor, f.handle, c.slug AS city, f.follow_id, f.state
     FROM following f JOIN cities c ON c.id = f.city_id";

/// The partner portal followed for the city at `city` (slug).
pub fn followed_of_city(conn: &Connection, city: &str) -> Result<Option<Followed>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{FOLLOWED_SELECT} WHERE c.slug = ?1"))?
        .query_row([city], followed_from_row)
        .optional()?)
}

/// The followed partner portal `actor`.
pub fn followed(conn: &Connection, actor: &str) -> Result<Option<Followed>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{FOLLOWED_SELECT} WHERE f.actor = ?1"))?
        .query_row([actor], followed_from_row)
        .optional()?)
}

/// Starts following `actor` (already stored) for the city at `city`, waiting for its answer.
/// `None` for an unknown city; refused when another city already follows that portal.
pub fn start_following(
    conn: &Connection,
    actor: &str,
    handle: &str,
    city: &str,
    follow_id: &str,
    user: i64,
) -> Result<Option<()>, StoreError> {
    let Some(city_id) = conn
        .prepare_cached("SELECT id FROM cities WHERE slug = ?1")?
        .query_row([city], |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(None);
    };
    let taken = conn
        .prepare_cached("SELECT 1 FROM following WHERE actor = ?1 AND city_id <> ?2")?
        .query_row(params![actor, city_id], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Err(StoreError::Rejected {
            field: "handle",
            message: Key::ErrPartnerTaken.into(),
        });
    }
    conn.prepare_cached("DELETE FROM following WHERE city_id = ?1")?
        .execute([city_id])?;
    conn.prepare_cached(
        "INSERT INTO following (actor, handle, city_id, follow_id, state, created_by)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
    )?
    .execute(params![actor, handle, city_id, follow_id, user])?;
    Ok(Some(()))
}

/// Records the answer to the follow `follow_id` sent by the portal; whether it was one.
pub fn answer_follow(
    conn: &Connection,
    actor: &str,
    follow_id: &str,
    state: FollowState,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(concat!(
            "UPDATE following SET state = ?3, updated_at = ",
            sql_now!(),
            "
             WHERE actor = ?1 AND follow_id = ?2"
        ))?
        .execute(params![actor, follow_id, state.as_str()])?
        > 0)
}

/// Stops following the portal of the city at `city`; the follow that ended, if any.
pub fn stop_following(conn: &Connection, city: &str) -> Result<Option<Followed>, StoreError> {
    let Some(followed) = followed_of_city(conn, city)? else {
        return Ok(None);
    };
    conn.prepare_cached("DELETE FROM following WHERE actor = ?1")?
        .execute([&followed.actor])?;
    Ok(Some(followed))
}
