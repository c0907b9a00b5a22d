// SPDX-License-Identifier: Apache-2.0
#include "doctor.hpp"

#include <sys/utsname.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include <cunxin/store/store.hpp>

#include "clock_source.hpp"
#include "paths.hpp"

#ifndef CUNXIN_VERSION_STRING
#define CUNXIN_VERSION_STRING "unknown"
#endif

namespace cunxin::app {

namespace {

using nlohmann::json;

std::string iso_utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool secret_key(std::string k) {
    for (auto& c : k) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    for (const char* w : {"password", "passwd", "secret", "token", "private", "credential"}) {
        if (k.find(w) != std::string::npos) return true;
    }
    return k == "pin" || k == "puk" || k.ends_with("_pin") || k.ends_with("_puk") || k == "pins";
}

std::string os_release() {
    std::ifstream in("/etc/os-release");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("PRETTY_NAME=", 0) == 0) {
            auto v = line.substr(12);
            if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
            return v;
        }
    }
    return "";
}

std::int64_t bytes_of(const std::filesystem::path& p) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(p, ec);
    return ec ? -1 : static_cast<std::int64_t>(n);
}

}  // namespace

json redact_config(const json& config) {
    if (config.is_object()) {
        json out = json::object();
        for (const auto& [k, v] : config.items()) {
            out[k] = secret_key(k) && !v.is_null() ? json("(removed)") : redact_config(v);
        }
        return out;
    }
    if (config.is_array()) {
        json out = json::array();
        for (const auto& v : config) out.push_back(redact_config(v));
        return out;
    }
    return config;
}

json support_bundle(const Config& config, const std::optional<std::filesystem::path>& config_file,
                    const DoctorLive* live) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t now_t = std::chrono::system_clock::to_time_t(now);
    json notes = json::array();
    json b;
    b["bundle"] = "cunxin-support";
    b["format"] = 1;
    b["created_at"] = iso_utc(now_t);
    b["source"] = live ? "daemon" : "offline";

    // Versions.
    json versions{{"cunxin", CUNXIN_VERSION_STRING}, {"schema_latest", store::Database::latest_version()},
                  {"build_time", iso_utc(std::chrono::system_clock::to_time_t(build_time()))},
                  {"os", os_release()}};
    utsname u{};
    if (uname(&u) == 0) versions["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.machine;

    // The config: the file as written (secrets removed) and what is in force.
    json cfg;
    if (config_file) {
        cfg["file"] = config_file->string();
        std::ifstream in(*config_file);
        std::stringstream ss;
        ss << in.rdbuf();
        json doc = json::parse(ss.str(), nullptr, false);
        if (in && !doc.is_discarded()) {
            cfg["content"] = redact_config(doc);
        } else {
            notes.push_back("config file not readable: " + config_file->string());
        }
    }
    json sims_cfg = json::object();
    for (const auto& [iccid, s] : config.sims) sims_cfg[iccid] = {{"pin_set", s.pin.has_value()}};
    cfg["effective"] = {{"listen", config.listen_host + ":" + std::to_string(config.listen_port)},
                        {"data_dir", config.data_dir.string()},
                        {"modems", config.modems},
                        {"log_level", config.log_level},
                        {"utc_offset_minutes", config.utc_offset_minutes},
                        {"status_reports", config.status_reports},
                        {"cmgs_timeout_s", config.cmgs_timeout_s},
                        {"sim_limits", {{"per_minute", config.sim_limits.per_minute},
                                        {"per_hour", config.sim_limits.per_hour},
                                        {"per_day", config.sim_limits.per_day}}},
                        {"pin_set", !config.pin.empty()},
                        {"sims", sims_cfg},
                        {"https", config.https.has_value()}};
    b["config"] = cfg;

    // The database: schema, SIMs seen, clock source, missed calls.
    const auto db_path = database_path(config.data_dir);
    json storage{{"data_dir", config.data_dir.string()},
                 {"db_bytes", bytes_of(db_path)},
                 {"wal_bytes", bytes_of(db_path.string() + "-wal")}};
    std::error_code ec;
    const auto space = std::filesystem::space(config.data_dir, ec);
    if (!ec) {
        storage["disk_free_bytes"] = static_cast<std::int64_t>(space.available);
        storage["disk_total_bytes"] = static_cast<std::int64_t>(space.capacity);
    }
    json clock{{"system_utc", iso_utc(now_t)},
               {"system_synchronized", system_clock_synchronized()},
               {"utc_offset_minutes", config.utc_offset_minutes},
               {"source", nullptr}};
    json sims = json::array();
    if (std::filesystem::exists(db_path)) {
        store::OpenOptions o;
        o.access = store::Access::ReadOnly;
        o.check_integrity = false;
        if (auto db = store::Database::open(db_path.string(), o)) {
            versions["schema"] = db->schema_version();
            if (auto list = store::list_sims(*db)) {
                for (const auto& s : *list) {
                    sims.push_back({{"iccid", s.iccid}, {"imei", s.imei}, {"imsi", s.imsi},
                                    {"operator", s.operator_name}, {"own_number", s.own_number},
                                    {"first_seen", iso_utc(s.first_seen)}, {"last_seen", iso_utc(s.last_seen)},
                                    {"limit_per_day", s.limit_per_day ? json(*s.limit_per_day) : json(nullptr)}});
                }
            }
            if (auto src = store::get_setting(*db, "clock_source"); src && *src) clock["source"] = **src;
            if (auto n = store::count_calls_since(*db, now_t - 24 * 3600)) b["missed_calls_24h"] = *n;
            // Field checks (issue 14): the last self-test results and each SIM's credit readings.
            json selftest = json::array();
            if (auto rows = store::selftest_history(*db, 50)) {
                for (const auto& r : *rows) {
                    selftest.push_back({{"round", r.round}, {"iccid", r.iccid}, {"to_iccid", r.to_iccid},
                                        {"ok", r.ok ? json(*r.ok) : json(nullptr)},
                                        {"at", r.finished_at ? json(iso_utc(*r.finished_at)) : json(nullptr)},
                                        {"seconds", r.received_ms ? json(static_cast<double>(*r.received_ms - r.started_ms) / 1000.0)
                                                                  : json(nullptr)},
                                        {"detail", r.detail}});
                }
            }
            b["selftest"] = selftest;
            json credit = json::array();
            if (auto list = store::list_sims(*db)) {
                for (const auto& s : *list) {
                    if (auto rows = store::balance_history(*db, s.iccid, 10)) {
                        for (const auto& r : *rows) {
                            credit.push_back({{"iccid", r.iccid}, {"at", iso_utc(r.at)},
                                              {"yuan", r.fen ? json(static_cast<double>(*r.fen) / 100.0) : json(nullptr)},
                                              {"raw", r.raw}, {"source", r.source}});
                        }
                    }
                }
            }
            b["credit"] = credit;
        } else {
            notes.push_back("database not readable: " + db.error().detail);
        }
    } else {
        notes.push_back("no database at " + db_path.string());
    }
    if (clock["source"].is_null()) {
        clock["source"] = system_clock_synchronized() ? "system clock (NTP)" : "system clock (not synchronised)";
    }
    b["versions"] = versions;
    b["sims"] = sims;
    b["clock"] = clock;

    if (live) {
        b["modems"] = live->modems;
        json sim_storage = json::array();
        for (const auto& m : live->modems) {
            if (m.contains("storage") && !m["storage"].is_null()) {
                sim_storage.push_back({{"port", m["port"]}, {"iccid", m["iccid"]}, {"storage", m["storage"]}});
            }
        }
        storage["sim_storage"] = sim_storage;
        b["recent_problems"] = live->recent_problems;
    } else {
        b["modems"] = json::array();
        storage["sim_storage"] = json::array();
        b["recent_problems"] = json::array();
        notes.push_back("the daemon was not asked: modem states, AT transcripts, SIM storage and recent "
                        "problems come only from the running daemon (panel: 设置 → 下载支持包, or "
                        "GET /api/v1/doctor); its log: journalctl -u cunxin");
    }
    b["storage"] = storage;
    b["notes"] = notes;
    return b;
}

}  // namespace cunxin::app
