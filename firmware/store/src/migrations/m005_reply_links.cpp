// SPDX-License-Identifier: Apache-2.0
// Migration 5: an outgoing message can be linked to the incoming message it answers
// (messages.reply_to: automatic acknowledgements and operators' replies). Anonymity becomes
// sticky and complete: messages of a category that is anonymous now are anonymous, keep no
// contact link, and the acknowledgements sent for them (linked here by sender and time) are
// anonymous too.
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

void migration_005_reply_links(Database::Impl& db) {
    db.exec(R"SQL(
ALTER TABLE messages ADD COLUMN reply_to INTEGER REFERENCES messages(id) ON DELETE SET NULL;
CREATE INDEX messages_reply_to ON messages(reply_to) WHERE reply_to IS NOT NULL;
UPDATE messages SET anonymous = 1
  WHERE direction = 'in' AND category IN (SELECT code FROM reply_menu WHERE anonymous = 1);
UPDATE messages SET reply_to = (
    SELECT i.id FROM messages i WHERE i.direction = 'in' AND i.peer = messages.peer
      AND i.created_at <= messages.created_at AND i.created_at >= messages.created_at - 600
    ORDER BY i.id DESC LIMIT 1)
  WHERE direction = 'out' AND kind = 'auto_ack';
UPDATE messages SET anonymous = 1
  WHERE direction = 'out' AND reply_to IN (SELECT id FROM messages WHERE anonymous = 1);
UPDATE messages SET contact_id = NULL, unknown_sender = 0 WHERE anonymous = 1;
)SQL");
}

}  // namespace cunxin::store
