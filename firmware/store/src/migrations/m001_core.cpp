// SPDX-License-Identifier: Apache-2.0
// Migration 1: the core schema (contacts, groups, SIMs, messages, segments, incoming parts,
// status reports, campaigns, reply menu, users, sessions, tokens, settings, audit log).
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_001_core(Database::Impl& db) {
    db.exec(R"SQL(
CREATE TABLE settings(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);

CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK(role IN ('admin','operator','viewer')),
  display_name TEXT NOT NULL DEFAULT '',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);

CREATE TABLE sessions(
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK(role IN ('admin','operator','viewer')),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0);

CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '');

CREATE TABLE contacts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  mobile TEXT NOT NULL UNIQUE,
  village TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  party_join_date TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '',
  opted_out INTEGER NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX contacts_village ON contacts(village);
CREATE INDEX contacts_join_day ON contacts(substr(party_join_date, 6, 5)) WHERE party_join_date <> '';

CREATE TABLE groups(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '');
CREATE TABLE group_members(
  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  PRIMARY KEY(group_id, contact_id)) WITHOUT ROWID;
CREATE INDEX group_members_contact ON group_members(contact_id);

CREATE TABLE opt_outs(
  mobile TEXT PRIMARY KEY,
  at INTEGER NOT NULL);

CREATE TABLE sims(
  iccid TEXT PRIMARY KEY,
  imei TEXT NOT NULL DEFAULT '',
  imsi TEXT NOT NULL DEFAULT '',
  operator_name TEXT NOT NULL DEFAULT '',
  own_number TEXT NOT NULL DEFAULT '',
  limit_per_minute INTEGER NOT NULL DEFAULT 0,
  limit_per_hour INTEGER NOT NULL DEFAULT 0,
  limit_per_day INTEGER NOT NULL DEFAULT 0,
  price_fen_per_segment INTEGER NOT NULL DEFAULT 10,
  monthly_budget_segments INTEGER NOT NULL DEFAULT 0,
  monthly_budget_fen INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL);

CREATE TABLE reply_menu(
  code TEXT PRIMARY KEY,
  label_zh TEXT NOT NULL,
  label_en TEXT NOT NULL DEFAULT '',
  auto_ack TEXT NOT NULL DEFAULT '',
  anonymous INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL DEFAULT 0);
INSERT INTO reply_menu(code, label_zh, label_en, position) VALUES
  ('01', '政策咨询', 'Policy question', 1),
  ('02', '意见建议', 'Opinion or suggestion', 2),
  ('03', '反映情况', 'Report a situation', 3);

CREATE TABLE campaigns(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  template_text TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('draft','scheduled','running','paused','cancelled','done')),
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  scheduled_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  confirm_request INTEGER NOT NULL DEFAULT 0,
  remind_after INTEGER NOT NULL DEFAULT 0,
  reminder_text TEXT NOT NULL DEFAULT '',
  targets_json TEXT NOT NULL DEFAULT '');
CREATE INDEX campaigns_status ON campaigns(status, scheduled_at);

CREATE TABLE messages(
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL CHECK(direction IN ('in','out')),
  peer TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL,
  category TEXT,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  assigned_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  anonymous INTEGER NOT NULL DEFAULT 0,
  incomplete INTEGER NOT NULL DEFAULT 0,
  unknown_sender INTEGER NOT NULL DEFAULT 0,
  iccid TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT 'normal',
  error TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  segments INTEGER NOT NULL DEFAULT 0,
  scts INTEGER,
  text_hash TEXT NOT NULL DEFAULT '');
CREATE INDEX messages_dir ON messages(direction, id);
CREATE INDEX messages_dir_status ON messages(direction, status, id);
CREATE INDEX messages_peer ON messages(peer, id);
CREATE INDEX messages_campaign ON messages(campaign_id, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX messages_category ON messages(category, id) WHERE category IS NOT NULL;
CREATE INDEX messages_contact ON messages(contact_id, id) WHERE contact_id IS NOT NULL;
CREATE INDEX messages_assigned ON messages(assigned_user_id, id) WHERE assigned_user_id IS NOT NULL;
CREATE INDEX messages_created ON messages(created_at);
CREATE INDEX messages_in_dedupe ON messages(peer, scts, text_hash) WHERE direction = 'in';

CREATE TABLE campaign_recipients(
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  mobile TEXT NOT NULL,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  name TEXT NOT NULL DEFAULT '',
  village TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  skipped_reason TEXT NOT NULL DEFAULT '',
  confirmed_at INTEGER,
  reminded_at INTEGER,
  replied_at INTEGER,
  reminder_message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  PRIMARY KEY(campaign_id, mobile));
CREATE INDEX campaign_recipients_mobile ON campaign_recipients(mobile);

CREATE TABLE segments(
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  total INTEGER NOT NULL,
  recipient TEXT NOT NULL,
  pdu_hex TEXT NOT NULL,
  tpdu_length INTEGER NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('queued','sending','sent','delivered','failed','uncertain')),
  iccid TEXT NOT NULL DEFAULT '',
  message_reference INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0,
  avoid_iccid TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  cms_error INTEGER NOT NULL DEFAULT -1,
  created_at INTEGER NOT NULL,
  sending_at INTEGER,
  sent_at INTEGER,
  done_at INTEGER);
CREATE INDEX segments_message ON segments(message_id, part);
CREATE INDEX segments_queued ON segments(id) WHERE status = 'queued';
CREATE INDEX segments_sending ON segments(id) WHERE status = 'sending';
CREATE INDEX segments_report ON segments(iccid, message_reference, sent_at);
CREATE INDEX segments_sim_time ON segments(iccid, sending_at);

CREATE TABLE sticky_sims(
  recipient TEXT PRIMARY KEY,
  iccid TEXT NOT NULL,
  at INTEGER NOT NULL);

CREATE TABLE incoming_parts(
  id INTEGER PRIMARY KEY,
  iccid TEXT NOT NULL DEFAULT '',
  sender TEXT NOT NULL,
  scts INTEGER NOT NULL,
  reference INTEGER NOT NULL,
  part INTEGER NOT NULL,
  total INTEGER NOT NULL,
  text TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  raw_pdu TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  UNIQUE(sender, scts, reference, part, total, text_hash));
CREATE INDEX incoming_parts_pending ON incoming_parts(id) WHERE message_id IS NULL;

CREATE TABLE status_reports(
  id INTEGER PRIMARY KEY,
  iccid TEXT NOT NULL DEFAULT '',
  recipient TEXT NOT NULL,
  message_reference INTEGER NOT NULL,
  status INTEGER NOT NULL,
  status_class TEXT NOT NULL,
  discharge_time INTEGER,
  raw_pdu TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  segment_id INTEGER REFERENCES segments(id) ON DELETE SET NULL);
CREATE INDEX status_reports_unmatched ON status_reports(id) WHERE segment_id IS NULL;

CREATE TABLE quarantine(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  iccid TEXT NOT NULL DEFAULT '',
  raw TEXT NOT NULL,
  reason TEXT NOT NULL);

CREATE TABLE notes(
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX notes_message ON notes(message_id);
)SQL");
}

}  // namespace cunxin::store
