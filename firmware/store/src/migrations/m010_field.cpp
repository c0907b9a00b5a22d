// SPDX-License-Identifier: Apache-2.0
// Migration 8: field checks. The daily SIM-to-SIM self-test (one row per sending SIM and round),
// the SIMs' credit as read from the carrier's answer (history), and a message pinned to one SIM
// (a test message or a balance query must leave through that SIM).
// Self-contained: if the numbering collides at a merge, only this file and its line in
// migrations.cpp/.hpp change.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_010_field(Database::Impl& db) {
    db.exec(R"SQL(
ALTER TABLE messages ADD COLUMN via_iccid TEXT NOT NULL DEFAULT '';  -- '' = any SIM may send it
CREATE TABLE selftests (
    id          INTEGER PRIMARY KEY,            -- also the token in the test text
    round       INTEGER NOT NULL,               -- one self-test run of every SIM
    iccid       TEXT NOT NULL,                  -- the SIM that sends
    to_iccid    TEXT NOT NULL DEFAULT '',       -- the SIM that should receive it
    to_number   TEXT NOT NULL DEFAULT '',
    message_id  INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    started_at  INTEGER NOT NULL,               -- unix milliseconds
    received_at INTEGER,                        -- unix milliseconds, when the test text arrived
    finished_at INTEGER,                        -- unix seconds, when the result was decided
    ok          INTEGER,                        -- NULL while the round runs
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX selftests_iccid ON selftests(iccid, id);
CREATE INDEX selftests_round ON selftests(round);
CREATE TABLE sim_balances (
    id         INTEGER PRIMARY KEY,
    iccid      TEXT NOT NULL,
    at         INTEGER NOT NULL,                -- unix seconds
    fen        INTEGER,                         -- credit in fen (negative: owing); NULL: not readable
    raw        TEXT NOT NULL,                   -- the carrier's answer as received
    source     TEXT NOT NULL DEFAULT 'sms',     -- 'sms' or 'ussd'
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL
);
CREATE INDEX sim_balances_iccid ON sim_balances(iccid, at);
)SQL");
}

}  // namespace cunxin::store
