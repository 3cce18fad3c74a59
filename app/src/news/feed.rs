//! The news feed at `/news`: ten items a page, newest first, with the numbered pager, narrowed by
//! partner city, tag, kind and year in the URL (`/news?city=…&tag=…&kind=…&year=…`); and
//! `/tags/{tag}`, the feed of one tag.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::list_news;
use super::filter::{Choice, FeedFilter, FilterChoices};
use super::{Feed, ItemKind, ItemSummary};
use crate::i18n::{fill, format_date, format_date_range, iso_date, use_lang, Lang};
use crate::layout::{Loaded, PageMeta};
use crate::pager::{parse_page, Pager};
use crate::url::with_query;

/// `/news?page=N` with optional filters.
#[component]
pub fn NewsPage() -> impl IntoView {
    view! { <FilteredFeed tag_in_path=false/> }
}

/// `/tags/{tag}?page=N`: the feed of one tag, with the other filters.
#[component]
pub fn TagPage() -> impl IntoView {
    view! { <FilteredFeed tag_in_path=true/> }
}

#[component]
fn FilteredFeed(tag_in_path: bool) -> impl IntoView {
    let query = use_query_map();
    let params = use_params_map();
    let lang = use_lang();
    let feed = Resource::new(
        move || {
            let q = query.read();
            let tag = if tag_in_path {
                params.read().get("tag")
            } else {
                q.get("tag")
            };
            (
                FeedFilter::from_query(q.get("city"), tag, q.get("kind"), q.get("year")),
                parse_page(q.get("page")),
            )
        },
        move |(filter, page)| async move {
            let FeedFilter {
                city,
                tag,
                kind,
                year,
            } = filter?;
            list_news(city, tag, kind, year, page?, lang).await
        },
    );
    let view = if tag_in_path {
        |feed| view! { <FeedView feed tag_in_path=true/> }
    } else {
        |feed| view! { <FeedView feed tag_in_path=false/> }
    };
    view! { <Loaded resource=feed view/> }
}

/// "News about Chemnitz tagged “Music” in 2020", from the filters that are set.
fn heading(lang: Lang, feed: &Feed) -> String {
    let t = lang.t();
    let mut heading = match feed.filter.kind {
        None => t.feed_news.to_owned(),
        Some(ItemKind::News) => t.feed_stories.to_owned(),
        Some(ItemKind::Event) => t.feed_events.to_owned(),
    };
    if let Some(city) = &feed.city_name {
        heading = fill(t.feed_about_city, &[&heading, city]);
    }
    if let Some(tag) = &feed.tag_name {
        heading = fill(t.feed_tagged, &[&heading, tag]);
    }
    if let Some(year) = feed.filter.year {
        heading = fill(t.feed_in_year, &[&heading, &year]);
    }
    heading
}

#[component]
fn FeedView(feed: Feed, tag_in_path: bool) -> impl IntoView {
    let path = match (&feed.filter.tag, tag_in_path) {
        (Some(tag), true) => format!("/tags/{tag}"),
        _ => "/news".to_owned(),
    };
    let base = with_query(&path, &feed.filter.query_pairs(!tag_in_path));
    let lang = use_lang();
    let t = lang.t();
    let heading = heading(lang, &feed);
    let page = feed.page;
    let title = if page.page > 1 {
        fill(t.feed_page_of, &[&heading, &page.page, &page.pages])
    } else {
        heading
    };
    let canonical = crate::pager::page_href(&base, page.page);
    let all_news = (!feed.filter.is_empty())
        .then(|| view! { <p><a href=lang.href("/news")>{t.feed_all_news}</a></p> });
    let empty = page
        .items
        .is_empty()
        .then(|| view! { <p class="empty">{t.feed_empty}</p> });
    view! {
        <PageMeta
            title=title.clone()
            description=t.feed_description
            path=canonical
        />
        <h1>{title}</h1>
        <FilterForm filter=feed.filter choices=feed.choices/>
        {all_news}
        {empty}
        <FeedList items=page.items level=2/>
        <Pager current=page.page pages=page.pages base=lang.href(&base)/>
    }
}

/// The filters as a GET form: works without JavaScript, and its result is a shareable URL.
#[component]
fn FilterForm(filter: FeedFilter, choices: FilterChoices) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let kinds = vec![
        Choice {
            value: "news".into(),
            label: t.feed_stories.into(),
        },
        Choice {
            value: "event".into(),
            label: t.feed_events.into(),
        },
    ];
    let years = choices
        .years
        .iter()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
        })
        .collect();
    let kind = filter.kind.map(|k| k.as_str().to_owned());
    let year = filter.year.map(|y| y.to_string());
    view! {
        <form class="feed-filters" action=lang.href("/news") method="get" aria-label=t.filter_form_label>
            <FilterSelect name="city" label=t.filter_city any=t.filter_any_city choices=choices.cities selected=filter.city/>
            <FilterSelect name="tag" label=t.filter_tag any=t.filter_any_tag choices=choices.tags selected=filter.tag/>
            <FilterSelect name="kind" label=t.filter_kind any=t.filter_any_kind choices=kinds selected=kind/>
            <FilterSelect name="year" label=t.filter_year any=t.filter_any_year choices=years selected=year/>
            <button type="submit" class="button">{t.filter_button}</button>
        </form>
    }
}

#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    any: &'static str,
    choices: Vec<Choice>,
    selected: Option<String>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div class="filter">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="" selected=selected.is_none()>{any}</option>
                {choices
                    .into_iter()
                    .map(|c| {
                        let is = selected.as_deref() == Some(c.value.as_str());
                        view! { <option value=c.value selected=is>{c.label}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
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
    let lang = use_lang();
    let href = lang.href(&item.href());
    let link = view! { <a href=href>{item.title.clone()}</a> };
    let untranslated = (item.lang != lang)
        .then(|| view! { <span class="badge badge-lang" lang=lang.code()>{lang.t().other_lang_badge}</span> });
    let heading = match level {
        0..=2 => view! { <h2>{link}</h2> }.into_any(),
        3 => view! { <h3>{link}</h3> }.into_any(),
        _ => view! { <h4>{link}</h4> }.into_any(),
    };
    view! {
        <li class="feed-entry">
            <article lang=item.lang.code()>
                {heading}
                <DateLine item=item.clone()/>
                {untranslated}
                <p class="lead">{item.lead}</p>
            </article>
        </li>
    }
}

/// "Published 19 January 2021", or for an event its dates and venue.
#[component]
pub fn DateLine(item: ItemSummary) -> impl IntoView {
    let lang = use_lang();
    let published = view! {
        <time datetime=iso_date(&item.published_at).to_owned()>
            {format_date(lang, &item.published_at)}
        </time>
    };
    match (item.kind, item.event_start) {
        (ItemKind::Event, Some(start)) => {
            let when = format_date_range(lang, &start, item.event_end.as_deref());
            let venue = (!item.venue.is_empty()).then(|| format!(" · {}", item.venue));
            view! {
                <p class="date-line" lang=lang.code()>
                    <span class="badge">{lang.t().badge_event}</span>
                    " "
                    <time datetime=iso_date(&start).to_owned()>{when}</time>
                    {venue}
                </p>
            }
            .into_any()
        }
        _ => view! { <p class="date-line" lang=lang.code()>{published}</p> }.into_any(),
    }
}
