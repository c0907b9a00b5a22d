// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Injectable time: the system clock, a manual clock for tests and the demo, and a clock that
/// prefers the mobile network's time when the system clock is not trustworthy (no NTP).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace cunxin::messaging {

/// A source of "now" plus the local UTC offset used for days, hours and months.
class Clock {
public:
    using time_point = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    /// Current UTC time.
    virtual time_point now() const = 0;
    /// Current time in Unix seconds.
    std::int64_t unix_now() const;
    /// Offset of local time from UTC (China: +480).
    int utc_offset_minutes() const noexcept { return utc_offset_minutes_; }
    /// Sets the local offset.
    void set_utc_offset_minutes(int m) noexcept { utc_offset_minutes_ = m; }
    /// Local calendar date of `t`.
    std::chrono::year_month_day local_date(time_point t) const;
    /// Local hour (0-23) of `t`.
    int local_hour(time_point t) const;
    /// Unix seconds of the first instant of the local month containing `t`.
    std::int64_t local_month_start(time_point t) const;

private:
    int utc_offset_minutes_ = 480;
};

/// The system clock.
class SystemClock final : public Clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that only moves when told to (tests, demo fast-forward).
class ManualClock final : public Clock {
public:
    explicit ManualClock(time_point start) : now_(start) {}
    time_point now() const override { return now_; }
    /// Jumps to `t` (forwards or backwards: clock corrections).
    void set(time_point t) { now_ = t; }
    /// Moves forward by `d`.
    void advance(std::chrono::seconds d) { now_ += d; }

private:
    time_point now_;
};

/// The system time corrected by the network's time (AT+CCLK / NITZ) when the system time is
/// implausible: earlier than `not_before` (the build time), or at least two modems agree it is
/// more than `tolerance` off. Network times earlier than `not_before` (modem defaults such as
/// 2004-01-01) or absurdly late are ignored. now() may be called from any thread (HTTP threads
/// read the core's clock); offers come from the core thread only.
class NetworkAwareClock final : public Clock {
public:
    /// `system` gives the raw system time (injectable for tests).
    NetworkAwareClock(std::function<time_point()> system, time_point not_before,
                      std::chrono::seconds tolerance = std::chrono::minutes(5));
    time_point now() const override;
    /// A modem reported the network's UTC time (identified by SIM).
    void offer_network_time(const std::string& source, time_point network_utc);
    /// True when now() currently applies a network correction.
    bool using_network_time() const;
    /// The correction applied (0 when the system time is trusted).
    std::chrono::seconds correction() const;

private:
    std::function<time_point()> system_;
    time_point not_before_;
    std::chrono::seconds tolerance_;
    std::map<std::string, std::chrono::seconds> offsets_;  ///< network - system, per source (core thread)
    // What now() needs, published by offer_network_time for other threads (lock-free).
    std::atomic<std::int64_t> median_{0};  ///< median network - system offset, seconds
    std::atomic<int> trust_{0};            ///< 0: no offer; 1: only when the system time is implausible; 2: always
    std::chrono::seconds correction_at(time_point system) const;
};

}  // namespace cunxin::messaging
