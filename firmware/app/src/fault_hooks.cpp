// SPDX-License-Identifier: Apache-2.0
#include "fault_hooks.hpp"

#include <charconv>
#include <cstring>
#include <system_error>
#include <thread>

namespace cunxin::app {

std::optional<std::chrono::milliseconds> parse_fault_hang_after(const char* value) {
    if (value == nullptr || *value == '\0') return std::nullopt;
    const char* end = value + std::strlen(value);
    unsigned long long ms = 0;
    const auto [ptr, ec] = std::from_chars(value, end, ms);
    // At most a day: a larger value is a typo, not a test.
    if (ec != std::errc{} || ptr != end || ms > 86'400'000ULL) return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(ms));
}

void hang_forever() {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace cunxin::app
