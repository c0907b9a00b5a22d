// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Per-SIM sending limits (per minute, hour, day); pure: time is an argument.

#include <chrono>
#include <deque>

namespace cunxin::modem {

/// Limits of one SIM; 0 = no limit. Defaults stay under Chinese carriers' blocking thresholds.
struct SimLimits {
    int per_minute = 10;  ///< burst guard: spreads an hour's quota over the hour
    int per_hour = 180;   ///< carriers block around 200 an hour
    int per_day = 900;    ///< carriers block around 1,000 a day
};

/// Sliding-window counter of one SIM's sends.
class RateLimiter {
public:
    using Clock = std::chrono::system_clock;
    /// A limiter with these limits.
    explicit RateLimiter(SimLimits limits = {}) : limits_(limits) {}
    /// Changes the limits (counts are kept).
    void set_limits(SimLimits limits) { limits_ = limits; }
    /// The limits in force.
    const SimLimits& limits() const { return limits_; }
    /// True if one more send at `now` stays within every limit.
    bool allowed(Clock::time_point now);
    /// Earliest time a send is allowed (now when allowed).
    Clock::time_point next_allowed(Clock::time_point now);
    /// Counts a send at `t`.
    void record(Clock::time_point t);
    /// Takes back a send counted at `t` (it did not go out).
    void forget(Clock::time_point t);
    /// Seeds the windows from counts read back after a restart (conservatively: as late as possible).
    void restore(Clock::time_point now, int last_minute, int last_hour, int last_day);
    /// Sends in the last minute / hour / day before `now`.
    int count_minute(Clock::time_point now) const;
    int count_hour(Clock::time_point now) const;  ///< see count_minute
    int count_day(Clock::time_point now) const;   ///< see count_minute

private:
    int count_since(Clock::time_point since) const;
    void prune(Clock::time_point now);
    SimLimits limits_;
    std::deque<Clock::time_point> sends_;  ///< sorted, within the last day
};

}  // namespace cunxin::modem
