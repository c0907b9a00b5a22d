// SPDX-License-Identifier: Apache-2.0
// bench_pool: M messages through N simulated modems (cunxin::modemsim on ptys) at a fixed
// AT+CMGS latency L; prints achieved messages per second against the physical limit N / L.
// Usage: bench_pool [--latency-ms L] [--per-modem K] [--modems 1,4,16] [--tcp] [--profile] [--gammu]
//                   [--no-floor] [--idle]
// Each run is bounded (K * L * 3 + 20 s). Goal: efficiency >= 99 % for every N.
// The floor (on unless --no-floor or --tcp): the same sends on a fresh simulator by a bare AT loop
// of a few lines (one thread, poll, no pool), printed with the ratio pool / floor: how much of
// the distance to N / L is the pool's and how much the machine's.
// Cores are held out of deep idle while it runs (/dev/cpu_dma_latency = 0, as cyclictest does),
// unless --idle: on a VM a halted vCPU takes ~0.1 ms to wake for each pty hop (four per send),
// which a board's cores (WFI, microseconds) do not; both figures go in the README.
// --profile: where each send's time goes (the pool's AT transcript with times, CPU per send);
// with BENCH_POOL_DUMP=FILE the timed transcript itself is written there.
// --gammu: the same M messages through Debian's gammu-smsd (files backend, one daemon per modem,
// K outbox files each) on a fresh simulator with the same N and L; prints its rate, efficiency
// and the ratio cunxin / gammu. Bounded (K * (L + 5 s) + 60 s); its daemons are killed by PID.

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cunxin/asio.hpp"
#include "cunxin/modem/pool.hpp"
#include "cunxin/modemsim/simulator.hpp"

using namespace cunxin;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// SMS-SUBMIT, UCS2 "bench N" to +86139xxxxxxxx (TS 23.040 §9.2.2.2), built here.
modem::OutgoingSegment segment(std::int64_t id) {
    char digits[32];
    std::snprintf(digits, sizeof digits, "86139%08lld", static_cast<long long>(id));
    std::string d = digits;
    d += 'F';
    std::string da;
    for (std::size_t i = 0; i + 1 < d.size(); i += 2) {
        da += d[i + 1];
        da += d[i];
    }
    std::string text = "bench " + std::to_string(id);
    std::string ud;
    char b[8];
    for (char c : text) {
        std::snprintf(b, sizeof b, "00%02X", static_cast<unsigned char>(c));
        ud += b;
    }
    std::snprintf(b, sizeof b, "%02X", static_cast<unsigned>(ud.size() / 2));
    const std::string tpdu = "11000D91" + da + "0008AA" + b + ud;
    modem::OutgoingSegment s;
    s.segment_id = id;
    s.recipient = std::string("+") + digits;
    s.pdu_hex = "00" + tpdu;
    s.tpdu_length = static_cast<int>(tpdu.size() / 2);
    return s;
}

struct Outbox : modem::WorkSource {
    std::deque<modem::OutgoingSegment> queue;
    int sent = 0;
    int failed = 0;
    Clock::time_point first{};
    Clock::time_point last{};
    std::optional<modem::OutgoingSegment> next_segment(const modem::SimIdentity&,
                                                       std::span<const modem::SimIdentity>) override {
        if (queue.empty()) return std::nullopt;
        auto s = queue.front();
        queue.pop_front();
        return s;
    }
    void mark_sending(std::int64_t, const modem::SimIdentity&, modem::Durable done) override {
        if (first == Clock::time_point{}) first = Clock::now();
        done(true);  // no store here: the mark is "durable" at once
    }
    void mark_sent(std::int64_t, const modem::SimIdentity&, int) override {
        ++sent;
        last = Clock::now();
        done_check();
    }
    void mark_failed(std::int64_t, const modem::SimIdentity&, bool, int, const std::string&) override {
        ++failed;
        last = Clock::now();
        done_check();
    }
    int stop_at = -1;
    asio::io_context* io = nullptr;
    void done_check() {
        if (io != nullptr && sent + failed >= stop_at) io->stop();
    }
    int sent_since(const modem::SimIdentity&, std::chrono::system_clock::time_point) override { return 0; }
};

struct Inbox : modem::InboxSink {
    bool store_incoming_pdu(const modem::SimIdentity&, const std::string&) override { return true; }
    bool store_status_report(const modem::SimIdentity&, const std::string&) override { return true; }
    void network_time(const modem::SimIdentity&, std::chrono::system_clock::time_point, int) override {}
};

struct Figures {
    int sent = 0;
    int failed = 0;
    double seconds = 0;
    double rate = 0;
    double limit = 0;
    double efficiency = 0;
    bool complete = false;
};

// --profile: the pool's AT transcript with times, split into the phases of each send.
struct TraceLine {
    Clock::time_point t;
    std::string text;
};
std::vector<TraceLine> g_trace;

void print_profile(const std::vector<TraceLine>& trace, std::chrono::milliseconds latency) {
    // Lines look like "[modem /dev/pts/7] > AT+CMGS=29"; group them by modem.
    std::map<std::string, std::vector<TraceLine>> by_modem;
    for (const auto& l : trace) {
        auto close = l.text.find("] ");
        if (close == std::string::npos) continue;
        by_modem[l.text.substr(0, close + 1)].push_back({l.t, l.text.substr(close + 2)});
    }
    double prompt = 0, beyond = 0, gap = 0;
    int np = 0, nb = 0, ng = 0;
    double prompt_max = 0, beyond_max = 0, gap_max = 0;
    Clock::time_point first_start = Clock::time_point::max(), last_start{}, first_end = Clock::time_point::max(),
                      last_end{};
    int min_sends = 1 << 30, max_sends = 0;
    for (const auto& [who, lines] : by_modem) {
        Clock::time_point cmgs{}, pdu{}, answered{}, start{};
        int sends = 0;
        for (const auto& l : lines) {
            auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
            if (l.text.rfind("> AT+CMGS=", 0) == 0) {
                cmgs = l.t;
                if (start == Clock::time_point{}) start = l.t;
                if (answered != Clock::time_point{}) {
                    gap += us(l.t - answered);
                    gap_max = std::max(gap_max, us(l.t - answered));
                    ++ng;
                }
            } else if (l.text == "< > " && cmgs != Clock::time_point{}) {
                prompt += us(l.t - cmgs);
                prompt_max = std::max(prompt_max, us(l.t - cmgs));
                ++np;
            } else if (l.text.size() > 4 && l.text.compare(l.text.size() - 2, 2, "^Z") == 0) {
                pdu = l.t;
            } else if (l.text == "< OK" && pdu != Clock::time_point{}) {
                const double b = us(l.t - pdu) - std::chrono::duration<double, std::micro>(latency).count();
                beyond += b;
                beyond_max = std::max(beyond_max, b);
                ++nb;
                answered = l.t;
                pdu = {};
                ++sends;
            }
        }
        if (start == Clock::time_point{}) continue;
        min_sends = std::min(min_sends, sends);
        max_sends = std::max(max_sends, sends);
        first_start = std::min(first_start, start);
        last_start = std::max(last_start, start);
        first_end = std::min(first_end, answered);
        last_end = std::max(last_end, answered);
    }
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    if (last_end != Clock::time_point{}) {
        std::printf("         window %.3f ms: first AT+CMGS of each modem within %.3f ms, last OK of each within %.3f ms, "
                    "%d..%d sends per modem\n",
                    ms(last_end - first_start), ms(last_start - first_start), ms(last_end - first_end), min_sends,
                    max_sends);
    }
    std::printf("         per send (mean/max us): AT+CMGS->prompt %.0f/%.0f, PDU->OK beyond L %.0f/%.0f, "
                "OK->next AT+CMGS %.0f/%.0f\n",
                np ? prompt / np : 0, prompt_max, nb ? beyond / nb : 0, beyond_max, ng ? gap / ng : 0, gap_max);
}

// The machine is shared: figures go with its load (1, 5, 15 min), as /proc/loadavg gives it.
std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

double cpu_seconds(int who) {
    rusage ru{};
    ::getrusage(who, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

Figures run(int n, int per_modem, std::chrono::milliseconds latency, bool tcp, bool profile) {
    modemsim::Config sc;
    sc.modems = n;
    sc.cmgs_latency = latency;
    sc.modem.resize(static_cast<std::size_t>(n));
    for (auto& m : sc.modem) m.tcp = tcp;
    modemsim::Simulator sim(sc);
    sim.start();

    asio::io_context io;
    Outbox outbox;
    Inbox inbox;
    modem::PoolConfig pc;
    pc.limits = {0, 0, 0};  // the benchmark measures the modems, not the carriers' limits
    pc.modem.cmgs_timeout = latency * 10 + 2s;
    pc.modem.health_interval = 3600s;  // keep polls out of the measured window
    pc.modem.drain_interval = 3600s;
    if (profile) {
        pc.modem.transcript = true;
        pc.log = [](std::string_view l) { g_trace.push_back({Clock::now(), std::string(l)}); };
    }
    modem::ModemPool pool(io.get_executor(), pc, outbox, inbox);
    for (const auto& m : sim.modems()) {
        pool.add_port(tcp ? "tcp:127.0.0.1:" + std::to_string(m.tcp_port) : m.pty_path);
    }
    auto until = Clock::now() + 20s;
    while (pool.ready_count() < n && Clock::now() < until) {
        io.restart();
        io.run_for(10ms);
    }
    Figures f;
    if (pool.ready_count() < n) {
        std::fprintf(stderr, "bench_pool: only %d of %d modems ready\n", pool.ready_count(), n);
        return f;
    }
    const int m = n * per_modem;
    g_trace.clear();
    const double cpu_thread0 = cpu_seconds(RUSAGE_THREAD), cpu_self0 = cpu_seconds(RUSAGE_SELF);
    for (int i = 1; i <= m; ++i) outbox.queue.push_back(segment(i));
    pool.wake();
    // The loop runs undisturbed until the last answer (the outbox stops it) or the bound: no
    // polling of our own wakes the pool's thread during the measured window.
    outbox.stop_at = m;
    outbox.io = &io;
    asio::steady_timer bound(io, latency * per_modem * 3 + 20s);
    bound.async_wait([&io](boost::system::error_code ec) {
        if (!ec) io.stop();
    });
    io.restart();
    if (outbox.sent + outbox.failed < m) io.run();
    bound.cancel();
    if (profile) {
        const double pool_cpu = cpu_seconds(RUSAGE_THREAD) - cpu_thread0;
        const double all_cpu = cpu_seconds(RUSAGE_SELF) - cpu_self0;
        std::printf("         CPU per send: pool thread %.0f us, simulator %.0f us\n", 1e6 * pool_cpu / m,
                    1e6 * (all_cpu - pool_cpu) / m);
        print_profile(g_trace, latency);
    }
    if (const char* dump = std::getenv("BENCH_POOL_DUMP"); dump != nullptr && profile) {
        if (FILE* fp = std::fopen(dump, "w")) {
            for (const auto& l : g_trace) {
                std::fprintf(fp, "%.1f %s\n", std::chrono::duration<double, std::micro>(l.t - g_trace.front().t).count(),
                             l.text.c_str());
            }
            std::fclose(fp);
        }
    }
    pool.stop();
    io.restart();
    io.run_for(20ms);
    f.sent = outbox.sent;
    f.failed = outbox.failed;
    f.complete = outbox.sent + outbox.failed == m;
    f.seconds = std::chrono::duration<double>(outbox.last - outbox.first).count();
    // m sends over n modems take at least per_modem * L: the limit is n / L messages per second.
    f.limit = n / std::chrono::duration<double>(latency).count();
    f.rate = f.seconds > 0 ? f.sent / f.seconds : 0;
    f.efficiency = f.limit > 0 ? f.rate / f.limit : 0;
    if (sim.sent().size() != static_cast<std::size_t>(f.sent)) {
        std::fprintf(stderr, "bench_pool: simulator accepted %zu, pool reported %d\n", sim.sent().size(), f.sent);
        f.complete = false;
    }
    return f;
}

// ------------------------------------------------------------------------------ the floor
// The same M sends through the same kind of simulator with nothing of the product: one thread,
// poll(), raw ptys, "AT+CMGS=<len>\r", wait for "> ", the PDU and Ctrl-Z, wait for OK, next. No
// queue, store interface, parser, timeout or log. What this machine's ptys, scheduler and
// simulator allow at this N and L; the pool's rate divided by it is what the pool itself costs.

int open_pty_raw(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    termios t{};
    if (::tcgetattr(fd, &t) == 0) {
        ::cfmakeraw(&t);
        ::tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

// Sends `line` and reads until `want` appears (or `bound` passes); false on timeout.
bool floor_command(int fd, const std::string& line, const std::string& want, Clock::duration bound) {
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return false;
    std::string in;
    const auto until = Clock::now() + bound;
    while (Clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        char buf[512];
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) in.append(buf, static_cast<std::size_t>(r));
        if (in.find(want) != std::string::npos) return true;
    }
    return false;
}

Figures run_floor(int n, int per_modem, std::chrono::milliseconds latency) {
    modemsim::Config sc;
    sc.modems = n;
    sc.cmgs_latency = latency;
    modemsim::Simulator sim(sc);
    sim.start();
    Figures f;
    struct Port {
        int fd = -1;
        std::string in;
        bool prompted = false;
        int next = 0;  // sends started on this port
        std::string pdu;
    };
    std::vector<Port> ports(static_cast<std::size_t>(n));
    std::vector<pollfd> fds;
    bool ready = true;
    for (int i = 0; i < n; ++i) {
        auto& p = ports[static_cast<std::size_t>(i)];
        p.fd = open_pty_raw(sim.modems()[static_cast<std::size_t>(i)].pty_path);
        // Echo off, then wait for the network (the simulator registers shortly after boot).
        bool reg = p.fd >= 0 && floor_command(p.fd, "ATE0\r", "OK\r\n", 5s);
        const auto until = Clock::now() + 10s;
        while (reg && !floor_command(p.fd, "AT+CREG?\r", ",1\r\n", 200ms)) {
            if (Clock::now() > until) reg = false;
        }
        ready = ready && reg;
        fds.push_back({p.fd, POLLIN, 0});
    }
    if (!ready) {
        std::fprintf(stderr, "bench_pool: the floor's modems did not register\n");
        for (auto& p : ports) ::close(p.fd);
        return f;
    }
    const int m = n * per_modem;
    int id = 0;
    auto start = [&](Port& p) {
        const auto seg = segment(++id);
        p.pdu = seg.pdu_hex + "\x1A";
        p.prompted = false;
        p.in.clear();
        const std::string cmd = "AT+CMGS=" + std::to_string(seg.tpdu_length) + "\r";
        (void)!::write(p.fd, cmd.data(), cmd.size());
        ++p.next;
    };
    Clock::time_point first = Clock::now(), last = first;
    for (auto& p : ports) start(p);
    const auto bound = first + latency * per_modem * 3 + 20s;
    int finished = 0;
    while (finished < m && Clock::now() < bound) {
        if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if ((fds[i].revents & POLLIN) == 0) continue;
            auto& p = ports[i];
            char buf[512];
            const ssize_t r = ::read(p.fd, buf, sizeof buf);
            if (r <= 0) continue;
            p.in.append(buf, static_cast<std::size_t>(r));
            if (!p.prompted) {
                if (p.in.find("> ") == std::string::npos) continue;
                p.prompted = true;
                p.in.clear();
                (void)!::write(p.fd, p.pdu.data(), p.pdu.size());
            } else if (p.in.find("OK\r\n") != std::string::npos || p.in.find("ERROR") != std::string::npos) {
                if (p.in.find("ERROR") == std::string::npos) {
                    ++f.sent;
                } else {
                    ++f.failed;
                }
                ++finished;
                last = Clock::now();
                if (p.next < per_modem) start(p);
            }
        }
    }
    for (auto& p : ports) ::close(p.fd);
    f.complete = finished == m && static_cast<int>(sim.sent().size()) == f.sent;
    f.seconds = std::chrono::duration<double>(last - first).count();
    f.limit = n / std::chrono::duration<double>(latency).count();
    f.rate = f.seconds > 0 ? f.sent / f.seconds : 0;
    f.efficiency = f.limit > 0 ? f.rate / f.limit : 0;
    return f;
}

// ------------------------------------------------------------------------------ gammu-smsd

std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream ss(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(ss, dir, ':');) {
        const std::string p = dir + "/" + name;
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return {};
}

// Ends our own daemons: SIGTERM, then SIGKILL after 3 s; always by PID.
void stop_children(std::vector<pid_t>& pids) {
    for (pid_t p : pids) ::kill(p, SIGTERM);
    const auto until = Clock::now() + 3s;
    for (pid_t p : pids) {
        int status = 0;
        while (::waitpid(p, &status, WNOHANG) == 0) {
            if (Clock::now() > until) {
                ::kill(p, SIGKILL);
                ::waitpid(p, &status, 0);
                break;
            }
            ::usleep(20000);
        }
    }
    pids.clear();
}

// gammu-smsd on N simulated modems: one daemon per modem (one smsd drives one phone), each with
// its own outbox of K files, tuned for throughput (no status, battery, signal, network or PIN
// checks; receive polls rare; no sleep in its loop). The window runs from the first PDU the
// simulator took (its answer time minus L) to the last answer: gammu's start-up is not counted.
Figures run_gammu(int n, int per_modem, std::chrono::milliseconds latency, const std::string& smsd,
                  const std::filesystem::path& dir) {
    Figures f;
    modemsim::Config sc;
    sc.modems = n;
    sc.cmgs_latency = latency;
    modemsim::Simulator sim(sc);
    sim.start();
    std::vector<pid_t> pids;
    const int m = n * per_modem;
    const auto mods = sim.modems();
    for (int i = 0; i < n; ++i) {
        const auto md = dir / ("m" + std::to_string(i));
        for (const char* sub : {"inbox", "outbox", "sent", "error"}) std::filesystem::create_directories(md / sub);
        for (int k = 1; k <= per_modem; ++k) {
            const int id = i * per_modem + k;
            char name[96];
            std::snprintf(name, sizeof name, "OUTC_+86139%08d_%d.txt", id, id);
            std::ofstream(md / "outbox" / name) << "bench " << id;
        }
        const auto rc = md / "smsdrc";
        std::ofstream(rc) << "[gammu]\ndevice = " << mods[static_cast<std::size_t>(i)].pty_path
                          << "\nconnection = at\n"
                             "[smsd]\nservice = files\nlogfile = "
                          << (md / "smsd.log").string() << "\ndebuglevel = 1\n"
                          << "inboxpath = " << (md / "inbox").string() << "/\n"
                          << "outboxpath = " << (md / "outbox").string() << "/\n"
                          << "sentsmspath = " << (md / "sent").string() << "/\n"
                          << "errorsmspath = " << (md / "error").string() << "/\n"
                          << "transmitformat = unicode\nchecksecurity = 0\ncheckbattery = 0\n"
                             "checksignal = 0\nchecknetwork = 0\nstatusfrequency = 0\nreceivefrequency = 3600\n"
                             "commtimeout = 1\nloopsleep = 0\n";
        const std::string rcs = rc.string();
        const pid_t pid = ::fork();
        if (pid == 0) {
            const int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execl(smsd.c_str(), smsd.c_str(), "-c", rcs.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        if (pid > 0) pids.push_back(pid);
    }
    const auto bound = per_modem * (latency + 5s) + 60s;
    sim.wait_sent(static_cast<std::size_t>(m), std::chrono::duration_cast<std::chrono::milliseconds>(bound));
    stop_children(pids);
    const auto sent = sim.sent();
    sim.stop();
    std::set<std::string> recipients;
    for (const auto& s : sent) recipients.insert(s.recipient);
    f.sent = static_cast<int>(sent.size());
    f.complete = f.sent == m && recipients.size() == static_cast<std::size_t>(m);
    if (!sent.empty()) {
        auto first = sent.front().time, last = sent.front().time;
        for (const auto& s : sent) {
            first = std::min(first, s.time);
            last = std::max(last, s.time);
        }
        f.seconds = std::chrono::duration<double>(last - first + latency).count();
    }
    f.limit = n / std::chrono::duration<double>(latency).count();
    f.rate = f.seconds > 0 ? f.sent / f.seconds : 0;
    f.efficiency = f.limit > 0 ? f.rate / f.limit : 0;
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    std::chrono::milliseconds latency{50};
    int per_modem = 40;
    std::vector<int> ns{1, 4, 16};
    bool tcp = false;
    bool profile = false;
    bool gammu = false;
    bool floor = true;
    bool idle = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--latency-ms") {
            latency = std::chrono::milliseconds(std::atoi(next().c_str()));
        } else if (a == "--per-modem") {
            per_modem = std::atoi(next().c_str());
        } else if (a == "--modems") {
            ns.clear();
            std::stringstream ss(next());
            std::string tok;
            while (std::getline(ss, tok, ',')) ns.push_back(std::atoi(tok.c_str()));
        } else if (a == "--tcp") {
            tcp = true;
        } else if (a == "--profile") {
            profile = true;
        } else if (a == "--gammu") {
            gammu = true;
        } else if (a == "--no-floor") {
            floor = false;
        } else if (a == "--idle") {
            idle = true;
        } else {
            std::fprintf(stderr, "usage: bench_pool [--latency-ms L] [--per-modem K] [--modems 1,4,16] [--tcp] "
                                 "[--profile] [--gammu] [--no-floor] [--idle]\n");
            return 2;
        }
    }
    if (latency.count() <= 0 || per_modem <= 0) return 2;
    std::string smsd;
    std::filesystem::path gammu_dir;
    if (gammu) {
        smsd = find_program("gammu-smsd");
        if (smsd.empty()) {
            std::fprintf(stderr, "bench_pool: --gammu needs gammu-smsd (Debian package gammu-smsd)\n");
            return 2;
        }
        char tmpl[] = "/tmp/bench_gammu.XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) return 2;
        gammu_dir = tmpl;
    }
    // PM QoS: while this descriptor is open with 0 written, cpuidle keeps every core in its polling
    // state; closing it (at exit) restores the machine's choice.
    int qos_fd = -1;
    if (!idle) {
        qos_fd = ::open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
        const std::int32_t zero = 0;
        if (qos_fd >= 0 && ::write(qos_fd, &zero, sizeof zero) != static_cast<ssize_t>(sizeof zero)) {
            ::close(qos_fd);
            qos_fd = -1;
        }
    }
    std::printf("bench_pool: %d messages per modem, AT+CMGS latency %lld ms, %s; cores %s; load average %s\n",
                per_modem, static_cast<long long>(latency.count()), tcp ? "tcp" : "pty",
                qos_fd >= 0 ? "kept out of deep idle (/dev/cpu_dma_latency 0)"
                : idle      ? "idle as the machine chooses (--idle)"
                            : "idle as the machine chooses (/dev/cpu_dma_latency not writable)",
                load_average().c_str());
    std::printf("%8s %8s %8s %10s %12s %12s %11s\n", "modems", "sent", "failed", "seconds", "msg/s",
                "limit N/L", "efficiency");
    bool ok = true;
    for (const int n : ns) {
        const auto f = run(n, per_modem, latency, tcp, profile);
        std::printf("%8d %8d %8d %10.3f %12.2f %12.2f %10.2f%%%s\n", n, f.sent, f.failed, f.seconds, f.rate,
                    f.limit, 100.0 * f.efficiency, f.complete ? "" : "  (incomplete)");
        std::fflush(stdout);
        ok = ok && f.complete;
        if (floor && !tcp) {
            const auto b = run_floor(n, per_modem, latency);
            std::printf("%8s %8d %8d %10.3f %12.2f %12.2f %10.2f%%  floor (bare AT loop)%s; pool/floor %.2f%%\n", "",
                        b.sent, b.failed, b.seconds, b.rate, b.limit, 100.0 * b.efficiency,
                        b.complete ? "" : " (incomplete)", b.rate > 0 ? 100.0 * f.rate / b.rate : 0.0);
            std::fflush(stdout);
        }
        if (gammu) {
            const auto g = run_gammu(n, per_modem, latency, smsd, gammu_dir / ("n" + std::to_string(n)));
            std::printf("%8s %8d %8s %10.3f %12.2f %12.2f %10.2f%%  gammu-smsd%s; cunxin/gammu %.1fx\n", "", g.sent,
                        "", g.seconds, g.rate, g.limit, 100.0 * g.efficiency, g.complete ? "" : " (incomplete)",
                        g.rate > 0 ? f.rate / g.rate : 0.0);
            std::fflush(stdout);
        }
    }
    if (gammu) std::printf("gammu-smsd logs: %s\n", gammu_dir.c_str());
    std::printf("load average at the end: %s\n", load_average().c_str());
    if (qos_fd >= 0) ::close(qos_fd);
    return ok ? 0 : 1;
}
