// SPDX-License-Identifier: Apache-2.0
// bench_pool: M messages through N simulated modems (cunxin::modemsim on ptys) at a fixed
// AT+CMGS latency L; prints achieved messages per second against the physical limit N / L.
// Usage: bench_pool [--latency-ms L] [--per-modem K] [--modems 1,4,16] [--tcp]
// Each run is bounded (K * L * 3 + 20 s). Goal: efficiency >= 99 % for every N.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
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
    bool mark_sending(std::int64_t, const modem::SimIdentity&) override {
        if (first == Clock::time_point{}) first = Clock::now();
        return true;
    }
    void mark_sent(std::int64_t, const modem::SimIdentity&, int) override {
        ++sent;
        last = Clock::now();
    }
    void mark_failed(std::int64_t, const modem::SimIdentity&, bool, int, const std::string&) override {
        ++failed;
        last = Clock::now();
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

Figures run(int n, int per_modem, std::chrono::milliseconds latency, bool tcp) {
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
    for (int i = 1; i <= m; ++i) outbox.queue.push_back(segment(i));
    pool.wake();
    until = Clock::now() + latency * per_modem * 3 + 20s;
    while (outbox.sent + outbox.failed < m && Clock::now() < until) {
        io.restart();
        io.run_for(5ms);
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

}  // namespace

int main(int argc, char** argv) {
    std::chrono::milliseconds latency{50};
    int per_modem = 40;
    std::vector<int> ns{1, 4, 16};
    bool tcp = false;
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
        } else {
            std::fprintf(stderr, "usage: bench_pool [--latency-ms L] [--per-modem K] [--modems 1,4,16] [--tcp]\n");
            return 2;
        }
    }
    if (latency.count() <= 0 || per_modem <= 0) return 2;
    std::printf("bench_pool: %d messages per modem, AT+CMGS latency %lld ms, %s\n", per_modem,
                static_cast<long long>(latency.count()), tcp ? "tcp" : "pty");
    std::printf("%8s %8s %8s %10s %12s %12s %11s\n", "modems", "sent", "failed", "seconds", "msg/s",
                "limit N/L", "efficiency");
    bool ok = true;
    for (const int n : ns) {
        const auto f = run(n, per_modem, latency, tcp);
        std::printf("%8d %8d %8d %10.3f %12.2f %12.2f %10.2f%%%s\n", n, f.sent, f.failed, f.seconds, f.rate,
                    f.limit, 100.0 * f.efficiency, f.complete ? "" : "  (incomplete)");
        std::fflush(stdout);
        ok = ok && f.complete;
    }
    return ok ? 0 : 1;
}
