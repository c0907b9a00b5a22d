// SPDX-License-Identifier: Apache-2.0
// The box's store-and-forward without a broker: replies wait in SQLite, bounded by outbox_max,
// the oldest folded into one summary that names each folded reply's seq (no text, no number);
// an anonymous reply is kept without number and village.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "cunxin/federation/box.hpp"
#include "cunxin/messaging/scheduler.hpp"
#include "cunxin/store/store.hpp"

using namespace cunxin;

TEST_CASE("replies wait while the broker is unreachable and the oldest fold into a summary past the bound") {
    const auto dir = std::filesystem::temp_directory_path() / ("cunxin-fed-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        auto db = store::Database::open((dir / "box.db").string());
        REQUIRE(db);
        messaging::ManualClock clock(std::chrono::system_clock::from_time_t(1'780'000'000));
        messaging::MessagingCore core(*db, clock);
        federation::BoxOptions o;
        o.broker = "mqtt://127.0.0.1:1";  // nothing listens: the link stays down
        o.box_id = "xinglong";
        o.outbox_max = 100;
        std::vector<std::function<void()>> posted;  // the network thread's reports (not run)
        federation::BoxLink link(o, *db, clock, core.campaigns(), [&](std::function<void()> f) { posted.push_back(f); });
        REQUIRE(link.start());
        for (int i = 0; i < 150; ++i) {
            store::Message m;
            m.direction = store::Direction::In;
            m.id = i + 1;
            m.text = "02 回复" + std::to_string(i);
            m.category = "02";
            m.peer = "+8613800000001";
            m.village = "东村";
            m.anonymous = i == 149;
            m.created_at = 1'780'000'000 + i;
            link.on_incoming(m);
        }
        CHECK_FALSE(link.connected());
        CHECK(link.pending() <= 100);
        auto rows = store::fed_pending(*db, 0, 1000);
        REQUIRE(rows);
        int summaries = 0, replies = 0, folded = 0;
        for (const auto& e : *rows) {
            const auto body = nlohmann::json::parse(e.payload);
            if (e.type == "summary") {
                ++summaries;
                for (const auto& f : body["replies"]) {
                    CHECK(f.contains("seq"));
                    CHECK_FALSE(f.contains("text"));
                    CHECK_FALSE(f.contains("number"));
                    ++folded;
                }
            } else if (e.type == "reply") {
                ++replies;
            }
        }
        CHECK(summaries >= 1);
        CHECK(replies + folded == 150);  // nothing lost: each reply is either kept or counted
        // The newest (anonymous) reply is kept whole, without number and village.
        const auto last = nlohmann::json::parse(rows->back().payload);
        CHECK(rows->back().type == "reply");
        CHECK(last["anonymous"] == true);
        CHECK_FALSE(last.contains("number"));
        CHECK(last["village"].is_null());
        link.stop();
    }
    std::filesystem::remove_all(dir);
}
