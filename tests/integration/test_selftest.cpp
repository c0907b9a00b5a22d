// SPDX-License-Identifier: Apache-2.0
// Issue 14 items 1 and 2 against the real daemon on simulated modems: the SIM-to-SIM self-test
// (passes with two SIMs, fails for a SIM that cannot receive), a balance query round in the
// three carriers' wording, and messages from service numbers that stay out of the inbox and
// get no acknowledgement.
#include <doctest/doctest.h>

#include <map>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

/// The health endpoint's self-test results, by ICCID.
std::map<std::string, Json> selftest_results(Appliance& a) {
    std::map<std::string, Json> out;
    auto r = http(a.port(), "GET", "/api/v1/health");
    if (r.status != 200) return out;
    for (const auto& x : r.json().value("selftest", Json::array())) out[x.at("iccid").get<std::string>()] = x;
    return out;
}

std::vector<Json> system_messages(Appliance& a) {
    auto r = a.get("/api/v1/system-messages?limit=200");
    if (r.status != 200) return {};
    return r.json().at("items").get<std::vector<Json>>();
}

}  // namespace

TEST_CASE("a self-test round with two SIMs passes and leaves the inbox empty") {
    Appliance a({.modems = 2});
    a.start();
    auto r = a.post("/api/v1/selftest", Json::object());
    REQUIRE_MESSAGE(r.status == 202, r.body);
    CHECK(r.json().at("round").get<int>() == 1);
    // A second round while one runs is refused.
    CHECK(a.post("/api/v1/selftest", Json::object()).status == 409);
    std::map<std::string, Json> results;
    REQUIRE_MESSAGE(wait_until([&] {
        results = selftest_results(a);
        return results.size() == 2;
    }, 30s), a.log());
    const auto mods = a.sim().modems();
    for (const auto& m : mods) {
        CAPTURE(m.iccid);
        REQUIRE(results.count(m.iccid) == 1);
        const auto& x = results[m.iccid];
        CHECK(x.at("ok") == true);
        CHECK(x.at("at").get<long long>() > 0);
        CHECK(x.at("seconds").is_number());
        CHECK(x.at("seconds").get<double>() < 20.0);
    }
    // Each SIM sent one test text to the other SIM's number.
    const auto sent = a.sim().sent();
    REQUIRE(sent.size() == 2);
    for (const auto& s : sent) {
        const auto& other = mods[static_cast<std::size_t>(1 - s.modem)];
        CHECK(s.recipient == other.own_number);
        CHECK(s.text.find("村信自检 #") != std::string::npos);
    }
    // Never in the villagers' inbox or the office's list; the system list has all four.
    std::this_thread::sleep_for(1s);
    CHECK(a.all_messages("in").empty());
    CHECK(a.all_messages("out").empty());
    CHECK(system_messages(a).size() == 4);
    CHECK(a.sim().sent().size() == 2);  // no acknowledgement went back
    // The modem page carries each SIM's result.
    auto modems = a.get("/api/v1/modems").json();
    for (const auto& m : modems.at("items")) CHECK(m.at("selftest").at("ok") == true);
}

TEST_CASE("a self-test fails for the SIM that cannot receive") {
    std::vector<sim::ModemConfig> cfg(2);
    cfg[1].faults.no_receive = true;
    Appliance a({.modems = 2, .extra_config = R"("selftest": {"at": "", "timeout_seconds": 10})", .modem_configs = cfg});
    a.start();
    REQUIRE(a.post("/api/v1/selftest", Json::object()).status == 202);
    std::map<std::string, Json> results;
    REQUIRE_MESSAGE(wait_until([&] {
        results = selftest_results(a);
        return results.size() == 2;
    }, 40s), a.log());
    const auto mods = a.sim().modems();
    CHECK(results[mods[0].iccid].at("ok") == true);
    CHECK(results[mods[1].iccid].at("ok") == false);
    CHECK(results[mods[1].iccid].at("seconds").is_null() == false);  // its own text did arrive at SIM 0
    auto st = a.get("/api/v1/selftest").json();
    bool explained = false;
    for (const auto& x : st.at("results")) {
        if (x.at("iccid") == mods[1].iccid) explained = x.at("detail").get<std::string>().find("没有收到") != std::string::npos;
    }
    CHECK(explained);
    CHECK(a.all_messages("in").empty());
}

TEST_CASE("a balance query round reads each carrier's answer") {
    std::vector<sim::ModemConfig> cfg(3);
    cfg[0].op = sim::Operator::ChinaMobile;
    cfg[0].balance_fen = 1250;
    cfg[1].op = sim::Operator::ChinaUnicom;
    cfg[1].balance_fen = -320;
    cfg[2].op = sim::Operator::ChinaTelecom;
    cfg[2].balance_fen = 800;
    Appliance a({.modems = 3, .extra_config = R"("balance": {"at": "", "low_yuan": 10})", .modem_configs = cfg});
    a.start();
    auto modems = a.get("/api/v1/modems").json().at("items");
    REQUIRE(modems.size() == 3);
    std::map<std::string, std::string> to;  // iccid → service number asked
    for (const auto& m : modems) {
        CHECK(m.at("balance").is_null());
        auto r = a.post("/api/v1/modems/" + m.at("id").get<std::string>() + "/balance", Json::object());
        REQUIRE_MESSAGE(r.status == 202, r.body);
        CHECK(r.json().at("method") == "sms");
        to[m.at("iccid").get<std::string>()] = r.json().at("to").get<std::string>();
    }
    const auto mods = a.sim().modems();
    CHECK(to[mods[0].iccid] == "10086");
    CHECK(to[mods[1].iccid] == "10010");
    CHECK(to[mods[2].iccid] == "10001");
    REQUIRE(a.sim().wait_sent(3, 20s));
    std::map<std::string, Json> by_iccid;
    REQUIRE_MESSAGE(wait_until([&] {
        by_iccid.clear();
        const auto list = a.get("/api/v1/modems").json();
        for (const auto& m : list.at("items")) {
            if (!m.at("balance").is_null()) by_iccid[m.at("iccid").get<std::string>()] = m;
        }
        return by_iccid.size() == 3;
    }, 30s), a.log());
    CHECK(by_iccid[mods[0].iccid].at("balance").get<double>() == doctest::Approx(12.5));
    CHECK(by_iccid[mods[1].iccid].at("balance").get<double>() == doctest::Approx(-3.2));
    CHECK(by_iccid[mods[2].iccid].at("balance").get<double>() == doctest::Approx(8.0));
    // Each query left through its own SIM.
    for (const auto& s : a.sim().sent()) CHECK(s.recipient == to[mods[static_cast<std::size_t>(s.modem)].iccid]);
    // The raw answer is kept, in the history.
    auto h = a.get("/api/v1/sims/" + mods[2].iccid + "/balances").json();
    REQUIRE(h.at("items").size() == 1);
    CHECK(h.at("items")[0].at("raw").get<std::string>().find("中国电信") != std::string::npos);
    CHECK(a.all_messages("in").empty());
    CHECK(system_messages(a).size() == 6);
}

TEST_CASE("messages from service numbers stay out of the inbox and get no acknowledgement") {
    Appliance a({.modems = 1});
    a.start();
    auto r = http(a.port(), "PUT", "/api/v1/menu/01", a.token(),
                  Json{{"label_zh", "政策咨询"}, {"auto_ack", "已收到您的咨询，我们会尽快答复。"}}.dump());
    REQUIRE_MESSAGE(r.status == 200, r.body);
    for (const char* from : {"10086", "95588", "1065502"}) {
        sim::Incoming in;
        in.from = from;
        in.text = "01 尊敬的客户，您的账户余额为5.00元，请及时充值。";
        a.sim().inject(in);
    }
    sim::Incoming villager;
    villager.from = mobile(501);
    villager.text = "01 低保怎么申请";
    a.sim().inject(villager);
    std::vector<Json> inbox;
    REQUIRE_MESSAGE(wait_until([&] {
        inbox = a.all_messages("in");
        return inbox.size() == 1 && system_messages(a).size() == 3;
    }, 30s), a.log());
    CHECK(inbox[0].at("peer") == mobile(501));
    CHECK(inbox[0].at("category") == "01");
    REQUIRE(a.sim().wait_sent(1, 20s));  // the villager's acknowledgement
    std::this_thread::sleep_for(2s);
    const auto sent = a.sim().sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].recipient == mobile(501));
    for (const auto& m : system_messages(a)) {
        CHECK(m.at("category").is_null());
        CHECK(m.at("status") == "handled");
    }
    // The unasked balance text from 10086 still counts as a reading of this SIM.
    auto modems = a.get("/api/v1/modems").json().at("items");
    CHECK(modems[0].at("balance").get<double>() == doctest::Approx(5.0));
}
