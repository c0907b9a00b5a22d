// SPDX-License-Identifier: Apache-2.0
// The daemon end to end: broadcasts, replies, restarts, modem faults.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <thread>
#include <set>

#include "common.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

Json send_to(Appliance& a, int first, int count, const std::string& text) {
    Json to = Json::array();
    for (int i = first; i < first + count; ++i) to.push_back(mobile(i));
    const auto r = a.post("/api/v1/messages", {{"to", to}, {"text", text}});
    INFO(r.body);
    REQUIRE(r.status == 202);
    return r.json();
}

std::map<std::string, int> sends_per_recipient(Appliance& a) {
    std::map<std::string, int> count;
    for (const auto& s : a.sim().sent()) {
        if (s.concat_part <= 1) ++count[s.recipient];
    }
    return count;
}

}  // namespace

TEST_CASE("a broadcast to 500 contacts through 4 modems arrives exactly once each") {
    Appliance a;
    a.start();
    send_to(a, 0, 500, "村委会通知：明天上午九点在村部召开党员大会，请准时参加。");
    REQUIRE_MESSAGE(a.sim().wait_sent(500, 180s), "sent " << a.sim().sent().size() << "\n" << a.log());
    std::this_thread::sleep_for(300ms);  // nothing more may come
    const auto counts = sends_per_recipient(a);
    CHECK(counts.size() == 500);
    for (const auto& [to, n] : counts) {
        CAPTURE(to);
        CHECK(n == 1);
    }
    for (const auto& s : a.sim().sent()) {
        CHECK(s.text == "村委会通知：明天上午九点在村部召开党员大会，请准时参加。");
        CHECK(s.encoding == "ucs2");
    }
    // Every modem took part of the work.
    std::set<int> modems;
    for (const auto& s : a.sim().sent()) modems.insert(s.modem);
    CHECK(modems.size() == 4);
    // The API shows them sent or delivered (the simulator reports delivery).
    REQUIRE(wait_until([&] {
        int done = 0;
        for (const auto& m : a.all_messages("out")) {
            const auto st = m.at("status").get<std::string>();
            done += (st == "sent" || st == "delivered") ? 1 : 0;
        }
        return done == 500;
    }, 60s));
    CHECK(a.stop() == 0);
}

TEST_CASE("replies in every menu form are classified, text kept") {
    Appliance a({.modems = 2});
    a.start();
    struct Row {
        const char* text;
        const char* category;  // "" = none
        const char* body;
    };
    const Row rows[] = {
        {"02 村口路灯坏了", "02", "村口路灯坏了"},
        {"2、村口路灯坏了", "02", "村口路灯坏了"},
        {"０１：低保政策怎么申请", "01", "低保政策怎么申请"},
        {"三，三组水渠堵了", "03", "三组水渠堵了"},
        {"【3】桥面有裂缝", "03", "桥面有裂缝"},
        {"收到，谢谢", "", "收到，谢谢"},
        {"<script>alert(1)</script>", "", "<script>alert(1)</script>"},
    };
    int i = 100;
    for (const auto& row : rows) {
        sim::Incoming in;
        in.modem = i % 2;
        in.from = mobile(i++);
        in.text = row.text;
        a.sim().inject(in);
    }
    std::vector<Json> got;
    REQUIRE_MESSAGE(wait_until([&] {
        got = a.all_messages("in");
        return got.size() == std::size(rows);
    }, 60s), a.log());
    for (const auto& row : rows) {
        CAPTURE(row.text);
        bool found = false;
        for (const auto& m : got) {
            if (m.at("text").get<std::string>().find(row.body) == std::string::npos) continue;
            found = true;
            if (std::string(row.category).empty()) {
                CHECK(m.at("category").is_null());
            } else {
                CHECK(m.at("category") == row.category);
            }
            CHECK(m.at("status") == "new");
        }
        CHECK(found);
    }
    // Every part left the SIMs once stored.
    for (const auto& st : a.sim().status()) CHECK(st.sm_used == 0);
}

TEST_CASE("a multipart reply split across a daemon crash is reassembled") {
    Appliance a({.modems = 1});
    a.start();
    std::string long_text = "03 ";
    for (int i = 0; i < 10; ++i) long_text += "第" + std::to_string(i) + "组反映：灌溉水渠淤塞，需要清理。";
    sim::Incoming in;
    in.from = mobile(7);
    in.text = long_text;
    in.parts_order = {3, 1, 2};
    in.delay_ms = 3000;  // the daemon dies between parts
    const int parts = a.sim().inject(in);
    REQUIRE(parts == 3);
    // First part stored and deleted from the SIM by the daemon, then a power cut.
    REQUIRE(wait_until([&] { auto s = a.sim().status()[0]; return s.delivered_parts >= 1 && s.sm_used == 0; }, 20s));
    a.crash();
    // The remaining parts reach the SIM while the daemon is down.
    REQUIRE(wait_until([&] { return a.sim().status()[0].delivered_parts == 3; }, 20s));
    a.start();
    std::vector<Json> got;
    REQUIRE_MESSAGE(wait_until([&] {
        got = a.all_messages("in");
        return got.size() == 1 && got[0].at("text").get<std::string>().size() >= long_text.size();
    }, 60s), a.log());
    CHECK(got[0].at("category") == "03");
    CHECK(got[0].at("text") == long_text);  // the whole text is kept, code included
    // Deleted from the SIM once the parts are on disk (a flush after they became visible).
    CHECK(wait_until([&] { return a.sim().status()[0].sm_used == 0; }, 10s));
    // The panel sees the SIM's storage as the modem told it after the drain: empty again.
    Json items;
    CHECK(wait_until([&] {
        const auto mods = a.get("/api/v1/modems");
        if (mods.status != 200) return false;
        items = mods.json().at("items");
        return items.size() == 1 && items[0].at("storage").is_object() && items[0].at("storage").at("used") == 0;
    }, 10s));
    REQUIRE(items.size() == 1);
    INFO(items.dump());
    REQUIRE(items[0].at("storage").is_object());
    CHECK(items[0].at("storage").at("mem") == "SM");
    CHECK(items[0].at("storage").at("used") == 0);
    CHECK(items[0].at("storage").at("total") == a.sim().status()[0].sm_slots);
    CHECK(items[0].at("state") == "ready");
}

TEST_CASE("a hung modem and a vanished modem: the others finish, nothing twice") {
    // The hung modem's last send waits out the AT+CMGS timeout: 10 s here instead of 120 s.
    Appliance a({.modems = 4, .extra_config = R"("cmgs_timeout_s": 10)"});
    a.start();
    sim::Faults hang = a.sim().faults(1);
    hang.hang_after_sends = 5;
    a.sim().set_faults(1, hang);
    sim::Faults flaky = a.sim().faults(2);
    flaky.error_rate = 0.2;
    flaky.error_codes = {38, 42};
    a.sim().set_faults(2, flaky);
    send_to(a, 1000, 200, "Notice: the road to the township is closed on Friday.");
    std::this_thread::sleep_for(200ms);
    a.sim().vanish(3);
    a.sim().inject_garbage(0);
    // Settled: no message of the broadcast is queued or on air any more.
    std::vector<Json> out;
    REQUIRE_MESSAGE(wait_until([&] {
        out = a.all_messages("out");
        int open = 0;
        for (const auto& m : out) {
            const auto st = m.at("status").get<std::string>();
            open += (st == "queued" || st == "sending") ? 1 : 0;
        }
        return out.size() == 200 && open == 0;
    }, 240s), "sent " << sends_per_recipient(a).size() << "\n" << a.log());
    std::this_thread::sleep_for(500ms);
    const auto counts = sends_per_recipient(a);
    int twice = 0;
    for (const auto& [to, n] : counts) twice += n > 1 ? 1 : 0;
    // Work given to a modem that then hung or vanished may have reached the network
    // without the daemon knowing: such segments are `uncertain`, never resent.
    int uncertain = 0, failed = 0;
    for (const auto& m : out) {
        const auto st = m.at("status").get<std::string>();
        uncertain += st == "uncertain" ? 1 : 0;
        failed += st == "failed" ? 1 : 0;
    }
    MESSAGE("sent " << counts.size() << ", uncertain " << uncertain << ", failed " << failed);
    CHECK(twice == 0);
    CHECK(uncertain <= 2);        // at most one per faulty modem
    CHECK(failed == 0);           // temporary errors were retried elsewhere
    CHECK(static_cast<int>(counts.size()) + uncertain >= 200);
}

TEST_CASE("when nothing is on air the daemon folds the WAL into the database and truncates it") {
    Appliance a({.modems = 2, .extra_config = R"("wal_checkpoint_s": 5)"});
    a.start();
    send_to(a, 3000, 40, "村委会通知：周五停水，请提前储水。");
    REQUIRE_MESSAGE(a.sim().wait_sent(40, 60s), a.log());
    const auto wal = std::filesystem::path(a.db_path().string() + "-wal");
    std::error_code ec;
    const auto grown = std::filesystem::file_size(wal, ec);
    REQUIRE_FALSE(ec);
    CHECK(grown > 0);  // the sends were written through the WAL
    // Within a checkpoint period or two of quiet, the WAL is empty again (SQLite's own
    // auto-checkpoint never shrinks the file; only the daemon's TRUNCATE checkpoint does).
    bool truncated = false;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (!truncated && std::chrono::steady_clock::now() < until) {
        truncated = std::filesystem::file_size(wal, ec) == 0 && !ec;
        std::this_thread::sleep_for(20ms);
    }
    CHECK_MESSAGE(truncated, "WAL was " << grown << " bytes and never truncated\n" << a.log());
    // Nothing was lost by the fold: every message is there, sent or delivered.
    int done = 0;
    for (const auto& m : a.all_messages("out")) {
        const auto st = m.at("status").get<std::string>();
        done += (st == "sent" || st == "delivered") ? 1 : 0;
    }
    CHECK(done == 40);
    CHECK(a.stop() == 0);
}
