//! Server functions of the news feed and the item pages.

use leptos::prelude::*;

use super::{FeedPage, Item, ItemKind};
use crate::error::AppError;

/// Page `page` of the feed of all published items, newest first; `NotFound` past the end.
#[server]
pub async fn list_news(page: u32) -> Result<FeedPage, AppError> {
    use crate::{error::with_status, i18n::DEFAULT_LANG, state::app_state, store::items};
    with_status(
        async move {
            let store = app_state()?.store;
            store
                .call(move |c| items::feed_page(c, DEFAULT_LANG, page, super::PER_PAGE))
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// The item of `kind` at `slug` with its body rendered and sanitised: published items for
/// visitors; for editors any item, with its editable fields.
#[server]
pub async fn get_item(kind: ItemKind, slug: String) -> Result<Item, AppError> {
    use crate::editor::{images::Cover, ItemEdit};
    use crate::store::{editor, images, items};
    use crate::{auth::session, error::with_status, i18n::DEFAULT_LANG, state::app_state};
    with_status(
        async move {
            let store = app_state()?.store;
            let is_editor = session::current_user().await?.is_some();
            let (stored, edit, cover) = store
                .call(move |c| {
                    let lang = DEFAULT_LANG;
                    let stored = if is_editor {
                        items::any_item(c, lang, kind, &slug)?
                    } else {
                        items::visible_item(c, lang, kind, &slug)?
                    };
                    let Some(stored) = stored else {
                        return Ok(None);
                    };
                    let editable = editor::editable_by_id(c, lang, stored.id)?
                        .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                    let cover = match &editable.fields.cover_image {
                        Some(hash) => images::get(c, hash)?.map(|m| Cover {
                            hash: m.hash,
                            alt: editable.fields.cover_alt.clone(),
                            width: m.width,
                            height: m.height,
                            widths: m.widths,
                        }),
                        None => None,
                    };
                    let edit = if is_editor {
                        let now = items::now(c)?;
                        let badge = editable.badge(&now).map(str::to_owned);
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
