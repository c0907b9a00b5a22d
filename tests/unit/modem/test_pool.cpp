// SPDX-License-Identifier: Apache-2.0
// ModemPool against the simulator: dispatch, limits, identity, and every fault.
// Invariants: nothing lost (every segment ends sent, failed or uncertain), nothing sent twice.
#include <doctest/doctest.h>

#include <pty.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "cunxin/modem/pool.hpp"
#include "cunxin/modemsim/simulator.hpp"
#include "fakes.hpp"
#include "sim_helpers.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

namespace {

std::string recipient_digits(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "86139%08d", i);
    return buf;
}

struct Rig {
    explicit Rig(modemsim::Config sc, modem::SimLimits limits = {0, 0, 0}) : sim(std::move(sc)) {
        sim.start();
        modem::PoolConfig pc;
        pc.modem = test::fast_config();
        pc.limits = limits;
        pool = std::make_unique<modem::ModemPool>(io.get_executor(), pc, outbox, inbox);
    }
    ~Rig() {
        pool->stop();
        io.run_for(30ms);
        pool.reset();
        io.run_for(10ms);
    }
    void add_all(bool links = false) {
        for (const auto& m : sim.modems()) pool->add_port(links ? m.link_path : m.pty_path);
    }
    void queue(int n, int first_id = 1) {
        for (int i = 0; i < n; ++i) outbox.add(test::submit(first_id + i, recipient_digits(first_id + i), "msg" + std::to_string(first_id + i)));
        pool->wake();
    }
    bool finished(int n) const {
        return outbox.count("sent") + outbox.count("failed") + outbox.count("uncertain") == n &&
               pool->in_flight() == 0;
    }
    // Every segment the simulator accepted, counted by recipient.
    std::map<std::string, int> accepted() const {
        std::map<std::string, int> out;
        for (const auto& s : sim.sent()) ++out[s.recipient];
        return out;
    }
    void check_invariants(int n) const {
        const auto acc = accepted();
        for (const auto& [r, count] : acc) {
            CAPTURE(r);
            CHECK(count == 1);  // never sent twice
        }
        for (int id = 1; id <= n; ++id) {
            CAPTURE(id);
            const auto& st = outbox.state.at(id);
            const auto r = "+" + recipient_digits(id);
            const int times = acc.count(r) != 0 ? acc.at(r) : 0;
            if (st == "sent") CHECK(times == 1);   // reported sent = really sent once
            if (st == "failed") CHECK(times == 0);
            CHECK(st != "queued");                  // nothing lost
            CHECK(st != "sending");
        }
    }
    modemsim::Simulator sim;
    asio::io_context io;
    test::FakeOutbox outbox;
    test::FakeInbox inbox;
    std::unique_ptr<modem::ModemPool> pool;
};

modemsim::Config sims(int n, std::chrono::milliseconds latency = 10ms) {
    modemsim::Config sc;
    sc.modems = n;
    sc.cmgs_latency = latency;
    return sc;
}

}  // namespace

TEST_CASE("healthy pool: every segment sent once, work spread over all modems") {
    Rig rig(sims(3));
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 3; }, 10s));
    rig.queue(30);
    REQUIRE(test::run_until(rig.io, [&] { return rig.finished(30); }, 15s));
    CHECK(rig.outbox.count("sent") == 30);
    rig.check_invariants(30);
    std::map<int, int> per_modem;
    for (const auto& s : rig.sim.sent()) ++per_modem[s.modem];
    CHECK(per_modem.size() == 3);
    for (const auto& [m, n] : per_modem) CHECK(n >= 5);
    const auto st = rig.pool->status();
    REQUIRE(st.size() == 3);
    int today = 0;
    for (const auto& s : st) {
        CHECK(s.state == "ready");
        CHECK_FALSE(s.imei.empty());
        today += s.sent_today;
    }
    CHECK(today == 30);
}

TEST_CASE("temporary +CMS ERROR is retried, permanent one is not") {
    auto sc = sims(2);
    sc.modem.resize(2);
    sc.modem[0].faults.fail_next = 3;
    sc.modem[0].faults.error_codes = {42};  // congestion: temporary
    sc.modem[1].faults.fail_next = 1;
    sc.modem[1].faults.error_codes = {1};   // unassigned number: permanent
    Rig rig(sc);
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 2; }, 10s));
    rig.queue(12);
    REQUIRE(test::run_until(rig.io, [&] { return rig.finished(12); }, 15s));
    CHECK(rig.outbox.count("failed") == 1);
    CHECK(rig.outbox.count("sent") == 11);
    CHECK(rig.outbox.temporary_failures == 3);
    rig.check_invariants(12);
}

TEST_CASE("faults: hang, vanish, garbage, errors — healthy modems finish the work") {
    auto sc = sims(4, 20ms);
    sc.modem.resize(4);
    sc.modem[0].faults.hang_after_sends = 2;      // stops answering for good
    sc.modem[2].faults.garbage_every_ms = 40;     // line noise
    sc.modem[3].faults.error_rate = 0.3;          // network trouble
    sc.modem[3].faults.error_codes = {38, 42};
    Rig rig(sc);
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 4; }, 10s));
    const int n = 80;
    rig.queue(n);
    // modem 1 is unplugged mid-run and never comes back
    test::run_until(rig.io, [&] { return rig.outbox.count("sent") >= 10; }, 10s);
    rig.sim.vanish(1);
    REQUIRE(test::run_until(rig.io, [&] { return rig.finished(n); }, 40s));
    rig.check_invariants(n);
    CHECK(rig.outbox.count("failed") == 0);
    CHECK(rig.outbox.count("sent") + rig.outbox.count("uncertain") == n);
    CHECK(rig.outbox.count("uncertain") <= 2);  // at most the sends in flight when 0 hung / 1 vanished
    const auto st = rig.pool->status();
    INFO("modem0 ok=", st.at(0).sends_ok, " rec=", st.at(0).recoveries, " err=", st.at(0).last_error,
         " sim hung=", rig.sim.status().at(0).hung, " sim ok=", rig.sim.status().at(0).sends_ok);
    CHECK(st.at(0).state != "ready");
    CHECK(st.at(1).state != "ready");
}

TEST_CASE("per-SIM limit holds sends back, counters are shown") {
    Rig rig(sims(1), modem::SimLimits{3, 0, 0});
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 1; }, 10s));
    rig.queue(6);
    test::run_until(rig.io, [&] { return rig.outbox.count("sent") >= 3; }, 5s);
    rig.io.run_for(500ms);
    CHECK(rig.outbox.count("sent") == 3);
    const auto st = rig.pool->status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].sent_minute == 3);
    CHECK(st[0].limited);
}

TEST_CASE("limits changed at run time apply at once, counts are kept") {
    Rig rig(sims(1), modem::SimLimits{3, 0, 0});
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 1; }, 10s));
    rig.queue(6);
    test::run_until(rig.io, [&] { return rig.outbox.count("sent") >= 3; }, 5s);
    rig.io.run_for(300ms);
    REQUIRE(rig.outbox.count("sent") == 3);
    const auto iccid = rig.pool->status().at(0).iccid;
    rig.pool->set_sim_limits(iccid, modem::SimLimits{5, 0, 0});
    test::run_until(rig.io, [&] { return rig.outbox.count("sent") >= 5; }, 5s);
    rig.io.run_for(300ms);
    CHECK(rig.outbox.count("sent") == 5);  // 3 already counted + 2 more under the new limit
    CHECK(rig.pool->status().at(0).limits.per_minute == 5);
}

TEST_CASE("a modem that comes back on another port keeps its identity and counters") {
    Rig rig(sims(1));
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 1; }, 10s));
    rig.queue(4);
    REQUIRE(test::run_until(rig.io, [&] { return rig.finished(4); }, 10s));
    const auto before = rig.pool->status().at(0);
    rig.sim.vanish(0, 400ms);
    REQUIRE(test::run_until(rig.io, [&] { return !rig.sim.modems().at(0).present; }, 2s));
    // our side notices and lets go of the tty
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->status().at(0).state != "ready"; }, 2s));
    rig.io.run_for(20ms);
    // hold the freed pty number, so that the modem comes back under another name
    int hold_master = -1, hold_slave = -1;
    REQUIRE(::openpty(&hold_master, &hold_slave, nullptr, nullptr, nullptr) == 0);
    REQUIRE(test::run_until(rig.io, [&] { return rig.sim.modems().at(0).present; }, 5s));
    const auto new_path = rig.sim.modems().at(0).pty_path;
    // (if another process took the held number meanwhile, the modem may be back on its old
    // name: then the same entry re-opens it, which must keep identity and counters just the same)
    if (new_path != before.port) rig.pool->add_port(new_path);  // hot-plug: seen on a new tty
    REQUIRE(test::run_until(rig.io, [&] {
        const auto st = rig.pool->status();
        return st.size() == 1 && st[0].state == "ready" && st[0].port == new_path;
    }, 10s));
    const auto after = rig.pool->status().at(0);
    CHECK(after.imei == before.imei);
    CHECK(after.iccid == before.iccid);
    CHECK(after.sent_today == 4);
    rig.queue(2, 5);
    REQUIRE(test::run_until(rig.io, [&] { return rig.finished(6); }, 10s));
    rig.check_invariants(6);
    ::close(hold_master);
    ::close(hold_slave);
}

TEST_CASE("USSD and restart through the pool") {
    Rig rig(sims(1));
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 1; }, 10s));
    const auto imei = rig.pool->status().at(0).imei;
    std::optional<modem::Result<std::string>> answer;
    asio::co_spawn(rig.io, [&]() -> asio::awaitable<void> { answer = co_await rig.pool->ussd(imei, "*100#"); },
                   asio::detached);
    REQUIRE(test::run_until(rig.io, [&] { return answer.has_value(); }, 10s));
    REQUIRE(*answer);
    CHECK_FALSE((*answer)->empty());
    CHECK_FALSE(rig.pool->restart("no-such-modem"));
    REQUIRE(rig.pool->restart(imei));
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->status().at(0).recoveries == 1 &&
                                                  rig.pool->ready_count() == 1; }, 10s));
    rig.queue(3);
    REQUIRE(test::run_until(rig.io, [&] { return rig.finished(3); }, 10s));
    rig.check_invariants(3);
}

TEST_CASE("AT+CMGS waits until its segment's sending mark is durable, a refused mark is never sent") {
    Rig rig(sims(2));
    rig.outbox.hold_durable = true;  // the store's flush has not returned yet
    rig.add_all();
    REQUIRE(test::run_until(rig.io, [&] { return rig.pool->ready_count() == 2; }, 10s));
    rig.queue(2);
    REQUIRE(test::run_until(rig.io, [&] { return rig.outbox.held.size() == 2; }, 5s));
    rig.io.run_for(300ms);
    CHECK(rig.sim.sent().empty());         // nothing on air before the mark is on disk
    CHECK(rig.pool->in_flight() == 2);     // both modems claimed meanwhile
    CHECK(rig.outbox.count("sending") == 2);
    rig.outbox.release_durable(true);
    REQUIRE(test::run_until(rig.io, [&] { return rig.outbox.count("sent") == 2; }, 5s));
    CHECK(rig.sim.sent().size() == 2);
    // The next one: its mark fails (a batch rolled back): never sent, the modem is free again.
    rig.queue(1, 3);
    REQUIRE(test::run_until(rig.io, [&] { return rig.outbox.held.size() == 1; }, 5s));
    rig.outbox.release_durable(false);
    rig.io.run_for(300ms);
    CHECK(rig.sim.sent().size() == 2);
    CHECK(rig.pool->in_flight() == 0);
}
