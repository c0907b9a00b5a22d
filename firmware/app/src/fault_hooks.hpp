// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Fault injection for tests only: compiled into the test daemon `cunxin-fault-test`
/// (CUNXIN_FAULT_HOOKS, tests/unit/board), never into the `cunxin` binary or the package.

#include <chrono>
#include <optional>

namespace cunxin::app {

/// The value of CUNXIN_FAULT_HANG_CORE_AFTER_MS (milliseconds, a decimal integer from 0 to a
/// day); nullopt when unset or malformed. The test daemon's core loop blocks that long after
/// start-up, so a test sees systemd's watchdog act on a real hang.
std::optional<std::chrono::milliseconds> parse_fault_hang_after(const char* value);

/// Blocks the calling thread for good (the injected hang); only a signal ends it.
[[noreturn]] void hang_forever();

}  // namespace cunxin::app
