//! Accessibility beyond what every page already does: the version for the visually impaired
//! (`settings`, `bar`), the accessibility statement at `/accessibility`, edited in place by
//! admins, and the barrier reports visitors send from it (`report`), listed for admins at
//! `/accessibility/reports`.

pub mod api;
mod bar;
#[cfg(feature = "ssr")]
mod page;
#[cfg(feature = "ssr")]
pub mod report;
pub mod settings;

pub use bar::{SettingsBar, ViewSwitch};
#[cfg(feature = "ssr")]
pub use page::{AccessibilityPage, ReportsPage};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// The statement in one language, as stored: Markdown, with the day of its last review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementText {
    pub body: String,
    /// `YYYY-MM-DD`.
    pub reviewed_on: String,
    pub updated_at: String,
}

/// The statement as the page shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Statement {
    /// The body rendered and sanitised.
    pub html: String,
    /// The stored text, for the admins' form; `None` for everybody else.
    pub source: Option<StatementText>,
    pub reviewed_on: String,
}

/// Where a barrier report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportStatus {
    New,
    Answered,
    Fixed,
}

db_enum!(ReportStatus {
    New = "new",
    Answered = "answered",
    Fixed = "fixed"
});

impl ReportStatus {
    pub const ALL: [Self; 3] = [Self::New, Self::Answered, Self::Fixed];

    /// The status as the list of reports and the audit log write it in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Self::New => t.report_status_new,
            Self::Answered => t.report_status_answered,
            Self::Fixed => t.report_status_fixed,
        }
    }
}

/// A cap on the barrier reports waiting to be answered or sent in a day, which refuses a report
/// once it is reached (the limit per minute only says to wait). Ordered as the admins' list
/// names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReportCap {
    /// The sender has sent as many as they may in a day.
    SenderDay,
    /// The sender has as many waiting as they may.
    SenderWaiting,
    /// As many reports wait as the portal takes from everybody.
    AllWaiting,
}

db_enum!(ReportCap {
    SenderDay = "sender_day",
    SenderWaiting = "sender_waiting",
    AllWaiting = "all_waiting"
});

/// A report as a visitor sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReport {
    pub page: String,
    pub what: String,
    pub contact: String,
    pub lang: Lang,
}

/// A stored report, as admins read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarrierReport {
    pub id: i64,
    pub page: String,
    pub what: String,
    pub contact: String,
    pub lang: Lang,
    pub status: ReportStatus,
    pub created_at: String,
}

/// A page of the admins' list of reports, and how many each cap refused in the last 24 hours
/// (the caps that refused none left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportsListing {
    pub reports: crate::pager::Page<BarrierReport>,
    pub refusals: Vec<(ReportCap, u64)>,
}

/// A report the server refused, given back to the page that shows the form again with what the
/// visitor wrote (only in the answer to their own request, which is never kept).
#[derive(Clone, Debug)]
pub struct RefusedReport {
    pub report: NewReport,
    pub reason: Refusal,
}

/// Why a report was refused.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// What the report says, its sender sending too fast, or a failure of the server.
    Error(crate::error::AppError),
    /// A cap was reached.
    Cap(ReportCap),
}

impl From<crate::error::AppError> for Refusal {
    fn from(error: crate::error::AppError) -> Self {
        Self::Error(error)
    }
}

/// Longest page field, description and contact a report may have, in characters.
pub const MAX_PAGE: usize = 500;
pub const MAX_WHAT: usize = 5000;
pub const MAX_CONTACT: usize = 200;
