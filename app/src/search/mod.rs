//! Search: `/search?q=…&page=N` over the titles, leads and texts of published items, ranked,
//! with the matched words highlighted; and the search box in the header.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{fill, use_lang, Lang};
use crate::layout::{Loaded, PageMeta};
use crate::news::{DateLine, ItemSummary};
use crate::pager::{parse_page, Pager};
use crate::url::with_query;

/// Results on one page.
pub const PER_PAGE: u32 = 10;
/// Private-use characters the store puts around a matched word in a snippet; they can never be
/// typed into the stored HTML-free text, so the page can split on them and escape the rest.
pub const HIGHLIGHT_START: u16 = 0xE000;
pub const HIGHLIGHT_END: u16 = 0xE001;

/// One found item with the passage that matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub summary: ItemSummary,
    /// Text with the matches between `HIGHLIGHT_START` and `HIGHLIGHT_END`.
    pub snippet: String,
    /// The language of the text the snippet is from (a match in another language than the
    /// summary's shows that language's passage).
    pub snippet_lang: crate::i18n::Lang,
}

/// A page of search results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub query: String,
    pub hits: Vec<Hit>,
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    /// More items matched than are ranked: `total` counts the newest of them.
    pub capped: bool,
}

/// Splits a snippet into (highlighted, text) runs.
pub fn snippet_runs(snippet: &str) -> Vec<(bool, String)> {
    let (start, end) = (
        char::from_u32(u32::from(HIGHLIGHT_START)).unwrap_or_default(),
        char::from_u32(u32::from(HIGHLIGHT_END)).unwrap_or_default(),
    );
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut marked = false;
    for c in snippet.chars() {
        if c == start || c == end {
            if !current.is_empty() {
                runs.push((marked, std::mem::take(&mut current)));
            }
            marked = c == start;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        runs.push((marked, current));
    }
    runs
}

/// Page `page` of the published items matching `q`. An empty or wordless query is no error: it
/// finds nothing.
#[server(prefix = "/api", endpoint = "search")]
pub async fn search_items(
    q: String,
    page: u32,
    #[server(default)] lang: Lang,
) -> Result<Results, AppError> {
    use crate::{state::app_state, store::search};
    /// Longest query kept, in characters.
    const MAX_QUERY: usize = 200;
    let query: String = q.trim().chars().take(MAX_QUERY).collect();
    let store = app_state()?.store;
    let q = query.clone();
    let found = store
        .call(move |c| search::search(c, lang, &q, page, PER_PAGE))
        .await?;
    match found {
        Some(found) => Ok(Results {
            query,
            hits: found.hits,
            page,
            pages: found.pages,
            total: found.total,
            capped: found.capped,
        }),
        None if page <= 1 => Ok(Results {
            query,
            hits: Vec::new(),
            page: 1,
            pages: 1,
            total: 0,
            capped: false,
        }),
        None => Err(AppError::NotFound),
    }
}

/// `/search?q=…&page=N`.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let results = Resource::new(
        move || {
            let q = query.read();
            (q.get("q").unwrap_or_default(), parse_page(q.get("page")))
        },
        move |(q, page)| async move { search_items(q, page?, lang).await },
    );
    view! { <Loaded resource=results view=|results| view! { <ResultsView results/> }/> }
}

#[component]
fn ResultsView(results: Results) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let q = results.query.clone();
    let heading = if q.is_empty() {
        t.search_title.to_owned()
    } else {
        fill(t.search_title_query, &[&q])
    };
    let summary = match (q.is_empty(), results.total) {
        (true, _) => t.search_hint.to_owned(),
        (false, 0) => fill(t.search_nothing, &[&q]),
        (false, n) if results.capped => fill(t.search_found_capped, &[&n]),
        (false, n) => lang.plural(n, t.search_found),
    };
    let base = with_query("/search", &[("q", q.clone())]);
    let path = crate::pager::page_href(&base, results.page);
    view! {
        <PageMeta title=heading.clone() description=t.search_description path/>
        <leptos_meta::Meta name="robots" content="noindex"/>
        <h1>{heading}</h1>
        <SearchForm value=q.clone() id="search-page-q"/>
        <p class="search-summary" role="status" data-testid="search-summary">{summary}</p>
        <ol class="feed search-results" data-testid="search-results">
            {results.hits.into_iter().map(|hit| view! { <HitEntry hit/> }).collect_view()}
        </ol>
        <Pager current=results.page pages=results.pages base=lang.href(&base)/>
    }
}

#[component]
fn HitEntry(hit: Hit) -> impl IntoView {
    let runs = snippet_runs(&hit.snippet);
    let lang = use_lang();
    let content_lang = hit.summary.lang.code();
    view! {
        <li class="feed-entry">
            <h2 lang=content_lang><a href=lang.href(&hit.summary.href())>{hit.summary.title.clone()}</a></h2>
            <DateLine item=hit.summary.clone()/>
            <p class="lead snippet" lang=hit.snippet_lang.code()>
                {runs
                    .into_iter()
                    .map(|(marked, text)| {
                        if marked {
                            view! { <mark>{text}</mark> }.into_any()
                        } else {
                            text.into_any()
                        }
                    })
                    .collect_view()}
            </p>
        </li>
    }
}

/// A GET form to `/search`: works without JavaScript.
#[component]
pub fn SearchForm(#[prop(optional, into)] value: String, id: &'static str) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    view! {
        <form class="search-form" action=lang.href("/search") method="get" role="search">
            <label for=id class="visually-hidden">{t.search_label}</label>
            <input id=id type="search" name="q" value=value placeholder=t.search_label maxlength="200"/>
            <button type="submit" class="button">{t.search_button}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_into_marked_runs() {
        let s = "a \u{E000}Chemnitz\u{E001} drawing \u{E000}competition\u{E001}";
        assert_eq!(
            snippet_runs(s),
            vec![
                (false, "a ".to_owned()),
                (true, "Chemnitz".to_owned()),
                (false, " drawing ".to_owned()),
                (true, "competition".to_owned()),
            ]
        );
    }
}
