-- Partnerships as records: every dated thing about the link between the home city and a partner
-- city (its agreements, status changes, milestones, cooperation plan and visits) is one entry.
-- A city's current status is its latest status entry (view `city_status`), no longer a column.

CREATE TABLE documents (
    -- SHA-256 of the uploaded bytes; files live under the data directory by this name.
    hash        TEXT PRIMARY KEY,
    mime        TEXT NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    size        INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;

CREATE TABLE partnership_entries (
    id         INTEGER PRIMARY KEY,
    city_id    INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('agreement', 'status', 'milestone', 'plan', 'visit')),
    -- What kind of agreement, which status, the plan's area or the visit's direction.
    variant    TEXT NOT NULL DEFAULT '',
    -- Plan items only: planned, in_progress, done or dropped.
    progress   TEXT CHECK ((kind = 'plan') = (progress IS NOT NULL)),
    -- A year or a full date: signed, changed, happened, target date, first day of a visit.
    date       TEXT NOT NULL CHECK (date GLOB '[12][0-9][0-9][0-9]'
                                    OR date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    -- An agreement's renewal or expiry date, a visit's last day.
    end_date   TEXT CHECK (end_date IS NULL OR end_date >= date),
    place      TEXT NOT NULL DEFAULT '',
    -- Signatories, the responsible office or organisation, or who took part.
    people     TEXT NOT NULL DEFAULT '',
    document   TEXT REFERENCES documents (hash),
    photo      TEXT REFERENCES images (hash),
    -- Drafts are seen by editors only.
    published  INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
    -- Optimistic-locking counter: every save increments it.
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX partnership_entries_city ON partnership_entries (city_id, kind, date);

CREATE TABLE partnership_entry_texts (
    entry_id  INTEGER NOT NULL REFERENCES partnership_entries (id) ON DELETE CASCADE,
    lang      TEXT NOT NULL CHECK (length(lang) = 2),
    -- A milestone's title, a visit's purpose, a plan item's description; empty for the others.
    title     TEXT NOT NULL DEFAULT '',
    -- An agreement's summary, a status change's note, a milestone's text, a visit's outcome.
    body      TEXT NOT NULL DEFAULT '',
    photo_alt TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (entry_id, lang)
) WITHOUT ROWID;

-- News items that report on an entry.
CREATE TABLE partnership_entry_items (
    entry_id INTEGER NOT NULL REFERENCES partnership_entries (id) ON DELETE CASCADE,
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, item_id)
) WITHOUT ROWID;

-- Every save of an entry, with all its fields (both languages) as they were after it.
CREATE TABLE partnership_revisions (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES partnership_entries (id),
    version  INTEGER NOT NULL,
    user_id  INTEGER REFERENCES users (id),
    saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    note     TEXT NOT NULL DEFAULT '',
    fields   TEXT NOT NULL,
    UNIQUE (entry_id, version)
);
