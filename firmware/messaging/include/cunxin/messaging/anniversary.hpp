// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Party-joining anniversaries: who is due on a local date, and when (pure; the caller
/// gives the local date and hour and records what was sent, keyed by member and year).

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace cunxin::messaging {

/// A member with a Party-joining date.
struct AnniversaryMember {
    std::int64_t id = 0;
    std::chrono::year_month_day party_join_date{};
};

/// A greeting that is due.
struct DueGreeting {
    std::int64_t id = 0;
    int years = 0;  ///< completed years on that day (1 for the first anniversary)
    int year = 0;   ///< calendar year of the anniversary: the "once per year" key
};

/// What the daily job should do at a local date and hour.
struct AnniversaryPlan {
    std::vector<DueGreeting> due_today;  ///< anniversaries falling on `today`
    bool hour_passed = false;            ///< now_hour >= send_hour: send (or catch up) now
    std::vector<DueGreeting> tomorrow;   ///< preview of the next day's greetings
};

/// The date the anniversary of `join` falls on in `year`: Feb 29 becomes Feb 28 in a
/// non-leap year. Invalid `join` gives an invalid date.
std::chrono::year_month_day anniversary_in(std::chrono::year_month_day join, int year);

/// Completed years from `join` to `on` (0 before the first anniversary; rounded down, so
/// negative if `on` is before `join`); Feb 29 joiners complete a year on Feb 28 in
/// non-leap years. 0 for an invalid date.
int completed_years(std::chrono::year_month_day join, std::chrono::year_month_day on);

/// True when `on` is an anniversary of `join` (at least one year later).
bool is_anniversary(std::chrono::year_month_day join, std::chrono::year_month_day on);

/// The greetings due today and tomorrow, in input order; members with invalid or future
/// dates are skipped. `now_hour` and `send_hour` are 0-23 local hours.
AnniversaryPlan plan_anniversaries(std::span<const AnniversaryMember> members,
                                   std::chrono::year_month_day today, int now_hour, int send_hour);

}  // namespace cunxin::messaging
