// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "cunxin/messaging/phone.hpp"

using namespace cunxin::messaging;

TEST_CASE("normalize_msisdn accepts the Chinese mobile forms") {
    struct Row {
        const char* in;
        const char* out;
    };
    const Row rows[] = {
        {"13800138000", "+8613800138000"},
        {"+8613800138000", "+8613800138000"},
        {"8613800138000", "+8613800138000"},
        {"008613800138000", "+8613800138000"},
        {"+86 138 0013 8000", "+8613800138000"},
        {"138-0013-8000", "+8613800138000"},
        {"138 0013 8000", "+8613800138000"},
        {"  13800138000\t", "+8613800138000"},
        {"+86-138-0013-8000", "+8613800138000"},
        {"(+86) 13800138000", "+8613800138000"},
        {"+86 (0)138 0013 8000", "+8613800138000"},
        {"１３８００１３８０００", "+8613800138000"},              // full-width digits
        {"＋８６　１３８　００１３　８０００", "+8613800138000"},  // full-width plus, U+3000
        {"0086 139 1234 5678", "+8613912345678"},
        {"19912345678", "+8619912345678"},
        {"16612345678", "+8616612345678"},
        {"14712345678", "+8614712345678"},
        {"138.0013.8000", "+8613800138000"},
        {"\xE2\x80\x8B"
         "13800138000",
         "+8613800138000"},  // zero-width space
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        const auto got = normalize_msisdn(r.in);
        REQUIRE(got.has_value());
        CHECK(*got == r.out);
    }
}

TEST_CASE("normalize_msisdn rejects with a reason") {
    struct Row {
        const char* in;
        PhoneErrc code;
    };
    const Row rows[] = {
        {"", PhoneErrc::empty},
        {"   ", PhoneErrc::empty},
        {"- ( )", PhoneErrc::empty},
        {"abc", PhoneErrc::bad_character},
        {"1380013800O", PhoneErrc::bad_character},  // letter O
        {"138001380001x", PhoneErrc::bad_character},
        {"13800138000;DROP TABLE", PhoneErrc::bad_character},
        {"1+3800138000", PhoneErrc::bad_character},
        {"010-65529988", PhoneErrc::landline},   // Beijing
        {"0791-86123456", PhoneErrc::landline},  // Nanchang
        {"(021) 6321 5678", PhoneErrc::landline},
        {"+86 10 6552 9988", PhoneErrc::landline},
        {"+86 791 8612 3456", PhoneErrc::landline},
        {"86123456", PhoneErrc::landline},  // 8-digit local
        {"1380013800", PhoneErrc::wrong_length},
        {"138001380001", PhoneErrc::wrong_length},
        {"+86138001380", PhoneErrc::wrong_length},
        {"+861", PhoneErrc::wrong_length},
        {"+86", PhoneErrc::wrong_length},
        {"12012345678", PhoneErrc::not_mobile},
        {"11012345678", PhoneErrc::not_mobile},
        {"10086", PhoneErrc::wrong_length},
        {"+447700900123", PhoneErrc::foreign},
        {"00447700900123", PhoneErrc::foreign},
        {"+1 415 555 0100", PhoneErrc::foreign},
        {"\xFF\xFE", PhoneErrc::bad_character},
        {"1234567890123456789012345678901234567890", PhoneErrc::wrong_length},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        const auto got = normalize_msisdn(r.in);
        REQUIRE_FALSE(got.has_value());
        CHECK(got.error().code == r.code);
        CHECK_FALSE(got.error().detail.empty());
        CHECK_FALSE(got.error().detail_zh.empty());
    }
}

TEST_CASE("canonical_peer keeps short codes and foreign numbers comparable") {
    CHECK(canonical_peer("138 0013 8000") == "+8613800138000");
    CHECK(canonical_peer("10086") == "10086");
    CHECK(canonical_peer("１０６５ ５０２") == "1065502");
    CHECK(canonical_peer("+44 7700-900123") == "+447700900123");
    CHECK(canonical_peer("") == "");
    CHECK(canonical_peer("Alipay") == "Alipay");
    CHECK(canonical_peer(" ＣＭＣＣ Info ") == "CMCC Info");
    CHECK(canonical_peer("   ") == "");
    CHECK(canonical_peer("95588") == "95588");
    CHECK(canonical_peer("10086 Info") == "10086 Info");
    CHECK(canonical_peer("\xFF") == "\xEF\xBF\xBD");
}

TEST_CASE("carrier_of by prefix") {
    struct Row {
        const char* number;
        Carrier carrier;
    };
    const Row rows[] = {
        {"13412345678", Carrier::ChinaMobile},
        {"13492345678", Carrier::ChinaTelecom},
        {"13512345678", Carrier::ChinaMobile},
        {"13912345678", Carrier::ChinaMobile},
        {"14712345678", Carrier::ChinaMobile},
        {"15012345678", Carrier::ChinaMobile},
        {"15212345678", Carrier::ChinaMobile},
        {"15712345678", Carrier::ChinaMobile},
        {"15912345678", Carrier::ChinaMobile},
        {"17212345678", Carrier::ChinaMobile},
        {"17812345678", Carrier::ChinaMobile},
        {"18212345678", Carrier::ChinaMobile},
        {"18412345678", Carrier::ChinaMobile},
        {"18712345678", Carrier::ChinaMobile},
        {"18812345678", Carrier::ChinaMobile},
        {"19812345678", Carrier::ChinaMobile},
        {"13012345678", Carrier::ChinaUnicom},
        {"13212345678", Carrier::ChinaUnicom},
        {"14512345678", Carrier::ChinaUnicom},
        {"14612345678", Carrier::ChinaUnicom},
        {"15512345678", Carrier::ChinaUnicom},
        {"15612345678", Carrier::ChinaUnicom},
        {"16612345678", Carrier::ChinaUnicom},
        {"17112345678", Carrier::ChinaUnicom},
        {"17512345678", Carrier::ChinaUnicom},
        {"17612345678", Carrier::ChinaUnicom},
        {"18512345678", Carrier::ChinaUnicom},
        {"18612345678", Carrier::ChinaUnicom},
        {"13312345678", Carrier::ChinaTelecom},
        {"14912345678", Carrier::ChinaTelecom},
        {"15312345678", Carrier::ChinaTelecom},
        {"17312345678", Carrier::ChinaTelecom},
        {"17412345678", Carrier::ChinaTelecom},
        {"17712345678", Carrier::ChinaTelecom},
        {"18012345678", Carrier::ChinaTelecom},
        {"18112345678", Carrier::ChinaTelecom},
        {"18912345678", Carrier::ChinaTelecom},
        {"19112345678", Carrier::ChinaTelecom},
        {"19912345678", Carrier::ChinaTelecom},
        {"19212345678", Carrier::ChinaBroadnet},
        {"17002345678", Carrier::ChinaTelecom},
        {"17052345678", Carrier::ChinaMobile},
        {"17092345678", Carrier::ChinaUnicom},
        {"+86 189 1234 5678", Carrier::ChinaTelecom},
        {"008613912345678", Carrier::ChinaMobile},
        {"14012345678", Carrier::Unknown},
        {"+447700900123", Carrier::Unknown},
        {"010-65529988", Carrier::Unknown},
        {"", Carrier::Unknown},
        {"garbage", Carrier::Unknown},
    };
    for (const Row& r : rows) {
        CAPTURE(r.number);
        CHECK(carrier_of(r.number) == r.carrier);
    }
}

TEST_CASE("carrier_from_operator: AT+COPS names and MCC-MNC") {
    struct Row {
        const char* op;
        Carrier carrier;
    };
    const Row rows[] = {
        {"CHINA MOBILE", Carrier::ChinaMobile},
        {"China Mobile", Carrier::ChinaMobile},
        {"CMCC", Carrier::ChinaMobile},
        {"中国移动", Carrier::ChinaMobile},
        {"46000", Carrier::ChinaMobile},
        {"46002", Carrier::ChinaMobile},
        {"46007", Carrier::ChinaMobile},
        {"+COPS: 0,2,\"46000\",7", Carrier::ChinaMobile},
        {"+COPS: 0,0,\"CHINA MOBILE\",7", Carrier::ChinaMobile},
        {"4E2D56FD79FB52A8", Carrier::ChinaMobile},  // UCS2 hex of 中国移动
        {"CHN-UNICOM", Carrier::ChinaUnicom},
        {"CHINA UNICOM", Carrier::ChinaUnicom},
        {"UNICOM", Carrier::ChinaUnicom},
        {"中国联通", Carrier::ChinaUnicom},
        {"46001", Carrier::ChinaUnicom},
        {"46006", Carrier::ChinaUnicom},
        {"46009", Carrier::ChinaUnicom},
        {"CHN-CT", Carrier::ChinaTelecom},
        {"CHINA TELECOM", Carrier::ChinaTelecom},
        {"中国电信", Carrier::ChinaTelecom},
        {"46003", Carrier::ChinaTelecom},
        {"46011", Carrier::ChinaTelecom},
        {"+COPS: 0,2,\"46011\",7", Carrier::ChinaTelecom},
        {"CBN", Carrier::ChinaBroadnet},
        {"中国广电", Carrier::ChinaBroadnet},
        {"46015", Carrier::ChinaBroadnet},
        {"ｃｈｉｎａ　ｍｏｂｉｌｅ", Carrier::ChinaMobile},
        {"Vodafone UK", Carrier::Unknown},
        {"23415", Carrier::Unknown},
        {"46099", Carrier::Unknown},
        {"+COPS: 0", Carrier::Unknown},
        {"", Carrier::Unknown},
        {"\"", Carrier::Unknown},
        {"\xC3\x28", Carrier::Unknown},
    };
    for (const Row& r : rows) {
        CAPTURE(r.op);
        CHECK(carrier_from_operator(r.op) == r.carrier);
    }
}

TEST_CASE("carrier names") {
    CHECK(std::string(to_string(Carrier::ChinaUnicom)) == "china_unicom");
    CHECK(std::string(carrier_name_zh(Carrier::ChinaTelecom)) == "中国电信");
    CHECK(std::string(to_string(PhoneErrc::landline)) == "landline");
}
