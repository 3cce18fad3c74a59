//! `/map`: the interactive map. Without JavaScript it is a complete server-rendered page whose
//! pins are links and whose filters are a GET form; the [`MapExplorer`] island then zooms, pans,
//! opens a side card per city and animates the partnerships through the years. The island is
//! lazy: its code is fetched only by pages that show it.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use super::api::{get_city_card, get_map};
use super::canvas::{
    pin_class, pin_groups, pin_label, pin_position, west_to_east, CountriesPreload, MapBackdrop,
    PinGroup, View,
};
use super::{CityCard, MapData, MapFilter, FIRST_YEAR};
use crate::cities::pages::partnership_phrase;
use crate::cities::{City, CityKind, CityStatus};
use crate::i18n::{fill, use_lang, Lang};
use crate::layout::{ErrorPage, Loaded, PageMeta};
use crate::news::FeedList;

/// `/map?kind=&status=&country=&until=`.
#[component]
pub fn MapPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), move |_| get_map(lang));
    view! { <Loaded resource=data view=|data| view! { <MapView data/> }/> }
}

#[component]
fn MapView(data: MapData) -> impl IntoView {
    // The filter is checked on the server's render, so a bad URL is a real 400 page.
    let filter = match MapFilter::from_query(&use_query_map().read_untracked()) {
        Ok(filter) => filter,
        Err(error) => return view! { <ErrorPage error/> }.into_any(),
    };
    let t = use_lang().t();
    view! {
        <PageMeta title=t.map_title description=t.map_description path="/map"/>
        <CountriesPreload url=data.countries_url.clone()/>
        <h1>{t.map_heading}</h1>
        <MapExplorer data filter lang=use_lang()/>
    }
    .into_any()
}

/// The map with its filters, side card and legend. The filter lives in the island from here on:
/// each change redraws the map and rewrites the address, so the view can still be shared.
#[island(lazy)]
fn MapExplorer(data: MapData, filter: MapFilter, lang: Lang) -> impl IntoView {
    provide_context(lang);
    let filter = RwSignal::new(filter);
    let all = StoredValue::new(west_to_east(data.cities.clone()));
    let shown = Signal::derive(move || {
        filter.with(|filter| {
            all.with_value(|cities| {
                cities
                    .iter()
                    .filter(|c| filter.matches(c))
                    .cloned()
                    .collect()
            })
        })
    });
    let total = data.cities.len();
    let unknown_years = data
        .cities
        .iter()
        .filter(|c| c.since_year.is_none())
        .count();
    let card = RwSignal::new(None::<CityCard>);
    let view = RwSignal::new(View::default());
    let hydrated = RwSignal::new(false);
    crate::client_effect(move || hydrated.set(true));
    let t = lang.t();
    let close_card = move || {
        if let Some(slug) = card.get_untracked().map(|c| c.city.slug) {
            card.set(None);
            focus_pin(&slug);
        }
    };
    view! {
        <div
            class="map-layout"
            data-island-ready=move || hydrated.get().then_some("")
            on:keydown=move |ev: ev::KeyboardEvent| {
                if ev.key() == "Escape" && card.get_untracked().is_some() {
                    close_card();
                }
            }
        >
            <Filters data=data.clone() filter hydrated/>
            <p class="map-count" aria-live="polite" data-testid="map-count">
                {move || fill(t.map_showing, &[&shown.with(Vec::len), &total])}
            </p>
            <div class="map-stage">
                <MapFrame data view hydrated shown card/>
                <CardPanel card on_close=close_card/>
            </div>
            <Legend unknown_years/>
        </div>
    }
}

/// The framed, zoomable drawing with its pins and zoom buttons.
#[component]
fn MapFrame(
    data: MapData,
    view: RwSignal<View>,
    hydrated: RwSignal<bool>,
    shown: Signal<Vec<City>>,
    card: RwSignal<Option<CityCard>>,
) -> impl IntoView {
    let drag = StoredValue::new(None::<(f64, f64, View)>);
    let frame = NodeRef::<leptos::html::Div>::new();
    let size = move || {
        frame
            .get_untracked()
            .map(|el| {
                let r = el.get_bounding_client_rect();
                (r.left(), r.top(), r.width().max(1.0), r.height().max(1.0))
            })
            .unwrap_or((0.0, 0.0, 1.0, 1.0))
    };
    let zoom_by = move |factor: f64| {
        view.update(|v| {
            *v = View {
                zoom: v.zoom * factor,
                ..*v
            }
            .clamped()
        })
    };
    let pan_by = move |dx: f64, dy: f64| {
        view.update(|v| {
            *v = View {
                cx: v.cx + dx / v.zoom,
                cy: v.cy + dy / v.zoom,
                ..*v
            }
            .clamped()
        })
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let step = 0.1;
        match ev.key().as_str() {
            "ArrowLeft" => pan_by(-step, 0.0),
            "ArrowRight" => pan_by(step, 0.0),
            "ArrowUp" => pan_by(0.0, -step),
            "ArrowDown" => pan_by(0.0, step),
            "+" | "=" => zoom_by(1.5),
            "-" | "_" => zoom_by(1.0 / 1.5),
            _ => return,
        }
        ev.prevent_default();
    };
    let on_wheel = move |ev: ev::WheelEvent| {
        ev.prevent_default();
        let (left, top, width, height) = size();
        let (px, py) = (
            (ev.client_x() as f64 - left) / width,
            (ev.client_y() as f64 - top) / height,
        );
        let factor = if ev.delta_y() < 0.0 { 1.25 } else { 0.8 };
        view.update(|v| *v = zoom_around(*v, factor, px, py));
    };
    let on_down = move |ev: ev::PointerEvent| {
        if ev.is_primary() {
            drag.set_value(Some((
                ev.client_x() as f64,
                ev.client_y() as f64,
                view.get_untracked(),
            )));
        }
    };
    let on_move = move |ev: ev::PointerEvent| {
        let Some((x0, y0, start)) = drag.get_value() else {
            return;
        };
        let (_, _, width, height) = size();
        let (dx, dy) = (
            (ev.client_x() as f64 - x0) / width,
            (ev.client_y() as f64 - y0) / height,
        );
        if dx.abs() + dy.abs() > 0.005 {
            view.set(
                View {
                    cx: start.cx - dx / start.zoom,
                    cy: start.cy - dy / start.zoom,
                    ..start
                }
                .clamped(),
            );
        }
    };
    let on_up = move |_: ev::PointerEvent| drag.set_value(None);
    let lang = use_lang();
    let t = lang.t();
    let open = move |slug: String| {
        spawn_local(async move {
            if let Ok(found) = get_city_card(slug, lang).await {
                card.set(Some(found));
            }
        });
    };
    // On a phone, pins that would overlap show as one per group (see the stylesheet).
    let groups = Memo::new(move |_| {
        let mut groups = pin_groups(&shown.get());
        groups.retain(|g| g.cities.len() > 1);
        groups
    });
    let grouped = Memo::new(move |_| {
        groups.with(|g| {
            g.iter()
                .flat_map(|g| g.cities.iter().map(|c| c.slug.clone()))
                .collect::<std::collections::HashSet<String>>()
        })
    });
    view! {
        <div class="map-box">
        <div
            class="map-frame"
            node_ref=frame
            role="region"
            aria-label=t.map_region
            tabindex="0"
            on:keydown=on_key
            on:wheel=on_wheel
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointerleave=on_up
        >
            <div class="map-canvas" data-testid="map-canvas" data-zoom=move || format!("{:.2}", view.get().zoom) style=move || view.get().transform()>
                <MapBackdrop countries_url=data.countries_url home=data.home cities=shown/>
                <ul class="map-pins">
                    <For
                        each=move || shown.get()
                        key=|c| c.slug.clone()
                        children=move |city| {
                            let slug = city.slug.clone();
                            let grouped_slug = city.slug.clone();
                            let class = pin_class(&city);
                            let class = move || {
                                if grouped.with(|g| g.contains(&grouped_slug)) {
                                    format!("{class} grouped")
                                } else {
                                    class.clone()
                                }
                            };
                            view! {
                                <li>
                                    <a
                                        class=class
                                        style=pin_position(&city)
                                        href=lang.href(&city.href())
                                        aria-label=pin_label(lang, &city)
                                        data-testid="pin"
                                        data-slug=city.slug.clone()
                                        on:click=move |ev: ev::MouseEvent| {
                                            ev.prevent_default();
                                            open(slug.clone());
                                        }
                                    >
                                        <span class="pin-shape"></span>
                                    </a>
                                </li>
                            }
                        }
                    />
                    <For
                        each=move || groups.get()
                        key=PinGroup::key
                        children=move |group| view! { <GroupPin group open view/> }
                    />
                </ul>
            </div>
        </div>
        // Beside the drawing rather than in it, so that on a phone they cover no pin.
        <Show when=move || hydrated.get()>
            <div class="map-zoom">
                <button type="button" aria-label=t.map_zoom_in on:click=move |_| zoom_by(1.5)>"+"</button>
                <button type="button" aria-label=t.map_zoom_out on:click=move |_| zoom_by(1.0 / 1.5)>"−"</button>
                <button type="button" on:click=move |_| view.set(View::default())>{t.map_reset}</button>
            </div>
        </Show>
        </div>
    }
}

/// The pins of cities too near to tell apart on a phone, as one disclosure listing them: without
/// JavaScript it opens a list of links to the cities' pages; with it, the map zooms in on the
/// group, where its pins stand apart, and the first of them takes the focus.
#[component]
fn GroupPin(
    group: PinGroup,
    open: impl Fn(String) + Copy + Send + Sync + 'static,
    view: RwSignal<View>,
) -> impl IntoView {
    let lang = use_lang();
    let names: Vec<&str> = group.cities.iter().map(|c| c.name.as_str()).collect();
    let label = fill(
        lang.t().map_group,
        &[&group.cities.len(), &names.join(", ")],
    );
    let (fx, fy) = group.centre();
    let first = group
        .cities
        .first()
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let zoom_in = move |ev: ev::MouseEvent| {
        ev.prevent_default();
        view.set(View::centred_on(fx, fy, GROUP_ZOOM));
        // After the zoom is drawn: until then the group's pins are hidden and take no focus.
        let first = first.clone();
        request_animation_frame(move || focus_pin(&first));
    };
    view! {
        <li class="map-group" style=group.position()>
            <details>
                <summary aria-label=label data-testid="pin-group" on:click=zoom_in>
                    <span aria-hidden="true">{group.cities.len()}</span>
                </summary>
                <ul>
                    {group
                        .cities
                        .iter()
                        .map(|city| {
                            let slug = city.slug.clone();
                            view! {
                                <li>
                                    <a
                                        href=lang.href(&city.href())
                                        on:click=move |ev: ev::MouseEvent| {
                                            ev.prevent_default();
                                            open(slug.clone());
                                        }
                                    >
                                        {city.name.clone()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </details>
        </li>
    }
}

/// How far the map zooms in on a group of pins.
const GROUP_ZOOM: f64 = 4.0;

/// Moves the keyboard focus back to the pin of `slug`, where the visitor was before the card.
fn focus_pin(slug: &str) {
    use leptos::wasm_bindgen::JsCast;
    let pin = document()
        .query_selector(&format!("a[data-slug=\"{slug}\"]"))
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(pin) = pin {
        let _ = pin.focus();
    }
}

/// The view after zooming by `factor` around the point at frame fractions (`px`, `py`), which
/// stays where it is on screen.
fn zoom_around(v: View, factor: f64, px: f64, py: f64) -> View {
    let zoom = (v.zoom * factor).clamp(1.0, super::canvas::MAX_ZOOM);
    // Drawing point under the cursor, then the centre that keeps it there.
    let qx = v.cx + (px - 0.5) / v.zoom;
    let qy = v.cy + (py - 0.5) / v.zoom;
    View {
        zoom,
        cx: qx - (px - 0.5) / zoom,
        cy: qy - (py - 0.5) / zoom,
    }
    .clamped()
}

/// The filter form: a plain GET form that, once hydrated, applies every change at once.
#[component]
fn Filters(data: MapData, filter: RwSignal<MapFilter>, hydrated: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let apply = move |f: MapFilter| {
        show_in_address(lang, &format!("/map{}", f.to_query()));
        filter.set(f);
    };
    let current = move || filter.get();
    // Event handlers run outside any reactive context: they read the filter without tracking.
    let now = move || filter.get_untracked();
    let last_year = data.current_year;
    // Values are the stored (English) country, so a shared link works in either language.
    let mut countries: Vec<(String, String)> = data
        .cities
        .iter()
        .map(|c| (c.country_name.clone(), c.country.clone()))
        .collect();
    countries.sort();
    countries.dedup();
    let year = move || current().until.unwrap_or(last_year);
    let set_year = {
        move |y: i32| {
            let until = (y < last_year).then_some(y);
            apply(MapFilter { until, ..now() });
        }
    };
    let playing = StoredValue::new(None::<IntervalHandle>);
    let toggle_play = {
        move |_| {
            if let Some(handle) = playing.get_value() {
                handle.clear();
                playing.set_value(None);
                return;
            }
            let first = if let Some(year) = now().until {
                year
            } else {
                FIRST_YEAR - 1
            };
            let y = std::cell::Cell::new(first);
            let handle = set_interval_with_handle(
                move || {
                    y.set(y.get() + 1);
                    let y = y.get();
                    set_year(y.min(last_year));
                    if y >= last_year {
                        if let Some(h) = playing.get_value() {
                            h.clear();
                        }
                        playing.set_value(None);
                    }
                },
                std::time::Duration::from_millis(250),
            );
            playing.set_value(handle.ok());
        }
    };
    let on_kind = {
        move |ev: ev::Event| {
            apply(MapFilter {
                kind: CityKind::from_db(&event_target_value(&ev)),
                ..now()
            })
        }
    };
    let on_status = {
        move |ev: ev::Event| {
            apply(MapFilter {
                status: CityStatus::from_db(&event_target_value(&ev)),
                ..now()
            })
        }
    };
    let on_country = move |ev: ev::Event| {
        let country = Some(event_target_value(&ev)).filter(|c| !c.is_empty());
        apply(MapFilter { country, ..now() })
    };
    let on_year = move |ev: ev::Event| {
        if let Ok(y) = event_target_value(&ev).parse() {
            set_year(y);
        }
    };
    view! {
        <form class="map-filters" method="get" action=lang.href("/map") aria-label=t.map_filter_label>
            <label>
                {t.map_kind}
                " "
                <select name="kind" on:change=on_kind prop:value=move || current().kind.map_or("", |k| k.as_str())>
                    <option value="" selected=move || current().kind.is_none()>{t.map_all_kinds}</option>
                    <option value="twin" selected=move || current().kind == Some(CityKind::Twin)>{t.map_twin_cities}</option>
                    <option value="partner" selected=move || current().kind == Some(CityKind::Partner)>{t.map_partner_cities}</option>
                </select>
            </label>
            <label>
                {t.map_status}
                " "
                <select name="status" on:change=on_status prop:value=move || current().status.map_or("", |s| s.as_str())>
                    <option value="" selected=move || current().status.is_none()>{t.map_any_status}</option>
                    <option value="active" selected=move || current().status == Some(CityStatus::Active)>{t.status_active}</option>
                    <option value="suspended" selected=move || current().status == Some(CityStatus::Suspended)>{t.status_suspended}</option>
                    <option value="paused" selected=move || current().status == Some(CityStatus::Paused)>{t.status_paused}</option>
                </select>
            </label>
            <label>
                {t.map_country}
                " "
                <select name="country" on:change=on_country prop:value=move || current().country.unwrap_or_default()>
                    <option value="" selected=move || current().country.is_none()>{t.map_all_countries}</option>
                    {countries
                        .into_iter()
                        .map(|(label, c)| {
                            let value = c.clone();
                            view! {
                                <option value=c selected=move || current().country.as_deref() == Some(value.as_str())>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            // The label names the slider explicitly: wrapped around an <output>, it would name that.
            <label class="year" for="map-until">
                {t.map_partnered_by}
                " "
                <output for="map-until" data-testid="year-output">
                    {move || current().until.map_or_else(|| t.map_today.to_owned(), |y| y.to_string())}
                </output>
                <input
                    id="map-until"
                    aria-valuetext=move || current().until.map_or_else(|| t.map_today.to_owned(), |y| y.to_string())
                    type="range"
                    name="until"
                    min=FIRST_YEAR
                    max=last_year
                    step="1"
                    prop:value=move || year().to_string()
                    value=now().until.unwrap_or(last_year).to_string()
                    on:input=on_year
                />
            </label>
            <Show when=move || hydrated.get()>
                <button type="button" class="play" on:click=toggle_play>
                    {move || if playing.with_value(Option::is_some) { t.map_pause } else { t.map_play }}
                </button>
            </Show>
            <button type="submit" class="apply">{t.map_show}</button>
        </form>
    }
}

/// Puts `path` (in its English form) in the address bar in place of the current address, and in
/// the language switch (the map's state is already on screen; a new history entry per slider step
/// would make Back useless).
fn show_in_address(lang: Lang, path: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(history) = window().history() {
            let href = lang.href(path);
            let _ = history.replace_state_with_url(
                &leptos::wasm_bindgen::JsValue::NULL,
                "",
                Some(&href),
            );
        }
        if let Some(switch) = document().get_element_by_id("lang-switch") {
            let _ = switch.set_attribute("href", &lang.other().href(path));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (lang, path);
}

/// The side card of the selected city.
#[component]
fn CardPanel(
    card: RwSignal<Option<CityCard>>,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    let lang = use_lang();
    let t = lang.t();
    crate::client_effect(move || {
        if card.with(Option::is_some) {
            if let Some(h) = heading.get() {
                let _ = h.focus();
            }
        }
    });
    move || {
        card.get().map(|c| {
            let city = c.city;
            let href = lang.href(&city.href());
            let note = (!city.status_note.is_empty()).then(|| city.status_note.clone());
            let status = match city.status {
                CityStatus::Active => None,
                CityStatus::Suspended => Some(t.partnership_suspended),
                CityStatus::Paused => Some(t.partnership_paused),
            };
            view! {
                <aside class="city-card" aria-labelledby="city-card-heading" data-testid="city-card">
                    <h2 id="city-card-heading" tabindex="-1" node_ref=heading>{city.name.clone()}</h2>
                    <p>{format!("{}, {}", city.country_name, partnership_phrase(lang, &city))}</p>
                    <p>{fill(t.map_km_from, &[&c.distance_km])}</p>
                    {status.map(|s| view! { <p class="card-status">{s}</p> })}
                    {note.map(|n| view! { <p class="card-note">{n}</p> })}
                    {(!c.news.is_empty()).then(|| view! { <h3>{t.map_card_latest}</h3><FeedList items=c.news.clone() level=4/> })}
                    <p><a href=href>{fill(t.map_card_about, &[&city.name])}</a></p>
                    <button type="button" on:click=move |_| on_close()>{t.map_card_close}</button>
                </aside>
            }
        })
    }
}

/// What the pins, lines and slider mean, in words.
#[component]
fn Legend(unknown_years: usize) -> impl IntoView {
    let t = use_lang().t();
    view! {
        <section class="map-legend" aria-labelledby="legend-heading">
            <h2 id="legend-heading">{t.legend_heading}</h2>
            <ul>
                <li><span class="pin twin active" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_round}</li>
                <li><span class="pin partner active" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_square}</li>
                <li><span class="pin twin active" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_active}</li>
                <li><span class="pin twin paused" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_paused}</li>
                <li><span class="pin twin suspended" aria-hidden="true"><span class="pin-shape"></span></span>" "{t.legend_suspended}</li>
                <li>{t.legend_lines}</li>
                <li>{fill(t.legend_years, &[&unknown_years])}</li>
            </ul>
        </section>
    }
}
