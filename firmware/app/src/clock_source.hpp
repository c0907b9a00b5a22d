// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Boot-time clock choice for a board without RTC or NTP: system clock vs. modems' network time.

#include <chrono>
#include <span>
#include <string>

#include "cunxin/result.hpp"

namespace cunxin::app {

/// A wall-clock instant (UTC).
using SysTime = std::chrono::system_clock::time_point;

/// One modem's network time (AT+CCLK / NITZ), already converted to UTC.
struct NetworkTime {
    std::string source;  ///< who said it, e.g. "modem 1-1.3"
    SysTime time;        ///< that modem's clock, read at (about) the same instant as system_now
};

/// Why decide_clock chose what it chose.
enum class ClockReason {
    SystemAgrees,           ///< system clock plausible and within tolerance of the network
    SystemNoNetwork,        ///< system clock plausible, no plausible network time
    BuildTimeFloor,         ///< system clock before build time, no network: raise to build time
    SystemBeforeBuild,      ///< system clock before build time: set from the network
    NetworkAhead,           ///< network later than system clock (RTC-less board resumed): set
    NetworkConsensusBehind, ///< network earlier than system clock, several modems agree: set
    NetworkBehindAlone,     ///< network earlier than system clock, one modem only: keep system
    NetworkDisagrees,       ///< plausible modem clocks disagree with each other: keep system
};

/// Tunables of decide_clock.
struct ClockPolicy {
    /// Two clocks within this agree.
    std::chrono::seconds tolerance{std::chrono::minutes(5)};
    /// A clock more than this after build time is a default (2080…) or garbage.
    std::chrono::hours max_after_build{24 * 365 * 20};
    /// Modems that must agree before the clock is moved backwards.
    int min_agree_to_go_back = 2;
};

/// The outcome: what time it is and where that came from (the panel shows `reason`/`source`).
struct ClockDecision {
    bool use_network = false;  ///< chosen_time comes from the modems
    bool set_clock = false;    ///< the system clock should be set to chosen_time
    SysTime chosen_time{};     ///< best estimate of now
    ClockReason reason = ClockReason::SystemNoNetwork;
    std::string source;        ///< "system", "build", or the agreeing modems' names
    int agreeing = 0;          ///< modems in the chosen group
    int rejected = 0;          ///< network times dropped as implausible (2004, 2080, …)
};

/// Pure choice between the system clock and the modems' clocks; no I/O, no clock reads.
ClockDecision decide_clock(SysTime system_now, SysTime build_time,
                           std::span<const NetworkTime> network, const ClockPolicy& policy = {});

/// Stable identifier of a reason, e.g. "system_before_build" (API/panel).
const char* to_string(ClockReason reason);

/// One line for logs and the panel, e.g. "network (modem 1-1.3, modem 1-1.4): ...".
std::string describe(const ClockDecision& decision);

/// Build date of this binary (from __DATE__, honours SOURCE_DATE_EPOCH), minus one day.
SysTime build_time();

/// True when the kernel says the clock is NTP-synchronised (adjtimex: no STA_UNSYNC).
bool system_clock_synchronized();

/// Sets CLOCK_REALTIME (needs CAP_SYS_TIME); the error says why not.
cunxin::Expected<void, std::string> set_system_clock(SysTime time);

}  // namespace cunxin::app
