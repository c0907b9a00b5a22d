// SPDX-License-Identifier: Apache-2.0
#pragma once
/// systemd's sd_notify protocol spoken directly on $NOTIFY_SOCKET (no libsystemd needed).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cunxin::app {

/// Tells systemd (Type=notify) that the daemon is ready, alive (watchdog) and what it does.
/// Every call is a no-op returning false when not started by systemd (no NOTIFY_SOCKET).
/// Use from the core thread: ready() once the database is open and the listener bound;
/// a steady_timer on the core io_context calling watchdog() every keepalive_period()
/// (so a stuck loop stops the keep-alives); status() on changes; stopping() on SIGTERM.
class SystemdNotifier {
public:
    /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
    static SystemdNotifier from_env();
    /// A notifier for an explicit socket path ("/run/..." or "@abstract"); empty = disabled.
    explicit SystemdNotifier(std::string socket_path = {},
                             std::optional<std::chrono::microseconds> watchdog = std::nullopt);
    ~SystemdNotifier();
    SystemdNotifier(SystemdNotifier&& other) noexcept;
    SystemdNotifier& operator=(SystemdNotifier&& other) noexcept;
    SystemdNotifier(const SystemdNotifier&) = delete;
    SystemdNotifier& operator=(const SystemdNotifier&) = delete;

    /// True when a notify socket is configured.
    bool enabled() const { return !socket_path_.empty(); }
    /// READY=1: start-up finished (send once the database and the listener are up).
    bool ready();
    /// WATCHDOG=1: keep-alive; send from the core loop every keepalive_period().
    bool watchdog();
    /// STATUS=...: one line shown by `systemctl status cunxin`.
    bool status(std::string text);
    /// STOPPING=1: orderly shutdown began.
    bool stopping();
    /// EXTEND_TIMEOUT_USEC=...: ask for more start-up time (long migration).
    bool extend_timeout(std::chrono::microseconds extra);
    /// WatchdogSec= of the unit, when the watchdog is on for this process.
    std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }
    /// How often to send WATCHDOG=1: half the interval, as sd_watchdog_enabled(3) advises.
    std::optional<std::chrono::microseconds> keepalive_period() const;
    /// Sends one raw datagram of NAME=VALUE lines; false if it could not be sent.
    bool send(std::string_view state);

private:
    std::string socket_path_;
    std::optional<std::chrono::microseconds> watchdog_;
    int fd_ = -1;
};

/// Parses WATCHDOG_USEC/WATCHDOG_PID as systemd sets them; nullopt if absent, invalid,
/// zero, or meant for another process (WATCHDOG_PID != own_pid).
std::optional<std::chrono::microseconds> parse_watchdog_env(const char* usec, const char* pid,
                                                            long own_pid);

}  // namespace cunxin::app
