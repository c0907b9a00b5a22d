// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/contact_import.hpp"

#include <cstdio>
#include <string>

#include "cunxin/store/database.hpp"

namespace cunxin::messaging {

std::string iso_date(const std::optional<std::chrono::year_month_day>& d) {
    if (!d) return "";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d->year()),
                  static_cast<unsigned>(d->month()), static_cast<unsigned>(d->day()));
    return buf;
}

store::Result<int> write_contact_chunk(store::Database& db, const std::vector<ContactRow>& rows,
                                       std::optional<std::int64_t> group_id, store::Seconds now) {
    store::Transaction tx(db);
    if (!tx.ok()) return cunxin::unexpected(store::Error{store::Errc::busy, -1, "import: cannot begin"});
    int count = 0;
    for (const auto& row : rows) {
        store::Contact c;
        c.name = row.name;
        c.mobile = row.msisdn;
        c.village = row.village;
        c.role = row.role;
        c.party_join_date = iso_date(row.party_join_date);
        c.tags = row.tags;
        c.notes = row.notes;
        c.opted_out = row.opted_out;
        auto id = store::upsert_contact(db, c, now);
        if (!id) return cunxin::unexpected(id.error());
        if (group_id) {
            auto added = store::add_to_group(db, *group_id, *id);
            if (!added) return cunxin::unexpected(added.error());
        }
        ++count;
    }
    if (auto done = tx.commit(); !done) return cunxin::unexpected(done.error());
    return count;
}

}  // namespace cunxin::messaging
