// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/greetings.hpp"

#include <cstdio>
#include <map>

#include "cunxin/messaging/anniversary.hpp"
#include "cunxin/messaging/outbox.hpp"
#include "cunxin/messaging/template.hpp"
#include "cunxin/store/campaigns.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

namespace {

constexpr const char* kDefaultTemplate =
    "{name}同志：{years}年前的今天，您光荣地加入了中国共产党。祝您入党纪念日快乐！";

Error store_error(const store::Error& e) { return Error{Errc::store, e.gsm_code, e.detail}; }

std::optional<chr::year_month_day> parse_date(const std::string& s) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (s.size() < 10 || std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return std::nullopt;
    chr::year_month_day ymd{chr::year(y), chr::month(m), chr::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

std::string mm_dd(chr::year_month_day d) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02u-%02u", static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
}

std::string setting(store::Database& db, const char* key, const std::string& fallback) {
    auto v = store::get_setting(db, key);
    return v && v->has_value() && !(*v)->empty() ? **v : fallback;
}

}  // namespace

AnniversaryJob::AnniversaryJob(store::Database& db, Clock& clock, Outbox& outbox)
    : db_(db), clock_(clock), outbox_(outbox) {}

Result<std::vector<GreetingPreview>> AnniversaryJob::plan_for(chr::year_month_day day) {
    return plan_greetings(db_, day);
}

Result<std::vector<GreetingPreview>> plan_greetings(store::Database& db_, chr::year_month_day day) {
    // Candidates: joined on this month-day; on Feb 28 of a common year also Feb 29 joiners.
    std::vector<store::Contact> candidates;
    auto add = [&](const std::string& md) -> Result<void> {
        auto cs = store::contacts_with_join_day(db_, md);
        if (!cs) return cunxin::unexpected(store_error(cs.error()));
        candidates.insert(candidates.end(), cs->begin(), cs->end());
        return {};
    };
    if (auto r = add(mm_dd(day)); !r) return cunxin::unexpected(r.error());
    if (day.month() == chr::February && day.day() == chr::day(28) && !day.year().is_leap()) {
        if (auto r = add("02-29"); !r) return cunxin::unexpected(r.error());
    }
    std::vector<AnniversaryMember> members;
    std::map<std::int64_t, const store::Contact*> by_id;
    for (const auto& c : candidates) {
        auto d = parse_date(c.party_join_date);
        if (!d) continue;
        members.push_back(AnniversaryMember{c.id, *d});
        by_id[c.id] = &c;
    }
    auto plan = plan_anniversaries(members, day, 23, 0);
    const std::string tpl = setting(db_, "anniversary_template", kDefaultTemplate);
    std::vector<GreetingPreview> out;
    for (const auto& g : plan.due_today) {
        const auto* c = by_id[g.id];
        GreetingPreview p;
        p.contact_id = g.id;
        p.name = c->name;
        p.mobile = c->mobile;
        p.years = g.years;
        p.year = g.year;
        TemplateFields f;
        f.name = c->name;
        f.village = c->village;
        f.role = c->role;
        f.party_join_date = parse_date(c->party_join_date);
        f.date = day;
        auto text = render_template(tpl, f);
        if (!text) text = render_template(kDefaultTemplate, f);
        p.text = text ? *text : std::string();
        auto sent = store::anniversary_sent(db_, g.id, g.year);
        if (!sent) return cunxin::unexpected(store_error(sent.error()));
        p.already_sent = *sent;
        out.push_back(std::move(p));
    }
    return out;
}

Result<std::vector<GreetingPreview>> AnniversaryJob::preview_today() {
    return plan_for(clock_.local_date(clock_.now()));
}

Result<std::vector<GreetingPreview>> AnniversaryJob::preview_tomorrow() {
    auto today = chr::sys_days(clock_.local_date(clock_.now()));
    return plan_for(chr::year_month_day(today + chr::days(1)));
}

Result<int> AnniversaryJob::run() {
    const auto enabled = setting(db_, "anniversary_enabled", "1");
    if (enabled == "0" || enabled == "false") return 0;
    int hour = 9;
    try {
        hour = std::stoi(setting(db_, "anniversary_hour", "9"));
    } catch (const std::exception&) {
        hour = 9;
    }
    const auto now = clock_.now();
    if (clock_.local_hour(now) < hour) return 0;
    auto due = plan_for(clock_.local_date(now));
    if (!due) return cunxin::unexpected(due.error());
    int queued = 0;
    for (const auto& g : *due) {
        if (g.already_sent || g.text.empty()) continue;
        // The claim and the message commit together: once per member and year, whatever
        // restarts or clock corrections happen.
        store::Transaction tx(db_);
        if (!tx.ok()) return cunxin::unexpected(Error{Errc::store, -1, "cannot begin transaction"});
        auto claimed = store::claim_anniversary(db_, g.contact_id, g.year, clock_.unix_now());
        if (!claimed) return cunxin::unexpected(store_error(claimed.error()));
        if (!*claimed) continue;
        SendOptions o;
        o.kind = store::MessageKind::Anniversary;
        o.created_by = "system";
        auto ids = outbox_.enqueue({OutgoingRequest{g.mobile, g.text, g.contact_id}}, o);
        if (!ids) return cunxin::unexpected(ids.error());
        if (auto s = store::set_anniversary_message(db_, g.contact_id, g.year, ids->front()); !s)
            return cunxin::unexpected(store_error(s.error()));
        if (auto k = tx.commit(); !k) return cunxin::unexpected(store_error(k.error()));
        ++queued;
    }
    return queued;
}

}  // namespace cunxin::messaging
