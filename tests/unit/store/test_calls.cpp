// SPDX-License-Identifier: Apache-2.0
// Missed calls (migration 7): recorded against the contact, from every earlier schema version.
#include <doctest/doctest.h>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

TEST_CASE("a missed call is recorded against the contact after upgrading from every earlier version") {
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
            if (from >= 1) {
                Contact c;
                c.name = "李四";
                c.mobile = "+8613800000002";
                c.village = "西村";
                REQUIRE(insert_contact(*db, c, kT0));
            }
        }
        auto db = Database::open(path);
        REQUIRE(db);
        CHECK(*db->integrity_check() == "ok");
        if (from == 0) {
            Contact c;
            c.name = "李四";
            c.mobile = "+8613800000002";
            c.village = "西村";
            REQUIRE(insert_contact(*db, c, kT0));
        }
        REQUIRE(insert_call(*db, "+8613800000002", "89860000000000000001", kT0 + 10, kT0 + 11));
        REQUIRE(insert_call(*db, "", "89860000000000000001", kT0 + 20, kT0 + 21));
        REQUIRE(insert_call(*db, "+8613999999999", "89860000000000000002", kT0 + 30, kT0 + 31));
        auto calls = list_calls(*db, 10);
        REQUIRE(calls);
        REQUIRE(calls->size() == 3);
        CHECK((*calls)[0].number == "+8613999999999");
        CHECK_FALSE((*calls)[0].contact_id.has_value());
        CHECK((*calls)[1].number.empty());
        CHECK((*calls)[2].contact_name == "李四");
        CHECK((*calls)[2].village == "西村");
        CHECK((*calls)[2].at == kT0 + 10);
        CHECK((*calls)[2].iccid == "89860000000000000001");
        auto older = list_calls(*db, 10, (*calls)[1].id);
        REQUIRE(older);
        REQUIRE(older->size() == 1);
        CHECK(*count_calls_since(*db, kT0 + 20) == 2);
    }
}
