// SPDX-License-Identifier: Apache-2.0
// The support bundle without a daemon: every part there, no secret of the config in it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#ifdef CUNXIN_WITH_DAEMON
#include <cunxin/store/store.hpp>

#include "doctor.hpp"

using namespace cunxin;

TEST_CASE("redact_config removes PINs, passwords and tokens at any depth and keeps the rest") {
    const auto doc = nlohmann::json::parse(R"({
        "pin": "1234", "log_level": "debug",
        "sims": {"89860000000000000001": {"pin": "5678", "limits": {"per_day": 500}}},
        "federation": {"broker": "mqtts://hub:8883", "username": "box1", "password": "s3cret-fed"},
        "alerts": {"duty": [{"name": "值班员", "number": "+8613800000000", "api_token": "tok-9"}]}
    })");
    const auto r = app::redact_config(doc);
    const auto text = r.dump();
    for (const char* secret : {"1234", "5678", "s3cret-fed", "tok-9"}) {
        CAPTURE(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
    CHECK(r["pin"] == "(removed)");
    CHECK(r["federation"]["password"] == "(removed)");
    CHECK(r["federation"]["broker"] == "mqtts://hub:8883");
    CHECK(r["sims"]["89860000000000000001"]["limits"]["per_day"] == 500);
    CHECK(r["alerts"]["duty"][0]["number"] == "+8613800000000");
}

TEST_CASE("an offline bundle reads the config file and the database of a stopped daemon") {
    char tmpl[] = "/tmp/cunxin-doctor-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    const std::filesystem::path dir = tmpl;
    {
        auto db = store::Database::open((dir / "cunxin.db").string());
        REQUIRE(db);
        store::Sim s;
        s.iccid = "89860000000000000001";
        s.operator_name = "CHINA MOBILE";
        REQUIRE(store::touch_sim(*db, s, 1'780'000'000));
        REQUIRE(store::set_setting(*db, "clock_source", "network time from SIM 89860000000000000001"));
    }
    const auto cfg_path = dir / "config.json";
    std::ofstream(cfg_path) << R"({"pin": "2468", "log_level": "info"})";
    app::Config config;
    config.data_dir = dir;
    config.pin = "2468";
    const auto b = app::support_bundle(config, cfg_path, nullptr);
    CHECK(b.dump().find("2468") == std::string::npos);
    CHECK(b["source"] == "offline");
    CHECK(b["versions"]["schema"] == store::Database::latest_version());
    CHECK(b["config"]["content"]["pin"] == "(removed)");
    CHECK(b["config"]["effective"]["pin_set"] == true);
    REQUIRE(b["sims"].size() == 1);
    CHECK(b["sims"][0]["operator"] == "CHINA MOBILE");
    CHECK(b["clock"]["source"] == "network time from SIM 89860000000000000001");
    CHECK(b["storage"]["db_bytes"].get<long long>() > 0);
    CHECK(b["storage"]["disk_free_bytes"].get<long long>() > 0);
    CHECK(b["modems"].empty());
    CHECK(b["notes"].size() >= 1);
    std::filesystem::remove_all(dir);
}
#endif
