//! `/cities`, the list of partner cities, and `/cities/{slug}`, a city's profile.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::list_cities_with_activity;
use super::map::MapPreview;
use super::{City, CityKind, CityProfile, CityStatus};
use crate::error::AppError;
use crate::i18n::{fill, use_lang, Key, Lang};
use crate::layout::{json_string, ErrorPage, JsonLd, PageMeta};
use crate::news::FeedList;
use crate::pager::{page_href, Pager};

/// "twin city since 1988", "partner city, year unknown".
pub fn partnership_phrase(lang: Lang, city: &City) -> String {
    let t = lang.t();
    let kind = match city.kind {
        CityKind::Twin => t.kind_twin,
        CityKind::Partner => t.kind_partner,
    };
    match city.since_year {
        Some(year) => fill(t.since_year, &[&kind, &year]),
        None => fill(t.year_unknown, &[&kind]),
    }
}

/// The status as a table cell or fact shows it.
pub fn status_label(lang: Lang, status: CityStatus) -> &'static str {
    let t = lang.t();
    match status {
        CityStatus::Active => t.status_active,
        CityStatus::Suspended => t.status_suspended,
        CityStatus::Paused => t.status_paused,
        CityStatus::Ended => t.status_ended,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Country,
    Year,
    /// The latest activity first; partnerships with none last.
    Activity,
}

impl SortBy {
    /// Reads the `sort` query value; absent means by name.
    pub fn parse(raw: Option<String>) -> Result<Self, AppError> {
        match raw.as_deref().unwrap_or("") {
            "" | "name" => Ok(Self::Name),
            "country" => Ok(Self::Country),
            "year" => Ok(Self::Year),
            "activity" => Ok(Self::Activity),
            _ => Err(AppError::invalid("sort", Key::ErrSort)),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Country => "country",
            Self::Year => "year",
            Self::Activity => "activity",
        }
    }

    /// Sorts `cities` (each with its latest activity) by this column, then by name; unknown
    /// years and no activity go last.
    pub fn sort(self, cities: &mut [(City, Option<String>)]) {
        let by_name = |a: &City, b: &City| a.name.to_lowercase().cmp(&b.name.to_lowercase());
        match self {
            Self::Name => cities.sort_by(|(a, _), (b, _)| by_name(a, b)),
            Self::Country => cities
                .sort_by(|(a, _), (b, _)| a.country_name.cmp(&b.country_name).then(by_name(a, b))),
            Self::Year => cities.sort_by(|(a, _), (b, _)| {
                let year = |c: &City| c.since_year.unwrap_or(i32::MAX);
                year(a).cmp(&year(b)).then(by_name(a, b))
            }),
            Self::Activity => cities.sort_by(|(a, x), (b, y)| {
                // `None` sorts before any date, so comparing the other way round puts it last.
                y.cmp(x).then(by_name(a, b))
            }),
        }
    }
}

/// `/cities?sort=name|country|year`.
#[component]
pub fn CitiesPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let cities = Resource::new(|| (), move |_| list_cities_with_activity(lang));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                let sort = SortBy::parse(query.read().get("sort"));
                match (cities.await, sort) {
                    (Ok(cities), Ok(sort)) => view! { <CitiesView cities sort/> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SortHeader(column: SortBy, current: SortBy, label: &'static str) -> impl IntoView {
    let sorted = (column == current).then_some("ascending");
    view! {
        <th scope="col" aria-sort=sorted>
            <a href=use_lang().href(&format!("/cities?sort={}", column.key()))>{label}</a>
        </th>
    }
}

#[component]
fn CitiesView(mut cities: Vec<(City, Option<String>)>, sort: SortBy) -> impl IntoView {
    sort.sort(&mut cities);
    let lang = use_lang();
    let t = lang.t();
    let count = cities.len();
    let rows = cities
        .into_iter()
        .map(|(city, activity)| {
            let activity = activity.map_or_else(
                || t.activity_never.to_owned(),
                |d| crate::i18n::format_date(lang, &d),
            );
            let since = city
                .since_year
                .map_or_else(|| t.year_unknown_short.to_owned(), |y| y.to_string());
            let kind = match city.kind {
                CityKind::Twin => t.kind_twin_cap,
                CityKind::Partner => t.kind_partner_cap,
            };
            view! {
                <tr>
                    <th scope="row"><a href=lang.href(&city.href())>{city.name.clone()}</a></th>
                    <td>{city.country_name.clone()}</td>
                    <td>{kind}</td>
                    <td>{since}</td>
                    <td>{status_label(lang, city.status)}</td>
                    <td>{activity}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PageMeta
            title=t.cities_title
            description=t.cities_description
            path="/cities"
        />
        <h1>{t.cities_title}</h1>
        <p>
            {lang.plural(count as u64, t.cities_count)}
            " "
            <a href=lang.href("/map")>{t.cities_see_map}</a>
            "."
        </p>
        <div class="table-scroll">
            <table class="cities" data-testid="cities-table">
                <caption>{t.cities_caption}</caption>
                <thead>
                    <tr>
                        <SortHeader column=SortBy::Name current=sort label=t.col_city/>
                        <SortHeader column=SortBy::Country current=sort label=t.col_country/>
                        <th scope="col">{t.col_kind}</th>
                        <SortHeader column=SortBy::Year current=sort label=t.col_since/>
                        <th scope="col">{t.col_status}</th>
                        <SortHeader column=SortBy::Activity current=sort label=t.col_activity/>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A city's profile as visitors see it (`routes.rs` adds an admin's edit controls and the
/// `partnership` section, shown between the facts and the news).
#[component]
pub fn CityFacts(
    profile: CityProfile,
    #[prop(optional)] partnership: Option<AnyView>,
) -> impl IntoView {
    let city = profile.city;
    let lang = use_lang();
    let t = lang.t();
    let phrase = partnership_phrase(lang, &city);
    let description = fill(
        t.city_description,
        &[&city.name, &city.country_name, &phrase],
    );
    let banner = (city.status != CityStatus::Active).then(|| {
        let note = (!city.status_note.is_empty()).then(|| city.status_note.clone());
        let heading = match city.status {
            CityStatus::Paused => t.partnership_paused,
            CityStatus::Ended => t.partnership_ended,
            _ => t.partnership_suspended,
        };
        view! {
            <div class="status-banner" role="status" data-testid="status-banner">
                <strong>{heading}</strong>
                {note.map(|n| view! { <p>{n}</p> })}
            </div>
        }
    });
    let base = city.href();
    let news = if profile.news.is_empty() {
        view! { <p class="empty">{t.city_no_news}</p> }.into_any()
    } else {
        view! {
            <FeedList items=profile.news level=3/>
            <Pager current=profile.page pages=profile.pages base=lang.href(&base)/>
        }
        .into_any()
    };
    view! {
        <PageMeta title=city.name.clone() description path=page_href(&base, profile.page)/>
        <article class="city">
            <JsonLd
                kind="Place"
                fields=vec![
                    ("name", json_string(&city.name)),
                    (
                        "address",
                        format!(
                            "{{\"@type\":\"PostalAddress\",\"addressCountry\":{}}}",
                            json_string(&city.country_name),
                        ),
                    ),
                    (
                        "geo",
                        format!(
                            "{{\"@type\":\"GeoCoordinates\",\"latitude\":{},\"longitude\":{}}}",
                            city.lat,
                            city.lon,
                        ),
                    ),
                ]
            />
            <h1>{city.name.clone()}</h1>
            <p class="kicker">{format!("{}, {}", city.country_name, phrase)}</p>
            {banner}
            <div class="city-locator">
                <MapPreview focus=(city.lon, city.lat)/>
            </div>
            <dl class="facts">
                <dt>{t.fact_country}</dt>
                <dd>
                    {city.country_name.clone()}
                    {(!city.country_note.is_empty()).then(|| format!(" ({})", city.country_note))}
                </dd>
                <dt>{t.fact_partnership}</dt>
                <dd>{phrase.clone()}</dd>
                <dt>{t.fact_status}</dt>
                <dd>{status_label(lang, city.status)}</dd>
            </dl>
            {partnership}
            <section aria-labelledby="city-news-heading">
                <h2 id="city-news-heading">{fill(t.city_news, &[&city.name])}</h2>
                <p><a href=lang.href(&format!("/news?city={}", city.slug))>{t.city_all_news}</a></p>
                {news}
            </section>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(name: &str, country: &str, since: Option<i32>) -> City {
        City {
            slug: name.to_lowercase(),
            name: name.into(),
            country: country.into(),
            country_name: country.into(),
            country_note: String::new(),
            kind: CityKind::Twin,
            since_year: since,
            status: CityStatus::Active,
            status_note: String::new(),
            status_changes: Vec::new(),
            lat: 0.0,
            lon: 0.0,
        }
    }

    fn names(cities: &[(City, Option<String>)]) -> Vec<&str> {
        cities.iter().map(|(c, _)| c.name.as_str()).collect()
    }

    #[test]
    fn sorts_by_each_column() {
        let mut cities = vec![
            (city("Turin", "Italy", Some(1961)), Some("2020-12".into())),
            (city("Jilin", "China", None), None),
            (
                city("Chengdu", "China", Some(2011)),
                Some("2023-05-01".into()),
            ),
            (
                city("Coventry", "United Kingdom", Some(1944)),
                Some("2022-03-22".into()),
            ),
        ];
        SortBy::Name.sort(&mut cities);
        assert_eq!(names(&cities), ["Chengdu", "Coventry", "Jilin", "Turin"]);
        SortBy::Country.sort(&mut cities);
        assert_eq!(names(&cities), ["Chengdu", "Jilin", "Turin", "Coventry"]);
        SortBy::Year.sort(&mut cities);
        assert_eq!(names(&cities), ["Coventry", "Turin", "Chengdu", "Jilin"]);
        SortBy::Activity.sort(&mut cities);
        assert_eq!(names(&cities), ["Chengdu", "Coventry", "Turin", "Jilin"]);
    }

    #[test]
    fn unknown_sort_is_a_400() {
        assert_eq!(SortBy::parse(None), Ok(SortBy::Name));
        assert_eq!(SortBy::parse(Some("year".into())), Ok(SortBy::Year));
        assert_eq!(
            SortBy::parse(Some("size".into())).unwrap_err().status(),
            400
        );
    }

    #[test]
    fn partnership_phrase_names_unknown_years() {
        assert_eq!(
            partnership_phrase(Lang::En, &city("Jilin", "China", None)),
            "twin city, year unknown"
        );
        assert_eq!(
            partnership_phrase(Lang::En, &city("Turin", "Italy", Some(1961))),
            "twin city since 1961"
        );
    }
}
