// SPDX-License-Identifier: Apache-2.0
// Field checks (issue 14): the balance parser on the carriers' real phrasings, service numbers,
// the daily schedule, the self-test token and the operators' default queries.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "cunxin/messaging/alerts.hpp"
#include "cunxin/messaging/field.hpp"

using namespace cunxin::messaging;

TEST_CASE("the balance parser reads the yuan amount from many phrasings") {
    struct Row {
        const char* text;
        std::optional<std::int64_t> fen;
    };
    const Row rows[] = {
        {"您的账户余额为12.50元", 1250},
        {"当前话费余额：8.00元", 800},
        {"可用余额 3.2 元", 320},
        {"尊敬的客户，您好！截至2026年12月06日15时，您的账户余额为12.50元，当月已产生话费3.00元。【中国移动】", 1250},
        {"【中国联通】截至12月06日15时，您的账户当前可用余额为23.45元，本月已用话费3.00元。", 2345},
        {"【中国联通】截至12月06日15时，您的账户余额为-3.20元，已欠费，请尽快缴费。", -320},
        {"尊敬的客户，截至2026年12月06日，您的可用余额：8.00元，欠费：0.00元。【中国电信】", 800},
        {"尊敬的客户，截至2026年12月06日，您的可用余额：0.00元，欠费：3.20元。【中国电信】", -320},
        {"尊敬的客户，您好！截至2026年12月06日15时，您已欠费3.20元，请及时充值。【中国移动】", -320},
        {"您的号码已欠费停机，请充值。", 0},
        {"账户余额(元)：15.6", 1560},
        {"您的帐户余额为 1,234.56 元", 123456},
        {"余额：１２．５０元", 1250},
        {"余额不足，当前余额为1.20元，请尽快充值", 120},
        {"当前余额为0元", 0},
        {"话费余额－5.30元", -530},
        {"您的话费余额不足，请充值。", std::nullopt},
        {"本月已用话费3.00元", std::nullopt},
        {"02 村口路灯坏了", std::nullopt},
        {"", std::nullopt},
        {"流量余额 1.5GB", std::nullopt},
    };
    for (const auto& r : rows) {
        const std::string text = r.text;
        CAPTURE(text);
        const auto got = parse_balance_fen(text);
        CHECK(got.has_value() == r.fen.has_value());
        if (got && r.fen) CHECK(*got == *r.fen);
    }
}

TEST_CASE("service numbers are told from villagers") {
    const auto p = default_service_prefixes();
    CHECK(is_service_number("10086", p));
    CHECK(is_service_number("10010", p));
    CHECK(is_service_number("10001", p));
    CHECK(is_service_number("+8610086", p));
    CHECK(is_service_number("1065502", p));
    CHECK(is_service_number("106902001234", p));
    CHECK(is_service_number("95588", p));
    CHECK(is_service_number("１００８６", p));
    CHECK_FALSE(is_service_number("+8613800138000", p));
    CHECK_FALSE(is_service_number("13800138000", p));
    CHECK_FALSE(is_service_number("Alipay", p));
    CHECK_FALSE(is_service_number("", p));
    CHECK_FALSE(is_service_number("10086", {"95"}));  // configurable
}

TEST_CASE("the daily schedule fires once per day after its hour, in office time") {
    CHECK(parse_hhmm("09:30") == 570);
    CHECK(parse_hhmm("00:00") == 0);
    CHECK(parse_hhmm("23:59") == 1439);
    CHECK_FALSE(parse_hhmm("24:00"));
    CHECK_FALSE(parse_hhmm("9:30"));
    CHECK_FALSE(parse_hhmm(""));
    // 2026-12-06 01:30 UTC = 09:30 in Beijing (UTC+8).
    const std::int64_t slot = 1796520600;
    CHECK(last_daily_slot(570, 480, slot) == slot);
    CHECK(last_daily_slot(570, 480, slot - 1) == slot - 86400);
    CHECK(last_daily_slot(570, 480, slot + 86399) == slot);
    CHECK(last_daily_slot(570, 0, slot) == slot - 86400 + 8 * 3600);  // 09:30 UTC the day before
    CHECK(daily_due(570, 480, slot - 60, slot));       // last run before the slot
    CHECK_FALSE(daily_due(570, 480, slot, slot + 10));  // already ran at the slot
    CHECK_FALSE(daily_due(570, 480, slot + 5, slot + 3600));
    CHECK(daily_due(570, 480, slot + 5, slot + 86400));  // the next day
    // A box that was off at 09:30 runs it when it comes back the same day.
    CHECK(daily_due(570, 480, slot - 3 * 3600, slot + 5 * 3600));
}

TEST_CASE("the self-test token is found in the test text") {
    CHECK(selftest_token(selftest_text(42)) == std::optional<std::int64_t>(42));
    CHECK(selftest_token("村信自检 #7") == std::optional<std::int64_t>(7));
    CHECK_FALSE(selftest_token("村信自检"));
    CHECK_FALSE(selftest_token("村信自检 #x"));
    CHECK_FALSE(selftest_token("02 自检"));
}

TEST_CASE("each operator has its default balance query") {
    CHECK(default_balance_query("CHINA MOBILE")->number == "10086");
    CHECK(default_balance_query("CHINA MOBILE")->keyword == "CXYE");
    CHECK(default_balance_query("46001")->number == "10010");
    CHECK(default_balance_query("CHN-UNICOM")->keyword == "CXYE");
    CHECK(default_balance_query("CHINA TELECOM")->number == "10001");
    CHECK(default_balance_query("CHINA TELECOM")->keyword == "102");
    CHECK_FALSE(default_balance_query("Vodafone"));
}
