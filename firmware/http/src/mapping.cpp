// SPDX-License-Identifier: Apache-2.0
#include "mapping.hpp"

#include <chrono>
#include <ctime>

namespace cunxin::http {

json message_json(const store::Message& m) {
    // The store already leaves these empty for anonymous messages; hiding them here as well
    // keeps a future field of the store from leaking through this one place.
    const bool hide = m.anonymous;
    json j = {
        {"id", m.id},
        {"direction", store::to_string(m.direction)},
        {"peer", hide ? json(nullptr) : json(m.peer)},
        {"text", m.text},
        {"status", m.status},
        {"created_at", m.created_at},
        {"updated_at", m.updated_at},
        {"category", m.category ? json(*m.category) : json(nullptr)},
        {"campaign_id", m.campaign_id ? json(*m.campaign_id) : json(nullptr)},
        {"contact_id", (m.contact_id && !hide) ? json(*m.contact_id) : json(nullptr)},
        {"contact_name", hide ? "" : m.contact_name},
        {"village", hide ? "" : m.village},
        {"assigned_user_id", m.assigned_user_id ? json(*m.assigned_user_id) : json(nullptr)},
        {"anonymous", m.anonymous},
        {"incomplete", m.incomplete},
        {"damaged", m.damaged},
        {"unknown_sender", hide ? false : m.unknown_sender},
        {"iccid", m.iccid},
        {"kind", store::to_string(m.kind)},
        {"error", m.error},
        {"created_by", m.created_by},
        {"segments", m.segments},
        {"reply_to", m.reply_to ? json(*m.reply_to) : json(nullptr)},
    };
    return j;
}

json contact_json(const store::Contact& c) {
    return {{"id", c.id},
            {"name", c.name},
            {"mobile", c.mobile},
            {"village", c.village},
            {"role", c.role},
            {"party_join_date", c.party_join_date},
            {"tags", c.tags},
            {"opted_out", c.opted_out},
            {"notes", c.notes},
            {"created_at", c.created_at},
            {"updated_at", c.updated_at}};
}

json campaign_json(const store::Campaign& c) {
    json targets = json::parse(c.targets_json, nullptr, false);
    if (targets.is_discarded()) targets = nullptr;
    auto opt = [](const std::optional<store::Seconds>& s) { return s ? json(*s) : json(nullptr); };
    return {{"id", c.id},
            {"name", c.name},
            {"template", c.template_text},
            {"status", store::to_string(c.status)},
            {"created_by", c.created_by},
            {"created_at", c.created_at},
            {"scheduled_at", opt(c.scheduled_at)},
            {"started_at", opt(c.started_at)},
            {"finished_at", opt(c.finished_at)},
            {"confirm_request", c.confirm_request},
            {"missed_call_confirms", c.missed_call_confirms},
            {"remind_after", c.remind_after},
            {"targets", targets}};
}

json progress_json(const store::CampaignProgress& p) {
    const int done = p.sent + p.delivered + p.failed + p.skipped;
    return {{"recipients", p.recipients}, {"skipped", p.skipped},   {"queued", p.queued},
            {"sending", p.sending},       {"sent", p.sent},         {"delivered", p.delivered},
            {"failed", p.failed},         {"uncertain", p.uncertain}, {"confirmed", p.confirmed},
            {"reminded", p.reminded},     {"replied", p.replied},   {"segments", p.segments},
            {"done", done},
            {"percent", p.recipients > 0 ? (100.0 * done / p.recipients) : 0.0}};
}

json sim_json(const store::Sim& s) {
    return {{"iccid", s.iccid},
            {"imei", s.imei},
            {"imsi", s.imsi},
            {"operator", s.operator_name},
            {"own_number", s.own_number},
            {"limit_per_minute", s.limit_per_minute ? json(*s.limit_per_minute) : json(nullptr)},
            {"limit_per_hour", s.limit_per_hour ? json(*s.limit_per_hour) : json(nullptr)},
            {"limit_per_day", s.limit_per_day ? json(*s.limit_per_day) : json(nullptr)},
            {"price_fen_per_segment", s.price_fen_per_segment},
            {"monthly_budget_segments", s.monthly_budget_segments},
            {"monthly_budget_fen", s.monthly_budget_fen},
            {"first_seen", s.first_seen},
            {"last_seen", s.last_seen}};
}

std::string csv_cell(const std::string& v) {
    std::string s = v;
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                       s[0] == '\r')) {
        // Numbers like +8613800000000 stay readable; formulas become text.
        bool number = s[0] == '+' && s.size() > 1;
        for (std::size_t i = 1; number && i < s.size(); ++i) number = s[i] >= '0' && s[i] <= '9';
        if (!number) s.insert(0, "'");
    }
    if (s.find_first_of(",\"\r\n") != std::string::npos) {
        std::string q = "\"";
        for (char c : s) {
            if (c == '"') q += '"';
            q += c;
        }
        q += '"';
        return q;
    }
    return s;
}

std::string to_csv(const std::vector<std::vector<std::string>>& rows) {
    std::string out = "\xEF\xBB\xBF";
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i) out += ',';
            out += csv_cell(row[i]);
        }
        out += "\r\n";
    }
    return out;
}

Reply csv_reply(std::string body, const std::string& filename) {
    Reply r;
    r.raw = std::move(body);
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    return r;
}

std::string iso_time(store::Seconds s) {
    const std::time_t t = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string office_time(store::Seconds s, int utc_offset_minutes, const char* format) {
    const std::time_t t = static_cast<std::time_t>(s + static_cast<store::Seconds>(utc_offset_minutes) * 60);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    if (std::strftime(buf, sizeof buf, format, &tm) == 0) return "";
    return buf;
}

std::optional<std::int64_t> parse_iso_day(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        if (i == 4 || i == 7) continue;
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    y = std::stoi(s.substr(0, 4));
    m = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
    d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok() || y < 2000 || y > 2099) return std::nullopt;
    return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::string status_zh(const std::string& status) {
    static constexpr std::pair<const char*, const char*> kNames[] = {
        {"queued", "排队中"},      {"sending", "发送中"},  {"sent", "已发送"},
        {"delivered", "已送达"},   {"failed", "失败"},     {"uncertain", "发送状态不明"},
        {"new", "新"},             {"in_progress", "处理中"}, {"handled", "已办结"},
        {"opted_out", "已退订"},   {"template", "缺少模板所需信息"}, {"skipped", "跳过"},
    };
    for (const auto& [code, name] : kNames) {
        if (status == code) return name;
    }
    return status;
}

Result<std::vector<std::string>> string_list(const json& o, const char* key, std::size_t max_items) {
    std::vector<std::string> out;
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return out;
    if (!it->is_array()) return fail(Errc::invalid_field, std::string(key) + " must be a list");
    if (it->size() > max_items) return fail(Errc::invalid_field, std::string(key) + " has too many items");
    for (const auto& v : *it) {
        if (!v.is_string() || v.get_ref<const std::string&>().size() > 256) {
            return fail(Errc::invalid_field, std::string(key) + " must hold strings");
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

Result<std::vector<std::int64_t>> id_list(const json& o, const char* key, std::size_t max_items) {
    std::vector<std::int64_t> out;
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return out;
    if (!it->is_array()) return fail(Errc::invalid_field, std::string(key) + " must be a list");
    if (it->size() > max_items) return fail(Errc::invalid_field, std::string(key) + " has too many items");
    for (const auto& v : *it) {
        if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) {
            return fail(Errc::invalid_field, std::string(key) + " must hold ids");
        }
        out.push_back(v.get<std::int64_t>());
    }
    return out;
}

void publish(ServerImpl& srv, const std::string& event, const json& data) {
    srv.hub.publish(event, data.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace cunxin::http
