// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/sim_pauses.hpp"

#include "sql.hpp"

namespace cunxin::store {

Result<bool> pause_sim(Database& db, const SimPause& p) {
    return in_tx(db, [&] {
        return db.impl()
                   .prepare("INSERT OR IGNORE INTO sim_pauses(iccid, reason, detail, sender, paused_at) VALUES (?,?,?,?,?)")
                   .args(p.iccid, p.reason, p.detail, p.sender, p.paused_at)
                   .exec() > 0;
    });
}

Result<bool> resume_sim(Database& db, const std::string& iccid) {
    return in_tx(db, [&] {
        return db.impl().prepare("DELETE FROM sim_pauses WHERE iccid = ?").args(iccid).exec() > 0;
    });
}

Result<std::vector<SimPause>> list_sim_pauses(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT iccid, reason, detail, sender, paused_at FROM sim_pauses ORDER BY paused_at, iccid");
        std::vector<SimPause> out;
        while (s.step()) out.push_back(SimPause{s.str(0), s.str(1), s.str(2), s.str(3), s.i64(4)});
        return out;
    });
}

}  // namespace cunxin::store
