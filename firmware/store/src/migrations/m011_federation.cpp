// SPDX-License-Identifier: Apache-2.0
// Migration 8: federation (county). A box keeps the events it owes the county hub in
// fed_outbox until the broker acknowledges them (PUBACK) and remembers every hub command it
// executed (fed_commands, once per id). The hub keeps boxes, the events it counted (hub_events,
// once per id), notices with their progress per box, replies and daily reports.
// Self-contained: if the numbering collides at a merge, only this file and its line in
// migrations.cpp/.hpp change.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_011_federation(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE fed_outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- the event id is "<box_id>:<seq>", never reused
    type       TEXT NOT NULL,                      -- progress, reply, summary, report, health
    key        TEXT NOT NULL DEFAULT '',           -- coalescing key: a newer event replaces an unsent one
    village    TEXT NOT NULL DEFAULT '',           -- replies: what a summary keeps when they are folded
    category   TEXT NOT NULL DEFAULT '',
    payload    TEXT NOT NULL,                      -- JSON members of the event's body
    at         INTEGER NOT NULL                    -- network-corrected unix time of the event
);
CREATE INDEX fed_outbox_key ON fed_outbox(key) WHERE key <> '';
CREATE TABLE fed_commands (
    id          TEXT PRIMARY KEY,                  -- the hub's command id: executed once
    type        TEXT NOT NULL,
    notice_id   TEXT NOT NULL DEFAULT '',
    campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX fed_commands_notice ON fed_commands(notice_id);

CREATE TABLE hub_boxes (
    id          TEXT PRIMARY KEY,                  -- the box id (= its broker user name)
    name        TEXT NOT NULL DEFAULT '',
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    online      INTEGER NOT NULL DEFAULT 0,
    health      TEXT NOT NULL DEFAULT '{}',        -- the newest health event's body (JSON)
    health_seq  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE hub_events (
    id          TEXT PRIMARY KEY,                  -- "<box_id>:<seq>": counted once
    box         TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE hub_notices (
    id          TEXT PRIMARY KEY,
    text        TEXT NOT NULL,
    roles       TEXT NOT NULL DEFAULT '[]',        -- JSON arrays as given
    villages    TEXT NOT NULL DEFAULT '[]',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    cancelled_at INTEGER
);
CREATE TABLE hub_notice_boxes (
    notice_id    TEXT NOT NULL REFERENCES hub_notices(id) ON DELETE CASCADE,
    box          TEXT NOT NULL,
    command_id   TEXT NOT NULL,
    published_at INTEGER,                          -- the broker acknowledged the command
    progress_seq INTEGER NOT NULL DEFAULT 0,       -- seq of the progress event counted (newest wins)
    recipients   INTEGER NOT NULL DEFAULT 0,
    queued       INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    delivered    INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER,
    PRIMARY KEY (notice_id, box)
);
CREATE TABLE hub_replies (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    box         TEXT NOT NULL,
    notice_id   TEXT,
    village     TEXT,                              -- NULL for an anonymous category
    category    TEXT,
    text        TEXT NOT NULL,
    number      TEXT,                              -- NULL for an anonymous category (never sent)
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX hub_replies_box ON hub_replies(box, id);
CREATE TABLE hub_reply_counts (                    -- replies a box folded into summaries
    box      TEXT NOT NULL,
    village  TEXT NOT NULL,
    category TEXT NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (box, village, category)
);
CREATE TABLE hub_reports (
    box     TEXT NOT NULL,
    day     TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (box, day)
);
)SQL");
}

}  // namespace cunxin::store
