//! Feeds narrowed by the filter form (a city, a tag, a kind, a year) or to one city, and the
//! choices the filter form offers.

use rusqlite::types::Value;
use rusqlite::{named_params, Connection, OptionalExtension};

use super::{paged, Order, VISIBLE};
use crate::cities::City;
use crate::i18n::Lang;
use crate::news::filter::{Choice, FeedFilter, FilterChoices};
use crate::news::ItemSummary;
use crate::pager::Page;
use crate::store::{cities, StoreError, NOW};

/// What a filtered page says about its filters: the city's and the tag's names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterNames {
    pub city_name: Option<String>,
    pub tag_name: Option<String>,
}

/// Page `page` of the visible items passing `filter`, newest first, with the city's and the
/// tag's names; `None` for an unknown city or tag, or a page past the end. (An empty filter is
/// `feed_page`'s job: this pages with OFFSET.)
pub fn filtered_page(
    conn: &Connection,
    lang: Lang,
    filter: &FeedFilter,
    page: u32,
    per_page: u32,
) -> Result<Option<(Page<ItemSummary>, FilterNames)>, StoreError> {
    let mut conditions = Vec::new();
    let mut params: Vec<(&str, Value)> = Vec::new();
    let mut names = FilterNames::default();
    if let Some(slug) = &filter.city {
        let Some((id, city)) = cities::city_by_slug(conn, lang, slug)? else {
            return Ok(None);
        };
        conditions.push("i.id IN (SELECT item_id FROM item_cities WHERE city_id = :city)");
        params.push((":city", id.into()));
        names.city_name = Some(city.name);
    }
    if let Some(slug) = &filter.tag {
        let Some((id, name)) = tag_by_slug(conn, lang, slug)? else {
            return Ok(None);
        };
        conditions.push("i.id IN (SELECT item_id FROM item_tags WHERE tag_id = :tag)");
        params.push((":tag", id.into()));
        names.tag_name = Some(name);
    }
    if let Some(kind) = filter.kind {
        conditions.push("i.kind = :kind");
        params.push((":kind", kind.as_str().to_owned().into()));
    }
    if let Some(year) = filter.year {
        conditions.push("substr(i.published_at, 1, 4) = :year");
        params.push((":year", format!("{year:04}").into()));
    }
    let condition = if conditions.is_empty() {
        "1".to_owned()
    } else {
        conditions.join(" AND ")
    };
    let found = paged(
        conn,
        lang,
        &condition,
        &params,
        Order::Newest,
        page,
        per_page,
    )?;
    Ok(found.map(|page| (page, names)))
}

/// Page `page` of the visible items linked to the city with row id `city_id`, newest first;
/// `None` past the last page.
pub fn items_of_city(
    conn: &Connection,
    lang: Lang,
    city_id: i64,
    page: u32,
    per_page: u32,
) -> Result<Option<Page<ItemSummary>>, StoreError> {
    paged(
        conn,
        lang,
        "i.id IN (SELECT item_id FROM item_cities WHERE city_id = :city)",
        &[(":city", city_id.into())],
        Order::Newest,
        page,
        per_page,
    )
}

/// The city at `slug` with page `page` of its visible news; `None` when there is no such city
/// or the page is past the end.
pub fn city_news_page(
    conn: &Connection,
    lang: Lang,
    slug: &str,
    page: u32,
    per_page: u32,
) -> Result<Option<(City, Page<ItemSummary>)>, StoreError> {
    let Some((id, city)) = cities::city_by_slug(conn, lang, slug)? else {
        return Ok(None);
    };
    Ok(items_of_city(conn, lang, id, page, per_page)?.map(|news| (city, news)))
}

/// A tag's name in the language bound to `:lang`, where translated. Needs the tags aliased `g`.
pub(super) const TAG_NAME: &str = "coalesce((SELECT name FROM tag_texts
                                  WHERE tag_id = g.id AND lang = :lang), g.name)";

/// The tag `slug` with its name, if a visible item has it: a tag only drafts, scheduled or
/// archived items use does not exist for visitors, nor does its name.
fn tag_by_slug(
    conn: &Connection,
    lang: Lang,
    slug: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT g.id, {TAG_NAME} FROM tags g WHERE g.slug = :slug AND EXISTS (
                 SELECT 1 FROM item_tags it JOIN items i ON i.id = it.item_id
                 WHERE it.tag_id = g.id AND {VISIBLE})"
        ))?
        .query_row(named_params! {":lang": lang, ":slug": slug}, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// The choices of the feed's filter form: every partner city, the tags and years of visible items.
pub fn filter_choices(conn: &Connection, lang: Lang) -> Result<FilterChoices, StoreError> {
    // Newest year first, then each next one is the year of the newest item before January of
    // the last: one index probe per year, whatever the number of items.
    let years = conn
        .prepare_cached(&format!(
            "WITH RECURSIVE years (y) AS (
                 SELECT CAST(substr(max(published_at), 1, 4) AS INTEGER) FROM items
                 WHERE status = 'published' AND published_at <= {NOW}
                 UNION ALL
                 SELECT (SELECT CAST(substr(max(published_at), 1, 4) AS INTEGER) FROM items
                         WHERE status = 'published' AND published_at < printf('%04d', years.y))
                 FROM years WHERE years.y IS NOT NULL
             )
             SELECT y FROM years WHERE y IS NOT NULL"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let tags = conn
        .prepare_cached(&format!(
            "SELECT g.slug, {TAG_NAME} FROM tags g WHERE EXISTS (
                 SELECT 1 FROM item_tags it JOIN items i ON i.id = it.item_id
                 WHERE it.tag_id = g.id AND {VISIBLE})
             ORDER BY 2 COLLATE NOCASE"
        ))?
        .query_map(named_params! {":lang": lang}, |r| {
            Ok(Choice {
                value: r.get(0)?,
                label: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(FilterChoices {
        cities: cities::all_cities(conn, lang)?
            .into_iter()
            .map(|c| Choice {
                value: c.slug,
                label: c.name,
            })
            .collect(),
        tags,
        years,
    })
}
