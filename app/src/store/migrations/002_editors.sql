-- Editors: accounts, server-side sessions, login throttling, revisions of every save, cover
-- images and the audit log.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 64),
    display_name  TEXT NOT NULL,
    -- PHC string of an argon2id hash.
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    disabled_at   TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token, so a copy of the database cannot be used to log in.
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, by client address and by attempted user name, for throttling.
CREATE TABLE login_failures (
    scope TEXT NOT NULL CHECK (scope IN ('ip', 'account')),
    key   TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (scope, key, at);

CREATE TABLE images (
    -- SHA-256 of the uploaded bytes; files live under the data directory by this name.
    hash        TEXT PRIMARY KEY,
    mime        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    -- Widths of the resized copies, comma-separated, ascending.
    widths      TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;

ALTER TABLE items ADD COLUMN cover_image TEXT REFERENCES images (hash);
ALTER TABLE items ADD COLUMN cover_alt TEXT NOT NULL DEFAULT '';

-- Every save of an item, with all its fields as they were after that save.
CREATE TABLE revisions (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items (id),
    version      INTEGER NOT NULL,
    user_id      INTEGER REFERENCES users (id),
    saved_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- What the save did, for the history list ("edited", "restored revision 3", ...).
    note         TEXT NOT NULL DEFAULT '',
    -- The item's fields as JSON (see store::editor::ItemFields).
    fields       TEXT NOT NULL,
    UNIQUE (item_id, version)
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user_id   INTEGER REFERENCES users (id),
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

ALTER TABLE cities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
