//! `/news/{slug}/history` and `/events/{slug}/history`: every revision of an item, the differences
//! between a chosen one and the current text, and restoring it (editors only).

use leptos::prelude::*;
use leptos_meta::Meta;

use crate::layout::PageTitle;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use leptos::server_fn::ServerFn;

use super::api::{get_history, RestoreRevision};
use super::{Editable, RevisionMeta};
use crate::error::AppError;
use crate::i18n::format_datetime;
use crate::i18n::{fill, use_lang, Key};
use crate::layout::ErrorPage;
use crate::news::ItemKind;

/// How a piece of text differs between two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Same,
    Added,
    Removed,
}

/// A run of text with one kind of change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub change: Change,
    pub text: String,
}

/// The changes to one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub label: Key,
    pub segments: Vec<Segment>,
}

/// An item's revisions, and optionally one compared with the current text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub current: Editable,
    pub revisions: Vec<RevisionMeta>,
    /// The chosen revision and how the current text differs from it.
    pub compared: Option<(i64, Vec<FieldDiff>)>,
}

/// `/news/{slug}/history`.
#[component]
pub fn NewsHistoryPage() -> impl IntoView {
    view! { <HistoryPage kind=ItemKind::News/> }
}

/// `/events/{slug}/history`.
#[component]
pub fn EventHistoryPage() -> impl IntoView {
    view! { <HistoryPage kind=ItemKind::Event/> }
}

#[component]
fn HistoryPage(kind: ItemKind) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let lang = use_lang();
    let t = lang.t();
    let history = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                query.read().get("rev").and_then(|r| r.parse::<i64>().ok()),
            )
        },
        move |(slug, rev)| get_history(kind, slug, rev, lang),
    );
    view! {
        <PageTitle text=format!("{} · {}", t.history_title, t.site_name)/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(history) => view! { <HistoryView history/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The history; after a restore (a plain form that comes back here) it says what became of it.
#[component]
fn HistoryView(history: History) -> impl IntoView {
    let current = history.current;
    let lang = use_lang();
    let t = lang.t();
    let href = lang.href(&current.kind.href(&current.slug));
    let base = format!("{href}/history");
    let query = use_query_map().read_untracked();
    let restored = match query.get("restored").and_then(|v| v.parse::<i64>().ok()) {
        Some(version) => Some(fill(t.restored_as, &[&version])),
        None => AppError::of_form(&query, RestoreRevision::PATH).map(|e| e.message(lang)),
    };
    view! {
        <section class="history" data-testid="history">
            <p class="kicker">{t.history_title}</p>
            <h1>{current.fields.title.clone()}</h1>
            <p>
                <a href=href.clone()>{t.back_to_page}</a>
            </p>
            <p role="status" class="form-status">{restored}</p>
            {history
                .compared
                .map(|(version, diff)| {
                    view! {
                        <Compared
                            version
                            diff
                            id=current.id
                            base_version=current.version
                        />
                    }
                })}
            <RevisionTable revisions=history.revisions current=current.version base/>
        </section>
    }
}

#[component]
fn RevisionTable(revisions: Vec<RevisionMeta>, current: i64, base: String) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    view! {
        <table class="revisions">
            <caption>{t.revisions_caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{t.col_version}</th>
                    <th scope="col">{t.col_saved}</th>
                    <th scope="col">{t.col_by}</th>
                    <th scope="col">{t.col_what}</th>
                    <th scope="col">
                        <span class="visually-hidden">{t.compare}</span>
                    </th>
                </tr>
            </thead>
            <tbody>
                {revisions
                    .into_iter()
                    .map(|r| {
                        let compare = (r.version != current)
                            .then(|| {
                                let href = format!("{base}?rev={}", r.version);
                                let label = fill(t.compare_label, &[&r.version]);
                                view! {
                                    <a href=href aria-label=label>{t.compare}</a>
                                }
                            });
                        view! {
                            <tr>
                                <td>{r.version}</td>
                                <td>{format_datetime(lang, &r.saved_at)}</td>
                                <td>{r.username.unwrap_or_else(|| "—".to_owned())}</td>
                                <td>{r.note.label(lang)}</td>
                                <td>{compare}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Compared(version: i64, diff: Vec<FieldDiff>, id: i64, base_version: i64) -> impl IntoView {
    let empty = diff.is_empty();
    let lang = use_lang();
    let t = lang.t();
    view! {
        <section class="compared" aria-labelledby="compared-heading" data-testid="diff">
            <h2 id="compared-heading">{fill(t.compared_heading, &[&version])}</h2>
            <p class="legend">
                <del>{fill(t.removed_since, &[&version])}</del>
                " "
                <ins>{t.added_since}</ins>
            </p>
            {empty.then(|| view! { <p>{t.no_differences}</p> })}
            <dl>
                {diff
                    .into_iter()
                    .map(|field| {
                        view! {
                            <dt>{t.of(field.label)}</dt>
                            <dd>
                                {field
                                    .segments
                                    .into_iter()
                                    .map(|s| match s.change {
                                        Change::Same => view! { <span>{s.text}</span> }.into_any(),
                                        Change::Added => view! { <ins>{s.text}</ins> }.into_any(),
                                        Change::Removed => view! { <del>{s.text}</del> }.into_any(),
                                    })
                                    .collect_view()}
                            </dd>
                        }
                    })
                    .collect_view()}
            </dl>
            <form method="post" action=RestoreRevision::url()>
                <input type="hidden" name="lang" value=lang.code()/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <input type="hidden" name="base_version" value=base_version/>
                <button type="submit" class="button">{fill(t.restore_version, &[&version])}</button>
            </form>
        </section>
    }
}
