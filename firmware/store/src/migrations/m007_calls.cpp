// SPDX-License-Identifier: Apache-2.0
// Migration 7: missed calls. The box takes no voice calls: a modem hangs up every call (ATH)
// and the caller's number (+CLIP), the SIM and the time are kept here, matched to a contact.
// Self-contained: if the numbering collides at a merge, only this file and its line in
// migrations.cpp/.hpp change.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_007_calls(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE calls (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL,                 -- E.164 as +CLIP gave it; '' when withheld
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    iccid      TEXT NOT NULL DEFAULT '',      -- the SIM that rang
    at         INTEGER NOT NULL,              -- unix seconds, when it rang
    created_at INTEGER NOT NULL
);
CREATE INDEX calls_at ON calls(at);
CREATE INDEX calls_contact ON calls(contact_id, at);
)SQL");
}

}  // namespace cunxin::store
