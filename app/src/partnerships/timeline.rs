//! The partnership on a city's page: the agreement in force, whether anything happened lately,
//! the cooperation plan with its progress, and the timeline by year. Readable in document order
//! by a screen reader; with JavaScript off it is the same page.

use leptos::prelude::*;

use super::edit::EntryForm;
use super::{Activity, AgreementKind, Detail, Direction, Entry, Partnership, PlanArea, PlanState};
use crate::cities::status_label;
use crate::i18n::{fill, format_date, use_lang, Lang};
use crate::media::{Cover, CoverImage};

pub fn agreement_label(lang: Lang, kind: AgreementKind) -> &'static str {
    let t = lang.t();
    match kind {
        AgreementKind::Charter => t.agreement_charter,
        AgreementKind::Cooperation => t.agreement_cooperation,
        AgreementKind::Memorandum => t.agreement_memorandum,
        AgreementKind::Protocol => t.agreement_protocol,
        AgreementKind::Renewal => t.agreement_renewal,
    }
}

pub fn area_label(lang: Lang, area: PlanArea) -> &'static str {
    let t = lang.t();
    match area {
        PlanArea::Culture => t.area_culture,
        PlanArea::Education => t.area_education,
        PlanArea::Youth => t.area_youth,
        PlanArea::Sport => t.area_sport,
        PlanArea::Economy => t.area_economy,
        PlanArea::Health => t.area_health,
        PlanArea::Municipal => t.area_municipal,
        PlanArea::Other => t.area_other,
    }
}

pub fn state_label(lang: Lang, state: PlanState) -> &'static str {
    let t = lang.t();
    match state {
        PlanState::Planned => t.plan_planned,
        PlanState::InProgress => t.plan_in_progress,
        PlanState::Done => t.plan_done,
        PlanState::Dropped => t.plan_dropped,
    }
}

pub fn direction_label(lang: Lang, direction: Direction) -> &'static str {
    let t = lang.t();
    match direction {
        Direction::ToPartner => t.visit_to_partner,
        Direction::FromPartner => t.visit_from_partner,
    }
}

/// "Latest activity: …", "Nothing recorded since …", "Nothing recorded yet".
pub fn activity_line(lang: Lang, activity: &Activity) -> String {
    let t = lang.t();
    match &activity.latest {
        None => t.activity_none.to_owned(),
        Some(date) if activity.quiet => fill(t.activity_quiet, &[&format_date(lang, date)]),
        Some(date) => fill(t.activity_latest, &[&format_date(lang, date)]),
    }
}

/// What kind of thing an entry is, as its heading line says it.
fn entry_heading(lang: Lang, entry: &Entry) -> String {
    let t = lang.t();
    match entry.detail {
        Detail::Agreement(kind) => agreement_label(lang, kind).to_owned(),
        Detail::Status(status) => fill(t.entry_status_changed, &[&status_label(lang, status)]),
        Detail::Milestone => t.entry_milestone.to_owned(),
        Detail::Plan(area, _) => area_label(lang, area).to_owned(),
        Detail::Visit(direction) => direction_label(lang, direction).to_owned(),
    }
}

/// The partnership section of a city page.
#[component]
pub fn PartnershipSection(
    partnership: Partnership,
    /// The entry a form just saved.
    saved: Option<i64>,
    /// What went wrong with the form just sent, in the reader's language.
    error: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let city_name = partnership.city.name.clone();
    // Only editors send the forms; anybody could write the address that reports on one.
    let (saved, error) = if partnership.can_edit {
        (saved, error)
    } else {
        (None, None)
    };
    let notice = match (saved, error) {
        (_, Some(error)) => {
            Some(view! { <p class="form-error" role="alert">{error}</p> }.into_any())
        }
        (Some(_), None) => {
            Some(view! { <p class="form-status" role="status">{t.entry_saved}</p> }.into_any())
        }
        _ => None,
    };
    view! {
        <section class="partnership" aria-labelledby="partnership-heading" data-testid="partnership">
            <h2 id="partnership-heading">{fill(t.partnership_heading, &[&city_name])}</h2>
            <p class="activity" data-testid="activity">{activity_line(lang, &partnership.activity)}</p>
            {notice}
            <CurrentAgreement partnership=partnership.clone()/>
            <Plan partnership=partnership.clone()/>
            <Timeline partnership/>
        </section>
    }
}

#[component]
fn CurrentAgreement(partnership: Partnership) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let facts = match partnership.current_agreement() {
        None => view! { <p class="empty">{t.agreement_none}</p> }.into_any(),
        Some(agreement) => {
            let (summary_lang, summary) = agreement.text(lang, |t| &t.body);
            let (summary_lang, summary) = (summary_lang.code(), summary.to_owned());
            let kind = match agreement.detail {
                Detail::Agreement(kind) => agreement_label(lang, kind),
                _ => "",
            };
            view! {
                <dl class="facts" data-testid="current-agreement">
                    <dt>{t.entry_agreement_kind}</dt>
                    <dd>{kind}</dd>
                    <dt>{t.entry_signed}</dt>
                    <dd><time datetime=agreement.date.clone()>{format_date(lang, &agreement.date)}</time></dd>
                    {(!agreement.place.is_empty()).then(|| view! { <dt>{t.entry_place}</dt><dd>{agreement.place.clone()}</dd> })}
                    {(!agreement.people.is_empty()).then(|| view! { <dt>{t.entry_signatories}</dt><dd>{agreement.people.clone()}</dd> })}
                    {agreement.end_date.clone().map(|end| view! {
                        <dt>{t.entry_renewal}</dt>
                        <dd><time datetime=end.clone()>{format_date(lang, &end)}</time></dd>
                    })}
                    {(!summary.is_empty()).then(|| view! { <dt>{t.entry_summary}</dt><dd lang=summary_lang>{summary}</dd> })}
                    {agreement.document.clone().map(|d| view! {
                        <dt>{t.entry_document}</dt>
                        <dd><a href=d.href() download="" rel="external">{t.agreement_download}</a></dd>
                    })}
                </dl>
            }
            .into_any()
        }
    };
    view! {
        <h3>{t.agreement_current}</h3>
        {facts}
    }
}

#[component]
fn Plan(partnership: Partnership) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let counts = partnership.plan_counts();
    let items: Vec<Entry> = partnership.plan().cloned().collect();
    let can_edit = partnership.can_edit;
    let list = if items.is_empty() {
        view! { <p class="empty">{t.plan_none}</p> }.into_any()
    } else {
        let rows = items
            .into_iter()
            .map(|entry| view! { <EntryView entry partnership=partnership.clone()/> })
            .collect_view();
        view! {
            <p data-testid="plan-progress">
                {fill(
                    t.plan_progress,
                    &[&counts.done, &counts.total(), &counts.in_progress, &counts.planned, &counts.dropped],
                )}
            </p>
            <ul class="plan">{rows}</ul>
        }
        .into_any()
    };
    let add = can_edit.then(|| {
        view! { <AddEntry partnership=partnership.clone() kind="plan" label=t.add_plan_item/> }
    });
    view! {
        <h3>{t.plan_heading}</h3>
        {list}
        {add}
    }
}

#[component]
fn Timeline(partnership: Partnership) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let mut years: Vec<(String, Vec<Entry>)> = Vec::new();
    for entry in partnership
        .entries
        .iter()
        .filter(|e| !matches!(e.detail, Detail::Plan(..)))
    {
        match years.last_mut() {
            Some((year, list)) if year == entry.year() => list.push(entry.clone()),
            _ => years.push((entry.year().to_owned(), vec![entry.clone()])),
        }
    }
    let body = if years.is_empty() {
        view! { <p class="empty">{t.timeline_none}</p> }.into_any()
    } else {
        let groups = years
            .into_iter()
            .map(|(year, entries)| {
                let heading = format!("year-{year}");
                let items = entries
                    .into_iter()
                    .map(|entry| view! { <EntryView entry partnership=partnership.clone()/> })
                    .collect_view();
                view! {
                    <li class="timeline-year" aria-labelledby=heading.clone()>
                        <h4 id=heading.clone()>{year}</h4>
                        <ol class="timeline-entries">{items}</ol>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="timeline" data-testid="timeline">{groups}</ol> }.into_any()
    };
    let adds = partnership.can_edit.then(|| {
        let admin = partnership.can_edit_all.then(|| {
            view! {
                <AddEntry partnership=partnership.clone() kind="agreement" label=t.add_agreement/>
                <AddEntry partnership=partnership.clone() kind="status" label=t.add_status/>
            }
        });
        view! {
            <AddEntry partnership=partnership.clone() kind="milestone" label=t.add_milestone/>
            <AddEntry partnership=partnership.clone() kind="visit" label=t.add_visit/>
            {admin}
        }
    });
    view! {
        <h3>{t.timeline_heading}</h3>
        {body}
        {adds}
    }
}

/// A disclosure holding the form that adds an entry of `kind`.
#[component]
fn AddEntry(partnership: Partnership, kind: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <details class="entry-edit" data-testid=format!("add-{kind}")>
            <summary>{label}</summary>
            <EntryForm city=partnership.city.slug.clone() kind entry=None news=partnership.linkable_news.clone()/>
        </details>
    }
}

/// One entry of the timeline or the plan.
#[component]
fn EntryView(entry: Entry, partnership: Partnership) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let shown = |pick: fn(&super::EntryText) -> &String| {
        let (in_lang, text) = entry.text(lang, pick);
        (in_lang.code(), text.to_owned())
    };
    let (title_lang, title) = shown(|t| &t.title);
    let (body_lang, body) = shown(|t| &t.body);
    let (_, photo_alt) = shown(|t| &t.photo_alt);
    let heading = entry_heading(lang, &entry);
    let date = match &entry.end_date {
        Some(end) if matches!(entry.detail, Detail::Visit(_)) => {
            format!(
                "{} – {}",
                format_date(lang, &entry.date),
                format_date(lang, end)
            )
        }
        _ => format_date(lang, &entry.date),
    };
    let date_label = match entry.detail {
        Detail::Plan(..) => Some(t.entry_target),
        _ => None,
    };
    let state = match entry.detail {
        Detail::Plan(_, state) => Some(state_label(lang, state)),
        _ => None,
    };
    let photo = entry.photo.clone().map(|photo| {
        view! { <CoverImage cover=Cover { alt: photo_alt.clone(), ..photo }/> }
    });
    let news = (!entry.news.is_empty()).then(|| {
        let links = entry
            .news
            .iter()
            .map(|n| view! { <li><a href=lang.href(&n.href)>{n.title.clone()}</a></li> })
            .collect_view();
        view! {
            <p class="entry-news-label">{t.entry_news}</p>
            <ul class="entry-news-list">{links}</ul>
        }
    });
    let editable =
        partnership.can_edit && (partnership.can_edit_all || !entry.detail.admins_only());
    let edit = editable.then(|| {
        view! {
            <details class="entry-edit">
                <summary>{t.entry_edit}</summary>
                <EntryForm
                    city=partnership.city.slug.clone()
                    kind=entry.detail.kind()
                    entry=Some(entry.clone())
                    news=partnership.linkable_news.clone()
                />
            </details>
        }
    });
    view! {
        <li class="entry" id=format!("entry-{}", entry.id) data-kind=entry.detail.kind()>
            <p class="entry-heading">
                <strong>{heading}</strong>
                ", "
                {date_label.map(|l| format!("{l}: "))}
                <time datetime=entry.date.clone()>{date}</time>
                {state.map(|s| view! { " — " <span class="entry-state">{s}</span> })}
                {(!entry.published).then(|| view! { " " <span class="badge">{t.entry_draft}</span> })}
            </p>
            {(!title.is_empty()).then(|| view! { <p class="entry-title" lang=title_lang>{title.clone()}</p> })}
            {(!entry.people.is_empty()).then(|| view! { <p class="entry-people">{entry.people.clone()}</p> })}
            {(!body.is_empty()).then(|| view! { <p class="entry-body" lang=body_lang>{body.clone()}</p> })}
            {photo}
            {news}
            {edit}
        </li>
    }
}
