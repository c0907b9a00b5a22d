// SPDX-License-Identifier: Apache-2.0
// Paused SIMs (the sim_pauses migration): durable, first reason kept, from every earlier version.
#include <doctest/doctest.h>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

TEST_CASE("a SIM pause survives reopening, after upgrading from every earlier version") {
    constexpr Seconds kT0 = 1'760'000'000;
    for (int from = 0; from < Database::latest_version(); ++from) {
        CAPTURE(from);
        cunxin::test::TempDir dir;
        const auto path = dir.file("old.db");
        {
            OpenOptions o;
            o.migrate_to = from;
            auto db = Database::open(path, o);
            REQUIRE(db);
        }
        {
            auto db = Database::open(path);
            REQUIRE(db);
            CHECK(db->schema_version() == Database::latest_version());
            CHECK(list_sim_pauses(*db)->empty());
            SimPause p{"89860000000000000001", "carrier_notice", "您的号码涉嫌发送垃圾短信，已暂停短信功能", "10086", kT0};
            CHECK(*pause_sim(*db, p) == true);
            // A second reason does not replace the first (the clerk sees why it stopped).
            SimPause again{"89860000000000000001", "send_failures", "+CMS ERROR 500", "", kT0 + 60};
            CHECK(*pause_sim(*db, again) == false);
            SimPause other{"89860000000000000002", "send_failures", "+CMS ERROR 500", "", kT0 + 5};
            CHECK(*pause_sim(*db, other) == true);
            CHECK(*db->integrity_check() == "ok");
        }
        auto db = Database::open(path);
        REQUIRE(db);
        auto list = list_sim_pauses(*db);
        REQUIRE(list);
        REQUIRE(list->size() == 2);
        CHECK((*list)[0].iccid == "89860000000000000001");
        CHECK((*list)[0].reason == "carrier_notice");
        CHECK((*list)[0].sender == "10086");
        CHECK((*list)[0].paused_at == kT0);
        CHECK((*list)[1].reason == "send_failures");
        CHECK(*resume_sim(*db, "89860000000000000001") == true);
        CHECK(*resume_sim(*db, "89860000000000000001") == false);
        REQUIRE(list_sim_pauses(*db)->size() == 1);
    }
}
