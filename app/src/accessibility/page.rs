//! `/accessibility`: the accessibility statement, its form for admins, and the barrier report
//! form; `/accessibility/reports`: the reports, for admins.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::use_query_map;

use super::api::{
    get_accessibility_statement, list_barrier_reports, SaveAccessibilityStatement,
    SetBarrierReportStatus,
};
use super::{BarrierReport, NewReport, RefusedReport, ReportCap, ReportStatus, ReportsListing};
use super::{Statement, MAX_CONTACT, MAX_PAGE, MAX_WHAT};
use crate::error::AppError;
use crate::i18n::{fill, format_date, format_datetime, use_lang};
use crate::layout::{rcdata, Loaded, PageMeta, PageTitle};
use crate::pager::{parse_page, Pager};
use crate::store::accessibility::{REPORTS_PER_DAY, WAITING_IN_ALL, WAITING_PER_SENDER};

/// `/accessibility`.
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let lang = use_lang();
    let statement = Resource::new(|| (), move |_| get_accessibility_statement(lang));
    let p = lang.p();
    view! {
        <PageMeta title=p.a11y_title description=p.a11y_description path="/accessibility"/>
        <Loaded resource=statement view=|statement| view! { <StatementView statement/> }/>
    }
}

#[component]
fn StatementView(statement: Statement) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let query = use_query_map().read_untracked();
    let saved = query.get("saved").is_some();
    let error =
        AppError::of_form(&query, SaveAccessibilityStatement::PATH).map(|e| e.message(lang));
    let admin = statement.source.is_some();
    view! {
        <article class="item statement">
            <h1>{p.a11y_title}</h1>
            <p class="date-line">{p.a11y_reviewed} " " {format_date(lang, &statement.reviewed_on)}</p>
            {saved.then(|| view! { <p class="notice" role="status">{p.a11y_saved}</p> })}
            {error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="body" inner_html=statement.html/>
            {statement.source.map(|source| view! { <StatementForm source/> })}
            {admin.then(|| view! {
                <p><a href=lang.href("/accessibility/reports")>{p.a11y_reports_link}</a></p>
            })}
        </article>
        <ReportForm/>
    }
}

/// The admins' form for the statement in the page's language.
#[component]
fn StatementForm(source: super::StatementText) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    view! {
        <details class="entry-edit">
            <summary>{p.a11y_edit}</summary>
            <form class="entry-form" method="post" action=SaveAccessibilityStatement::PATH>
                <input type="hidden" name="lang" value=lang.code()/>
                <label for="statement-body">{p.a11y_edit_body}</label>
                <p class="hint" id="statement-body-hint">{p.a11y_edit_body_hint}</p>
                <textarea id="statement-body" name="body" rows="20" required aria-describedby="statement-body-hint">
                    {rcdata(&source.body)}
                </textarea>
                <label for="statement-reviewed">{p.a11y_edit_reviewed}</label>
                <input id="statement-reviewed" name="reviewed_on" type="date" required value=source.reviewed_on/>
                <button class="button" type="submit">{p.a11y_edit_save}</button>
            </form>
        </details>
    }
}

/// The barrier report form: no login needed. After a refused report it holds what was sent.
#[component]
fn ReportForm() -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let sent = use_query_map().read_untracked().get("report").as_deref() == Some("sent");
    let refused = use_context::<RefusedReport>();
    let error = refused
        .as_ref()
        .map(|r| (r.reason.message(lang), r.reason.field().map(str::to_owned)));
    let report = refused.map(|r| r.report).unwrap_or_default();
    let invalid = error.as_ref().and_then(|(_, f)| f.clone());
    let NewReport {
        page,
        what,
        contact,
        ..
    } = report;
    let field = |name, label, hint, value, max, autocomplete| {
        let invalid = invalid.as_deref() == Some(name);
        view! { <ReportField name label hint value max autocomplete invalid/> }
    };
    view! {
        <section id="report" class="report" aria-labelledby="report-title" tabindex="-1">
            <h2 id="report-title">{p.report_title}</h2>
            <p>{p.report_intro}</p>
            {sent.then(|| view! { <p class="notice" role="status" data-testid="report-sent">{p.report_sent}</p> })}
            {error.clone().map(|(message, _)| view! {
                <p class="form-error" role="alert" id="report-error" data-testid="report-error">{message}</p>
            })}
            <form class="entry-form report-form" method="post" action=lang.href("/accessibility/report")>
                {field("page", p.report_page, p.report_page_hint, page, MAX_PAGE, "off")}
                {field("what", p.report_what, p.report_what_hint, what, MAX_WHAT, "off")}
                {field("contact", p.report_contact, p.report_contact_hint, contact, MAX_CONTACT, "email")}
                <button class="button" type="submit">{p.report_send}</button>
            </form>
        </section>
    }
}

/// One field of the report form with its label and hint; `what` is a text area, and the only
/// one required. An `invalid` field points at the error above the form as well as its hint.
#[component]
fn ReportField(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    max: usize,
    autocomplete: &'static str,
    invalid: bool,
) -> impl IntoView {
    let id = format!("report-{name}");
    let hint_id = format!("{id}-hint");
    let described = if invalid {
        format!("report-error {hint_id}")
    } else {
        hint_id.clone()
    };
    let invalid = invalid.then_some("true");
    let control = if name == "what" {
        view! {
            <textarea
                id=id.clone()
                name=name
                rows="6"
                required
                maxlength=max
                aria-describedby=described
                aria-invalid=invalid
            >
                {rcdata(&value)}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                name=name
                type="text"
                value=value
                maxlength=max
                autocomplete=autocomplete
                aria-describedby=described
                aria-invalid=invalid
            />
        }
        .into_any()
    };
    view! {
        <label for=id>{label}</label>
        <p class="hint" id=hint_id>{hint}</p>
        {control}
    }
}

/// `/accessibility/reports?page=N`: the barrier reports, for admins.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let p = lang.p();
    let query = use_query_map();
    let listing = Resource::new(
        move || parse_page(query.read().get("page")),
        |page| async move { list_barrier_reports(page?).await },
    );
    view! {
        <PageTitle text=format!("{} · {}", p.reports_title, t.site_name)/>
        <Meta name="robots" content="noindex"/>
        <Loaded resource=listing view=|listing| view! { <ReportList listing/> }/>
    }
}

#[component]
fn ReportList(listing: ReportsListing) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let query = use_query_map().read_untracked();
    let error = AppError::of_form(&query, SetBarrierReportStatus::PATH).map(|e| e.message(lang));
    let ReportsListing { reports, refusals } = listing;
    let empty = reports.items.is_empty();
    let refusals = refusals
        .into_iter()
        .map(|(cap, count)| {
            let (forms, limit) = match cap {
                ReportCap::SenderDay => (p.reports_refused_sender_day, REPORTS_PER_DAY),
                ReportCap::SenderWaiting => (p.reports_refused_sender_waiting, WAITING_PER_SENDER),
                ReportCap::AllWaiting => (p.reports_refused_all_waiting, WAITING_IN_ALL),
            };
            // `plural` puts the count in `{0}`; the cap's number goes in `{1}`.
            let text = fill(&lang.plural(count, forms), &[&count, &limit]);
            view! { <p class="notice" data-testid="report-refusals">{text}</p> }
        })
        .collect_view();
    let page = reports.page;
    view! {
        <section class="reports">
            <h1>{p.reports_title}</h1>
            {error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {refusals}
            {empty.then(|| view! { <p class="empty">{p.reports_none}</p> })}
            {reports
                .items
                .into_iter()
                .map(|report| view! { <ReportEntry report page/> })
                .collect_view()}
            <Pager current=page pages=reports.pages base=lang.href("/accessibility/reports")/>
        </section>
    }
}

/// One report with its status form, which comes back to the list's `page`.
#[component]
fn ReportEntry(report: BarrierReport, page: u32) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let id = report.id;
    let select_id = format!("report-{id}-status");
    let options = ReportStatus::ALL
        .iter()
        .map(|&s| {
            view! {
                <option value=s.as_str() selected=s == report.status>{s.label(lang)}</option>
            }
        })
        .collect_view();
    let heading = format!("{} {id}", p.report_number);
    view! {
        <article class="barrier-report" id=format!("report-{id}") data-testid="barrier-report">
            <h2>{heading}</h2>
            <dl class="facts">
                <dt>{p.report_received}</dt>
                <dd>{format_datetime(lang, &report.created_at)}</dd>
                <dt>{p.report_status}</dt>
                <dd>{report.status.label(lang)}</dd>
                <dt>{p.report_page}</dt>
                <dd>{report.page}</dd>
                <dt>{p.report_what}</dt>
                <dd class="report-what" lang=report.lang.code()>{report.what}</dd>
                <dt>{p.report_contact}</dt>
                <dd>{report.contact}</dd>
            </dl>
            <form class="filters" method="post" action=SetBarrierReportStatus::PATH>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="lang" value=lang.code()/>
                <input type="hidden" name="page" value=page/>
                <label for=select_id.clone()>{p.report_status}</label>
                <select id=select_id name="status">{options}</select>
                <button class="button" type="submit">{p.report_set_status}</button>
            </form>
        </article>
    }
}
