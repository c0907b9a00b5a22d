// SPDX-License-Identifier: Apache-2.0
// Carrier blocking: the failure-streak rule, the carriers' suspension wordings, the durable
// pause through CarrierWatch (real SQLite file), and the identical-bulk-text warning.
#include <doctest/doctest.h>

#include <set>

#include "cunxin/messaging/carrier.hpp"
#include "fixture.hpp"

using namespace cunxin;
using namespace std::chrono_literals;
using messaging::BlockRule;
using messaging::SendStreak;

TEST_CASE("the streak rule: N counted failures within the window pause, anything else ends the streak") {
    BlockRule rule;
    rule.failures = 3;
    rule.window = 600s;
    SendStreak s(rule);
    auto t = test::t0();
    const std::string a = "89860000000000000001";
    CHECK_FALSE(s.record(a, false, 500, false, t));
    CHECK_FALSE(s.record(a, false, 500, false, t + 10s));
    CHECK(s.record(a, false, 500, false, t + 20s));  // third in a row
    // After tripping the streak starts over.
    CHECK_FALSE(s.record(a, false, 500, false, t + 30s));
    SUBCASE("a success in between ends the streak") {
        CHECK_FALSE(s.record(a, true, -1, false, t + 40s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 50s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 60s));
        CHECK(s.record(a, false, 500, false, t + 70s));
    }
    SUBCASE("failures spread beyond the window do not add up") {
        CHECK_FALSE(s.record(a, false, 500, false, t + 700s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 1400s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 2100s));
    }
    SUBCASE("CMS 500 on LTE without IMS is the LTE case, not blocking") {
        CHECK_FALSE(s.record(a, false, 500, true, t + 40s));
        CHECK_FALSE(s.record(a, false, 500, true, t + 41s));
        CHECK_FALSE(s.record(a, false, 500, true, t + 42s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 43s));
    }
    SUBCASE("a code about the recipient or the PDU does not count") {
        CHECK_FALSE(s.record(a, false, 304, false, t + 40s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 41s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 42s));
        CHECK(s.record(a, false, 500, false, t + 43s));
    }
    SUBCASE("SIMs are counted apart") {
        const std::string b = "89860000000000000002";
        CHECK_FALSE(s.record(b, false, 500, false, t + 40s));
        CHECK_FALSE(s.record(a, false, 500, false, t + 41s));
        CHECK_FALSE(s.record(b, false, 500, false, t + 42s));
        CHECK(s.record(b, false, 8, false, t + 43s));  // operator determined barring counts too
    }
}

TEST_CASE("carrier suspension wordings, one row per notice") {
    struct Row {
        const char* sender;
        const char* text;
        bool notice;
    };
    const Row rows[] = {
        {"10086", "尊敬的客户，您的号码因涉嫌发送垃圾短信，已被暂停短信发送功能，详询10086。", true},
        {"10010", "您的号码短信发送量异常，已被限制发送短信，如有疑问请拨打10010。", true},
        {"10000", "您好，您的号码已停机。", true},
        {"10086", "您的号码因发送骚扰短信已被关停短信功能。", true},
        {"10001", "您的手机已暂停服务，如需恢复请携带身份证到营业厅办理。", true},
        {"+8610086", "您的号码已被限制发送短信。", true},
        {"1065902100", "您的号码涉嫌发送垃圾短信，短信功能已暂停。", true},
        // Not suspensions.
        {"10086", "您的账户余额为5.20元，为避免停机请及时充值。", false},
        {"10010", "您的话费余额不足，即将停机，请尽快缴费。", false},
        {"10086", "您的短信功能已恢复正常使用。", false},
        {"10086", "您本月已使用短信120条。", false},
        {"+8613800000001", "村里的垃圾短信太多了，已被限制发送了吗？", false},  // a villager, not the carrier
        {"10086", "", false},
    };
    for (const auto& r : rows) {
        CAPTURE(r.sender);
        CAPTURE(r.text);
        CHECK(messaging::is_suspension_notice(r.sender, r.text) == r.notice);
    }
    CHECK(messaging::is_carrier_service_number("10086"));
    CHECK(messaging::is_carrier_service_number("95588"));
    CHECK_FALSE(messaging::is_carrier_service_number("+8613800000001"));
    CHECK_FALSE(messaging::is_carrier_service_number("1008"));
}

TEST_CASE("CarrierWatch pauses durably, raises the hook once, and resumes") {
    test::Core c;
    std::set<std::string> paused;
    std::vector<std::string> raised;
    BlockRule rule;
    rule.failures = 3;
    auto wire = [&](messaging::CarrierWatch& w) {
        w.apply = [&](const std::string& iccid, bool p) {
            if (p) paused.insert(iccid);
            else paused.erase(iccid);
        };
        w.on_sim_paused = [&](const std::string& iccid, const std::string& reason) {
            raised.push_back(iccid + " " + reason);
        };
    };
    const std::string a = "89860000000000000001";
    const std::string b = "89860000000000000002";
    {
        messaging::CarrierWatch w(*c.db, c.clock, rule);
        wire(w);
        for (int i = 0; i < 2; ++i) w.send_result(a, false, 500, false, "");
        CHECK(paused.empty());
        w.send_result(a, false, 500, false, "");
        CHECK(paused.count(a) == 1);
        REQUIRE(raised.size() == 1);
        CHECK(raised[0].find("发送连续失败") != std::string::npos);
        w.incoming(b, "10086", "您的号码因涉嫌发送垃圾短信，已暂停短信功能。");
        CHECK(paused.count(b) == 1);
        w.incoming(b, "10086", "您的号码已被限制发送短信。");  // already paused: no second alert
        CHECK(raised.size() == 2);
    }
    // A restart: the pauses come back from the store.
    paused.clear();
    c.open();
    messaging::CarrierWatch w(*c.db, c.clock, rule);
    wire(w);
    CHECK(*w.load() == 2);
    CHECK(paused == std::set<std::string>{a, b});
    auto list = store::list_sim_pauses(*c.db);
    REQUIRE(list);
    REQUIRE(list->size() == 2);
    CHECK(messaging::CarrierWatch::reason_zh((*list)[1]).find("10086") != std::string::npos);
    CHECK(*w.resume(a) == true);
    CHECK(paused == std::set<std::string>{b});
    CHECK(*w.resume(a) == false);
    CHECK(store::list_sim_pauses(*c.db)->size() == 1);
}

TEST_CASE("identical bulk text from few SIMs is warned about, personalised text is not") {
    const std::vector<std::string> same(200, "请各村书记明天上午九点到镇政府开会。");
    auto r = messaging::assess_bulk(same, 600, 2, 180);
    CHECK(r.warn);
    CHECK(r.identical == 600);
    CHECK(r.per_sim == 300);
    CHECK(r.threshold == 90);
    CHECK(r.hours == 2);
    // More SIMs share it: below half an hour's limit each.
    CHECK_FALSE(messaging::assess_bulk(same, 600, 8, 180).warn);
    // A lower limit in force lowers the threshold.
    CHECK(messaging::assess_bulk(std::vector<std::string>(30, "通知"), 30, 1, 20).warn);
    CHECK_FALSE(messaging::assess_bulk(std::vector<std::string>(30, "通知"), 30, 1, 180).warn);
    // Personalised: every text differs.
    std::vector<std::string> named;
    for (int i = 0; i < 200; ++i) named.push_back("张" + std::to_string(i) + "同志：明天九点开会。");
    CHECK_FALSE(messaging::assess_bulk(named, 600, 1, 180).warn);
    // No limit in force: the carriers' ~200/h stands in.
    CHECK(messaging::assess_bulk(same, 200, 1, 0).threshold == 100);
}
