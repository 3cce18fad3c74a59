//! `/partnerships`, every partnership in one table with the map's filters, and
//! `/partnerships/quiet`, the editors' worklist of partnerships with nothing lately.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{list_partnerships, list_quiet_partnerships};
use super::PartnershipRow;
use crate::cities::map::MapFilter;
use crate::cities::status_label;
use crate::cities::{CityKind, CityStatus};
use crate::i18n::format_date;
use crate::i18n::{fill, use_lang};
use crate::layout::{ErrorPage, PageMeta};

/// `/partnerships?kind=&status=&country=&until=`.
#[component]
pub fn PartnershipsPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let rows = Resource::new(|| (), move |_| list_partnerships(lang));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                let filter = MapFilter::from_query(&query.read());
                match (rows.await, filter) {
                    (Ok(rows), Ok(filter)) => view! { <PartnershipsView rows filter/> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PartnershipsView(rows: Vec<PartnershipRow>, filter: MapFilter) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let mut countries: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.city.country_name.clone(), r.city.country.clone()))
        .collect();
    countries.sort();
    countries.dedup();
    let shown: Vec<PartnershipRow> = rows
        .into_iter()
        .filter(|r| filter.matches(&r.city))
        .collect();
    let count = shown.len();
    view! {
        <PageMeta title=t.partnerships_title description=t.partnerships_description path="/partnerships"/>
        <h1>{t.partnerships_title}</h1>
        <p>{t.partnerships_intro}</p>
        <PartnershipFilters filter=filter.clone() countries/>
        <p role="status" data-testid="partnership-count">{lang.plural(count as u64, t.partnerships_count)}</p>
        <PartnershipTable rows=shown at=filter.until caption=t.partnerships_caption worklist=false/>
        <p><a href=lang.href("/open-data/partnerships.csv")>{t.open_data_csv}</a></p>
    }
}

/// The map's filters as a plain form; the year is typed rather than slid.
#[component]
fn PartnershipFilters(filter: MapFilter, countries: Vec<(String, String)>) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let kind = filter.kind;
    let status = filter.status;
    let status_options = CityStatus::ALL
        .iter()
        .map(|s| view! { <option value=s.as_str() selected=status == Some(*s)>{status_label(lang, *s)}</option> })
        .collect_view();
    let country_options = countries
        .into_iter()
        .map(|(label, c)| {
            let selected = filter.country.as_deref() == Some(c.as_str());
            view! { <option value=c selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <form class="filters" method="get" action=lang.href("/partnerships") aria-label=t.map_filter_label>
            <span class="filter">
                <label for="p-kind">{t.map_kind}</label>
                <select id="p-kind" name="kind">
                    <option value="" selected=kind.is_none()>{t.map_all_kinds}</option>
                    <option value="twin" selected=kind == Some(CityKind::Twin)>{t.map_twin_cities}</option>
                    <option value="partner" selected=kind == Some(CityKind::Partner)>{t.map_partner_cities}</option>
                </select>
            </span>
            <span class="filter">
                <label for="p-status">{t.map_status}</label>
                <select id="p-status" name="status">
                    <option value="" selected=status.is_none()>{t.map_any_status}</option>
                    {status_options}
                </select>
            </span>
            <span class="filter">
                <label for="p-country">{t.map_country}</label>
                <select id="p-country" name="country">
                    <option value="" selected=filter.country.is_none()>{t.map_all_countries}</option>
                    {country_options}
                </select>
            </span>
            <span class="filter">
                <label for="p-until">{t.partnerships_by_year}</label>
                <input
                    id="p-until"
                    name="until"
                    type="number"
                    inputmode="numeric"
                    min=crate::cities::map::FIRST_YEAR
                    max="2199"
                    value=filter.until.map(|y| y.to_string())
                />
            </span>
            <button type="submit" class="button">{t.map_show}</button>
        </form>
    }
}

/// The partnerships in `rows` as a table, each status as at the end of `at` (today if `None`).
/// The editors' `worklist` also marks quiet partnerships and those without a plan: signals for
/// the department's work, which visitors would read as every tie being dormant.
#[component]
fn PartnershipTable(
    rows: Vec<PartnershipRow>,
    at: Option<i32>,
    caption: &'static str,
    worklist: bool,
) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let body = rows
        .into_iter()
        .map(|row| {
            let city = &row.city;
            let since = city
                .since_year
                .map_or_else(|| t.year_unknown_short.to_owned(), |y| y.to_string());
            let activity = row
                .activity
                .latest
                .as_deref()
                .map_or_else(|| t.activity_never.to_owned(), |d| format_date(lang, d));
            let quiet = (worklist && row.activity.quiet)
                .then(|| view! { " " <span class="badge">{t.quiet_badge}</span> });
            let plan = if row.plan.total() == 0 {
                if worklist { t.plan_empty_short } else { "" }.to_owned()
            } else {
                fill(t.plan_short, &[&row.plan.done, &row.plan.total()])
            };
            view! {
                <tr data-slug=city.slug.clone()>
                    <th scope="row"><a href=lang.href(&city.href())>{city.name.clone()}</a></th>
                    <td>{city.country_name.clone()}</td>
                    <td>{since}</td>
                    <td data-testid="status">{status_label(lang, city.status_at(at))}</td>
                    <td>{activity}{quiet}</td>
                    <td>{plan}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="cities" data-testid="partnerships-table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.col_city}</th>
                        <th scope="col">{t.col_country}</th>
                        <th scope="col">{t.col_since}</th>
                        <th scope="col">{t.col_status}</th>
                        <th scope="col">{t.col_activity}</th>
                        <th scope="col">{t.col_plan}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// `/partnerships/quiet`: editors only.
#[component]
pub fn QuietPage() -> impl IntoView {
    let lang = use_lang();
    let rows = Resource::new(|| (), move |_| list_quiet_partnerships(lang));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) => view! { <QuietView rows/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn QuietView(rows: Vec<PartnershipRow>) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let count = rows.len();
    let table = if rows.is_empty() {
        view! { <p class="empty">{t.quiet_none}</p> }.into_any()
    } else {
        view! { <PartnershipTable rows at=None caption=t.quiet_caption worklist=true/> }.into_any()
    };
    view! {
        <PageMeta title=t.quiet_title description=t.quiet_intro path="/partnerships/quiet"/>
        <h1>{t.quiet_title}</h1>
        <p>{fill(t.quiet_intro_count, &[&lang.plural(count as u64, t.partnerships_count), &super::QUIET_MONTHS])}</p>
        {table}
    }
}
