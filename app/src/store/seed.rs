//! First-run content: the home city, the partner cities from `seed/partner-cities.csv`, and the
//! ten news items of the international-relations site's listing page. Also generates synthetic
//! items for tests and benchmarks.

use rusqlite::{params, Connection, Transaction};

use super::partnerships::{self, SeedCity};
use super::{items, StoreError};
use crate::cities::{CityKind, CityStatus};
use crate::i18n::Lang;

/// The partner cities, copied from the project's shared data (sources noted in its header).
const CITIES_CSV: &str = include_str!("seed/partner-cities.csv");
/// Russian names and notes of the same cities, by English name.
const CITIES_RU_CSV: &str = include_str!("seed/partner-cities-ru.csv");

/// One seed item; `event` holds start date, end date and venue for events.
pub struct SeedItem {
    pub slug: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub published_at: &'static str,
    pub event: Option<(&'static str, Option<&'static str>, &'static str)>,
    pub cities: &'static [&'static str],
    pub tags: &'static [&'static str],
}

/// The seed's tags: slug, English name, Russian name.
const SEED_TAGS: &[(&str, &str, &str)] = &[
    ("art", "Art", "Искусство"),
    ("children", "Children", "Дети"),
    ("competitions", "Competitions", "Конкурсы"),
    ("culture", "Culture", "Культура"),
    ("exhibitions", "Exhibitions", "Выставки"),
    ("film", "Film", "Кино"),
    ("forums", "Forums", "Форумы"),
    ("history", "History", "История"),
    ("music", "Music", "Музыка"),
    ("online", "Online", "Онлайн"),
    ("peace", "Peace", "Мир"),
    (
        "peoples-diplomacy",
        "People’s diplomacy",
        "Народная дипломатия",
    ),
    ("twinning", "Twinning", "Побратимство"),
    ("youth", "Youth", "Молодёжь"),
];

/// The listing page's ten items, newest first, with its titles and lead paragraphs. Dates come
/// from each item's own text where it gives one; the others are placed to keep the page's order.
pub const SEED_ITEMS: &[SeedItem] = &[
    SeedItem {
        slug: "movie-recommendations-inostranka",
        title: "Movie recommendations: Inostranka (Madeleine in Odessa)",
        lead: "As we know, people’s or citizen diplomacy is the one that is made not by politicians and certified diplomats but by the regular people living in our cities and countries – whenever they run marathons together, sing, take part in joint festivals… Like a children talent festival as the one described in the 1965 USSR film “Inostranka” (literally, “A Girl from Another Country”, localized as “Madeleine in Odessa”).",
        published_at: "2021-01-28T09:00:00Z",
        event: None,
        cities: &[],
        tags: &["culture", "film", "peoples-diplomacy"],
    },
    SeedItem {
        slug: "reply-from-a-twin-city-across-the-ocean",
        title: "How to secure a reply from your twin-city if there’s an ocean between you? Lifehacks from the US and Russian cities",
        lead: "On January 19, 2021, an online platform hosted the second videoconference between the local governments and public organizations of Russia and the US.",
        published_at: "2021-01-19T15:00:00Z",
        event: None,
        cities: &[],
        tags: &["online", "peoples-diplomacy", "twinning"],
    },
    SeedItem {
        slug: "mayors-for-peace-letter-against-nuclear-tests",
        title: "“Mayors for Peace” sent to the USA a letter of protest against nuclear tests",
        lead: "One of the organizations for intercity cooperation that Volgograd is a member of, is the International Conference of Mayors for Peace.",
        published_at: "2021-01-11T09:00:00Z",
        event: None,
        cities: &[],
        tags: &["peace"],
    },
    SeedItem {
        slug: "new-year-drawing-competition-volgograd-jilin",
        title: "Let’s paint this New Year happy! School students of Volgograd and Jilin celebrated their favorite holiday with a drawing competition",
        lead: "Soon, very soon the New Year miracle will come to each and every home! All over the world already, people are making wishes and hoping for the best in the upcoming year, while children are writing letter to Father Frost, making greeting cards to their relatives and taking part in various competitions. From kids to adults, we all believe in miracles and more than ever wait for one to happen!",
        published_at: "2020-12-24T09:00:00Z",
        event: None,
        cities: &["jilin"],
        tags: &["art", "children", "competitions"],
    },
    SeedItem {
        slug: "stalingrad-in-the-history-of-britain-exposition",
        title: "The “Stalingrad in the History of Britain” exposition has opened in Volgograd",
        lead: "On December 15, 2020, a “Stalingrad in the History of Britain, 1942–1945” poster exhibition opened on the 4th floor of Maxim Gorky’s Volgograd Regional Universal Academic Library.",
        published_at: "2020-12-15T12:00:00Z",
        event: Some((
            "2020-12-15",
            None,
            "Maxim Gorky Volgograd Regional Universal Academic Library, 4th floor",
        )),
        cities: &[],
        tags: &["exhibitions", "history"],
    },
    SeedItem {
        slug: "perm-oxford-friendship-week",
        title: "The twinning of Stalingrad and Coventry became an inspiration for a friendly exchange between Perm and Oxford",
        lead: "In November 2020, the British Oxford and the Russian Perm held a “Perm – Oxford Friendship Week”, dedicated to the 25th anniversary of the cities’ partnership, which dates back to 1995.",
        published_at: "2020-11-30T09:00:00Z",
        event: None,
        cities: &["coventry"],
        tags: &["history", "twinning"],
    },
    SeedItem {
        slug: "youth-conference-for-peace-2020-summed-up",
        title: "International Youth Conference for Peace in the Future summed up its efforts of 2020",
        lead: "On November 22, the International Youth Conference for Peace in the Future 2020 (IYCPF) gathered for the final online-meeting of the passing year. This time, its Zoom-aided platform united over 40 people again.",
        published_at: "2020-11-22T18:00:00Z",
        event: None,
        cities: &[],
        tags: &["online", "peace", "youth"],
    },
    SeedItem {
        slug: "chemnitz-drawing-competition-prizes",
        title: "Volgograd school pupils were awarded prizes in the drawing competition in Chemnitz",
        lead: "In September of 2020, the City of Chemnitz, one of the two Volgograd’s partner-cities in Germany, organized their first international children drawing competition dedicated to the European Mobility Week. Five honorary prizes of this contest, which eventually united five countries, went to Volgograd participants!",
        published_at: "2020-11-12T09:00:00Z",
        event: None,
        cities: &["chemnitz"],
        tags: &["art", "children", "competitions"],
    },
    SeedItem {
        slug: "ostrava-online-concert-day-of-peoples-unity",
        title: "An online concert was held in Ostrava – dedicated to the Day of People’s Unity",
        lead: "For several years already, there has been a tradition in Ostrava, Volgograd's Czech twin-city, to organize a concert called “Russian Song” to celebrate the Day of People’s Unity. The main stakeholders of the celebration were the Czech-Russian Society and the “Ostrava Russian House” public association.",
        published_at: "2020-11-05T09:00:00Z",
        event: None,
        cities: &["ostrava"],
        tags: &["music", "online"],
    },
    SeedItem {
        slug: "dialogue-on-the-volga-forum-2020",
        title: "International Forum of People’s Diplomacy “Dialogue on the Volga: Peace and Mutual Understanding in the 21st Century” (2020)",
        lead: "On October 31 – November 01, 2020, the 7th International Forum of People’s Diplomacy “Dialogue on the Volga: Peace and Mutual Understanding in the 21st Century” (further referred to as “the Forum”) was held in Volgograd and the Volgograd region, organized under the auspice of the celebrations dedicated to the 75th anniversary of the end of World War 2, and the 75 years of the United Nations Organization.",
        published_at: "2020-11-02T09:00:00Z",
        event: Some(("2020-10-31", Some("2020-11-01"), "Volgograd and the Volgograd region")),
        cities: &[],
        tags: &["forums", "peace", "peoples-diplomacy"],
    },
];

/// A URL slug: ASCII transliteration, lower case, words joined by `-`.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Fills an empty database with the seed; leaves existing content alone. Returns whether
/// anything was added.
pub fn seed_if_empty(conn: &mut Connection) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let mut added = tx.execute(
        "INSERT OR IGNORE INTO site (id, city_name, country, lat, lon)
         VALUES (1, 'Volgograd', 'Russia', 48.71, 44.51)",
        [],
    )? > 0;
    if is_empty(&tx, "cities")? {
        insert_cities(&tx)?;
        added = true;
    }
    if is_empty(&tx, "items")? {
        insert_seed_items(&tx)?;
        items::renumber_feed(&tx)?;
        added = true;
    }
    added |= insert_translations(&tx)? > 0;
    tx.commit()?;
    Ok(added)
}

fn is_empty(tx: &Transaction<'_>, table: &str) -> Result<bool, StoreError> {
    let any: bool = tx.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
        r.get(0)
    })?;
    Ok(!any)
}

#[derive(serde::Deserialize)]
struct CsvCity {
    name: String,
    country: String,
    country_note: String,
    kind: String,
    since: Option<i32>,
    status: String,
    status_note: String,
    lat: f64,
    lon: f64,
    year_confidence: String,
}

fn insert_cities(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut notes_ru = std::collections::HashMap::new();
    for record in csv::Reader::from_reader(CITIES_RU_CSV.as_bytes()).deserialize::<CsvCityRu>() {
        let c = record?;
        notes_ru.insert(c.name, c.status_note_ru);
    }
    let mut stmt = tx.prepare(
        "INSERT INTO cities (slug, name, country, country_note, kind, since_year, year_confidence,
                             lat, lon)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for record in csv::Reader::from_reader(CITIES_CSV.as_bytes()).deserialize::<CsvCity>() {
        // The CSV is compiled in and covered by tests, so a bad row is a build defect.
        let c = record?;
        stmt.execute(params![
            slugify(&c.name),
            c.name,
            c.country,
            c.country_note,
            c.kind,
            c.since,
            c.year_confidence,
            c.lat,
            c.lon
        ])?;
        let seed_city = SeedCity {
            city_id: tx.last_insert_rowid(),
            kind: CityKind::from_db(&c.kind).ok_or_else(|| bad_row("kind", &c.kind))?,
            since: c.since,
            status: CityStatus::from_db(&c.status).ok_or_else(|| bad_row("status", &c.status))?,
            note_en: &c.status_note,
            note_ru: notes_ru.get(&c.name).map_or("", String::as_str),
        };
        partnerships::seed_entries(tx, &seed_city)?;
    }
    Ok(())
}

fn bad_row(field: &'static str, value: &str) -> StoreError {
    StoreError::Unusable(format!(
        "unknown {field} {value:?} in the partner cities' data"
    ))
}

/// Turns the status columns of cities stored before partnerships were records into entries (the
/// hook of the migration that adds them; the next migration drops the columns).
pub fn entries_from_status_columns(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut stmt = tx.prepare(
        "SELECT c.id, c.kind, c.since_year, c.status, c.status_note, coalesce(t.status_note, '')
         FROM cities c LEFT JOIN city_texts t ON t.city_id = c.id AND t.lang = 'ru'
         ORDER BY c.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i32>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (city_id, kind, since, status, note_en, note_ru) in rows {
        let seed_city = SeedCity {
            city_id,
            kind: CityKind::from_db(&kind).ok_or_else(|| bad_row("kind", &kind))?,
            since,
            status: CityStatus::from_db(&status).ok_or_else(|| bad_row("status", &status))?,
            note_en: &note_en,
            note_ru: &note_ru,
        };
        partnerships::seed_entries(tx, &seed_city)?;
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct CsvCityRu {
    name: String,
    name_ru: String,
    country_ru: String,
    country_note_ru: String,
    status_note_ru: String,
}

/// Adds the Russian names of the home city, the seed's tags and partner cities where they are
/// missing (also to a database seeded before they existed); an editor's own wording stays.
fn insert_translations(tx: &Transaction<'_>) -> Result<usize, StoreError> {
    let mut added = tx.execute(
        "INSERT OR IGNORE INTO site_texts (lang, city_name, country)
         VALUES ('ru', 'Волгоград', 'Россия')",
        [],
    )?;
    let mut stmt = tx.prepare(
        "INSERT OR IGNORE INTO city_texts (city_id, lang, name, country, country_note)
         SELECT id, 'ru', ?2, ?3, ?4 FROM cities WHERE slug = ?1",
    )?;
    let mut tag_stmt = tx.prepare(
        "INSERT OR IGNORE INTO tag_texts (tag_id, lang, name)
         SELECT id, 'ru', ?2 FROM tags WHERE slug = ?1",
    )?;
    for (slug, _, name_ru) in SEED_TAGS {
        added += tag_stmt.execute(params![slug, name_ru])?;
    }
    for record in csv::Reader::from_reader(CITIES_RU_CSV.as_bytes()).deserialize::<CsvCityRu>() {
        let c = record?;
        added += stmt.execute(params![
            slugify(&c.name),
            c.name_ru,
            c.country_ru,
            c.country_note_ru
        ])?;
    }
    Ok(added)
}

fn insert_seed_items(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut tag_stmt = tx.prepare("INSERT OR IGNORE INTO tags (slug, name) VALUES (?1, ?2)")?;
    for (slug, name, _) in SEED_TAGS {
        tag_stmt.execute([slug, name])?;
    }
    for item in SEED_ITEMS {
        let (kind, start, end, venue) = match item.event {
            Some((start, end, venue)) => ("event", Some(start), end, venue),
            None => ("news", None, None, ""),
        };
        let id = insert_item(tx, item.slug, kind, item.published_at, start, end, venue)?;
        insert_text(tx, id, Lang::En, item.title, item.lead, "")?;
        for city in item.cities {
            link_city(tx, id, city)?;
        }
        for tag in item.tags {
            tx.prepare_cached(
                "INSERT INTO item_tags (item_id, tag_id) SELECT ?1, id FROM tags WHERE slug = ?2",
            )?
            .execute(params![id, tag])?;
        }
    }
    Ok(())
}

fn insert_item(
    tx: &Transaction<'_>,
    slug: &str,
    kind: &str,
    published_at: &str,
    start: Option<&str>,
    end: Option<&str>,
    venue: &str,
) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO items (slug, kind, status, published_at, event_start, event_end, venue)
         VALUES (?1, ?2, 'published', ?3, ?4, ?5, ?6)",
    )?
    .execute(params![slug, kind, published_at, start, end, venue])?;
    Ok(tx.last_insert_rowid())
}

fn insert_text(
    tx: &Transaction<'_>,
    item_id: i64,
    lang: Lang,
    title: &str,
    lead: &str,
    body: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO item_texts (item_id, lang, title, lead, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![item_id, lang, title, lead, body])?;
    Ok(())
}

fn link_city(tx: &Transaction<'_>, item_id: i64, city_slug: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO item_cities (item_id, city_id) SELECT ?1, id FROM cities WHERE slug = ?2",
    )?
    .execute(params![item_id, city_slug])?;
    Ok(())
}

const TOPICS: &[&str] = &[
    "Youth exchange",
    "Joint exhibition",
    "Delegation visit",
    "Online concert",
    "School twinning",
    "Sports cup",
];

/// Adds `count` synthetic published items, all older than the seed, spread three hours apart
/// and linked to the partner cities in turn; every tenth is an event. Their texts say they are
/// generated. Returns the number added.
pub fn generate(conn: &mut Connection, count: u32) -> Result<u32, StoreError> {
    let tx = conn.transaction()?;
    let cities: Vec<(String, String)> = tx
        .prepare("SELECT slug, name FROM cities ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let tags: Vec<String> = tx
        .prepare("SELECT slug FROM tags ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let already: u32 = tx.query_row(
        "SELECT count(*) FROM items WHERE slug LIKE 'generated-%'",
        [],
        |r| r.get(0),
    )?;
    for k in already + 1..=already + count {
        let published_at: String = tx
            .prepare_cached(
                "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', '2020-10-01T09:00:00Z', ?1 || ' hours')",
            )?
            .query_row([-3 * i64::from(k)], |r| r.get(0))?;
        let (kind, start) = if k % 10 == 0 {
            ("event", Some(&published_at[..10]))
        } else {
            ("news", None)
        };
        let city = cities.get(k as usize % cities.len().max(1));
        let city_name = city.map_or("our partner cities", |(_, name)| name.as_str());
        let topic = TOPICS[k as usize % TOPICS.len()];
        let id = insert_item(
            &tx,
            &format!("generated-{k}"),
            kind,
            &published_at,
            start,
            None,
            if start.is_some() { "Volgograd" } else { "" },
        )?;
        insert_text(
            &tx,
            id,
            Lang::En,
            &format!("Generated item {k}: {topic} with {city_name}"),
            &format!(
                "This is generated item {k}, made for testing and benchmarks; it is not real news."
            ),
            &format!(
                "*Generated content.* This text only fills the portal for tests.\n\n\
                 - topic: {topic}\n- city: {city_name}\n- number: {k}\n"
            ),
        )?;
        insert_text(
            &tx,
            id,
            Lang::Ru,
            &format!("Тестовый материал {k}"),
            &format!("Материал {k} создан для тестов и замеров; это не настоящая новость."),
            &format!("*Тестовый текст.* Он только наполняет портал для тестов.\n\n- номер: {k}\n"),
        )?;
        if let Some((slug, _)) = city {
            link_city(&tx, id, slug)?;
        }
        if let Some(tag) = tags.get(k as usize % tags.len().max(1)) {
            tx.prepare_cached(
                "INSERT INTO item_tags (item_id, tag_id) SELECT ?1, id FROM tags WHERE slug = ?2",
            )?
            .execute(params![id, tag])?;
        }
    }
    items::renumber_feed(&tx)?;
    tx.commit()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_db;

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn slugs_are_ascii_words() {
        assert_eq!(slugify("Liège"), "liege");
        assert_eq!(slugify("Płońsk"), "plonsk");
        assert_eq!(slugify("İzmir"), "izmir");
        assert_eq!(slugify("Port Said"), "port-said");
        assert_eq!(slugify("  Kruševac!! "), "krusevac");
    }

    /// Row counts of every content table.
    fn content_counts(conn: &Connection) -> Vec<i64> {
        [
            "items",
            "item_texts",
            "cities",
            "item_cities",
            "item_tags",
            "tags",
        ]
        .iter()
        .map(|t| count(conn, t))
        .collect()
    }

    #[test]
    fn seeding_twice_changes_nothing() {
        let mut db = temp_db();
        assert!(seed_if_empty(&mut db.conn).unwrap());
        let before = content_counts(&db.conn);
        assert!(!seed_if_empty(&mut db.conn).unwrap());
        let after = content_counts(&db.conn);
        assert_eq!(before, after);
        assert_eq!(before[0], 10);
    }

    #[test]
    fn every_named_city_is_linked() {
        let mut db = temp_db();
        seed_if_empty(&mut db.conn).unwrap();
        let links = count(&db.conn, "item_cities");
        let named: usize = SEED_ITEMS.iter().map(|s| s.cities.len()).sum();
        assert_eq!(links, named as i64);
    }

    #[test]
    fn seed_tags_exist() {
        for item in SEED_ITEMS {
            for tag in item.tags {
                assert!(SEED_TAGS.iter().any(|(slug, _, _)| slug == tag), "{tag}");
            }
        }
    }

    #[test]
    fn generated_items_are_marked_and_numbered_on() {
        let mut db = temp_db();
        seed_if_empty(&mut db.conn).unwrap();
        generate(&mut db.conn, 12).unwrap();
        generate(&mut db.conn, 3).unwrap();
        assert_eq!(count(&db.conn, "items"), 25);
        let unmarked: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM items i JOIN item_texts t ON t.item_id = i.id
                 WHERE i.slug LIKE 'generated-%'
                   AND t.lead NOT LIKE '%generated%' AND t.lead NOT LIKE '%создан для тестов%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(unmarked, 0);
        let max_rank: i64 = db
            .conn
            .query_row("SELECT max(feed_rank) FROM items", [], |r| r.get(0))
            .unwrap();
        assert_eq!(max_rank, 25);
    }
}
