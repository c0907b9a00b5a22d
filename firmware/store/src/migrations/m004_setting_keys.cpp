// SPDX-License-Identifier: Apache-2.0
// Migration 4: settings keys use the panel's names (anniversary_hour, anniversary_template,
// anniversary_enabled) instead of the dotted names migration 3 seeded; values are kept, and a
// value the panel already wrote under the new name wins.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_004_setting_keys(Database::Impl& db) {
    db.exec(R"SQL(
UPDATE OR IGNORE settings SET key = 'anniversary_hour' WHERE key = 'anniversary.hour';
UPDATE OR IGNORE settings SET key = 'anniversary_template' WHERE key = 'anniversary.template';
UPDATE OR IGNORE settings SET key = 'anniversary_enabled' WHERE key = 'anniversary.enabled';
DELETE FROM settings WHERE key IN ('anniversary.hour', 'anniversary.template', 'anniversary.enabled');
INSERT OR IGNORE INTO settings(key, value) VALUES ('anniversary_enabled', '1');
)SQL");
}

}  // namespace cunxin::store
