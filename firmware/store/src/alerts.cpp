// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/alerts.hpp"

#include "sql.hpp"

namespace cunxin::store {

namespace {

constexpr const char* kSendCols =
    "s.id, s.alert_id, s.number, s.name, s.state, s.reason, s.due_at, s.message_id, s.sent_at, a.kind, a.text";

AlertSend read_send(const Stmt& s) {
    AlertSend x;
    x.id = s.i64(0);
    x.alert_id = s.i64(1);
    x.number = s.str(2);
    x.name = s.str(3);
    x.state = s.str(4);
    x.reason = s.str(5);
    x.due_at = s.i64(6);
    x.message_id = s.opt_i64(7);
    x.sent_at = s.opt_i64(8);
    x.kind = s.str(9);
    x.text = s.str(10);
    return x;
}

}  // namespace

Result<std::int64_t> insert_alert(Database& db, const AlertRecord& alert) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare("INSERT INTO alerts(kind, subject, text, created_at) VALUES (?,?,?,?)")
            .args(alert.kind, alert.subject, alert.text, alert.created_at)
            .exec();
        const std::int64_t id = sqlite3_last_insert_rowid(i.db);
        for (const auto& s : alert.sends) {
            i.prepare("INSERT INTO alert_sends(alert_id, number, name, state, reason, due_at) VALUES (?,?,?,?,?,?)")
                .args(id, s.number, s.name, s.state, s.reason, s.due_at)
                .exec();
        }
        return id;
    });
}

Result<int> count_alerts_with_subject(Database& db, const std::string& subject, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM alerts WHERE subject = ? AND created_at >= ?");
        s.args(subject, since);
        s.step();
        return s.i32(0);
    });
}

Result<std::vector<AlertSend>> waiting_alert_sends(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSendCols +
                                   " FROM alert_sends s JOIN alerts a ON a.id = s.alert_id "
                                   "WHERE s.state = 'waiting' ORDER BY s.id");
        std::vector<AlertSend> out;
        while (s.step()) out.push_back(read_send(s));
        return out;
    });
}

Result<int> alert_messages_to(Database& db, const std::string& number, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT count(DISTINCT message_id) FROM alert_sends WHERE number = ? AND sent_at >= ? "
            "AND state IN ('sent','folded')");
        s.args(number, since);
        s.step();
        return s.i32(0);
    });
}

Result<void> mark_alert_sends(Database& db, const std::vector<std::int64_t>& ids, const std::string& state,
                              std::int64_t message_id, Seconds now) {
    return in_tx(db, [&] {
        for (auto id : ids) {
            db.impl()
                .prepare("UPDATE alert_sends SET state = ?, message_id = ?, sent_at = ?, reason = '' WHERE id = ?")
                .args(state, message_id, now, id)
                .exec();
        }
    });
}

Result<std::vector<AlertRecord>> list_alerts(Database& db, int limit) {
    return guard([&] {
        std::vector<AlertRecord> out;
        auto s = db.impl().prepare("SELECT id, kind, subject, text, created_at FROM alerts ORDER BY id DESC LIMIT ?");
        s.args(static_cast<std::int64_t>(limit));
        while (s.step()) out.push_back(AlertRecord{s.i64(0), s.str(1), s.str(2), s.str(3), s.i64(4), {}});
        for (auto& a : out) {
            auto d = db.impl().prepare(std::string("SELECT ") + kSendCols +
                                       " FROM alert_sends s JOIN alerts a ON a.id = s.alert_id "
                                       "WHERE s.alert_id = ? ORDER BY s.id");
            d.args(a.id);
            while (d.step()) a.sends.push_back(read_send(d));
        }
        return out;
    });
}

Result<int> count_waiting_alert_sends(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM alert_sends WHERE state = 'waiting'");
        s.step();
        return s.i32(0);
    });
}

Result<DigestCounts> digest_counts(Database& db, Seconds since) {
    return guard([&] {
        DigestCounts c;
        auto r = db.impl().prepare(
            "SELECT COALESCE(category, ''), count(*) FROM messages WHERE direction = 'in' AND created_at >= ? "
            "GROUP BY COALESCE(category, '') ORDER BY COALESCE(category, '')");
        r.args(since);
        while (r.step()) {
            c.replies_by_category.emplace_back(r.str(0), r.i32(1));
            c.replies += r.i32(1);
        }
        auto f = db.impl().prepare(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'failed' AND updated_at >= ?");
        f.args(since);
        f.step();
        c.failed = f.i32(0);
        auto a = db.impl().prepare("SELECT count(*) FROM alerts WHERE created_at >= ? AND kind <> 'digest'");
        a.args(since);
        a.step();
        c.alerts = a.i32(0);
        auto k = db.impl().prepare("SELECT count(*) FROM calls WHERE at >= ?");
        k.args(since);
        k.step();
        c.missed_calls = k.i32(0);
        return c;
    });
}

}  // namespace cunxin::store
