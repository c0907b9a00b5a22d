// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The running appliance: one core thread (io_context) owning modems, pool, outbox, inbox,
/// scheduler and the write connection; the HTTP server on its own threads.

#include <functional>
#include <memory>
#include <string>

#include "config.hpp"

namespace cunxin::app {

/// Hooks for `cunxin demo` (sample activity on simulated modems).
struct ApplianceHooks {
    /// Called on the core thread once everything is up; `stop` ends the appliance.
    std::function<void()> started;
    /// Text shown after the setup code line (e.g. where the demo's data lives).
    std::string banner;
};

/// Runs the appliance until SIGTERM/SIGINT; returns the process exit status.
/// Start-up failures (database, listener) throw std::runtime_error.
int run_appliance(const Config& config, const ApplianceHooks& hooks = {});

}  // namespace cunxin::app
