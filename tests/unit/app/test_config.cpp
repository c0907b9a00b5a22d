// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "config.hpp"

using cunxin::app::parse_config;

TEST_CASE("an empty config gives the documented defaults") {
    const auto c = parse_config("{}");
    CHECK(c.listen_host == "0.0.0.0");
    CHECK(c.listen_port == 8080);
    CHECK(c.data_dir == "/var/lib/cunxin");
    CHECK(c.modems.empty());
    CHECK(c.sim_limits.per_minute == 10);
    CHECK(c.sim_limits.per_hour == 180);
    CHECK(c.sim_limits.per_day == 900);
    CHECK(c.utc_offset_minutes == 480);
    CHECK(c.cmgs_timeout_s == 120);
    CHECK(c.wal_checkpoint_s == 600);
    CHECK(parse_config(R"({"cmgs_timeout_s": 30})").cmgs_timeout_s == 30);
}

TEST_CASE("sim limits, per-ICCID overrides and listen are read") {
    const auto c = parse_config(R"({
        // comments are allowed: the file is edited by hand on the board
        "listen": "127.0.0.1:9090",
        "modems": ["/dev/ttyUSB2", "tcp:127.0.0.1:7000"],
        "sim_limits": {"per_hour": 100, "per_day": 0},
        "sims": {"89860012345678901234": {"limits": {"per_minute": 2}, "price_fen": 8, "pin": "1234"}}
    })");
    CHECK(c.listen_host == "127.0.0.1");
    CHECK(c.listen_port == 9090);
    REQUIRE(c.modems.size() == 2);
    CHECK(c.modems[1] == "tcp:127.0.0.1:7000");
    CHECK(c.sim_limits.per_hour == 100);
    CHECK(c.sim_limits.per_day == 0);
    CHECK(c.sim_limits.per_minute == 10);
    const auto& s = c.sims.at("89860012345678901234");
    REQUIRE(s.limits.has_value());
    CHECK(s.limits->per_minute == 2);
    CHECK(s.limits->per_hour == 100);  // inherits the global override
    CHECK(s.price_fen == 8);
    CHECK(s.pin == "1234");
}

TEST_CASE("bad configs are refused with a reason") {
    struct Row {
        const char* json;
        const char* reason;
    };
    const Row rows[] = {
        {"{", "not valid JSON"},
        {R"({"listne": "1"})", "unknown key 'listne'"},
        {R"({"sim_limits": {"per_hour": -1}})", "per_hour must be between"},
        {R"({"sim_limits": {"per_hour": "many"}})", "per_hour must be an integer"},
        {R"({"modems": "/dev/ttyUSB0"})", "modems must be an array"},
        {R"({"listen": "localhost"})", "listen must be HOST:PORT"},
        {R"({"listen": "1.2.3.4:99999"})", "out of range"},
        {R"({"log_level": "loud"})", "log_level must be"},
        {R"({"sims": {"123": {"limit": {}}}})", "unknown key 'sims.123.limit'"},
        {R"({"https": {"port": 8443}})", "unknown key 'https.port'"},
        {R"({"https": {"listen": "8443"}})", "listen must be HOST:PORT"},
        {R"({"https": {"redirect_http": "yes"}})", "redirect_http must be true or false"},
        {R"({"https": {"cert": ""}})", "must be paths"},
        {R"({"cmgs_timeout_s": 1})", "cmgs_timeout_s must be between"},
        {R"({"wal_checkpoint_s": 0})", "wal_checkpoint_s must be between"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.json);
        try {
            (void)parse_config(row.json);
            FAIL("accepted a bad config");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).find(row.reason) != std::string::npos);
        }
    }
}

TEST_CASE("https: off by default, an object turns it on with defaults for what it omits") {
    CHECK_FALSE(parse_config("{}").https.has_value());
    const auto on = parse_config(R"({"https": {}})");
    REQUIRE(on.https);
    CHECK(on.https->listen_host == "0.0.0.0");
    CHECK(on.https->listen_port == 8443);
    CHECK_FALSE(on.https->cert.has_value());  // the app uses <data_dir>/tls/cert.pem
    CHECK_FALSE(on.https->redirect_http);
    const auto c = parse_config(R"({"https": {"listen": "192.168.1.2:443", "cert": "/etc/cunxin/c.pem",
                                             "key": "/etc/cunxin/k.pem", "redirect_http": true}})");
    REQUIRE(c.https);
    CHECK(c.https->listen_host == "192.168.1.2");
    CHECK(c.https->listen_port == 443);
    CHECK(*c.https->cert == "/etc/cunxin/c.pem");
    CHECK(*c.https->key == "/etc/cunxin/k.pem");
    CHECK(c.https->redirect_http);
}

TEST_CASE("http_limits: defaults, overrides and refused values") {
    const auto d = parse_config("{}");
    CHECK(d.max_sse == 16);
    CHECK(d.http_limits.header_timeout == std::chrono::seconds(10));
    CHECK(d.http_limits.idle_timeout == std::chrono::seconds(5));
    CHECK(d.http_limits.max_per_address == 16);
    CHECK(d.http_limits.max_sse_per_address == 2);
    CHECK(d.http_limits.sse_lifetime == std::chrono::seconds(600));
    const auto c = parse_config(R"({"http_limits": {"header_timeout_s": 20, "body_min_bytes_per_s": 2048,
        "idle_timeout_s": 3, "max_requests": 50, "max_per_address": 64, "max_connections": 900,
        "max_sse_per_address": 3, "sse_lifetime_s": 120, "upload_reserve_mb": 16}})");
    CHECK(c.http_limits.header_timeout == std::chrono::seconds(20));
    CHECK(c.http_limits.body_min_rate == 2048);
    CHECK(c.http_limits.idle_timeout == std::chrono::seconds(3));
    CHECK(c.http_limits.max_requests == 50);
    CHECK(c.http_limits.max_per_address == 64);
    CHECK(c.http_limits.max_connections == 900);
    CHECK(c.http_limits.max_sse_per_address == 3);
    CHECK(c.http_limits.sse_lifetime == std::chrono::seconds(120));
    CHECK(c.http_limits.upload_reserve == 16u << 20);
    CHECK_THROWS_AS(parse_config(R"({"http_limits": {"header_timeout_s": 0}})"), std::runtime_error);
    CHECK_THROWS_AS(parse_config(R"({"http_limits": {"max_per_adress": 4}})"), std::runtime_error);
}

TEST_CASE("alerts: the section is read, and mistakes are explained in Chinese and English") {
    const auto d = parse_config("{}").alerts;
    CHECK(d.duty.empty());
    CHECK(d.urgent_categories == std::vector<std::string>{"03"});
    REQUIRE(d.quiet_hours);
    CHECK(d.quiet_hours->start == 22 * 60);
    CHECK(d.quiet_hours->end == 7 * 60);
    CHECK(d.max_per_hour == 6);
    CHECK_FALSE(d.digest_at);
    CHECK(d.kinds.size() == cunxin::messaging::all_alert_kinds().size());
    const auto c = parse_config(R"({"alerts": {
        "duty": [{"name": "张书记", "number": "139 0000 0001", "role": "党委书记"}],
        "urgent_categories": ["03", "08"], "quiet_hours": "23:30-06:00", "max_per_hour": 3,
        "digest_at": "08:00", "kinds": ["urgent_reply", "digest"], "urgent_in_quiet_hours": true}})").alerts;
    REQUIRE(c.duty.size() == 1);
    CHECK(c.duty[0].number == "+8613900000001");  // normalised
    CHECK(c.duty[0].role == "党委书记");
    CHECK(c.urgent_categories.size() == 2);
    CHECK(c.quiet_hours->start == 23 * 60 + 30);
    CHECK(c.max_per_hour == 3);
    CHECK(c.digest_at == std::optional<int>(8 * 60));
    CHECK(c.kinds.size() == 2);
    CHECK(c.urgent_in_quiet_hours);
    CHECK_FALSE(parse_config(R"({"alerts": {"quiet_hours": ""}})").alerts.quiet_hours);
    struct Bad {
        const char* json;
        const char* zh;
        const char* en;
    };
    const Bad bad[] = {
        {R"({"alerts": {"quiet_hours": "22-7"}})", "应写成“22:00-07:00”", "quiet_hours must look like"},
        {R"({"alerts": {"duty": [{"name": "王", "number": "0791-1234567"}]}})", "不是手机号码", "is not a mobile number"},
        {R"({"alerts": {"duty": [{"number": "13900000001"}]}})", "缺少姓名", "name is missing"},
        {R"({"alerts": {"duty": [{"name": "王", "number": "13900000001", "phone": "x"}]}})", "未知的设置项", "unknown key"},
        {R"({"alerts": {"max_per_hour": -1}})", "之间的整数", "must be an integer between"},
        {R"({"alerts": {"digest_at": "8点"}})", "应写成“08:00”", "digest_at must look like"},
        {R"({"alerts": {"kinds": ["sms"]}})", "未知的告警类型", "unknown alert kind"},
        {R"({"alerts": {"quiet": "22:00-07:00"}})", "未知的设置项", "unknown key 'quiet'"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.json);
        try {
            parse_config(b.json);
            FAIL("accepted");
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            CAPTURE(what);
            CHECK(what.find(b.zh) != std::string::npos);
            CHECK(what.find(b.en) != std::string::npos);
        }
    }
}

TEST_CASE("carrier_blocking and lte_sms_fallback: documented defaults, overrides, refusals") {
    const auto d = parse_config("{}");
    CHECK(d.carrier_blocking.failures == 5);
    CHECK(d.carrier_blocking.window_minutes == 10);
    CHECK_FALSE(d.lte_sms_fallback);
    const auto c = parse_config(R"({"carrier_blocking": {"failures": 3, "window_minutes": 30}, "lte_sms_fallback": true})");
    CHECK(c.carrier_blocking.failures == 3);
    CHECK(c.carrier_blocking.window_minutes == 30);
    CHECK(c.lte_sms_fallback);
    CHECK_THROWS(parse_config(R"({"carrier_blocking": {"fails": 3}})"));
    CHECK_THROWS(parse_config(R"({"carrier_blocking": {"window_minutes": 0}})"));
    CHECK_THROWS(parse_config(R"({"lte_sms_fallback": "yes"})"));
}

TEST_CASE("the federation section is read and checked") {
    const auto c = parse_config(R"({"federation": {"broker": "mqtts://hub.county.lan:8883", "box_id": "xinglong",
                                   "password": "pw", "ca": "/etc/cunxin/county-ca.crt", "health_every_s": 30}})");
    REQUIRE(c.federation);
    CHECK(c.federation->broker == "mqtts://hub.county.lan:8883");
    CHECK(c.federation->box_id == "xinglong");
    CHECK(c.federation->password == "pw");
    CHECK(c.federation->ca == "/etc/cunxin/county-ca.crt");
    CHECK(c.federation->health_every_s == 30);
    CHECK(c.federation->outbox_max == 10000);
    CHECK_FALSE(parse_config("{}").federation);
    CHECK_THROWS_AS(parse_config(R"({"federation": {"broker": "http://x:1"}})"), std::runtime_error);
    CHECK_THROWS_AS(parse_config(R"({"federation": {"broker": "mqtt://x:1", "box_id": "Xing Long"}})"), std::runtime_error);
    CHECK_THROWS_AS(parse_config(R"({"federation": {"broker": "mqtt://x:1", "boxid": "x"}})"), std::runtime_error);
}
