// SPDX-License-Identifier: Apache-2.0
// Slow clients (issue 12 item 2): 200 connections from one address that send nothing or one
// header line every 2.5 s must not stop the server answering others. Bounded: ~10 s.

#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "harness.hpp"
#include "rawsock.hpp"

using cxtest::Harness;
namespace http = cunxin::http;

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

/// 200 hostile connections from 127.0.0.2: half idle, half dribbling a header line every 2.5 s.
/// A connection the server closes is opened again (an attacker keeps the pressure on).
struct SlowCrowd {
    int port;
    int count;
    std::atomic<bool> stop{false};
    std::atomic<int> open{0};
    std::atomic<int> reopened{0};
    std::thread thread;

    SlowCrowd(int p, int n) : port(p), count(n) {
        thread = std::thread([this] { run(); });
    }
    ~SlowCrowd() {
        stop = true;
        thread.join();
    }

    void run() {
        struct Conn {
            int fd = -1;
            bool dribble = false;
            int lines = 0;
            SteadyClock::time_point next;
        };
        std::vector<Conn> conns(static_cast<std::size_t>(count));
        const auto t0 = SteadyClock::now();
        for (std::size_t i = 0; i < conns.size(); ++i) {
            conns[i].dribble = i % 2 == 1;
            conns[i].next = t0 + std::chrono::milliseconds(static_cast<int>(i) * 2500 / count);
        }
        while (!stop) {
            int alive = 0;
            const auto now = SteadyClock::now();
            for (auto& c : conns) {
                if (c.fd >= 0) {
                    char b[512];
                    const auto n = ::recv(c.fd, b, sizeof b, MSG_DONTWAIT);
                    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN)) {
                        ::close(c.fd);
                        c.fd = -1;
                        ++reopened;
                    }
                }
                if (c.fd < 0) {
                    c.fd = cxtest::raw_connect(port, "127.0.0.2", true);
                    c.lines = 0;
                    if (c.fd < 0) continue;
                }
                ++alive;
                if (c.dribble && now >= c.next) {
                    const std::string line =
                        c.lines == 0 ? std::string("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
                                     : "X-Slow-" + std::to_string(c.lines) + ": a\r\n";
                    if (!cxtest::raw_send(c.fd, line)) {
                        ::close(c.fd);
                        c.fd = -1;
                        ++reopened;
                        continue;
                    }
                    ++c.lines;
                    c.next = now + 2500ms;
                }
            }
            open = alive;
            std::this_thread::sleep_for(50ms);
        }
        for (auto& c : conns) {
            if (c.fd >= 0) ::close(c.fd);
        }
    }
};

struct Figures {
    int ok = 0;
    int failed = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
};

/// Health requests from 127.0.0.1, one every 50 ms for `span`, each on a fresh connection.
Figures measure_health(int port, std::chrono::milliseconds span) {
    Figures f;
    std::vector<double> ms;
    const auto end = SteadyClock::now() + span;
    while (SteadyClock::now() < end) {
        const auto t = SteadyClock::now();
        const auto answer = cxtest::raw_exchange(
            port, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 3000ms);
        const double took =
            std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
        if (cxtest::raw_status(answer) == 200) {
            ++f.ok;
            ms.push_back(took);
        } else {
            ++f.failed;
            ms.push_back(3000);
        }
        std::this_thread::sleep_for(50ms);
    }
    f.max_ms = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
    f.p50_ms = cxtest::percentile(ms, 50);
    f.p99_ms = cxtest::percentile(ms, 99);
    return f;
}

void print(const char* what, const Figures& f, int open) {
    std::printf("[slow clients] %s: health ok %d failed %d  p50 %.1f ms  p99 %.1f ms  max %.1f ms"
                "  (hostile connections open: %d)\n",
                what, f.ok, f.failed, f.p50_ms, f.p99_ms, f.max_ms, open);
    std::fflush(stdout);
}

}  // namespace

TEST_CASE("slow clients: 200 idle and dribbling connections from one address leave health answering") {
    Harness h;
    const auto quiet = measure_health(h.port, 1000ms);
    print("no hostile connections", quiet, 0);
    SlowCrowd crowd(h.port, 200);
    std::this_thread::sleep_for(1000ms);
    const auto loaded = measure_health(h.port, 7000ms);
    print("200 idle/slow connections from 127.0.0.2", loaded, crowd.open.load());
    CHECK(loaded.failed == 0);
    CHECK(loaded.ok > 20);
    CHECK(loaded.p99_ms < 1000.0);
}

TEST_CASE("slow clients: with the per-address cap lifted, 200 connections held open still leave health answering") {
    // The cap is not what saves the server: every one of the 200 connections is held open by
    // the server (one I/O thread, no worker until a request is complete).
    Harness h([](http::ServerConfig& c) { c.limits.max_per_address = 1000; });
    SlowCrowd crowd(h.port, 200);
    std::this_thread::sleep_for(1000ms);
    const auto loaded = measure_health(h.port, 5000ms);
    print("200 idle/slow connections held open (max_per_address 1000)", loaded, crowd.open.load());
    CHECK(crowd.reopened.load() < 50);  // most stay open for the whole run
    CHECK(loaded.failed == 0);
    CHECK(loaded.ok > 20);
    CHECK(loaded.p99_ms < 1000.0);
}
