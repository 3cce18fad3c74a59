//! The numbered pager of the seed site ("‹‹ Back 1 2 3 4 5 … Next ››") and the reading of the
//! `page` query parameter it drives.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{use_lang, Key};

/// Page `page` (1-based) of a list of `pages` pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub pages: u32,
}

/// Pages shown around the current one.
const WINDOW: u32 = 5;

/// One slot of the pager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Page(u32),
    Gap,
}

/// The slots for page `current` of `pages`: a window of five pages, plus the first and last
/// page with a gap where pages are skipped.
pub fn slots(current: u32, pages: u32) -> Vec<Slot> {
    let pages = pages.max(1);
    let current = current.clamp(1, pages);
    let start = current
        .saturating_sub(WINDOW / 2)
        .min(pages.saturating_sub(WINDOW - 1))
        .max(1);
    let end = (start + WINDOW - 1).min(pages);
    let mut slots = Vec::new();
    if start > 1 {
        slots.push(Slot::Page(1));
        if start > 2 {
            slots.push(Slot::Gap);
        }
    }
    slots.extend((start..=end).map(Slot::Page));
    if end < pages {
        if end < pages - 1 {
            slots.push(Slot::Gap);
        }
        slots.push(Slot::Page(pages));
    }
    slots
}

/// Reads the `page` query value: absent means 1; digits are a page number (too large to be one
/// is simply a page that does not exist); anything else is a 400 with an explanation.
pub fn parse_page(raw: Option<String>) -> Result<u32, AppError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(1),
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(digits.parse().unwrap_or(u32::MAX))
        }
        Some(_) => Err(AppError::invalid("page", Key::ErrPageNumber)),
    }
}

/// The URL of page `page` of the list at `base` (which may already carry a query string).
pub fn page_href(base: &str, page: u32) -> String {
    if page <= 1 {
        base.to_owned()
    } else if base.contains('?') {
        format!("{base}&page={page}")
    } else {
        format!("{base}?page={page}")
    }
}

/// Links to the other pages of a list; nothing when there is only one page.
#[component]
pub fn Pager(current: u32, pages: u32, #[prop(into)] base: String) -> impl IntoView {
    let t = use_lang().t();
    (pages > 1).then(|| {
        let back = (current > 1).then(|| page_href(&base, current - 1));
        let next = (current < pages).then(|| page_href(&base, current + 1));
        let numbers = slots(current, pages)
            .into_iter()
            .map(|slot| match slot {
                Slot::Page(n) if n == current => view! {
                    <li><a href=page_href(&base, n) aria-current="page">{n}</a></li>
                }
                .into_any(),
                Slot::Page(n) => view! {
                    <li><a href=page_href(&base, n)>{n}</a></li>
                }
                .into_any(),
                Slot::Gap => view! { <li class="gap" aria-hidden="true">"…"</li> }.into_any(),
            })
            .collect_view();
        view! {
            <nav class="pager" aria-label=t.pager_label>
                <ul>
                    <li>{edge(back, "prev", t.pager_back)}</li>
                    {numbers}
                    <li>{edge(next, "next", t.pager_next)}</li>
                </ul>
            </nav>
        }
    })
}

fn edge(href: Option<String>, rel: &'static str, label: &'static str) -> AnyView {
    match href {
        Some(href) => view! { <a href=href rel=rel>{label}</a> }.into_any(),
        None => view! { <span class="disabled" aria-disabled="true">{label}</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Slot::{Gap, Page};

    #[test]
    fn first_page_of_many_matches_the_seed_site() {
        assert_eq!(
            slots(1, 13),
            vec![Page(1), Page(2), Page(3), Page(4), Page(5), Gap, Page(13)]
        );
    }

    #[test]
    fn middle_pages_have_gaps_on_both_sides() {
        assert_eq!(
            slots(7, 13),
            vec![
                Page(1),
                Gap,
                Page(5),
                Page(6),
                Page(7),
                Page(8),
                Page(9),
                Gap,
                Page(13)
            ]
        );
    }

    #[test]
    fn no_gap_for_a_single_skipped_neighbour_and_few_pages() {
        assert_eq!(slots(3, 3), vec![Page(1), Page(2), Page(3)]);
        assert_eq!(
            slots(4, 6),
            vec![Page(1), Page(2), Page(3), Page(4), Page(5), Page(6)]
        );
        assert_eq!(
            slots(13, 13),
            vec![
                Page(1),
                Gap,
                Page(9),
                Page(10),
                Page(11),
                Page(12),
                Page(13)
            ]
        );
        assert_eq!(slots(1, 1), vec![Page(1)]);
    }

    #[test]
    fn page_parameter_is_validated() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("3".into())), Ok(3));
        assert_eq!(parse_page(Some("99999999999".into())), Ok(u32::MAX));
        assert_eq!(parse_page(Some("two".into())).unwrap_err().status(), 400);
        assert_eq!(parse_page(Some("-1".into())).unwrap_err().status(), 400);
    }

    #[test]
    fn page_one_links_to_the_bare_list() {
        assert_eq!(page_href("/news", 1), "/news");
        assert_eq!(page_href("/news", 2), "/news?page=2");
        assert_eq!(
            page_href("/news?city=ostrava", 2),
            "/news?city=ostrava&page=2"
        );
    }
}
