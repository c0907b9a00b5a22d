// SPDX-License-Identifier: Apache-2.0
// UTF-8/UTF-16, hex, the GSM 7-bit tables and septet packing (TS 23.038).

#include <doctest/doctest.h>

#include "cunxin/sms/text.hpp"

using namespace cunxin::sms;

TEST_CASE("UTF-8 to UTF-16 and back, surrogate pairs included") {
    const std::string s = "村信 abc € 👍";
    auto u = utf8_to_utf16(s);
    REQUIRE(u);
    CHECK(u->size() == 11);  // 2 + 1 + 3 + 1 + 1 + 1 + 2 (emoji as a surrogate pair)
    CHECK((*u)[9] == 0xD83D);
    CHECK((*u)[10] == 0xDC4D);
    auto back = utf16_to_utf8(*u);
    REQUIRE(back);
    CHECK(*back == s);
}

TEST_CASE("invalid UTF-8 is rejected with invalid_utf8") {
    const char* bad[] = {
        "\xC0\x80",          // overlong NUL
        "\xE0\x80\xAF",      // overlong
        "\xED\xA0\x80",      // encoded surrogate
        "\xE4\xBD",          // truncated
        "\xE4\x41\xA0",      // bad continuation
        "\xF4\x90\x80\x80",  // above U+10FFFF
        "\xFF",              // never valid
        "\x80",              // lone continuation
    };
    for (const char* b : bad) {
        CAPTURE(b);
        auto r = utf8_to_utf16(b);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::invalid_utf8);
    }
}

TEST_CASE("unpaired surrogates are rejected with invalid_utf16") {
    for (std::u16string s : {std::u16string(u"a\xD800"), std::u16string(u"\xDC00" u"b"),
                             std::u16string(u"\xD800\xD800")}) {
        auto r = utf16_to_utf8(s);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::invalid_utf16);
    }
}

TEST_CASE("hex both ways") {
    CHECK(to_hex({0x00, 0xAB, 0x7F}) == "00AB7F");
    auto b = from_hex("  00ab7F\r\n");
    REQUIRE(b);
    CHECK(*b == std::vector<std::uint8_t>{0x00, 0xAB, 0x7F});
    auto odd = from_hex("ABC");
    REQUIRE_FALSE(odd);
    CHECK(odd.error().code == Errc::odd_hex);
    auto bad = from_hex("0G");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::bad_hex_digit);
}

TEST_CASE("GSM default alphabet positions from TS 23.038 §6.2.1") {
    struct Row {
        const char* text;
        std::vector<std::uint8_t> septets;
    };
    const Row rows[] = {
        {"@£$¥", {0x00, 0x01, 0x02, 0x03}},
        {"èéùìòÇ", {0x04, 0x05, 0x06, 0x07, 0x08, 0x09}},
        {"\nØø\rÅå", {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}},
        {"Δ_ΦΓΛΩΠΨΣΘΞ", {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A}},
        {"ÆæßÉ", {0x1C, 0x1D, 0x1E, 0x1F}},
        {" !\"#¤%&'", {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27}},
        {"¡AZÄÖÑÜ§", {0x40, 0x41, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F}},
        {"¿azäöñüà", {0x60, 0x61, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F}},
        // §6.2.1.1 extension table: escape + code, two septets each
        {"^{}\\[~]|€", {0x1B, 0x14, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x3C, 0x1B, 0x3D,
                        0x1B, 0x3E, 0x1B, 0x40, 0x1B, 0x65}},
        {"\f", {0x1B, 0x0A}},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        auto s = gsm7_septets(r.text);
        REQUIRE(s);
        CHECK(*s == r.septets);
        CHECK(gsm7_to_utf8(r.septets) == r.text);
    }
    for (const char* not_gsm : {"ç", "中", "`", "Ä€x中", "👍", "á"}) {
        CAPTURE(not_gsm);
        CHECK_FALSE(gsm7_septets(not_gsm));
    }
}

TEST_CASE("national language tables (TS 23.038 Annex A)") {
    // A.2.2 Spanish single shift: ESC 0x09 = ç, ESC 0x41 = Á, ESC 0x6F = ó
    CHECK(gsm7_to_utf8({0x1B, 0x09, 0x1B, 0x41, 0x1B, 0x6F}, 0, 2) == "çÁó");
    // A.2.1 Turkish single shift: ESC 0x47 Ğ, ESC 0x67 ğ, ESC 0x49 İ, ESC 0x69 ı, ESC 0x73 ş
    CHECK(gsm7_to_utf8({0x1B, 0x47, 0x1B, 0x67, 0x1B, 0x49, 0x1B, 0x69, 0x1B, 0x73, 0x1B, 0x53},
                       0, 1) == "ĞğİışŞ");
    // A.3.1 Turkish locking shift: 0x04 €, 0x07 ı, 0x40 İ, 0x60 ç; rest as default
    CHECK(gsm7_to_utf8({0x04, 0x07, 0x40, 0x60, 0x41}, 1, 0) == "€ıİçA");
    // A.3.3 Portuguese locking shift: 0x09 ç, 0x15 ∞, 0x60 ~, 0x7D `
    CHECK(gsm7_to_utf8({0x09, 0x15, 0x60, 0x7D}, 3, 0) == "ç∞~`");
    // A.2.3 Portuguese single shift: ESC 0x05 ê, ESC 0x7F â; default extension kept: ESC 0x65 €
    CHECK(gsm7_to_utf8({0x1B, 0x05, 0x1B, 0x7F, 0x1B, 0x65}, 0, 3) == "êâ€");
    // Unknown language ids fall back to the default tables.
    CHECK(gsm7_to_utf8({0x40, 0x1B, 0x65}, 9, 9) == "¡€");
}

TEST_CASE("undefined escape codes show the main table character, ESC ESC a space") {
    CHECK(gsm7_to_utf8({0x1B, 0x41}) == "A");
    CHECK(gsm7_to_utf8({0x1B, 0x1B}) == " ");
    CHECK(gsm7_to_utf8({0x41, 0x1B}) == "A");  // a lone trailing escape shows nothing
}

TEST_CASE("septet packing: 'hellohello' from the well-known SMS PDU tutorials") {
    auto s = gsm7_septets("hellohello");
    REQUIRE(s);
    const auto packed = pack_septets(*s);
    CHECK(to_hex(packed) == "E8329BFD4697D9EC37");
    auto back = unpack_septets(packed.data(), packed.size(), 10, 0);
    REQUIRE(back);
    CHECK(*back == *s);
    // asking for more septets than the octets hold fails instead of reading past the end
    CHECK_FALSE(unpack_septets(packed.data(), packed.size(), 11, 0));
    CHECK_FALSE(unpack_septets(packed.data(), packed.size(), 10, 7));
}

TEST_CASE("septet packing with fill bits, every offset") {
    const std::vector<std::uint8_t> septets = {0x7F, 0x00, 0x55, 0x2A, 0x01, 0x40, 0x7F, 0x3C, 0x11};
    for (int fill = 0; fill < 7; ++fill) {
        CAPTURE(fill);
        const auto packed = pack_septets(septets, fill);
        CHECK(packed.size() == (fill + septets.size() * 7 + 7) / 8);
        CHECK((packed[0] & ((1 << fill) - 1)) == 0);  // fill bits are zero
        auto back = unpack_septets(packed.data(), packed.size(), septets.size(), fill);
        REQUIRE(back);
        CHECK(*back == septets);
    }
}
