//! SQL for the home city and the partner cities.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::{audit, unknown_value, StoreError};
use crate::cities::{City, CityKind, CityRef, CityStatus, HomeCity};

const CITY_COLUMNS: &str = "slug, name, country, country_note, kind, since_year, status, \
                            status_note, lat, lon";

fn city_from_row(row: &Row<'_>) -> rusqlite::Result<City> {
    let kind: String = row.get(4)?;
    let status: String = row.get(6)?;
    Ok(City {
        slug: row.get(0)?,
        name: row.get(1)?,
        country: row.get(2)?,
        country_note: row.get(3)?,
        kind: CityKind::from_db(&kind).ok_or_else(|| unknown_value(4, &kind))?,
        since_year: row.get(5)?,
        status: CityStatus::from_db(&status).ok_or_else(|| unknown_value(6, &status))?,
        status_note: row.get(7)?,
        lat: row.get(8)?,
        lon: row.get(9)?,
    })
}

/// The home city, once seeded.
pub fn home_city(conn: &Connection) -> Result<Option<HomeCity>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT city_name, country, lat, lon FROM site WHERE id = 1")?
        .query_row([], |r| {
            Ok(HomeCity {
                name: r.get(0)?,
                country: r.get(1)?,
                lat: r.get(2)?,
                lon: r.get(3)?,
            })
        })
        .optional()?)
}

/// Every partner city, by name.
pub fn all_cities(conn: &Connection) -> Result<Vec<City>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CITY_COLUMNS} FROM cities ORDER BY name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map([], city_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The city with `slug` and its row id.
pub fn city_by_slug(conn: &Connection, slug: &str) -> Result<Option<(i64, City)>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CITY_COLUMNS}, id FROM cities WHERE slug = ?1"
        ))?
        .query_row([slug], |r| Ok((r.get(10)?, city_from_row(r)?)))
        .optional()?)
}

/// The version of the city at `slug` (every save increments it).
pub fn city_version(conn: &Connection, slug: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT version FROM cities WHERE slug = ?1")?
        .query_row([slug], |r| r.get(0))
        .optional()?)
}

/// What saving a city did.
#[derive(Clone, Debug, PartialEq)]
pub enum CitySave {
    /// Saved; the new version.
    Saved(i64),
    /// Someone saved since `base_version`; nothing was written.
    Conflict,
    NotFound,
}

/// Saves the facts of the city at `city.slug` (validated) if it is still at `base_version`, with
/// an audit entry for `user_id`, in one immediate transaction.
pub fn save_city(
    conn: &mut Connection,
    city: &City,
    base_version: i64,
    user_id: i64,
) -> Result<CitySave, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(version) = city_version(&tx, &city.slug)? else {
        return Ok(CitySave::NotFound);
    };
    if version != base_version {
        return Ok(CitySave::Conflict);
    }
    tx.execute(
        "UPDATE cities SET name = ?2, country = ?3, country_note = ?4, kind = ?5, since_year = ?6,
                status = ?7, status_note = ?8, lat = ?9, lon = ?10, version = version + 1,
                updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE slug = ?1",
        params![
            city.slug,
            city.name,
            city.country,
            city.country_note,
            city.kind.as_str(),
            city.since_year,
            city.status.as_str(),
            city.status_note,
            city.lat,
            city.lon
        ],
    )?;
    audit::record(
        &tx,
        Some(user_id),
        "save",
        &format!("city:{}", city.slug),
        &format!("version {} ({})", version + 1, city.status.as_str()),
    )?;
    tx.commit()?;
    Ok(CitySave::Saved(version + 1))
}

/// The countries that hold at least one partner city.
pub fn partner_countries(conn: &Connection) -> Result<BTreeSet<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT country FROM cities")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The cities an item is linked to, by name.
pub fn cities_of_item(conn: &Connection, item_id: i64) -> Result<Vec<CityRef>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.slug, c.name, c.country FROM item_cities ic JOIN cities c ON c.id = ic.city_id
         WHERE ic.item_id = ?1 ORDER BY c.name",
    )?;
    let rows = stmt.query_map([item_id], |r| {
        Ok(CityRef {
            slug: r.get(0)?,
            name: r.get(1)?,
            country: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;
    use crate::store::testing::temp_db;

    #[test]
    fn seeded_cities_match_the_csv() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        let cities = all_cities(&db.conn).unwrap();
        let csv_rows = include_str!("seed/partner-cities.csv").lines().count() - 1;
        assert_eq!(cities.len(), csv_rows);
        let (_, coventry) = city_by_slug(&db.conn, "coventry").unwrap().unwrap();
        assert_eq!(coventry.status, CityStatus::Suspended);
        assert_eq!(coventry.since_year, Some(1944));
        let (_, toronto) = city_by_slug(&db.conn, "toronto").unwrap().unwrap();
        assert_eq!(toronto.since_year, None);
        assert!(city_by_slug(&db.conn, "liege").unwrap().is_some());
        assert!(city_by_slug(&db.conn, "plonsk").unwrap().is_some());
        assert!(city_by_slug(&db.conn, "atlantis").unwrap().is_none());
        let home = home_city(&db.conn).unwrap().unwrap();
        assert_eq!(home.name, "Volgograd");
        assert!((home.lat - 48.71).abs() < 1e-9 && (home.lon - 44.51).abs() < 1e-9);
    }
}
