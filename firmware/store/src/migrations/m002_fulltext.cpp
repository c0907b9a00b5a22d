// SPDX-License-Identifier: Apache-2.0
// Migration 2: full-text search over message text. FTS5 with the trigram tokenizer matches
// any substring of 3+ characters, which suits Chinese (no word boundaries). An external-content
// table over messages, kept in sync by triggers, and filled from the existing rows.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_002_fulltext(Database::Impl& db) {
    db.exec(R"SQL(
CREATE VIRTUAL TABLE messages_fts USING fts5(
  text, content='messages', content_rowid='id', tokenize='trigram');
INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages;
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;
)SQL");
}

}  // namespace cunxin::store
