//! What partner portals and the fediverse send, as people see it: the editors' moderation
//! inbox (`/inbox`: approve, reject, or approve and open a draft with the text to translate),
//! the admins' block list on the same page, and approved posts where they belong — on the
//! partner city's page, in the home page's "From our twin cities", and under the item a reply
//! answers. Everything shown is the sanitised copy kept on arrival, attributed and linked to the
//! original, in the languages the original carries.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use serde::{Deserialize, Serialize};

use super::Moderation;
use crate::error::AppError;
use crate::i18n::{fill, format_date, use_lang, Key, Lang};
use crate::layout::{Loaded, PageTitle};

/// A received post in the reader's language (or the one it has).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub object_id: String,
    pub kind: String,
    pub author: String,
    /// `user@server`.
    pub handle: String,
    /// The original's page (empty when it named none).
    pub url: String,
    /// The language code of the texts below; empty when the original did not say.
    pub lang: String,
    pub title: String,
    /// Sanitised HTML.
    pub summary: String,
    pub content: String,
    pub published: String,
    pub status: Moderation,
    /// The partner city whose portal sent it.
    pub city: Option<String>,
    /// The page of the item a reply answers.
    pub reply_to: Option<String>,
}

/// The moderation inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub held: Vec<Post>,
    /// The latest decided posts.
    pub decided: Vec<Post>,
    /// Blocked servers and accounts; shown to admins only.
    pub blocks: Option<Vec<(String, String)>>,
}

#[cfg(feature = "ssr")]
mod read {
    use serde_json::{Map, Value};

    use super::Post;
    use crate::i18n::Lang;
    use crate::news::ItemKind;
    use crate::store::federation::ReceivedPost;

    /// The text of `map` (a stored JSON object) in `lang`, else English, else any.
    fn pick(map: &str, lang: &str) -> Option<(String, String)> {
        let map: Map<String, Value> = serde_json::from_str(map).ok()?;
        let order = [lang, "en", "und"];
        order
            .iter()
            .find_map(|l| map.get(*l).map(|v| (l.to_string(), v)))
            .or_else(|| map.iter().next().map(|(l, v)| (l.clone(), v)))
            .and_then(|(l, v)| v.as_str().map(|text| (l, text.to_owned())))
    }

    /// `received` as `lang`'s reader sees it.
    pub fn post(received: ReceivedPost, lang: Lang) -> Post {
        let p = &received.post;
        let (lang_code, content) = pick(&p.contents, lang.code()).unwrap_or_default();
        // The title and summary in the language the content is shown in, so one post is never
        // a mixture.
        let in_lang = |map: &str| {
            pick(map, &lang_code)
                .filter(|(l, _)| *l == lang_code)
                .map(|(_, t)| t)
                .unwrap_or_default()
        };
        Post {
            object_id: p.object_id.clone(),
            kind: p.kind.clone(),
            author: received.author.clone(),
            handle: received.handle.clone(),
            url: p.url.clone(),
            title: in_lang(&p.names),
            summary: in_lang(&p.summaries),
            lang: if lang_code == "und" {
                String::new()
            } else {
                lang_code
            },
            content,
            published: p.published.clone(),
            status: received.status,
            city: received.city.clone(),
            reply_to: received
                .reply_to
                .as_ref()
                .and_then(|(slug, kind)| ItemKind::from_db(kind).map(|k| lang.href(&k.href(slug)))),
        }
    }
}

/// What to do with a held post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
    /// Approve, and open a draft news item with the post's text for an editor to translate.
    Translate,
}

/// The moderation inbox. Editors only.
#[server(prefix = "/api", endpoint = "get_inbox")]
pub async fn get_inbox(#[server(default)] lang: Lang) -> Result<Inbox, AppError> {
    use crate::auth::{session, Role};
    use crate::{state::app_state, store};
    let user = session::require(Role::Editor).await?;
    let admin = user.role == Role::Admin;
    let (held, decided, blocks) = app_state()?
        .store
        .call(move |c| {
            let (held, decided) = store::federation::moderation_list(c, 20)?;
            let blocks = if admin {
                Some(store::federation::blocks(c)?)
            } else {
                None
            };
            Ok((held, decided, blocks))
        })
        .await?;
    Ok(Inbox {
        held: held.into_iter().map(|p| read::post(p, lang)).collect(),
        decided: decided.into_iter().map(|p| read::post(p, lang)).collect(),
        blocks: blocks.map(|all| {
            all.into_iter()
                .map(|(kind, value)| (kind.as_str().to_owned(), value))
                .collect()
        }),
    })
}

/// Approves or rejects the post `object`; `translate` also opens a draft with its text. Then
/// goes back to the inbox (or to the draft). Editors only.
#[server(prefix = "/api", endpoint = "moderate_post")]
pub async fn moderate_post(
    object: String,
    decision: Decision,
    #[server(default)] lang: Lang,
) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::{state::app_state, store};
    let user = session::require(Role::Editor).await?;
    let status = match decision {
        Decision::Reject => Moderation::Rejected,
        Decision::Approve | Decision::Translate => Moderation::Approved,
    };
    let act = match decision {
        Decision::Approve => FederationAct::Approved,
        Decision::Reject => FederationAct::Rejected,
        Decision::Translate => FederationAct::Translated,
    };
    let draft = app_state()?
        .store
        .call(move |c| {
            let Some(received) = store::federation::received(c, &object)? else {
                return Ok(None);
            };
            store::federation::moderate(c, &object, status, user.id)?;
            let detail = AuditDetail::Federated {
                act,
                subject: object.clone(),
            };
            store::audit::record(c, Some(user.id), "federation", &received.handle, &detail)?;
            if decision != Decision::Translate {
                return Ok(Some(None));
            }
            let post = read::post(received, lang);
            draft_of(c, &post, lang, user.id).map(|href| Some(Some(href)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    match draft {
        Some(href) => leptos_axum::redirect(&format!("{href}?edit")),
        None => leptos_axum::redirect(&lang.href("/inbox#held")),
    }
    Ok(())
}

/// A draft news item holding `post`'s text, in the language it is written in (or `lang`), with
/// a line naming its source; the address of its page.
#[cfg(feature = "ssr")]
fn draft_of(
    conn: &mut rusqlite::Connection,
    post: &Post,
    lang: Lang,
    user: i64,
) -> Result<String, crate::store::StoreError> {
    use crate::editor::{RevisionNote, MAX_BODY, MAX_LEAD, MAX_TITLE};
    use crate::news::ItemKind;
    use crate::store::editor;
    let written_in = Lang::ALL
        .into_iter()
        .find(|l| l.code() == post.lang)
        .unwrap_or(lang);
    let draft = editor::create_draft(conn, ItemKind::News, written_in, user)?;
    let title = if post.title.is_empty() {
        fill(written_in.p().inbox_draft_title, &[&post.handle])
    } else {
        post.title.clone()
    };
    let link = if post.url.is_empty() {
        &post.object_id
    } else {
        &post.url
    };
    let source = fill(written_in.p().inbox_draft_source, &[&post.handle, link]);
    let fields = crate::editor::ItemFields {
        lang: written_in,
        title: title.chars().take(MAX_TITLE).collect(),
        lead: ammonia::Builder::empty()
            .clean(&post.summary)
            .to_string()
            .chars()
            .take(MAX_LEAD)
            .collect(),
        body: format!("{}\n\n{source}", post.content)
            .chars()
            .take(MAX_BODY)
            .collect(),
        cities: post.city.iter().cloned().collect(),
        ..draft.fields.clone()
    };
    // The first save names the draft after its title: its address is the saved one.
    let slug = match editor::save_item(
        conn,
        draft.id,
        draft.version,
        &fields,
        user,
        RevisionNote::Created,
    )? {
        editor::SaveOutcome::Saved(saved) => saved.slug,
        editor::SaveOutcome::Conflict(_) => draft.slug,
    };
    Ok(written_in.href(&ItemKind::News.href(&slug)))
}

/// Blocks a server (`chemnitz.example`) or an account (`user@server`, or its actor address).
/// Admins only.
#[server(prefix = "/api", endpoint = "block_sender")]
pub async fn block_sender(value: String, #[server(default)] lang: Lang) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::store::federation::BlockKind;
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    let value = value.trim().trim_start_matches('@').to_owned();
    let kind = if value.contains("://") {
        url::Url::parse(&value)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .map(|_| BlockKind::Account)
    } else if value.contains('@') {
        super::remote::split_handle(&value).map(|_| BlockKind::Account)
    } else {
        let host = !value.is_empty()
            && value.len() <= 253
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
        host.then_some(BlockKind::Server)
    }
    .ok_or_else(|| AppError::invalid("value", Key::ErrBlockValue))?;
    let state = app_state()?;
    // A handle is blocked as the account it names, found as the inbox would see it.
    let value = if kind == BlockKind::Account && !value.contains("://") {
        super::remote::lookup(&state, &value)
            .await
            .map_err(|_| AppError::invalid("value", Key::ErrPartnerUnreachable))?
            .id
    } else {
        value.to_ascii_lowercase()
    };
    state
        .store
        .call(move |c| {
            store::federation::block(c, kind, &value, user.id)?;
            let detail = AuditDetail::Federated {
                act: FederationAct::Blocked,
                subject: value.clone(),
            };
            store::audit::record(c, Some(user.id), "federation", &value, &detail)
        })
        .await?;
    leptos_axum::redirect(&lang.href("/inbox#blocks"));
    Ok(())
}

/// Lifts a block. Admins only.
#[server(prefix = "/api", endpoint = "unblock_sender")]
pub async fn unblock_sender(
    kind: String,
    value: String,
    #[server(default)] lang: Lang,
) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::store::federation::BlockKind;
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    let kind =
        BlockKind::from_db(&kind).ok_or_else(|| AppError::invalid("kind", Key::ErrBlockValue))?;
    app_state()?
        .store
        .call(move |c| {
            if store::federation::unblock(c, kind, &value)? {
                let detail = AuditDetail::Federated {
                    act: FederationAct::Unblocked,
                    subject: value.clone(),
                };
                store::audit::record(c, Some(user.id), "federation", &value, &detail)?;
            }
            Ok(())
        })
        .await?;
    leptos_axum::redirect(&lang.href("/inbox#blocks"));
    Ok(())
}

/// Approved posts of the partner portal followed for the city at `city`, newest first.
#[server(prefix = "/api", endpoint = "get_partner_posts")]
pub async fn get_partner_posts(
    city: String,
    #[server(default)] lang: Lang,
) -> Result<Vec<Post>, AppError> {
    use crate::{state::app_state, store};
    let posts = app_state()?
        .store
        .call(move |c| store::federation::approved_of_city(c, &city, 5))
        .await?;
    Ok(posts.into_iter().map(|p| read::post(p, lang)).collect())
}

/// The newest approved posts of all partner portals, for the home page.
#[server(prefix = "/api", endpoint = "get_twin_posts")]
pub async fn get_twin_posts(#[server(default)] lang: Lang) -> Result<Vec<Post>, AppError> {
    use crate::{state::app_state, store};
    let posts = app_state()?
        .store
        .call(|c| store::federation::approved_latest(c, 3))
        .await?;
    Ok(posts.into_iter().map(|p| read::post(p, lang)).collect())
}

/// The approved replies to the item of `kind` at `slug`, oldest first.
#[server(prefix = "/api", endpoint = "get_replies")]
pub async fn get_replies(
    kind: crate::news::ItemKind,
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Vec<Post>, AppError> {
    use crate::{state::app_state, store};
    let posts = app_state()?
        .store
        .call(move |c| {
            let Some(item) = store::items::visible_item(c, lang, kind, &slug)? else {
                return Ok(Vec::new());
            };
            store::federation::approved_replies(c, item.id)
        })
        .await?;
    Ok(posts.into_iter().map(|p| read::post(p, lang)).collect())
}

/// The approved replies under an item: who, from which server, when, and what they wrote.
#[component]
pub fn Replies(replies: Vec<Post>) -> impl IntoView {
    if replies.is_empty() {
        return ().into_any();
    }
    let lang = use_lang();
    let p = lang.p();
    view! {
        <section class="replies" aria-labelledby="replies-heading" data-testid="replies">
            <h2 id="replies-heading">{p.replies_heading}</h2>
            <ol>
                {replies.into_iter().map(|reply| {
                    let lang_attr = (!reply.lang.is_empty()).then(|| reply.lang.clone());
                    let who = if reply.url.is_empty() {
                        view! { <strong>{reply.author.clone()}</strong> }.into_any()
                    } else {
                        view! { <a href=reply.url.clone() rel="nofollow noopener noreferrer ugc"><strong>{reply.author.clone()}</strong></a> }.into_any()
                    };
                    view! {
                        <li class="reply">
                            <p class="meta">
                                {who} " (" {reply.handle.clone()} ") · "
                                <time datetime=reply.published.clone()>{format_date(lang, &reply.published)}</time>
                            </p>
                            <div class="body" lang=lang_attr inner_html=reply.content.clone()/>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// `/inbox`: what partner portals and the fediverse sent, for editors to decide on.
#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let p = lang.p();
    let inbox = Resource::new(|| (), move |_| get_inbox(lang));
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
    let held_empty = inbox.held.is_empty();
    view! {
        <section class="inbox" data-testid="inbox">
            <h1>{p.inbox_title}</h1>
            <p>{p.inbox_intro}</p>
            {error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <h2 id="held">{p.inbox_held}</h2>
            {held_empty.then(|| view! { <p class="empty">{p.inbox_none}</p> })}
            {inbox.held.into_iter().map(|post| view! { <PostCard post decide=true/> }).collect_view()}
            {(!inbox.decided.is_empty()).then(|| view! {
                <h2>{p.inbox_decided}</h2>
                {inbox.decided.into_iter().map(|post| view! { <PostCard post decide=false/> }).collect_view()}
            })}
            {inbox.blocks.map(|blocks| view! { <BlockList blocks/> })}
        </section>
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

/// Posts of a partner's portal shown on a page (the city page, the home page): title linked to
/// the original, date, summary.
#[component]
pub fn PartnerPosts(
    posts: Vec<Post>,
    /// The heading, already in the reader's language.
    heading: String,
    id: &'static str,
) -> impl IntoView {
    if posts.is_empty() {
        return ().into_any();
    }
    let lang = use_lang();
    let p = lang.p();
    view! {
        <section class="partner-posts" aria-labelledby=id data-testid="partner-posts">
            <h2 id=id>{heading}</h2>
            <ul class="feed">
                {posts.into_iter().map(|post| {
                    let lang_attr = (!post.lang.is_empty()).then(|| post.lang.clone());
                    let title = if post.title.is_empty() {
                        fill(p.inbox_post_from, &[&post.author])
                    } else {
                        post.title.clone()
                    };
                    let title = if post.url.is_empty() {
                        view! { <span lang=lang_attr.clone()>{title}</span> }.into_any()
                    } else {
                        view! { <a href=post.url.clone() lang=lang_attr.clone() rel="nofollow noopener noreferrer ugc">{title}</a> }.into_any()
                    };
                    view! {
                        <li class="feed-entry">
                            <h3>{title}</h3>
                            <p class="meta">
                                {post.author.clone()} " (" {post.handle.clone()} ") · "
                                <time datetime=post.published.clone()>{format_date(lang, &post.published)}</time>
                            </p>
                            {(!post.summary.is_empty()).then(|| view! { <div class="lead" lang=lang_attr inner_html=post.summary.clone()/> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
