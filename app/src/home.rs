//! The home page: what the portal is, the latest news, events, and the way to the partner cities.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cities::map::MapPreview;
use crate::cities::HomeCity;
use crate::error::AppError;
use crate::layout::{Loaded, PageMeta};
use crate::news::{FeedList, ItemSummary};

/// What the home page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeData {
    pub home: HomeCity,
    pub latest: Vec<ItemSummary>,
    pub upcoming: Vec<ItemSummary>,
    pub recent_events: Vec<ItemSummary>,
    pub city_count: usize,
    pub country_count: usize,
}

/// Everything the home page needs, in one call.
#[server]
pub async fn get_home() -> Result<HomeData, AppError> {
    use crate::news::ItemKind;
    use crate::{error::with_status, i18n::DEFAULT_LANG, state::app_state, store};
    /// News items on the home page.
    const LATEST: u32 = 5;
    /// Events on the home page, upcoming and recent each.
    const EVENTS: u32 = 3;
    with_status(
        async move {
            let store = app_state()?.store;
            store
                .call(|c| {
                    let today = store::items::today(c)?;
                    let cities = store::cities::all_cities(c)?;
                    let mut countries: Vec<&str> =
                        cities.iter().map(|c| c.country.as_str()).collect();
                    countries.sort_unstable();
                    countries.dedup();
                    let Some(home) = store::cities::home_city(c)? else {
                        return Ok(None);
                    };
                    let recent = store::items::past_events(c, DEFAULT_LANG, &today, 1, EVENTS)?;
                    Ok(Some(HomeData {
                        home,
                        latest: store::items::latest(c, DEFAULT_LANG, ItemKind::News, LATEST)?,
                        upcoming: store::items::upcoming_events(c, DEFAULT_LANG, &today, EVENTS)?,
                        recent_events: recent.map(|(events, _)| events).unwrap_or_default(),
                        city_count: cities.len(),
                        country_count: countries.len(),
                    }))
                })
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_home());
    view! { <Loaded resource=data view=|data| view! { <HomeView data/> }/> }
}

#[component]
fn HomeView(data: HomeData) -> impl IntoView {
    let intro = format!(
        "{} keeps friendships with {} cities in {} countries — some of them since the Second World War. \
         Here is what happens between our people: exchanges, forums, exhibitions and concerts.",
        data.home.name, data.city_count, data.country_count
    );
    let (events_heading, events) = if data.upcoming.is_empty() {
        ("Recent events", data.recent_events)
    } else {
        ("Upcoming events", data.upcoming)
    };
    view! {
        <PageMeta
            title=format!("{} and its twin cities", data.home.name)
            description=intro.clone()
            path="/"
        />
        <section class="hero">
            <h1>{format!("{} and its twin cities", data.home.name)}</h1>
            <p>{intro}</p>
            <p>
                <a class="button" href="/cities">
                    {format!("See all {} partner cities", data.city_count)}
                </a>
            </p>
        </section>
        <figure class="home-map">
            <a href="/map" aria-label="Open the map of partner cities">
                <MapPreview/>
            </a>
            <figcaption>"Volgograd’s partner cities around the world. "<a href="/map">"Explore the map"</a></figcaption>
        </figure>
        <div class="home-columns">
            <section aria-labelledby="latest-heading">
                <h2 id="latest-heading">"Latest news"</h2>
                <FeedList items=data.latest level=3/>
                <p><a href="/news">"All news"</a></p>
            </section>
            <section aria-labelledby="events-heading">
                <h2 id="events-heading">{events_heading}</h2>
                <FeedList items=events level=3/>
                <p><a href="/events">"All events"</a></p>
            </section>
        </div>
    }
}
