// SPDX-License-Identifier: Apache-2.0
// Migration 8: alerts to the officials on duty, and the campaign option "a missed call counts as
// confirmation" (未接来电即确认). An alert is raised once (alerts) and delivered to each duty
// number (alert_sends): waiting (quiet hours, rate limit), sent (its own SMS), folded (sent
// inside an "and N more" SMS) or skipped (own SIM number, the sender itself, a repeat).
// Self-contained: if the numbering collides at a merge, only this file and its line in
// migrations.cpp/.hpp change.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_008_alerts(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,                 -- urgent_reply, modem_out_of_service, ...
    subject    TEXT NOT NULL,                 -- what makes two alerts "the same"
    text       TEXT NOT NULL,                 -- the SMS text (never an anonymous sender)
    created_at INTEGER NOT NULL
);
CREATE INDEX alerts_subject ON alerts(subject, created_at);
CREATE TABLE alert_sends (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    number     TEXT NOT NULL,                 -- the duty number (E.164)
    name       TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK(state IN ('waiting','sent','folded','skipped')),
    reason     TEXT NOT NULL DEFAULT '',      -- why skipped / waiting
    due_at     INTEGER NOT NULL,              -- not before (end of the quiet hours)
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    sent_at    INTEGER
);
CREATE INDEX alert_sends_alert ON alert_sends(alert_id);
CREATE INDEX alert_sends_waiting ON alert_sends(state, due_at);
CREATE INDEX alert_sends_number ON alert_sends(number, sent_at);
ALTER TABLE campaigns ADD COLUMN missed_call_confirms INTEGER NOT NULL DEFAULT 0;
)SQL");
}

}  // namespace cunxin::store
