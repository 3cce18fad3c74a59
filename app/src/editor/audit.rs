//! `/audit`: the newest entries of the audit log, for admins.

use leptos::prelude::*;
use leptos_meta::Meta;

use crate::layout::PageTitle;

use super::api::{get_audit_log, AuditLine};
use crate::i18n::{format_datetime, use_lang};
use crate::layout::Loaded;

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
                                    <td>{l.action}</td>
                                    <td>{l.entity}</td>
                                    <td>{l.detail}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
