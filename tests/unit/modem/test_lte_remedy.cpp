// SPDX-License-Identifier: Apache-2.0
// SMS over LTE: a Modem reads AcT and IMS, and on CMS 500 over LTE without IMS applies the
// vendor's remedy (when allowed) against the simulator, which refuses SMS on LTE until moved.
#include <doctest/doctest.h>

#include "cunxin/modemsim/simulator.hpp"
#include "fakes.hpp"
#include "sim_helpers.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

namespace {

struct Rig {
    modemsim::Simulator sim;
    asio::io_context io;
    test::FakeInbox inbox;
    std::shared_ptr<modem::Modem> m;

    Rig(modemsim::Profile profile, bool refuses, bool allowed) : sim(config(profile, refuses)) {
        sim.start();
        auto cfg = test::fast_config();
        cfg.port = sim.modems().at(0).pty_path;
        cfg.lte_sms_fallback = allowed;
        m = modem::Modem::create(io.get_executor(), cfg, &inbox);
        m->start();
        REQUIRE(test::run_until(io, [&] { return m->ready(); }, 10s));
    }
    ~Rig() {
        m->stop();
        io.run_for(20ms);
    }
    static modemsim::Config config(modemsim::Profile profile, bool refuses) {
        modemsim::Config sc;
        sc.modems = 1;
        sc.modem.resize(1);
        sc.modem[0].profile = profile;
        sc.modem[0].faults.lte_refuses_sms = refuses;
        sc.cmgs_latency = 5ms;
        sc.registration_delay = 20ms;
        return sc;
    }
    modem::Result<int> send() {
        std::optional<modem::Result<int>> r;
        auto seg = test::submit(1, "8613900000042", "hello");
        asio::co_spawn(io, [&]() -> asio::awaitable<void> { r = co_await m->send_segment(seg); }, asio::detached);
        REQUIRE(test::run_until(io, [&] { return r.has_value(); }, 8s));
        return *r;
    }
};

}  // namespace

TEST_CASE("access technology and IMS are read at init") {
    Rig rig(modemsim::Profile::QuectelEc25, false, false);
    REQUIRE(rig.m->access_technology() != nullptr);
    CHECK(std::string(rig.m->access_technology()) == "lte");
    CHECK(rig.m->ims_registered() == std::optional<bool>(true));
    CHECK(rig.send().has_value());
    CHECK_FALSE(rig.m->sms_refused_on_lte());
}

TEST_CASE("the E3372 answers ERROR to AT+CIREG?: IMS unknown, the modem still works") {
    Rig rig(modemsim::Profile::HuaweiE3372, false, false);
    CHECK_FALSE(rig.m->ims_registered().has_value());
    CHECK(rig.send().has_value());
}

TEST_CASE("LTE refuses SMS and the remedy is not allowed: the send fails and the modem is marked") {
    Rig rig(modemsim::Profile::QuectelEc25, true, false);
    CHECK(rig.m->ims_registered() == std::optional<bool>(false));
    auto r = rig.send();
    REQUIRE_FALSE(r);
    CHECK(r.error().gsm_code == 500);
    CHECK(rig.m->sms_refused_on_lte());
    CHECK_FALSE(rig.m->lte_remedy().has_value());
    CHECK(rig.sim.status()[0].act == 7);  // nothing was changed on the modem
}

TEST_CASE("LTE refuses SMS and the remedy is allowed: Quectel and SIMCom are moved off LTE and send") {
    for (const auto profile : {modemsim::Profile::QuectelEc25, modemsim::Profile::SimcomSim7600}) {
        CAPTURE(modemsim::profile_name(profile));
        Rig rig(profile, true, true);
        std::vector<modem::LteRemedy> seen;
        rig.m->on_lte_remedy([&](const modem::LteRemedy& r) { seen.push_back(r); });
        auto r = rig.send();
        REQUIRE(r);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].moved);
        CHECK(seen[0].sent);
        CHECK(seen[0].technology != "lte");
        CHECK(seen[0].commands.find(profile == modemsim::Profile::QuectelEc25 ? "AT+QCFG=\"nwscanmode\"" : "AT+CNMP=48") !=
              std::string::npos);
        CHECK_FALSE(rig.m->sms_refused_on_lte());
        CHECK(rig.sim.status()[0].act != 7);
        REQUIRE(rig.sim.sent().size() == 1);  // sent once: the refused attempt sent nothing
        CHECK(rig.send().has_value());
    }
}

TEST_CASE("LTE remedy on a modem of another vendor: AT+CGSMS=3") {
    Rig rig(modemsim::Profile::HuaweiE3372, true, true);
    auto r = rig.send();
    REQUIRE(r);
    REQUIRE(rig.m->lte_remedy());
    CHECK(rig.m->lte_remedy()->commands == "AT+CGSMS=3");
    CHECK(rig.m->lte_remedy()->sent);
}
