// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/calls.hpp"

#include "sql.hpp"

namespace cunxin::store {

Result<std::int64_t> insert_call(Database& db, const std::string& number, const std::string& iccid,
                                 Seconds at, Seconds now) {
    return in_tx(db, [&] {
        std::optional<std::int64_t> contact;
        if (!number.empty()) {
            auto s = db.impl().prepare("SELECT id FROM contacts WHERE mobile = ?");
            s.args(number);
            if (s.step()) contact = s.i64(0);
        }
        db.impl()
            .prepare("INSERT INTO calls(number, contact_id, iccid, at, created_at) VALUES (?,?,?,?,?)")
            .args(number, contact, iccid, at, now)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<std::vector<Call>> list_calls(Database& db, int limit, std::int64_t before_id) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT k.id, k.number, k.contact_id, COALESCE(c.name, ''), COALESCE(c.village, ''), k.iccid, k.at "
            "FROM calls k LEFT JOIN contacts c ON c.id = k.contact_id "
            "WHERE (?1 = 0 OR k.id < ?1) ORDER BY k.id DESC LIMIT ?2");
        s.args(before_id, static_cast<std::int64_t>(limit));
        std::vector<Call> out;
        while (s.step()) {
            out.push_back(Call{s.i64(0), s.str(1), s.opt_i64(2), s.str(3), s.str(4), s.str(5), s.i64(6)});
        }
        return out;
    });
}

Result<std::int64_t> count_calls_since(Database& db, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM calls WHERE at >= ?");
        s.args(since);
        s.step();
        return s.i64(0);
    });
}

}  // namespace cunxin::store
