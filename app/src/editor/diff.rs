//! Word-level differences between two versions of an item, for the history page.

use similar::{ChangeTag, TextDiff};

use super::history::{Change, FieldDiff, Segment};
use super::ItemFields;
use crate::i18n::Key;

fn words(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::from_words(old, new);
    // A rewrite reads better as the old text then the new than as a word-by-word weave.
    if diff.ratio() < 0.4 {
        return [(Change::Removed, old), (Change::Added, new)]
            .into_iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(change, text)| Segment {
                change,
                text: text.to_owned(),
            })
            .collect();
    }
    let mut out: Vec<Segment> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => Change::Same,
            ChangeTag::Delete => Change::Removed,
            ChangeTag::Insert => Change::Added,
        };
        // Merge runs of the same kind so the page has few, readable spans.
        match out.last_mut() {
            Some(last) if last.change == kind => last.text.push_str(change.value()),
            _ => out.push(Segment {
                change: kind,
                text: change.value().to_owned(),
            }),
        }
    }
    out
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The fields that differ between `old` and `new`, each with its word-level changes.
pub fn fields(old: &ItemFields, new: &ItemFields) -> Vec<FieldDiff> {
    let pairs = [
        (Key::DiffTitle, old.title.clone(), new.title.clone()),
        (Key::DiffLead, old.lead.clone(), new.lead.clone()),
        (Key::DiffText, old.body.clone(), new.body.clone()),
        (
            Key::DiffStatus,
            old.status.as_str().to_owned(),
            new.status.as_str().to_owned(),
        ),
        (
            Key::DiffPublished,
            opt(&old.published_at),
            opt(&new.published_at),
        ),
        (
            Key::DiffStarts,
            opt(&old.event_start),
            opt(&new.event_start),
        ),
        (Key::DiffEnds, opt(&old.event_end), opt(&new.event_end)),
        (Key::DiffVenue, old.venue.clone(), new.venue.clone()),
        (
            Key::DiffCities,
            old.cities.join(", "),
            new.cities.join(", "),
        ),
        (Key::DiffTags, old.tags.join(", "), new.tags.join(", ")),
        (Key::DiffCover, opt(&old.cover_image), opt(&new.cover_image)),
        (
            Key::DiffCoverAlt,
            old.cover_alt.clone(),
            new.cover_alt.clone(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, a, b)| FieldDiff {
            label,
            segments: words(&a, &b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::ItemStatus;

    fn base() -> ItemFields {
        ItemFields {
            lang: crate::i18n::Lang::En,
            title: "Concert in Ostrava".into(),
            lead: "Same lead.".into(),
            body: String::new(),
            status: ItemStatus::Published,
            published_at: None,
            event_start: None,
            event_end: None,
            venue: String::new(),
            cities: vec![],
            tags: vec![],
            cover_image: None,
            cover_alt: String::new(),
        }
    }

    #[test]
    fn a_rewrite_is_shown_as_old_then_new() {
        let new = ItemFields {
            lead: "Something else entirely, written anew.".into(),
            ..base()
        };
        let diff = fields(&base(), &new);
        let changes: Vec<_> = diff[0]
            .segments
            .iter()
            .map(|s| (s.change, s.text.as_str()))
            .collect();
        assert_eq!(
            changes,
            vec![
                (Change::Removed, "Same lead."),
                (Change::Added, "Something else entirely, written anew.")
            ]
        );
    }

    #[test]
    fn only_changed_fields_with_words_marked() {
        let new = ItemFields {
            title: "Online concert in Ostrava".into(),
            ..base()
        };
        let diff = fields(&base(), &new);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].label, Key::DiffTitle);
        let added: String = diff[0]
            .segments
            .iter()
            .filter(|s| s.change == Change::Added)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(added.trim(), "Online concert");
        let removed: String = diff[0]
            .segments
            .iter()
            .filter(|s| s.change == Change::Removed)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(removed.trim(), "Concert");
    }
}
