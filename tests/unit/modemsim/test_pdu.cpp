// SPDX-License-Identifier: Apache-2.0
// The simulator's own PDU codec, checked against PDUs built and decoded by hand from
// TS 23.040 / 23.038 (never against drivers/sms).
#include <doctest/doctest.h>

#include <chrono>

#include "pdu.hpp"

using namespace cunxin::modemsim;
using namespace std::chrono;

namespace {
system_clock::time_point at_utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return sys_days{year{y} / month{mo} / day{d}} + hours(h) + minutes(mi) + seconds(s);
}
}  // namespace

TEST_CASE("decode_submit: GSM 7-bit 'hello', relative validity (the classic example)") {
    // 00 no SMSC | 11 SUBMIT, VPF=relative | 00 MR | 0D 91 683119325476F8 (+8613912345678)
    // 00 PID | 00 DCS | AA VP (4 days) | 05 UDL | E8329BFD06 "hello"
    auto s = decode_submit("0011000D91683119325476F80000AA05E8329BFD06");
    REQUIRE(s.has_value());
    CHECK(s->recipient == "+8613912345678");
    CHECK(s->text == "hello");
    CHECK(s->encoding == "gsm7");
    CHECK(s->validity == 0xAA);
    CHECK_FALSE(s->status_report);
    CHECK(s->concat_ref == -1);
    CHECK(s->tpdu_octets == 20);
}

TEST_CASE("decode_submit: UCS2 Chinese with status report requested") {
    // 31 = SUBMIT | VPF relative | SRR; DCS 08; UDL 4: 4F60 597D "你好"
    auto s = decode_submit("0031000D91683108108300F00008A7044F60597D");
    REQUIRE(s.has_value());
    CHECK(s->recipient == "+8613800138000");
    CHECK(s->text == "你好");
    CHECK(s->encoding == "ucs2");
    CHECK(s->status_report);
    CHECK(s->validity == 0xA7);
}

TEST_CASE("decode_submit: concatenated GSM 7-bit part with one fill bit after the UDH") {
    // 41 = SUBMIT | UDHI, no VP | 0B 81 3119325476F8 (13912345678, national)
    // UDL 9 = 7 header septets + 2 | UDH 05 00 03 2A 02 01 | "ab" shifted by one fill bit: C2 62
    auto s = decode_submit("0041000B813119325476F80000090500032A0201C262");
    REQUIRE(s.has_value());
    CHECK(s->recipient == "13912345678");
    CHECK(s->text == "ab");
    CHECK(s->concat_ref == 0x2A);
    CHECK(s->concat_part == 1);
    CHECK(s->concat_total == 2);
    CHECK(s->vpf == 0);
}

TEST_CASE("decode_submit: 16-bit concatenation reference and 8-bit data") {
    // 41 | DCS 04 (8-bit) | UDL 9: UDH 06 08 04 1234 03 02 + 3 octets 010203
    auto s = decode_submit("0041000B813119325476F800040A060804123403020102 03");
    CHECK_FALSE(s.has_value());  // a space is not hex
    s = decode_submit("0041000B813119325476F80004 0A0608041234030201020 3");
    CHECK_FALSE(s.has_value());
    s = decode_submit("0041000B813119325476F800040A06080412340302010203");
    REQUIRE(s.has_value());
    CHECK(s->encoding == "8bit");
    CHECK(s->concat_ref == 0x1234);
    CHECK(s->concat_part == 2);
    CHECK(s->concat_total == 3);
    CHECK(s->text == "010203");
}

TEST_CASE("decode_submit: GSM 7-bit extension table (euro sign)") {
    // 01 SUBMIT no VP | UDL 3: septets 61 1B 65 ("a€") packed E1 4D 19
    auto s = decode_submit("0001000B813119325476F8000003E14D19");
    REQUIRE(s.has_value());
    CHECK(s->text == "a€");
}

TEST_CASE("decode_submit: rejects what a modem would reject, with a reason") {
    CHECK(decode_submit("0011000D9168311932547").error().code == Errc::BadHex);
    CHECK(decode_submit("0011000D91683119325476F80000AA06E8329BFD06").error().code == Errc::BadUserData);
    CHECK(decode_submit("0004000D91683119325476F80000").error().code == Errc::NotSubmit);
    CHECK(decode_submit("0011").error().code == Errc::Truncated);
    CHECK(decode_submit("0011000D91683119325476F80000").error().code == Errc::Truncated);
    CHECK(decode_submit("0011000D91683119325476F80000AA05E8329B").error().code == Errc::BadUserData);
}

TEST_CASE("decode_submit: with an SMSC field, the TPDU length excludes it") {
    auto s = decode_submit("0891683108100005F011000D91683119325476F80000AA05E8329BFD06");
    REQUIRE(s.has_value());
    CHECK(s->smsc == "+8613800100500");
    CHECK(s->tpdu_octets == 20);
}

TEST_CASE("encode_deliver: one GSM 7-bit part, fields as decoded by hand") {
    DeliverSpec d;
    d.smsc = "+8613800100500";
    d.from = "+8613800000001";
    d.text = "Hi";
    d.scts = at_utc(2026, 11, 22, 5, 0, 0);  // 13:00:00 at +08:00
    auto parts = encode_deliver(d);
    REQUIRE(parts.size() == 1);
    // 08 91 683108100005F0 SMSC | 04 DELIVER, MMS | 0D 91 683108000000F1 | 00 PID | 00 DCS
    // 62112231000023 = 26-11-22 13:00:00 +32 quarters | 02 UDL | C834 "Hi"
    CHECK(parts[0].hex == "0891683108100005F0040D91683108000000F1000062112231000023" "02C834");
    CHECK(parts[0].tpdu_octets == 22);
}

TEST_CASE("encode_deliver: Chinese is UCS2, split in 67-character parts with a concat UDH") {
    DeliverSpec d;
    d.smsc = "+8613800100500";
    d.from = "10086";
    d.text.clear();
    for (int i = 0; i < 80; ++i) d.text += "村";  // U+6751
    d.concat_ref = 0x33;
    d.scts = at_utc(2026, 1, 2, 3, 4, 5);
    auto parts = encode_deliver(d);
    REQUIRE(parts.size() == 2);
    // 44 = DELIVER | MMS | UDHI; OA 05 81 0180F6 ("10086"); DCS 08; SCTS 26-01-02 11:04:05 +32
    const std::string head = "0891683108100005F0" "44" "0581" "0180F6" "00" "08" "62102011405023";
    CHECK(parts[0].hex.rfind(head + "8C" "0500033302" "01" "6751", 0) == 0);  // 6 + 134 = 140 octets
    CHECK(parts[1].hex.rfind(head + "20" "0500033302" "02" "6751", 0) == 0);  // 6 + 26 = 32 octets
    CHECK(parts[0].tpdu_octets == 1 + 1 + 1 + 3 + 1 + 1 + 7 + 1 + 140);
    CHECK(parts[1].hex.size() == head.size() + 2 + 64);
}

TEST_CASE("encode_deliver: long GSM 7-bit text splits at 153 septets and keeps escapes whole") {
    DeliverSpec d;
    d.smsc = "+8613800100500";
    d.from = "+8613800000001";
    d.text = std::string(152, 'a') + "€" + std::string(10, 'b');  // 164 septets
    d.scts = at_utc(2026, 1, 2, 3, 4, 5);
    auto parts = encode_deliver(d);
    REQUIRE(parts.size() == 2);
    // Part 1 holds 152 'a' only (the escape pair would straddle), so UDL = 7 + 152.
    auto udl_pos = std::string("0891683108100005F0" "44" "0D91683108000000F1" "00" "00" "62102011405023").size();
    CHECK(parts[0].hex.substr(udl_pos, 2) == "9F");  // 159
    CHECK(parts[1].hex.substr(udl_pos, 2) == "13");  // 7 + 2 + 10
}

TEST_CASE("encode_status_report: fields in TS 23.040 §9.2.2.3 order") {
    auto t = at_utc(2026, 11, 22, 5, 0, 0);
    auto r = encode_status_report("+8613800100500", 7, "+8613912345678", t, t + seconds(5), 0);
    CHECK(r.hex == "0891683108100005F0" "06" "07" "0D91683119325476F8" "62112231000023" "62112231005023" "00");
    CHECK(r.tpdu_octets == 1 + 1 + 9 + 7 + 7 + 1);
}

TEST_CASE("encode_scts: negative time zones set bit 3") {
    auto v = encode_scts(at_utc(2026, 1, 1, 12, 0, 0), -20);  // -05:00
    REQUIRE(v.size() == 7);
    CHECK(v[3] == 0x70);  // 07 h local, swapped
    CHECK(v[6] == (0x02 | 0x08));
}
