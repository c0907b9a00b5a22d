// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/budget.hpp"
#include "cunxin/messaging/scheduler.hpp"

#include "fixture.hpp"
#include "pdu_builder.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

namespace {
const auto kSim = test::sim("89860000000000000001", "CHINA MOBILE");
const auto kBuild = test::t0() - std::chrono::hours(24 * 30);
}  // namespace

TEST_CASE("the clock trusts a plausible system time and corrects an implausible one from the network") {
    auto system = test::t0();
    messaging::NetworkAwareClock clock([&] { return system; }, kBuild);
    CHECK(clock.now() == system);
    // One modem disagrees by an hour: not enough to overrule a plausible system clock.
    clock.offer_network_time("a", system + 1h);
    CHECK(clock.now() == system);
    // A second modem agrees: the network wins.
    clock.offer_network_time("b", system + 1h + 10s);
    CHECK(clock.using_network_time());
    CHECK(clock.now() >= system + 1h);
    CHECK(clock.now() <= system + 1h + 10s);
    // A box that booted in 1970 (no RTC, no NTP): one network report is enough.
    system = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
    messaging::NetworkAwareClock cold([&] { return system; }, kBuild);
    cold.offer_network_time("a", std::chrono::system_clock::time_point(std::chrono::seconds(4))); // 1970: ignored
    CHECK(cold.now() == system);
    cold.offer_network_time("a", test::t0());
    CHECK(cold.now() == test::t0());
    system += 60s;  // the correction follows the system clock's progress
    CHECK(cold.now() == test::t0() + 60s);
}

TEST_CASE("local dates, hours and month starts use the configured offset") {
    messaging::ManualClock c(test::t0());  // 2026-03-05 10:00 +08:00 = 02:00Z
    CHECK(c.local_hour(c.now()) == 10);
    CHECK(c.local_date(c.now()) ==
          std::chrono::year_month_day{std::chrono::year(2026), std::chrono::March, std::chrono::day(5)});
    // 2026-03-01 00:00 +08:00 = 2026-02-28T16:00:00Z
    CHECK(c.local_month_start(c.now()) == 1772294400);
    c.set_utc_offset_minutes(0);
    CHECK(c.local_hour(c.now()) == 2);
}

TEST_CASE("the core starts, recovers, ticks, and reports count per category, village, day and SIM") {
    test::Core base;
    {
        store::Contact a;
        a.name = "王芳";
        a.mobile = "+8613800000001";
        a.village = "东村";
        REQUIRE(store::insert_contact(*base.db, a, base.now()));
    }
    messaging::MessagingCore core(*base.db, base.clock);
    REQUIRE(core.start());
    auto& inbox = core.inbox();
    REQUIRE(inbox.store_incoming_pdu(kSim, test::deliver("8613800000001", "02 路灯坏了", 1)));
    REQUIRE(inbox.store_incoming_pdu(kSim, test::deliver("8613800000001", "01 低保政策", 2)));
    REQUIRE(inbox.store_incoming_pdu(kSim, test::deliver("8613900000009", "02 修路", 3)));
    REQUIRE(core.outbox().enqueue({"+8613800000001", "+8613800000002", "+8613800000003"}, "通知"));
    for (int i = 0; i < 3; ++i) {
        auto s = core.outbox().next_segment(kSim, std::vector{kSim});
        REQUIRE(s);
        REQUIRE(core.outbox().mark_sending(s->segment_id, kSim));
        core.outbox().mark_sent(s->segment_id, kSim, i);
    }
    auto t = core.tick();
    REQUIRE(t);
    const auto from = base.now() - 86400;
    const auto to = base.now() + 1;
    auto cat = store::incoming_per_category(*base.db, from, to);
    REQUIRE(cat->size() == 2);
    CHECK(cat->at(0).key == "01");
    CHECK(cat->at(0).count == 1);
    CHECK(cat->at(1).key == "02");
    CHECK(cat->at(1).count == 2);
    auto vil = store::incoming_per_village(*base.db, from, to);
    REQUIRE(vil->size() == 2);
    CHECK(vil->at(0).key == "");  // unknown sender
    CHECK(vil->at(1).key == "东村");
    CHECK(vil->at(1).count == 2);
    auto days = store::messages_per_day(*base.db, "out", from, to, 480);
    REQUIRE(days->size() == 1);
    CHECK(days->front().key == "2026-03-05");
    CHECK(days->front().count == 3);
    auto cost = store::cost_per_sim(*base.db, from, to);
    REQUIRE(cost->size() == 1);
    CHECK(cost->front().segments == 3);
    CHECK(cost->front().cost_fen == 30);  // default 0.10 yuan per segment
    auto budget = messaging::check_sim_budget(*base.db, base.clock, kSim.iccid, 10);
    REQUIRE(budget);
    CHECK(budget->used_segments == 0);  // no budget configured: not even counted
    CHECK(budget->within);
    store::Sim cfg = **store::get_sim(*base.db, kSim.iccid);
    cfg.monthly_budget_fen = 100;
    REQUIRE(store::update_sim_settings(*base.db, cfg));
    budget = messaging::check_sim_budget(*base.db, base.clock, kSim.iccid, 10);
    CHECK(budget->used_segments == 3);
    CHECK_FALSE(budget->within);  // 30 fen used + 100 planned > 100
    budget = messaging::check_sim_budget(*base.db, base.clock, kSim.iccid, 7);
    CHECK(budget->within);
}
