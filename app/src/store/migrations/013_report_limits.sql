-- Caps on barrier reports: per sender (an IPv4 address or an IPv6 /64) a day's worth and those
-- waiting to be answered, and in all those waiting; and how many reports each cap refused.

-- The attempts of the last 24 hours. A sender is kept only as a keyed hash, and the link to the
-- report it stored only while that report waits, so the rows say nothing about who wrote what
-- once a report is answered, and nothing at all after a day. The rows by address that were here
-- before held a minute's worth; they go.
DROP TABLE report_attempts;
CREATE TABLE report_attempts (
    id        INTEGER PRIMARY KEY,
    -- SHA-256 of report_sender_key.key followed by the sender's network (`192.0.2.1/32`,
    -- `2001:db8::/64`).
    sender    BLOB NOT NULL,
    at        INTEGER NOT NULL,
    report_id INTEGER REFERENCES barrier_reports (id) ON DELETE SET NULL
);
CREATE INDEX report_attempts_by_sender ON report_attempts (sender, at);
CREATE INDEX report_attempts_by_report ON report_attempts (report_id) WHERE report_id IS NOT NULL;

-- The key of the senders' hashes, made for each database and never exported.
CREATE TABLE report_sender_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
);
INSERT INTO report_sender_key (id, key) VALUES (1, randomblob(32));

-- Reports refused by each cap, per hour (unixepoch() / 3600), for the last 24 hours.
CREATE TABLE report_refusals (
    hour  INTEGER NOT NULL,
    cap   TEXT NOT NULL CHECK (cap IN ('sender_day', 'sender_waiting', 'all_waiting')),
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, cap)
) WITHOUT ROWID;
