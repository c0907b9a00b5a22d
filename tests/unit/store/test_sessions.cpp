// SPDX-License-Identifier: Apache-2.0
// Panel sessions kept in the store (they survive a restart): per-user and expired deletion.

#include <doctest/doctest.h>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

TEST_CASE("sessions: survive reopening, end per user and when expired") {
    constexpr Seconds kT0 = 1'760'000'000;
    cunxin::test::TempDir dir;
    std::int64_t alice = 0;
    std::int64_t bob = 0;
    {
        auto db = Database::open(dir.file("s.db"));
        REQUIRE(db);
        User u;
        u.username = "alice";
        u.password_hash = "$argon2id$a";
        u.role = Role::Operator;
        alice = *create_user(*db, u, kT0);
        u.username = "bob";
        bob = *create_user(*db, u, kT0);
        REQUIRE(create_session(*db, Session{"a1", alice, "c1", kT0, kT0, kT0 + 600}));
        REQUIRE(create_session(*db, Session{"a2", alice, "c2", kT0, kT0, kT0 + 60}));
        REQUIRE(create_session(*db, Session{"b1", bob, "c3", kT0, kT0, kT0 + 600}));
        CHECK_FALSE(create_session(*db, Session{"b1", bob, "c4", kT0, kT0, kT0 + 600}));  // same hash
    }
    auto db = Database::open(dir.file("s.db"));
    REQUIRE(db);
    auto a1 = find_session(*db, "a1", kT0 + 10);
    REQUIRE(a1);
    REQUIRE(a1->has_value());
    CHECK((*a1)->first.csrf_token == "c1");
    CHECK((*a1)->second.username == "alice");
    REQUIRE(touch_session(*db, "a1", kT0 + 500, kT0 + 1100));
    CHECK(find_session(*db, "a1", kT0 + 1000)->has_value());

    CHECK(*delete_expired_sessions(*db, kT0 + 100) == 1);  // a2
    CHECK_FALSE(find_session(*db, "a2", kT0 + 10)->has_value());
    CHECK(*delete_user_sessions(*db, alice) == 1);
    CHECK_FALSE(find_session(*db, "a1", kT0 + 10)->has_value());
    CHECK(find_session(*db, "b1", kT0 + 10)->has_value());
    CHECK(*delete_user_sessions(*db, alice) == 0);
    REQUIRE(delete_session(*db, "b1"));
    CHECK_FALSE(find_session(*db, "b1", kT0 + 10)->has_value());
    (void)bob;
}
