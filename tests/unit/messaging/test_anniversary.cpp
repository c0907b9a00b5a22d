// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <vector>

#include "cunxin/messaging/anniversary.hpp"

using namespace cunxin::messaging;
using namespace std::chrono;

namespace {

year_month_day ymd(int y, unsigned m, unsigned d) {
    return year_month_day{year{y}, month{m}, day{d}};
}

}  // namespace

TEST_CASE("anniversary_in moves Feb 29 to Feb 28 in non-leap years") {
    CHECK(anniversary_in(ymd(1984, 2, 29), 2025) == ymd(2025, 2, 28));
    CHECK(anniversary_in(ymd(1984, 2, 29), 2024) == ymd(2024, 2, 29));
    CHECK(anniversary_in(ymd(1984, 2, 29), 2100) == ymd(2100, 2, 28));  // not leap
    CHECK(anniversary_in(ymd(1984, 2, 29), 2000) == ymd(2000, 2, 29));  // leap
    CHECK(anniversary_in(ymd(1971, 7, 1), 2026) == ymd(2026, 7, 1));
    CHECK(anniversary_in(ymd(1971, 12, 31), 2026) == ymd(2026, 12, 31));
    CHECK_FALSE(anniversary_in(ymd(1971, 13, 1), 2026).ok());
}

TEST_CASE("completed_years") {
    struct Row {
        year_month_day join, on;
        int years;
    };
    const Row rows[] = {
        {ymd(1987, 7, 1), ymd(2026, 7, 1), 39},    {ymd(1987, 7, 1), ymd(2026, 6, 30), 38},
        {ymd(1987, 7, 1), ymd(2026, 7, 2), 39},    {ymd(1987, 7, 1), ymd(1987, 7, 1), 0},
        {ymd(1987, 7, 1), ymd(1988, 6, 30), 0},    {ymd(1987, 7, 1), ymd(1988, 7, 1), 1},
        {ymd(1984, 2, 29), ymd(2025, 2, 27), 40},  {ymd(1984, 2, 29), ymd(2025, 2, 28), 41},
        {ymd(1984, 2, 29), ymd(2024, 2, 28), 39},  {ymd(1984, 2, 29), ymd(2024, 2, 29), 40},
        {ymd(1984, 2, 29), ymd(2024, 3, 1), 40},   {ymd(1999, 12, 31), ymd(2000, 1, 1), 0},
        {ymd(1999, 12, 31), ymd(2000, 12, 31), 1}, {ymd(2000, 1, 1), ymd(1999, 12, 31), -1},
        {ymd(2030, 1, 1), ymd(2026, 1, 1), -4},
    };
    for (const Row& r : rows) {
        CAPTURE(static_cast<int>(r.join.year()));
        CAPTURE(static_cast<unsigned>(r.on.month()));
        CAPTURE(static_cast<unsigned>(r.on.day()));
        CHECK(completed_years(r.join, r.on) == r.years);
    }
    CHECK(completed_years(ymd(2001, 2, 30), ymd(2026, 1, 1)) == 0);
}

TEST_CASE("is_anniversary") {
    CHECK(is_anniversary(ymd(1987, 7, 1), ymd(2026, 7, 1)));
    CHECK_FALSE(is_anniversary(ymd(1987, 7, 1), ymd(1987, 7, 1)));  // the joining day itself
    CHECK_FALSE(is_anniversary(ymd(1987, 7, 1), ymd(2026, 7, 2)));
    CHECK(is_anniversary(ymd(1984, 2, 29), ymd(2025, 2, 28)));
    CHECK_FALSE(is_anniversary(ymd(1984, 2, 29), ymd(2025, 3, 1)));
    CHECK(is_anniversary(ymd(1984, 2, 29), ymd(2024, 2, 29)));
    CHECK_FALSE(is_anniversary(ymd(1984, 2, 29), ymd(2024, 2, 28)));  // leap year: the 29th
    CHECK_FALSE(is_anniversary(ymd(1984, 2, 28), ymd(2024, 2, 29)));
    CHECK(is_anniversary(ymd(1984, 2, 28), ymd(2025, 2, 28)));
    CHECK_FALSE(is_anniversary(ymd(2030, 7, 1), ymd(2026, 7, 1)));
}

TEST_CASE("plan_anniversaries: today, hour passed, tomorrow across year and month ends") {
    const std::vector<AnniversaryMember> members{
        {1, ymd(1987, 7, 1)}, {2, ymd(1984, 2, 29)}, {3, ymd(1990, 2, 28)},  {4, ymd(1999, 12, 31)},
        {5, ymd(2001, 1, 1)}, {6, ymd(2026, 2, 28)}, {7, ymd(1970, 13, 40)}, {8, ymd(1988, 3, 1)},
    };

    SUBCASE("July 1st at 08:00 with send hour 9: due but not yet") {
        const auto p = plan_anniversaries(members, ymd(2026, 7, 1), 8, 9);
        REQUIRE(p.due_today.size() == 1);
        CHECK(p.due_today[0].id == 1);
        CHECK(p.due_today[0].years == 39);
        CHECK(p.due_today[0].year == 2026);
        CHECK_FALSE(p.hour_passed);
        CHECK(p.tomorrow.empty());
    }
    SUBCASE("same day at 09:00 and at 22:00 (catch-up after a power cut)") {
        CHECK(plan_anniversaries(members, ymd(2026, 7, 1), 9, 9).hour_passed);
        const auto late = plan_anniversaries(members, ymd(2026, 7, 1), 22, 9);
        CHECK(late.hour_passed);
        CHECK(late.due_today.size() == 1);
    }
    SUBCASE("Feb 28 of a non-leap year: Feb 28 and Feb 29 joiners; tomorrow March 1") {
        const auto p = plan_anniversaries(members, ymd(2027, 2, 28), 10, 9);
        REQUIRE(p.due_today.size() == 3);  // 2, 3 and 6 (first anniversary)
        CHECK(p.due_today[0].id == 2);
        CHECK(p.due_today[0].years == 43);
        CHECK(p.due_today[1].id == 3);
        CHECK(p.due_today[2].id == 6);
        CHECK(p.due_today[2].years == 1);
        REQUIRE(p.tomorrow.size() == 1);
        CHECK(p.tomorrow[0].id == 8);
    }
    SUBCASE("Feb 27 of a non-leap year previews the Feb 29 joiner for tomorrow") {
        const auto p = plan_anniversaries(members, ymd(2027, 2, 27), 10, 9);
        CHECK(p.due_today.empty());
        REQUIRE(p.tomorrow.size() == 3);
        CHECK(p.tomorrow[0].id == 2);
    }
    SUBCASE("leap year: Feb 28 and Feb 29 are separate days") {
        const auto p28 = plan_anniversaries(members, ymd(2028, 2, 28), 10, 9);
        REQUIRE(p28.due_today.size() == 2);
        CHECK(p28.due_today[0].id == 3);
        CHECK(p28.due_today[1].id == 6);
        REQUIRE(p28.tomorrow.size() == 1);
        CHECK(p28.tomorrow[0].id == 2);
        CHECK(p28.tomorrow[0].years == 44);
        const auto p29 = plan_anniversaries(members, ymd(2028, 2, 29), 10, 9);
        REQUIRE(p29.due_today.size() == 1);
        CHECK(p29.due_today[0].id == 2);
        REQUIRE(p29.tomorrow.size() == 1);
        CHECK(p29.tomorrow[0].id == 8);
    }
    SUBCASE("Dec 31 previews Jan 1 of the next year") {
        const auto p = plan_anniversaries(members, ymd(2026, 12, 31), 0, 9);
        REQUIRE(p.due_today.size() == 1);
        CHECK(p.due_today[0].id == 4);
        CHECK(p.due_today[0].years == 27);
        REQUIRE(p.tomorrow.size() == 1);
        CHECK(p.tomorrow[0].id == 5);
        CHECK(p.tomorrow[0].years == 26);
        CHECK(p.tomorrow[0].year == 2027);
    }
    SUBCASE("the joining year itself gives no greeting") {
        const auto p = plan_anniversaries(members, ymd(2026, 2, 28), 10, 9);
        REQUIRE(p.due_today.size() == 2);
        CHECK(p.due_today[0].id == 2);
        CHECK(p.due_today[1].id == 3);
    }
    SUBCASE("invalid today") {
        const auto p = plan_anniversaries(members, ymd(2026, 2, 30), 10, 9);
        CHECK(p.due_today.empty());
        CHECK(p.tomorrow.empty());
    }
}
