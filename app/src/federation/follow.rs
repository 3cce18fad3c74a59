//! Following a partner city's portal, from the city's page: admins enter its handle
//! (`news@chemnitz.example`), the portal sends `Follow` and shows whether the partner accepted;
//! *Stop following* sends `Undo`. Plain forms, so it works without script. Visitors see the
//! partner's handle once the follow is accepted.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use super::FollowState;
use crate::error::AppError;
use crate::i18n::{fill, use_lang, Key, Lang};

/// The partner portal of a city as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerPortal {
    /// The city's slug.
    pub city: String,
    /// The followed portal's handle and where the follow stands.
    pub followed: Option<(String, FollowState)>,
    /// Whether the reader is an admin, who may follow and stop following.
    pub can_manage: bool,
}

/// The partner portal of the city at `city`, as the reader may see it: visitors only learn of
/// an accepted follow.
#[server(prefix = "/api", endpoint = "get_partner_portal")]
pub async fn get_partner_portal(city: String) -> Result<PartnerPortal, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    let can_manage = session::current_user()
        .await?
        .is_some_and(|u| u.role == Role::Admin);
    let slug = city.clone();
    let followed = app_state()?
        .store
        .call(move |c| store::federation::followed_of_city(c, &slug))
        .await?
        .map(|f| (f.handle, f.state))
        .filter(|(_, state)| can_manage || *state == FollowState::Accepted);
    Ok(PartnerPortal {
        city,
        followed,
        can_manage,
    })
}

/// A 400 unless `city` has the shape of a city's address (lower-case letters, digits and
/// hyphens): whatever else a form sends names no city.
#[cfg(feature = "ssr")]
fn known_shape(city: &str) -> Result<(), AppError> {
    let shaped = !city.is_empty()
        && city.len() <= 100
        && city
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if shaped {
        Ok(())
    } else {
        Err(AppError::invalid_with(
            "city",
            Key::ErrNoCity,
            [crate::error::Arg::Value(city.to_owned())],
        ))
    }
}

/// Follows the portal at `handle` for the city at `city`, then goes back to the city's page.
/// Admins only.
#[server(prefix = "/api", endpoint = "follow_partner")]
pub async fn follow_partner(
    city: String,
    handle: String,
    #[server(default)] lang: Lang,
) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::federation::{documents, now, remote};
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    known_shape(&city)?;
    let state = app_state()?;
    let handle = handle.trim().trim_start_matches('@').to_owned();
    if remote::split_handle(&handle).is_none() {
        return Err(AppError::invalid("handle", Key::ErrPartnerHandle));
    }
    let actor = remote::lookup(&state, &handle).await.map_err(|error| {
        tracing::info!(%handle, %error, "partner portal not found");
        AppError::invalid("handle", Key::ErrPartnerUnreachable)
    })?;
    let urls = state.federation.urls().clone();
    if actor.id == urls.actor {
        return Err(AppError::invalid("handle", Key::ErrPartnerHandle));
    }
    let follow_id = format!(
        "{}/federation/follows/{}",
        urls.base,
        super::short_hash(&format!("{}{}", actor.id, now()))
    );
    let follow = documents::follow(&urls, &follow_id, &actor.id).to_string();
    let slug = city.clone();
    let started = state
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            let started = store::federation::start_following(
                &tx, &actor.id, &handle, &slug, &follow_id, user.id,
            )?;
            if started.is_some() {
                store::federation::enqueue(
                    &tx,
                    std::slice::from_ref(&actor.inbox),
                    &follow,
                    now(),
                )?;
                let detail = AuditDetail::Federated {
                    act: FederationAct::Followed,
                    subject: handle.clone(),
                };
                store::audit::record(&tx, Some(user.id), "federation", &slug, &detail)?;
            }
            tx.commit()?;
            Ok(started)
        })
        .await?;
    started.ok_or(AppError::NotFound)?;
    state.federation.deliveries_queued();
    crate::url::redirect(&lang.href(&format!("/cities/{city}#partner-portal")));
    Ok(())
}

/// Stops following the portal of the city at `city` (sends `Undo`), then goes back to the
/// city's page. Admins only.
#[server(prefix = "/api", endpoint = "unfollow_partner")]
pub async fn unfollow_partner(city: String, #[server(default)] lang: Lang) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::federation::{documents, now};
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    known_shape(&city)?;
    let state = app_state()?;
    let urls = state.federation.urls().clone();
    let slug = city.clone();
    let stopped = state
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            let stopped = store::federation::stop_following(&tx, &slug)?;
            if let Some(followed) = &stopped {
                if let Some(actor) = store::federation::remote_actor(&tx, &followed.actor)? {
                    let undo = documents::unfollow(&urls, &followed.follow_id, &actor.id);
                    store::federation::enqueue(&tx, &[actor.inbox], &undo.to_string(), now())?;
                }
                let detail = AuditDetail::Federated {
                    act: FederationAct::Unfollowed,
                    subject: followed.handle.clone(),
                };
                store::audit::record(&tx, Some(user.id), "federation", &slug, &detail)?;
            }
            tx.commit()?;
            Ok(stopped)
        })
        .await?;
    if stopped.is_some() {
        state.federation.deliveries_queued();
    }
    crate::url::redirect(&lang.href(&format!("/cities/{city}#partner-portal")));
    Ok(())
}

/// The partner portal section of a city page: nothing for visitors until a follow is accepted.
#[component]
pub fn PartnerPortalSection(
    portal: PartnerPortal,
    /// What went wrong with the form just sent, in the reader's language.
    error: Option<String>,
) -> impl IntoView {
    if !portal.can_manage && portal.followed.is_none() {
        return ().into_any();
    }
    let lang = use_lang();
    let p = lang.p();
    let state_line = portal.followed.clone().map(|(handle, state)| {
        let text = match state {
            FollowState::Pending => p.partner_portal_pending,
            FollowState::Accepted => p.partner_portal_accepted,
            FollowState::Rejected => p.partner_portal_rejected,
        };
        view! { <p data-testid="partner-portal-state">{fill(text, &[&handle])}</p> }
    });
    let manage = portal.can_manage.then(|| {
        let city = portal.city.clone();
        let error = error.map(|e| view! { <p class="form-error" id="partner-handle-error" role="alert">{e}</p> });
        let invalid = error.is_some().then_some("true");
        let controls = match &portal.followed {
            Some(_) => view! {
                <form method="post" action=UnfollowPartner::PATH>
                    <input type="hidden" name="city" value=city.clone()/>
                    <input type="hidden" name="lang" value=lang.code()/>
                    <button class="button" type="submit">{p.partner_portal_unfollow}</button>
                </form>
            }
            .into_any(),
            None => view! {
                <form method="post" action=FollowPartner::PATH class="entry-form partner-follow">
                    <input type="hidden" name="city" value=city.clone()/>
                    <input type="hidden" name="lang" value=lang.code()/>
                    <label for="partner-handle">{p.partner_portal_handle}</label>
                    <p class="hint" id="partner-handle-hint">{p.partner_portal_handle_hint}</p>
                    <input id="partner-handle" name="handle" type="text" required
                        autocomplete="off" spellcheck="false" inputmode="email"
                        aria-describedby=if invalid.is_some() { "partner-handle-hint partner-handle-error" } else { "partner-handle-hint" }
                        aria-invalid=invalid/>
                    <button class="button" type="submit">{p.partner_portal_follow}</button>
                </form>
            }
            .into_any(),
        };
        view! { {error} {controls} }
    });
    view! {
        <section class="partner-portal" id="partner-portal" aria-labelledby="partner-portal-heading" data-testid="partner-portal">
            <h2 id="partner-portal-heading">{p.partner_portal_heading}</h2>
            {state_line}
            {manage}
        </section>
    }
    .into_any()
}
