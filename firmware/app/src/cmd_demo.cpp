// SPDX-License-Identifier: Apache-2.0
// `cunxin demo [--listen HOST:PORT] [--data-dir DIR] [--latency-ms MS] [--reply-every S]
//              [--modemsim PATH]`:
// the whole appliance on four simulated modems, with sample villages, contacts and groups, and
// replies arriving over time. The modems are simulated by the separate program cunxin-modemsim
// (a development tool, never packaged): this command starts it, opens its ptys through the real
// serial path as it would open USB modems, and injects the sample replies through the
// simulator's control port. The `cunxin` binary itself contains no simulator code.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <cunxin/log.hpp>
#include <cunxin/store/database.hpp>

#include "appliance.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "demo_data.hpp"
#include "paths.hpp"

namespace cunxin::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kSimulatorName = "cunxin-modemsim";
constexpr int kModems = 4;

/// The simulator program: the one given, else next to this binary, else in the build tree.
// (build/firmware/app/cunxin -> build/tools/modemsim/cunxin-modemsim)
fs::path find_simulator(const std::string& given) {
    std::vector<fs::path> tried;
    if (!given.empty()) {
        tried.emplace_back(given);
    } else {
        std::error_code ec;
        const fs::path self = fs::read_symlink("/proc/self/exe", ec);
        if (!ec) {
            tried.push_back(self.parent_path() / kSimulatorName);
            tried.push_back((self.parent_path() / ".." / ".." / "tools" / "modemsim" / kSimulatorName)
                                .lexically_normal());
        }
    }
    for (const auto& p : tried) {
        if (::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p)) return p;
    }
    std::string where;
    for (const auto& p : tried) where += "\n  " + p.string();
    throw std::runtime_error(
        "找不到模拟器程序 cunxin-modemsim。演示模式用它模拟短信猫；它只在源码构建目录里，"
        "不随安装包提供。请在源码目录运行 tools/setup.sh demo，"
        "或先 cmake --build build --target cunxin-modemsim，再用 --modemsim 指定它的路径。\n"
        "cunxin-modemsim not found. The demo simulates its modems with it; it is built in the "
        "source tree and not shipped in the package. Run tools/setup.sh demo from the source tree, "
        "or build it (cmake --build build --target cunxin-modemsim) and pass --modemsim PATH.\n"
        "looked for:" +
        where);
}

/// cunxin-modemsim as a child process: started, its ready line read, stopped with us.
// It dies with this process (PR_SET_PDEATHSIG) even on kill -9, and sits in its own process
// group so a Ctrl-C stops the appliance first and the modems after it.
class SimulatorProcess {
public:
    SimulatorProcess(const fs::path& program, const std::vector<std::string>& options) {
        std::vector<std::string> args{program.string()};
        args.insert(args.end(), options.begin(), options.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("demo: pipe: " + std::string(std::strerror(errno)));
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ < 0) {
            ::close(fds[0]);
            ::close(fds[1]);
            throw std::runtime_error("demo: fork: " + std::string(std::strerror(errno)));
        }
        if (pid_ == 0) {
            // Child: only async-signal-safe calls until exec.
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) ::_exit(1);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::dup2(fds[1], 1);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        out_ = fds[0];
        read_ready_line(program);
    }
    ~SimulatorProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            const auto deadline = Clock::now() + 5s;
            while (::waitpid(pid_, &status, WNOHANG) == 0) {
                if (Clock::now() > deadline) {
                    ::kill(pid_, SIGKILL);
                    ::waitpid(pid_, &status, 0);
                    break;
                }
                std::this_thread::sleep_for(20ms);
            }
        }
        if (out_ >= 0) ::close(out_);
    }
    SimulatorProcess(const SimulatorProcess&) = delete;
    SimulatorProcess& operator=(const SimulatorProcess&) = delete;

    pid_t pid() const { return pid_; }
    /// The simulator's ready line: {"modems":[{"path","model",...}],"control":"127.0.0.1:P"}.
    const nlohmann::json& ready() const { return ready_; }

private:
    void read_ready_line(const fs::path& program) {
        std::string line;
        const auto deadline = Clock::now() + 20s;
        while (line.find('\n') == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{out_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
                throw std::runtime_error("demo: " + program.string() + " did not report ready within 20 s");
            }
            char buf[4096];
            const auto n = ::read(out_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                int status = 0;
                ::waitpid(pid_, &status, 0);
                pid_ = -1;
                throw std::runtime_error("demo: " + program.string() + " exited before it was ready (" +
                                         (WIFEXITED(status) ? "status " + std::to_string(WEXITSTATUS(status))
                                                            : "signal " + std::to_string(WTERMSIG(status))) +
                                         "; see its message above)");
            }
            line.append(buf, static_cast<std::size_t>(n));
        }
        ready_ = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
        if (!ready_.is_object() || !ready_.contains("modems") || !ready_["modems"].is_array() ||
            !ready_.contains("control") || !ready_["control"].is_string()) {
            throw std::runtime_error("demo: unexpected ready line from " + program.string() + ": " + line);
        }
    }

    pid_t pid_ = -1;
    int out_ = -1;
    nlohmann::json ready_;
};

/// One JSON-lines exchange with the simulator's control port; a discarded value on failure.
nlohmann::json control_request(int port, const nlohmann::json& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nlohmann::json(nlohmann::json::value_t::discarded);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    const std::string line = request.dump() + "\n";
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
        const auto deadline = Clock::now() + 5s;
        while (reply.find('\n') == std::string::npos && Clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 200) != 1) continue;
            char buf[1024];
            const auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            reply.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return nlohmann::json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
}

/// Sends the sample replies as SMS from the demo's contacts through the control port.
// One about every `every`; on its own thread so the core loop never waits for it.
class ReplyDriver {
public:
    ReplyDriver(int control_port, int modems, std::chrono::seconds every)
        : port_(control_port), modems_(modems), every_(every) {}
    ~ReplyDriver() { stop(); }
    ReplyDriver(const ReplyDriver&) = delete;
    ReplyDriver& operator=(const ReplyDriver&) = delete;

    void start() {
        if (every_.count() <= 0 || thread_.joinable()) return;
        thread_ = std::thread([this] { run(); });
    }
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        std::mt19937 rng(std::random_device{}());
        std::size_t next = 0;
        std::unique_lock lock(mutex_);
        auto wait = std::chrono::seconds(5);
        while (!wake_.wait_for(lock, wait, [this] { return stopping_; })) {
            lock.unlock();
            const auto& contacts = demo_contacts();
            const auto& replies = demo_replies();
            const nlohmann::json inject{{"cmd", "inject"},
                                        {"modem", static_cast<int>(next % static_cast<std::size_t>(modems_))},
                                        {"from", contacts[rng() % contacts.size()].mobile},
                                        {"text", replies[next % replies.size()]}};
            ++next;
            const auto reply = control_request(port_, inject);
            if (!reply.is_object() || reply.value("ok", false) != true) {
                log::warn("demo", "the simulator did not take a sample reply: " +
                                      (reply.is_discarded() ? std::string("no answer") : reply.dump()));
            }
            const int s = static_cast<int>(every_.count());
            const int jitter = s > 2 ? static_cast<int>(rng() % static_cast<unsigned>(s / 2 + 1)) : 0;
            wait = std::chrono::seconds(s + jitter);
            lock.lock();
        }
    }

    int port_;
    int modems_;
    std::chrono::seconds every_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

int control_port_of(const std::string& endpoint) {
    const auto colon = endpoint.rfind(':');
    if (endpoint.rfind("127.0.0.1:", 0) != 0 || colon == std::string::npos) {
        throw std::runtime_error("demo: the simulator's control port is not on 127.0.0.1: " + endpoint);
    }
    return std::stoi(endpoint.substr(colon + 1));
}

}  // namespace

int cmd_demo(const Args& args) {
    Config config;
    config.listen_host = "127.0.0.1";
    config.data_dir = std::filesystem::current_path() / "cunxin-demo";
    int latency_ms = 800;
    int reply_every_s = 30;
    std::string simulator;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--listen") parse_listen(value(), config.listen_host, config.listen_port);
        else if (args[i] == "--data-dir") config.data_dir = value();
        else if (args[i] == "--latency-ms") latency_ms = std::stoi(value());
        else if (args[i] == "--reply-every") reply_every_s = std::stoi(value());
        else if (args[i] == "--modemsim") simulator = value();
        else {
            std::fputs("usage: cunxin demo [--listen HOST:PORT] [--data-dir DIR] [--latency-ms MS] "
                       "[--reply-every SECONDS] [--modemsim PATH]\n",
                       stderr);
            return 2;
        }
    }
    const fs::path program = find_simulator(simulator);
    // Demo SIMs may send faster than real ones: a broadcast finishes while one watches.
    config.sim_limits = {60, 600, 2000};
    config.utc_offset_minutes = 480;
    // One official on duty (a simulated number): urgent replies show as alerts on the dashboard.
    config.alerts.duty = {{"值班员（演示）", "+8613900000000", "值班"}};
    config.alerts.quiet_hours.reset();
    config.alerts.kinds = {messaging::AlertKind::UrgentReply};  // only urgent replies text the demo's duty phone

    // Everything the appliance writes (database, -wal/-shm, uploads, backups, TLS files) is
    // private whatever umask it was started with; files meant for others get explicit modes.
    ::umask(077);
    prepare_data_dir(config.data_dir);
    {
        auto db = store::Database::open(database_path(config.data_dir).string());
        if (!db) throw std::runtime_error("demo: cannot open the database: " + db.error().detail);
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        if (seed_demo(*db, now)) log::info("demo", "sample villages, contacts and groups created");
    }

    // Four modems of three makes (two Quectel, one SIMCom, one Huawei stick).
    SimulatorProcess sim(program, {"--modems", std::to_string(kModems), "--latency-ms",
                                   std::to_string(latency_ms), "--command-latency-ms", "5", "--profile",
                                   "ec25,sim7600,ec25,e3372", "--control", "127.0.0.1:0"});
    const std::string control = sim.ready()["control"].get<std::string>();
    log::info("demo", "simulator " + program.string() + " (pid " + std::to_string(sim.pid()) +
                          "), control port " + control);
    for (const auto& m : sim.ready()["modems"]) {
        const std::string path = m.value("path", "");
        if (path.empty()) throw std::runtime_error("demo: the simulator reported a modem without a pty");
        config.modems.push_back(path);
        log::info("demo", "simulated " + m.value("manufacturer", "") + " " + m.value("model", "") + " (" +
                              m.value("operator", "") + ") on " + path);
    }

    ReplyDriver replies(control_port_of(control), static_cast<int>(config.modems.size()),
                        std::chrono::seconds(reply_every_s));
    ApplianceHooks hooks;
    hooks.banner = "demo: panel on http://" + config.listen_host + ":" +
                   std::to_string(config.listen_port) + "/ — data in " + config.data_dir.string();
    // Replies from the sample contacts start once the appliance is up.
    hooks.started = [&replies] { replies.start(); };
    const int rc = run_appliance(config, hooks);
    replies.stop();
    return rc;  // the simulator stops with `sim`
}

}  // namespace cunxin::app
