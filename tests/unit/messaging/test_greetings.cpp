// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/greetings.hpp"

#include "fixture.hpp"

using namespace cunxin;
using test::Core;

namespace {
struct GreetingCore : Core {
    std::unique_ptr<messaging::AnniversaryJob> job;
    GreetingCore() {
        add("王芳", "+8613800000001", "1987-03-05");
        add("李明", "+8613800000002", "2000-03-06");
        add("赵强", "+8613800000003", "2008-02-29");
        add("孙丽", "+8613800000004", "");
        add("新党员", "+8613800000005", "2026-03-05");  // joined today: no anniversary yet
        restart();
    }
    void restart() {
        job.reset();
        open();
        job = std::make_unique<messaging::AnniversaryJob>(*db, clock, *outbox);
    }
    void add(const std::string& name, const std::string& mobile, const std::string& joined) {
        store::Contact c;
        c.name = name;
        c.mobile = mobile;
        c.party_join_date = joined;
        REQUIRE(store::insert_contact(*db, c, now()));
    }
    int greetings_to(const std::string& mobile) {
        store::MessageQuery q;
        q.peer = mobile;
        q.direction = store::Direction::Out;
        int n = 0;
        auto page = store::list_messages(*db, q);
        REQUIRE(page);
        for (const auto& m : page->items) n += m.kind == store::MessageKind::Anniversary;
        return n;
    }
    void at(int day_offset, int local_hour) {
        // t0 is 10:00 local on 2026-03-05.
        clock.set(test::t0() + std::chrono::hours(24 * day_offset + local_hour - 10));
    }
};
}  // namespace

TEST_CASE("an anniversary greeting goes out once at the configured hour, whatever restarts and clock jumps") {
    GreetingCore c;
    c.at(0, 8);
    CHECK(*c.job->run() == 0);  // before 09:00
    c.at(0, 9);
    CHECK(*c.job->run() == 1);
    CHECK(c.greetings_to("+8613800000001") == 1);
    auto m = store::list_messages(*c.db, {})->items.front();
    CHECK(m.text == "王芳同志：39年前的今天，您光荣地加入了中国共产党。祝您入党纪念日快乐！");
    CHECK(*c.job->run() == 0);
    c.restart();
    CHECK(*c.job->run() == 0);
    // The clock is corrected backwards a day, then forwards again.
    c.at(-1, 12);
    CHECK(*c.job->run() == 0);
    c.at(0, 15);
    CHECK(*c.job->run() == 0);
    CHECK(c.greetings_to("+8613800000001") == 1);
    CHECK(c.greetings_to("+8613800000005") == 0);
    // Next year: again once, and the new member's first anniversary too.
    c.at(365, 9);
    CHECK(*c.job->run() == 2);
    CHECK(c.greetings_to("+8613800000001") == 2);
    CHECK(c.greetings_to("+8613800000005") == 1);
}

TEST_CASE("greetings missed while the box was off go out later the same day") {
    GreetingCore c;
    c.at(0, 7);
    CHECK(*c.job->run() == 0);
    c.restart();  // powered off until the evening
    c.at(0, 20);
    CHECK(*c.job->run() == 1);
}

TEST_CASE("the hour and the template are settings, tomorrow can be previewed") {
    GreetingCore c;
    REQUIRE(store::set_setting(*c.db, "anniversary_hour", "12"));
    REQUIRE(store::set_setting(*c.db, "anniversary_template", "{name}，入党{years}周年快乐！"));
    c.at(0, 11);
    CHECK(*c.job->run() == 0);
    auto tomorrow = c.job->preview_tomorrow();
    REQUIRE(tomorrow);
    REQUIRE(tomorrow->size() == 1);
    CHECK(tomorrow->front().name == "李明");
    CHECK(tomorrow->front().years == 26);
    CHECK(tomorrow->front().text == "李明，入党26周年快乐！");
    CHECK_FALSE(tomorrow->front().already_sent);
    c.at(0, 12);
    CHECK(*c.job->run() == 1);
    auto today = c.job->preview_today();
    REQUIRE(today->size() == 1);
    CHECK(today->front().already_sent);
    REQUIRE(store::set_setting(*c.db, "anniversary_enabled", "false"));
    c.at(1, 12);
    CHECK(*c.job->run() == 0);
}

TEST_CASE("a 29 February joiner is greeted on 28 February in a common year") {
    GreetingCore c;
    // 2027-02-28 is 360 days after 2026-03-05.
    c.at(360, 10);
    CHECK(c.clock.local_date(c.clock.now()) ==
          std::chrono::year_month_day{std::chrono::year(2027), std::chrono::February, std::chrono::day(28)});
    CHECK(*c.job->run() == 1);
    CHECK(c.greetings_to("+8613800000003") == 1);
}
