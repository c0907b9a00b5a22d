// SPDX-License-Identifier: Apache-2.0
#include "config.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

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
                "http_limits", "federation"},
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
