//! The audit log: what a line records beyond its action and subject (`AuditDetail`, stored as
//! a kind and its arguments, written in the reader's language), and `/audit`, the newest lines,
//! for admins.

use leptos::prelude::*;
use leptos_meta::Meta;
use serde::{Deserialize, Serialize};

use crate::layout::PageTitle;

use super::api::{get_audit_log, AuditLine};
use super::{ItemStatus, RevisionNote};
use crate::accessibility::ReportStatus;
use crate::i18n::{fill, format_datetime, use_lang, Lang};
use crate::layout::Loaded;

/// The detail of an audit line. Stored as JSON in `audit_log.detail`
/// (`{"kind":"item_saved","version":3,…}`), so each page writes it in its own language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditDetail {
    /// A login, from this client address.
    Login { address: String },
    /// A new item, with the address it got.
    Created { slug: String },
    /// An item saved as `version`, with its revision's note and the status it has now.
    ItemSaved {
        version: i64,
        note: RevisionNote,
        status: ItemStatus,
    },
    /// A city's texts in `lang` saved as `version`.
    CitySaved { version: i64, lang: Lang },
    /// A partnership entry of the kind `entry` (`milestone`, `visit`…) saved as `version`.
    EntrySaved {
        entry: String,
        note: RevisionNote,
        version: i64,
    },
    /// A file of this type uploaded.
    Uploaded { mime: String },
    /// The accessibility statement in `lang` replaced.
    StatementSaved { lang: Lang },
    /// A barrier report set to `status`.
    ReportMarked { status: ReportStatus },
    /// A federation decision about `subject` (a handle, a post's id, a server or an account).
    Federated { act: FederationAct, subject: String },
    /// A line from before details had kinds that its migration could not read: as it was.
    Text { text: String },
}

impl AuditDetail {
    /// The stored form.
    #[cfg(feature = "ssr")]
    pub fn to_db(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the stored form back; anything else is shown as the text it is.
    #[cfg(feature = "ssr")]
    pub fn from_db(value: &str) -> Self {
        serde_json::from_str(value).unwrap_or_else(|_| Self::Text {
            text: value.to_owned(),
        })
    }

    /// The detail as the audit page shows it in `lang`.
    pub fn label(&self, lang: Lang) -> String {
        let t = lang.t();
        let language = |l: Lang| {
            t.get(&format!("audit_lang_{}", l.code()))
                .unwrap_or_default()
        };
        match self {
            Self::Login { address } => fill(t.audit_login, &[address]),
            Self::Created { slug } => fill(t.audit_created, &[slug]),
            Self::ItemSaved {
                version,
                note,
                status,
            } => {
                let status = match status {
                    ItemStatus::Draft => t.badge_draft,
                    ItemStatus::Published => t.status_published,
                    ItemStatus::Archived => t.badge_archived,
                };
                fill(t.audit_item_saved, &[version, &note.label(lang), &status])
            }
            Self::CitySaved { version, lang: l } => {
                fill(t.audit_city_saved, &[version, &language(*l)])
            }
            Self::EntrySaved {
                entry,
                note,
                version,
            } => {
                let entry = t
                    .get(&format!("audit_entry_{entry}"))
                    .unwrap_or(entry.as_str());
                fill(t.audit_entry_saved, &[&entry, version, &note.label(lang)])
            }
            Self::Uploaded { mime } => fill(t.audit_uploaded, &[mime]),
            Self::StatementSaved { lang: l } => fill(t.audit_statement_saved, &[&language(*l)]),
            Self::ReportMarked { status } => fill(t.audit_report_marked, &[&status.label(lang)]),
            Self::Federated { act, subject } => {
                let text = match act {
                    FederationAct::Followed => t.audit_fed_followed,
                    FederationAct::Unfollowed => t.audit_fed_unfollowed,
                    FederationAct::Approved => t.audit_fed_approved,
                    FederationAct::Rejected => t.audit_fed_rejected,
                    FederationAct::Translated => t.audit_fed_translated,
                    FederationAct::Blocked => t.audit_fed_blocked,
                    FederationAct::Unblocked => t.audit_fed_unblocked,
                };
                fill(text, &[subject])
            }
            Self::Text { text } => text.clone(),
        }
    }
}

/// What was decided about another server's actor or post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationAct {
    Followed,
    Unfollowed,
    Approved,
    Rejected,
    /// Approved, with a draft opened from its text.
    Translated,
    Blocked,
    Unblocked,
}

/// An audit line's action (`save`, `login`…) in `lang`.
pub fn action_label(lang: Lang, action: &str) -> String {
    let t = lang.t();
    t.get(&format!("audit_action_{action}"))
        .unwrap_or(action)
        .to_owned()
}

/// `/audit`.
#[component]
pub fn AuditPage() -> impl IntoView {
    let log = Resource::new(|| (), |_| get_audit_log());
    view! {
        <PageTitle text=format!("{} · {}", use_lang().t().audit_title, use_lang().t().site_name)/>
        <Meta name="robots" content="noindex"/>
        <Loaded resource=log view=|lines| view! { <AuditTable lines/> }/>
    }
}

#[component]
fn AuditTable(lines: Vec<AuditLine>) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    view! {
        <section class="audit">
            <h1>{t.audit_title}</h1>
            <table class="revisions" data-testid="audit-log">
                <caption>{t.audit_caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.col_when}</th>
                        <th scope="col">{t.col_who}</th>
                        <th scope="col">{t.col_action}</th>
                        <th scope="col">{t.col_what}</th>
                        <th scope="col">{t.col_detail}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|l| {
                            view! {
                                <tr>
                                    <td>{format_datetime(lang, &l.at)}</td>
                                    <td>{l.username}</td>
                                    <td>{action_label(lang, &l.action)}</td>
                                    <td>{l.entity}</td>
                                    <td>{l.detail.label(lang)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
