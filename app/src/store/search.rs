//! SQL for full-text search: turning what a visitor typed into a safe FTS5 query, and ranked,
//! paged, highlighted results among the items visitors may see.

use rusqlite::{named_params, Connection};

use super::items::{page_count, summary_from_row, SUMMARY_COLUMNS, SUMMARY_FROM, VISIBLE};
use super::StoreError;
use crate::i18n::Lang;
use crate::search::{Hit, HIGHLIGHT_END, HIGHLIGHT_START};

/// Most words of a query that are searched for.
const MAX_WORDS: usize = 12;

/// An FTS5 query matching items that contain every word of `input` (each also as a prefix, so
/// "Chemn" finds Chemnitz), or `None` when `input` has no words. Only letters and digits pass:
/// quotes, `*`, `NEAR`, `AND`, brackets and column filters typed by a visitor are never syntax.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| format!("\"{}\"*", w.chars().take(64).collect::<String>()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Most matches ranked for one query: the newest ones. Ranking (BM25) costs time per match, so a
/// common word would make every search slow; the newest 500 are what a reader of a news portal
/// pages through, and a longer query narrows the rest.
pub const RANKED_MATCHES: u32 = 500;

/// A page of search results.
#[derive(Debug)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub pages: u32,
    /// Matching items ranked; all of them unless `capped`.
    pub total: u64,
    /// More than `RANKED_MATCHES` items matched: only the newest were ranked.
    pub capped: bool,
}

/// Page `page` of the visible items matching `input`, best first; `None` when `input` has no
/// words or the page is past the end.
pub fn search(
    conn: &Connection,
    lang: Lang,
    input: &str,
    page: u32,
    per_page: u32,
) -> Result<Option<Found>, StoreError> {
    search_among(conn, lang, input, page, per_page, RANKED_MATCHES)
}

fn search_among(
    conn: &Connection,
    lang: Lang,
    input: &str,
    page: u32,
    per_page: u32,
    ranked: u32,
) -> Result<Option<Found>, StoreError> {
    let Some(query) = fts_query(input) else {
        return Ok(None);
    };
    if page == 0 {
        return Ok(None);
    }
    // The newest `ranked` matching texts (an index row's id is its item's id × 1024 plus its
    // language, so the item comes from the rowid without reading the stored text; one more is
    // read to tell whether there were more), one row per item. Items whose title holds every
    // word come first, then those whose lead does, then the rest, newest first within each; of
    // an item's languages the best-placed text gives the snippet (SQLite takes bare columns from
    // the row holding max()). The title and lead checks look only as far back as the oldest
    // text ranked. Only the page's items are joined to their texts.
    let sql = format!(
        "WITH found AS MATERIALIZED (
             SELECT s.rowid AS rid
             FROM item_search s JOIN items i ON i.id = s.rowid / 1024
             WHERE item_search MATCH :query AND {VISIBLE}
             ORDER BY s.rowid DESC LIMIT :ranked + 1
         ),
         matches AS MATERIALIZED (
             SELECT rid, rid / 1024 AS id FROM found ORDER BY rid DESC LIMIT :ranked
         ),
         titled AS MATERIALIZED (
             SELECT rowid AS rid FROM item_search
             WHERE item_search MATCH :in_title AND rowid >= (SELECT min(rid) FROM matches)
         ),
         led AS MATERIALIZED (
             SELECT rowid AS rid FROM item_search
             WHERE item_search MATCH :in_lead AND rowid >= (SELECT min(rid) FROM matches)
         ),
         hits AS MATERIALIZED (
             SELECT m.id, m.rid, i.published_at AS at,
                    max(CASE WHEN m.rid IN titled THEN 2 WHEN m.rid IN led THEN 1 ELSE 0 END)
                        AS tier
             FROM matches m JOIN items i ON i.id = m.id GROUP BY m.id
         ),
         shown AS (
             SELECT id, rid, tier, at FROM hits
             ORDER BY tier DESC, at DESC, id DESC LIMIT :per_page OFFSET :offset
         )
         SELECT (SELECT count(*) FROM hits) AS hit_count, (SELECT count(*) FROM found) AS found,
                h.rid AS rid, {SUMMARY_COLUMNS}
         {SUMMARY_FROM} JOIN shown h ON h.id = i.id
         ORDER BY h.tier DESC, h.at DESC, h.id DESC"
    );
    let offset = i64::from(page - 1) * i64::from(per_page);
    let in_title = format!("title : ({query})");
    let in_lead = format!("lead : ({query})");
    let mut rows = Vec::new();
    let (mut total, mut texts) = (0u64, 0i64);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut result = stmt.query(named_params! {
        ":lang": lang, ":query": query, ":per_page": per_page, ":offset": offset,
        ":in_title": in_title, ":ranked": ranked, ":in_lead": in_lead,
    })?;
    while let Some(r) = result.next()? {
        total = r.get::<_, i64>("hit_count")?.unsigned_abs();
        texts = r.get("found")?;
        rows.push((r.get::<_, i64>("rid")?, summary_from_row(r)?));
    }
    if rows.is_empty() {
        let nothing = Found {
            hits: Vec::new(),
            pages: 1,
            total: 0,
            capped: false,
        };
        return Ok((page == 1).then_some(nothing));
    }
    let rids: Vec<i64> = rows.iter().map(|(rid, _)| *rid).collect();
    let mut snippets = snippets(conn, &query, &rids)?;
    // The passage shown is the lead with its matches marked, else the best passage of the text,
    // else (the match was in the title, shown anyway) the plain lead.
    let hits = rows
        .into_iter()
        .map(|(rid, summary)| {
            let (snippet, snippet_lang) = match snippets.remove(&rid) {
                Some(snippet) => (snippet, lang_of_row(rid).unwrap_or(summary.lang)),
                None => (summary.lead.clone(), summary.lang),
            };
            Hit {
                snippet,
                snippet_lang,
                summary,
            }
        })
        .collect();
    Ok(Some(Found {
        hits,
        pages: page_count(total, per_page),
        total,
        capped: texts > i64::from(ranked),
    }))
}

/// The language of the index row `rid`: its id's remainder holds the code's two letters.
fn lang_of_row(rid: i64) -> Option<Lang> {
    let n = rid.rem_euclid(1024);
    let letter = |i: i64| u8::try_from(i).ok().map(|i| char::from(b'a' + i));
    let code: String = [letter(n / 26)?, letter(n % 26)?].iter().collect();
    Lang::ALL.into_iter().find(|l| l.code() == code)
}

/// The marked passages of the index rows `rids`, all matching `query`. Highlighting costs the
/// most per match, so it is done for these rows only, in one pass over the matches between the
/// first and the last of them (a query per row cost a millisecond each, mostly setting up the
/// match again).
fn snippets(
    conn: &Connection,
    query: &str,
    rids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let (Some(low), Some(high)) = (rids.iter().min(), rids.iter().max()) else {
        return Ok(Default::default());
    };
    let marks: Vec<String> = (0..rids.len()).map(|i| format!("?{}", i + 4)).collect();
    let sql = format!(
        "SELECT rowid, CASE WHEN rowid IN ({marks}) THEN CASE
             WHEN instr(highlight(item_search, 1, char({start}), char({end})), char({start}))
                 THEN highlight(item_search, 1, char({start}), char({end}))
             WHEN instr(snippet(item_search, 2, char({start}), char({end}), '…', 24), char({start}))
                 THEN snippet(item_search, 2, char({start}), char({end}), '…', 24)
             ELSE lead
         END END
         FROM item_search WHERE item_search MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
        marks = marks.join(", "),
        start = u32::from(HIGHLIGHT_START),
        end = u32::from(HIGHLIGHT_END),
    );
    let mut values: Vec<rusqlite::types::Value> =
        vec![query.to_owned().into(), (*low).into(), (*high).into()];
    values.extend(rids.iter().map(|&rid| rusqlite::types::Value::from(rid)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
    let mut found = std::collections::HashMap::new();
    while let Some(row) = rows.next()? {
        if let Some(text) = row.get::<_, Option<String>>(1)? {
            found.insert(row.get(0)?, text);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;
    use crate::store::testing::temp_db;

    fn seeded() -> crate::store::testing::TempDb {
        let mut db = crate::store::testing::seeded();
        seed::generate(&mut db.conn, 30).unwrap();
        db
    }

    fn titles(db: &crate::store::testing::TempDb, q: &str) -> Vec<String> {
        search(&db.conn, crate::i18n::Lang::En, q, 1, 50)
            .unwrap()
            .map(|found| found.hits.into_iter().map(|h| h.summary.title).collect())
            .unwrap_or_default()
    }

    #[test]
    fn queries_keep_only_words_so_fts_syntax_cannot_break_them() {
        assert_eq!(fts_query("Chemn").as_deref(), Some("\"Chemn\"*"));
        assert_eq!(
            fts_query("  \"peace\" AND (NEAR* ").as_deref(),
            Some("\"peace\"* \"AND\"* \"NEAR\"*")
        );
        assert_eq!(
            fts_query("title:coventry").as_deref(),
            Some("\"title\"* \"coventry\"*")
        );
        assert_eq!(fts_query("Волгоград").as_deref(), Some("\"Волгоград\"*"));
        assert_eq!(fts_query("\"*()^-:"), None);
        assert_eq!(fts_query(""), None);
    }

    #[test]
    fn prefixes_find_words_and_titles_rank_first() {
        let db = seeded();
        let found = titles(&db, "Chemn");
        assert!(
            found.len() > 1 && found.iter().all(|t| t.contains("Chemnitz")),
            "{found:?}"
        );

        let mut seed_only = temp_db();
        seed::seed_if_empty(&mut seed_only.conn).unwrap();
        seed_only
            .conn
            .execute_batch(
                "INSERT INTO items (id, slug, kind, status, published_at)
                 VALUES (900, 'lead-only', 'news', 'published', '2021-02-01T00:00:00Z');
                 INSERT INTO item_texts (item_id, lang, title, lead)
                 VALUES (900, 'en', 'A letter from England', 'Greetings from Coventry.');",
            )
            .unwrap();
        let found = titles(&seed_only, "coventry");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("Coventry"),
            "the title match comes first: {found:?}"
        );
    }

    #[test]
    fn title_then_lead_then_text_and_newest_first_within_each() {
        let mut db = temp_db();
        seed::seed_if_empty(&mut db.conn).unwrap();
        db.conn
            .execute_batch(
                "INSERT INTO items (id, slug, kind, status, published_at) VALUES
                   (901, 'in-text-newest', 'news', 'published', '2021-03-04T00:00:00Z'),
                   (902, 'in-lead', 'news', 'published', '2021-03-01T00:00:00Z'),
                   (903, 'in-title-older', 'news', 'published', '2021-02-01T00:00:00Z'),
                   (904, 'in-title-newer', 'news', 'published', '2021-03-02T00:00:00Z');
                 INSERT INTO item_texts (item_id, lang, title, lead, body) VALUES
                   (901, 'en', 'Harbour news', 'Ships.', 'A word on Zanzibar.'),
                   (902, 'en', 'Island news', 'Letters from Zanzibar.', ''),
                   (903, 'en', 'Zanzibar, first', 'Older.', ''),
                   (904, 'en', 'Zanzibar, again', 'Newer.', '');",
            )
            .unwrap();
        assert_eq!(
            titles(&db, "zanzibar"),
            [
                "Zanzibar, again",
                "Zanzibar, first",
                "Island news",
                "Harbour news"
            ]
        );
    }

    #[test]
    fn hostile_input_gives_results_or_nothing_never_an_error() {
        let db = seeded();
        for q in [
            "\"",
            "peace\"",
            "NEAR(a b)",
            "a*",
            "(((",
            "AND OR NOT",
            "x:y",
            "'; DROP TABLE items; --",
            "🙂",
        ] {
            search(&db.conn, crate::i18n::Lang::En, q, 1, 10)
                .unwrap_or_else(|e| panic!("{q}: {e}"));
        }
        assert!(titles(&db, "zzqqxx").is_empty());
    }

    #[test]
    fn snippets_mark_the_matches_in_the_lead_or_show_the_lead() {
        let db = seeded();
        let start = char::from_u32(u32::from(HIGHLIGHT_START)).unwrap();
        let Found { hits, total, .. } =
            search(&db.conn, crate::i18n::Lang::En, "videoconference", 1, 10)
                .unwrap()
                .unwrap();
        assert_eq!(total, 1);
        assert!(
            hits[0].snippet.contains(&format!("{start}videoconference")),
            "{}",
            hits[0].snippet
        );
        let hits = search(&db.conn, crate::i18n::Lang::En, "ocean", 1, 10)
            .unwrap()
            .unwrap()
            .hits;
        assert_eq!(
            hits[0].snippet, hits[0].summary.lead,
            "a title match shows the plain lead"
        );
    }

    #[test]
    fn drafts_are_never_found_and_edits_are_found_at_once() {
        let mut db = seeded();
        db.conn
            .execute("UPDATE items SET status = 'draft', feed_rank = NULL WHERE slug = 'perm-oxford-friendship-week'", [])
            .unwrap();
        assert!(titles(&db, "Oxford")
            .iter()
            .all(|t| !t.contains("Perm and Oxford")));
        db.conn
            .execute(
                "UPDATE item_texts SET lead = 'A brand new zeppelin word.' WHERE item_id =
                 (SELECT id FROM items WHERE slug = 'reply-from-a-twin-city-across-the-ocean')",
                [],
            )
            .unwrap();
        assert_eq!(titles(&db, "zeppelin").len(), 1);
        assert!(
            titles(&db, "videoconference").is_empty(),
            "the old lead is gone"
        );
        let tx = db.conn.transaction().unwrap();
        tx.execute(
            "DELETE FROM items WHERE slug = 'reply-from-a-twin-city-across-the-ocean'",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
        assert!(titles(&db, "zeppelin").is_empty());
    }

    #[test]
    fn results_page_through_every_match_once() {
        let db = seeded();
        let first = search(&db.conn, crate::i18n::Lang::En, "generated", 1, 10)
            .unwrap()
            .unwrap();
        assert_eq!((first.pages, first.total, first.capped), (3, 30, false));
        let second = search(&db.conn, crate::i18n::Lang::En, "generated", 2, 10)
            .unwrap()
            .unwrap();
        assert!(first
            .hits
            .iter()
            .all(|a| second.hits.iter().all(|b| a.summary.slug != b.summary.slug)));
        assert!(search(&db.conn, crate::i18n::Lang::En, "generated", 4, 10)
            .unwrap()
            .is_none());
        assert_eq!(
            search(&db.conn, crate::i18n::Lang::En, "zzqqxx", 1, 10)
                .unwrap()
                .unwrap()
                .total,
            0
        );
    }

    #[test]
    fn a_snippet_says_which_language_it_is_in() {
        assert_eq!(super::lang_of_row(7 * 1024 + 4 * 26 + 13), Some(Lang::En));
        assert_eq!(super::lang_of_row(7 * 1024 + 17 * 26 + 20), Some(Lang::Ru));
        assert_eq!(super::lang_of_row(7 * 1024 + 3 * 26 + 4), None);
        // Generated items are in both languages; only their English lead says "generated".
        let db = seeded();
        let found = search(&db.conn, Lang::Ru, "generated", 1, 10)
            .unwrap()
            .unwrap();
        let hit = &found.hits[0];
        assert_eq!(
            hit.summary.lang,
            Lang::Ru,
            "the item in the reader's language"
        );
        assert_eq!(
            hit.snippet_lang,
            Lang::En,
            "the passage that matched, in its own"
        );
    }

    #[test]
    fn only_the_newest_matches_are_ranked_when_there_are_too_many() {
        let db = seeded();
        let found = search_among(&db.conn, crate::i18n::Lang::En, "generated", 1, 50, 12)
            .unwrap()
            .unwrap();
        assert!(found.capped);
        assert_eq!((found.total, found.pages, found.hits.len()), (12, 1, 12));
        let newest: Vec<String> = db
            .conn
            .prepare(
                "SELECT slug FROM items WHERE slug LIKE 'generated-%' AND status = 'published'
                 ORDER BY id DESC LIMIT 12",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut shown: Vec<String> = found.hits.into_iter().map(|h| h.summary.slug).collect();
        shown.sort();
        let mut expected = newest;
        expected.sort();
        assert_eq!(shown, expected);

        let exact = search_among(&db.conn, crate::i18n::Lang::En, "generated", 1, 50, 30)
            .unwrap()
            .unwrap();
        assert_eq!(
            (exact.total, exact.capped),
            (30, false),
            "exactly the limit"
        );
    }
}
