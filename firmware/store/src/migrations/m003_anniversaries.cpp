// SPDX-License-Identifier: Apache-2.0
// Migration 3: anniversary greetings (one row per member and year: exactly once per year)
// and an index for the auto-acknowledgement loop guard.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_003_anniversaries_and_acks(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE anniversary_sends(
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  year INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL,
  message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  PRIMARY KEY(contact_id, year));
CREATE INDEX messages_kind_peer ON messages(kind, peer, created_at) WHERE direction = 'out';
INSERT OR IGNORE INTO settings(key, value) VALUES
  ('anniversary.hour', '9'),
  ('anniversary.template', '{name}同志：{years}年前的今天，您光荣地加入了中国共产党。祝您入党纪念日快乐！');
)SQL");
}

}  // namespace cunxin::store
