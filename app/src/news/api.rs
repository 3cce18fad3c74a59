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

/// The published item of `kind` at `slug`, with its body rendered and sanitised.
#[server]
pub async fn get_item(kind: ItemKind, slug: String) -> Result<Item, AppError> {
    use crate::{error::with_status, i18n::DEFAULT_LANG, state::app_state, store::items};
    with_status(
        async move {
            let store = app_state()?.store;
            let stored = store
                .call(move |c| items::visible_item(c, DEFAULT_LANG, kind, &slug))
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Item {
                body_html: super::markdown::render(&stored.body),
                summary: stored.summary,
                cities: stored.cities,
                tags: stored.tags,
                previous: stored.previous,
                next: stored.next,
            })
        }
        .await,
    )
}
