//! The entry form on the server: reading the multipart body with every part bounded, who may
//! save what, the rules an entry must meet, and storing the file it came with.

use leptos::server_fn::codec::MultipartData;
use sha2::{Digest, Sha256};

use super::{Detail, Document, EntryInput, EntryText, MAX_DOCUMENT};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::i18n::{Key, Lang};
use crate::state::AppState;
use crate::store::partnerships::{self as stored, EntrySave};

/// The longest a title, a text and a name or place may be, in characters.
const MAX_TITLE: usize = 300;
const MAX_BODY: usize = 5_000;
const MAX_NAMES: usize = 500;
/// The most news items one entry links to.
const MAX_NEWS: usize = 20;

/// A form as the browser sent it, before it is checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sent {
    pub city: String,
    pub id: Option<i64>,
    pub version: i64,
    pub kind: String,
    pub variant: String,
    pub progress: String,
    pub date: String,
    pub end_date: String,
    pub place: String,
    pub people: String,
    pub published: bool,
    pub en: EntryText,
    pub ru: EntryText,
    pub news: Vec<String>,
    pub lang: Lang,
    /// The chosen file's bytes; `None` when none was chosen.
    pub file: Option<Vec<u8>>,
}

/// Whether `date` is a year (`1988`) or a real calendar date (`1988-09-13`), 1900–2199.
pub fn is_entry_date(date: &str) -> bool {
    let year_ok = |y: &str| {
        y.len() == 4
            && y.bytes().all(|b| b.is_ascii_digit())
            && y.parse::<i32>().is_ok_and(|y| (1900..2200).contains(&y))
    };
    // `get`, not indexing: the date is what a form sent, and a character of several bytes may
    // straddle any byte position.
    match date.len() {
        4 => year_ok(date),
        10 => {
            date.get(..4).is_some_and(year_ok)
                && date.as_bytes()[4] == b'-'
                && crate::i18n::add_days(date, 0).as_deref() == Some(date)
        }
        _ => false,
    }
}

/// The entry `sent` describes, checked: the kind of entry (which an edit keeps: `stored`), its
/// dates, the texts it needs, lengths, and the photo's description where it has a photo.
pub fn validated(
    sent: &Sent,
    stored: Option<Detail>,
    has_photo: bool,
) -> Result<EntryInput, AppError> {
    let detail = Detail::from_db(
        &sent.kind,
        &sent.variant,
        (sent.kind == "plan").then_some(sent.progress.as_str()),
    )
    .ok_or_else(|| AppError::invalid("kind", Key::ErrEntryKind))?;
    if stored.is_some_and(|s| s.kind() != detail.kind()) {
        return Err(AppError::invalid("kind", Key::ErrEntryKind));
    }
    let date = sent.date.trim().to_owned();
    if !is_entry_date(&date) {
        return Err(AppError::invalid("date", Key::ErrEntryDate));
    }
    let end_date = Some(sent.end_date.trim().to_owned()).filter(|d| !d.is_empty());
    if let Some(end) = &end_date {
        if !is_entry_date(end) || end.as_str() < date.as_str() {
            return Err(AppError::invalid("end_date", Key::ErrEntryEndDate));
        }
    }
    let clean = |t: &EntryText| EntryText {
        title: t.title.trim().to_owned(),
        body: t.body.trim().to_owned(),
        photo_alt: t.photo_alt.trim().to_owned(),
    };
    let (en, ru) = (clean(&sent.en), clean(&sent.ru));
    let too_long = [&en, &ru].iter().any(|t| {
        t.title.chars().count() > MAX_TITLE
            || t.photo_alt.chars().count() > MAX_TITLE
            || t.body.chars().count() > MAX_BODY
    }) || sent.place.chars().count() > MAX_NAMES
        || sent.people.chars().count() > MAX_NAMES;
    if too_long {
        return Err(AppError::invalid("text", Key::ErrEntryTooLong));
    }
    let needs_title = matches!(
        detail,
        Detail::Milestone | Detail::Plan(..) | Detail::Visit(_)
    );
    if needs_title && en.title.is_empty() && ru.title.is_empty() {
        return Err(AppError::invalid("title", Key::ErrEntryTitle));
    }
    // The photo is described in every language the entry is written in.
    let photo = has_photo && detail == Detail::Milestone;
    let undescribed = |t: &EntryText| !t.title.is_empty() && t.photo_alt.is_empty();
    if photo
        && (undescribed(&en)
            || undescribed(&ru)
            || (en.photo_alt.is_empty() && ru.photo_alt.is_empty()))
    {
        return Err(AppError::invalid("photo_alt", Key::ErrEntryAlt));
    }
    if sent.news.len() > MAX_NEWS {
        return Err(AppError::invalid("news", Key::ErrEntryNews));
    }
    Ok(EntryInput {
        detail,
        date,
        end_date,
        place: sent.place.trim().to_owned(),
        people: sent.people.trim().to_owned(),
        published: sent.published,
        en,
        ru,
        news: sent.news.clone(),
        document: None,
        photo: None,
    })
}

/// The most fields a form may have, and the longest one, in bytes.
const MAX_FIELDS: usize = 200;
const MAX_FIELD: usize = 20_000;

/// Saves what `user` sent, if they may: editors keep milestones, plan items and visits; agreements
/// and status changes (new ones, or ones already stored) are for admins, refused before anything
/// sent is checked. The entry's id.
pub async fn save(state: &AppState, user: &SessionUser, sent: Sent) -> Result<i64, AppError> {
    let store = state.store.clone();
    let existing = match sent.id {
        Some(id) => {
            let slug = sent.city.clone();
            let found = store
                .call(move |c| stored::stored_entry(c, &slug, id))
                .await?;
            Some(found.ok_or(AppError::NotFound)?)
        }
        None => None,
    };
    // The kind checked here is the one saved: `validated` reads the detail from `sent.kind` and
    // refuses one that differs from a stored entry's.
    let admins_only = existing.map_or_else(
        || Detail::kind_is_admins_only(&sent.kind),
        |e| e.detail.admins_only(),
    );
    if admins_only && user.role < Role::Admin {
        return Err(AppError::Forbidden);
    }
    let has_photo = sent.file.is_some() || existing.is_some_and(|e| e.has_photo);
    let mut input = validated(&sent, existing.map(|e| e.detail), has_photo)?;
    // Only an agreement (its scan) and a milestone (its photo) keep a file.
    let file = sent
        .file
        .filter(|_| matches!(input.detail, Detail::Agreement(_) | Detail::Milestone));
    if let Some(bytes) = file {
        let hash = store_file(state, input.detail, bytes, user.id).await?;
        match input.detail {
            Detail::Agreement(_) => input.document = Some(hash),
            _ => input.photo = Some(hash),
        }
    }
    let (slug, id, base, user_id) = (sent.city, sent.id, sent.version, user.id);
    match store
        .call(move |c| stored::save_entry(c, &slug, id, base, &input, user_id))
        .await?
    {
        EntrySave::Saved(id, _) => Ok(id),
        EntrySave::Conflict => Err(AppError::Conflict),
        EntrySave::NotFound => Err(AppError::NotFound),
    }
}

/// Reads the form, every field bounded: text fields to `MAX_FIELD` bytes, the file to
/// `MAX_DOCUMENT` (a photo is bounded again when it is stored).
pub async fn read(data: MultipartData) -> Result<Sent, AppError> {
    let malformed = |_| AppError::invalid("file", Key::ErrUploadBroken);
    let mut data = data.into_inner().ok_or(AppError::Internal)?;
    let mut sent = Sent::default();
    let mut fields = 0;
    while let Some(mut field) = data.next_field().await.map_err(malformed)? {
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(AppError::invalid("form", Key::ErrEntryTooLong));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" {
            MAX_DOCUMENT
        } else {
            MAX_FIELD
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    AppError::invalid("file", Key::ErrDocumentTooBig)
                } else {
                    AppError::invalid(&name, Key::ErrEntryTooLong)
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "file" {
            sent.file = Some(bytes).filter(|b| !b.is_empty());
            continue;
        }
        let text =
            String::from_utf8(bytes).map_err(|_| AppError::invalid(&name, Key::ErrUploadBroken))?;
        set(&mut sent, &name, text)?;
    }
    Ok(sent)
}

fn set(sent: &mut Sent, name: &str, text: String) -> Result<(), AppError> {
    let number = |t: &str| {
        t.trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid(name, Key::ErrEntryKind))
    };
    match name {
        "city" => sent.city = text,
        "id" if text.trim().is_empty() => sent.id = None,
        "id" => sent.id = Some(number(&text)?),
        "version" if text.trim().is_empty() => sent.version = 0,
        "version" => sent.version = number(&text)?,
        "kind" => sent.kind = text,
        "variant" => sent.variant = text,
        "progress" => sent.progress = text,
        "date" => sent.date = text,
        "end_date" => sent.end_date = text,
        "place" => sent.place = text,
        "people" => sent.people = text,
        "published" => sent.published = text == "1",
        "title_en" => sent.en.title = text,
        "title_ru" => sent.ru.title = text,
        "body_en" => sent.en.body = text,
        "body_ru" => sent.ru.body = text,
        "alt_en" => sent.en.photo_alt = text,
        "alt_ru" => sent.ru.photo_alt = text,
        "news" => sent.news.push(text),
        "lang" => {
            sent.lang = crate::i18n::Lang::ALL
                .into_iter()
                .find(|l| l.code() == text)
                .unwrap_or_default()
        }
        // Fields the framework or a future form adds are not this form's business.
        _ => {}
    }
    Ok(())
}

/// Stores the file an entry came with: a scanned agreement as a document (checked by its
/// bytes), anything else as a photo (decoded and resized like a cover image). Its hash.
pub async fn store_file(
    state: &AppState,
    detail: Detail,
    bytes: Vec<u8>,
    user_id: i64,
) -> Result<String, AppError> {
    if let Detail::Agreement(_) = detail {
        let mime = stored::document_type(&bytes)?;
        let bytes = if mime == "application/pdf" {
            bytes
        } else {
            without_metadata(state, bytes).await?
        };
        // The hash of the bytes stored: what the address names is what is served.
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let document = Document {
            hash: hash.clone(),
            mime: mime.to_owned(),
        };
        let dir = state.config.documents_dir.clone();
        let name = format!("{hash}.{}", Document::extension(mime));
        let size = bytes.len();
        tokio::task::spawn_blocking(move || write_once(&dir, &name, &bytes))
            .await
            .map_err(|_| AppError::Internal)??;
        state
            .store
            .call(move |c| stored::insert_document(c, &document, size, user_id))
            .await?;
        return Ok(hash);
    }
    if bytes.len() > crate::editor::images::MAX_UPLOAD {
        return Err(AppError::invalid("file", Key::ErrImageTooBig));
    }
    let image = crate::editor::images::ssr::store_image(state, bytes, user_id).await?;
    Ok(image.hash)
}

/// A scanned JPEG or PNG encoded again from its pixels, so that where it was taken, the camera
/// and whatever else its metadata says are not published with it. (A PDF is published as it
/// is; the form says so.)
async fn without_metadata(state: &AppState, bytes: Vec<u8>) -> Result<Vec<u8>, AppError> {
    use crate::editor::images::ssr;
    let stripped = ssr::one_at_a_time(state, move || ssr::without_metadata(&bytes)).await;
    match stripped {
        Ok((bytes, _)) => Ok(bytes),
        // It starts like an image but does not decode: not a document this form takes.
        Err(AppError::Invalid { message, .. }) if message.key == Key::ErrNotImage => {
            Err(AppError::invalid("file", Key::ErrDocumentType))
        }
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `dir/name` through a temporary file, so a half-written document is never
/// served; the same bytes already there are left alone.
fn write_once(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), AppError> {
    let internal = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store a document");
        AppError::Internal
    };
    let target = dir.join(name);
    if target.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(internal)?;
    let partial = dir.join(format!(".{name}.partial"));
    std::fs::write(&partial, bytes).map_err(internal)?;
    std::fs::rename(&partial, &target).map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnerships::{Direction, PlanArea, PlanState};

    fn sent(kind: &str, variant: &str) -> Sent {
        Sent {
            city: "ruse".into(),
            kind: kind.into(),
            variant: variant.into(),
            progress: "in_progress".into(),
            date: " 2024-05-01 ".into(),
            en: EntryText {
                title: " A title ".into(),
                ..EntryText::default()
            },
            published: true,
            ..Sent::default()
        }
    }

    #[test]
    fn dates_are_years_or_real_days() {
        for good in ["1988", "1988-09-13", "2024-02-29", "2199-12-31"] {
            assert!(is_entry_date(good), "{good}");
        }
        for bad in [
            "",
            "88",
            "1899",
            "2200",
            "2023-02-29",
            "1988-13-01",
            "1988-9-13",
            "1988/09/13",
            "１９８８",
        ] {
            assert!(!is_entry_date(bad), "{bad}");
        }
    }

    #[test]
    fn a_character_of_several_bytes_anywhere_in_a_date_is_refused_not_a_panic() {
        let good = "1988-09-13";
        for c in ['é', '€', '😀'] {
            for at in 0..=good.len() {
                let mut date = good.to_owned();
                date.insert(at, c);
                let mut shorter = date.clone();
                while shorter.len() > 10 {
                    shorter.pop();
                }
                let year: String = date.chars().take(4).collect();
                for text in [&date, &shorter, &year]
                    .into_iter()
                    .filter(|t| t.contains(c))
                {
                    assert!(!is_entry_date(text), "{text}");
                    let first = Sent {
                        date: text.clone(),
                        ..sent("milestone", "")
                    };
                    let error = validated(&first, None, false).unwrap_err();
                    assert_eq!(error, AppError::invalid("date", Key::ErrEntryDate));
                    let last = Sent {
                        end_date: text.clone(),
                        ..sent("visit", "to_partner")
                    };
                    let error = validated(&last, None, false).unwrap_err();
                    assert_eq!(error, AppError::invalid("end_date", Key::ErrEntryEndDate));
                }
            }
        }
        assert!(
            !is_entry_date("198é-01-1"),
            "ten bytes, the fourth inside é"
        );
    }

    #[test]
    fn each_kind_reads_its_own_fields() {
        let plan = validated(&sent("plan", "youth"), None, false).unwrap();
        assert_eq!(
            plan.detail,
            Detail::Plan(PlanArea::Youth, PlanState::InProgress)
        );
        assert_eq!(
            (plan.date.as_str(), plan.en.title.as_str()),
            ("2024-05-01", "A title")
        );
        let visit = validated(&sent("visit", "from_partner"), None, false).unwrap();
        assert_eq!(visit.detail, Detail::Visit(Direction::FromPartner));
        for (kind, variant) in [
            ("visit", "sideways"),
            ("plan", "weather"),
            ("rumour", ""),
            ("status", "thriving"),
        ] {
            assert_eq!(
                validated(&sent(kind, variant), None, false)
                    .unwrap_err()
                    .status(),
                400
            );
        }
        let edit = validated(
            &sent("milestone", ""),
            Some(Detail::Visit(Direction::ToPartner)),
            false,
        );
        assert!(edit.is_err(), "an entry keeps its kind");
    }

    #[test]
    fn texts_dates_and_photos_are_checked() {
        let mut untitled = sent("milestone", "");
        untitled.en.title = "  ".into();
        assert!(validated(&untitled, None, false).is_err());
        let status = Sent {
            en: EntryText::default(),
            ..sent("status", "paused")
        };
        assert!(
            validated(&status, None, false).is_ok(),
            "a status change needs no title"
        );
        let backwards = Sent {
            end_date: "2024-04-30".into(),
            ..sent("visit", "to_partner")
        };
        assert!(validated(&backwards, None, false).is_err());
        let long = Sent {
            people: "x".repeat(501),
            ..sent("visit", "to_partner")
        };
        assert!(validated(&long, None, false).is_err());
        let photo = sent("milestone", "");
        assert!(
            validated(&photo, None, true).is_err(),
            "a photo needs its description"
        );
        let mut described = sent("milestone", "");
        described.en.photo_alt = "The mayors planting a tree".into();
        assert!(validated(&described, None, true).is_ok());
        described.ru.title = "Заголовок".into();
        assert!(
            validated(&described, None, true).is_err(),
            "in every language written"
        );
    }
}
