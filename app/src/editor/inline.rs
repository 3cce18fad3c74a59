//! Editing an item in place: the editor's toolbar on an item's page, the edit form laid out like
//! the page it replaces, saving (button or Ctrl/Cmd+S) with conflict detection, and the
//! warning before leaving with unsaved changes. The form is the [`ItemEditor`] island, lazy:
//! only an editor's page with `?edit` fetches its code.

use crate::layout::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{get_editable, CreateItem, UpdateItem};
use super::conflict::ConflictPanel;
use super::images::CoverField;
use super::{Editable, ItemFields, ItemStatus};
use crate::auth::use_auth;
use crate::cities::api::list_cities;
use crate::error::AppError;
use crate::i18n::{fill, use_lang, Lang};
use crate::news::CityRef;
use crate::news::{Item, ItemArticle, ItemKind};

/// An item's page as its editors see it: a toolbar with the item's state, and either the page as
/// visitors see it or (with `?edit` in the URL) the same page with every text editable.
#[component]
pub fn EditableItem(item: Item, editable: Editable, badge: Option<String>) -> impl IntoView {
    let editing = use_query_map().read_untracked().get("edit").is_some();
    let lang = use_lang();
    let href = lang.href(&editable.kind.href(&editable.slug));
    if !editing {
        return view! {
            <EditorToolbar href badge editing/>
            <ItemArticle item/>
        }
        .into_any();
    }
    let t = lang.t();
    let heading = fill(t.editing_item, &[&editable.fields.title]);
    let cover_widths = item.cover.map(|c| c.widths).unwrap_or_default();
    let cities = Resource::new(|| (), move |_| list_cities(lang));
    view! {
        <EditorToolbar href badge editing/>
        <PageTitle text=format!("{heading} · {}", t.site_name)/>
        <h1 class="visually-hidden">{heading}</h1>
        <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
            {move || {
                let editable = editable.clone();
                let cover_widths = cover_widths.clone();
                Suspend::new(async move {
                    let cities = cities
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .map(CityRef::from)
                        .collect();
                    view! { <ItemEditor editable cover_widths cities lang/> }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn EditorToolbar(href: String, badge: Option<String>, editing: bool) -> impl IntoView {
    let t = use_lang().t();
    let history = format!("{href}/history");
    let edit_href = format!("{href}?edit");
    view! {
        <div class="editor-toolbar" data-testid="editor-toolbar">
            {badge.map(|b| view! { <span class="badge" data-testid="status-badge">{b}</span> })}
            {(!editing).then(|| view! {
                <a href=edit_href class="button" data-testid="edit-toggle">{t.edit}</a>
            })}
            <a href=history>{t.history}</a>
        </div>
    }
}

/// The editable copy of every field, one signal each.
#[derive(Clone, Copy)]
struct Draft {
    title: RwSignal<String>,
    lead: RwSignal<String>,
    body: RwSignal<String>,
    status: RwSignal<ItemStatus>,
    /// `YYYY-MM-DDTHH:MM`, as a `datetime-local` input holds it; empty for "now".
    publish_at: RwSignal<String>,
    event_start: RwSignal<String>,
    event_end: RwSignal<String>,
    venue: RwSignal<String>,
    cities: RwSignal<Vec<String>>,
    tags: RwSignal<String>,
    cover_image: RwSignal<Option<String>>,
    cover_alt: RwSignal<String>,
    lang: StoredValue<Lang>,
}

impl Draft {
    fn new(f: &ItemFields) -> Self {
        Self {
            title: RwSignal::new(f.title.clone()),
            lead: RwSignal::new(f.lead.clone()),
            body: RwSignal::new(f.body.clone()),
            status: RwSignal::new(f.status),
            publish_at: RwSignal::new(
                f.published_at
                    .as_deref()
                    .map(|at| at.chars().take(16).collect())
                    .unwrap_or_default(),
            ),
            event_start: RwSignal::new(f.event_start.clone().unwrap_or_default()),
            event_end: RwSignal::new(f.event_end.clone().unwrap_or_default()),
            venue: RwSignal::new(f.venue.clone()),
            cities: RwSignal::new(f.cities.clone()),
            tags: RwSignal::new(f.tags.join(", ")),
            cover_image: RwSignal::new(f.cover_image.clone()),
            cover_alt: RwSignal::new(f.cover_alt.clone()),
            lang: StoredValue::new(f.lang),
        }
    }

    /// The fields as they would be saved; tracked, so a memo of it follows every keystroke.
    fn fields(&self, kind: ItemKind) -> ItemFields {
        let opt = |s: String| (!s.trim().is_empty()).then_some(s);
        let is_event = kind == ItemKind::Event;
        ItemFields {
            lang: self.lang.get_value(),
            title: self.title.get(),
            lead: self.lead.get(),
            body: self.body.get(),
            status: self.status.get(),
            published_at: opt(self.publish_at.get()),
            event_start: if is_event {
                opt(self.event_start.get())
            } else {
                None
            },
            event_end: if is_event {
                opt(self.event_end.get())
            } else {
                None
            },
            venue: self.venue.get(),
            cities: self.cities.get(),
            tags: self
                .tags
                .get()
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            cover_image: self.cover_image.get(),
            cover_alt: self.cover_alt.get(),
        }
    }
}

/// The edit form. `cities` are those an item can be linked to. The page is left by loading a new
/// document (the island's guards against losing unsaved text go with it).
#[island(lazy)]
fn ItemEditor(
    mut editable: Editable,
    cover_widths: Vec<u32>,
    cities: Vec<CityRef>,
    lang: Lang,
) -> impl IntoView {
    provide_context(lang);
    let t = lang.t();
    // The page's language is the one being written: on a Russian page an English-only item
    // starts from its English text and saves as its Russian translation.
    editable.fields.lang = lang;
    let kind = editable.kind;
    let href = lang.href(&kind.href(&editable.slug));
    let draft = Draft::new(&editable.fields);
    let saved_fields = RwSignal::new(untrack(|| draft.fields(kind)));
    let current = Memo::new(move |_| draft.fields(kind));
    let dirty = Memo::new(move |_| current.with(|c| saved_fields.with(|s| c != s)));
    let base_version = RwSignal::new(editable.version);
    let conflict = RwSignal::new(None::<Editable>);
    let save = ServerAction::<UpdateItem>::new();
    let submit = move || {
        if !save.pending().get_untracked() {
            save.dispatch(UpdateItem {
                id: editable.id,
                base_version: base_version.get_untracked(),
                fields: current.get_untracked(),
            });
        }
    };
    after_save(
        save,
        kind,
        editable.slug.clone(),
        saved_fields,
        current,
        base_version,
        conflict,
    );
    guard_unsaved(dirty, submit);
    let error = move || match save.value().get() {
        Some(Err(AppError::Conflict)) | Some(Ok(_)) | None => None,
        Some(Err(e)) => Some(e),
    };
    let invalid = move |name: &'static str| move || matches!(error(), Some(AppError::Invalid { field, .. }) if field == name);
    let cancel = move |_| {
        if !dirty.get_untracked() || confirm(t.confirm_discard) {
            saved_fields.set(current.get_untracked());
            crate::load_page(&href);
        }
    };
    let hydrated = RwSignal::new(false);
    crate::client_effect(move || hydrated.set(true));
    view! {
        <form
            class="item item-edit"
            data-testid="edit-form"
            data-island-ready=move || hydrated.get().then_some("")
            data-navigation="document"
            aria-label=t.edit_form_label
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            // Nothing can be typed or sent before the island is live: text typed earlier would
            // be replaced, and a form sent without the script would carry none of it.
            <fieldset class="plain" disabled=move || !hydrated.get()>
            <div class="edit-actions">
                <StatusFields draft/>
                <span class="unsaved" role="status">
                    {move || if dirty.get() { t.unsaved } else { "" }}
                </span>
                <button type="submit" class="button primary" disabled=move || save.pending().get()>
                    {move || if conflict.get().is_some() { t.save_mine } else { t.save }}
                </button>
                <button type="button" class="button" on:click=cancel>{t.cancel}</button>
            </div>
            <p class="hint">{fill(t.editing_in, &[&t.lang_name])}</p>
            // Hidden by the stylesheet once the page has hydrated: until then nothing can be saved.
            <p class="form-error needs-script">
                {t.needs_script}
            </p>
            <p class="form-error" role="alert" data-testid="form-error">
                {move || error().map(|e| e.message(lang))}
            </p>
            {move || conflict.get().map(|theirs| view! { <ConflictPanel theirs/> })}
            <TextFields draft kind invalid_title=Signal::derive(invalid("title"))/>
            <LinkFields draft cities/>
            <CoverField image=draft.cover_image alt=draft.cover_alt widths=cover_widths/>
            </fieldset>
        </form>
    }
}

/// Reacts to the end of a save: on success the page shows the saved item (at its new address if
/// the slug changed); on a conflict the current version is fetched to show beside the editor's.
fn after_save(
    save: ServerAction<UpdateItem>,
    kind: ItemKind,
    slug: String,
    saved_fields: RwSignal<ItemFields>,
    current: Memo<ItemFields>,
    base_version: RwSignal<i64>,
    conflict: RwSignal<Option<Editable>>,
) {
    let lang = use_lang();
    crate::client_effect(move || match save.value().get() {
        Some(Ok(saved)) => {
            saved_fields.set(current.get_untracked());
            conflict.set(None);
            crate::load_page(&lang.href(&saved.kind.href(&saved.slug)));
        }
        Some(Err(AppError::Conflict)) => {
            let slug = slug.clone();
            leptos::task::spawn_local(async move {
                if let Ok(theirs) = get_editable(kind, slug, lang).await {
                    // Saving again now knowingly replaces their version with the merged text.
                    base_version.set(theirs.version);
                    conflict.set(Some(theirs));
                }
            });
        }
        _ => {}
    });
}

/// Asks before the page is left with unsaved changes, and saves on Ctrl/Cmd+S.
fn guard_unsaved(dirty: Memo<bool>, submit: impl Fn() + Copy + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let leave = use_lang().t().confirm_leave;
        use leptos::ev;
        use leptos::wasm_bindgen::{closure::Closure, JsCast};

        let unload = window_event_listener(ev::beforeunload, move |e| {
            if dirty.get_untracked() {
                e.prevent_default();
                e.set_return_value("unsaved");
            }
        });
        let keys = window_event_listener(ev::keydown, move |e| {
            if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
                e.prevent_default();
                submit();
            }
        });
        // The page's navigation follows links from a listener on the window; catching clicks on
        // the way down lets a "stay" answer stop the navigation before it starts.
        let links = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
            let on_link = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten())
                .is_some();
            if on_link && dirty.get_untracked() && !confirm(leave) {
                e.prevent_default();
                e.stop_propagation();
            }
        })
        .into_js_value();
        let _ = document().add_event_listener_with_callback_and_bool(
            "click",
            links.unchecked_ref(),
            true,
        );
        let links = send_wrapper::SendWrapper::new(links);
        on_cleanup(move || {
            unload.remove();
            keys.remove();
            let _ = document().remove_event_listener_with_callback_and_bool(
                "click",
                links.unchecked_ref(),
                true,
            );
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dirty, submit);
}

/// Asks the person to confirm; on the server (never reached) it declines.
fn confirm(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        window().confirm_with_message(question).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        false
    }
}

#[component]
fn StatusFields(draft: Draft) -> impl IntoView {
    let t = use_lang().t();
    view! {
        <label for="edit-status">{t.edit_status}</label>
        <select
            id="edit-status"
            on:change:target=move |ev| {
                if let Some(s) = ItemStatus::from_db(&ev.target().value()) {
                    draft.status.set(s);
                }
            }
        >
            {[
                (ItemStatus::Draft, t.status_draft_hidden),
                (ItemStatus::Published, t.status_published),
                (ItemStatus::Archived, t.status_archived_hidden),
            ]
                .into_iter()
                .map(|(s, label)| {
                    view! {
                        <option value=s.as_str() selected=move || draft.status.get() == s>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        <label for="edit-publish-at">{t.publish_at}</label>
        <input
            id="edit-publish-at"
            type="datetime-local"
            aria-describedby="edit-publish-at-hint"
            bind:value=draft.publish_at
        />
        <span id="edit-publish-at-hint" class="hint">{t.publish_at_hint}</span>
    }
}

#[component]
fn TextFields(draft: Draft, kind: ItemKind, invalid_title: Signal<bool>) -> impl IntoView {
    let t = use_lang().t();
    let kicker = match kind {
        ItemKind::News => t.kicker_news,
        ItemKind::Event => t.badge_event,
    };
    view! {
        <header>
            <p class="kicker">{kicker}</p>
            <label class="field-label" for="edit-title">{t.field_title}</label>
            <textarea
                id="edit-title"
                class="edit-title"
                rows="2"
                required
                maxlength=super::MAX_TITLE
                aria-invalid=move || invalid_title.get().to_string()
                bind:value=draft.title
            ></textarea>
            {(kind == ItemKind::Event).then(|| view! { <EventFields draft/> })}
        </header>
        <label class="field-label" for="edit-lead">{t.field_lead}</label>
        <textarea id="edit-lead" class="lead edit-lead" rows="3" maxlength=super::MAX_LEAD bind:value=draft.lead></textarea>
        <label class="field-label" for="edit-body">{t.field_body}</label>
        <textarea id="edit-body" class="body edit-body" rows="14" bind:value=draft.body></textarea>
    }
}

#[component]
fn EventFields(draft: Draft) -> impl IntoView {
    let t = use_lang().t();
    view! {
        <div class="edit-event">
            <label>{t.field_starts}" "<input type="date" required bind:value=draft.event_start/></label>
            <label>{t.field_ends}" "<input type="date" bind:value=draft.event_end/></label>
            <label>{t.field_venue}" "<input type="text" maxlength=super::MAX_SHORT bind:value=draft.venue/></label>
        </div>
    }
}

#[component]
fn LinkFields(draft: Draft, cities: Vec<CityRef>) -> impl IntoView {
    let t = use_lang().t();
    let boxes = cities
        .into_iter()
        .map(|city| {
            let slug = city.slug;
            let checked = {
                let slug = slug.clone();
                move || draft.cities.with(|c| c.contains(&slug))
            };
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=checked
                        on:change:target=move |ev| {
                            let on = ev.target().checked();
                            draft.cities.update(|c| {
                                c.retain(|s| s != &slug);
                                if on { c.push(slug.clone()) }
                            });
                        }
                    />
                    {city.name}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="edit-cities">
            <legend>{t.field_cities}</legend>
            {boxes}
        </fieldset>
        <label class="field-label" for="edit-tags">{t.field_tags}</label>
        <input id="edit-tags" type="text" bind:value=draft.tags/>
    }
}

/// "New article" / "New event" for editors: creates a draft and opens it in edit mode. A plain
/// form, so it also works before the page's script has loaded.
#[component]
pub fn NewItemButton(kind: ItemKind) -> impl IntoView {
    let auth = use_auth();
    let lang = use_lang();
    let create = ServerAction::<CreateItem>::new();
    let value = kind.as_str();
    let label = match kind {
        ItemKind::News => lang.t().new_article,
        ItemKind::Event => lang.t().new_event,
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                auth.user
                    .await
                    .ok()
                    .flatten()
                    .map(|_| {
                        view! {
                            <ActionForm action=create attr:class="new-item">
                                <input type="hidden" name="kind" value=value/>
                                <input type="hidden" name="lang" value=lang.code()/>
                                <button type="submit" class="button primary">{label}</button>
                            </ActionForm>
                        }
                    })
            })}
        </Transition>
    }
}
