// SPDX-License-Identifier: Apache-2.0
// Live campaign progress over /api/v1/events: a broadcast's segments change state on the core
// thread, publish_campaign_progress (called once a second by the appliance) turns each change
// into one `campaign` event; no change, no event.

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
namespace store = cunxin::store;

namespace {

store::Seconds now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<json> events_named(const std::string& stream, const std::string& name) {
    std::vector<json> out;
    const std::string head = "event: " + name + "\ndata: ";
    std::size_t pos = 0;
    while ((pos = stream.find(head, pos)) != std::string::npos) {
        pos += head.size();
        const auto end = stream.find('\n', pos);
        out.push_back(json::parse(stream.substr(pos, end - pos), nullptr, false));
    }
    return out;
}

}  // namespace

TEST_CASE("SSE: a broadcast's progress arrives as campaign events, once per change") {
    Harness h;
    auto& admin = h.admin();
    for (int i = 0; i < 3; ++i) {
        REQUIRE(admin.post("/api/v1/contacts", json{{"name", "村民" + std::to_string(i)},
                                                     {"mobile", "1380013800" + std::to_string(i)},
                                                     {"village", "东村"}})
                    .status == 201);
    }
    auto c = admin.post("/api/v1/campaigns",
                        json{{"name", "周五会议"}, {"template", "{name}您好"}, {"targets", {{"villages", {"东村"}}}}});
    REQUIRE(c.status == 201);
    const auto id = c.j["id"].get<std::int64_t>();
    REQUIRE(admin.post("/api/v1/campaigns/" + std::to_string(id) + "/launch", json::object()).j["status"] ==
            "running");

    std::string got;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        httplib::Client cli("127.0.0.1", h.port);
        cli.set_read_timeout(5, 0);
        cli.Get("/api/v1/events", {{"Cookie", admin.cookie}}, [&](const char* data, size_t n) {
            got.append(data, n);
            return got.find("event: test.end") == std::string::npos;
        });
        done = true;
    });
    for (int i = 0; i < 100 && h.server->events().clients() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(h.server->events().clients() == 1);

    // The broadcast is on air (the real launch queued its messages), then one segment is sent.
    h.on_core([&] {
        h.server->publish_campaign_progress(*h.db);
        h.server->publish_campaign_progress(*h.db);  // nothing changed: no second event
        auto due = store::due_segments(*h.db, now_s() + 1, 10);
        REQUIRE(due);
        REQUIRE(due->size() == 3);
        const auto seg = due->front().segment.id;
        REQUIRE(store::mark_segment_sending(*h.db, seg, "89860000000000000001", now_s()));
        REQUIRE(store::mark_segment_sent(*h.db, seg, "89860000000000000001", 7, now_s()));
        h.server->publish_campaign_progress(*h.db);
    });
    // Cancelled: one last event with the final state, then the campaign is no longer followed.
    REQUIRE(admin.post("/api/v1/campaigns/" + std::to_string(id) + "/cancel", json::object()).status == 200);
    h.on_core([&] {
        h.server->publish_campaign_progress(*h.db);
        h.server->publish_campaign_progress(*h.db);
    });
    h.server->events().publish("test.end", "{}");
    for (int i = 0; i < 250 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reader.join();

    const auto evs = events_named(got, "campaign");
    REQUIRE(evs.size() == 3);
    CHECK(evs[0]["id"] == id);
    CHECK(evs[0]["status"] == "running");
    CHECK(evs[0]["pending"] == 3);
    CHECK(evs[0]["progress"]["recipients"] == 3);
    CHECK(evs[0]["progress"]["sent"] == 0);
    CHECK(evs[1]["progress"]["sent"] == 1);
    CHECK(evs[1]["pending"] == 2);
    CHECK(evs[1]["progress"]["percent"].get<double>() > 30.0);
    CHECK(evs[2]["status"] == "cancelled");
}

TEST_CASE("dashboard: one computation a second serves every panel, then it is fresh again") {
    Harness h;
    auto& admin = h.admin();
    auto viewer = h.user("vera", "viewer");
    auto first = admin.get("/api/v1/dashboard");
    REQUIRE(first.status == 200);
    const auto queued = first.j["queued_segments"].get<std::int64_t>();
    REQUIRE(admin.post("/api/v1/messages", json{{"to", {"+8613800000001"}}, {"text", "通知"}}).status == 202);
    auto shared = viewer.get("/api/v1/dashboard");
    REQUIRE(shared.status == 200);
    CHECK(shared.j["now"] == first.j["now"]);  // the same computation, at most a second old
    CHECK(shared.header("Cache-Control") == "no-store");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto fresh = viewer.get("/api/v1/dashboard");
    CHECK(fresh.j["queued_segments"].get<std::int64_t>() == queued + 1);
}
