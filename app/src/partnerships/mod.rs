//! Partnerships as records: what the home city and one partner city agreed, how the link's status
//! changed, its milestones, the cooperation plan and the visits, each a dated entry. The city page
//! shows one partnership, `/partnerships` all of them, `/partnerships/quiet` the ones that went
//! quiet, and `/open-data/` publishes them.

pub mod api;
mod edit;
#[cfg(feature = "ssr")]
mod form;
#[cfg(feature = "ssr")]
pub mod open_data;
mod pages;
mod timeline;

pub use pages::{PartnershipsPage, QuietPage};
pub use timeline::PartnershipSection;

use serde::{Deserialize, Serialize};

use crate::cities::{City, CityStatus};
use crate::i18n::Lang;
use crate::media::Cover;

/// Largest scanned agreement accepted, in bytes.
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;

/// Months without anything dated after which a partnership counts as quiet.
pub const QUIET_MONTHS: u32 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgreementKind {
    Charter,
    Cooperation,
    Memorandum,
    Protocol,
    Renewal,
}

/// The areas a cooperation plan is organised by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanArea {
    Culture,
    Education,
    Youth,
    Sport,
    Economy,
    Health,
    Municipal,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanState {
    Planned,
    InProgress,
    Done,
    Dropped,
}

/// Which way a delegation travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    ToPartner,
    FromPartner,
}

db_enum!(AgreementKind {
    Charter = "charter",
    Cooperation = "cooperation",
    Memorandum = "memorandum",
    Protocol = "protocol",
    Renewal = "renewal",
});
db_enum!(PlanArea {
    Culture = "culture",
    Education = "education",
    Youth = "youth",
    Sport = "sport",
    Economy = "economy",
    Health = "health",
    Municipal = "municipal_services",
    Other = "other",
});
db_enum!(PlanState {
    Planned = "planned",
    InProgress = "in_progress",
    Done = "done",
    Dropped = "dropped",
});
db_enum!(Direction {
    ToPartner = "to_partner",
    FromPartner = "from_partner",
});

impl AgreementKind {
    pub const ALL: [Self; 5] = [
        Self::Charter,
        Self::Cooperation,
        Self::Memorandum,
        Self::Protocol,
        Self::Renewal,
    ];
}

impl PlanArea {
    pub const ALL: [Self; 8] = [
        Self::Culture,
        Self::Education,
        Self::Youth,
        Self::Sport,
        Self::Economy,
        Self::Health,
        Self::Municipal,
        Self::Other,
    ];
}

impl PlanState {
    pub const ALL: [Self; 4] = [Self::Planned, Self::InProgress, Self::Done, Self::Dropped];
}

/// What an entry is, with what only that kind of entry has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Detail {
    Agreement(AgreementKind),
    /// The partnership's status from the entry's date on.
    Status(CityStatus),
    Milestone,
    Plan(PlanArea, PlanState),
    Visit(Direction),
}

impl Detail {
    /// The stored `kind` column.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Agreement(_) => "agreement",
            Self::Status(_) => "status",
            Self::Milestone => "milestone",
            Self::Plan(..) => "plan",
            Self::Visit(_) => "visit",
        }
    }

    /// The stored `variant` column.
    pub fn variant(self) -> &'static str {
        match self {
            Self::Agreement(k) => k.as_str(),
            Self::Status(s) => s.as_str(),
            Self::Milestone => "",
            Self::Plan(area, _) => area.as_str(),
            Self::Visit(d) => d.as_str(),
        }
    }

    /// The stored `progress` column (plan items only).
    pub fn progress(self) -> Option<&'static str> {
        match self {
            Self::Plan(_, state) => Some(state.as_str()),
            _ => None,
        }
    }

    /// Reads the three stored columns back.
    pub fn from_db(kind: &str, variant: &str, progress: Option<&str>) -> Option<Self> {
        Some(match kind {
            "agreement" => Self::Agreement(AgreementKind::from_db(variant)?),
            "status" => Self::Status(CityStatus::from_db(variant)?),
            "milestone" => Self::Milestone,
            "plan" => Self::Plan(PlanArea::from_db(variant)?, PlanState::from_db(progress?)?),
            "visit" => Self::Visit(Direction::from_db(variant)?),
            _ => return None,
        })
    }

    /// Agreements and status changes speak for the city: admins record them. Editors keep the
    /// milestones, the plan and the visits.
    pub fn admins_only(self) -> bool {
        Self::kind_is_admins_only(self.kind())
    }

    /// Whether entries of the stored `kind` are ones only admins record.
    pub fn kind_is_admins_only(kind: &str) -> bool {
        matches!(kind, "agreement" | "status")
    }
}

/// An entry's texts in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryText {
    /// A milestone's title, a visit's purpose, a plan item's description.
    pub title: String,
    /// An agreement's summary, a status change's note, a milestone's text, a visit's outcome.
    pub body: String,
    pub photo_alt: String,
}

/// A news item an entry links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsLink {
    pub slug: String,
    pub title: String,
    pub href: String,
}

/// A scanned agreement, served as a download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub hash: String,
    pub mime: String,
}

impl Document {
    /// The file's extension for its type.
    pub fn extension(mime: &str) -> &'static str {
        match mime {
            "application/pdf" => "pdf",
            "image/png" => "png",
            _ => "jpg",
        }
    }

    pub fn href(&self) -> String {
        format!("/documents/{}.{}", self.hash, Self::extension(&self.mime))
    }
}

/// One dated thing about a partnership.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub detail: Detail,
    /// `YYYY` or `YYYY-MM-DD`.
    pub date: String,
    /// An agreement's renewal or expiry, a visit's last day.
    pub end_date: Option<String>,
    pub place: String,
    /// Signatories, the responsible office, or who took part.
    pub people: String,
    pub document: Option<Document>,
    /// The photo (its `alt` is empty: each language's is in the texts).
    pub photo: Option<Cover>,
    pub published: bool,
    pub version: i64,
    pub updated_at: String,
    pub en: EntryText,
    pub ru: EntryText,
    pub news: Vec<NewsLink>,
}

impl Entry {
    /// One of the entry's texts (`pick` chooses which) in `lang`, or in the other language
    /// where this one has none, with the language it is in.
    pub fn text(&self, lang: Lang, pick: impl Fn(&EntryText) -> &String) -> (Lang, &str) {
        let (own, other) = match lang {
            Lang::En => (&self.en, &self.ru),
            Lang::Ru => (&self.ru, &self.en),
        };
        match (pick(own).as_str(), pick(other).as_str()) {
            ("", theirs) if !theirs.is_empty() => (lang.other(), theirs),
            (mine, _) => (lang, mine),
        }
    }

    /// The year the entry belongs to in the timeline.
    pub fn year(&self) -> &str {
        self.date.get(..4).unwrap_or(&self.date)
    }
}

/// An entry as an editor sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryInput {
    pub detail: Detail,
    pub date: String,
    pub end_date: Option<String>,
    pub place: String,
    pub people: String,
    pub published: bool,
    pub en: EntryText,
    pub ru: EntryText,
    /// Slugs of the news items the entry reports on.
    pub news: Vec<String>,
    /// A newly uploaded document or photo (by hash); `None` keeps the one it has.
    pub document: Option<String>,
    pub photo: Option<String>,
}

/// How many plan items are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    pub planned: u32,
    pub in_progress: u32,
    pub done: u32,
    pub dropped: u32,
}

impl PlanCounts {
    pub fn total(self) -> u32 {
        self.planned + self.in_progress + self.done + self.dropped
    }

    pub fn add(&mut self, state: PlanState) {
        match state {
            PlanState::Planned => self.planned += 1,
            PlanState::InProgress => self.in_progress += 1,
            PlanState::Done => self.done += 1,
            PlanState::Dropped => self.dropped += 1,
        }
    }
}

/// Whether anything happened lately: the latest dated thing about a partnership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// `YYYY` or `YYYY-MM-DD`; `None` when nothing is dated at all.
    pub latest: Option<String>,
    /// Nothing for `QUIET_MONTHS` months.
    pub quiet: bool,
}

/// One partnership as the city page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partnership {
    pub city: City,
    /// Every entry the reader may see, oldest first.
    pub entries: Vec<Entry>,
    pub activity: Activity,
    /// For editors: the city's news items an entry may link to, newest first.
    pub linkable_news: Vec<NewsLink>,
    /// What the reader may change: none, entries other than agreements and status, or all.
    pub can_edit: bool,
    pub can_edit_all: bool,
}

impl Partnership {
    /// The agreement in force: the latest one signed.
    pub fn current_agreement(&self) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| matches!(e.detail, Detail::Agreement(_)))
            .max_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)))
    }

    pub fn plan(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| matches!(e.detail, Detail::Plan(..)))
    }

    pub fn plan_counts(&self) -> PlanCounts {
        let mut counts = PlanCounts::default();
        for entry in self.plan() {
            if let Detail::Plan(_, state) = entry.detail {
                counts.add(state);
            }
        }
        counts
    }
}

/// A row of `/partnerships`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartnershipRow {
    pub city: City,
    pub activity: Activity,
    pub plan: PlanCounts,
}
