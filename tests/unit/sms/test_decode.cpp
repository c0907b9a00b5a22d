// SPDX-License-Identifier: Apache-2.0
// Field-level decoding: DCS groups, status classes, timestamps, validity, UDH details.

#include <doctest/doctest.h>

#include <random>

#include "cunxin/sms/pdu.hpp"

using namespace cunxin::sms;

TEST_CASE("DCS groups (TS 23.038 §4)") {
    struct Row {
        std::uint8_t dcs;
        Encoding enc;
        MessageClass cls;
        bool compressed;
        bool waiting;
    };
    const Row rows[] = {
        {0x00, Encoding::Gsm7, MessageClass::None, false, false},
        {0x04, Encoding::EightBit, MessageClass::None, false, false},
        {0x08, Encoding::Ucs2, MessageClass::None, false, false},
        {0x0C, Encoding::Gsm7, MessageClass::None, false, false},  // reserved alphabet
        {0x10, Encoding::Gsm7, MessageClass::Class0, false, false},  // flash SMS
        {0x11, Encoding::Gsm7, MessageClass::Class1, false, false},
        {0x12, Encoding::Gsm7, MessageClass::Class2, false, false},
        {0x13, Encoding::Gsm7, MessageClass::Class3, false, false},
        {0x18, Encoding::Ucs2, MessageClass::Class0, false, false},
        {0x20, Encoding::Gsm7, MessageClass::None, true, false},
        {0x48, Encoding::Ucs2, MessageClass::None, false, false},  // automatic deletion group
        {0x80, Encoding::Gsm7, MessageClass::None, false, false},  // reserved groups
        {0xB4, Encoding::Gsm7, MessageClass::None, false, false},
        {0xC0, Encoding::Gsm7, MessageClass::None, false, true},
        {0xD9, Encoding::Gsm7, MessageClass::None, false, true},
        {0xE8, Encoding::Ucs2, MessageClass::None, false, true},
        {0xF0, Encoding::Gsm7, MessageClass::Class0, false, false},
        {0xF4, Encoding::EightBit, MessageClass::Class0, false, false},
        {0xF6, Encoding::EightBit, MessageClass::Class2, false, false},
        {0xF3, Encoding::Gsm7, MessageClass::Class3, false, false},
    };
    for (const auto& r : rows) {
        CAPTURE(static_cast<int>(r.dcs));
        const Dcs d = decode_dcs(r.dcs);
        CHECK(d.raw == r.dcs);
        CHECK(d.encoding == r.enc);
        CHECK(d.message_class == r.cls);
        CHECK(d.compressed == r.compressed);
        CHECK(d.waiting.has_value() == r.waiting);
    }
    CHECK(decode_dcs(0x48).auto_delete);
    // message waiting: 1100 discard, 1101 store; bit 3 active; bits 1-0 kind
    const auto c8 = decode_dcs(0xC8).waiting;
    REQUIRE(c8);
    CHECK(c8->discard);
    CHECK(c8->active);
    CHECK(c8->kind == WaitingKind::Voicemail);
    const auto d1 = decode_dcs(0xD1).waiting;
    REQUIRE(d1);
    CHECK_FALSE(d1->discard);
    CHECK_FALSE(d1->active);
    CHECK(d1->kind == WaitingKind::Fax);
    CHECK(decode_dcs(0xEA).waiting->kind == WaitingKind::Email);
    CHECK(decode_dcs(0xEB).waiting->kind == WaitingKind::Other);
}

TEST_CASE("TP-ST classes (TS 23.040 §9.2.3.15)") {
    struct Row {
        int st;
        StatusClass cls;
    };
    const Row rows[] = {
        {0x00, StatusClass::Delivered}, {0x01, StatusClass::Delivered}, {0x02, StatusClass::Delivered},
        {0x1F, StatusClass::Delivered}, {0x20, StatusClass::Pending},   {0x25, StatusClass::Pending},
        {0x3F, StatusClass::Pending},   {0x40, StatusClass::Failed},    {0x41, StatusClass::Failed},
        {0x5F, StatusClass::Failed},    {0x60, StatusClass::Failed},    {0x65, StatusClass::Failed},
        {0x7F, StatusClass::Failed},    {0xFF, StatusClass::Failed},
    };
    for (const auto& r : rows) {
        CAPTURE(r.st);
        CHECK(classify_status(r.st) == r.cls);
    }
    CHECK(std::string(to_string(StatusClass::Pending)) == "pending");
}

TEST_CASE("a class 0 (flash) message from an alphanumeric sender") {
    auto p = decode("000407D0C2B07B0D00106210203040500002CF25");
    REQUIRE(p);
    CHECK(p->address_kind == AddressKind::Alphanumeric);
    CHECK(p->address == "Bank");
    CHECK(p->dcs.message_class == MessageClass::Class0);
    CHECK(p->more_messages == false);  // TP-MMS set: no more messages
}

TEST_CASE("a message-waiting DCS still decodes its text") {
    // DCS 0xC8: discard group, voicemail waiting active; text "Hi"
    auto p = decode("00040BA13119325476F800C862102030405000" "02C834");
    REQUIRE(p);
    REQUIRE(p->dcs.waiting);
    CHECK(p->dcs.waiting->active);
    CHECK(p->text == "Hi");
}

TEST_CASE("timestamps: ISO 8601 and UTC instants") {
    Timestamp t{2026, 3, 5, 14, 30, 15, 8 * 60};
    CHECK(t.iso8601() == "2026-03-05T14:30:15+08:00");
    CHECK(t.unix_seconds() == 1772692215);  // 2026-03-05T06:30:15Z
    Timestamp n{2025, 12, 31, 23, 59, 59, -(3 * 60 + 30)};
    CHECK(n.iso8601() == "2025-12-31T23:59:59-03:30");
    CHECK(n.unix_seconds() == 1767238199);  // 2026-01-01T03:29:59Z
}

TEST_CASE("SUBMIT: relative validity period decodes to minutes (TS 23.040 §9.2.3.12.1)") {
    struct Row {
        const char* vp;
        int minutes;
    };
    const Row rows[] = {{"00", 5}, {"8F", 720}, {"90", 750}, {"A7", 1440},
                        {"A8", 2 * 1440}, {"AA", 4 * 1440}, {"C4", 30 * 1440}, {"C5", 5 * 10080},
                        {"FF", 63 * 10080}};
    for (const auto& r : rows) {
        CAPTURE(r.vp);
        auto p = decode(std::string("0011000B916407281553F80000") + r.vp + "0AE8329BFD4697D9EC37");
        REQUIRE(p);
        CHECK(p->validity_minutes == r.minutes);
    }
    // absolute / enhanced formats take 7 octets and are skipped
    auto abs = decode("0019000B916407281553F80000" "62102030405000" "0AE8329BFD4697D9EC37");
    REQUIRE(abs);
    CHECK(abs->text == "hellohello");
    CHECK_FALSE(abs->validity_minutes);
}

TEST_CASE("UDH: unknown IEs are skipped, invalid concat IEs ignored") {
    // IE 0x0A (text formatting, 4 octets) then concat 8-bit ref 9 part 2 of 2; UCS2 "好"
    auto p = decode("00440BA13119325476F8000862102030405000" "0E" "0B0A04000000000003090202" "597D");
    REQUIRE(p);
    REQUIRE(p->concat);
    CHECK(*p->concat == Concat{9, 2, 2, false});
    CHECK(p->text == "好");
    CHECK(p->user_data_header.size() == 11);
    // concat with part 0 or part > total: ignored (§9.2.3.24.1)
    auto zero = decode("00440BA13119325476F8000862102030405000" "08" "050003090200" "597D");
    REQUIRE(zero);
    CHECK_FALSE(zero->concat);
    auto over = decode("00440BA13119325476F8000862102030405000" "08" "050003090203" "597D");
    REQUIRE(over);
    CHECK_FALSE(over->concat);
}

TEST_CASE("UCS2: a surrogate pair split across concatenated parts becomes U+FFFD") {
    // part 1 of 2 ends with a high surrogate; part 2 starts with the low one
    auto a = decode("00440BA13119325476F8000862102030405000" "0A" "050003010201" "597DD83D");
    REQUIRE(a);
    CHECK(a->text == "好\xEF\xBF\xBD");
    auto b = decode("00440BA13119325476F8000862102030405000" "0A" "050003010202" "DC4D597D");
    REQUIRE(b);
    CHECK(b->text == "\xEF\xBF\xBD好");
}

TEST_CASE("8-bit data keeps its octets") {
    auto p = decode("00040BA13119325476F8000462102030405000" "0400FF7F80");
    REQUIRE(p);
    CHECK(p->encoding == Encoding::EightBit);
    CHECK(p->user_data == std::vector<std::uint8_t>{0x00, 0xFF, 0x7F, 0x80});
}

TEST_CASE("status report with TP-PI announcing PID, DCS and user data") {
    // PI 0x07: PID 00, DCS 08, UDL 02, "好"
    auto p = decode("0006070BA13119325476F8621020304050006210203040500000" "07" "0008" "02597D");
    REQUIRE(p);
    CHECK(p->type == PduType::StatusReport);
    CHECK(p->status_class == StatusClass::Delivered);
    CHECK(p->text == "好");
    CHECK(p->encoding == Encoding::Ucs2);
}

TEST_CASE("random bytes never crash the decoder (bounded)") {
    std::mt19937 rng(20260305);
    int ok = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> b(rng() % 64);
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        if (!b.empty() && (i & 1)) b[0] = static_cast<std::uint8_t>(rng() % 12);  // plausible SMSC
        auto r = decode(b, (i & 2) != 0);
        if (!r) continue;
        ++ok;
        CHECK(utf8_to_utf16(r->text));  // whatever decodes is valid UTF-8
        CHECK(utf8_to_utf16(r->address));
    }
    MESSAGE("random inputs that decoded: " << ok);
}
