// SPDX-License-Identifier: Apache-2.0
// Migration 8: paused SIMs (carrier blocking). A SIM whose sends keep failing, or about which
// the carrier texted a suspension notice, stops sending (it still receives) until an admin
// resumes it; the pause and its reason survive restarts. Self-contained: if the numbering
// collides at a merge, only this file and its line in migrations.cpp/.hpp change.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_009_sim_pauses(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE sim_pauses (
    iccid      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,               -- 'send_failures' or 'carrier_notice'
    detail     TEXT NOT NULL DEFAULT '',    -- the last error, or the carrier's notice text
    sender     TEXT NOT NULL DEFAULT '',    -- the service number of a notice
    paused_at  INTEGER NOT NULL             -- unix seconds
);
)SQL");
}

}  // namespace cunxin::store
