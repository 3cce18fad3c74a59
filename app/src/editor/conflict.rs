//! What an editor sees when someone else saved the item while they were editing: the other
//! version beside their own (still in the form), so they can merge and save again.

use leptos::prelude::*;

use super::Editable;
use crate::i18n::format_datetime;

/// The version someone else saved, shown above the editor's own text.
#[component]
pub fn ConflictPanel(theirs: Editable) -> impl IntoView {
    let who = theirs
        .updated_by
        .clone()
        .unwrap_or_else(|| "Someone".to_owned());
    let when = format_datetime(&theirs.updated_at);
    view! {
        <section class="conflict" role="alert" aria-labelledby="conflict-heading" data-testid="conflict">
            <h2 id="conflict-heading">"Someone else saved this item while you were editing"</h2>
            <p>
                {format!("{who} saved version {} at {when}. ", theirs.version)}
                "Your text is still in the form below and nothing has been lost. Copy what you need "
                "from their version, then choose “Save my version”."
            </p>
            <div class="conflict-theirs" data-testid="conflict-theirs">
                <h3>"Their version"</h3>
                <dl>
                    <dt>"Title"</dt>
                    <dd>{theirs.fields.title}</dd>
                    <dt>"Lead paragraph"</dt>
                    <dd>{theirs.fields.lead}</dd>
                    <dt>"Text"</dt>
                    <dd><pre>{theirs.fields.body}</pre></dd>
                </dl>
            </div>
        </section>
    }
}
