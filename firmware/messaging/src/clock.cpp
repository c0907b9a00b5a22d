// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/clock.hpp"

#include <algorithm>
#include <vector>

#include "cunxin/messaging/error.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

const char* to_string(Errc code) noexcept {
    switch (code) {
        case Errc::store: return "store";
        case Errc::invalid_argument: return "invalid_argument";
        case Errc::not_found: return "not_found";
        case Errc::bad_state: return "bad_state";
        case Errc::conflict: return "conflict";
    }
    return "unknown";
}

std::int64_t Clock::unix_now() const {
    return chr::duration_cast<chr::seconds>(now().time_since_epoch()).count();
}

chr::year_month_day Clock::local_date(time_point t) const {
    return chr::year_month_day(chr::floor<chr::days>(t + chr::minutes(utc_offset_minutes_)));
}

int Clock::local_hour(time_point t) const {
    auto local = t + chr::minutes(utc_offset_minutes_);
    auto day = chr::floor<chr::days>(local);
    return static_cast<int>(chr::duration_cast<chr::hours>(local - day).count());
}

std::int64_t Clock::local_month_start(time_point t) const {
    auto ymd = local_date(t);
    chr::sys_days first = ymd.year() / ymd.month() / chr::day(1);
    auto start = chr::time_point_cast<chr::seconds>(first) - chr::minutes(utc_offset_minutes_);
    return start.time_since_epoch().count();
}

NetworkAwareClock::NetworkAwareClock(std::function<time_point()> system, time_point not_before,
                                     chr::seconds tolerance)
    : system_(std::move(system)), not_before_(not_before), tolerance_(tolerance) {}

void NetworkAwareClock::offer_network_time(const std::string& source, time_point network_utc) {
    // Modems without NITZ answer defaults (2004/01/01, 2080…): never accept those.
    if (network_utc < not_before_ || network_utc > not_before_ + chr::hours(24 * 365 * 30)) return;
    offsets_[source] = chr::duration_cast<chr::seconds>(network_utc - system_());
    std::vector<chr::seconds> v;
    for (const auto& [k, o] : offsets_) v.push_back(o);
    std::sort(v.begin(), v.end());
    const auto median = v[v.size() / 2];
    // Trust the network over a plausible system clock only when two sources agree.
    const bool agree = v.size() >= 2 && v.back() - v.front() <= chr::seconds(60);
    const auto off = median < chr::seconds(0) ? -median : median;
    median_.store(median.count(), std::memory_order_relaxed);
    trust_.store(agree && off > tolerance_ ? 2 : 1, std::memory_order_release);
}

chr::seconds NetworkAwareClock::correction_at(time_point sys) const {
    const int trust = trust_.load(std::memory_order_acquire);
    if (trust == 0) return chr::seconds(0);
    const chr::seconds median(median_.load(std::memory_order_relaxed));
    if (sys < not_before_) return median;  // the system clock cannot be right
    return trust == 2 ? median : chr::seconds(0);
}

chr::seconds NetworkAwareClock::correction() const { return correction_at(system_()); }

bool NetworkAwareClock::using_network_time() const { return correction() != chr::seconds(0); }

Clock::time_point NetworkAwareClock::now() const {
    const auto sys = system_();
    return sys + correction_at(sys);
}

}  // namespace cunxin::messaging
