//! What an editor sees when someone else saved the item while they were editing: the other
//! version beside their own (still in the form), so they can merge and save again.

use leptos::prelude::*;

use super::Editable;
use crate::i18n::{fill, format_datetime, use_lang};

/// The version someone else saved, shown above the editor's own text.
#[component]
pub fn ConflictPanel(theirs: Editable) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let who = theirs
        .updated_by
        .clone()
        .unwrap_or_else(|| t.someone.to_owned());
    let when = format_datetime(lang, &theirs.updated_at);
    view! {
        <section class="conflict" role="alert" aria-labelledby="conflict-heading" data-testid="conflict">
            <h2 id="conflict-heading">{t.conflict_heading}</h2>
            <p>
                {fill(t.conflict_saved, &[&who, &theirs.version, &when])}
                " "
                {t.conflict_text}
            </p>
            <div class="conflict-theirs" data-testid="conflict-theirs">
                <h3>{t.conflict_theirs}</h3>
                <dl>
                    <dt>{t.diff_title}</dt>
                    <dd>{theirs.fields.title}</dd>
                    <dt>{t.diff_lead}</dt>
                    <dd>{theirs.fields.lead}</dd>
                    <dt>{t.diff_text}</dt>
                    <dd><pre>{theirs.fields.body}</pre></dd>
                </dl>
            </div>
        </section>
    }
}
