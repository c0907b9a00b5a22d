// SPDX-License-Identifier: Apache-2.0
// Power cuts during a broadcast: kill -9 at random moments, restart, repeat.
// Afterwards every message is sent exactly once or is `uncertain`, none is lost,
// and the database passes PRAGMA integrity_check every time.
#include <doctest/doctest.h>

#include <map>
#include <thread>
#include <random>

#include "common.hpp"

using namespace cunxin::itest;

TEST_CASE("kill -9 twenty times during a 2,000-message broadcast: sent once or uncertain, lost none") {
    constexpr int kMessages = 2000;
    constexpr int kModems = 4;
    constexpr int kCrashes = 20;
    Appliance a({.modems = kModems, .cmgs_latency = std::chrono::milliseconds(5)});
    a.start();
    Json to = Json::array();
    for (int i = 0; i < kMessages; ++i) to.push_back(mobile(50000 + i));
    const auto r = a.post("/api/v1/messages", {{"to", to}, {"text", "防汛通知：今晚有暴雨，请各村做好准备。"}});
    REQUIRE(r.status == 202);

    std::mt19937 rng(20261122);
    std::uniform_int_distribution<int> pause_ms(50, 700);
    int crashes = 0;
    for (; crashes < kCrashes && a.sim().sent().size() < kMessages; ++crashes) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
        a.crash();
        std::string out;
        const int rc = run_capture({"sqlite3", a.db_path().string(), "PRAGMA integrity_check;"}, out);
        CAPTURE(crashes);
        CHECK(rc == 0);
        CHECK(out == "ok\n");
        a.start();
    }
    INFO("crashes: " << crashes);
    CHECK(crashes >= 5);
    // Let the broadcast finish after the last restart.
    std::vector<Json> out;
    auto settled = [&] {
        out = a.all_messages("out");
        int open = 0;
        for (const auto& m : out) {
            const auto st = m.at("status").get<std::string>();
            open += (st == "queued" || st == "sending") ? 1 : 0;
        }
        return out.size() == kMessages && open == 0;
    };
    REQUIRE_MESSAGE(wait_until(settled, 300s), a.log());
    std::map<std::string, int> sends;
    for (const auto& s : a.sim().sent()) ++sends[s.recipient];
    int uncertain = 0, once = 0;
    for (const auto& m : out) {
        const auto peer = m.at("peer").get<std::string>();
        const auto st = m.at("status").get<std::string>();
        CAPTURE(peer);
        CAPTURE(st);
        CHECK(sends[peer] <= 1);  // never twice
        if (st == "uncertain") {
            ++uncertain;
        } else {
            CHECK(sends[peer] == 1);  // not lost
            CHECK((st == "sent" || st == "delivered"));
            ++once;
        }
    }
    MESSAGE("sent once: " << once << ", uncertain: " << uncertain << ", crashes: " << crashes);
    CHECK(uncertain <= kModems * crashes);
    CHECK(once + uncertain == kMessages);
}
