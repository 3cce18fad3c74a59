//! Server functions of the map.

use leptos::prelude::*;

use super::{CityCard, MapData};
use crate::error::AppError;
use crate::i18n::Lang;

/// The home city, every partner city and the countries layer's address.
#[server(prefix = "/api", endpoint = "get_map")]
pub async fn get_map(#[server(default)] lang: Lang) -> Result<MapData, AppError> {
    use crate::{state::app_state, store};
    let store = app_state()?.store;
    store
        .call(move |c| {
            let Some(home) = store::cities::home_city(c, lang)? else {
                return Ok(None);
            };
            let highlight = store::cities::partner_countries(c)?;
            let today = store::items::today(c)?;
            Ok(Some(MapData {
                home,
                cities: store::cities::all_cities(c, lang)?,
                countries_url: super::base::countries_url(&highlight),
                current_year: today
                    .get(..4)
                    .and_then(|y| y.parse().ok())
                    .unwrap_or(super::FIRST_YEAR),
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// The side card of every partner city: its facts, its three latest news items and its distance
/// from the home city.
#[server(prefix = "/api", endpoint = "get_city_cards")]
pub async fn get_city_cards(#[server(default)] lang: Lang) -> Result<Vec<CityCard>, AppError> {
    use crate::{state::app_state, store};
    let store = app_state()?.store;
    store
        .call(move |c| {
            let home = store::cities::home_city(c, lang)?;
            let mut cards = Vec::new();
            for city in store::cities::all_cities(c, lang)? {
                let Some((city, news)) = store::items::city_news_page(c, lang, &city.slug, 1, 3)?
                else {
                    continue;
                };
                let distance_km = home.as_ref().map_or(0, |h| {
                    super::projection::distance_km((h.lon, h.lat), (city.lon, city.lat)).round()
                        as u32
                });
                cards.push(CityCard {
                    city,
                    news: news.items,
                    distance_km,
                });
            }
            Ok(cards)
        })
        .await
        .map_err(AppError::from)
}
