//! The home page: what the portal is, the latest news, events, and the way to the partner cities.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cities::map::MapPreview;
use crate::cities::HomeCity;
use crate::error::AppError;
use crate::i18n::{fill, use_lang, Lang};
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
#[server(prefix = "/api", endpoint = "get_home")]
pub async fn get_home(#[server(default)] lang: Lang) -> Result<HomeData, AppError> {
    use crate::news::ItemKind;
    use crate::{state::app_state, store};
    /// News items on the home page.
    const LATEST: u32 = 5;
    /// Events on the home page, upcoming and recent each.
    const EVENTS: u32 = 3;
    let store = app_state()?.store;
    store
        .call(move |c| {
            let today = store::items::today(c)?;
            let cities = store::cities::all_cities(c, lang)?;
            let mut countries: Vec<&str> = cities.iter().map(|c| c.country.as_str()).collect();
            countries.sort_unstable();
            countries.dedup();
            let Some(home) = store::cities::home_city(c, lang)? else {
                return Ok(None);
            };
            let recent = store::items::past_events(c, lang, &today, 1, EVENTS)?;
            Ok(Some(HomeData {
                home,
                latest: store::items::latest(c, lang, ItemKind::News, LATEST)?,
                upcoming: store::items::upcoming_events(c, lang, &today, EVENTS)?,
                recent_events: recent.map(|events| events.items).unwrap_or_default(),
                city_count: cities.len(),
                country_count: countries.len(),
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), move |_| get_home(lang));
    view! { <Loaded resource=data view=|data| view! { <HomeView data/> }/> }
}

#[component]
fn HomeView(data: HomeData) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let cities = lang.plural(data.city_count as u64, t.home_cities);
    let countries = lang.plural(data.country_count as u64, t.home_countries);
    let intro = fill(t.home_intro, &[&data.home.name, &cities, &countries]);
    let title = fill(t.home_title, &[&data.home.name]);
    let (events_heading, events) = if data.upcoming.is_empty() {
        (t.home_recent_events, data.recent_events)
    } else {
        (t.home_upcoming_events, data.upcoming)
    };
    view! {
        <PageMeta title=title.clone() description=intro.clone() path="/"/>
        <section class="hero">
            <h1>{title}</h1>
            <p>{intro}</p>
            <p>
                <a class="button" href=lang.href("/cities")>
                    {lang.plural(data.city_count as u64, t.home_see_cities)}
                </a>
            </p>
        </section>
        <figure class="home-map">
            <a href=lang.href("/map") aria-label=t.home_open_map>
                <MapPreview/>
            </a>
            <figcaption>{t.home_map_caption}" "<a href=lang.href("/map")>{t.home_explore_map}</a></figcaption>
        </figure>
        <div class="home-columns">
            <section aria-labelledby="latest-heading">
                <h2 id="latest-heading">{t.home_latest}</h2>
                <FeedList items=data.latest level=3/>
                <p><a href=lang.href("/news")>{t.home_all_news}</a></p>
            </section>
            <section aria-labelledby="events-heading">
                <h2 id="events-heading">{events_heading}</h2>
                <FeedList items=events level=3/>
                <p><a href=lang.href("/events")>{t.home_all_events}</a></p>
            </section>
        </div>
    }
}
