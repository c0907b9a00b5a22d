// SPDX-License-Identifier: Apache-2.0
#include "config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cunxin/messaging/phone.hpp"

namespace cunxin::app {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
    throw std::runtime_error("config: " + what);
}

void check_keys(const json& obj, std::initializer_list<const char*> allowed, const std::string& where) {
    if (!obj.is_object()) bad(where + " must be an object");
    for (const auto& [key, value] : obj.items()) {
        bool ok = false;
        for (const char* a : allowed) ok = ok || key == a;
        if (!ok) bad("unknown key '" + where + (where.empty() ? "" : ".") + key + "'");
    }
}

int get_int(const json& obj, const char* key, int fallback, int lo, int hi) {
    if (!obj.contains(key)) return fallback;
    const auto& v = obj.at(key);
    if (!v.is_number_integer()) bad(std::string(key) + " must be an integer");
    const auto n = v.get<long long>();
    if (n < lo || n > hi) {
        bad(std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return static_cast<int>(n);
}

std::string get_string(const json& obj, const char* key, const std::string& fallback) {
    if (!obj.contains(key)) return fallback;
    const auto& v = obj.at(key);
    if (!v.is_string()) bad(std::string(key) + " must be a string");
    return v.get<std::string>();
}

SimLimits parse_limits(const json& obj, const SimLimits& base, const std::string& where) {
    check_keys(obj, {"per_minute", "per_hour", "per_day"}, where);
    SimLimits l = base;
    l.per_minute = get_int(obj, "per_minute", base.per_minute, 0, 1000000);
    l.per_hour = get_int(obj, "per_hour", base.per_hour, 0, 1000000);
    l.per_day = get_int(obj, "per_day", base.per_day, 0, 1000000);
    return l;
}

/// The "alerts" section; errors in Chinese and English (an official edits this file).
messaging::AlertSettings parse_alerts(const json& a) {
    auto fail = [](const std::string& zh, const std::string& en) { bad("alerts: " + zh + " / " + en); };
    if (!a.is_object()) fail("“alerts”必须是一个对象", "must be an object");
    for (const auto& [key, value] : a.items()) {
        static const char* const kKeys[] = {"duty", "urgent_categories", "quiet_hours", "urgent_in_quiet_hours",
                                            "max_per_hour", "digest_at", "kinds", "repeat_after_minutes",
                                            "sim_storage_percent", "disk_free_percent", "reply_chars"};
        if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
            fail("未知的设置项“" + key + "”", "unknown key '" + key + "'");
    }
    auto s = messaging::default_alert_settings();
    if (a.contains("duty")) {
        const auto& d = a.at("duty");
        if (!d.is_array()) fail("“duty”必须是值班人员列表", "duty must be an array of {name, number, role}");
        for (std::size_t i = 0; i < d.size(); ++i) {
            const auto& m = d[i];
            const std::string where = "duty[" + std::to_string(i) + "]";
            if (!m.is_object()) fail(where + " 必须是 {name, number, role}", where + " must be an object");
            for (const auto& [key, value] : m.items()) {
                if (key != "name" && key != "number" && key != "role")
                    fail(where + " 未知的设置项“" + key + "”", where + ": unknown key '" + key + "'");
                if (!value.is_string()) fail(where + "." + key + " 必须是文字", where + "." + key + " must be a string");
            }
            messaging::DutyMember member;
            member.name = m.value("name", "");
            member.role = m.value("role", "");
            const std::string number = m.value("number", "");
            auto e164 = messaging::normalize_msisdn(number);
            if (!e164) {
                fail(where + " 的号码“" + number + "”不是手机号码", where + ".number '" + number + "' is not a mobile number");
            }
            member.number = *e164;
            if (member.name.empty()) fail(where + " 缺少姓名", where + ".name is missing");
            s.duty.push_back(std::move(member));
        }
    }
    if (a.contains("urgent_categories")) {
        const auto& u = a.at("urgent_categories");
        if (!u.is_array()) fail("“urgent_categories”必须是回复代码列表，如 [\"03\"]", "urgent_categories must be an array of codes");
        s.urgent_categories.clear();
        for (const auto& c : u) {
            if (!c.is_string() || c.get<std::string>().empty())
                fail("“urgent_categories”必须是回复代码列表，如 [\"03\"]", "urgent_categories must hold reply codes");
            s.urgent_categories.push_back(c.get<std::string>());
        }
    }
    if (a.contains("quiet_hours")) {
        const auto& q = a.at("quiet_hours");
        if (q.is_null() || (q.is_string() && q.get<std::string>().empty())) {
            s.quiet_hours.reset();
        } else {
            auto qh = q.is_string() ? messaging::parse_quiet_hours(q.get<std::string>()) : std::nullopt;
            if (!qh) fail("“quiet_hours”应写成“22:00-07:00”", "quiet_hours must look like \"22:00-07:00\"");
            s.quiet_hours = *qh;
        }
    }
    if (a.contains("urgent_in_quiet_hours")) {
        if (!a.at("urgent_in_quiet_hours").is_boolean())
            fail("“urgent_in_quiet_hours”必须是 true 或 false", "urgent_in_quiet_hours must be true or false");
        s.urgent_in_quiet_hours = a.at("urgent_in_quiet_hours").get<bool>();
    }
    auto number = [&](const char* key, int fallback, int lo, int hi) {
        if (!a.contains(key)) return fallback;
        const auto& v = a.at(key);
        if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi) {
            fail(std::string("“") + key + "”必须是 " + std::to_string(lo) + " 到 " + std::to_string(hi) + " 之间的整数",
                 std::string(key) + " must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
        }
        return static_cast<int>(v.get<long long>());
    };
    s.max_per_hour = number("max_per_hour", s.max_per_hour, 0, 1000);
    s.repeat_after = std::chrono::minutes(number("repeat_after_minutes", 360, 0, 7 * 24 * 60));
    s.sim_storage_percent = number("sim_storage_percent", s.sim_storage_percent, 1, 100);
    s.disk_free_percent = number("disk_free_percent", s.disk_free_percent, 0, 99);
    s.reply_chars = number("reply_chars", s.reply_chars, 0, 500);
    if (a.contains("digest_at")) {
        const auto& d = a.at("digest_at");
        if (d.is_null() || (d.is_string() && d.get<std::string>().empty())) {
            s.digest_at.reset();
        } else {
            auto m = d.is_string() ? messaging::parse_hhmm(d.get<std::string>()) : std::nullopt;
            if (!m) fail("“digest_at”应写成“08:00”", "digest_at must look like \"08:00\"");
            s.digest_at = *m;
        }
    }
    if (a.contains("kinds")) {
        const auto& k = a.at("kinds");
        if (!k.is_array()) fail("“kinds”必须是告警类型列表", "kinds must be an array of alert kinds");
        s.kinds.clear();
        for (const auto& v : k) {
            auto kind = v.is_string() ? messaging::parse_alert_kind(v.get<std::string>()) : std::nullopt;
            if (!kind) {
                std::string names;
                for (auto x : messaging::all_alert_kinds()) names += std::string(names.empty() ? "" : ", ") + to_string(x);
                fail("未知的告警类型 " + v.dump() + "，可用：" + names, "unknown alert kind " + v.dump() + "; known: " + names);
            }
            s.kinds.insert(*kind);
        }
    }
    return s;
}

/// "HH:MM" (office time) or "" (switched off).
bool valid_hhmm(const std::string& s) { return s.empty() || messaging::parse_hhmm(s).has_value(); }

bool all_digits(const std::string& s, bool plus_ok) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == 0 && plus_ok && s[i] == '+') continue;
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

/// "selftest", "sim_numbers", "balance", "service_numbers" (issue 14: field checks).
void parse_field(const json& doc, Config& c) {
    if (doc.contains("selftest")) {
        const auto& s = doc.at("selftest");
        check_keys(s, {"at", "timeout_seconds"}, "selftest");
        c.selftest.at = get_string(s, "at", c.selftest.at);
        if (!valid_hhmm(c.selftest.at)) bad("selftest.at must be HH:MM or \"\"");
        c.selftest.timeout_seconds = get_int(s, "timeout_seconds", c.selftest.timeout_seconds, 10, 86400);
    }
    if (doc.contains("sim_numbers")) {
        const auto& n = doc.at("sim_numbers");
        if (!n.is_object()) bad("sim_numbers must be an object: ICCID -> number");
        for (const auto& [iccid, v] : n.items()) {
            if (!v.is_string() || !all_digits(v.get<std::string>(), true)) bad("sim_numbers." + iccid + " must be a number");
            c.sim_numbers[iccid] = v.get<std::string>();
        }
    }
    if (doc.contains("balance")) {
        const auto& b = doc.at("balance");
        if (!b.is_object()) bad("balance must be an object");
        for (const auto& [key, v] : b.items()) {
            if (key == "at") {
                c.balance.at = get_string(b, "at", "");
                if (!valid_hhmm(c.balance.at)) bad("balance.at must be HH:MM or \"\"");
            } else if (key == "timeout_seconds") {
                c.balance.timeout_seconds = get_int(b, "timeout_seconds", 600, 10, 86400);
            } else if (key == "low_yuan") {
                if (!v.is_number() || v.get<double>() < 0) bad("balance.low_yuan must be a number >= 0");
                c.balance.low_yuan = v.get<double>();
            } else {
                // Any other key is an ICCID.
                const std::string where = "balance." + key;
                if (!all_digits(key, false) && key.find_first_not_of("0123456789ABCDEFabcdef") != std::string::npos) {
                    bad("unknown key '" + where + "' (an ICCID, at, timeout_seconds or low_yuan)");
                }
                check_keys(v, {"number", "keyword", "ussd"}, where);
                BalanceSimSettings s;
                s.number = get_string(v, "number", "");
                s.keyword = get_string(v, "keyword", "");
                s.ussd = get_string(v, "ussd", "");
                if (!s.number.empty() && !all_digits(s.number, false)) bad(where + ".number must be digits");
                if (s.keyword.size() > 40) bad(where + ".keyword is too long");
                c.balance.sims[key] = s;
            }
        }
    }
    if (doc.contains("service_numbers")) {
        const auto& s = doc.at("service_numbers");
        if (!s.is_array()) bad("service_numbers must be an array of number prefixes");
        std::vector<std::string> prefixes;
        for (const auto& p : s) {
            if (!p.is_string() || !all_digits(p.get<std::string>(), false)) bad("service_numbers must hold digits");
            prefixes.push_back(p.get<std::string>());
        }
        c.service_numbers = prefixes;
    }
}

}  // namespace

void parse_listen(const std::string& value, std::string& host, int& port) {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("listen must be HOST:PORT, got '" + value + "'");
    std::string h = value.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    const std::string p = value.substr(colon + 1);
    int n = 0;
    try {
        std::size_t used = 0;
        n = std::stoi(p, &used);
        if (used != p.size()) throw std::invalid_argument(p);
    } catch (const std::exception&) {
        throw std::runtime_error("listen port must be a number, got '" + p + "'");
    }
    if (n < 0 || n > 65535) throw std::runtime_error("listen port out of range: " + p);
    host = h.empty() ? "0.0.0.0" : h;
    port = n;
}

Config parse_config(const std::string& json_text) {
    json doc;
    try {
        doc = json::parse(json_text, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        bad(std::string("not valid JSON: ") + e.what());
    }
    check_keys(doc,
               {"listen", "data_dir", "modems", "baud", "sim_limits", "sims", "pin", "price_fen",
                "log_level", "http_threads", "max_sse", "utc_offset_minutes", "status_reports",
                "cmgs_timeout_s", "wal_checkpoint_s", "web_root", "https",
                "http_limits", "alerts",
                "carrier_blocking", "lte_sms_fallback",
                "selftest", "sim_numbers", "balance", "service_numbers",
                "federation"},
               "");
    Config c;
    if (doc.contains("listen")) parse_listen(get_string(doc, "listen", ""), c.listen_host, c.listen_port);
    c.data_dir = get_string(doc, "data_dir", c.data_dir.string());
    if (doc.contains("modems")) {
        const auto& m = doc.at("modems");
        if (!m.is_array()) bad("modems must be an array of ports");
        for (const auto& p : m) {
            if (!p.is_string() || p.get<std::string>().empty()) bad("modems must hold port names");
            c.modems.push_back(p.get<std::string>());
        }
    }
    c.baud = get_int(doc, "baud", c.baud, 1200, 4000000);
    if (doc.contains("sim_limits")) c.sim_limits = parse_limits(doc.at("sim_limits"), c.sim_limits, "sim_limits");
    if (doc.contains("sims")) {
        const auto& sims = doc.at("sims");
        if (!sims.is_object()) bad("sims must be an object keyed by ICCID");
        for (const auto& [iccid, s] : sims.items()) {
            const std::string where = "sims." + iccid;
            check_keys(s, {"limits", "price_fen", "pin"}, where);
            SimConfig sc;
            if (s.contains("limits")) sc.limits = parse_limits(s.at("limits"), c.sim_limits, where + ".limits");
            if (s.contains("price_fen")) sc.price_fen = get_int(s, "price_fen", 0, 0, 100000);
            if (s.contains("pin")) sc.pin = get_string(s, "pin", "");
            c.sims.emplace(iccid, sc);
        }
    }
    c.pin = get_string(doc, "pin", c.pin);
    c.price_fen = get_int(doc, "price_fen", c.price_fen, 0, 100000);
    c.log_level = get_string(doc, "log_level", c.log_level);
    if (c.log_level != "error" && c.log_level != "warn" && c.log_level != "info" && c.log_level != "debug") {
        bad("log_level must be error, warn, info or debug");
    }
    c.http_threads = get_int(doc, "http_threads", c.http_threads, 1, 64);
    c.max_sse = get_int(doc, "max_sse", c.max_sse, 0, 64);
    c.utc_offset_minutes = get_int(doc, "utc_offset_minutes", c.utc_offset_minutes, -720, 840);
    if (doc.contains("status_reports")) {
        if (!doc.at("status_reports").is_boolean()) bad("status_reports must be true or false");
        c.status_reports = doc.at("status_reports").get<bool>();
    }
    if (doc.contains("carrier_blocking")) {
        const auto& b = doc.at("carrier_blocking");
        check_keys(b, {"failures", "window_minutes"}, "carrier_blocking");
        c.carrier_blocking.failures = get_int(b, "failures", c.carrier_blocking.failures, 0, 1000);
        c.carrier_blocking.window_minutes = get_int(b, "window_minutes", c.carrier_blocking.window_minutes, 1, 1440);
    }
    if (doc.contains("lte_sms_fallback")) {
        if (!doc.at("lte_sms_fallback").is_boolean()) bad("lte_sms_fallback must be true or false");
        c.lte_sms_fallback = doc.at("lte_sms_fallback").get<bool>();
    }
    c.cmgs_timeout_s = get_int(doc, "cmgs_timeout_s", c.cmgs_timeout_s, 5, 600);
    c.wal_checkpoint_s = get_int(doc, "wal_checkpoint_s", c.wal_checkpoint_s, 5, 86400);
    if (doc.contains("web_root")) c.web_root = get_string(doc, "web_root", "");
    if (doc.contains("http_limits")) {
        const auto& l = doc.at("http_limits");
        check_keys(l,
                   {"header_timeout_s", "body_min_bytes_per_s", "idle_timeout_s", "max_requests",
                    "max_per_address", "max_connections", "max_sse_per_address", "sse_lifetime_s",
                    "upload_reserve_mb"},
                   "http_limits");
        auto& d = c.http_limits;
        d.header_timeout = std::chrono::seconds(get_int(l, "header_timeout_s", static_cast<int>(d.header_timeout.count()), 1, 300));
        d.body_min_rate = static_cast<std::size_t>(
            get_int(l, "body_min_bytes_per_s", static_cast<int>(d.body_min_rate), 100, 1 << 30));
        d.idle_timeout = std::chrono::seconds(get_int(l, "idle_timeout_s", static_cast<int>(d.idle_timeout.count()), 1, 600));
        d.max_requests = get_int(l, "max_requests", d.max_requests, 1, 1000000);
        d.max_per_address = get_int(l, "max_per_address", d.max_per_address, 1, 100000);
        d.max_connections = get_int(l, "max_connections", d.max_connections, 16, 1000000);
        d.max_sse_per_address = get_int(l, "max_sse_per_address", d.max_sse_per_address, 1, 64);
        d.sse_lifetime = std::chrono::seconds(get_int(l, "sse_lifetime_s", static_cast<int>(d.sse_lifetime.count()), 10, 86400));
        d.upload_reserve = static_cast<std::uint64_t>(
                               get_int(l, "upload_reserve_mb", static_cast<int>(d.upload_reserve >> 20), 0, 1000000))
                           << 20;
    }
    parse_field(doc, c);
    if (doc.contains("https")) {
        const auto& h = doc.at("https");
        check_keys(h, {"listen", "cert", "key", "redirect_http"}, "https");
        HttpsSettings hs;
        if (h.contains("listen")) parse_listen(get_string(h, "listen", ""), hs.listen_host, hs.listen_port);
        if (h.contains("cert")) hs.cert = get_string(h, "cert", "");
        if (h.contains("key")) hs.key = get_string(h, "key", "");
        if ((hs.cert && hs.cert->empty()) || (hs.key && hs.key->empty())) bad("https.cert and https.key must be paths");
        if (h.contains("redirect_http")) {
            if (!h.at("redirect_http").is_boolean()) bad("https.redirect_http must be true or false");
            hs.redirect_http = h.at("redirect_http").get<bool>();
        }
        c.https = hs;
    }
    if (doc.contains("alerts")) c.alerts = parse_alerts(doc.at("alerts"));
    if (doc.contains("federation")) {
        const auto& f = doc.at("federation");
        check_keys(f, {"broker", "box_id", "username", "password", "ca", "outbox_max", "health_every_s"},
                   "federation");
        FederationSettings fs;
        fs.broker = get_string(f, "broker", "");
        if (fs.broker.rfind("mqtt://", 0) != 0 && fs.broker.rfind("mqtts://", 0) != 0) {
            bad("federation.broker must be mqtt://HOST:PORT or mqtts://HOST:PORT");
        }
        fs.box_id = get_string(f, "box_id", "");
        for (char ch : fs.box_id) {
            if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
                bad("federation.box_id must be lower-case letters, digits and '-'");
            }
        }
        if (fs.box_id.size() > 32) bad("federation.box_id must be at most 32 characters");
        fs.username = get_string(f, "username", "");
        fs.password = get_string(f, "password", "");
        fs.ca = get_string(f, "ca", "");
        fs.outbox_max = get_int(f, "outbox_max", fs.outbox_max, 100, 1000000);
        fs.health_every_s = get_int(f, "health_every_s", fs.health_every_s, 1, 86400);
        c.federation = fs;
    }
    return c;
}

Config load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("config: cannot read " + file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str());
}

}  // namespace cunxin::app
