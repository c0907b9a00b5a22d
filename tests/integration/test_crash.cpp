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

namespace {

/// Broadcasts `messages`, kills the daemon with SIGKILL up to `max_crashes` times at random moments,
/// restarts it each time, lets the broadcast finish and checks: sent once or uncertain, lost none.
void broadcast_with_crashes(const int messages, const int max_crashes, std::vector<std::string> env) {
    const auto kMessages = static_cast<std::size_t>(messages);
    const int kCrashes = max_crashes;
    constexpr int kModems = 4;
    ApplianceOptions o;
    o.modems = kModems;
    o.cmgs_latency = std::chrono::milliseconds(5);
    o.env = std::move(env);
    Appliance a(o);
    a.start();
    Json to = Json::array();
    for (int i = 0; i < messages; ++i) to.push_back(mobile(50000 + i));
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
    CHECK(static_cast<std::size_t>(once + uncertain) == kMessages);
}

}  // namespace

TEST_CASE("kill -9 twenty times during a 2,000-message broadcast: sent once or uncertain, lost none") {
    broadcast_with_crashes(2000, 20, {});
}

// The same with the flush-latency model: every fsync/fdatasync 15 ms longer (an SD card), so that
// kills land while flushes are in flight and segments wait for their `sending` mark's flush.
TEST_CASE("kill -9 eight times during a 600-message broadcast with a 15 ms flush: sent once or uncertain, lost none") {
    broadcast_with_crashes(600, 8, {"LD_PRELOAD=" + built("tools/bench/libcunxin_fsync_delay.so").string(),
                                    "CUNXIN_FSYNC_DELAY_MS=15"});
}
