//! `POST /federation/inbox`: what other servers send the portal. Every request is verified
//! before anything is read from it — bounded body, signature over target, this portal's host,
//! date and digest, a date within the window, the key's owner being the activity's actor, no
//! replays — and rate-limited per server; a signer's key is fetched only within the bounds of
//! `gate`. Then: follows are accepted (and undone only by their own sender), answers to the
//! portal's follows recorded, and posts of followed partner portals and replies kept for
//! moderation, within the caps of what may wait.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::StatusCode;
use serde_json::Value;

use super::gate::Closed;
use super::post::{id_of, kind_of, post_of};
use super::remote::{self, RemoteError};
use super::signature::{self, SignatureError, DATE_WINDOW};
use super::{documents, now, short_hash, FollowState};
use crate::state::AppState;
use crate::store;
use crate::store::federation::{self as stored, Cap, Kept, RemoteActor};

/// Largest activity accepted. Posts are text; their images stay on their servers.
pub const MAX_ACTIVITY: usize = 256 * 1024;
/// How long the body of an activity may take to arrive.
const BODY_TIME: std::time::Duration = std::time::Duration::from_secs(10);
/// Activities accepted from one server in a minute.
const PER_SERVER_PER_MINUTE: u32 = 120;
/// Why an activity is refused.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("The activity is larger than this inbox accepts ({MAX_ACTIVITY} bytes).")]
    TooLarge,
    #[error("The activity took too long to arrive.")]
    Slow,
    #[error("The request's signature is not accepted: {0}.")]
    Signature(SignatureError),
    #[error("The body does not match its Digest header.")]
    Digest,
    #[error("This signed request was received before.")]
    Replay,
    #[error("The body is not an ActivityPub activity: {0}.")]
    Activity(&'static str),
    #[error("The request is signed for another server.")]
    OtherHost,
    /// The detail names other servers' answers, so it is logged, never sent.
    #[error("The signing key cannot be fetched or used.")]
    Key(RemoteError),
    #[error("The key that signed the request is not the activity's actor's.")]
    NotOwner,
    #[error("Too many activities from this server; try again in a minute.")]
    TooMany,
    #[error("The inbox is busy; try again shortly.")]
    Busy,
    #[error("This portal does not take activities from this server or account.")]
    Blocked,
    #[error("Too much from this server is waiting for moderation; try again later.")]
    Waiting(Cap),
    #[error("The portal cannot take this activity now.")]
    Internal,
}

impl From<SignatureError> for Refusal {
    fn from(error: SignatureError) -> Self {
        match error {
            SignatureError::Digest => Self::Digest,
            other => Self::Signature(other),
        }
    }
}

impl From<store::StoreError> for Refusal {
    fn from(error: store::StoreError) -> Self {
        tracing::error!(%error, "inbox store call failed");
        Self::Internal
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Slow => StatusCode::REQUEST_TIMEOUT,
            Self::Digest | Self::Activity(_) => StatusCode::BAD_REQUEST,
            Self::Signature(_) | Self::OtherHost | Self::Replay | Self::Key(_) | Self::NotOwner => {
                StatusCode::UNAUTHORIZED
            }
            Self::TooMany | Self::Waiting(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Blocked => StatusCode::FORBIDDEN,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = (
            status,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.to_string(),
        )
            .into_response();
        // The unread rest of an oversized body ends the connection; say so, so that the
        // client does not send its next request on it.
        if matches!(self, Self::TooLarge | Self::Slow) {
            response.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
        }
        let retry_after = match self {
            Self::TooMany | Self::Busy => Some("60"),
            Self::Waiting(_) => Some("3600"),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, http::HeaderValue::from_static(seconds));
        }
        response
    }
}

/// The inbox handler: 202 once the activity is verified and stored (or knowingly ignored).
pub async fn receive(State(state): State<AppState>, request: Request) -> Response {
    match verify_and_handle(&state, request).await {
        Ok(()) => (StatusCode::ACCEPTED, "").into_response(),
        Err(refusal) => {
            tracing::info!(?refusal, "inbox refused an activity");
            refusal.into_response()
        }
    }
}

async fn verify_and_handle(state: &AppState, request: Request) -> Result<(), Refusal> {
    let _slot = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        state.federation.inbox_slots().acquire(),
    )
    .await
    .map_err(|_| Refusal::Busy)?
    .map_err(|_| Refusal::Busy)?;
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_ACTIVITY) {
        return Err(Refusal::TooLarge);
    }
    // A body sent slowly would hold an inbox slot as long as its sender likes.
    let body: Bytes = tokio::time::timeout(BODY_TIME, axum::body::to_bytes(body, MAX_ACTIVITY))
        .await
        .map_err(|_| Refusal::Slow)?
        .map_err(|_| Refusal::TooLarge)?;
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let signed = signature::parse(header("signature").ok_or(SignatureError::Missing)?)?;
    signature::covers_post(&signed.headers)?;
    // The signature covers `host`: a request signed for another server is not for this one,
    // however genuine, so it cannot be replayed here.
    let own_host = state.federation.urls().host();
    if !header("host").is_some_and(|h| h.eq_ignore_ascii_case(own_host)) {
        return Err(Refusal::OtherHost);
    }
    let now = now();
    if !header("date").is_some_and(|d| signature::date_is_fresh(d, now)) {
        return Err(SignatureError::Stale.into());
    }
    if !header("digest").is_some_and(|d| signature::digest_matches(d, &body)) {
        return Err(Refusal::Digest);
    }
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let signing =
        signature::signing_string(parts.method.as_str(), &target, &signed.headers, header)?;
    let activity: Value =
        serde_json::from_slice(&body).map_err(|_| Refusal::Activity("not JSON"))?;
    let actor_id = id_of(activity.get("actor")).ok_or(Refusal::Activity("no actor"))?;
    // A blocked server's key is not even fetched.
    let host = stored::host_of(&signed.key_id);
    let key_host = host.clone();
    if state
        .store
        .call(move |c| stored::is_blocked(c, &key_host, None))
        .await?
    {
        return Err(Refusal::Blocked);
    }
    let actor = verified_actor(state, &signed, &signing, &host, now).await?;
    if actor.id != actor_id {
        return Err(Refusal::NotOwner);
    }
    let (actor_host, blocked_actor) = (stored::host_of(&actor.id), stored::actor_name(&actor.id));
    if state
        .store
        .call(move |c| stored::is_blocked(c, &actor_host, blocked_actor.as_deref()))
        .await?
    {
        return Err(Refusal::Blocked);
    }
    let seen = short_hash(
        &signed
            .signature
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    );
    let fresh = state
        .store
        .call(move |c| {
            if !stored::inbox_allowance(c, &host, now, PER_SERVER_PER_MINUTE)? {
                return Ok(None);
            }
            stored::first_sight(c, &seen, now, 2 * DATE_WINDOW).map(Some)
        })
        .await?;
    match fresh {
        None => return Err(Refusal::TooMany),
        Some(false) => return Err(Refusal::Replay),
        Some(true) => {}
    }
    handle(state, &actor, &activity).await
}

/// The actor whose key made `signed`, once the signature verifies with it. A key not known, or
/// known for too long, is fetched, within the bounds of the fetch gate for `host`; a known key
/// that does not verify is fetched again once (the actor may have changed keys), but not
/// within a minute of the last fetch.
async fn verified_actor(
    state: &AppState,
    signed: &signature::SignatureHeader,
    signing: &str,
    host: &str,
    now: i64,
) -> Result<RemoteActor, Refusal> {
    let verifies = |actor: &RemoteActor| {
        super::keys::public_key(&actor.public_pem)
            .is_some_and(|key| signature::verify(&key, signing, &signed.signature).is_ok())
    };
    let cached = remote::cached_key_owner(state, &signed.key_id)
        .await
        .map_err(Refusal::Key)?;
    if let Some(actor) = cached.filter(|a| now - a.fetched_at < remote::FRESH_FOR) {
        if verifies(&actor) {
            return Ok(actor);
        }
        if now - actor.fetched_at < 60 {
            return Err(SignatureError::Invalid.into());
        }
    }
    let _permit = state
        .federation
        .key_fetches()
        .enter(host, std::time::Instant::now())
        .map_err(|closed| match closed {
            Closed::Busy => Refusal::Busy,
            Closed::TooMany => Refusal::TooMany,
        })?;
    let actor = remote::fetch_key_owner(state, &signed.key_id)
        .await
        .map_err(Refusal::Key)?;
    if verifies(&actor) {
        Ok(actor)
    } else {
        Err(SignatureError::Invalid.into())
    }
}

async fn handle(state: &AppState, actor: &RemoteActor, activity: &Value) -> Result<(), Refusal> {
    let object = activity.get("object");
    let urls = state.federation.urls().clone();
    let follower = actor.id.clone();
    match kind_of(activity) {
        "Follow" if id_of(object) == Some(urls.actor.as_str()) => {
            let follow_id = id_of(Some(activity))
                .ok_or(Refusal::Activity("a follow without id"))?
                .to_owned();
            let accept = documents::accept(&urls, activity, &follower).to_string();
            let inbox = vec![actor.inbox.clone()];
            state
                .store
                .call(move |c| {
                    let tx = c.transaction()?;
                    stored::add_follower(&tx, &follower, &follow_id)?;
                    stored::enqueue(&tx, &inbox, &accept, now())?;
                    tx.commit()?;
                    Ok(())
                })
                .await?;
            state.federation.deliveries_queued();
        }
        "Undo" => {
            let Some(undone) = own_follow(object, &follower, &urls.actor) else {
                return Ok(());
            };
            state
                .store
                .call(move |c| match undone {
                    Undone::ById(follow_id) => stored::remove_follow(c, &follower, &follow_id),
                    Undone::Embedded => stored::remove_follower(c, &follower),
                })
                .await?;
        }
        kind @ ("Accept" | "Reject") => {
            let answer = if kind == "Accept" {
                FollowState::Accepted
            } else {
                FollowState::Rejected
            };
            if let Some(follow_id) = id_of(object).map(str::to_owned) {
                state
                    .store
                    .call(move |c| stored::answer_follow(c, &follower, &follow_id, answer))
                    .await?;
            }
        }
        "Create" | "Update" => {
            let reply_to = object
                .and_then(|o| id_of(o.get("inReplyTo")))
                .and_then(|target| urls.item_of(target));
            let now = now();
            let Some(post) = object.and_then(|o| post_of(actor, o, reply_to, now)) else {
                return Ok(());
            };
            let kept = state
                .store
                .call(move |c| {
                    // A reply to a public item is held from anyone; a post only from a portal
                    // the portal follows.
                    let wanted = match post.in_reply_to {
                        Some(item) => stored::visible_item(c, item)?.is_some(),
                        None => stored::followed(c, &follower)?
                            .is_some_and(|f| f.state != FollowState::Rejected),
                    };
                    if wanted {
                        stored::keep_incoming(c, &post, now).map(Some)
                    } else {
                        Ok(None)
                    }
                })
                .await?;
            if let Some(Kept::Refused(cap)) = kept {
                return Err(Refusal::Waiting(cap));
            }
        }
        "Delete" => {
            let Some(gone) = id_of(object).map(str::to_owned) else {
                return Ok(());
            };
            state
                .store
                .call(move |c| {
                    if gone == follower {
                        stored::remove_follower(c, &follower)?;
                    } else {
                        stored::forget_incoming(c, &gone, &follower)?;
                    }
                    Ok(())
                })
                .await?;
        }
        // Likes, boosts and the rest: nothing the portal shows.
        _ => {}
    }
    Ok(())
}

/// Which follow an `Undo` ends, when it is the sender's own follow of this portal.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Undone {
    /// Named by its id: it ends if it is the follow recorded for the sender.
    ById(String),
    /// Given whole, by the sender, of this portal.
    Embedded,
}

/// The follow `object` (of an `Undo` sent by `sender`) undoes, when it is `sender`'s own follow
/// of the portal's actor `actor`: anything else (someone else's follow, a follow of another
/// account, another kind of activity) ends nothing.
fn own_follow(object: Option<&Value>, sender: &str, actor: &str) -> Option<Undone> {
    match object? {
        Value::String(id) => Some(Undone::ById(id.clone())),
        follow @ Value::Object(_) => {
            let own = kind_of(follow) == "Follow"
                && id_of(follow.get("actor")) == Some(sender)
                && id_of(follow.get("object")) == Some(actor);
            own.then_some(Undone::Embedded)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_senders_own_follow_of_this_portal_is_undone() {
        let (me, portal) = (
            "https://m.example/users/me",
            "https://city.example/federation/actor",
        );
        let follow = |by: &str, of: &str| json!({ "type": "Follow", "actor": by, "object": of });
        assert_eq!(
            own_follow(Some(&follow(me, portal)), me, portal),
            Some(Undone::Embedded)
        );
        assert_eq!(
            own_follow(Some(&json!("https://m.example/follows/1")), me, portal),
            Some(Undone::ById("https://m.example/follows/1".into()))
        );
        for other in [
            follow("https://m.example/users/victim", portal),
            follow(me, "https://elsewhere.example/actor"),
            json!({ "type": "Like", "actor": me, "object": portal }),
            json!(42),
        ] {
            assert_eq!(own_follow(Some(&other), me, portal), None, "{other}");
        }
        assert_eq!(own_follow(None, me, portal), None);
    }
}
