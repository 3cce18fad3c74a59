//! `/map`: the interactive map, rendered whole on the server. Without JavaScript it is a complete
//! page whose pins are links and whose filters are a GET form. The [`MapControls`] island then
//! zooms, pans, opens a side card per city and filters and animates the partnerships through the
//! years, working on this HTML: every city's pin, arc and card is in the page (those the filter
//! leaves out in an inert `<template>`), so the island carries behaviour, not views.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{get_city_cards, get_map};
use super::controls::MapControls;
use super::drawing::{
    arc, fixed, group_point, pin_class, pin_groups, pin_label, pin_label_base, pin_position,
    to_units, west_to_east, CountriesPreload, MapBackdrop, PinGroup, View,
};
use super::{CityCard, MapData, MapFilter, FIRST_YEAR};
use crate::cities::pages::partnership_phrase;
use crate::cities::{City, CityKind, CityStatus};
use crate::i18n::{fill, use_lang};
use crate::layout::{ErrorPage, Loaded, PageMeta};
use crate::news::FeedList;

/// `/map?kind=&status=&country=&until=`.
#[component]
pub fn MapPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(
        || (),
        move |_| async move { Ok((get_map(lang).await?, get_city_cards(lang).await?)) },
    );
    view! { <Loaded resource=data view=|(data, cards)| view! { <MapView data cards/> }/> }
}

#[component]
fn MapView(data: MapData, cards: Vec<CityCard>) -> impl IntoView {
    // The filter is checked here, so a bad URL is a real 400 page.
    let filter = match MapFilter::from_query(&use_query_map().read_untracked()) {
        Ok(filter) => filter,
        Err(error) => return view! { <ErrorPage error/> }.into_any(),
    };
    let lang = use_lang();
    let t = lang.t();
    let all = west_to_east(data.cities.clone());
    // Pins show each city as it stood at the end of the slider's year.
    let shown: Vec<City> = all
        .iter()
        .filter(|c| filter.matches(c))
        .map(|c| City {
            status: c.status_at(filter.until),
            ..c.clone()
        })
        .collect();
    let unknown_years = all.iter().filter(|c| c.since_year.is_none()).count();
    let count = fill(t.map_showing, &[&shown.len(), &all.len()]);
    view! {
        <PageMeta title=t.map_title description=t.map_description path="/map"/>
        <CountriesPreload url=data.countries_url.clone()/>
        <h1>{t.map_heading}</h1>
        <div class="map-layout">
            <MapControls lang last_year=data.current_year total=all.len()/>
            <Filters data=data.clone() filter/>
            <p class="map-count" aria-live="polite" data-testid="map-count">{count}</p>
            <div class="map-stage">
                <MapFrame data=data.clone() shown/>
            </div>
            <Legend unknown_years/>
            <MapParts data all cards/>
        </div>
    }
    .into_any()
}

/// The framed drawing with the pins of `shown`, their groups, and the zoom buttons (hidden until
/// the island can work them).
#[component]
fn MapFrame(data: MapData, shown: Vec<City>) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let pins: Vec<(City, (f64, f64))> = shown.iter().map(|c| (c.clone(), group_point(c))).collect();
    // On a phone, pins that would overlap show as one per group (see the stylesheet).
    let groups: Vec<PinGroup<City>> = pin_groups(&pins)
        .into_iter()
        .filter(|g| g.members.len() > 1)
        .collect();
    let grouped = |city: &City| {
        groups
            .iter()
            .any(|g| g.members.iter().any(|m| m.slug == city.slug))
    };
    let pin_items = shown
        .iter()
        .map(|city| view! { <PinItem city=city.clone() grouped=grouped(city)/> })
        .collect_view();
    let group_items = groups
        .into_iter()
        .map(|group| view! { <GroupPin group/> })
        .collect_view();
    let view = View::default();
    view! {
        <div class="map-box">
            <div class="map-frame" role="region" aria-label=t.map_region tabindex="0">
                <div
                    class="map-canvas"
                    data-testid="map-canvas"
                    data-zoom=fixed(view.zoom, 2)
                    style=view.transform()
                >
                    <MapBackdrop countries_url=data.countries_url home=data.home cities=shown/>
                    <ul class="map-pins">{pin_items}{group_items}</ul>
                </div>
            </div>
            // Beside the drawing rather than in it, so that on a phone they cover no pin.
            <div class="map-zoom" hidden>
                <button type="button" aria-label=t.map_zoom_in data-zoom="in">"+"</button>
                <button type="button" aria-label=t.map_zoom_out data-zoom="out">"−"</button>
                <button type="button" data-zoom="reset">{t.map_reset}</button>
            </div>
        </div>
    }
}

/// A city's pin: a link to its page, with what the island filters and groups it by.
#[component]
fn PinItem(city: City, grouped: bool) -> impl IntoView {
    let lang = use_lang();
    let (gx, gy) = group_point(&city);
    let class = if grouped {
        format!("{} grouped", pin_class(&city))
    } else {
        pin_class(&city)
    };
    view! {
        <li
            data-slug=city.slug.clone()
            data-kind=city.kind.as_str()
            data-status=city.status.as_str()
            data-statuses=status_changes(&city)
            data-country=city.country.clone()
            data-since=city.since_year.map(|y| y.to_string())
            data-name=city.name.clone()
            data-gx=to_units(gx).to_string()
            data-gy=to_units(gy).to_string()
        >
            <a
                class=class
                style=pin_position(&city)
                href=lang.href(&city.href())
                aria-label=pin_label(lang, &city)
                data-label=pin_label_base(lang, &city)
                data-testid="pin"
                data-slug=city.slug.clone()
            >
                <span class="pin-shape"></span>
            </a>
        </li>
    }
}

/// A city's status changes as `"1944 active,2022 suspended"`, for the slider.
fn status_changes(city: &City) -> String {
    city.status_changes
        .iter()
        .map(|(year, status)| format!("{year} {}", status.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The pins of cities too near to tell apart on a phone, as one disclosure listing them: without
/// JavaScript it opens a list of links to the cities' pages; with it, the map zooms in on the
/// group, where its pins stand apart, and the first of them takes the focus.
#[component]
fn GroupPin(group: PinGroup<City>) -> impl IntoView {
    let lang = use_lang();
    let names: Vec<&str> = group.members.iter().map(|c| c.name.as_str()).collect();
    let label = fill(
        lang.t().map_group,
        &[&group.members.len(), &names.join(", ")],
    );
    let (fx, fy) = group.centre();
    let first = group.members.first().map(|c| c.slug.clone());
    let links = group
        .members
        .iter()
        .map(|city| {
            view! {
                <li>
                    <a href=lang.href(&city.href()) data-slug=city.slug.clone()>{city.name.clone()}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <li
            class="map-group"
            style=group.position()
            data-fx=to_units(fx).to_string()
            data-fy=to_units(fy).to_string()
            data-first=first
        >
            <details>
                <summary aria-label=label data-testid="pin-group">
                    <span aria-hidden="true">{group.members.len()}</span>
                </summary>
                <ul>{links}</ul>
            </details>
        </li>
    }
}

/// The filter form: a plain GET form; once the island is live, every change applies at once.
#[component]
fn Filters(data: MapData, filter: MapFilter) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let last_year = data.current_year;
    // Values are the stored (English) country, so a shared link works in either language.
    let mut countries: Vec<(String, String)> = data
        .cities
        .iter()
        .map(|c| (c.country_name.clone(), c.country.clone()))
        .collect();
    countries.sort();
    countries.dedup();
    let year = filter
        .until
        .map_or_else(|| t.map_today.to_owned(), |y| y.to_string());
    let kind = filter.kind;
    let status = filter.status;
    let country_options = countries
        .into_iter()
        .map(|(label, c)| {
            let selected = filter.country.as_deref() == Some(c.as_str());
            view! { <option value=c selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <form class="map-filters" method="get" action=lang.href("/map") aria-label=t.map_filter_label>
            <label>
                {t.map_kind}
                " "
                <select name="kind">
                    <option value="" selected=kind.is_none()>{t.map_all_kinds}</option>
                    <option value="twin" selected=kind == Some(CityKind::Twin)>{t.map_twin_cities}</option>
                    <option value="partner" selected=kind == Some(CityKind::Partner)>{t.map_partner_cities}</option>
                </select>
            </label>
            <label>
                {t.map_status}
                " "
                <select name="status">
                    <option value="" selected=status.is_none()>{t.map_any_status}</option>
                    <option value="active" selected=status == Some(CityStatus::Active)>{t.status_active}</option>
                    <option value="suspended" selected=status == Some(CityStatus::Suspended)>{t.status_suspended}</option>
                    <option value="paused" selected=status == Some(CityStatus::Paused)>{t.status_paused}</option>
                    <option value="ended" selected=status == Some(CityStatus::Ended)>{t.status_ended}</option>
                </select>
            </label>
            <label>
                {t.map_country}
                " "
                <select name="country">
                    <option value="" selected=filter.country.is_none()>{t.map_all_countries}</option>
                    {country_options}
                </select>
            </label>
            // The label holds the words only: around the <output> as well it would hold two
            // controls, which HTML does not allow.
            <div class="year">
                <label for="map-until">{t.map_partnered_by}</label>
                " "
                <output for="map-until" data-testid="year-output">{year.clone()}</output>
                <input
                    id="map-until"
                    aria-valuetext=year
                    type="range"
                    name="until"
                    min=FIRST_YEAR
                    max=last_year
                    step="1"
                    value=filter.until.unwrap_or(last_year).to_string()
                />
            </div>
            <button type="button" class="play" hidden data-pause=t.map_pause data-play=t.map_play>
                {t.map_play}
            </button>
            <button type="submit" class="apply">{t.map_show}</button>
        </form>
    }
}

/// Every city's pin, arc and side card, inert until the island puts one on the map: the pins and
/// arcs the filter leaves out, and the cards, which only the island opens.
#[component]
fn MapParts(data: MapData, all: Vec<City>, cards: Vec<CityCard>) -> impl IntoView {
    let from = (data.home.lon, data.home.lat);
    let pins = all
        .iter()
        .map(|city| view! { <PinItem city=city.clone() grouped=false/> })
        .collect_view();
    let arcs = all.iter().map(|c| arc(from, c)).collect_view();
    let cards = cards
        .into_iter()
        .map(|card| view! { <CityCardView card/> })
        .collect_view();
    view! {
        <template id="map-parts">
            <ul class="all-pins">{pins}</ul>
            <svg class="all-arcs">{arcs}</svg>
            <div class="all-cards">{cards}</div>
        </template>
    }
}

/// A city's side card: its facts, its distance and its latest news.
#[component]
fn CityCardView(card: CityCard) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let city = card.city;
    let href = lang.href(&city.href());
    let note = (!city.status_note.is_empty()).then(|| city.status_note.clone());
    let status = match city.status {
        CityStatus::Active => None,
        CityStatus::Suspended => Some(t.partnership_suspended),
        CityStatus::Paused => Some(t.partnership_paused),
        CityStatus::Ended => Some(t.partnership_ended),
    };
    let news = (!card.news.is_empty())
        .then(|| view! { <h3>{t.map_card_latest}</h3><FeedList items=card.news level=4/> });
    view! {
        <aside class="city-card" aria-labelledby="city-card-heading" data-testid="city-card" data-slug=city.slug.clone()>
            <h2 id="city-card-heading" tabindex="-1">{city.name.clone()}</h2>
            <p>{format!("{}, {}", city.country_name, partnership_phrase(lang, &city))}</p>
            <p>{fill(t.map_km_from, &[&card.distance_km])}</p>
            {status.map(|s| view! { <p class="card-status">{s}</p> })}
            {note.map(|n| view! { <p class="card-note">{n}</p> })}
            {news}
            <p><a href=href>{fill(t.map_card_about, &[&city.name])}</a></p>
            <button type="button" data-close-card="">{t.map_card_close}</button>
        </aside>
    }
}

/// What the pins, lines and slider mean, in words. In a colour scheme of the version for the
/// visually impaired every pin has the scheme's one colour, so the states are named by shape.
#[component]
fn Legend(unknown_years: usize) -> impl IntoView {
    let t = use_lang().t();
    let (active, paused, suspended, ended) = match crate::accessibility::settings::use_settings() {
        Some(_) => (
            t.legend_active_shape,
            t.legend_paused_shape,
            t.legend_suspended_shape,
            t.legend_ended_shape,
        ),
        None => (
            t.legend_active,
            t.legend_paused,
            t.legend_suspended,
            t.legend_ended,
        ),
    };
    view! {
        <section class="map-legend" aria-labelledby="legend-heading">
            <h2 id="legend-heading">{t.legend_heading}</h2>
            <ul>
                <li><span class="pin twin active" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_round}</li>
                <li><span class="pin partner active" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_square}</li>
                <li><span class="pin twin active" aria-hidden="true"><span class="pin-shape"></span></span>" "{active}</li>
                <li><span class="pin twin paused" aria-hidden="true"><span class="pin-shape"></span></span>" "{paused}</li>
                <li><span class="pin twin suspended" aria-hidden="true"><span class="pin-shape"></span></span>" "{suspended}</li>
                <li><span class="pin twin ended" aria-hidden="true"><span class="pin-shape"></span></span>" "{ended}</li>
                <li>{t.legend_lines}</li>
                <li>{fill(t.legend_years, &[&unknown_years])}</li>
            </ul>
        </section>
    }
}
