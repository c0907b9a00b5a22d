// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Fault injection for tests only (CUNXIN_FAULT_HOOKS): in cunxin-fault-test, never in cunxin.
// Compiled into the test daemon cunxin-fault-test and unit_board (tests/unit/board); the
// `cunxin` binary and the package contain none of it (board_cunxin_has_no_test_code).

#include <chrono>
#include <optional>

namespace cunxin::app {

/// CUNXIN_FAULT_HANG_CORE_AFTER_MS as a delay (0 to a day); nullopt when unset or malformed.
// The test daemon's core loop blocks that long after start-up, so a test sees systemd's
// watchdog act on a real hang.
std::optional<std::chrono::milliseconds> parse_fault_hang_after(const char* value);

/// Blocks the calling thread for good (the injected hang); only a signal ends it.
[[noreturn]] void hang_forever();

}  // namespace cunxin::app
