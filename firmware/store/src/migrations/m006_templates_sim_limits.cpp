// SPDX-License-Identifier: Apache-2.0
// Migration 6: a library of saved notice templates (通知模板); SIM limits become nullable so
// "not set in the panel" (NULL: the configured default applies) differs from "no limit" (0).
// A SIM whose three limits were all 0 had never been set (the old meaning): they become NULL;
// any other row keeps its values (0 next to a set limit meant "no limit" and still does).
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_006_templates_sim_limits(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE templates(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
INSERT INTO templates(name, body, created_by, created_at, updated_at) VALUES
  ('会议通知', '{姓名}同志：请于明天上午九点到镇政府三楼会议室参加会议，收到请回复1。', 'system', 0, 0),
  ('防汛值班', '{姓名}同志：今晚有强降雨，请{村}村两委干部在岗值班，注意巡查。', 'system', 0, 0);

CREATE TABLE sims_new(
  iccid TEXT PRIMARY KEY,
  imei TEXT NOT NULL DEFAULT '',
  imsi TEXT NOT NULL DEFAULT '',
  operator_name TEXT NOT NULL DEFAULT '',
  own_number TEXT NOT NULL DEFAULT '',
  limit_per_minute INTEGER,
  limit_per_hour INTEGER,
  limit_per_day INTEGER,
  price_fen_per_segment INTEGER NOT NULL DEFAULT 10,
  monthly_budget_segments INTEGER NOT NULL DEFAULT 0,
  monthly_budget_fen INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL);
INSERT INTO sims_new SELECT iccid, imei, imsi, operator_name, own_number,
  CASE WHEN limit_per_minute = 0 AND limit_per_hour = 0 AND limit_per_day = 0 THEN NULL ELSE limit_per_minute END,
  CASE WHEN limit_per_minute = 0 AND limit_per_hour = 0 AND limit_per_day = 0 THEN NULL ELSE limit_per_hour END,
  CASE WHEN limit_per_minute = 0 AND limit_per_hour = 0 AND limit_per_day = 0 THEN NULL ELSE limit_per_day END,
  price_fen_per_segment, monthly_budget_segments, monthly_budget_fen, first_seen, last_seen FROM sims;
DROP TABLE sims;
ALTER TABLE sims_new RENAME TO sims;
)SQL");
}

}  // namespace cunxin::store
