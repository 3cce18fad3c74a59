-- Federation with partner portals and the rest of the fediverse (ActivityPub). Times are unix
-- seconds where the code compares them, ISO 8601 UTC where people read them.

-- The portal actor's key pair (one row). The private key is used to sign outgoing requests and
-- never leaves this table: no page serves it and the export leaves it out.
CREATE TABLE federation_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    private_pem TEXT NOT NULL,
    public_pem  TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Actors of other servers, as last fetched: where to deliver to them and the key they sign with.
CREATE TABLE remote_actors (
    id           TEXT PRIMARY KEY,
    inbox        TEXT NOT NULL,
    shared_inbox TEXT,
    key_id       TEXT NOT NULL,
    public_pem   TEXT NOT NULL,
    -- `user@host`, and the display name, as the actor document gives them.
    handle       TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    fetched_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX remote_actors_key ON remote_actors (key_id);

-- Who follows the portal (accepted at once: the portal is public).
CREATE TABLE followers (
    actor       TEXT PRIMARY KEY REFERENCES remote_actors (id) ON DELETE CASCADE,
    follow_id   TEXT NOT NULL,
    accepted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;

-- Partner portals the portal follows, one per partner city at most.
CREATE TABLE following (
    actor      TEXT PRIMARY KEY REFERENCES remote_actors (id),
    handle     TEXT NOT NULL,
    city_id    INTEGER NOT NULL UNIQUE REFERENCES cities (id) ON DELETE CASCADE,
    follow_id  TEXT NOT NULL UNIQUE,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_by INTEGER REFERENCES users (id),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;

-- Outgoing activities not yet delivered: one row per recipient inbox, signed when sent. A row is
-- deleted once the inbox accepted it; one that kept failing for a week stays, marked given up.
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    inbox       TEXT NOT NULL,
    activity    TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    given_up_at INTEGER
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE given_up_at IS NULL;

-- What the fediverse was last told about each item: the version sent, or that it was deleted.
-- Compared with `items` to find what to send (new, edited, no longer visible).
CREATE TABLE federated_items (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('sent', 'deleted'))
);
-- What is visible when federation arrives counts as sent: followers read older items from the
-- outbox instead of receiving the whole archive.
INSERT INTO federated_items (item_id, version, state)
SELECT id, version, 'sent' FROM items
WHERE status = 'published' AND published_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now');

-- Hashes of the inbox signatures accepted recently, so that a replayed request is refused.
CREATE TABLE seen_signatures (
    hash    TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Posts of followed partner portals, and replies from anywhere to the portal's items, held for
-- moderation. Texts per language as JSON objects ({"en": "...", "ru": "..."}), HTML sanitised on
-- arrival.
CREATE TABLE incoming_posts (
    object_id    TEXT PRIMARY KEY,
    actor        TEXT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    -- The portal's item a reply answers; NULL for a partner's own post.
    in_reply_to  INTEGER REFERENCES items (id) ON DELETE CASCADE,
    url          TEXT NOT NULL DEFAULT '',
    names        TEXT NOT NULL DEFAULT '{}',
    summaries    TEXT NOT NULL DEFAULT '{}',
    contents     TEXT NOT NULL DEFAULT '{}',
    published    TEXT NOT NULL DEFAULT '',
    updated      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'approved', 'rejected')),
    moderated_by INTEGER REFERENCES users (id),
    received_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
CREATE INDEX incoming_posts_by_status ON incoming_posts (status, received_at);
CREATE INDEX incoming_posts_by_item ON incoming_posts (in_reply_to) WHERE in_reply_to IS NOT NULL;

-- Servers (by host) and accounts (by actor id) whose activities the inbox refuses.
CREATE TABLE blocks (
    kind       TEXT NOT NULL CHECK (kind IN ('server', 'account')),
    value      TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

-- Activities received per instance in the current minute, for the inbox's rate limit.
CREATE TABLE inbox_attempts (
    host TEXT NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX inbox_attempts_by_host ON inbox_attempts (host, at);
