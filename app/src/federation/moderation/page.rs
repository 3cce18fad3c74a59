//! `/inbox`: the editors' moderation list in pages, with what the caps refused, each waiting
//! post (an edit shown as its difference from what visitors see) and its decisions, and the
//! admins' block list.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;

use super::{get_inbox, BlockSender, Inbox, ModeratePost, Post, Refused, UnblockSender};
use crate::editor::{Change, FieldDiff};
use crate::error::AppError;
use crate::federation::Moderation;
use crate::i18n::{fill, format_date, use_lang};
use crate::layout::{Loaded, PageTitle};
use crate::pager::{parse_page, Pager};

/// `/inbox`: what partner portals and the fediverse sent, for editors to decide on.
#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let query = leptos_router::hooks::use_query_map();
    let inbox = Resource::new(
        move || parse_page(query.read().get("page")),
        move |page| async move { get_inbox(page?, lang).await },
    );
    view! {
        <PageTitle text=format!("{} · {}", p.inbox_title, lang.t().site_name)/>
        <Meta name="robots" content="noindex"/>
        <Loaded resource=inbox view=|inbox| view! { <InboxView inbox/> }/>
    }
}

#[component]
fn InboxView(inbox: Inbox) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let query = leptos_router::hooks::use_query_map().read_untracked();
    let error = [ModeratePost::PATH, BlockSender::PATH, UnblockSender::PATH]
        .into_iter()
        .find_map(|path| AppError::of_form(&query, path))
        .map(|e| e.message(lang));
    let held = inbox.held;
    let held_empty = held.items.is_empty();
    view! {
        <section class="inbox" data-testid="inbox">
            <h1>{p.inbox_title}</h1>
            <p>{p.inbox_intro}</p>
            {error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <h2 id="held">{p.inbox_held}</h2>
            <RefusedNote refused=inbox.refused/>
            {held_empty.then(|| view! { <p class="empty">{p.inbox_none}</p> })}
            {held.items.into_iter().map(|post| view! { <PostCard post decide=true/> }).collect_view()}
            <Pager current=held.page pages=held.pages base=lang.href("/inbox")/>
            {(!inbox.decided.is_empty()).then(|| view! {
                <h2>{p.inbox_decided}</h2>
                {inbox.decided.into_iter().map(|post| view! { <PostCard post decide=false/> }).collect_view()}
            })}
            {inbox.blocks.map(|blocks| view! { <BlockList blocks/> })}
        </section>
    }
}

/// What the caps on the list refused in the last week, so that editors know something was
/// turned away (and from which server, to block it if it is a flood).
#[component]
fn RefusedNote(refused: Vec<Refused>) -> impl IntoView {
    if refused.is_empty() {
        return ().into_any();
    }
    let p = use_lang().p();
    view! {
        <div class="notice" data-testid="inbox-refused">
            <p>{p.inbox_refused_intro}</p>
            <ul>
                {refused.into_iter().map(|r| {
                    let line = match r.server {
                        Some(server) => fill(p.inbox_refused_server, &[&r.count, &server, &r.cap]),
                        None => fill(p.inbox_refused_full, &[&r.count, &r.cap]),
                    };
                    view! { <li>{line}</li> }
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// How an edit of an approved post differs from the texts visitors see.
#[component]
fn EditDiff(diff: Vec<FieldDiff>) -> impl IntoView {
    let lang = use_lang();
    let (t, p) = (lang.t(), lang.p());
    view! {
        <div class="compared" data-testid="post-edit">
            <p><strong>{p.inbox_edit_intro}</strong></p>
            <p class="legend"><del>{p.inbox_edit_shown}</del> " " <ins>{p.inbox_edit_new}</ins></p>
            <dl>
                {diff.into_iter().map(|field| view! {
                    <dt>{t.of(field.label)}</dt>
                    <dd>
                        {field.segments.into_iter().map(|s| match s.change {
                            Change::Same => view! { <p>{s.text}</p> }.into_any(),
                            Change::Added => view! { <p><ins>{s.text}</ins></p> }.into_any(),
                            Change::Removed => view! { <p><del>{s.text}</del></p> }.into_any(),
                        }).collect_view()}
                    </dd>
                }).collect_view()}
            </dl>
        </div>
    }
}

/// A received post; with the moderation buttons when `decide`.
#[component]
fn PostCard(post: Post, decide: bool) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let status = match post.status {
        Moderation::Held => p.inbox_status_held,
        Moderation::Approved => p.inbox_status_approved,
        Moderation::Rejected => p.inbox_status_rejected,
    };
    let heading = if post.title.is_empty() {
        fill(p.inbox_post_from, &[&post.author])
    } else {
        post.title.clone()
    };
    let what = match &post.reply_to {
        Some(href) => view! { <a href=href.clone()>{p.inbox_reply_to}</a> }.into_any(),
        None => view! { <span>{p.inbox_partner_post}</span> }.into_any(),
    };
    let object = post.object_id.clone();
    let buttons = decide.then(|| {
        view! {
            <form method="post" action=ModeratePost::PATH class="decisions">
                <input type="hidden" name="object" value=object/>
                <input type="hidden" name="lang" value=lang.code()/>
                <button class="button primary" type="submit" name="decision" value="approve">{p.inbox_approve}</button>
                <button class="button" type="submit" name="decision" value="reject">{p.inbox_reject}</button>
                {post.reply_to.is_none().then(|| view! {
                    <button class="button" type="submit" name="decision" value="translate">{p.inbox_translate}</button>
                })}
            </form>
        }
    });
    let lang_attr = (!post.lang.is_empty()).then(|| post.lang.clone());
    view! {
        <article class="received-post" data-testid="received-post">
            <h3 lang=lang_attr.clone()>{heading}</h3>
            <p class="meta">
                {what} " · " {post.author.clone()} " (" {post.handle.clone()} ") · "
                <time datetime=post.published.clone()>{format_date(lang, &post.published)}</time>
                " · " {status}
            </p>
            {(!post.summary.is_empty()).then(|| view! { <div class="lead" lang=lang_attr.clone() inner_html=post.summary.clone()/> })}
            <div class="body" lang=lang_attr inner_html=post.content.clone()/>
            {(!post.url.is_empty()).then(|| view! {
                <p><a href=post.url.clone() rel="nofollow noopener noreferrer ugc">{fill(p.inbox_original, &[&post.handle])}</a></p>
            })}
            {post.edit.map(|diff| view! { <EditDiff diff/> })}
            {buttons}
        </article>
    }
}

#[component]
fn BlockList(blocks: Vec<(String, String)>) -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let empty = blocks.is_empty();
    view! {
        <h2 id="blocks">{p.inbox_blocks}</h2>
        {empty.then(|| view! { <p class="empty">{p.inbox_blocks_none}</p> })}
        <ul class="blocks">
            {blocks.into_iter().map(|(kind, value)| {
                let label = fill(p.inbox_unblock_label, &[&value]);
                view! {
                    <li>
                        {value.clone()}
                        <form method="post" action=UnblockSender::PATH class="inline">
                            <input type="hidden" name="kind" value=kind/>
                            <input type="hidden" name="value" value=value/>
                            <input type="hidden" name="lang" value=lang.code()/>
                            <button class="button" type="submit" aria-label=label>{p.inbox_unblock}</button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
        <form method="post" action=BlockSender::PATH class="entry-form block-form">
            <input type="hidden" name="lang" value=lang.code()/>
            <label for="block-value">{p.inbox_block_label}</label>
            <p class="hint" id="block-hint">{p.inbox_block_hint}</p>
            <input id="block-value" name="value" type="text" required autocomplete="off"
                spellcheck="false" aria-describedby="block-hint"/>
            <button class="button" type="submit">{p.inbox_block}</button>
        </form>
    }
}
