//! `/cities`, the list of partner cities, and `/cities/{slug}`, a city's profile.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{get_city, list_cities};
use super::{City, CityKind, CityProfile, CityStatus};
use crate::layout::{ErrorPage, PageMeta};
use crate::news::FeedList;
use crate::pager::{page_href, parse_page, Pager};

/// "twin city since 1988", "partner city, year unknown".
pub fn partnership_phrase(city: &City) -> String {
    let kind = match city.kind {
        CityKind::Twin => "twin city",
        CityKind::Partner => "partner city",
    };
    match city.since_year {
        Some(year) => format!("{kind} since {year}"),
        None => format!("{kind}, year unknown"),
    }
}

fn status_label(status: CityStatus) -> &'static str {
    match status {
        CityStatus::Active => "Active",
        CityStatus::Suspended => "Suspended",
        CityStatus::Paused => "Paused",
    }
}

/// `/cities`.
#[component]
pub fn CitiesPage() -> impl IntoView {
    let cities = Resource::new(|| (), |_| list_cities());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cities.await {
                    Ok(cities) => view! { <CitiesView cities/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CitiesView(cities: Vec<City>) -> impl IntoView {
    let count = cities.len();
    let rows = cities
        .into_iter()
        .map(|city| {
            let since = city
                .since_year
                .map_or_else(|| "year unknown".to_owned(), |y| y.to_string());
            let kind = match city.kind {
                CityKind::Twin => "Twin city",
                CityKind::Partner => "Partner city",
            };
            view! {
                <tr>
                    <th scope="row"><a href=city.href()>{city.name.clone()}</a></th>
                    <td>{city.country.clone()}</td>
                    <td>{kind}</td>
                    <td>{since}</td>
                    <td>{status_label(city.status)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PageMeta
            title="Partner cities"
            description="Volgograd’s twin and partner cities around the world, with the year each partnership began."
            path="/cities"
        />
        <h1>"Partner cities"</h1>
        <p>{format!("Volgograd has {count} twin and partner cities.")}</p>
        <div class="table-scroll">
            <table class="cities" data-testid="cities-table">
                <caption>"Twin and partner cities of Volgograd"</caption>
                <thead>
                    <tr>
                        <th scope="col">"City"</th>
                        <th scope="col">"Country"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Since"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// `/cities/{slug}?page=N`.
#[component]
pub fn CityPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let profile = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                parse_page(query.read().get("page")),
            )
        },
        |(slug, page)| async move { get_city(slug, page?).await },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <CityView profile/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CityView(profile: CityProfile) -> impl IntoView {
    let city = profile.city;
    let phrase = partnership_phrase(&city);
    let description = format!("{}, {} — {} of Volgograd.", city.name, city.country, phrase);
    let banner = (city.status != CityStatus::Active).then(|| {
        let note = (!city.status_note.is_empty()).then(|| city.status_note.clone());
        view! {
            <div class="status-banner" role="status" data-testid="status-banner">
                <strong>{format!("Partnership {}", status_label(city.status).to_lowercase())}</strong>
                {note.map(|n| view! { <p>{n}</p> })}
            </div>
        }
    });
    let base = city.href();
    let news = if profile.news.is_empty() {
        view! { <p class="empty">"No news mentions this city yet."</p> }.into_any()
    } else {
        view! {
            <FeedList items=profile.news level=3/>
            <Pager current=profile.page pages=profile.pages base=base.clone()/>
        }
        .into_any()
    };
    view! {
        <PageMeta title=city.name.clone() description path=page_href(&base, profile.page)/>
        <article class="city">
            <h1>{city.name.clone()}</h1>
            <p class="kicker">{format!("{}, {}", city.country, phrase)}</p>
            {banner}
            <dl class="facts">
                <dt>"Country"</dt>
                <dd>
                    {city.country.clone()}
                    {(!city.country_note.is_empty()).then(|| format!(" ({})", city.country_note))}
                </dd>
                <dt>"Partnership"</dt>
                <dd>{phrase.clone()}</dd>
                <dt>"Status"</dt>
                <dd>{status_label(city.status)}</dd>
                {(city.status == CityStatus::Active && !city.status_note.is_empty())
                    .then(|| view! { <dt>"Note"</dt><dd>{city.status_note.clone()}</dd> })}
            </dl>
            <section aria-labelledby="city-news-heading">
                <h2 id="city-news-heading">{format!("News about {}", city.name)}</h2>
                {news}
            </section>
        </article>
    }
}
