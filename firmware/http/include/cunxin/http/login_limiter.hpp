// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Back-off for password guesses: per key (an address, or an address and an account), a few
/// free failures, then a lockout that doubles with each further failure up to a cap. Memory is
/// bounded; when full, the oldest entries that no longer lock anything are dropped first and an
/// active lockout is never forgotten. Thread-safe. Time is an argument (steady clock).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cunxin::http {

/// Login back-off table.
class LoginLimiter {
public:
    using Clock = std::chrono::steady_clock;

    /// How one kind of key backs off.
    struct Policy {
        int free_failures = 5;                           ///< failures before the first lockout
        std::chrono::seconds first_delay{2};             ///< lockout after the first extra failure
        std::chrono::seconds max_delay{15 * 60};         ///< the doubling stops here
        std::chrono::seconds forget_after{60 * 60};      ///< an idle, unlocked entry is forgotten
    };

    /// `capacity`: most keys held at once (at least 16).
    explicit LoginLimiter(std::size_t capacity = 10000);

    /// Seconds until `key` may try again (0: it may try now).
    long long wait_seconds(const std::string& key, Clock::time_point now);
    /// Records a failure for `key` under `policy`; returns the seconds it must now wait.
    long long fail(const std::string& key, const Policy& policy, Clock::time_point now);
    /// Forgets `key` (after a success).
    void clear(const std::string& key);
    /// Keys held (tests, diagnostics).
    std::size_t size();

private:
    struct Entry {
        int failures = 0;
        Clock::time_point last{};
        Clock::time_point locked_until{};
        Clock::time_point forget_at{};  ///< after this and the lockout, the entry may go
    };
    /// Makes room for one more key; false when every held key is locked right now.
    bool make_room(Clock::time_point now);

    std::mutex mu_;
    std::size_t capacity_;
    std::unordered_map<std::string, Entry> map_;
    Entry overflow_;  ///< shared by keys that found the table full of active lockouts
};

}  // namespace cunxin::http
