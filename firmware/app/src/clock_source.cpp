// SPDX-License-Identifier: Apache-2.0
#include "clock_source.hpp"

#include <sys/timex.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace cunxin::app {

namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

SysTime::duration abs_diff(SysTime a, SysTime b) { return a > b ? a - b : b - a; }

bool plausible(SysTime t, SysTime build, const ClockPolicy& policy) {
    return t >= build && t <= build + policy.max_after_build;
}

std::string join_sources(const std::vector<const NetworkTime*>& group) {
    std::string out;
    for (const auto* n : group) {
        if (!out.empty()) out += ", ";
        out += n->source;
    }
    return out;
}

}  // namespace

ClockDecision decide_clock(SysTime system_now, SysTime build_time,
                           std::span<const NetworkTime> network, const ClockPolicy& policy) {
    ClockDecision d;
    std::vector<const NetworkTime*> ok;
    for (const auto& n : network) {
        if (plausible(n.time, build_time, policy)) {
            ok.push_back(&n);
        } else {
            ++d.rejected;
        }
    }
    std::sort(ok.begin(), ok.end(),
              [](const NetworkTime* a, const NetworkTime* b) { return a->time < b->time; });

    // Largest group of modems whose clocks agree within tolerance (window over sorted times).
    std::size_t best_first = 0;
    std::size_t best_size = 0;
    bool tie = false;
    for (std::size_t i = 0, j = 0; i < ok.size(); ++i) {
        if (j < i) j = i;
        while (j + 1 < ok.size() && ok[j + 1]->time - ok[i]->time <= policy.tolerance) ++j;
        const std::size_t size = j - i + 1;
        if (size > best_size) {
            best_size = size;
            best_first = i;
            tie = false;
        } else if (size == best_size && ok[i]->time - ok[best_first]->time > policy.tolerance) {
            tie = true;  // an equally large group elsewhere: modems contradict each other
        }
    }
    std::vector<const NetworkTime*> group(ok.begin() + static_cast<std::ptrdiff_t>(best_first),
                                          ok.begin() + static_cast<std::ptrdiff_t>(best_first + best_size));
    const bool system_ok = plausible(system_now, build_time, policy);

    auto keep_system = [&](ClockReason why) {
        d.use_network = false;
        d.set_clock = false;
        d.chosen_time = system_now;
        d.reason = why;
        d.source = "system";
        return d;
    };
    auto use_network = [&](ClockReason why) {
        d.use_network = true;
        d.set_clock = true;
        d.chosen_time = group[group.size() / 2]->time;  // median of the agreeing group
        d.reason = why;
        d.source = join_sources(group);
        d.agreeing = static_cast<int>(group.size());
        return d;
    };

    if (group.empty()) {
        if (system_ok) return keep_system(ClockReason::SystemNoNetwork);
        d.set_clock = system_now < build_time;  // 1970 after a power cut: at least build date
        d.chosen_time = system_now < build_time ? build_time : system_now;
        d.reason = ClockReason::BuildTimeFloor;
        d.source = "build";
        return d;
    }
    if (tie) {
        if (system_ok) return keep_system(ClockReason::NetworkDisagrees);
        d.chosen_time = system_now < build_time ? build_time : system_now;
        d.set_clock = system_now < build_time;
        d.reason = ClockReason::NetworkDisagrees;
        d.source = "build";
        return d;
    }
    if (!system_ok) return use_network(ClockReason::SystemBeforeBuild);

    const SysTime net = group[group.size() / 2]->time;
    if (abs_diff(net, system_now) <= policy.tolerance) {
        auto r = keep_system(ClockReason::SystemAgrees);
        r.agreeing = static_cast<int>(group.size());
        return r;
    }
    if (net > system_now) return use_network(ClockReason::NetworkAhead);
    if (static_cast<int>(group.size()) >= policy.min_agree_to_go_back) {
        return use_network(ClockReason::NetworkConsensusBehind);
    }
    return keep_system(ClockReason::NetworkBehindAlone);
}

const char* to_string(ClockReason reason) {
    switch (reason) {
        case ClockReason::SystemAgrees: return "system_agrees";
        case ClockReason::SystemNoNetwork: return "system_no_network";
        case ClockReason::BuildTimeFloor: return "build_time_floor";
        case ClockReason::SystemBeforeBuild: return "system_before_build";
        case ClockReason::NetworkAhead: return "network_ahead";
        case ClockReason::NetworkConsensusBehind: return "network_consensus_behind";
        case ClockReason::NetworkBehindAlone: return "network_behind_alone";
        case ClockReason::NetworkDisagrees: return "network_disagrees";
    }
    return "unknown";
}

std::string describe(const ClockDecision& decision) {
    std::string out = decision.use_network ? "network (" + decision.source + ")" : decision.source;
    out += ": ";
    out += to_string(decision.reason);
    if (decision.rejected > 0) {
        out += ", " + std::to_string(decision.rejected) + " implausible modem clock(s) ignored";
    }
    return out;
}

SysTime build_time() {
    // __DATE__ is "Mmm dd yyyy" (GCC takes it from SOURCE_DATE_EPOCH when set).
    constexpr std::string_view date = __DATE__;
    constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto m = static_cast<unsigned>(months.find(date.substr(0, 3)) / 3 + 1);
    const unsigned day = (date[4] == ' ' ? 0u : static_cast<unsigned>(date[4] - '0')) * 10u +
                         static_cast<unsigned>(date[5] - '0');
    int year = 0;
    for (char c : date.substr(7, 4)) year = year * 10 + (c - '0');
    const std::chrono::sys_days days{std::chrono::year{year} / std::chrono::month{m} /
                                     std::chrono::day{day}};
    // One day of margin for the build machine's time zone.
    return SysTime(days) - std::chrono::hours(24);
}

bool system_clock_synchronized() {
    struct timex tx {};
    const int state = ::adjtimex(&tx);
    return state >= 0 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

cunxin::Expected<void, std::string> set_system_clock(SysTime time) {
    const auto since = time.time_since_epoch();
    const auto secs = duration_cast<seconds>(since);
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(secs.count());
    ts.tv_nsec = static_cast<long>(duration_cast<std::chrono::nanoseconds>(since - secs).count());
    if (::clock_settime(CLOCK_REALTIME, &ts) != 0) {
        const int err = errno;
        std::string why = std::string("clock_settime: ") + std::strerror(err);
        if (err == EPERM) why += " (needs CAP_SYS_TIME: see CapabilityBoundingSet in cunxin.service)";
        return cunxin::unexpected(std::move(why));
    }
    return {};
}

}  // namespace cunxin::app
