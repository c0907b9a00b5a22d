// SPDX-License-Identifier: Apache-2.0
// Alerts against the real daemon on simulated modems: an urgent "03 …" reply from a simulated
// villager makes an alert SMS reach the duty number (the simulator's log of what it was given
// to send), an anonymous category's alert names nobody, an alert raised in the quiet hours
// waits for their end, never goes to the box's own number; and the campaign option "a missed
// call counts as confirmation" (未接来电即确认) end to end with the simulator's RING/+CLIP.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

constexpr const char* kDuty = "+8615900000001";

/// "HH:MM" of the office's local time (UTC+8, the default utc_offset_minutes) plus `minutes`.
std::string local_hhmm(int minutes) {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const long m = ((secs / 60 + 8 * 60 + minutes) % 1440 + 1440) % 1440;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", m / 60, m % 60);
    return buf;
}

/// Writes the daemon's config: duty numbers, urgent categories, quiet hours ("" = none).
void write_config(Appliance& a, const std::string& own_number, const std::string& quiet) {
    std::ofstream(a.data_dir() / "config.json")
        << R"({"sim_limits": {"per_minute": 0, "per_hour": 0, "per_day": 0}, "log_level": "info", )"
        << R"("alerts": {"duty": [{"name": "张书记", "number": ")" << kDuty << R"(", "role": "党委书记"}, )"
        << R"({"name": "本机", "number": ")" << own_number << R"("}], )"
        << R"("urgent_categories": ["03", "08"], "quiet_hours": ")" << quiet << R"(", "max_per_hour": 20}})"
        << "\n";
}

/// Whole texts the simulator was given for `number` (segments joined by concatenation reference).
std::vector<std::string> texts_to(Appliance& a, const std::string& number) {
    std::map<std::pair<int, int>, std::map<int, std::string>> multi;
    std::vector<std::string> out;
    for (const auto& s : a.sim().sent()) {
        if (s.recipient != number) continue;
        if (s.concat_ref < 0) {
            out.push_back(s.text);
        } else {
            multi[{s.modem, s.concat_ref}][s.concat_part] = s.text;
        }
    }
    for (const auto& [key, parts] : multi) {
        std::string t;
        for (const auto& [n, p] : parts) t += p;
        out.push_back(t);
    }
    return out;
}

bool sent_containing(Appliance& a, const std::string& number, const std::string& needle) {
    for (const auto& t : texts_to(a, number)) {
        if (t.find(needle) != std::string::npos) return true;
    }
    return false;
}

void villager_sends(Appliance& a, const std::string& from, const std::string& text) {
    sim::Incoming in;
    in.modem = 0;
    in.from = from;
    in.text = text;
    a.sim().inject(in);
}

}  // namespace

TEST_CASE("an urgent reply reaches the duty phone by SMS, anonymously for an anonymous category, after the quiet hours") {
    Appliance a({.modems = 1});
    const std::string own = a.sim().modems().at(0).own_number;
    REQUIRE_FALSE(own.empty());
    write_config(a, own, "");
    a.start();
    const std::string villager = mobile(501);
    const std::string villager_digits = villager.substr(3);
    REQUIRE(a.post("/api/v1/contacts", {{"name", "王五"}, {"mobile", villager}, {"village", "南村"}}).status == 201);
    auto menu = http(a.port(), "PUT", "/api/v1/menu/08", a.token(),
                     Json{{"label_zh", "举报"}, {"label_en", "Report"}, {"anonymous", true}, {"position", 8}}.dump());
    REQUIRE_MESSAGE(menu.status == 200, menu.body);

    // 03: the duty number gets the text with who sent it; the box's own number gets nothing.
    villager_sends(a, villager, "03 河堤有裂缝，请派人看看");
    REQUIRE_MESSAGE(wait_until([&] { return sent_containing(a, kDuty, "河堤有裂缝"); }, 30s), a.log());
    CHECK(sent_containing(a, kDuty, "王五"));
    CHECK(sent_containing(a, kDuty, "紧急反映 03"));

    // 08 (anonymous): the text, never the number, name or village.
    villager_sends(a, villager, "08 村干部吃拿卡要");
    REQUIRE_MESSAGE(wait_until([&] { return sent_containing(a, kDuty, "吃拿卡要"); }, 30s), a.log());
    for (const auto& t : texts_to(a, kDuty)) {
        if (t.find("吃拿卡要") == std::string::npos) continue;
        CAPTURE(t);
        CHECK(t.find("匿名") != std::string::npos);
        CHECK(t.find(villager_digits) == std::string::npos);
        CHECK(t.find("王五") == std::string::npos);
        CHECK(t.find("南村") == std::string::npos);
    }
    CHECK(texts_to(a, own).empty());
    auto alerts = a.get("/api/v1/alerts");
    REQUIRE(alerts.status == 200);
    CHECK(alerts.body.find(villager_digits) == std::string::npos);
    const auto j = alerts.json();
    REQUIRE(j.at("alerts").size() == 2);
    CHECK(j.at("duty").size() == 2);
    CHECK(j.at("alerts")[0].at("kind") == "urgent_reply");
    bool own_skipped = false;
    for (const auto& s : j.at("alerts")[0].at("sends")) {
        if (s.at("number") == own) own_skipped = s.at("state") == "skipped" && s.at("reason") == "own_number";
    }
    CHECK(own_skipped);
    // Alert SMS are not replies in the villagers' inbox, and the messages list shows them as kind alert.
    for (const auto& m : a.all_messages("in")) CHECK(m.at("peer") != kDuty);

    // In the quiet hours a second urgent reply waits...
    REQUIRE(a.stop() == 0);
    write_config(a, own, local_hhmm(-60) + "-" + local_hhmm(60));
    a.start();
    villager_sends(a, villager, "03 桥被冲垮了");
    REQUIRE_MESSAGE(wait_until([&] {
        const auto r = a.get("/api/v1/alerts");
        return r.status == 200 && r.json().at("alerts").size() == 3 && r.json().at("waiting").get<int>() == 1;
    }, 30s), a.log());
    const auto waiting = a.get("/api/v1/alerts").json().at("alerts")[0];
    CHECK(waiting.at("sends")[0].at("state") == "waiting");
    CHECK(waiting.at("sends")[0].at("reason") == "quiet_hours");
    std::this_thread::sleep_for(11s);  // a messaging tick (10 s) passes: still nothing
    CHECK_FALSE(sent_containing(a, kDuty, "桥被冲垮"));

    // ...and goes out once they are over (here: the office removed them and restarted).
    REQUIRE(a.stop() == 0);
    write_config(a, own, "");
    a.start();
    REQUIRE_MESSAGE(wait_until([&] { return sent_containing(a, kDuty, "桥被冲垮"); }, 30s), a.log());
    CHECK(a.get("/api/v1/alerts").json().at("waiting") == 0);
    CHECK(texts_to(a, own).empty());
}

TEST_CASE("a missed call confirms a recipient of a campaign with 未接来电即确认, and the finished campaign alerts") {
    Appliance a({.modems = 1});
    const std::string own = a.sim().modems().at(0).own_number;
    write_config(a, own, "");
    a.start();
    const std::string caller = mobile(601);
    const std::string other = mobile(602);
    auto created = a.post("/api/v1/campaigns", {{"name", "防汛通知"}, {"template", "今晚有暴雨，请做好防汛准备。"},
                                                 {"targets", {{"mobiles", {caller, other}}}}, {"start_now", true},
                                                 {"confirm_request", true}, {"missed_call_confirms", true}});
    REQUIRE_MESSAGE(created.status == 201, created.body);
    CHECK(created.json().at("missed_call_confirms") == true);
    const auto id = std::to_string(created.json().at("id").get<std::int64_t>());
    REQUIRE(wait_until([&] { return a.sim().sent().size() >= 2; }, 30s));
    a.sim().ring(0, caller, 20, std::chrono::milliseconds(300));
    auto confirmed = [&](const std::string& mobile_number) {
        const auto r = a.get("/api/v1/campaigns/" + id + "/recipients");
        if (r.status != 200) return false;
        const auto j = r.json();  // kept: a range over a temporary's member would dangle
        for (const auto& x : j.at("items")) {
            if (x.at("mobile") == mobile_number) return !x.at("confirmed_at").is_null();
        }
        return false;
    };
    const bool got = wait_until([&] { return confirmed(caller); }, 20s);
    const std::string body = a.get("/api/v1/campaigns/" + id + "/recipients").body;
    REQUIRE_MESSAGE(got, body);
    CHECK_FALSE(confirmed(other));
    CHECK(a.get("/api/v1/campaigns/" + id).json().at("progress").at("confirmed") == 1);
    // A campaign without the option: a call confirms nothing.
    auto plain = a.post("/api/v1/campaigns", {{"name", "开会通知"}, {"template", "明早九点开会。"},
                                               {"targets", {{"mobiles", {other}}}}, {"start_now", true},
                                               {"confirm_request", true}});
    REQUIRE(plain.status == 201);
    CHECK(plain.json().at("missed_call_confirms") == false);
    const auto plain_id = std::to_string(plain.json().at("id").get<std::int64_t>());
    REQUIRE(wait_until([&] { return a.sim().sent().size() >= 3; }, 30s));
    a.sim().ring(0, other, 20, std::chrono::milliseconds(300));
    REQUIRE(wait_until([&] {
        const auto r = a.get("/api/v1/calls");
        return r.status == 200 && r.json().at("items").size() == 2;
    }, 20s));
    CHECK(a.get("/api/v1/campaigns/" + plain_id).json().at("progress").at("confirmed") == 0);
    // Both campaigns finish: the duty phone hears of it.
    REQUIRE_MESSAGE(wait_until([&] { return sent_containing(a, kDuty, "防汛通知"); }, 40s), a.log());
    CHECK(sent_containing(a, kDuty, "已完成"));
}
