// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/reports.hpp"

#include "sql.hpp"

namespace cunxin::store {

namespace {
// The per-period counts below write `+direction` so that SQLite ranges over the created_at index
// (a day or two weeks out of years of history) instead of walking every incoming message through
// the direction index: measured on 1,000,000 messages, today's categories 0.09 s -> 0.03 s.
std::vector<CountRow> rows(Stmt& s) {
    std::vector<CountRow> out;
    while (s.step()) out.push_back(CountRow{s.str(0), s.i64(1)});
    return out;
}
}  // namespace

Result<std::vector<CountRow>> incoming_per_category(Database& db, Seconds from, Seconds to) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT COALESCE(category, ''), count(*) FROM messages WHERE created_at >= ? AND created_at < ? "
            "AND +direction='in' AND kind NOT IN ('system','selftest') GROUP BY 1 ORDER BY 1");
        s.args(from, to);
        return rows(s);
    });
}

Result<std::vector<CountRow>> incoming_per_village(Database& db, Seconds from, Seconds to) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT COALESCE(c.village, ''), count(*) FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id "
            "WHERE m.created_at >= ? AND m.created_at < ? AND +m.direction='in' AND m.anonymous = 0 AND m.kind NOT IN ('system','selftest') "
            "GROUP BY 1 ORDER BY 1");
        s.args(from, to);
        return rows(s);
    });
}

Result<std::vector<CategoryVillageRow>> incoming_per_category_village(Database& db, Seconds from, Seconds to) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT COALESCE(m.category, ''), (m.anonymous OR COALESCE(r.anonymous, 0)), "
            "CASE WHEN m.anonymous OR COALESCE(r.anonymous, 0) THEN '' ELSE COALESCE(c.village, '') END, count(*) "
            "FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id LEFT JOIN reply_menu r ON r.code = m.category "
            "WHERE m.created_at >= ? AND m.created_at < ? AND +m.direction='in' AND m.kind NOT IN ('system','selftest') "
            "GROUP BY 1, 2, 3 ORDER BY 1, 3");
        s.args(from, to);
        std::vector<CategoryVillageRow> out;
        while (s.step()) out.push_back(CategoryVillageRow{s.str(0), s.str(2), s.i64(1) != 0, s.i64(3)});
        return out;
    });
}

Result<std::vector<CountRow>> messages_per_day(Database& db, const std::string& direction, Seconds from,
                                               Seconds to, int utc_offset_minutes) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT date(created_at + ?, 'unixepoch'), count(*) FROM messages WHERE created_at >= ? "
            "AND created_at < ? AND +direction=? AND kind NOT IN ('system','selftest') GROUP BY 1 ORDER BY 1");
        s.args(static_cast<std::int64_t>(utc_offset_minutes) * 60, from, to, direction);
        return rows(s);
    });
}

Result<std::vector<SimCost>> cost_per_sim(Database& db, Seconds from, Seconds to) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT x.iccid, COALESCE(sm.operator_name, ''), count(*), COALESCE(sm.price_fen_per_segment, 0) "
            "FROM segments x LEFT JOIN sims sm ON sm.iccid = x.iccid "
            "WHERE x.iccid <> '' AND ((x.sent_at >= ?1 AND x.sent_at < ?2) OR "
            "(x.status='uncertain' AND x.sending_at >= ?1 AND x.sending_at < ?2)) "
            "GROUP BY x.iccid ORDER BY x.iccid");
        s.args(from, to);
        std::vector<SimCost> out;
        while (s.step()) {
            SimCost c;
            c.iccid = s.str(0);
            c.operator_name = s.str(1);
            c.segments = s.i64(2);
            c.price_fen_per_segment = s.i32(3);
            c.cost_fen = c.segments * c.price_fen_per_segment;
            out.push_back(std::move(c));
        }
        return out;
    });
}

Result<std::int64_t> segments_billed_since(Database& db, const std::string& iccid, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT count(*) FROM segments WHERE iccid=?1 AND sending_at >= ?2 "
            "AND (sent_at IS NOT NULL OR status IN ('uncertain','sending'))");
        s.args(iccid, since);
        s.step();
        return s.i64(0);
    });
}

Result<std::vector<CampaignRates>> campaign_rates(Database& db, Seconds from, Seconds to) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT c.id, c.name, c.created_at, count(r.mobile), sum(m.status IN ('sent','delivered')), sum(m.status='delivered'), "
            "sum(m.status='failed'), sum(r.replied_at IS NOT NULL), sum(r.confirmed_at IS NOT NULL) "
            "FROM campaigns c LEFT JOIN campaign_recipients r ON r.campaign_id = c.id "
            "LEFT JOIN messages m ON m.id = r.message_id WHERE c.created_at >= ? AND c.created_at < ? "
            "GROUP BY c.id ORDER BY c.id");
        s.args(from, to);
        std::vector<CampaignRates> out;
        while (s.step()) {
            CampaignRates r;
            r.campaign_id = s.i64(0);
            r.name = s.str(1);
            r.created_at = s.i64(2);
            r.recipients = s.i32(3);
            r.sent = s.i32(4);
            r.delivered = s.i32(5);
            r.failed = s.i32(6);
            r.replied = s.i32(7);
            r.confirmed = s.i32(8);
            if (r.sent > 0) {
                r.delivery_rate = static_cast<double>(r.delivered) / r.sent;
                r.response_rate = static_cast<double>(r.replied) / r.sent;
            }
            out.push_back(std::move(r));
        }
        return out;
    });
}

}  // namespace cunxin::store
