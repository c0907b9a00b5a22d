// SPDX-License-Identifier: Apache-2.0
// SMS-SUBMIT encoding, segmentation and round trips over random texts.

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "cunxin/sms/pdu.hpp"
#include "cunxin/sms/segment.hpp"

using namespace cunxin::sms;

namespace {

std::vector<SubmitPdu> encode_ok(SubmitRequest req) {
    auto r = encode_submit(req);
    REQUIRE(r);
    return *r;
}

std::vector<SubmitPdu> encode_text(const std::string& text) {
    SubmitRequest req;
    req.recipient = "+8613800138000";
    req.text = text;
    return encode_ok(req);
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

Pdu decode_ok(const std::string& hex) {
    auto p = decode(hex);
    REQUIRE(p);
    return *p;
}

}  // namespace

TEST_CASE("single GSM 7-bit SUBMIT, octet by octet (TS 23.040 §9.2.2.2)") {
    const auto pdus = encode_text("hello");
    REQUIRE(pdus.size() == 1);
    // 00 SMSC default | 01 SUBMIT | 00 MR | 0D 91 683108108300F0 DA | 00 PID | 00 DCS |
    // 05 UDL | E8329BFD06 "hello"
    CHECK(pdus[0].hex == "0001000D91683108108300F0000005E8329BFD06");
    CHECK(pdus[0].tpdu_length == 19);
    CHECK(pdus[0].part == 1);
    CHECK(pdus[0].total == 1);
}

TEST_CASE("UCS2 SUBMIT for Chinese, national destination, SRR, VP, RD") {
    SubmitRequest req;
    req.recipient = "13800138000";
    req.text = "你好";
    req.status_report = true;
    req.validity_minutes = 24 * 60;
    req.reject_duplicates = true;
    const auto pdus = encode_ok(req);
    REQUIRE(pdus.size() == 1);
    // 35 = SUBMIT | RD | VPF relative | SRR; DA 0B 81 (unknown/national) 3108108300F0;
    // DCS 08; VP A7 (24 h); UDL 04
    CHECK(pdus[0].hex == "0035000B813108108300F00008A7044F60597D");
    const auto back = decode_ok(pdus[0].hex);
    CHECK(back.type == PduType::Submit);
    CHECK(back.address == "13800138000");
    CHECK(back.address_kind == AddressKind::National);
    CHECK(back.status_report);
    CHECK(back.reject_duplicates);
    CHECK(back.validity_minutes == 24 * 60);
    CHECK(back.message_reference == 0);
}

TEST_CASE("validity periods round up to the next representable value") {
    struct Row {
        int minutes;
        std::uint8_t vp;
    };
    const Row rows[] = {{1, 0x00},        {5, 0x00},         {6, 0x01},          {60, 0x0B},
                        {720, 0x8F},      {721, 0x90},       {1440, 0xA7},       {1441, 0xA8},
                        {4 * 1440, 0xAA}, {30 * 1440, 0xC4}, {30 * 1440 + 1, 0xC5},
                        {63 * 10080, 0xFF}};
    for (const auto& r : rows) {
        CAPTURE(r.minutes);
        SubmitRequest req;
        req.recipient = "+8613800138000";
        req.text = "x";
        req.validity_minutes = r.minutes;
        const auto pdus = encode_ok(req);
        auto bytes = from_hex(pdus[0].hex);
        REQUIRE(bytes);
        // 00 | FO | MR | DA (2 + 7) | PID | DCS | VP
        CHECK((*bytes)[14] == r.vp);
        CHECK(decode_ok(pdus[0].hex).validity_minutes >= r.minutes);
    }
    for (int bad : {0, -5, 63 * 10080 + 1}) {
        CAPTURE(bad);
        SubmitRequest req;
        req.recipient = "+8613800138000";
        req.validity_minutes = bad;
        auto r = encode_submit(req);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::bad_validity);
    }
}

TEST_CASE("bad recipients and bad text are refused with a reason") {
    for (const char* to : {"", "+", "138 0013 8000", "+86-138", "abc", "123456789012345678901"}) {
        CAPTURE(to);
        SubmitRequest req;
        req.recipient = to;
        req.text = "hi";
        auto r = encode_submit(req);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::bad_recipient);
    }
    SubmitRequest req;
    req.recipient = "+8613800138000";
    req.text = "bad \xC3";
    auto r = encode_submit(req);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_utf8);
}

TEST_CASE("segment boundaries: 160/153 septets, 70/67 units") {
    struct Row {
        std::string text;
        Encoding enc;
        int segments;
        int units;
        int per;
        int remaining;
    };
    const Row rows[] = {
        {"", Encoding::Gsm7, 1, 0, 160, 160},
        {"€", Encoding::Gsm7, 1, 2, 160, 158},
        {std::string(160, 'a'), Encoding::Gsm7, 1, 160, 160, 0},
        {std::string(161, 'a'), Encoding::Gsm7, 2, 161, 153, 145},
        {std::string(306, 'a'), Encoding::Gsm7, 2, 306, 153, 0},
        {std::string(307, 'a'), Encoding::Gsm7, 3, 307, 153, 152},
        {repeat("[", 80), Encoding::Gsm7, 1, 160, 160, 0},
        {repeat("[", 81), Encoding::Gsm7, 2, 162, 153, 143},  // 76 + 5: 152 + 10 septets
        {"你好", Encoding::Ucs2, 1, 2, 70, 68},
        {repeat("中", 70), Encoding::Ucs2, 1, 70, 70, 0},
        {repeat("中", 71), Encoding::Ucs2, 2, 71, 67, 63},
        {repeat("中", 134), Encoding::Ucs2, 2, 134, 67, 0},
        {repeat("👍", 35), Encoding::Ucs2, 1, 70, 70, 0},
        {repeat("👍", 36), Encoding::Ucs2, 2, 72, 67, 61},  // 33 + 3 pairs: 66 + 6 units
        {"a中", Encoding::Ucs2, 1, 2, 70, 68},  // one non-GSM char makes it all UCS2
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        const auto info = plan_segments(r.text);
        CHECK(info.encoding == r.enc);
        CHECK(info.segments == r.segments);
        CHECK(info.units == r.units);
        CHECK(info.units_per_segment == r.per);
        CHECK(info.remaining == r.remaining);
        CHECK(info.valid_utf8);
        CHECK(static_cast<int>(encode_text(r.text).size()) == r.segments);
    }
    CHECK_FALSE(plan_segments("a\xFF").valid_utf8);
    CHECK(plan_segments("a\xFF").encoding == Encoding::Ucs2);  // counted as U+FFFD
}

TEST_CASE("an extension character is never split across parts") {
    const std::string text = std::string(152, 'a') + "€" + std::string(10, 'b');
    const auto pdus = encode_text(text);
    REQUIRE(pdus.size() == 2);
    CHECK(decode_ok(pdus[0].hex).text == std::string(152, 'a'));
    CHECK(decode_ok(pdus[1].hex).text == "€" + std::string(10, 'b'));
}

TEST_CASE("a surrogate pair is never split across parts") {
    const std::string text = repeat("中", 66) + "👍" + repeat("文", 10);
    const auto pdus = encode_text(text);
    REQUIRE(pdus.size() == 2);
    CHECK(decode_ok(pdus[0].hex).text == repeat("中", 66));
    CHECK(decode_ok(pdus[1].hex).text == "👍" + repeat("文", 10));
}

TEST_CASE("multipart: concat UDH with the 8-bit reference, parts numbered") {
    SubmitRequest req;
    req.recipient = "+8613800138000";
    req.text = std::string(200, 'x');
    req.concat_reference = 0xA5;
    const auto pdus = encode_ok(req);
    REQUIRE(pdus.size() == 2);
    for (int i = 0; i < 2; ++i) {
        CAPTURE(i);
        CHECK(pdus[i].part == i + 1);
        CHECK(pdus[i].total == 2);
        // 41 = SUBMIT | UDHI; UDH 05 00 03 A5 02 0i
        CHECK(pdus[i].hex.substr(2, 2) == "41");
        CHECK(pdus[i].hex.find("050003A5020" + std::to_string(i + 1)) != std::string::npos);
        const auto p = decode_ok(pdus[i].hex);
        REQUIRE(p.concat);
        CHECK(*p.concat == Concat{0xA5, i + 1, 2, false});
    }
    CHECK(pdus[0].tpdu_length == 1 + 1 + 9 + 1 + 1 + 1 + 140);  // a full part: 140 octets of UD
}

TEST_CASE("255 parts is the limit") {
    CHECK(encode_text(std::string(255 * 153, 'a')).size() == 255);
    SubmitRequest req;
    req.recipient = "+8613800138000";
    req.text = std::string(255 * 153 + 1, 'a');
    auto r = encode_submit(req);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::too_many_parts);
    CHECK(plan_segments(req.text).segments == 256);
}

namespace {

/// Random text from pools: ASCII, GSM extension chars, GSM accents/Greek, Chinese, emoji.
std::string random_text(std::mt19937& rng, int length, int mix) {
    static const char* const kAscii = "abcXYZ 0123456789.,!?-:;'\"@$%&*()\n";
    static const char* const kExt[] = {"{", "}", "[", "]", "~", "^", "\\", "|", "€"};
    static const char* const kGsm[] = {"é", "Ä", "ñ", "Δ", "Ω", "ß", "¿", "£", "¥", "§"};
    static const char* const kChinese[] = {"村", "信", "通", "知", "会", "议", "镇", "党", "员",
                                           "。", "，", "！", "（", "）", "“", "”"};
    static const char* const kEmoji[] = {"👍", "😀", "🎉", "🙏", "🇨🇳", "👨‍👩‍👧"};
    std::string s;
    for (int i = 0; i < length; ++i) {
        const unsigned pick = rng() % 100;
        if (mix == 0 || pick < 50) {
            s += kAscii[rng() % 35];
        } else if (pick < 65) {
            s += kExt[rng() % 9];
        } else if (pick < 75) {
            s += kGsm[rng() % 10];
        } else if (mix == 1) {
            s += kAscii[rng() % 35];
        } else if (pick < 95) {
            s += kChinese[rng() % 16];
        } else {
            s += kEmoji[rng() % 6];
        }
    }
    return s;
}

/// Septets (GSM) or UTF-16 units (UCS2) of a text that fits the given encoding.
int units_of(const std::string& text, Encoding enc) {
    if (enc == Encoding::Gsm7) return static_cast<int>(gsm7_septets(text)->size());
    return static_cast<int>(utf8_to_utf16(text)->size());
}

/// Size of the first character of a text in units.
int first_char_units(const std::string& text, Encoding enc) {
    auto u = utf8_to_utf16(text);
    if (u->empty()) return 0;
    const bool pair = (*u)[0] >= 0xD800 && (*u)[0] <= 0xDBFF;
    const std::u16string first = u->substr(0, pair ? 2 : 1);
    const std::string c = *utf16_to_utf8(first);
    return units_of(c, enc);
}

}  // namespace

TEST_CASE("round trips over random texts: decode(encode(x)) joined == x, segmentation optimal") {
    std::mt19937 rng(0x636E78);  // fixed seed: failures are reproducible
    int checked = 0;
    for (int round = 0; round < 240; ++round) {
        const int mix = round % 3;  // 0 ASCII, 1 GSM incl. extension chars, 2 all
        const int length = round < 6 ? round : static_cast<int>(rng() % 2001);
        const std::string text = random_text(rng, length, mix);
        CAPTURE(round);
        CAPTURE(text);
        const auto info = plan_segments(text);
        SubmitRequest req;
        req.recipient = "+8613800138000";
        req.text = text;
        req.concat_reference = static_cast<std::uint8_t>(round);
        auto pdus = encode_submit(req);
        REQUIRE(pdus);
        REQUIRE(static_cast<int>(pdus->size()) == info.segments);
        const int capacity = pdus->size() == 1 ? (info.encoding == Encoding::Gsm7 ? 160 : 70)
                                               : (info.encoding == Encoding::Gsm7 ? 153 : 67);
        std::vector<std::string> parts;
        int total_units = 0;
        for (std::size_t i = 0; i < pdus->size(); ++i) {
            const auto& sp = (*pdus)[i];
            REQUIRE(sp.hex.size() == 2 + 2 * static_cast<std::size_t>(sp.tpdu_length));
            CHECK(sp.tpdu_length <= 164);  // 24 header octets max + 140 UD
            auto p = decode(sp.hex);
            REQUIRE(p);
            CHECK(p->encoding == info.encoding);
            if (pdus->size() > 1) {
                REQUIRE(p->concat);
                CHECK(p->concat->part == static_cast<int>(i) + 1);
                CHECK(p->concat->total == static_cast<int>(pdus->size()));
                CHECK(p->concat->reference == round % 256);
            } else {
                CHECK_FALSE(p->concat);
            }
            const int u = units_of(p->text, info.encoding);
            CHECK(u <= capacity);
            total_units += u;
            parts.push_back(p->text);
        }
        std::string joined;
        for (const auto& p : parts) joined += p;
        CHECK(joined == text);
        CHECK(total_units == info.units);
        // Optimal: every part but the last is full, i.e. the next character would not fit.
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            CHECK(units_of(parts[i], info.encoding) + first_char_units(parts[i + 1], info.encoding) >
                  capacity);
        }
        // and GSM 7-bit is used whenever every character fits
        CHECK((info.encoding == Encoding::Gsm7) == gsm7_septets(text).has_value());
        ++checked;
    }
    CHECK(checked == 240);
}
