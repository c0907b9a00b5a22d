// SPDX-License-Identifier: Apache-2.0
// Issue 14 items 4 and 5 against the real daemon on simulated modems: a card the carrier
// blocks is paused (durably) and its work goes to the other SIM, nothing lost or sent twice; a
// carrier's suspension SMS pauses its SIM; an LTE network refusing SMS is shown, and with the
// admin's leave the modem is moved to 2G/3G and sends.
#include <doctest/doctest.h>

#include <map>

#include "common.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

Json sim_status(Appliance& a, int modem) {
    auto j = Json::parse(a.sim().control(R"({"cmd":"status"})"));
    return j.at("modems").at(static_cast<std::size_t>(modem));
}

// The modem of GET /api/v1/modems on the simulator's modem `i` (by ICCID).
Json api_modem(Appliance& a, int i) {
    const auto iccid = a.sim().modems().at(static_cast<std::size_t>(i)).iccid;
    auto r = a.get("/api/v1/modems");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const auto body = r.json();
    for (const auto& m : body.at("items")) {
        if (m.at("iccid") == iccid) return m;
    }
    FAIL("no modem with ICCID " << iccid << " in " << r.body);
    return {};
}

// Every outgoing message sent (sent or delivered), by peer.
std::map<std::string, std::string> out_status(Appliance& a) {
    std::map<std::string, std::string> s;
    for (const auto& m : a.all_messages("out")) s[m.at("peer").get<std::string>()] = m.at("status").get<std::string>();
    return s;
}

bool all_sent(const std::map<std::string, std::string>& s, std::size_t n) {
    if (s.size() != n) return false;
    for (const auto& [peer, st] : s) {
        if (st != "sent" && st != "delivered") return false;
    }
    return true;
}

}  // namespace

TEST_CASE("a blocked card is paused, its work goes to the other SIM, the pause survives a restart") {
    Appliance a({.modems = 2, .extra_config = R"("carrier_blocking": {"failures": 3, "window_minutes": 10})"});
    a.start();
    Json f = {{"cmd", "fault"}, {"modem", 0}, {"carrier_blocked", true}};
    REQUIRE(a.sim().control(f.dump()).find("\"ok\":true") != std::string::npos);
    std::vector<std::string> to;
    for (int i = 0; i < 12; ++i) to.push_back(mobile(500 + i));
    auto r = a.post("/api/v1/messages", {{"to", to}, {"text", "村委会通知：周五上午九点开会。"}});
    REQUIRE_MESSAGE(r.status == 202, r.body);
    // The blocked SIM fails three sends in a row and is paused; the failed ones wait their
    // retry delay (30 s) and leave through the other SIM.
    REQUIRE_MESSAGE(wait_until([&] { return api_modem(a, 0).at("paused").get<bool>(); }, 30s), a.log());
    REQUIRE_MESSAGE(wait_until([&] { return all_sent(out_status(a), to.size()); }, 60s), a.log());
    const auto sent = a.sim().sent();
    std::map<std::string, int> times;
    for (const auto& s : sent) {
        ++times[s.recipient];
        CHECK(s.modem == 1);  // the blocked card sent nothing
    }
    CHECK(times.size() == to.size());
    for (const auto& [peer, n] : times) {
        CAPTURE(peer);
        CHECK(n == 1);  // nothing sent twice
    }
    CHECK(sim_status(a, 0).at("sends_failed").get<int>() == 3);  // paused right after the streak
    auto m0 = api_modem(a, 0);
    REQUIRE(m0.at("pause").is_object());
    CHECK(m0.at("pause").at("reason_code") == "send_failures");
    CHECK(m0.at("pause").at("reason").get<std::string>().find("发送连续失败") != std::string::npos);
    CHECK(m0.at("state") == "ready");  // it still receives

    // Durable: after a restart the SIM is still paused, and new work avoids it.
    a.stop();
    a.start();
    REQUIRE(api_modem(a, 0).at("paused").get<bool>());
    a.sim().clear_sent();
    r = a.post("/api/v1/messages", {{"to", {mobile(600)}}, {"text", "第二条通知"}});
    REQUIRE(r.status == 202);
    REQUIRE(a.sim().wait_sent(1, 20s));
    CHECK(a.sim().sent().at(0).modem == 1);

    // The carrier restored the card: an admin resumes it.
    f = {{"cmd", "fault"}, {"modem", 0}, {"clear", true}};
    a.sim().control(f.dump());
    const auto iccid = a.sim().modems().at(0).iccid;
    auto res = a.post("/api/v1/sims/" + iccid + "/resume", Json::object());
    REQUIRE_MESSAGE(res.status == 200, res.body);
    CHECK_FALSE(api_modem(a, 0).at("paused").get<bool>());
    CHECK(api_modem(a, 0).at("pause").is_null());
    CHECK(a.post("/api/v1/sims/" + iccid + "/resume", Json::object()).status == 404);  // not paused now
}

TEST_CASE("the carrier's suspension SMS pauses its SIM at once") {
    Appliance a({.modems = 2});
    a.start();
    REQUIRE(a.sim().control(R"({"cmd":"suspend","modem":0})").find("\"ok\":true") != std::string::npos);
    REQUIRE_MESSAGE(wait_until([&] { return api_modem(a, 0).at("paused").get<bool>(); }, 20s), a.log());
    auto m0 = api_modem(a, 0);
    CHECK(m0.at("pause").at("reason_code") == "carrier_notice");
    CHECK(m0.at("pause").at("sender") == "10086");
    CHECK(m0.at("pause").at("reason").get<std::string>().find("涉嫌发送垃圾短信") != std::string::npos);
    CHECK(sim_status(a, 0).at("sends_failed").get<int>() == 0);  // paused before any failure
    auto r = a.post("/api/v1/messages", {{"to", {mobile(610), mobile(611)}}, {"text", "会议通知"}});
    REQUIRE(r.status == 202);
    REQUIRE(a.sim().wait_sent(2, 20s));
    for (const auto& s : a.sim().sent()) CHECK(s.modem == 1);
}

TEST_CASE("LTE refusing SMS: the reason is shown without leave, the modem is moved and sends with it") {
    std::vector<sim::ModemConfig> m(1);
    m[0].profile = sim::Profile::QuectelEc25;
    m[0].faults.lte_refuses_sms = true;
    SUBCASE("not allowed: nothing is changed on the modem, the reason is shown, the message waits") {
        Appliance a({.modems = 1, .modem_configs = m});
        a.start();
        auto m0 = api_modem(a, 0);
        CHECK(m0.at("access_technology") == "lte");
        CHECK(m0.at("ims") == false);
        auto r = a.post("/api/v1/messages", {{"to", {mobile(620)}}, {"text", "通知"}});
        REQUIRE(r.status == 202);
        REQUIRE_MESSAGE(wait_until([&] { return api_modem(a, 0).at("sms_refused_on_lte").get<bool>(); }, 20s), a.log());
        CHECK_FALSE(api_modem(a, 0).at("paused").get<bool>());  // not taken for carrier blocking
        CHECK(api_modem(a, 0).at("lte_remedy").is_null());
        CHECK(sim_status(a, 0).at("act") == 7);
        CHECK(out_status(a).at(mobile(620)) == "queued");  // waits: not failed, not lost
    }
    SUBCASE("allowed in the config: moved to GSM, sent once, recorded in the audit log") {
        Appliance a({.modems = 1, .extra_config = R"("lte_sms_fallback": true)", .modem_configs = m});
        a.start();
        auto r = a.post("/api/v1/messages", {{"to", {mobile(621)}}, {"text", "通知"}});
        REQUIRE(r.status == 202);
        REQUIRE_MESSAGE(a.sim().wait_sent(1, 30s), a.log());
        CHECK(a.sim().sent().size() == 1);
        CHECK(sim_status(a, 0).at("act") == 0);
        REQUIRE(wait_until([&] { return all_sent(out_status(a), 1); }, 10s));
        auto m0 = api_modem(a, 0);
        CHECK(m0.at("access_technology") == "gsm");
        REQUIRE(m0.at("lte_remedy").is_object());
        CHECK(m0.at("lte_remedy").at("sent") == true);
        CHECK(m0.at("lte_remedy").at("commands").get<std::string>().find("AT+QCFG=\"nwscanmode\",1,1") != std::string::npos);
        CHECK_FALSE(m0.at("sms_refused_on_lte").get<bool>());
        auto audit = a.get("/api/v1/audit");
        REQUIRE(audit.status == 200);
        CHECK(audit.body.find("modem.lte_fallback") != std::string::npos);
    }
}
