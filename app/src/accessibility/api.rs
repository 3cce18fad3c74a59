//! Server functions of the statement and the barrier reports. Reports are sent by a plain form
//! to `report::submit`; reading them and changing the statement are for admins.

use leptos::prelude::*;

use super::{ReportsListing, Statement};
use crate::error::AppError;
use crate::i18n::Lang;

/// The statement in `lang`; with its stored text for an admin.
#[server(prefix = "/api", endpoint = "get_accessibility_statement")]
pub async fn get_accessibility_statement(
    #[server(default)] lang: Lang,
) -> Result<Statement, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    let admin = session::current_user()
        .await?
        .is_some_and(|u| u.role == Role::Admin);
    let text = app_state()?
        .store
        .call(move |c| store::accessibility::statement(c, lang))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Statement {
        html: crate::news::markdown::render(&text.body),
        reviewed_on: text.reviewed_on.clone(),
        source: admin.then_some(text),
    })
}

/// Replaces the statement in `lang` from the admins' form, then shows it again. Admins only.
#[server(prefix = "/api", endpoint = "save_accessibility_statement")]
pub async fn save_accessibility_statement(
    lang: Lang,
    body: String,
    reviewed_on: String,
) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::i18n::Key;
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    let body = body.trim().to_owned();
    if body.is_empty() || body.len() > 100_000 {
        return Err(AppError::invalid("body", Key::ErrStatementBody));
    }
    let reviewed_on = reviewed_on.trim().to_owned();
    if !crate::editor::is_date(&reviewed_on) {
        return Err(AppError::invalid("reviewed_on", Key::ErrStatementReviewed));
    }
    app_state()?
        .store
        .call(move |c| store::accessibility::save_statement(c, lang, &body, &reviewed_on, user.id))
        .await?;
    crate::url::redirect(&lang.href("/accessibility?saved=1"));
    Ok(())
}

/// Page `page` of the barrier reports, and what the caps on sending them refused lately. Admins
/// only.
#[server(prefix = "/api", endpoint = "list_barrier_reports")]
pub async fn list_barrier_reports(page: u32) -> Result<ReportsListing, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    /// Reports on a page of the list.
    const PER_PAGE: u32 = 50;
    session::require(Role::Admin).await?;
    app_state()?
        .store
        .call(move |c| {
            let Some(reports) = store::accessibility::reports(c, page, PER_PAGE)? else {
                return Ok(None);
            };
            let refusals = store::accessibility::refusals(c)?;
            Ok(Some(ReportsListing { reports, refusals }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// Sets where report `id` stands, from the list's plain form, then goes back to it (to its
/// `page`). Admins only.
#[server(prefix = "/api", endpoint = "set_barrier_report_status")]
pub async fn set_barrier_report_status(
    id: i64,
    status: String,
    #[server(default)] lang: Lang,
    #[server(default)] page: u32,
) -> Result<(), AppError> {
    use super::ReportStatus;
    use crate::auth::{session, Role};
    use crate::i18n::Key;
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    let status = ReportStatus::from_db(&status)
        .ok_or_else(|| AppError::invalid("status", Key::ErrReportStatus))?;
    let found = app_state()?
        .store
        .call(move |c| store::accessibility::set_report_status(c, id, status, user.id))
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    let list = crate::pager::page_href("/accessibility/reports", page);
    crate::url::redirect(&lang.href(&format!("{list}#report-{id}")));
    Ok(())
}
