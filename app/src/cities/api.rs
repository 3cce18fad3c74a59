//! Server functions of the partner-city pages.

use leptos::prelude::*;

use super::{City, CityProfile};
use crate::error::AppError;
use crate::i18n::Lang;

/// Every partner city, by name.
#[server(prefix = "/api", endpoint = "list_cities")]
pub async fn list_cities(#[server(default)] lang: Lang) -> Result<Vec<City>, AppError> {
    use crate::{state::app_state, store::cities};
    Ok(app_state()?
        .store
        .call(move |c| cities::all_cities(c, lang))
        .await?)
}

/// Every partner city with its partnership's latest activity (`YYYY` or `YYYY-MM-DD`), for the
/// list of cities.
#[server(prefix = "/api", endpoint = "list_cities_with_activity")]
pub async fn list_cities_with_activity(
    #[server(default)] lang: Lang,
) -> Result<Vec<(City, Option<String>)>, AppError> {
    use crate::{state::app_state, store};
    Ok(app_state()?
        .store
        .call(move |c| {
            let mut activity = store::partnerships::activity_by_slug(c)?;
            Ok(store::cities::all_cities(c, lang)?
                .into_iter()
                .map(|city| {
                    let latest = activity.remove(&city.slug).and_then(|a| a.latest);
                    (city, latest)
                })
                .collect())
        })
        .await?)
}

/// The city at `slug` with page `page` of its news.
#[server(prefix = "/api", endpoint = "get_city")]
pub async fn get_city(
    slug: String,
    page: u32,
    #[server(default)] lang: Lang,
) -> Result<CityProfile, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    /// News items on one page of a city's profile.
    const NEWS_PER_PAGE: u32 = 10;
    let store = app_state()?.store;
    let is_admin = session::current_user()
        .await?
        .is_some_and(|u| u.role == Role::Admin);
    store
        .call(move |c| {
            let found = store::items::city_news_page(c, lang, &slug, page, NEWS_PER_PAGE)?;
            let edit_version = if is_admin {
                store::cities::city_version(c, &slug)?
            } else {
                None
            };
            Ok(found.map(|(city, news)| CityProfile {
                city,
                news: news.items,
                page,
                pages: news.pages,
                edit_version,
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}
