//! Server functions of the news feed and the item pages.

use leptos::prelude::*;

use super::{Feed, Item, ItemKind};
use crate::error::AppError;
use crate::i18n::Lang;

/// Page `page` of the feed of published items passing the filters (see `FeedFilter`), newest
/// first, with the filter form's choices; `NotFound` past the end or for an unknown city or tag.
/// The filters are separate arguments so that an unset one is simply left out of the request.
#[server(prefix = "/api", endpoint = "list_news")]
pub async fn list_news(
    city: Option<String>,
    tag: Option<String>,
    kind: Option<ItemKind>,
    year: Option<i32>,
    page: u32,
    #[server(default)] lang: Lang,
) -> Result<Feed, AppError> {
    use super::filter::FeedFilter;
    use crate::{state::app_state, store::items};
    let filter = FeedFilter {
        city,
        tag,
        kind,
        year,
    };
    let store = app_state()?.store;
    store
        .call(move |c| {
            let choices = items::filter_choices(c, lang)?;
            if filter.is_empty() {
                return Ok(
                    items::feed_page(c, lang, page, super::PER_PAGE)?.map(|page| Feed {
                        page,
                        filter,
                        city_name: None,
                        tag_name: None,
                        choices,
                    }),
                );
            }
            let found = items::filtered_page(c, lang, &filter, page, super::PER_PAGE)?;
            Ok(found.map(|(page, names)| Feed {
                page,
                filter,
                city_name: names.city_name,
                tag_name: names.tag_name,
                choices,
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// The item of `kind` at `slug` with its body rendered and sanitised: published items for
/// visitors, any item for editors (whose edit controls come from `editor::api::get_item_edit`).
#[server(prefix = "/api", endpoint = "get_item")]
pub async fn get_item(
    kind: ItemKind,
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Item, AppError> {
    use crate::media::Cover;
    use crate::store::{images, items};
    use crate::{auth::session, state::app_state};
    let store = app_state()?.store;
    let is_editor = session::current_user().await?.is_some();
    let (stored, cover) = store
        .call(move |c| {
            let stored = if is_editor {
                items::any_item(c, lang, kind, &slug)?
            } else {
                items::visible_item(c, lang, kind, &slug)?
            };
            let Some(stored) = stored else {
                return Ok(None);
            };
            let cover = images::item_cover(c, stored.id)?.map(|(meta, alt)| Cover::new(meta, alt));
            Ok(Some((stored, cover)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Item {
        body_html: super::markdown::render(&stored.body),
        summary: stored.summary,
        cities: stored.cities,
        tags: stored.tags,
        previous: stored.previous,
        next: stored.next,
        cover,
    })
}
