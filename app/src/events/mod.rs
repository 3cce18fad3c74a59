//! Events: `/events`, upcoming events and a paged archive of past ones, grouped by month; and
//! `/events/{slug}`, an event's own page.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{format_month, use_lang, Lang};
use crate::layout::{Loaded, PageMeta};
use crate::news::{FeedList, ItemSummary};
use crate::pager::{parse_page, Pager};

/// What `/events` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventsListing {
    /// Events that have not ended, soonest first (on page 1 only).
    pub upcoming: Vec<ItemSummary>,
    /// One page of ended events, most recent first.
    pub past: Vec<ItemSummary>,
    pub page: u32,
    pub pages: u32,
}

/// Upcoming events and page `page` of past events.
#[server(prefix = "/api", endpoint = "list_events")]
pub async fn list_events(
    page: u32,
    #[server(default)] lang: Lang,
) -> Result<EventsListing, AppError> {
    use crate::{state::app_state, store::items};
    /// Past events per page of the archive.
    const PAST_PER_PAGE: u32 = 20;
    /// Upcoming events listed at most.
    const UPCOMING_LIMIT: u32 = 100;
    let store = app_state()?.store;
    store
        .call(move |c| {
            let today = items::today(c)?;
            let Some(past) = items::past_events(c, lang, &today, page, PAST_PER_PAGE)? else {
                return Ok(None);
            };
            let upcoming = if page == 1 {
                items::upcoming_events(c, lang, &today, UPCOMING_LIMIT)?
            } else {
                Vec::new()
            };
            Ok(Some(EventsListing {
                upcoming,
                past: past.items,
                page,
                pages: past.pages,
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// Splits events (already in display order) into runs of the same start month.
pub fn by_month(lang: Lang, events: Vec<ItemSummary>) -> Vec<(String, Vec<ItemSummary>)> {
    let mut groups: Vec<(String, Vec<ItemSummary>)> = Vec::new();
    for event in events {
        let month = format_month(
            lang,
            event.event_start.as_deref().unwrap_or(&event.published_at),
        );
        match groups.last_mut() {
            Some((last, list)) if *last == month => list.push(event),
            _ => groups.push((month, vec![event])),
        }
    }
    groups
}

/// `/events?page=N`.
#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let listing = Resource::new(
        move || parse_page(query.read().get("page")),
        move |page| async move { list_events(page?, lang).await },
    );
    view! { <Loaded resource=listing view=|listing| view! { <EventsView listing/> }/> }
}

#[component]
fn EventsView(listing: EventsListing) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let first = listing.page == 1;
    let upcoming = first.then(|| {
        let body = if listing.upcoming.is_empty() {
            view! { <p class="empty">{t.events_none_upcoming}</p> }.into_any()
        } else {
            view! { <MonthGroups events=listing.upcoming/> }.into_any()
        };
        view! {
            <section aria-labelledby="upcoming-heading">
                <h2 id="upcoming-heading">{t.events_upcoming}</h2>
                {body}
            </section>
        }
    });
    let path = crate::pager::page_href("/events", listing.page);
    view! {
        <PageMeta
            title=t.events_title
            description=t.events_description
            path
        />
        <h1>{t.events_title}</h1>
        <p class="subscribe">
            <a href=lang.href("/events.ics")>{t.events_subscribe}</a>
            " "
            {t.events_subscribe_rest}
        </p>
        {upcoming}
        <section aria-labelledby="past-heading">
            <h2 id="past-heading">{t.events_past}</h2>
            <MonthGroups events=listing.past/>
        </section>
        <Pager current=listing.page pages=listing.pages base=lang.href("/events")/>
    }
}

#[component]
fn MonthGroups(events: Vec<ItemSummary>) -> impl IntoView {
    by_month(use_lang(), events)
        .into_iter()
        .map(|(month, events)| {
            view! {
                <section class="month">
                    <h3>{month}</h3>
                    <FeedList items=events level=4/>
                </section>
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::ItemKind;

    fn event(start: &str) -> ItemSummary {
        ItemSummary {
            slug: start.into(),
            kind: ItemKind::Event,
            lang: crate::i18n::Lang::En,
            title: start.into(),
            lead: String::new(),
            published_at: "2020-01-01T00:00:00Z".into(),
            event_start: Some(start.into()),
            event_end: None,
            venue: String::new(),
        }
    }

    #[test]
    fn groups_consecutive_events_by_month() {
        let groups = by_month(
            Lang::En,
            vec![
                event("2020-12-15"),
                event("2020-12-01"),
                event("2020-10-31"),
            ],
        );
        let shape: Vec<_> = groups.iter().map(|(m, l)| (m.as_str(), l.len())).collect();
        assert_eq!(shape, vec![("December 2020", 2), ("October 2020", 1)]);
    }
}
