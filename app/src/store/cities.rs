//! SQL for the home city and the partner cities.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::{audit, unknown_value, StoreError};
use crate::cities::{City, CityKind, CityStatus, HomeCity};
use crate::editor::audit::AuditDetail;
use crate::i18n::Lang;
use crate::news::CityRef;

/// The columns `city_from_row` reads, texts in the language bound to `?1` where translated.
/// The status and its note come from the latest status entry (view `city_status`); a city with
/// none is active. Needs `FROM` [`CITY_FROM`].
const CITY_COLUMNS: &str = "c.slug, coalesce(t.name, c.name), c.country, \
                            coalesce(t.country_note, c.country_note), c.kind, c.since_year, \
                            coalesce(s.status, 'active'), \
                            coalesce(nullif(st.body, ''), \
                                     (SELECT body FROM partnership_entry_texts \
                                      WHERE entry_id = s.entry_id AND body <> '' LIMIT 1), ''), \
                            c.lat, c.lon, coalesce(t.country, c.country), \
                            (SELECT group_concat(substr(e.date, 1, 4) || ' ' || e.variant, ',' \
                                                 ORDER BY e.date, e.id) \
                             FROM partnership_entries e \
                             WHERE e.city_id = c.id AND e.kind = 'status' AND e.published = 1)";
const CITY_FROM: &str = "cities c LEFT JOIN city_texts t ON t.city_id = c.id AND t.lang = ?1 \
                         LEFT JOIN city_status s ON s.city_id = c.id \
                         LEFT JOIN partnership_entry_texts st \
                             ON st.entry_id = s.entry_id AND st.lang = ?1";

/// Reads `"1944 active,2022 suspended"` back into (year, status) pairs.
fn status_changes(raw: Option<String>) -> rusqlite::Result<Vec<(i32, CityStatus)>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|change| {
            let (year, status) = change.split_once(' ').unwrap_or((change, ""));
            match (year.parse(), CityStatus::from_db(status)) {
                (Ok(year), Some(status)) => Ok((year, status)),
                _ => Err(unknown_value(11, change)),
            }
        })
        .collect()
}

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
        country_name: row.get(10)?,
        status_changes: status_changes(row.get(11)?)?,
    })
}

/// The home city, once seeded.
pub fn home_city(conn: &Connection, lang: Lang) -> Result<Option<HomeCity>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(t.city_name, s.city_name), coalesce(t.country, s.country), s.lat, s.lon
             FROM site s LEFT JOIN site_texts t ON t.lang = ?1 WHERE s.id = 1",
        )?
        .query_row([lang], |r| {
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
pub fn all_cities(conn: &Connection, lang: Lang) -> Result<Vec<City>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {CITY_COLUMNS} FROM {CITY_FROM}"))?;
    let rows = stmt.query_map([lang], city_from_row)?;
    let mut cities: Vec<City> = rows.collect::<Result<_, _>>()?;
    // In Rust rather than SQL: NOCASE folds ASCII only, and names are Latin or Cyrillic.
    cities.sort_by_cached_key(|c| c.name.to_lowercase());
    Ok(cities)
}

/// The city with `slug` and its row id.
pub fn city_by_slug(
    conn: &Connection,
    lang: Lang,
    slug: &str,
) -> Result<Option<(i64, City)>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CITY_COLUMNS}, c.id FROM {CITY_FROM} WHERE c.slug = ?2"
        ))?
        .query_row(params![lang, slug], |r| Ok((r.get(12)?, city_from_row(r)?)))
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
    lang: Lang,
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
        concat!(
            "UPDATE cities SET kind = ?2, since_year = ?3, lat = ?4, lon = ?5,
                version = version + 1, updated_at = ",
            sql_now!(),
            "
         WHERE slug = ?1"
        ),
        params![
            city.slug,
            city.kind.as_str(),
            city.since_year,
            city.lat,
            city.lon
        ],
    )?;
    // English texts live in `cities` itself; other languages in `city_texts`.
    if lang == Lang::En {
        tx.execute(
            "UPDATE cities SET name = ?2, country = ?3, country_note = ?4 WHERE slug = ?1",
            params![city.slug, city.name, city.country, city.country_note],
        )?;
    } else {
        tx.execute(
            "INSERT INTO city_texts (city_id, lang, name, country, country_note)
             SELECT id, ?2, ?3, ?4, ?5 FROM cities WHERE slug = ?1
             ON CONFLICT (city_id, lang) DO UPDATE SET name = excluded.name,
                 country = excluded.country, country_note = excluded.country_note",
            params![
                city.slug,
                lang,
                city.name,
                city.country_name,
                city.country_note
            ],
        )?;
    }
    audit::record(
        &tx,
        Some(user_id),
        "save",
        &format!("city:{}", city.slug),
        &AuditDetail::CitySaved {
            version: version + 1,
            lang,
        },
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
pub fn cities_of_item(
    conn: &Connection,
    lang: Lang,
    item_id: i64,
) -> Result<Vec<CityRef>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.slug, coalesce(t.name, c.name), coalesce(t.country, c.country)
         FROM item_cities ic JOIN cities c ON c.id = ic.city_id
         LEFT JOIN city_texts t ON t.city_id = c.id AND t.lang = ?1
         WHERE ic.item_id = ?2 ORDER BY 2",
    )?;
    let rows = stmt.query_map(params![lang, item_id], |r| {
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
        let cities = all_cities(&db.conn, crate::i18n::Lang::En).unwrap();
        let csv_rows = include_str!("seed/partner-cities.csv").lines().count() - 1;
        assert_eq!(cities.len(), csv_rows);
        let (_, coventry) = city_by_slug(&db.conn, crate::i18n::Lang::En, "coventry")
            .unwrap()
            .unwrap();
        assert_eq!(coventry.status, CityStatus::Suspended);
        assert_eq!(coventry.since_year, Some(1944));
        let (_, toronto) = city_by_slug(&db.conn, crate::i18n::Lang::En, "toronto")
            .unwrap()
            .unwrap();
        assert_eq!(toronto.since_year, None);
        assert!(city_by_slug(&db.conn, crate::i18n::Lang::En, "liege")
            .unwrap()
            .is_some());
        assert!(city_by_slug(&db.conn, crate::i18n::Lang::En, "plonsk")
            .unwrap()
            .is_some());
        assert!(city_by_slug(&db.conn, crate::i18n::Lang::En, "atlantis")
            .unwrap()
            .is_none());
        let home = home_city(&db.conn, crate::i18n::Lang::En).unwrap().unwrap();
        assert_eq!(home.name, "Volgograd");
        assert!((home.lat - 48.71).abs() < 1e-9 && (home.lon - 44.51).abs() < 1e-9);
    }
}
