// SPDX-License-Identifier: Apache-2.0
// Plays systemd for `cunxin run`: a notify socket, WATCHDOG_USEC, the keep-alives, and the
// restart of a daemon whose core event loop really hangs while its HTTP threads still answer.
// The hang comes from the test daemon cunxin-fault-test (the same sources as cunxin, plus the
// hook CUNXIN_FAULT_HANG_CORE_AFTER_MS); the restart runs the production cunxin, which has no
// such hook (checked here too).
// Exit 0 pass, 1 fail, 77 skipped (binary without `run` or without the notifier).
// Cross builds pass the emulator first (qemu-aarch64-static ...): every run of the daemon goes
// through it, so no binfmt_misc registration is needed.
// usage: daemon_watchdog [EMULATOR [OPTIONS]] CUNXIN_FAULT_TEST_BINARY CUNXIN_BINARY
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kWatchdog = 3s;  // WatchdogSec the "unit" gives the daemon
constexpr int kHangAfterMs = 8000;  // the fault hook blocks the core loop this long after start

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
    if (!ok) ++failures;
}

/// The supervisor's notify socket.
struct NotifySocket {
    int fd = -1;
    std::string path;
    explicit NotifySocket(std::string p) : path(std::move(p)) {
        fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        ::unlink(path.c_str());
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            std::perror("notify socket");
            std::exit(1);
        }
    }
    ~NotifySocket() {
        ::close(fd);
        ::unlink(path.c_str());
    }
    /// Next datagram before `deadline`, or nullopt.
    std::optional<std::string> next(Clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) != 1) return std::nullopt;
        char buf[4096];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }
};

bool has_line(const std::string& msg, const std::string& line) {
    std::size_t pos = 0;
    while (pos <= msg.size()) {
        auto nl = msg.find('\n', pos);
        if (msg.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos) == line) return true;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return false;
}

/// The emulator (cross builds) and its options, put before the daemon's binary; else empty.
std::vector<std::string> emulator;

pid_t start(const std::string& binary, const fs::path& dir, const std::string& notify, int port,
            bool hang = false) {
    std::vector<std::string> args = emulator;
    for (const std::string& a : {binary, std::string("run"), std::string("--config"), (dir / "config.json").string(),
                                 std::string("--data-dir"), (dir / "data").string(), std::string("--listen"),
                                 "127.0.0.1:" + std::to_string(port)}) {
        args.push_back(a);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // SIGABRT would dump core; the supervisor's kill must not leave a core file behind.
        const rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        if (hang) {
            ::setenv("CUNXIN_FAULT_HANG_CORE_AFTER_MS", std::to_string(kHangAfterMs).c_str(), 1);
        } else {
            ::unsetenv("CUNXIN_FAULT_HANG_CORE_AFTER_MS");
        }
        const std::string usec = std::to_string(std::chrono::microseconds(kWatchdog).count());
        ::setenv("NOTIFY_SOCKET", notify.c_str(), 1);
        ::setenv("WATCHDOG_USEC", usec.c_str(), 1);
        ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
        const int log = ::open((dir / "daemon.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (log >= 0) {
            ::dup2(log, 1);
            ::dup2(log, 2);
        }
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

/// Waits for READY=1; returns false if the daemon exited or took too long.
bool wait_ready(NotifySocket& s, pid_t pid, std::chrono::seconds limit, bool& exited) {
    const auto deadline = Clock::now() + limit;
    exited = false;
    while (Clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            return false;
        }
        if (auto m = s.next(std::min(deadline, Clock::now() + 200ms)); m && has_line(*m, "READY=1")) return true;
    }
    return false;
}

/// Counts WATCHDOG=1 datagrams during `span`; `max_gap` gets the longest silence
/// (from the start, between keep-alives, and to the end).
int count_keepalives(NotifySocket& s, std::chrono::milliseconds span,
                     Clock::duration* max_gap = nullptr) {
    const auto start = Clock::now();
    const auto deadline = start + span;
    auto last = start;
    Clock::duration gap{};
    int n = 0;
    while (auto m = s.next(deadline)) {
        if (has_line(*m, "WATCHDOG=1")) {
            ++n;
            gap = std::max(gap, Clock::now() - last);
            last = Clock::now();
        }
    }
    gap = std::max(gap, Clock::now() - last);
    if (max_gap != nullptr) *max_gap = gap;
    return n;
}

std::string ms(Clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

void stop(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

/// One HTTP/1.1 request to the daemon on 127.0.0.1; returns the status code (0: no answer
/// within `limit`) and the body in `body`.
int http(int port, const std::string& method, const std::string& target, const std::string& token,
         const std::string& json, std::string& body, std::chrono::seconds limit = 10s) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    std::unique_ptr<int, void (*)(int*)> guard(new int(fd), [](int* p) {
        ::close(*p);
        delete p;
    });
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 0;
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!json.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(json.size()) + "\r\n\r\n" + json;
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return 0;
    std::string all;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) != 1) break;
        char buf[4096];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        all.append(buf, static_cast<std::size_t>(n));
    }
    if (all.rfind("HTTP/1.1 ", 0) != 0 || all.size() < 12) return 0;
    const auto head_end = all.find("\r\n\r\n");
    body = head_end == std::string::npos ? std::string() : all.substr(head_end + 4);
    return std::atoi(all.c_str() + 9);
}

/// Runs `cunxin token create` on the data directory; the new bearer token, or "".
std::string create_token(const std::string& binary, const fs::path& dir) {
    std::string prefix;
    for (const auto& word : emulator) prefix += "'" + word + "' ";
    const std::string cmd = prefix + "'" + binary + "' token create --data-dir '" + (dir / "data").string() +
                            "' --name watchdog-test --role operator 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return {};
    char line[512] = {};
    const bool got = std::fgets(line, sizeof line, p) != nullptr;
    ::pclose(p);
    std::string token = got ? line : "";
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return token;
}

/// The daemon log from byte `offset` on.
std::string log_since(const fs::path& dir, std::uintmax_t offset) {
    std::ifstream in(dir / "daemon.log");
    in.seekg(static_cast<std::streamoff>(offset));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string tail_log(const fs::path& dir) {
    std::ifstream in(dir / "daemon.log");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: daemon_watchdog [EMULATOR [OPTIONS]] CUNXIN_FAULT_TEST_BINARY CUNXIN_BINARY\n");
        return 1;
    }
    const std::string faulty = argv[argc - 2];
    const std::string binary = argv[argc - 1];
    emulator.assign(argv + 1, argv + argc - 2);
    {
        auto image_of = [](const std::string& path) {
            std::ifstream in(path, std::ios::binary);
            return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        };
        const std::string image = image_of(binary);
        // The notifier is linked in only once `cunxin run` uses it (static library).
        if (image.find("WATCHDOG=1") == std::string::npos) {
            std::printf("cunxin does not use SystemdNotifier yet: skipped\n");
            return 77;
        }
        if (image_of(faulty).find("CUNXIN_FAULT_HANG_CORE_AFTER_MS") == std::string::npos) {
            std::printf("FAIL: %s lacks the fault hook CUNXIN_FAULT_HANG_CORE_AFTER_MS\n", faulty.c_str());
            return 1;
        }
        if (image.find("CUNXIN_FAULT_") != std::string::npos) {
            std::printf("FAIL: the production %s reads a CUNXIN_FAULT_ variable\n", binary.c_str());
            return 1;
        }
    }
    const fs::path dir = fs::temp_directory_path() / ("cunxin-watchdog-" + std::to_string(::getpid()));
    fs::create_directories(dir / "data");
    std::ofstream(dir / "config.json") << "{\"log_level\": \"info\"}\n";
    NotifySocket sock((dir / "notify.sock").string());
    const int port = 20000 + static_cast<int>(::getpid() % 20000);
    const std::string token = create_token(binary, dir);
    if (token.empty()) {
        std::printf("FAIL: `cunxin token create` gave no token\n");
        fs::remove_all(dir);
        return 1;
    }

    // 1) Start the test daemon with the fault hook armed: READY=1, then keep-alives at least
    //    every WatchdogSec.
    const auto started = Clock::now();
    pid_t pid = start(faulty, dir, sock.path, port, /*hang=*/true);
    bool exited = false;
    if (!wait_ready(sock, pid, 60s, exited)) {
        const std::string log = tail_log(dir);
        if (!exited) stop(pid);
        if (log.find("unknown command") != std::string::npos) {
            std::printf("cunxin has no `run` command yet: skipped\n");
            fs::remove_all(dir);
            return 77;
        }
        std::printf("FAIL: no READY=1 (daemon %s)\n%s\n", exited ? "exited" : "hung", log.c_str());
        fs::remove_all(dir);
        return 1;
    }
    check(true, "READY=1 received");
    Clock::duration gap{};
    const int alive = count_keepalives(sock, 4000ms, &gap);
    check(alive >= 2 && gap < kWatchdog,
          "keep-alives in 4 s: " + std::to_string(alive) + ", longest silence " + ms(gap));
    // Data written through the API (HTTP thread -> core loop -> SQLite) before the hang.
    std::string body;
    const int created = http(port, "POST", "/api/v1/contacts", token,
                             R"({"name": "王五", "mobile": "13900139000"})", body);
    check(created == 201, "contact created before the hang: HTTP " + std::to_string(created) + " " + body);

    // 2) Supervise as systemd does: a keep-alive must come within WatchdogSec of the last one.
    //    The hook blocks the core loop kHangAfterMs after start; the keep-alives must stop.
    auto last = Clock::now();
    bool timed_out = false;
    const auto supervise_until = started + std::chrono::milliseconds(kHangAfterMs) + 20s;
    while (Clock::now() < supervise_until) {
        auto m = sock.next(std::min(supervise_until, last + kWatchdog));
        if (m) {
            if (has_line(*m, "WATCHDOG=1")) last = Clock::now();
            continue;
        }
        if (Clock::now() - last >= kWatchdog) {
            timed_out = true;
            break;
        }
    }
    const auto detected = Clock::now() - started;
    check(timed_out, "watchdog timeout: no keep-alive for WatchdogSec after the hang, detected " +
                         ms(detected) + " after start");
    check(detected >= std::chrono::milliseconds(kHangAfterMs),
          "the keep-alives stopped only after the hook fired (" + std::to_string(kHangAfterMs) + " ms)");
    check(tail_log(dir).find("fault injection: core loop hangs now") != std::string::npos,
          "daemon log shows the core loop hanging");
    // The HTTP threads still run: a hung core loop alone must stop the keep-alives.
    const int health = http(port, "GET", "/api/v1/health", "", "", body);
    check(health == 200, "HTTP threads still answer /api/v1/health during the hang: HTTP " +
                             std::to_string(health));
    const int during_hang = count_keepalives(sock, 1000ms);
    check(during_hang == 0, "no keep-alive from the hung loop: " + std::to_string(during_hang));
    // systemd's action on a watchdog timeout: SIGABRT (WatchdogSignal=), SIGKILL after a grace.
    ::kill(pid, SIGABRT);
    int status = 0;
    pid_t r = 0;
    const auto abort_deadline = Clock::now() + 10s;
    while ((r = ::waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() < abort_deadline) ::usleep(20000);
    check(r == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
          "the hung daemon ends on SIGABRT");
    if (r != pid) stop(pid);

    // 3) Restart (Restart=on-failure) on the same data directory: the production binary, with
    //    the fault variable set all the same. It must ignore it: the keep-alives below span the
    //    moment (kHangAfterMs after start) the test daemon hung at.
    const auto restarted = Clock::now();
    const auto log_before_restart = fs::file_size(dir / "daemon.log");
    pid = start(binary, dir, sock.path, port, /*hang=*/true);
    const bool again = wait_ready(sock, pid, 60s, exited);
    check(again, "READY=1 after the restart");
    if (again) {
        const int alive2 = count_keepalives(sock, 3 * kWatchdog, &gap);
        check(alive2 >= 3 && gap < kWatchdog, "keep-alives after the restart: " + std::to_string(alive2) +
                                                  ", longest silence " + ms(gap));
        check(Clock::now() - restarted > std::chrono::milliseconds(kHangAfterMs) + 500ms,
              "the production daemon kept its keep-alives past the hang time of the fault variable");
        check(log_since(dir, log_before_restart).find("fault injection") == std::string::npos,
              "the production daemon logged no fault injection");
        const int listed = http(port, "GET", "/api/v1/contacts", token, "", body);
        check(listed == 200 && body.find("13900139000") != std::string::npos,
              "data intact: the contact written before the hang is there (HTTP " + std::to_string(listed) + ")");
        // 4) Orderly stop: SIGTERM ends it with status 0 within the unit's TimeoutStopSec.
        ::kill(pid, SIGTERM);
        const auto deadline = Clock::now() + 30s;
        while ((r = ::waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() < deadline) ::usleep(50000);
        check(r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "SIGTERM: clean exit");
        if (r != pid) stop(pid);
    } else if (!exited) {
        stop(pid);
    }
    if (failures > 0) std::printf("daemon log (tail):\n%s\n", tail_log(dir).c_str());
    fs::remove_all(dir);
    std::printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
