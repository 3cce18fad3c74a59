-- Federation that a stranger cannot rewrite, fill or steer.

-- An edit of an approved post waits here for an editor; visitors keep seeing the approved texts
-- until it is approved. NULL when no edit waits.
ALTER TABLE incoming_posts ADD COLUMN edit_kind      TEXT;
ALTER TABLE incoming_posts ADD COLUMN edit_url       TEXT;
ALTER TABLE incoming_posts ADD COLUMN edit_names     TEXT;
ALTER TABLE incoming_posts ADD COLUMN edit_summaries TEXT;
ALTER TABLE incoming_posts ADD COLUMN edit_contents  TEXT;
ALTER TABLE incoming_posts ADD COLUMN edit_updated   TEXT;
ALTER TABLE incoming_posts ADD COLUMN edit_at        TEXT;
-- When an editor first approved the post: approved posts sort by it, never by the date their
-- sender wrote into them.
ALTER TABLE incoming_posts ADD COLUMN approved_at TEXT;
-- The host of the server that sent it (lower case, no trailing dot), for the cap on what one
-- server may have waiting.
ALTER TABLE incoming_posts ADD COLUMN host TEXT NOT NULL DEFAULT '';

UPDATE incoming_posts SET approved_at = received_at WHERE status = 'approved';
UPDATE incoming_posts
SET host = lower(rtrim(substr(
        substr(actor, instr(actor, '://') + 3), 1,
        CASE WHEN instr(substr(actor, instr(actor, '://') + 3), '/') > 0
             THEN instr(substr(actor, instr(actor, '://') + 3), '/') - 1
             ELSE length(actor) END), '.'));
-- A port is not part of the host.
UPDATE incoming_posts SET host = substr(host, 1, instr(host, ':') - 1)
WHERE instr(host, ':') > 0 AND host NOT LIKE '[%';

DROP INDEX incoming_posts_by_status;
CREATE INDEX incoming_posts_waiting ON incoming_posts (received_at)
    WHERE status = 'held' OR edit_at IS NOT NULL;
CREATE INDEX incoming_posts_held_by_host ON incoming_posts (host) WHERE status = 'held';
CREATE INDEX incoming_posts_approved ON incoming_posts (approved_at) WHERE status = 'approved';

-- What the inbox refused because a cap was reached, counted per reason and server for a week,
-- so that the moderation page can say so.
CREATE TABLE inbox_refusals (
    reason  TEXT NOT NULL CHECK (reason IN ('server_cap', 'inbox_cap')),
    host    TEXT NOT NULL,
    count   INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (reason, host)
) WITHOUT ROWID;

-- The host of each queued delivery's inbox, for deliveries fair across servers.
ALTER TABLE deliveries ADD COLUMN host TEXT NOT NULL DEFAULT '';
UPDATE deliveries
SET host = lower(rtrim(substr(
        substr(inbox, instr(inbox, '://') + 3), 1,
        CASE WHEN instr(substr(inbox, instr(inbox, '://') + 3), '/') > 0
             THEN instr(substr(inbox, instr(inbox, '://') + 3), '/') - 1
             ELSE length(inbox) END), '.'));
UPDATE deliveries SET host = substr(host, 1, instr(host, ':') - 1)
WHERE instr(host, ':') > 0 AND host NOT LIKE '[%';

-- A blocked server is named without a trailing dot (`spam.example.` is `spam.example`).
UPDATE OR REPLACE blocks SET value = rtrim(value, '.') WHERE kind = 'server';
