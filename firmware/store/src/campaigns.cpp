// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/campaigns.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "sql.hpp"

namespace cunxin::store {

const char* to_string(CampaignStatus s) noexcept {
    switch (s) {
        case CampaignStatus::Draft: return "draft";
        case CampaignStatus::Scheduled: return "scheduled";
        case CampaignStatus::Running: return "running";
        case CampaignStatus::Paused: return "paused";
        case CampaignStatus::Cancelled: return "cancelled";
        case CampaignStatus::Done: return "done";
    }
    return "draft";
}

std::optional<CampaignStatus> parse_campaign_status(const std::string& s) noexcept {
    for (auto v : {CampaignStatus::Draft, CampaignStatus::Scheduled, CampaignStatus::Running,
                   CampaignStatus::Paused, CampaignStatus::Cancelled, CampaignStatus::Done}) {
        if (s == to_string(v)) return v;
    }
    return std::nullopt;
}

namespace {

constexpr const char* kCampaignCols =
    "id, name, template_text, status, created_by, created_at, scheduled_at, started_at, finished_at, "
    "confirm_request, remind_after, reminder_text, targets_json, missed_call_confirms";

Campaign read_campaign(const Stmt& s) {
    Campaign c;
    c.id = s.i64(0);
    c.name = s.str(1);
    c.template_text = s.str(2);
    c.status = parse_campaign_status(s.str(3)).value_or(CampaignStatus::Draft);
    c.created_by = s.str(4);
    c.created_at = s.i64(5);
    c.scheduled_at = s.opt_i64(6);
    c.started_at = s.opt_i64(7);
    c.finished_at = s.opt_i64(8);
    c.confirm_request = s.i64(9) != 0;
    c.remind_after = s.i64(10);
    c.reminder_text = s.str(11);
    c.targets_json = s.str(12);
    c.missed_call_confirms = s.i64(13) != 0;
    return c;
}

constexpr const char* kRecipientCols =
    "r.campaign_id, r.mobile, r.contact_id, r.name, r.village, r.text, r.message_id, "
    "COALESCE(m.status, r.skipped_reason), r.confirmed_at, r.reminded_at, r.replied_at, r.reminder_message_id";

CampaignRecipient read_recipient(const Stmt& s) {
    CampaignRecipient r;
    r.campaign_id = s.i64(0);
    r.mobile = s.str(1);
    r.contact_id = s.opt_i64(2);
    r.name = s.str(3);
    r.village = s.str(4);
    r.text = s.str(5);
    r.message_id = s.opt_i64(6);
    r.message_status = s.str(7);
    r.confirmed_at = s.opt_i64(8);
    r.reminded_at = s.opt_i64(9);
    r.replied_at = s.opt_i64(10);
    r.reminder_message_id = s.opt_i64(11);
    return r;
}

void collect(Stmt& s, std::map<std::string, Contact>& by_mobile) {
    while (s.step()) {
        Contact c = read_contact(s);
        by_mobile.emplace(c.mobile, std::move(c));
    }
}

}  // namespace

Result<std::vector<Contact>> resolve_targets(Database& db, const CampaignTargets& t) {
    return guard([&] {
        auto& i = db.impl();
        std::map<std::string, Contact> by_mobile;
        const std::string sel = std::string("SELECT ") + kContactCols + " FROM contacts c ";
        for (auto g : t.group_ids) {
            auto s = i.prepare(sel + "JOIN group_members gm ON gm.contact_id = c.id WHERE gm.group_id = ?");
            s.args(g);
            collect(s, by_mobile);
        }
        for (const auto& v : t.villages) {
            auto s = i.prepare(sel + "WHERE c.village = ?");
            s.args(v);
            collect(s, by_mobile);
        }
        for (const auto& tag : t.tags) {
            auto s = i.prepare(sel + "WHERE instr(c.tags, ',' || ? || ',') > 0");
            s.args(tag);
            collect(s, by_mobile);
        }
        for (const auto& role : t.roles) {
            auto s = i.prepare(sel + (role == "党员" ? "WHERE c.role = ?1 OR c.party_join_date <> ''" : "WHERE c.role = ?1"));
            s.args(role);
            collect(s, by_mobile);
        }
        for (auto id : t.contact_ids) {
            auto s = i.prepare(sel + "WHERE c.id = ?");
            s.args(id);
            collect(s, by_mobile);
        }
        for (const auto& mobile : t.mobiles) {
            auto s = i.prepare(sel + "WHERE c.mobile = ?");
            s.args(mobile);
            collect(s, by_mobile);
            if (!by_mobile.count(mobile) && !mobile.empty()) {
                Contact c;
                c.mobile = mobile;
                by_mobile.emplace(mobile, std::move(c));
            }
        }
        std::vector<Contact> out;
        out.reserve(by_mobile.size());
        for (auto& [m, c] : by_mobile) out.push_back(std::move(c));
        std::stable_sort(out.begin(), out.end(), [](const Contact& a, const Contact& b) {
            if ((a.id == 0) != (b.id == 0)) return a.id != 0;
            return a.id < b.id;
        });
        return out;
    });
}

Result<std::int64_t> insert_campaign(Database& db, const Campaign& c, const std::vector<CampaignRecipient>& rs) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare(
             "INSERT INTO campaigns(name, template_text, status, created_by, created_at, scheduled_at, "
             "confirm_request, remind_after, reminder_text, targets_json, missed_call_confirms) "
             "VALUES (?,?,?,?,?,?,?,?,?,?,?)")
            .args(c.name, c.template_text, to_string(c.status), c.created_by, c.created_at, c.scheduled_at,
                  c.confirm_request, c.remind_after, c.reminder_text, c.targets_json, c.missed_call_confirms)
            .exec();
        const std::int64_t id = sqlite3_last_insert_rowid(i.db);
        for (const auto& r : rs) {
            i.prepare(
                 "INSERT OR IGNORE INTO campaign_recipients(campaign_id, mobile, contact_id, name, village, text) "
                 "VALUES (?,?,?,?,?,?)")
                .args(id, r.mobile, r.contact_id, r.name, r.village, r.text)
                .exec();
        }
        return id;
    });
}

Result<Campaign> get_campaign(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kCampaignCols + " FROM campaigns WHERE id=?");
        s.args(id);
        if (!s.step()) throw_error(Errc::not_found, "campaign " + std::to_string(id));
        return read_campaign(s);
    });
}

Result<std::vector<Campaign>> list_campaigns(Database& db, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kCampaignCols + " FROM campaigns ORDER BY id DESC LIMIT ?");
        s.args(limit);
        std::vector<Campaign> out;
        while (s.step()) out.push_back(read_campaign(s));
        return out;
    });
}

Result<void> set_campaign_status(Database& db, std::int64_t id, CampaignStatus st,
                                 std::optional<Seconds> started_at, std::optional<Seconds> finished_at) {
    return guard([&] {
        if (db.impl()
                .prepare("UPDATE campaigns SET status=?, started_at=COALESCE(?, started_at), "
                         "finished_at=COALESCE(?, finished_at) WHERE id=?")
                .args(to_string(st), started_at, finished_at, id)
                .exec() == 0)
            throw_error(Errc::not_found, "campaign " + std::to_string(id));
    });
}

Result<std::vector<CampaignRecipient>> campaign_recipients(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kRecipientCols +
                                   " FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id "
                                   "WHERE r.campaign_id=? ORDER BY r.mobile");
        s.args(id);
        std::vector<CampaignRecipient> out;
        while (s.step()) out.push_back(read_recipient(s));
        return out;
    });
}

Result<void> set_recipient_message(Database& db, std::int64_t campaign_id, const std::string& mobile,
                                   std::optional<std::int64_t> message_id, const std::string& skipped_reason) {
    return guard([&] {
        db.impl()
            .prepare("UPDATE campaign_recipients SET message_id=?, skipped_reason=? WHERE campaign_id=? AND mobile=?")
            .args(message_id, skipped_reason, campaign_id, mobile)
            .exec();
    });
}

Result<std::vector<Campaign>> due_campaigns(Database& db, Seconds now) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kCampaignCols +
                                   " FROM campaigns WHERE status='scheduled' AND scheduled_at <= ? ORDER BY id");
        s.args(now);
        std::vector<Campaign> out;
        while (s.step()) out.push_back(read_campaign(s));
        return out;
    });
}

Result<int> cancel_campaign_segments(Database& db, std::int64_t id, Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        std::vector<std::int64_t> mids;
        {
            auto s = i.prepare(
                "SELECT DISTINCT s.message_id FROM segments s JOIN messages m ON m.id = s.message_id "
                "WHERE m.campaign_id=? AND s.status='queued'");
            s.args(id);
            while (s.step()) mids.push_back(s.i64(0));
        }
        int n = 0;
        for (auto mid : mids) {
            n += i.prepare("UPDATE segments SET status='failed', last_error='campaign cancelled', done_at=? "
                           "WHERE message_id=? AND status='queued'")
                     .args(now, mid)
                     .exec();
            i.prepare("UPDATE messages SET error='campaign cancelled' WHERE id=?").args(mid).exec();
            refresh_outgoing_status(db, mid, now);
        }
        return n;
    });
}

Result<CampaignProgress> campaign_progress(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT count(*), sum(r.message_id IS NULL AND r.skipped_reason <> ''), "
            "sum(m.status='queued'), sum(m.status='sending'), sum(m.status='sent'), sum(m.status='delivered'), "
            "sum(m.status='failed'), sum(m.status='uncertain'), sum(r.confirmed_at IS NOT NULL), "
            "sum(r.reminded_at IS NOT NULL), sum(r.replied_at IS NOT NULL), COALESCE(sum(m.segments), 0) "
            "FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id WHERE r.campaign_id=?");
        s.args(id);
        CampaignProgress p;
        if (s.step()) {
            p.recipients = s.i32(0);
            p.skipped = s.i32(1);
            p.queued = s.i32(2);
            p.sending = s.i32(3);
            p.sent = s.i32(4);
            p.delivered = s.i32(5);
            p.failed = s.i32(6);
            p.uncertain = s.i32(7);
            p.confirmed = s.i32(8);
            p.reminded = s.i32(9);
            p.replied = s.i32(10);
            p.segments = s.i32(11);
        }
        return p;
    });
}

namespace {

// The recipient row of `mobile` in a campaign started since `since` (and sent to it), chosen by
// `where` (an extra condition, may be empty) and `order`.
Result<std::optional<CampaignRecipient>> recipient_for(Database& db, const std::string& mobile, Seconds since,
                                                       const char* where, const char* order) {
    return guard([&]() -> std::optional<CampaignRecipient> {
        auto s = db.impl().prepare(std::string("SELECT ") + kRecipientCols +
                                   " FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id "
                                   "LEFT JOIN messages m ON m.id = r.message_id "
                                   "WHERE r.mobile=? AND r.message_id IS NOT NULL AND c.started_at >= ? " +
                                   where + " ORDER BY " + order + " LIMIT 1");
        s.args(mobile, since);
        if (!s.step()) return std::nullopt;
        return read_recipient(s);
    });
}

}  // namespace

Result<std::optional<CampaignRecipient>> latest_campaign_for(Database& db, const std::string& mobile,
                                                             Seconds since) {
    return recipient_for(db, mobile, since, "", "c.started_at DESC, c.id DESC");
}

Result<std::vector<RoleCount>> role_counts(Database& db) {
    return guard([&] {
        std::vector<RoleCount> out;
        for (const char* r : {"村支书", "村主任", "村委委员"}) out.push_back(RoleCount{r, 0});
        auto s = db.impl().prepare("SELECT role, count(*) FROM contacts WHERE role <> '' GROUP BY role ORDER BY role");
        while (s.step()) {
            const std::string role = s.str(0);
            if (role == "党员") continue;
            auto it = std::find_if(out.begin(), out.end(), [&](const RoleCount& x) { return x.role == role; });
            if (it != out.end()) it->contacts = s.i32(1);
            else out.push_back(RoleCount{role, s.i32(1)});
        }
        auto m = db.impl().prepare("SELECT count(*) FROM contacts WHERE role = '党员' OR party_join_date <> ''");
        out.insert(out.begin() + 3, RoleCount{"党员", m.step() ? m.i32(0) : 0});
        return out;
    });
}

Result<std::optional<CampaignRecipient>> open_confirmation_for(Database& db, const std::string& mobile,
                                                               Seconds since) {
    return recipient_for(db, mobile, since, "AND c.confirm_request <> 0",
                         "(r.confirmed_at IS NULL) DESC, c.started_at DESC, c.id DESC");
}

Result<std::optional<CampaignRecipient>> open_missed_call_confirmation_for(Database& db,
                                                                           const std::string& mobile,
                                                                           Seconds since) {
    return recipient_for(db, mobile, since,
                         "AND c.confirm_request <> 0 AND c.missed_call_confirms <> 0 AND r.confirmed_at IS NULL "
                         "AND c.status IN ('running','done')",
                         "c.started_at DESC, c.id DESC");
}

Result<void> mark_recipient_reply(Database& db, std::int64_t campaign_id, const std::string& mobile,
                                  bool confirmed, Seconds now) {
    return guard([&] {
        db.impl()
            .prepare("UPDATE campaign_recipients SET replied_at=COALESCE(replied_at, ?1), "
                     "confirmed_at=CASE WHEN ?2 THEN COALESCE(confirmed_at, ?1) ELSE confirmed_at END "
                     "WHERE campaign_id=?3 AND mobile=?4")
            .args(now, confirmed, campaign_id, mobile)
            .exec();
    });
}

Result<std::vector<CampaignRecipient>> recipients_to_remind(Database& db, std::int64_t campaign_id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kRecipientCols +
                                   " FROM campaign_recipients r JOIN messages m ON m.id = r.message_id "
                                   "WHERE r.campaign_id=? AND m.status IN ('sent','delivered') "
                                   "AND r.confirmed_at IS NULL AND r.reminded_at IS NULL ORDER BY r.mobile");
        s.args(campaign_id);
        std::vector<CampaignRecipient> out;
        while (s.step()) out.push_back(read_recipient(s));
        return out;
    });
}

Result<void> mark_reminded(Database& db, std::int64_t campaign_id, const std::string& mobile,
                           std::int64_t reminder_message_id, Seconds now) {
    return guard([&] {
        db.impl()
            .prepare("UPDATE campaign_recipients SET reminded_at=?, reminder_message_id=? WHERE campaign_id=? AND mobile=?")
            .args(now, reminder_message_id, campaign_id, mobile)
            .exec();
    });
}

Result<std::vector<std::int64_t>> finish_idle_campaigns(Database& db, Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        std::vector<std::int64_t> ids;
        {
            auto s = i.prepare(
                "SELECT c.id FROM campaigns c WHERE c.status='running' AND NOT EXISTS ("
                "SELECT 1 FROM messages m JOIN segments s ON s.message_id = m.id "
                "WHERE m.campaign_id = c.id AND s.status IN ('queued','sending'))");
            while (s.step()) ids.push_back(s.i64(0));
        }
        for (auto id : ids) {
            i.prepare("UPDATE campaigns SET status='done', finished_at=? WHERE id=?").args(now, id).exec();
        }
        return ids;
    });
}

Result<bool> claim_anniversary(Database& db, std::int64_t contact_id, int year, Seconds now) {
    return guard([&] {
        return db.impl()
                   .prepare("INSERT OR IGNORE INTO anniversary_sends(contact_id, year, claimed_at) VALUES (?,?,?)")
                   .args(contact_id, year, now)
                   .exec() == 1;
    });
}

Result<void> set_anniversary_message(Database& db, std::int64_t contact_id, int year, std::int64_t message_id) {
    return guard([&] {
        db.impl()
            .prepare("UPDATE anniversary_sends SET message_id=? WHERE contact_id=? AND year=?")
            .args(message_id, contact_id, year)
            .exec();
    });
}

Result<bool> anniversary_sent(Database& db, std::int64_t contact_id, int year) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT 1 FROM anniversary_sends WHERE contact_id=? AND year=?");
        s.args(contact_id, year);
        return s.step();
    });
}

}  // namespace cunxin::store
