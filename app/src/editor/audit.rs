//! `/audit`: the newest entries of the audit log, for admins.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::api::{get_audit_log, AuditLine};
use crate::auth::use_auth;
use crate::i18n::format_datetime;
use crate::layout::{Loaded, SITE_NAME};

/// `/audit`.
#[component]
pub fn AuditPage() -> impl IntoView {
    let auth = use_auth();
    let log = Resource::new(move || auth.generation(), |_| get_audit_log());
    view! {
        <Title text=format!("Audit log · {SITE_NAME}")/>
        <Meta name="robots" content="noindex"/>
        <Loaded resource=log view=|lines| view! { <AuditTable lines/> }/>
    }
}

#[component]
fn AuditTable(lines: Vec<AuditLine>) -> impl IntoView {
    view! {
        <section class="audit">
            <h1>"Audit log"</h1>
            <table class="revisions" data-testid="audit-log">
                <caption>"Who changed what, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|l| {
                            view! {
                                <tr>
                                    <td>{format_datetime(&l.at)}</td>
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
