// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/field.hpp"

#include "cunxin/store/messages.hpp"
#include "sql.hpp"

namespace cunxin::store {

namespace {

constexpr const char* kSelftestCols =
    "id, round, iccid, to_iccid, to_number, message_id, started_at, received_at, finished_at, ok, detail";

SelftestRow read_selftest(const Stmt& s) {
    SelftestRow r;
    r.id = s.i64(0);
    r.round = s.i64(1);
    r.iccid = s.str(2);
    r.to_iccid = s.str(3);
    r.to_number = s.str(4);
    r.message_id = s.opt_i64(5);
    r.started_ms = s.i64(6);
    r.received_ms = s.opt_i64(7);
    r.finished_at = s.opt_i64(8);
    if (!s.null(9)) r.ok = s.i64(9) != 0;
    r.detail = s.str(10);
    return r;
}

std::vector<SelftestRow> read_all(Stmt& s) {
    std::vector<SelftestRow> out;
    while (s.step()) out.push_back(read_selftest(s));
    return out;
}

constexpr const char* kBalanceCols = "id, iccid, at, fen, raw, source, message_id";

BalanceRow read_balance(const Stmt& s) {
    BalanceRow b;
    b.id = s.i64(0);
    b.iccid = s.str(1);
    b.at = s.i64(2);
    b.fen = s.opt_i64(3);
    b.raw = s.str(4);
    b.source = s.str(5);
    b.message_id = s.opt_i64(6);
    return b;
}

}  // namespace

Result<std::int64_t> next_selftest_round(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT COALESCE(max(round), 0) + 1 FROM selftests");
        s.step();
        return s.i64(0);
    });
}

Result<std::int64_t> insert_selftest(Database& db, const SelftestRow& r) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare("INSERT INTO selftests(round, iccid, to_iccid, to_number, message_id, started_at, ok, detail, "
                  "finished_at) VALUES (?,?,?,?,?,?,?,?,?)")
            .args(r.round, r.iccid, r.to_iccid, r.to_number, r.message_id, r.started_ms,
                  r.ok ? std::optional<std::int64_t>(*r.ok ? 1 : 0) : std::nullopt, r.detail, r.finished_at)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(i.db));
    });
}

Result<void> set_selftest_message(Database& db, std::int64_t id, std::int64_t message_id) {
    return in_tx(db, [&] { db.impl().prepare("UPDATE selftests SET message_id=? WHERE id=?").args(message_id, id).exec(); });
}

Result<bool> mark_selftest_received(Database& db, std::int64_t id, std::int64_t at_ms) {
    return in_tx(db, [&] {
        return db.impl()
                   .prepare("UPDATE selftests SET received_at=? WHERE id=? AND received_at IS NULL")
                   .args(at_ms, id)
                   .exec() > 0;
    });
}

Result<void> finish_selftest(Database& db, std::int64_t id, bool ok, const std::string& detail, Seconds now) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("UPDATE selftests SET ok=?, detail=?, finished_at=? WHERE id=?")
            .args(ok, detail, now, id)
            .exec();
    });
}

Result<std::vector<SelftestRow>> selftest_round(Database& db, std::int64_t round) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSelftestCols + " FROM selftests WHERE round=? ORDER BY id");
        s.args(round);
        return read_all(s);
    });
}

Result<std::vector<SelftestRow>> running_selftests(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSelftestCols + " FROM selftests WHERE ok IS NULL ORDER BY id");
        return read_all(s);
    });
}

Result<std::optional<SelftestRow>> get_selftest(Database& db, std::int64_t id) {
    return guard([&]() -> std::optional<SelftestRow> {
        auto s = db.impl().prepare(std::string("SELECT ") + kSelftestCols + " FROM selftests WHERE id=?");
        s.args(id);
        if (!s.step()) return std::nullopt;
        return read_selftest(s);
    });
}

Result<std::vector<SelftestRow>> latest_selftests(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSelftestCols +
                                   " FROM selftests WHERE id IN (SELECT max(id) FROM selftests WHERE ok IS NOT NULL "
                                   "GROUP BY iccid) ORDER BY iccid");
        return read_all(s);
    });
}

Result<std::vector<SelftestRow>> selftest_history(Database& db, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSelftestCols +
                                   " FROM selftests WHERE ok IS NOT NULL ORDER BY id DESC LIMIT ?");
        s.args(limit);
        return read_all(s);
    });
}

Result<std::int64_t> insert_balance(Database& db, const BalanceRow& b) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare("INSERT INTO sim_balances(iccid, at, fen, raw, source, message_id) VALUES (?,?,?,?,?,?)")
            .args(b.iccid, b.at, b.fen, b.raw, b.source, b.message_id)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(i.db));
    });
}

Result<std::vector<BalanceRow>> latest_balances(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kBalanceCols +
                                   " FROM sim_balances WHERE id IN (SELECT max(id) FROM sim_balances GROUP BY iccid) "
                                   "ORDER BY iccid");
        std::vector<BalanceRow> out;
        while (s.step()) out.push_back(read_balance(s));
        return out;
    });
}

Result<std::vector<BalanceRow>> balance_history(Database& db, const std::string& iccid, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kBalanceCols +
                                   " FROM sim_balances WHERE iccid=? ORDER BY at DESC, id DESC LIMIT ?");
        s.args(iccid, limit);
        std::vector<BalanceRow> out;
        while (s.step()) out.push_back(read_balance(s));
        return out;
    });
}

Result<int> fail_queued_segments(Database& db, std::int64_t message_id, const std::string& reason, Seconds now) {
    auto ids = guard([&] {
        auto s = db.impl().prepare("SELECT id FROM segments WHERE message_id=? AND status='queued' ORDER BY id");
        s.args(message_id);
        std::vector<std::int64_t> out;
        while (s.step()) out.push_back(s.i64(0));
        return out;
    });
    if (!ids) return cunxin::unexpected(ids.error());
    for (auto id : *ids) {
        if (auto r = fail_segment(db, id, -1, reason, now); !r) return cunxin::unexpected(r.error());
    }
    return static_cast<int>(ids->size());
}

}  // namespace cunxin::store
