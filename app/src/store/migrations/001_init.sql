-- The portal's content: the home city, partner cities, news items and events with per-language texts.

CREATE TABLE site (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    city_name   TEXT NOT NULL,
    country     TEXT NOT NULL,
    lat         REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         REAL NOT NULL CHECK (lon BETWEEN -180 AND 180)
);

CREATE TABLE cities (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    country         TEXT NOT NULL,
    country_note    TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('twin', 'partner')),
    since_year      INTEGER CHECK (since_year BETWEEN 1900 AND 2200),
    year_confidence TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'paused')),
    status_note     TEXT NOT NULL DEFAULT '',
    lat             REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('news', 'event')),
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    -- ISO 8601 UTC; set when first published, may lie in the future for scheduled items.
    published_at TEXT,
    -- ISO 8601 date or local date-time; events only.
    event_start  TEXT,
    event_end    TEXT,
    venue        TEXT NOT NULL DEFAULT '',
    -- Dense position among published items, oldest = 1, so that any feed page is an index range
    -- lookup instead of an OFFSET scan. NULL while not published.
    feed_rank    INTEGER,
    -- Optimistic-locking counter: every save increments it.
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (kind = 'event' OR (event_start IS NULL AND event_end IS NULL)),
    CHECK (kind = 'news' OR event_start IS NOT NULL),
    CHECK (event_end IS NULL OR event_end >= event_start),
    CHECK (status <> 'published' OR published_at IS NOT NULL)
);

CREATE INDEX items_feed_rank ON items (feed_rank) WHERE feed_rank IS NOT NULL;
CREATE INDEX items_kind_published ON items (kind, status, published_at, id);
CREATE INDEX items_event_start ON items (event_start, id) WHERE kind = 'event';

CREATE TABLE item_texts (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    lang    TEXT NOT NULL CHECK (length(lang) = 2),
    title   TEXT NOT NULL CHECK (length(title) > 0),
    lead    TEXT NOT NULL DEFAULT '',
    -- Markdown, rendered and sanitised on the server.
    body    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, lang)
) WITHOUT ROWID;

CREATE TABLE item_cities (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    city_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, city_id)
) WITHOUT ROWID;
CREATE INDEX item_cities_city ON item_cities (city_id, item_id);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE item_tags (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX item_tags_tag ON item_tags (tag_id, item_id);
