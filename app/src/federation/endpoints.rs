//! What other servers read: WebFinger, the actor, its outbox and collections, and each item's
//! object (a tombstone once it is no longer public). A browser asking for an actor or an object
//! is sent to the page it stands for.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::{documents, ACTIVITY_JSON};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::store;
use crate::syndication::failure;

/// Items listed in the outbox.
const OUTBOX_ITEMS: u32 = 20;

fn json(content_type: &'static str, value: &Value) -> Response {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "max-age=300")],
        value.to_string(),
    )
        .into_response()
}

fn activity_json(value: &Value) -> Response {
    json(ACTIVITY_JSON, value)
}

fn error(status: StatusCode, text: &'static str) -> Response {
    (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// Whether the client wants a page rather than a document (a browser following a link).
fn wants_page(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("text/html") && !accept.contains("json")
}

#[derive(Debug, Deserialize)]
pub struct Resource {
    resource: Option<String>,
}

/// `GET /.well-known/webfinger?resource=acct:news@host`.
pub async fn webfinger(State(state): State<AppState>, Query(query): Query<Resource>) -> Response {
    let urls = state.federation.urls();
    let Some(resource) = query.resource else {
        return error(
            StatusCode::BAD_REQUEST,
            "Name the account: ?resource=acct:user@host",
        );
    };
    let known = resource
        .strip_prefix("acct:")
        .is_some_and(|acct| acct.eq_ignore_ascii_case(&urls.handle()))
        || resource == urls.actor;
    if !known {
        return error(StatusCode::NOT_FOUND, "No such account on this portal.");
    }
    json("application/jrd+json", &documents::webfinger(urls))
}

/// `GET /federation/actor`.
pub async fn actor(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if wants_page(&headers) {
        return Redirect::to("/").into_response();
    }
    match state.federation.key(&state.store).await {
        Ok(key) => activity_json(&documents::actor(state.federation.urls(), &key.public_pem)),
        Err(e) => failure(Lang::En, &e),
    }
}

/// `GET /federation/outbox`: the newest items as `Create` activities.
pub async fn outbox(State(state): State<AppState>) -> Response {
    let urls = state.federation.urls().clone();
    let listed = state
        .store
        .call(move |c| {
            let (ids, total) = store::federation::outbox(c, OUTBOX_ITEMS)?;
            let mut items = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(item) = store::federation::visible_item(c, id)? {
                    items.push(item);
                }
            }
            Ok((items, total))
        })
        .await;
    match listed {
        Ok((items, total)) => {
            let activities = items
                .iter()
                .map(|item| {
                    let mut create = documents::activity(
                        &urls,
                        "Create",
                        format!("{}#create-{}", urls.item(item.id), item.version),
                        documents::object(&urls, item),
                    );
                    create["published"] = Value::String(item.published_at.clone());
                    if let Some(map) = create.as_object_mut() {
                        map.remove("@context");
                    }
                    create
                })
                .collect();
            activity_json(&documents::collection(&urls.outbox, total, activities))
        }
        Err(e) => failure(Lang::En, &e.into()),
    }
}

/// `GET /federation/followers`: how many, not who (followers' names are theirs to show).
pub async fn followers(State(state): State<AppState>) -> Response {
    let urls = state.federation.urls().clone();
    match state
        .store
        .call(|c| store::federation::follower_count(c))
        .await
    {
        Ok(total) => activity_json(&documents::collection(&urls.followers, total, Vec::new())),
        Err(e) => failure(Lang::En, &e.into()),
    }
}

/// `GET /federation/following`: empty; the partners followed are shown on their cities' pages.
pub async fn following(State(state): State<AppState>) -> Response {
    let urls = state.federation.urls();
    activity_json(&documents::collection(&urls.following, 0, Vec::new()))
}

/// `GET /federation/items/{id}`: the item's object, a tombstone (410) once it was withdrawn.
pub async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, "No such item.");
    };
    let found = state
        .store
        .call(move |c| {
            Ok((
                store::federation::visible_item(c, id)?,
                store::federation::is_tombstone(c, id)?,
            ))
        })
        .await;
    let urls = state.federation.urls();
    match found {
        Ok((Some(item), _)) if wants_page(&headers) => {
            Redirect::to(&item.kind.href(&item.slug)).into_response()
        }
        Ok((Some(item), _)) => {
            activity_json(&documents::with_context(documents::object(urls, &item)))
        }
        Ok((None, true)) => (
            StatusCode::GONE,
            [(CONTENT_TYPE, ACTIVITY_JSON)],
            documents::tombstone(urls, id, None).to_string(),
        )
            .into_response(),
        Ok((None, false)) => error(StatusCode::NOT_FOUND, "No such item."),
        Err(e) => failure(Lang::En, &e.into()),
    }
}
