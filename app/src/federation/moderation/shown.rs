//! Approved posts where visitors read them: replies under the item they answer, and partner
//! portals' posts on the partner city's page and the home page.

use leptos::prelude::*;

use super::Post;
use crate::i18n::{fill, format_date, use_lang};

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
