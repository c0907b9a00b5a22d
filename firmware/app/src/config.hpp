// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The appliance's configuration: a JSON file (every key optional) plus command-line overrides.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/http/server.hpp"
#include "cunxin/messaging/alerts.hpp"

namespace cunxin::app {

/// Sending limits of one SIM; 0 means no limit.
struct SimLimits {
    int per_minute = 10;   ///< carriers flag bursts
    int per_hour = 180;    ///< Chinese carriers restrict SIMs above ~200/h
    int per_day = 900;     ///< ... and above ~1,000/day
};

/// Settings of one SIM, keyed by ICCID in the config.
struct SimConfig {
    std::optional<SimLimits> limits;
    std::optional<int> price_fen;        ///< price per segment, in fen (0.01 yuan)
    std::optional<std::string> pin;      ///< SIM PIN, tried once, never into a PUK lock
};

/// The optional HTTPS listener (`"https": {...}` in the config file).
struct HttpsSettings {
    std::string listen_host = "0.0.0.0";
    int listen_port = 8443;
    std::optional<std::filesystem::path> cert;  ///< default <data_dir>/tls/cert.pem
    std::optional<std::filesystem::path> key;   ///< default <data_dir>/tls/key.pem
    bool redirect_http = false;                 ///< plain HTTP only redirects to HTTPS
};

/// When failed sends mean the carrier blocked a card (`"carrier_blocking": {...}`).
struct CarrierBlocking {
    int failures = 5;             ///< failed sends in a row (CMS 500, 8, 10, 21, 29, 50)…
    int window_minutes = 10;      ///< …within this many minutes pause the SIM (0 failures: never)
};

/// The daily SIM-to-SIM self-test (`"selftest": {"at": "09:30", "timeout_seconds": 600}`).
struct SelftestSettings {
    std::string at = "09:30";            ///< office time; "" = only on demand
    int timeout_seconds = 600;           ///< a test text not received by then fails
};

/// How one SIM's credit is asked (`"balance": {"ICCID": {"number", "keyword", "ussd"}}`).
struct BalanceSimSettings {
    std::string number;                  ///< "" = the operator's default (10086, 10010, 10001)
    std::string keyword;                 ///< "" = the operator's default (CXYE, CXYE, 102)
    std::string ussd;                    ///< non-empty: ask by this USSD code instead
};

/// SIM credit checks (`"balance": {"at": "08:00", "low_yuan": 10, "timeout_seconds": 600, ICCID: {...}}`).
struct BalanceSettings {
    std::string at = "08:00";            ///< daily query, office time; "" = only on demand
    int timeout_seconds = 600;           ///< an unanswered query is given up
    double low_yuan = 10.0;              ///< warn below this (0: never)
    std::map<std::string, BalanceSimSettings> sims;  ///< per ICCID
};

/// The county link (`"federation": {...}`): a box reports to a hub through an MQTT broker; the
/// hub's own config uses the same section without `box_id`.
struct FederationSettings {
    std::string broker;              ///< mqtt://HOST:PORT or mqtts://HOST:PORT
    std::string box_id;              ///< [a-z0-9-]{1,32}; empty in the hub's config
    std::string username;            ///< default: the box id ("hub" for the hub)
    std::string password;
    std::string ca;                  ///< county CA (PEM) for mqtts
    int outbox_max = 10000;          ///< events kept while the link is down
    int health_every_s = 60;         ///< health event period
};

/// Everything `cunxin run` needs.
struct Config {
    std::string listen_host = "0.0.0.0";
    int listen_port = 8080;
    std::filesystem::path data_dir = "/var/lib/cunxin";
    std::vector<std::string> modems;     ///< ports; empty: discover USB modems
    int baud = 115200;
    SimLimits sim_limits;                ///< for every SIM without an override
    std::map<std::string, SimConfig> sims;  ///< per ICCID
    std::string pin;                     ///< default SIM PIN (empty: none)
    int price_fen = 10;                  ///< default price per segment (0.10 yuan)
    std::string log_level = "info";      ///< error, warn, info, debug
    int http_threads = 4;
    int max_sse = 16;                    ///< live-event streams in total (no thread each)
    http::ServerLimits http_limits;      ///< deadlines and caps per connection and address ("http_limits")
    int utc_offset_minutes = 480;        ///< local time of the office (China: UTC+8)
    bool status_reports = true;          ///< request delivery reports
    int cmgs_timeout_s = 120;            ///< wait for an AT+CMGS answer (Quectel documents up to 120 s)
    int wal_checkpoint_s = 600;          ///< fold and truncate the WAL this often when nothing is on air
    std::optional<std::filesystem::path> web_root;  ///< serve web/ from disk (development)
    std::optional<HttpsSettings> https;  ///< also serve HTTPS (certificate generated on the box)
    std::optional<FederationSettings> federation;  ///< county link (box, or the hub's broker)
    std::optional<std::filesystem::path> config_file;  ///< the file this came from (support bundle)
    messaging::AlertSettings alerts = messaging::default_alert_settings();  ///< "alerts": duty numbers, quiet hours…
    CarrierBlocking carrier_blocking;    ///< pausing SIMs the carrier seems to block
    bool lte_sms_fallback = false;       ///< move a modem off LTE when LTE refuses SMS (panel setting overrides)
    SelftestSettings selftest;           ///< "selftest"
    std::map<std::string, std::string> sim_numbers;  ///< "sim_numbers": ICCID → own number (over AT+CNUM)
    BalanceSettings balance;             ///< "balance"
    std::optional<std::vector<std::string>> service_numbers;  ///< "service_numbers": prefixes (default 100, 106, 95, 96, 12)
};

/// Reads a config file; throws std::runtime_error with a one-line reason.
Config load_config(const std::filesystem::path& file);

/// Parses a config document; throws std::runtime_error with a one-line reason.
Config parse_config(const std::string& json_text);

/// Splits "HOST:PORT" (or ":PORT", "[::1]:PORT"); throws on a bad value.
void parse_listen(const std::string& value, std::string& host, int& port);

}  // namespace cunxin::app
