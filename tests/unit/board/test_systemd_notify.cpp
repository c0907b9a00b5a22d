// SPDX-License-Identifier: Apache-2.0
// SystemdNotifier against a real AF_UNIX datagram socket named in NOTIFY_SOCKET.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "fault_hooks.hpp"
#include "systemd_notify.hpp"

using cunxin::app::parse_watchdog_env;
using cunxin::app::SystemdNotifier;
using namespace std::chrono_literals;

namespace {

/// A bound datagram socket playing systemd's part; path or abstract ("@name").
class FakeSystemd {
public:
    explicit FakeSystemd(const std::string& name) : name_(name) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        REQUIRE(name.size() < sizeof(addr.sun_path));
        std::memcpy(addr.sun_path, name.data(), name.size());
        auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
        if (name[0] == '@') {
            addr.sun_path[0] = '\0';
        } else {
            len += 1;
        }
        REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0);
    }
    ~FakeSystemd() {
        ::close(fd_);
        if (name_[0] == '/') ::unlink(name_.c_str());
    }
    FakeSystemd(const FakeSystemd&) = delete;
    FakeSystemd& operator=(const FakeSystemd&) = delete;

    /// Next datagram, or nullopt after 2 s.
    std::optional<std::string> receive() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1) return std::nullopt;
        char buf[4096];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }

private:
    std::string name_;
    int fd_ = -1;
};

/// Sets an environment variable for one scope and restores the old value.
class EnvVar {
public:
    EnvVar(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~EnvVar() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

std::string temp_socket_path() {
    return (std::filesystem::temp_directory_path() /
            ("cunxin-notify-" + std::to_string(::getpid()) + ".sock"))
        .string();
}

}  // namespace

TEST_CASE("notifier sends READY, WATCHDOG, STATUS, STOPPING to a path socket from NOTIFY_SOCKET") {
    const auto path = temp_socket_path();
    ::unlink(path.c_str());
    FakeSystemd systemd(path);
    EnvVar socket_env("NOTIFY_SOCKET", path.c_str());
    EnvVar usec_env("WATCHDOG_USEC", "30000000");
    const auto pid = std::to_string(::getpid());
    EnvVar pid_env("WATCHDOG_PID", pid.c_str());

    auto n = SystemdNotifier::from_env();
    REQUIRE(n.enabled());
    REQUIRE(n.watchdog_interval().has_value());
    CHECK(*n.watchdog_interval() == 30s);
    CHECK(*n.keepalive_period() == 15s);

    CHECK(n.ready());
    CHECK(systemd.receive() == std::optional<std::string>("READY=1"));
    CHECK(n.watchdog());
    CHECK(systemd.receive() == std::optional<std::string>("WATCHDOG=1"));
    CHECK(n.status("3 modems ready\nqueue 12"));
    CHECK(systemd.receive() == std::optional<std::string>("STATUS=3 modems ready queue 12"));
    CHECK(n.extend_timeout(90s));
    CHECK(systemd.receive() == std::optional<std::string>("EXTEND_TIMEOUT_USEC=90000000"));
    CHECK(n.stopping());
    CHECK(systemd.receive() == std::optional<std::string>("STOPPING=1"));

    SUBCASE("moved-from notifier is disabled, moved-to one keeps sending") {
        SystemdNotifier moved = std::move(n);
        CHECK_FALSE(n.enabled());  // NOLINT(bugprone-use-after-move): documented state
        CHECK_FALSE(n.ready());
        CHECK(moved.watchdog());
        CHECK(systemd.receive() == std::optional<std::string>("WATCHDOG=1"));
    }
}

TEST_CASE("notifier reaches an abstract socket given as @name") {
    const std::string name = "@cunxin-notify-test-" + std::to_string(::getpid());
    FakeSystemd systemd(name);
    EnvVar socket_env("NOTIFY_SOCKET", name.c_str());
    auto n = SystemdNotifier::from_env();
    REQUIRE(n.enabled());
    CHECK(n.ready());
    CHECK(systemd.receive() == std::optional<std::string>("READY=1"));
}

TEST_CASE("many keep-alives in a row all arrive") {
    const auto path = temp_socket_path();
    ::unlink(path.c_str());
    FakeSystemd systemd(path);
    SystemdNotifier n(path, 2s);
    for (int i = 0; i < 50; ++i) {
        CAPTURE(i);
        REQUIRE(n.watchdog());
        REQUIRE(systemd.receive() == std::optional<std::string>("WATCHDOG=1"));
    }
}

TEST_CASE("without NOTIFY_SOCKET every call is a harmless no-op") {
    EnvVar socket_env("NOTIFY_SOCKET", nullptr);
    EnvVar usec_env("WATCHDOG_USEC", nullptr);
    auto n = SystemdNotifier::from_env();
    CHECK_FALSE(n.enabled());
    CHECK_FALSE(n.ready());
    CHECK_FALSE(n.watchdog());
    CHECK_FALSE(n.watchdog_interval().has_value());
    CHECK_FALSE(n.keepalive_period().has_value());
}

TEST_CASE("a socket nobody listens on reports failure instead of throwing") {
    const auto path = temp_socket_path() + ".absent";
    ::unlink(path.c_str());
    SystemdNotifier n(path);
    CHECK(n.enabled());
    CHECK_FALSE(n.ready());
}

TEST_CASE("unsupported NOTIFY_SOCKET forms (vsock, relative) disable the notifier") {
    CHECK_FALSE(SystemdNotifier("vsock:2:1234").enabled());
    CHECK_FALSE(SystemdNotifier("relative/path").enabled());
}

TEST_CASE("WATCHDOG_USEC / WATCHDOG_PID parsing") {
    struct Row {
        const char* usec;
        const char* pid;
        long own_pid;
        std::optional<std::chrono::microseconds> want;
    };
    const Row rows[] = {
        {"30000000", nullptr, 42, std::chrono::microseconds(30000000)},
        {"30000000", "42", 42, std::chrono::microseconds(30000000)},
        {"30000000", "43", 42, std::nullopt},  // meant for another process
        {nullptr, "42", 42, std::nullopt},
        {"0", nullptr, 42, std::nullopt},
        {"", nullptr, 42, std::nullopt},
        {"30s", nullptr, 42, std::nullopt},
        {"-5", nullptr, 42, std::nullopt},
        {"30000000", "x42", 42, std::nullopt},
        {"1", nullptr, 42, std::chrono::microseconds(1)},
    };
    for (const auto& r : rows) {
        CAPTURE(r.usec == nullptr ? "(unset)" : r.usec);
        CAPTURE(r.pid == nullptr ? "(unset)" : r.pid);
        CHECK(parse_watchdog_env(r.usec, r.pid, r.own_pid) == r.want);
    }
}

TEST_CASE("test-daemon fault hook CUNXIN_FAULT_HANG_CORE_AFTER_MS: only a plain millisecond count arms it") {
    using cunxin::app::parse_fault_hang_after;
    CHECK(parse_fault_hang_after("5000") == std::optional(std::chrono::milliseconds(5000)));
    CHECK(parse_fault_hang_after("0") == std::optional(std::chrono::milliseconds(0)));
    CHECK(parse_fault_hang_after("86400000") == std::optional(std::chrono::milliseconds(86400000)));
    CHECK_FALSE(parse_fault_hang_after(nullptr));  // unset
    CHECK_FALSE(parse_fault_hang_after(""));
    CHECK_FALSE(parse_fault_hang_after("5s"));
    CHECK_FALSE(parse_fault_hang_after("-1"));
    CHECK_FALSE(parse_fault_hang_after(" 5"));
    CHECK_FALSE(parse_fault_hang_after("86400001"));
    CHECK_FALSE(parse_fault_hang_after("99999999999999999999999"));
}
