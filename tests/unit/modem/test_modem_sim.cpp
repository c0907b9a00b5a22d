// SPDX-License-Identifier: Apache-2.0
// One Modem against the simulator, for each simulated stick profile.
#include <doctest/doctest.h>

#include "cunxin/modemsim/simulator.hpp"
#include "fakes.hpp"
#include "sim_helpers.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

TEST_CASE("probe, send and receive on every simulated profile") {
    for (const auto profile : {modemsim::Profile::QuectelEc25, modemsim::Profile::SimcomSim7600,
                               modemsim::Profile::HuaweiE3372}) {
        CAPTURE(modemsim::profile_name(profile));
        modemsim::Config sc;
        sc.modems = 1;
        sc.modem.resize(1);
        sc.modem[0].profile = profile;
        sc.cmgs_latency = 10ms;
        modemsim::Simulator sim(sc);
        sim.start();
        const auto info = sim.modems().at(0);

        asio::io_context io;
        test::FakeInbox inbox;
        auto cfg = test::fast_config();
        cfg.port = info.pty_path;
        auto m = modem::Modem::create(io.get_executor(), cfg, &inbox);
        m->start();
        REQUIRE(test::run_until(io, [&] { return m->ready(); }, 10s));
        CHECK(m->identity().imei == info.imei);
        CHECK(m->identity().iccid == info.iccid);
        CHECK(m->identity().imsi == info.imsi);
        CHECK(m->identity().operator_name == info.operator_name);
        CHECK(m->signal_dbm().has_value());

        std::optional<modem::Result<int>> r;
        auto seg = test::submit(1, "8613900000042", "hello", true);
        asio::co_spawn(io, [&]() -> asio::awaitable<void> { r = co_await m->send_segment(seg); }, asio::detached);
        REQUIRE(test::run_until(io, [&] { return r.has_value(); }, 5s));
        REQUIRE(*r);
        const auto sent = sim.sent();
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].recipient == "+8613900000042");
        CHECK(sent[0].text == "hello");
        CHECK(sent[0].mr == **r);
        CHECK(sent[0].status_report);
        // the status report comes back (+CDSI into SR, or +CDS) and reaches the inbox
        REQUIRE(test::run_until(io, [&] { return inbox.reports.size() == 1; }, 5s));
        // deleted from SR once stored (AT+CMGD follows the store)
        CHECK(test::run_until(io, [&] { return sim.status().at(0).sr_used == 0; }, 2s));

        modemsim::Incoming in;
        in.from = "+8613800000001";
        in.text = std::string(100, 'x') + "村委会通知";  // two UCS2 parts
        in.parts_order = {2, 1};
        const int parts = sim.inject(in);
        REQUIRE(parts == 2);
        REQUIRE(test::run_until(io, [&] { return inbox.pdus.size() >= 2; }, 5s));
        CHECK(test::run_until(io, [&] { return sim.status().at(0).sm_used == 0; }, 2s));  // then deleted
        CHECK(inbox.pdus.size() == 2);
        m->stop();
        io.run_for(20ms);
    }
}

TEST_CASE("a full SIM is drained at start, a PIN-locked SIM opens with the configured PIN") {
    modemsim::Config sc;
    sc.modems = 1;
    sc.modem.resize(1);
    sc.modem[0].sim_full = true;
    sc.modem[0].sm_slots = 10;
    sc.modem[0].pin = "4321";
    modemsim::Simulator sim(sc);
    sim.start();
    asio::io_context io;
    test::FakeInbox inbox;
    auto cfg = test::fast_config();
    cfg.port = sim.modems().at(0).pty_path;
    cfg.pin = "4321";
    auto m = modem::Modem::create(io.get_executor(), cfg, &inbox);
    m->start();
    REQUIRE(test::run_until(io, [&] { return m->ready(); }, 10s));
    REQUIRE(test::run_until(io, [&] { return sim.status().at(0).sm_used == 0; }, 5s));
    CHECK(inbox.pdus.size() >= 10);
    CHECK(sim.status().at(0).sim == "READY");
    m->stop();
    io.run_for(20ms);
}
