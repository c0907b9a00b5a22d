// SPDX-License-Identifier: Apache-2.0
// decide_clock: system clock vs. modems' network time, as a table.
#include <doctest/doctest.h>
#include <sys/timex.h>

#include <chrono>
#include <string>
#include <vector>

#include "clock_source.hpp"

using namespace std::chrono;
using cunxin::app::ClockDecision;
using cunxin::app::ClockReason;
using cunxin::app::decide_clock;
using cunxin::app::NetworkTime;
using cunxin::app::SysTime;

namespace {

SysTime at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
    return SysTime(sys_days(year{y} / month{mo} / day{d})) + hours(h) + minutes(mi) + seconds(s);
}

const SysTime kBuild = at(2026, 11, 1);
const SysTime kNow = at(2026, 11, 22, 6, 0);  // what the network says "now" is

std::vector<NetworkTime> modems(std::initializer_list<SysTime> times) {
    std::vector<NetworkTime> out;
    int i = 1;
    for (auto t : times) out.push_back({"modem " + std::to_string(i++), t});
    return out;
}

}  // namespace

TEST_CASE("decide_clock table") {
    struct Row {
        const char* name;
        SysTime system;
        std::vector<NetworkTime> network;
        bool use_network;
        bool set_clock;
        SysTime chosen;
        ClockReason reason;
        int rejected;
    };
    const Row rows[] = {
        {"Pi without RTC booted at 1970, one modem with NITZ", SysTime{}, modems({kNow}), true, true,
         kNow, ClockReason::SystemBeforeBuild, 0},
        {"system before build time replaced by agreeing modems", at(2025, 1, 1),
         modems({kNow, kNow + 20s}), true, true, kNow + 20s, ClockReason::SystemBeforeBuild, 0},
        {"modem default 2004-01-01 rejected, system kept", kNow, modems({at(2004, 1, 1)}), false,
         false, kNow, ClockReason::SystemNoNetwork, 1},
        {"modem default 2080 rejected, system kept", kNow, modems({at(2080, 1, 6)}), false, false,
         kNow, ClockReason::SystemNoNetwork, 1},
        {"both defaults rejected, 1970 system raised to build time", SysTime{},
         modems({at(2004, 1, 1), at(2080, 1, 6)}), false, true, kBuild,
         ClockReason::BuildTimeFloor, 2},
        {"no modems, 1970: build time", SysTime{}, {}, false, true, kBuild,
         ClockReason::BuildTimeFloor, 0},
        {"no modems, plausible system kept", kNow, {}, false, false, kNow,
         ClockReason::SystemNoNetwork, 0},
        {"within tolerance: system kept", kNow, modems({kNow + 90s, kNow - 30s}), false, false, kNow,
         ClockReason::SystemAgrees, 0},
        {"fake-hwclock restored last shutdown time: network ahead wins", at(2026, 11, 20, 18),
         modems({kNow}), true, true, kNow, ClockReason::NetworkAhead, 0},
        {"one modem behind the system clock: not trusted alone", kNow, modems({kNow - hours(8)}),
         false, false, kNow, ClockReason::NetworkBehindAlone, 0},
        {"two modems agree the system clock is ahead: set back", kNow + hours(8),
         modems({kNow, kNow + 10s}), true, true, kNow + 10s, ClockReason::NetworkConsensusBehind,
         0},
        {"majority of modems wins over one reporting GMT as local", at(2026, 11, 20),
         modems({kNow, kNow + 5s, kNow - hours(8)}), true, true, kNow + 5s,
         ClockReason::NetworkAhead, 0},
        {"two modems contradict each other: system kept", kNow - hours(2),
         modems({kNow, kNow + hours(3)}), false, false, kNow - hours(2),
         ClockReason::NetworkDisagrees, 0},
        {"contradicting modems and a 1970 clock: build time", SysTime{},
         modems({kNow, kNow + hours(3)}), false, true, kBuild, ClockReason::NetworkDisagrees, 0},
        {"implausible plus good modem: good one used, bad one counted", SysTime{},
         modems({at(2004, 1, 1, 0, 1), kNow}), true, true, kNow, ClockReason::SystemBeforeBuild, 1},
    };
    for (const auto& r : rows) {
        CAPTURE(r.name);
        const ClockDecision d = decide_clock(r.system, kBuild, r.network);
        CHECK(d.use_network == r.use_network);
        CHECK(d.set_clock == r.set_clock);
        CHECK(d.chosen_time == r.chosen);
        CHECK(cunxin::app::to_string(d.reason) == std::string(cunxin::app::to_string(r.reason)));
        CHECK(d.rejected == r.rejected);
        if (d.use_network) {
            CHECK(d.agreeing >= 1);
            CHECK(d.source.find("modem") != std::string::npos);
        }
    }
}

TEST_CASE("decide_clock names the agreeing modems and explains itself") {
    std::vector<NetworkTime> net{{"modem 1-1.3", kNow}, {"modem 1-1.4", kNow + 3s},
                                 {"modem 1-1.5", at(2080, 1, 6)}};
    const auto d = decide_clock(SysTime{}, kBuild, net);
    REQUIRE(d.use_network);
    CHECK(d.agreeing == 2);
    CHECK(d.source == "modem 1-1.3, modem 1-1.4");
    const auto text = cunxin::app::describe(d);
    CAPTURE(text);
    CHECK(text.find("network (modem 1-1.3, modem 1-1.4)") == 0);
    CHECK(text.find("system_before_build") != std::string::npos);
    CHECK(text.find("1 implausible") != std::string::npos);
}

TEST_CASE("policy: going back needs the configured number of modems") {
    cunxin::app::ClockPolicy strict;
    strict.min_agree_to_go_back = 3;
    const auto net = modems({kNow, kNow + 1s});
    CHECK(decide_clock(kNow + hours(1), kBuild, net, strict).reason ==
          ClockReason::NetworkBehindAlone);
    CHECK(decide_clock(kNow + hours(1), kBuild, net).reason == ClockReason::NetworkConsensusBehind);
}

TEST_CASE("build_time is this binary's build date (not in the future, not long ago)") {
    const auto b = cunxin::app::build_time();
    const auto now = std::chrono::system_clock::now();
    // SOURCE_DATE_EPOCH may pin __DATE__ in the past; it is never after the build.
    CHECK(b <= now);
    CHECK(b > at(2024, 1, 1));
}

TEST_CASE("set_system_clock refuses an invalid time with a reason") {
    // The kernel validates before it checks CAP_SYS_TIME, so this never moves the clock.
    const auto bad = cunxin::app::set_system_clock(SysTime{} - hours(24 * 365 * 100));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().find("clock_settime") != std::string::npos);
}

TEST_CASE("system_clock_synchronized agrees with adjtimex") {
    struct timex tx {};
    const int state = ::adjtimex(&tx);
    const bool expect = state >= 0 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
    CHECK(cunxin::app::system_clock_synchronized() == expect);
}
