// SPDX-License-Identifier: Apache-2.0
#include "systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace cunxin::app {

namespace {

bool parse_u64(std::string_view text, unsigned long long& out) {
    if (text.empty()) return false;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && ptr == end;
}

}  // namespace

std::optional<std::chrono::microseconds> parse_watchdog_env(const char* usec, const char* pid,
                                                            long own_pid) {
    if (usec == nullptr) return std::nullopt;
    unsigned long long value = 0;
    if (!parse_u64(usec, value) || value == 0) return std::nullopt;
    if (pid != nullptr) {
        unsigned long long target = 0;
        if (!parse_u64(pid, target)) return std::nullopt;
        if (target != static_cast<unsigned long long>(own_pid)) return std::nullopt;
    }
    return std::chrono::microseconds(static_cast<long long>(value));
}

SystemdNotifier SystemdNotifier::from_env() {
    const char* path = std::getenv("NOTIFY_SOCKET");
    auto wd = parse_watchdog_env(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"),
                                 static_cast<long>(::getpid()));
    return SystemdNotifier(path != nullptr ? std::string(path) : std::string(), wd);
}

SystemdNotifier::SystemdNotifier(std::string socket_path,
                                 std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {
    // Only "/path" and "@abstract" are AF_UNIX addresses (vsock is not supported).
    if (!socket_path_.empty() && socket_path_[0] != '/' && socket_path_[0] != '@') {
        socket_path_.clear();
    }
}

SystemdNotifier::~SystemdNotifier() {
    if (fd_ >= 0) ::close(fd_);
}

SystemdNotifier::SystemdNotifier(SystemdNotifier&& other) noexcept
    : socket_path_(std::move(other.socket_path_)),
      watchdog_(other.watchdog_),
      fd_(std::exchange(other.fd_, -1)) {
    other.socket_path_.clear();
}

SystemdNotifier& SystemdNotifier::operator=(SystemdNotifier&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        socket_path_ = std::move(other.socket_path_);
        other.socket_path_.clear();
        watchdog_ = other.watchdog_;
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

bool SystemdNotifier::send(std::string_view state) {
    if (socket_path_.empty()) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path_.size() >= sizeof(addr.sun_path)) return false;
    std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
    // Abstract namespace: '@' stands for a leading NUL; the length excludes any terminator.
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
    if (socket_path_[0] == '@') {
        addr.sun_path[0] = '\0';
    } else {
        len += 1;
    }
    if (fd_ < 0) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return false;
    }
    ssize_t n = 0;
    do {
        n = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&addr), len);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(state.size());
}

bool SystemdNotifier::ready() { return send("READY=1"); }

bool SystemdNotifier::watchdog() { return send("WATCHDOG=1"); }

bool SystemdNotifier::stopping() { return send("STOPPING=1"); }

bool SystemdNotifier::status(std::string text) {
    // A newline would start a new assignment: keep STATUS on one line.
    for (auto& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return send("STATUS=" + text);
}

bool SystemdNotifier::extend_timeout(std::chrono::microseconds extra) {
    return send("EXTEND_TIMEOUT_USEC=" + std::to_string(extra.count()));
}

std::optional<std::chrono::microseconds> SystemdNotifier::keepalive_period() const {
    if (!watchdog_) return std::nullopt;
    return *watchdog_ / 2;
}

}  // namespace cunxin::app
