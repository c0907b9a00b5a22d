// SPDX-License-Identifier: Apache-2.0
// TS 23.038 §6.2.1 (default alphabet), §6.2.1.1 (extension table), Annex A.2 (national
// single-shift tables) and A.3 (national locking-shift tables) for the Latin-script
// languages: 1 Turkish, 2 Spanish (single shift only), 3 Portuguese. Other national
// languages (Indian scripts) fall back to the default tables.

#include "tables.hpp"

#include <array>
#include <utility>

namespace cunxin::sms::detail {
namespace {

struct Patch {
    std::uint8_t septet;
    char16_t unit;
};

struct Tab {
    char16_t t[128];
};

constexpr Tab make_default() {
    Tab r{};
    constexpr char16_t low[32] = {
        u'@',   0x00A3, u'$',   0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,  // 0x00
        0x00F2, 0x00C7, u'\n',  0x00D8, 0x00F8, u'\r',  0x00C5, 0x00E5,  // 0x08
        0x0394, u'_',   0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,  // 0x10
        0x03A3, 0x0398, 0x039E, kNone,  0x00C6, 0x00E6, 0x00DF, 0x00C9,  // 0x18
    };
    for (int i = 0; i < 32; ++i) r.t[i] = low[i];
    for (int i = 32; i < 128; ++i) r.t[i] = static_cast<char16_t>(i);  // ASCII positions
    r.t[0x24] = 0x00A4;  // ¤
    r.t[0x40] = 0x00A1;  // ¡
    r.t[0x5B] = 0x00C4;  // Ä
    r.t[0x5C] = 0x00D6;  // Ö
    r.t[0x5D] = 0x00D1;  // Ñ
    r.t[0x5E] = 0x00DC;  // Ü
    r.t[0x5F] = 0x00A7;  // §
    r.t[0x60] = 0x00BF;  // ¿
    r.t[0x7B] = 0x00E4;  // ä
    r.t[0x7C] = 0x00F6;  // ö
    r.t[0x7D] = 0x00F1;  // ñ
    r.t[0x7E] = 0x00FC;  // ü
    r.t[0x7F] = 0x00E0;  // à
    return r;
}

template <std::size_t N>
constexpr Tab patched(Tab base, const Patch (&p)[N]) {
    for (const auto& x : p) base.t[x.septet] = x.unit;
    return base;
}

constexpr Tab empty_table() {
    Tab r{};
    for (auto& c : r.t) c = kNone;
    return r;
}

// §6.2.1.1: the default extension table; every single-shift table repeats these.
constexpr Patch kDefaultExtension[] = {
    {0x0A, 0x000C}, {0x14, u'^'}, {0x28, u'{'}, {0x29, u'}'}, {0x2F, u'\\'},
    {0x3C, u'['},   {0x3D, u'~'}, {0x3E, u']'}, {0x40, u'|'}, {0x65, 0x20AC},
};

// A.3.1 Turkish locking shift.
constexpr Patch kTurkishLocking[] = {
    {0x04, 0x20AC}, {0x07, 0x0131}, {0x0B, 0x011E}, {0x0C, 0x011F},
    {0x1C, 0x015E}, {0x1D, 0x015F}, {0x40, 0x0130}, {0x60, 0x00E7},
};
// A.3.3 Portuguese locking shift.
constexpr Patch kPortugueseLocking[] = {
    {0x04, 0x00EA}, {0x06, 0x00FA}, {0x07, 0x00ED}, {0x08, 0x00F3}, {0x09, 0x00E7},
    {0x0B, 0x00D4}, {0x0C, 0x00F4}, {0x0E, 0x00C1}, {0x0F, 0x00E1}, {0x12, 0x00AA},
    {0x13, 0x00C7}, {0x14, 0x00C0}, {0x15, 0x221E}, {0x16, u'^'},   {0x17, u'\\'},
    {0x18, 0x20AC}, {0x19, 0x00D3}, {0x1A, u'|'},   {0x1C, 0x00C2}, {0x1D, 0x00E2},
    {0x1E, 0x00CA}, {0x24, 0x00BA}, {0x40, 0x00CD}, {0x5B, 0x00C3}, {0x5C, 0x00D5},
    {0x5D, 0x00DA}, {0x60, u'~'},   {0x7B, 0x00E3}, {0x7C, 0x00F5}, {0x7D, u'`'},
};
// A.2.1 Turkish single shift (beyond the default extension characters).
constexpr Patch kTurkishSingle[] = {
    {0x47, 0x011E}, {0x49, 0x0130}, {0x53, 0x015E},
    {0x63, 0x00E7}, {0x67, 0x011F}, {0x69, 0x0131}, {0x73, 0x015F},
};
// A.2.2 Spanish single shift.
constexpr Patch kSpanishSingle[] = {
    {0x09, 0x00E7}, {0x41, 0x00C1}, {0x49, 0x00CD}, {0x4F, 0x00D3}, {0x55, 0x00DA},
    {0x61, 0x00E1}, {0x69, 0x00ED}, {0x6F, 0x00F3}, {0x75, 0x00FA},
};
// A.2.3 Portuguese single shift.
constexpr Patch kPortugueseSingle[] = {
    {0x05, 0x00EA}, {0x09, 0x00E7}, {0x0B, 0x00D4}, {0x0C, 0x00F4}, {0x0E, 0x00C1},
    {0x0F, 0x00E1}, {0x12, 0x03A6}, {0x13, 0x0393}, {0x15, 0x03A9}, {0x16, 0x03A0},
    {0x17, 0x03A8}, {0x18, 0x03A3}, {0x19, 0x0398}, {0x1F, 0x00CA}, {0x41, 0x00C0},
    {0x49, 0x00CD}, {0x4F, 0x00D3}, {0x55, 0x00DA}, {0x5B, 0x00C3}, {0x5C, 0x00D5},
    {0x61, 0x00C2}, {0x69, 0x00ED}, {0x6F, 0x00F3}, {0x75, 0x00FA}, {0x7B, 0x00E3},
    {0x7C, 0x00F5}, {0x7F, 0x00E2},
};

constexpr Tab kDefault = make_default();
constexpr Tab kTurkish = patched(make_default(), kTurkishLocking);
constexpr Tab kPortuguese = patched(make_default(), kPortugueseLocking);
constexpr Tab kExtension = patched(empty_table(), kDefaultExtension);
constexpr Tab kTurkishExt = patched(kExtension, kTurkishSingle);
constexpr Tab kSpanishExt = patched(kExtension, kSpanishSingle);
constexpr Tab kPortugueseExt = patched(kExtension, kPortugueseSingle);

// Inverse of the default table for code units below 0x100 (plus a short list above).
struct Inverse {
    std::int8_t low[256];
};
constexpr Inverse make_inverse(const Tab& t) {
    Inverse r{};
    for (auto& x : r.low) x = -1;
    for (int i = 0; i < 128; ++i) {
        if (t.t[i] < 256) r.low[t.t[i]] = static_cast<std::int8_t>(i);
    }
    return r;
}
constexpr Inverse kDefaultInverse = make_inverse(kDefault);
constexpr Inverse kExtensionInverse = make_inverse(kExtension);

}  // namespace

const Table& locking_table(int id) noexcept {
    switch (id) {
        case 1: return kTurkish.t;
        case 3: return kPortuguese.t;
        default: return kDefault.t;  // int id, not our enum
    }
}

const Table& single_shift_table(int id) noexcept {
    switch (id) {
        case 1: return kTurkishExt.t;
        case 2: return kSpanishExt.t;
        case 3: return kPortugueseExt.t;
        default: return kExtension.t;
    }
}

int default_septet(char16_t c) noexcept {
    if (c < 256) return kDefaultInverse.low[c];
    for (int i = 0x10; i < 0x1B; ++i) {  // the Greek capitals
        if (kDefault.t[i] == c) return i;
    }
    return -1;
}

int default_extension_septet(char16_t c) noexcept {
    if (c < 256) return kExtensionInverse.low[c];
    if (c == 0x20AC) return 0x65;
    return -1;
}

}  // namespace cunxin::sms::detail
