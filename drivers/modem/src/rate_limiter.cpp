// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modem/rate_limiter.hpp"

#include <algorithm>

namespace cunxin::modem {

using namespace std::chrono_literals;

void RateLimiter::prune(Clock::time_point now) {
    while (!sends_.empty() && sends_.front() <= now - 24h) sends_.pop_front();
}

int RateLimiter::count_since(Clock::time_point since) const {
    const auto it = std::upper_bound(sends_.begin(), sends_.end(), since);
    return static_cast<int>(std::distance(it, sends_.end()));
}

int RateLimiter::count_minute(Clock::time_point now) const { return count_since(now - 1min); }
int RateLimiter::count_hour(Clock::time_point now) const { return count_since(now - 1h); }
int RateLimiter::count_day(Clock::time_point now) const { return count_since(now - 24h); }

bool RateLimiter::allowed(Clock::time_point now) { return next_allowed(now) <= now; }

RateLimiter::Clock::time_point RateLimiter::next_allowed(Clock::time_point now) {
    prune(now);
    auto when = now;
    // With k sends allowed per window w, the next send may go once the k-th most recent send
    // inside the window has left it.
    auto check = [&](int limit, Clock::duration window) {
        if (limit <= 0) return;
        const int n = count_since(now - window);
        if (n < limit) return;
        const auto kth = sends_[sends_.size() - static_cast<std::size_t>(limit)];
        when = std::max(when, kth + window + Clock::duration(1));
    };
    check(limits_.per_minute, 1min);
    check(limits_.per_hour, 1h);
    check(limits_.per_day, 24h);
    return when;
}

void RateLimiter::record(Clock::time_point t) {
    sends_.insert(std::upper_bound(sends_.begin(), sends_.end(), t), t);
}

void RateLimiter::forget(Clock::time_point t) {
    const auto it = std::find(sends_.begin(), sends_.end(), t);
    if (it != sends_.end()) sends_.erase(it);
}

void RateLimiter::restore(Clock::time_point now, int last_minute, int last_hour, int last_day) {
    last_hour = std::max(last_hour, last_minute);
    last_day = std::max(last_day, last_hour);
    for (int i = 0; i < last_day - last_hour; ++i) record(now - 1h);
    for (int i = 0; i < last_hour - last_minute; ++i) record(now - 1min);
    for (int i = 0; i < last_minute; ++i) record(now);
}

}  // namespace cunxin::modem
