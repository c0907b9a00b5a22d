// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "cunxin/modem/quirks.hpp"
#include "cunxin/modem/rate_limiter.hpp"

using namespace cunxin::modem;
using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST_CASE("per-minute limit: the 11th send waits until the 1st leaves the window") {
    RateLimiter lim(SimLimits{10, 0, 0});
    const auto t0 = Clock::time_point(1000000s);
    for (int i = 0; i < 10; ++i) {
        REQUIRE(lim.allowed(t0 + std::chrono::seconds(i)));
        lim.record(t0 + std::chrono::seconds(i));
    }
    CHECK_FALSE(lim.allowed(t0 + 10s));
    CHECK(lim.next_allowed(t0 + 10s) > t0 + 60s);
    CHECK(lim.next_allowed(t0 + 10s) < t0 + 61s);
    CHECK(lim.allowed(t0 + 61s));
    CHECK(lim.count_minute(t0 + 10s) == 10);
}

TEST_CASE("hour and day limits, 0 means no limit") {
    RateLimiter lim(SimLimits{0, 3, 5});
    const auto t0 = Clock::time_point(5000000s);
    for (int i = 0; i < 3; ++i) lim.record(t0 + std::chrono::minutes(i));
    CHECK_FALSE(lim.allowed(t0 + 5min));
    CHECK(lim.allowed(t0 + 61min));
    lim.record(t0 + 61min);
    lim.record(t0 + 62min);
    CHECK_FALSE(lim.allowed(t0 + 5h));  // 5 in the day
    CHECK(lim.allowed(t0 + 24h + 1s));
    RateLimiter none(SimLimits{0, 0, 0});
    for (int i = 0; i < 5000; ++i) none.record(t0);
    CHECK(none.allowed(t0));
}

TEST_CASE("forget takes back a send that did not go out") {
    RateLimiter lim(SimLimits{1, 0, 0});
    const auto t0 = Clock::time_point(100000s);
    lim.record(t0);
    CHECK_FALSE(lim.allowed(t0 + 1s));
    lim.forget(t0);
    CHECK(lim.allowed(t0 + 1s));
}

TEST_CASE("restore after a restart never under-counts") {
    RateLimiter lim(SimLimits{10, 180, 900});
    const auto now = Clock::time_point(9000000s);
    lim.restore(now, 4, 100, 895);
    CHECK(lim.count_minute(now) == 4);
    CHECK(lim.count_hour(now) == 100);
    CHECK(lim.count_day(now) == 895);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(lim.allowed(now + std::chrono::minutes(2 + i)));
        lim.record(now + std::chrono::minutes(2 + i));
    }
    CHECK_FALSE(lim.allowed(now + 10min));  // 900 a day reached
}

TEST_CASE("quirks by model") {
    CHECK(quirks_for("Quectel", "EC25").name == "quectel");
    CHECK(quirks_for("SIMCOM INCORPORATED", "SIMCOM_SIM7600CE").name == "simcom-sim7600");
    CHECK(quirks_for("SIMCOM_Ltd", "SIM800C").name == "simcom-sim800");
    CHECK(quirks_for("huawei", "E3372").iccid_commands.front() == "AT^ICCID?");
    CHECK(quirks_for("Acme", "X1").name == "generic");
    CHECK_FALSE(quirks_for("huawei", "E3372").cmms);
}
