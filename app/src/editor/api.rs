//! Server functions of editing. Each mutating one starts with the role check; the SQL is in
//! `store::editor`.

use leptos::prelude::*;

use super::history::History;
use super::{Editable, ItemFields};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::news::ItemKind;

/// One line of the audit log as the admin page shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditLine {
    pub at: String,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub detail: super::audit::AuditDetail,
}

/// The item of `kind` at `slug` with all its fields, whatever its status (editors only).
#[server(prefix = "/api", endpoint = "get_editable")]
pub async fn get_editable(
    kind: ItemKind,
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Editable, AppError> {
    use crate::{auth::session, auth::Role};
    use crate::{state::app_state, store::editor};
    session::require(Role::Editor).await?;
    app_state()?
        .store
        .call(move |c| editor::editable_item(c, lang, kind, &slug))
        .await?
        .ok_or(AppError::NotFound)
}

/// What an item's page carries for a signed-in editor (its fields and its badge); nothing for a
/// visitor, who is not refused: the page simply has no controls for them.
#[server(prefix = "/api", endpoint = "get_item_edit")]
pub async fn get_item_edit(
    kind: ItemKind,
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Option<super::ItemEdit>, AppError> {
    use crate::auth::session;
    use crate::{state::app_state, store::editor, store::items};
    if session::current_user().await?.is_none() {
        return Ok(None);
    }
    app_state()?
        .store
        .call(move |c| {
            let Some(editable) = editor::editable_item(c, lang, kind, &slug)? else {
                return Ok(None);
            };
            let now = items::now(c)?;
            let badge = editable.badge(&now).map(|key| lang.t().of(key).to_owned());
            Ok(Some(super::ItemEdit { editable, badge }))
        })
        .await
        .map_err(AppError::from)
}

/// Creates an untitled draft of `kind` in `lang` and sends the editor to it, in edit mode.
#[server(prefix = "/api", endpoint = "create_item")]
pub async fn create_item(
    kind: ItemKind,
    #[server(default)] lang: Lang,
) -> Result<Editable, AppError> {
    use crate::{auth::session, auth::Role};
    use crate::{state::app_state, store::editor};
    let user = session::require(Role::Editor).await?;
    let created = app_state()?
        .store
        .call(move |c| editor::create_draft(c, kind, lang, user.id))
        .await?;
    crate::url::redirect(&lang.href(&format!("{}?edit", kind.href(&created.slug))));
    Ok(created)
}

/// Saves `fields` over item `id`, which the editor loaded at `base_version`. `Conflict` (409) when
/// someone saved in between; nothing is written then.
#[server(prefix = "/api", endpoint = "update_item", input = leptos::server_fn::codec::Json)]
pub async fn update_item(
    id: i64,
    base_version: i64,
    fields: ItemFields,
) -> Result<Editable, AppError> {
    use crate::{auth::session, auth::Role};
    let user = session::require(Role::Editor).await?;
    save(
        id,
        base_version,
        fields,
        user.id,
        super::RevisionNote::Edited,
    )
    .await
}

/// Makes revision `version` of item `id` the current text again, as a new revision.
#[server(prefix = "/api", endpoint = "restore_revision")]
pub async fn restore_revision(
    id: i64,
    version: i64,
    base_version: i64,
    #[server(default)] lang: Lang,
) -> Result<Editable, AppError> {
    use crate::{auth::session, auth::Role, store::editor};
    let user = session::require(Role::Editor).await?;
    let store = crate::state::app_state()?.store;
    let fields = store
        .call(move |c| editor::revision_fields(c, id, version))
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = save(
        id,
        base_version,
        fields,
        user.id,
        super::RevisionNote::Restored(version),
    )
    .await?;
    // The form is a plain one: its page comes back saying what became of the restore.
    crate::url::redirect(&format!(
        "{}/history?restored={}",
        lang.href(&saved.kind.href(&saved.slug)),
        saved.version
    ));
    Ok(saved)
}

#[cfg(feature = "ssr")]
async fn save(
    id: i64,
    base_version: i64,
    fields: ItemFields,
    user_id: i64,
    note: super::RevisionNote,
) -> Result<Editable, AppError> {
    use crate::store::editor::{self, SaveOutcome};
    let state = crate::state::app_state()?;
    let store = state.store.clone();
    let kind = store
        .call(move |c| editor::editable_by_id(c, Lang::En, id))
        .await?
        .ok_or(AppError::NotFound)?
        .kind;
    let fields = fields.validated(kind)?;
    match store
        .call(move |c| editor::save_item(c, id, base_version, &fields, user_id, note))
        .await?
    {
        SaveOutcome::Saved(item) => {
            // Followers hear of the change now rather than at the publisher's next look.
            state.federation.items_changed();
            Ok(item)
        }
        SaveOutcome::Conflict(_) => Err(AppError::Conflict),
    }
}

/// The history of the item of `kind` at `slug`, with the differences between revision `rev` and
/// the current text when one is chosen (editors only).
#[server(prefix = "/api", endpoint = "get_history")]
pub async fn get_history(
    kind: ItemKind,
    slug: String,
    rev: Option<i64>,
    #[server(default)] lang: Lang,
) -> Result<History, AppError> {
    use crate::{auth::session, auth::Role};
    use crate::{state::app_state, store::editor};
    session::require(Role::Editor).await?;
    app_state()?
        .store
        .call(move |c| {
            let Some(current) = editor::editable_item(c, lang, kind, &slug)? else {
                return Ok(None);
            };
            let revisions = editor::revisions(c, current.id)?;
            let compared = match rev {
                Some(v) => match editor::revision_fields(c, current.id, v)? {
                    Some(old) => Some((v, super::diff::fields(&old, &current.fields))),
                    None => return Ok(None),
                },
                None => None,
            };
            Ok(Some(History {
                current,
                revisions,
                compared,
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// The newest entries of the audit log (admins only).
#[server(prefix = "/api", endpoint = "get_audit_log")]
pub async fn get_audit_log() -> Result<Vec<AuditLine>, AppError> {
    use crate::{auth::session, auth::Role, state::app_state, store::audit};
    session::require(Role::Admin).await?;
    let entries = app_state()?.store.call(|c| audit::recent(c, 200)).await?;
    Ok(entries
        .into_iter()
        .map(|e| AuditLine {
            at: e.at,
            username: e.username.unwrap_or_else(|| "—".to_owned()),
            action: e.action,
            entity: e.entity,
            detail: e.detail,
        })
        .collect())
}
