//! Server functions of the news feed and the item pages.

use leptos::prelude::*;

use super::{Feed, Item, ItemKind};
use crate::error::AppError;
use crate::i18n::Lang;

/// Page `page` of the feed of published items passing the filters (see `FeedFilter`), newest
/// first, with the filter form's choices; `NotFound` past the end or for an unknown city or tag.
/// The filters are separate arguments so that an unset one is simply left out of the request.
#[server]
pub async fn list_news(
    city: Option<String>,
    tag: Option<String>,
    kind: Option<ItemKind>,
    year: Option<i32>,
    page: u32,
    #[server(default)] lang: Lang,
) -> Result<Feed, AppError> {
    use super::{filter::FeedFilter, FeedPage};
    use crate::{error::with_status, state::app_state, store::items};
    with_status(
        async move {
            let filter = FeedFilter {
                city,
                tag,
                kind,
                year,
            };
            let store = app_state()?.store;
            store
                .call(move |c| {
                    let choices = items::filter_choices(c, lang.code())?;
                    let lang = lang.code();
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
                    Ok(found.map(|f| Feed {
                        page: FeedPage {
                            items: f.items,
                            page,
                            pages: f.pages,
                        },
                        filter,
                        city_name: f.city_name,
                        tag_name: f.tag_name,
                        choices,
                    }))
                })
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// The item of `kind` at `slug` with its body rendered and sanitised: published items for
/// visitors; for editors any item, with its editable fields.
#[server]
pub async fn get_item(
    kind: ItemKind,
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Item, AppError> {
    use crate::editor::{images::Cover, ItemEdit};
    use crate::store::{editor, images, items};
    use crate::{auth::session, error::with_status, state::app_state};
    with_status(
        async move {
            let store = app_state()?.store;
            let is_editor = session::current_user().await?.is_some();
            let (stored, edit, cover) = store
                .call(move |c| {
                    let stored = if is_editor {
                        items::any_item(c, lang.code(), kind, &slug)?
                    } else {
                        items::visible_item(c, lang.code(), kind, &slug)?
                    };
                    let Some(stored) = stored else {
                        return Ok(None);
                    };
                    let editable = editor::editable_by_id(c, lang.code(), stored.id)?
                        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                    let cover = match &editable.fields.cover_image {
                        Some(hash) => images::get(c, hash)?
                            .map(|m| Cover::new(m, editable.fields.cover_alt.clone())),
                        None => None,
                    };
                    let edit = if is_editor {
                        let now = items::now(c)?;
                        let badge = editable
                            .badge(&now)
                            .map(|key| lang.t().get(key).unwrap_or(key).to_owned());
                        Some(ItemEdit { editable, badge })
                    } else {
                        None
                    };
                    Ok(Some((stored, edit, cover)))
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
                edit,
            })
        }
        .await,
    )
}
