// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/federation.hpp"

#include "sql.hpp"

namespace cunxin::store {

// ---- box side -------------------------------------------------------------------------------

Result<std::int64_t> fed_enqueue(Database& db, const std::string& type, const std::string& key,
                                 const std::string& payload, Seconds at, const std::string& village,
                                 const std::string& category) {
    return in_tx(db, [&] {
        if (!key.empty()) db.impl().prepare("DELETE FROM fed_outbox WHERE key = ?").args(key).exec();
        db.impl()
            .prepare("INSERT INTO fed_outbox(type, key, village, category, payload, at) VALUES (?,?,?,?,?,?)")
            .args(type, key, village, category, payload, at)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<std::vector<FedEvent>> fed_pending(Database& db, std::int64_t after_seq, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT seq, type, payload, at FROM fed_outbox WHERE seq > ? ORDER BY seq LIMIT ?");
        s.args(after_seq, static_cast<std::int64_t>(limit));
        std::vector<FedEvent> out;
        while (s.step()) out.push_back(FedEvent{s.i64(0), s.str(1), s.str(2), s.i64(3)});
        return out;
    });
}

Result<void> fed_ack(Database& db, std::int64_t seq) {
    return in_tx(db, [&] { db.impl().prepare("DELETE FROM fed_outbox WHERE seq = ?").args(seq).exec(); });
}

Result<std::int64_t> fed_pending_count(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM fed_outbox");
        s.step();
        return s.i64(0);
    });
}

Result<std::vector<FedReplyRow>> fed_oldest_replies(Database& db, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT seq, village, category FROM fed_outbox WHERE type = 'reply' ORDER BY seq LIMIT ?");
        s.args(static_cast<std::int64_t>(limit));
        std::vector<FedReplyRow> out;
        while (s.step()) out.push_back(FedReplyRow{s.i64(0), s.str(1), s.str(2)});
        return out;
    });
}

Result<int> fed_drop_oldest(Database& db, int count) {
    return in_tx(db, [&] {
        return db.impl()
            .prepare("DELETE FROM fed_outbox WHERE seq IN (SELECT seq FROM fed_outbox WHERE type <> 'reply' "
                     "ORDER BY seq LIMIT ?)")
            .args(static_cast<std::int64_t>(count))
            .exec();
    });
}

Result<std::int64_t> fed_fold(Database& db, const std::vector<std::int64_t>& seqs,
                              const std::string& summary_payload, Seconds at) {
    return in_tx(db, [&] {
        for (auto seq : seqs) db.impl().prepare("DELETE FROM fed_outbox WHERE seq = ?").args(seq).exec();
        db.impl()
            .prepare("INSERT INTO fed_outbox(type, payload, at) VALUES ('summary', ?, ?)")
            .args(summary_payload, at)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<bool> fed_record_command(Database& db, const std::string& id, const std::string& type,
                                const std::string& notice_id, std::optional<std::int64_t> campaign_id,
                                Seconds now) {
    return in_tx(db, [&] {
        return db.impl()
                   .prepare("INSERT OR IGNORE INTO fed_commands(id, type, notice_id, campaign_id, received_at) "
                            "VALUES (?,?,?,?,?)")
                   .args(id, type, notice_id, campaign_id, now)
                   .exec() == 1;
    });
}

Result<std::optional<std::int64_t>> fed_campaign_for_notice(Database& db, const std::string& notice_id) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT campaign_id FROM fed_commands WHERE notice_id = ? AND campaign_id IS NOT NULL "
            "ORDER BY received_at LIMIT 1");
        s.args(notice_id);
        std::optional<std::int64_t> out;
        if (s.step()) out = s.i64(0);
        return out;
    });
}

Result<std::optional<std::string>> fed_notice_for_campaign(Database& db, std::int64_t campaign_id) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT notice_id FROM fed_commands WHERE campaign_id = ? LIMIT 1");
        s.args(campaign_id);
        std::optional<std::string> out;
        if (s.step()) out = s.str(0);
        return out;
    });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> fed_notices_since(Database& db, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT notice_id, campaign_id FROM fed_commands WHERE type = 'notice' AND campaign_id IS NOT NULL "
            "AND received_at >= ? ORDER BY received_at");
        s.args(since);
        std::vector<std::pair<std::string, std::int64_t>> out;
        while (s.step()) out.emplace_back(s.str(0), s.i64(1));
        return out;
    });
}

// ---- hub side -------------------------------------------------------------------------------

Result<void> hub_touch_box(Database& db, const std::string& box, Seconds now, std::optional<bool> online) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("INSERT INTO hub_boxes(id, first_seen, last_seen, online) VALUES (?1, ?2, ?2, COALESCE(?3, 0)) "
                     "ON CONFLICT(id) DO UPDATE SET last_seen = max(last_seen, ?2), online = COALESCE(?3, online)")
            .args(box, now, online ? std::optional<std::int64_t>(*online ? 1 : 0) : std::nullopt)
            .exec();
    });
}

Result<bool> hub_record_event(Database& db, const std::string& id, const std::string& box, std::int64_t seq,
                              const std::string& type, Seconds now) {
    return in_tx(db, [&] {
        const bool fresh = db.impl()
                               .prepare("INSERT OR IGNORE INTO hub_events(id, box, seq, type, received_at) "
                                        "VALUES (?,?,?,?,?)")
                               .args(id, box, seq, type, now)
                               .exec() == 1;
        db.impl()
            .prepare("INSERT INTO hub_boxes(id, first_seen, last_seen, online) VALUES (?1, ?2, ?2, 1) "
                     "ON CONFLICT(id) DO UPDATE SET last_seen = max(last_seen, ?2), online = 1")
            .args(box, now)
            .exec();
        return fresh;
    });
}

Result<void> hub_set_health(Database& db, const std::string& box, std::int64_t seq, const std::string& health_json) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("UPDATE hub_boxes SET health = ?, health_seq = ? WHERE id = ? AND health_seq < ?")
            .args(health_json, seq, box, seq)
            .exec();
    });
}

Result<std::vector<HubBox>> hub_list_boxes(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT id, name, first_seen, last_seen, online, health FROM hub_boxes ORDER BY id");
        std::vector<HubBox> out;
        while (s.step()) out.push_back(HubBox{s.str(0), s.str(1), s.i64(2), s.i64(3), s.i64(4) != 0, s.str(5)});
        return out;
    });
}

namespace {

std::vector<HubProgress> notice_boxes(Database& db, const std::string& notice_id) {
    auto s = db.impl().prepare(
        "SELECT box, command_id, published_at, progress_seq, recipients, queued, sent, delivered, failed, updated_at "
        "FROM hub_notice_boxes WHERE notice_id = ? ORDER BY box");
    s.args(notice_id);
    std::vector<HubProgress> out;
    while (s.step()) {
        HubProgress p;
        p.box = s.str(0);
        p.command_id = s.str(1);
        p.published_at = s.opt_i64(2);
        p.seq = s.i64(3);
        p.recipients = s.i32(4);
        p.queued = s.i32(5);
        p.sent = s.i32(6);
        p.delivered = s.i32(7);
        p.failed = s.i32(8);
        p.updated_at = s.opt_i64(9);
        out.push_back(std::move(p));
    }
    return out;
}

constexpr const char* kNoticeCols = "id, text, roles, villages, created_by, created_at, cancelled_at";

HubNotice read_notice(Database& db, const Stmt& s) {
    HubNotice n{s.str(0), s.str(1), s.str(2), s.str(3), s.str(4), s.i64(5), s.opt_i64(6), {}};
    n.boxes = notice_boxes(db, n.id);
    return n;
}

}  // namespace

Result<void> hub_insert_notice(Database& db, const HubNotice& n) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("INSERT INTO hub_notices(id, text, roles, villages, created_by, created_at) VALUES (?,?,?,?,?,?)")
            .args(n.id, n.text, n.roles_json, n.villages_json, n.created_by, n.created_at)
            .exec();
        for (const auto& b : n.boxes) {
            db.impl()
                .prepare("INSERT INTO hub_notice_boxes(notice_id, box, command_id) VALUES (?,?,?)")
                .args(n.id, b.box, b.command_id)
                .exec();
        }
    });
}

Result<void> hub_mark_published(Database& db, const std::string& command_id, Seconds now) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("UPDATE hub_notice_boxes SET published_at = COALESCE(published_at, ?) WHERE command_id = ?")
            .args(now, command_id)
            .exec();
    });
}

Result<void> hub_cancel_notice(Database& db, const std::string& notice_id, Seconds now) {
    return in_tx(db, [&] {
        if (db.impl()
                .prepare("UPDATE hub_notices SET cancelled_at = COALESCE(cancelled_at, ?) WHERE id = ?")
                .args(now, notice_id)
                .exec() == 0) {
            throw_error(Errc::not_found, "no notice " + notice_id);
        }
    });
}

Result<bool> hub_set_progress(Database& db, const std::string& notice_id, const std::string& box, std::int64_t seq,
                              int recipients, int queued, int sent, int delivered, int failed, Seconds now) {
    return in_tx(db, [&] {
        return db.impl()
                   .prepare("UPDATE hub_notice_boxes SET progress_seq = ?, recipients = ?, queued = ?, sent = ?, "
                            "delivered = ?, failed = ?, updated_at = ? "
                            "WHERE notice_id = ? AND box = ? AND progress_seq < ?")
                   .args(seq, recipients, queued, sent, delivered, failed, now, notice_id, box, seq)
                   .exec() == 1;
    });
}

Result<HubNotice> hub_get_notice(Database& db, const std::string& id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kNoticeCols + " FROM hub_notices WHERE id = ?");
        s.args(id);
        if (!s.step()) throw_error(Errc::not_found, "no notice " + id);
        return read_notice(db, s);
    });
}

Result<std::vector<HubNotice>> hub_list_notices(Database& db, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kNoticeCols +
                                   " FROM hub_notices ORDER BY created_at DESC, rowid DESC LIMIT ?");
        s.args(static_cast<std::int64_t>(limit));
        std::vector<HubNotice> out;
        while (s.step()) out.push_back(read_notice(db, s));
        return out;
    });
}

Result<std::vector<HubNotice>> hub_notices_without_progress(Database& db, const std::string& box) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT n.id, n.text, n.roles, n.villages, n.created_by, n.created_at, n.cancelled_at, "
            "b.box, b.command_id, b.published_at FROM hub_notices n JOIN hub_notice_boxes b ON b.notice_id = n.id "
            "WHERE b.progress_seq = 0 AND (?1 = '' OR b.box = ?1) ORDER BY n.created_at, n.rowid, b.box");
        s.args(box);
        std::vector<HubNotice> out;
        while (s.step()) {
            HubNotice n{s.str(0), s.str(1), s.str(2), s.str(3), s.str(4), s.i64(5), s.opt_i64(6), {}};
            HubProgress p;
            p.box = s.str(7);
            p.command_id = s.str(8);
            p.published_at = s.opt_i64(9);
            n.boxes.push_back(std::move(p));
            out.push_back(std::move(n));
        }
        return out;
    });
}

Result<void> hub_insert_reply(Database& db, const HubReply& r) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("INSERT OR IGNORE INTO hub_replies(event_id, box, notice_id, village, category, text, number, at, "
                     "received_at) VALUES (?,?,?,?,?,?,?,?,?)")
            .args(r.event_id, r.box, r.notice_id, r.village, r.category, r.text, r.number, r.at, r.received_at)
            .exec();
    });
}

Result<std::vector<HubReply>> hub_list_replies(Database& db, const HubReplyQuery& q) {
    return guard([&] {
        // Anonymous replies have no village: a village filter never matches them.
        auto s = db.impl().prepare(
            "SELECT id, event_id, box, notice_id, village, category, text, number, at, received_at FROM hub_replies "
            "WHERE (?1 = '' OR box = ?1) AND (?2 = '' OR village = ?2) AND (?3 = '' OR category = ?3) "
            "AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?5");
        s.args(q.box, q.village, q.category, q.before_id, static_cast<std::int64_t>(q.limit));
        std::vector<HubReply> out;
        while (s.step()) {
            out.push_back(HubReply{s.i64(0), s.str(1), s.str(2), s.opt_str(3), s.opt_str(4), s.opt_str(5), s.str(6),
                                   s.opt_str(7), s.i64(8), s.i64(9)});
        }
        return out;
    });
}

Result<void> hub_add_reply_counts(Database& db, const std::string& box, const std::string& village,
                                  const std::string& category, int count) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("INSERT INTO hub_reply_counts(box, village, category, count) VALUES (?1,?2,?3,?4) "
                     "ON CONFLICT(box, village, category) DO UPDATE SET count = count + ?4")
            .args(box, village, category, static_cast<std::int64_t>(count))
            .exec();
    });
}

Result<void> hub_set_report(Database& db, const std::string& box, const std::string& day, std::int64_t seq,
                            const std::string& payload) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("INSERT INTO hub_reports(box, day, seq, payload) VALUES (?1,?2,?3,?4) "
                     "ON CONFLICT(box, day) DO UPDATE SET seq = ?3, payload = ?4 WHERE seq < ?3")
            .args(box, day, seq, payload)
            .exec();
    });
}

Result<std::vector<HubCount>> hub_reply_summary(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT box, v, c, sum(n) FROM ("
            "  SELECT box, COALESCE(village, '') AS v, COALESCE(category, '') AS c, count(*) AS n FROM hub_replies "
            "  GROUP BY box, v, c "
            "  UNION ALL SELECT box, village, category, count FROM hub_reply_counts"
            ") GROUP BY box, v, c ORDER BY box, v, c");
        std::vector<HubCount> out;
        while (s.step()) out.push_back(HubCount{s.str(0), s.str(1), s.str(2), s.i64(3)});
        return out;
    });
}

}  // namespace cunxin::store
