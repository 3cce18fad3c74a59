//! The news feed at `/news`: ten items a page, newest first, with the numbered pager.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::list_news;
use super::{FeedPage, ItemKind, ItemSummary};
use crate::cities::api::get_city;
use crate::editor::NewItemButton;
use crate::error::AppError;
use crate::i18n::{format_date, format_date_range, iso_date};
use crate::layout::{Loaded, PageMeta};
use crate::pager::{parse_page, Pager};

/// A feed page and, when filtered by a city, that city's slug and name.
type Feed = (FeedPage, Option<(String, String)>);

/// `/news?page=N`, or `/news?city={slug}&page=N` for the news about one partner city.
#[component]
pub fn NewsPage() -> impl IntoView {
    let query = use_query_map();
    let feed = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("city").filter(|c| !c.is_empty()),
                parse_page(q.get("page")),
            )
        },
        |(city, page)| async move { load_feed(city, page?).await },
    );
    view! { <Loaded resource=feed view=|(page, city)| view! { <FeedView page city/> }/> }
}

async fn load_feed(city: Option<String>, page: u32) -> Result<Feed, AppError> {
    match city {
        None => Ok((list_news(page).await?, None)),
        Some(slug) => {
            let profile = get_city(slug.clone(), page).await?;
            let feed = FeedPage {
                items: profile.news,
                page: profile.page,
                pages: profile.pages,
            };
            Ok((feed, Some((slug, profile.city.name))))
        }
    }
}

#[component]
fn FeedView(page: FeedPage, city: Option<(String, String)>) -> impl IntoView {
    let (base, heading) = match &city {
        Some((slug, name)) => (format!("/news?city={slug}"), format!("News about {name}")),
        None => ("/news".to_owned(), "News".to_owned()),
    };
    let title = if page.page > 1 {
        format!("{heading}, page {} of {}", page.page, page.pages)
    } else {
        heading
    };
    let path = crate::pager::page_href(&base, page.page);
    let all_news = city
        .is_some()
        .then(|| view! { <p><a href="/news">"All news"</a></p> });
    let empty = page
        .items
        .is_empty()
        .then(|| view! { <p class="empty">"No news here yet."</p> });
    view! {
        <PageMeta
            title=title.clone()
            description="News of Volgograd’s twin cities and people’s diplomacy: exchanges, forums, exhibitions and meetings."
            path
        />
        <h1>{title}</h1>
        <NewItemButton kind=ItemKind::News/>
        {all_news}
        {empty}
        <FeedList items=page.items level=2/>
        <Pager current=page.page pages=page.pages base=base/>
    }
}

/// A list of item summaries: title link, date line, lead; titles are headings of `level`.
#[component]
pub fn FeedList(items: Vec<ItemSummary>, #[prop(default = 2)] level: u8) -> impl IntoView {
    view! {
        <ol class="feed" data-testid="feed">
            {items.into_iter().map(|item| view! { <FeedEntry item level/> }).collect_view()}
        </ol>
    }
}

#[component]
fn FeedEntry(item: ItemSummary, level: u8) -> impl IntoView {
    let href = item.href();
    let link = view! { <a href=href>{item.title.clone()}</a> };
    let heading = match level {
        0..=2 => view! { <h2>{link}</h2> }.into_any(),
        3 => view! { <h3>{link}</h3> }.into_any(),
        _ => view! { <h4>{link}</h4> }.into_any(),
    };
    view! {
        <li class="feed-entry">
            <article>
                {heading}
                <DateLine item=item.clone()/>
                <p class="lead">{item.lead}</p>
            </article>
        </li>
    }
}

/// "Published 19 January 2021", or for an event its dates and venue.
#[component]
pub fn DateLine(item: ItemSummary) -> impl IntoView {
    let published = view! {
        <time datetime=iso_date(&item.published_at).to_owned()>
            {format_date(&item.published_at)}
        </time>
    };
    match (item.kind, item.event_start) {
        (ItemKind::Event, Some(start)) => {
            let when = format_date_range(&start, item.event_end.as_deref());
            let venue = (!item.venue.is_empty()).then(|| format!(" · {}", item.venue));
            view! {
                <p class="date-line">
                    <span class="badge">"Event"</span>
                    " "
                    <time datetime=iso_date(&start).to_owned()>{when}</time>
                    {venue}
                </p>
            }
            .into_any()
        }
        _ => view! { <p class="date-line">{published}</p> }.into_any(),
    }
}
