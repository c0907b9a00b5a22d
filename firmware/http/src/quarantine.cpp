// SPDX-License-Identifier: Apache-2.0
// The quarantine (admins only): PDUs and reports the inbox could not process, kept with their
// reason. The raw PDU holds the sender's number and text, hence admins only.

#include "mapping.hpp"

namespace cunxin::http {

void register_quarantine(Router& r);

void register_quarantine(Router& r) {
    r.get("/api/v1/quarantine", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(cursor, ctx.query_int("cursor", 0, 0, INT64_MAX));
        CX_CHECK(limit, ctx.query_int("limit", 50, 1, 200));
        CX_CHECK(db, ctx.db());
        CX_TRY(count, store::count_quarantine(*db), "count quarantine");
        CX_TRY(list, store::list_quarantine(*db, static_cast<int>(limit), cursor), "list quarantine");
        json items = json::array();
        for (const auto& q : list) {
            items.push_back({{"id", q.id}, {"at", q.at}, {"kind", q.kind}, {"iccid", q.iccid},
                             {"reason", q.reason}, {"raw", q.raw}});
        }
        const bool more = static_cast<std::int64_t>(list.size()) == limit && !list.empty();
        return ok({{"items", items}, {"count", count}, {"next_cursor", more ? json(list.back().id) : json(nullptr)}});
    });
}

}  // namespace cunxin::http
