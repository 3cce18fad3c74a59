//! Editing on the public pages: the fields an editor changes, their validation (shared by the
//! browser and the server), the publishing workflow, revisions and the audit log.

pub mod api;
pub mod audit;
pub mod city;
mod conflict;
#[cfg(feature = "ssr")]
pub mod diff;
mod history;
pub mod images;
mod inline;

pub use audit::AuditPage;
pub use history::{Change, EventHistoryPage, FieldDiff, NewsHistoryPage, Segment};
pub use inline::{EditableItem, NewItemButton};

use serde::{Deserialize, Serialize};

use crate::error::{AppError, Arg};
use crate::i18n::Key;
use crate::news::ItemKind;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest lead paragraph, in characters.
pub const MAX_LEAD: usize = 1_000;
/// Longest body, in characters of Markdown.
pub const MAX_BODY: usize = 100_000;
/// Longest venue or image description, in characters.
pub const MAX_SHORT: usize = 300;
/// Most tags or linked cities on one item.
pub const MAX_LINKS: usize = 30;

/// Where an item is in the publishing workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemStatus {
    Draft,
    Published,
    Archived,
}

db_enum!(ItemStatus {
    Draft = "draft",
    Published = "published",
    Archived = "archived"
});

/// Everything about an item an editor can change; each revision keeps one of these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFields {
    /// Language of the texts below.
    pub lang: crate::i18n::Lang,
    pub title: String,
    pub lead: String,
    /// Markdown.
    pub body: String,
    pub status: ItemStatus,
    /// `YYYY-MM-DDTHH:MM:SSZ`; when published (or scheduled to be). Empty publishes now.
    pub published_at: Option<String>,
    /// Events only: `YYYY-MM-DD`.
    pub event_start: Option<String>,
    pub event_end: Option<String>,
    pub venue: String,
    /// Slugs of the linked partner cities.
    pub cities: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Hash of the cover image, and its description for people who cannot see it.
    pub cover_image: Option<String>,
    pub cover_alt: String,
}

/// An item as its editor works on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Editable {
    pub id: i64,
    pub kind: ItemKind,
    pub slug: String,
    /// The version these fields are; a save must name it.
    pub version: i64,
    pub fields: ItemFields,
    pub updated_at: String,
    /// Who saved last, when known.
    pub updated_by: Option<String>,
}

impl Editable {
    /// The badge saying why visitors cannot see the item at `now` (`YYYY-MM-DDTHH:MM:SSZ`),
    /// if they cannot.
    pub fn badge(&self, now: &str) -> Option<Key> {
        match self.fields.status {
            ItemStatus::Draft => Some(Key::BadgeDraft),
            ItemStatus::Archived => Some(Key::BadgeArchived),
            ItemStatus::Published
                if self
                    .fields
                    .published_at
                    .as_deref()
                    .is_some_and(|at| at > now) =>
            {
                Some(Key::BadgeScheduled)
            }
            ItemStatus::Published => None,
        }
    }
}

/// What an item's page carries for an editor: the item with all its fields, and a badge saying
/// why visitors cannot see it (draft, scheduled, archived), if they cannot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemEdit {
    pub editable: Editable,
    pub badge: Option<String>,
}

/// One saved revision in an item's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionMeta {
    pub version: i64,
    pub saved_at: String,
    pub username: Option<String>,
    pub note: RevisionNote,
}

/// What a save did, as its revision records it: stored as a word and a number, shown in the
/// reader's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevisionNote {
    /// The text a seeded or generated item had before its first edit.
    FirstStored,
    Created,
    Edited,
    /// Restored from the revision with this version.
    Restored(i64),
}

impl RevisionNote {
    /// The stored value: `first_stored`, `created`, `edited`, `restored 3`.
    pub fn to_db(self) -> String {
        match self {
            Self::FirstStored => "first_stored".into(),
            Self::Created => "created".into(),
            Self::Edited => "edited".into(),
            Self::Restored(version) => format!("restored {version}"),
        }
    }

    /// Reads the stored value back.
    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "first_stored" => Some(Self::FirstStored),
            "created" => Some(Self::Created),
            "edited" => Some(Self::Edited),
            _ => value
                .strip_prefix("restored ")
                .and_then(|v| v.parse().ok())
                .map(Self::Restored),
        }
    }

    /// The note as the history shows it in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        let t = lang.t();
        match self {
            Self::FirstStored => t.revision_first_stored.to_owned(),
            Self::Created => t.revision_created.to_owned(),
            Self::Edited => t.revision_edited.to_owned(),
            Self::Restored(version) => crate::i18n::fill(t.revision_restored, &[&version]),
        }
    }
}

/// `value` as a one-line field (a title, a name, an alternative text) keeps it: trimmed, without
/// control characters. (A NUL would also end the text early for SQLite's `length()`, which the
/// tables' checks use: a title "\0" would pass as not empty here and fail there.)
pub(crate) fn one_line(value: &str) -> String {
    value.trim().chars().filter(|c| !c.is_control()).collect()
}

/// `value` as a paragraph field keeps it: like [`one_line`], but keeping line breaks and tabs.
pub(crate) fn paragraph(value: &str) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// Refuses `value` (the `label` of `field`) when it is longer than `max` characters.
pub(crate) fn check_len(field: &str, label: Key, value: &str, max: usize) -> Result<(), AppError> {
    let n = value.chars().count();
    if n > max {
        return Err(AppError::invalid_with(
            field,
            Key::ErrTooLong,
            [label.into(), Arg::value(n), Arg::value(max)],
        ));
    }
    Ok(())
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    s.bytes()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=days).contains(&d)
}

/// Normalises a UTC date-time as an editor or a browser writes it (`YYYY-MM-DDTHH:MM`, optionally
/// with seconds and `Z`) to `YYYY-MM-DDTHH:MM:SSZ`.
pub fn normalise_datetime(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('Z');
    let (date, time) = s.split_once('T').or_else(|| s.split_once(' '))?;
    let mut parts = time.split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let sec: u32 = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    (is_date(date) && parts.next().is_none() && h < 24 && m < 60 && sec < 60)
        .then(|| format!("{date}T{h:02}:{m:02}:{sec:02}Z"))
}

impl ItemFields {
    /// Checks every field for `kind`, normalising dates and cleaning text, or says what is wrong
    /// in words an editor understands.
    pub fn validated(mut self, kind: ItemKind) -> Result<Self, AppError> {
        self.title = one_line(&self.title);
        self.lead = paragraph(&self.lead);
        self.venue = one_line(&self.venue);
        self.cover_alt = one_line(&self.cover_alt);
        self.body.retain(|c| c != '\0');
        if self.title.is_empty() {
            return Err(AppError::invalid("title", Key::ErrTitleEmpty));
        }
        check_len("title", Key::LabelTitle, &self.title, MAX_TITLE)?;
        check_len("lead", Key::LabelLead, &self.lead, MAX_LEAD)?;
        check_len("body", Key::LabelBody, &self.body, MAX_BODY)?;
        check_len("venue", Key::LabelVenue, &self.venue, MAX_SHORT)?;
        check_len("cover_alt", Key::LabelCoverAlt, &self.cover_alt, MAX_SHORT)?;
        self.published_at = match self.published_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(at) => Some(normalise_datetime(at).ok_or_else(|| {
                AppError::invalid_with("published_at", Key::ErrNotDatetime, [Arg::value(at)])
            })?),
        };
        self.check_event_dates(kind)?;
        self.check_links()?;
        Ok(self)
    }

    fn check_event_dates(&mut self, kind: ItemKind) -> Result<(), AppError> {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        self.event_start = clean(&self.event_start);
        self.event_end = clean(&self.event_end);
        if kind == ItemKind::News {
            if self.event_start.is_some() || self.event_end.is_some() {
                return Err(AppError::invalid("event_start", Key::ErrNewsNoDates));
            }
            return Ok(());
        }
        let Some(start) = self.event_start.as_deref() else {
            return Err(AppError::invalid("event_start", Key::ErrEventStart));
        };
        for (field, value) in [
            ("event_start", Some(start)),
            ("event_end", self.event_end.as_deref()),
        ] {
            if let Some(v) = value.filter(|v| !is_date(v)) {
                return Err(AppError::invalid_with(
                    field,
                    Key::ErrNotDate,
                    [Arg::value(v)],
                ));
            }
        }
        if self.event_end.as_deref().is_some_and(|end| end < start) {
            return Err(AppError::invalid("event_end", Key::ErrEndBeforeStart));
        }
        Ok(())
    }

    fn check_links(&mut self) -> Result<(), AppError> {
        let mut seen = std::collections::HashSet::new();
        self.tags = self
            .tags
            .iter()
            .map(|t| one_line(t))
            .filter(|t| !t.is_empty() && seen.insert(t.to_lowercase()))
            .collect();
        if self.tags.len() > MAX_LINKS || self.cities.len() > MAX_LINKS {
            return Err(AppError::invalid_with(
                "tags",
                Key::ErrTooManyLinks,
                [Arg::value(MAX_LINKS)],
            ));
        }
        for tag in &self.tags {
            check_len("tags", Key::LabelTag, tag, 40)?;
        }
        if let Some(hash) = &self.cover_image {
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(AppError::invalid("cover_image", Key::ErrCoverRef));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_notes_round_trip_and_speak_each_language() {
        for note in [
            RevisionNote::FirstStored,
            RevisionNote::Created,
            RevisionNote::Edited,
            RevisionNote::Restored(12),
        ] {
            assert_eq!(RevisionNote::from_db(&note.to_db()), Some(note));
        }
        assert_eq!(RevisionNote::from_db("restored version 3"), None);
        let lang = crate::i18n::Lang::Ru;
        assert_eq!(
            RevisionNote::Restored(3).label(lang),
            "восстановлена версия 3"
        );
    }

    pub(crate) fn fields() -> ItemFields {
        ItemFields {
            lang: crate::i18n::Lang::En,
            title: " A title ".into(),
            lead: "Lead".into(),
            body: "Body".into(),
            status: ItemStatus::Draft,
            published_at: None,
            event_start: None,
            event_end: None,
            venue: String::new(),
            cities: vec![],
            tags: vec![" Music ".into(), String::new(), "music".into()],
            cover_image: None,
            cover_alt: String::new(),
        }
    }

    #[test]
    fn control_characters_are_dropped_and_a_title_of_them_is_empty() {
        let mut f = fields();
        f.title = "\0\u{1b}".into();
        assert!(matches!(
            f.clone().validated(ItemKind::News),
            Err(AppError::Invalid { field, .. }) if field == "title"
        ));
        f.title = " Twin\0 cities\u{7} ".into();
        f.lead = "One.\nTwo.\u{0}".into();
        f.body = "Body\0 text".into();
        let clean = f.validated(ItemKind::News).unwrap();
        assert_eq!(clean.title, "Twin cities");
        assert_eq!(clean.lead, "One.\nTwo.");
        assert_eq!(clean.body, "Body text");
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2021-13-01"));
        assert!(!is_date("2021-1-01"));
        assert!(!is_date("2021-01-0a"));
    }

    #[test]
    fn datetimes_are_normalised_to_utc_seconds() {
        assert_eq!(
            normalise_datetime("2021-01-19T15:00").as_deref(),
            Some("2021-01-19T15:00:00Z")
        );
        assert_eq!(
            normalise_datetime("2021-01-19 15:00:07Z").as_deref(),
            Some("2021-01-19T15:00:07Z")
        );
        assert_eq!(normalise_datetime("2021-01-19T25:00"), None);
        assert_eq!(normalise_datetime("tomorrow"), None);
    }

    #[test]
    fn validation_trims_and_explains() {
        let ok = fields().validated(ItemKind::News).unwrap();
        assert_eq!(ok.title, "A title");
        assert_eq!(ok.tags, vec!["Music".to_owned()]);

        let empty = ItemFields {
            title: "  ".into(),
            ..fields()
        };
        assert!(
            matches!(empty.validated(ItemKind::News), Err(AppError::Invalid { field, .. }) if field == "title")
        );

        let long = ItemFields {
            title: "x".repeat(MAX_TITLE + 1),
            ..fields()
        };
        let Err(too_long) = long.validated(ItemKind::News) else {
            panic!()
        };
        assert_eq!(
            too_long.message(crate::i18n::Lang::En),
            "The title is too long: 201 characters, at most 200."
        );

        let dated_news = ItemFields {
            event_start: Some("2021-01-01".into()),
            ..fields()
        };
        assert!(dated_news.validated(ItemKind::News).is_err());
    }

    #[test]
    fn events_need_a_real_start_before_their_end() {
        let no_start = fields();
        assert!(no_start.validated(ItemKind::Event).is_err());
        let backwards = ItemFields {
            event_start: Some("2021-02-02".into()),
            event_end: Some("2021-02-01".into()),
            ..fields()
        };
        assert!(backwards.validated(ItemKind::Event).is_err());
        let bad = ItemFields {
            event_start: Some("2021-02-30".into()),
            ..fields()
        };
        assert!(bad.validated(ItemKind::Event).is_err());
        let ok = ItemFields {
            event_start: Some("2021-02-01".into()),
            event_end: Some(" ".into()),
            ..fields()
        };
        assert_eq!(ok.validated(ItemKind::Event).unwrap().event_end, None);
    }

    #[test]
    fn badges_tell_drafts_scheduled_and_archived_apart() {
        let mut e = Editable {
            id: 1,
            kind: ItemKind::News,
            slug: "s".into(),
            version: 1,
            fields: fields(),
            updated_at: String::new(),
            updated_by: None,
        };
        assert_eq!(e.badge("2021-01-01T00:00:00Z"), Some(Key::BadgeDraft));
        e.fields.status = ItemStatus::Published;
        e.fields.published_at = Some("2021-06-01T00:00:00Z".into());
        assert_eq!(e.badge("2021-01-01T00:00:00Z"), Some(Key::BadgeScheduled));
        assert_eq!(e.badge("2021-07-01T00:00:00Z"), None);
        e.fields.status = ItemStatus::Archived;
        assert_eq!(e.badge("2021-07-01T00:00:00Z"), Some(Key::BadgeArchived));
    }
}
