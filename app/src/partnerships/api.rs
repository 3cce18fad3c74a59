//! Server functions of the partnership pages, and the plain form that saves an entry.

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use super::{Partnership, PartnershipRow};
use crate::error::AppError;
use crate::i18n::Lang;

/// The partnership with the city at `slug`, as the reader may see it: drafts and the editing
/// controls for editors.
#[server(prefix = "/api", endpoint = "get_partnership")]
pub async fn get_partnership(
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Partnership, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    let role = session::current_user().await?.map(|u| u.role);
    let can_edit = role.is_some();
    let can_edit_all = role == Some(Role::Admin);
    app_state()?
        .store
        .call(move |c| {
            let Some((id, city)) = store::cities::city_by_slug(c, lang, &slug)? else {
                return Ok(None);
            };
            let entries = store::partnerships::entries_of_city(c, lang, id, can_edit)?;
            let linkable_news = if can_edit {
                store::partnerships::linkable_news(c, lang, id)?
            } else {
                Vec::new()
            };
            Ok(Some(Partnership {
                city,
                entries,
                activity: store::partnerships::activity(c, id)?,
                linkable_news,
                can_edit,
                can_edit_all,
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// Every partnership with its activity and plan progress.
#[server(prefix = "/api", endpoint = "list_partnerships")]
pub async fn list_partnerships(
    #[server(default)] lang: Lang,
) -> Result<Vec<PartnershipRow>, AppError> {
    use crate::{state::app_state, store};
    Ok(app_state()?
        .store
        .call(move |c| store::partnerships::partnerships(c, lang))
        .await?)
}

/// The partnerships with nothing dated for `QUIET_MONTHS` months, the quietest first: the
/// international department's worklist. Editors only.
#[server(prefix = "/api", endpoint = "list_quiet_partnerships")]
pub async fn list_quiet_partnerships(
    #[server(default)] lang: Lang,
) -> Result<Vec<PartnershipRow>, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    session::require(Role::Editor).await?;
    let mut rows = app_state()?
        .store
        .call(move |c| store::partnerships::partnerships(c, lang))
        .await?;
    rows.retain(|r| r.activity.quiet);
    rows.sort_by(|a, b| a.activity.latest.cmp(&b.activity.latest));
    Ok(rows)
}

/// Adds or changes an entry of a partnership from the plain form on the city page (multipart,
/// for the photo or the scanned agreement), then sends the browser back to the entry. Editors
/// keep milestones, plan items and visits; agreements and status changes are for admins.
#[server(prefix = "/api", endpoint = "save_partnership_entry", input = MultipartFormData)]
pub async fn save_partnership_entry(data: MultipartData) -> Result<i64, AppError> {
    use crate::auth::{session, Role};
    let user = session::require(Role::Editor).await?;
    let sent = super::form::read(data).await?;
    let back = sent.lang.href(&format!("/cities/{}", sent.city));
    let id = super::form::save(&crate::state::app_state()?, &user, sent).await?;
    crate::url::redirect(&format!("{back}?saved={id}#entry-{id}"));
    Ok(id)
}
