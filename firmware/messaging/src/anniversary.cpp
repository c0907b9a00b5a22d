// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/anniversary.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

chr::year_month_day anniversary_in(chr::year_month_day join, int year) {
    if (!join.ok()) return chr::year_month_day{chr::year{year}, chr::month{0}, chr::day{0}};
    chr::year_month_day d{chr::year{year}, join.month(), join.day()};
    if (!d.ok() && join.month() == chr::February && join.day() == chr::day{29}) {
        d = chr::year_month_day{chr::year{year}, chr::February, chr::day{28}};
    }
    return d;
}

int completed_years(chr::year_month_day join, chr::year_month_day on) {
    if (!join.ok() || !on.ok()) return 0;
    const int jy = static_cast<int>(join.year());
    const int oy = static_cast<int>(on.year());
    if (chr::sys_days{on} < chr::sys_days{join}) {
        // Before joining: floor, so one day before is -1 and exactly 4 years before is -4.
        const int back = completed_years(on, join);
        const bool exact = anniversary_in(on, jy) == join;
        return exact ? -back : -(back + 1);
    }
    int years = oy - jy;
    if (chr::sys_days{on} < chr::sys_days{anniversary_in(join, oy)}) --years;
    return years;
}

bool is_anniversary(chr::year_month_day join, chr::year_month_day on) {
    if (!join.ok() || !on.ok()) return false;
    const int oy = static_cast<int>(on.year());
    return oy > static_cast<int>(join.year()) && anniversary_in(join, oy) == on;
}

namespace {

std::vector<DueGreeting> due_on(std::span<const AnniversaryMember> members,
                                chr::year_month_day day) {
    std::vector<DueGreeting> out;
    for (const AnniversaryMember& m : members) {
        if (is_anniversary(m.party_join_date, day)) {
            out.push_back(
                {m.id, completed_years(m.party_join_date, day), static_cast<int>(day.year())});
        }
    }
    return out;
}

}  // namespace

AnniversaryPlan plan_anniversaries(std::span<const AnniversaryMember> members,
                                   chr::year_month_day today, int now_hour, int send_hour) {
    AnniversaryPlan plan;
    if (!today.ok()) return plan;
    plan.due_today = due_on(members, today);
    plan.hour_passed = now_hour >= send_hour;
    plan.tomorrow = due_on(members, chr::year_month_day{chr::sys_days{today} + chr::days{1}});
    return plan;
}

}  // namespace cunxin::messaging
