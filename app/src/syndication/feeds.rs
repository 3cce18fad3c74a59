//! `/news/rss.xml` and `/news/atom.xml`, optionally narrowed like the feed page
//! (`?city=…&tag=…&kind=…&year=…`): the newest twenty items with title, link, date, summary and
//! cover image.

use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;

use super::{document, failure, xml_escape};
use crate::error::AppError;
use crate::i18n::{rfc822, Lang};
use crate::media::Cover;
use crate::news::filter::FeedFilter;
use crate::state::AppState;
use crate::store::syndication::{self, Entry};
use crate::url::with_query;

/// Entries in a feed.
const ENTRIES: u32 = 20;

/// The feed filters as query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct FeedQuery {
    city: Option<String>,
    tag: Option<String>,
    kind: Option<String>,
    year: Option<String>,
}

/// A feed's metadata and entries, ready to be written in either format.
struct Channel {
    lang: Lang,
    title: String,
    /// The HTML page the feed mirrors, absolute.
    page: String,
    /// The feed's own address, absolute.
    this: String,
    entries: Vec<Entry>,
    base: String,
}

async fn channel(
    state: &AppState,
    lang: Lang,
    query: FeedQuery,
    file: &str,
) -> Result<Channel, AppError> {
    let filter = FeedFilter::from_query(query.city, query.tag, query.kind, query.year)?;
    let pairs = filter.query_pairs(true);
    let f = filter.clone();
    let (entries, names) = state
        .store
        .call(move |c| syndication::entries(c, lang, &f, ENTRIES))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut title = lang.t().site_name.to_owned();
    if let Some(city) = names.city_name {
        title.push_str(&format!(" — {city}"));
    }
    if let Some(tag) = names.tag_name {
        title.push_str(&format!(" — {tag}"));
    }
    let base = state.config.public_url.clone();
    Ok(Channel {
        lang,
        title,
        page: format!("{base}{}", lang.href(&with_query("/news", &pairs))),
        this: format!(
            "{base}{}",
            lang.href(&with_query(&format!("/news/{file}"), &pairs))
        ),
        entries,
        base,
    })
}

fn cover_url(base: &str, entry: &Entry) -> Option<String> {
    entry
        .cover
        .clone()
        .map(|meta| format!("{base}{}", Cover::new(meta, String::new()).src()))
}

/// `GET /news/rss.xml`.
pub async fn rss(
    State(state): State<AppState>,
    uri: Uri,
    Query(query): Query<FeedQuery>,
) -> Response {
    let lang = Lang::of_path(uri.path());
    match channel(&state, lang, query, "rss.xml").await {
        Ok(channel) => document("application/rss+xml; charset=utf-8", write_rss(&channel)),
        Err(e) => failure(lang, &e),
    }
}

/// `GET /news/atom.xml`.
pub async fn atom(
    State(state): State<AppState>,
    uri: Uri,
    Query(query): Query<FeedQuery>,
) -> Response {
    let lang = Lang::of_path(uri.path());
    match channel(&state, lang, query, "atom.xml").await {
        Ok(channel) => document("application/atom+xml; charset=utf-8", write_atom(&channel)),
        Err(e) => failure(lang, &e),
    }
}

fn write_rss(ch: &Channel) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n",
    );
    out.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n\
         <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml_escape(&ch.title),
        xml_escape(&ch.page),
        xml_escape(ch.lang.t().feed_channel_description),
        ch.lang.code(),
        xml_escape(&ch.this),
    ));
    if let Some(newest) = ch.entries.first() {
        out.push_str(&format!(
            "<lastBuildDate>{}</lastBuildDate>\n",
            rfc822(&newest.updated_at)
        ));
    }
    for e in &ch.entries {
        let link = format!("{}{}", ch.base, ch.lang.href(&e.summary.href()));
        out.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n\
             <pubDate>{}</pubDate>\n<description>{}</description>\n",
            xml_escape(&e.summary.title),
            xml_escape(&link),
            xml_escape(&link),
            rfc822(&e.summary.published_at),
            xml_escape(&e.summary.lead),
        ));
        if let Some(url) = cover_url(&ch.base, e) {
            out.push_str(&format!(
                "<media:content url=\"{}\" medium=\"image\" type=\"image/jpeg\"/>\n",
                xml_escape(&url)
            ));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn write_atom(ch: &Channel) -> String {
    let updated = ch
        .entries
        .iter()
        .map(|e| e.updated_at.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <id>{}</id>\n<title>{}</title>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<author><name>{}</name></author>\n",
        ch.lang.code(),
        xml_escape(&ch.this),
        xml_escape(&ch.title),
        xml_escape(&ch.this),
        xml_escape(&ch.page),
        xml_escape(ch.lang.t().site_name),
    );
    for e in &ch.entries {
        let link = xml_escape(&format!("{}{}", ch.base, ch.lang.href(&e.summary.href())));
        out.push_str(&format!(
            "<entry xml:lang=\"{}\">\n<id>{link}</id>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<summary>{}</summary>\n",
            e.summary.lang.code(),
            xml_escape(&e.summary.title),
            xml_escape(&e.summary.published_at),
            xml_escape(&e.updated_at),
            xml_escape(&e.summary.lead),
        ));
        if let Some(url) = cover_url(&ch.base, e) {
            out.push_str(&format!(
                "<link rel=\"enclosure\" type=\"image/jpeg\" href=\"{}\"/>\n",
                xml_escape(&url)
            ));
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
