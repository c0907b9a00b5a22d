// SPDX-License-Identifier: Apache-2.0
#include "cunxin/sms/segment.hpp"

#include "split.hpp"
#include "tables.hpp"

namespace cunxin::sms {
namespace detail {

namespace {

// Greedy filling is optimal: every character is indivisible and no larger than a segment.
// `flat` holds the units of all characters; `sizes` the units of each character in order.
template <class Unit, class Chunk>
std::vector<Chunk> fill(const std::vector<Unit>& flat, const std::vector<std::uint8_t>& sizes,
                        int single, int part) {
    std::vector<Chunk> chunks;
    const int total = static_cast<int>(flat.size());
    const int limit = total <= single ? single : part;
    std::size_t begin = 0;
    std::size_t at = 0;
    int used = 0;
    for (std::uint8_t n : sizes) {
        if (used + n > limit) {
            chunks.emplace_back(flat.begin() + static_cast<long>(begin), flat.begin() + static_cast<long>(at));
            begin = at;
            used = 0;
        }
        at += n;
        used += n;
    }
    chunks.emplace_back(flat.begin() + static_cast<long>(begin), flat.begin() + static_cast<long>(at));
    return chunks;
}

}  // namespace

Split split_text(const std::u16string& text) {
    Split r;
    std::vector<std::uint8_t> sizes;
    sizes.reserve(text.size());
    // GSM 7-bit if every character is in the default alphabet or its extension table.
    std::vector<std::uint8_t> septets;
    septets.reserve(text.size());
    bool gsm = true;
    for (char16_t c : text) {
        const int s = default_septet(c);
        if (s >= 0) {
            septets.push_back(static_cast<std::uint8_t>(s));
            sizes.push_back(1);
            continue;
        }
        const int e = default_extension_septet(c);
        if (e < 0) {
            gsm = false;
            break;
        }
        septets.push_back(kEscape);
        septets.push_back(static_cast<std::uint8_t>(e));
        sizes.push_back(2);
    }
    if (gsm) {
        const int total = static_cast<int>(septets.size());
        r.encoding = Encoding::Gsm7;
        r.units = total;
        r.per_segment = total <= kSeptetsSingle ? kSeptetsSingle : kSeptetsPart;
        r.septet_chunks = fill<std::uint8_t, std::vector<std::uint8_t>>(septets, sizes, kSeptetsSingle,
                                                                        kSeptetsPart);
        r.last_used = static_cast<int>(r.septet_chunks.back().size());
        return r;
    }
    sizes.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char16_t c = text[i];
        const bool pair = c >= 0xD800 && c <= 0xDBFF && i + 1 < text.size() &&
                          text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF;
        sizes.push_back(pair ? 2 : 1);
        if (pair) ++i;
    }
    const std::vector<char16_t> units(text.begin(), text.end());
    const int n = static_cast<int>(text.size());
    r.encoding = Encoding::Ucs2;
    r.units = n;
    r.per_segment = n <= kUnitsSingle ? kUnitsSingle : kUnitsPart;
    r.unit_chunks = fill<char16_t, std::u16string>(units, sizes, kUnitsSingle, kUnitsPart);
    r.last_used = static_cast<int>(r.unit_chunks.back().size());
    return r;
}

}  // namespace detail

SegmentInfo plan_segments(std::string_view utf8) {
    SegmentInfo info;
    auto u16 = utf8_to_utf16(utf8);
    std::u16string text;
    if (u16) {
        text = std::move(*u16);
    } else {
        // Count invalid input as best we can: decode leniently, bad bytes become U+FFFD.
        info.valid_utf8 = false;
        std::size_t i = 0;
        while (i < utf8.size()) {
            std::size_t n = 1;
            const auto b = static_cast<unsigned char>(utf8[i]);
            if (b >= 0xC2 && b <= 0xF4) n = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
            auto piece = utf8_to_utf16(utf8.substr(i, std::min(n, utf8.size() - i)));
            if (piece && n <= utf8.size() - i) {
                text += *piece;
                i += n;
            } else {
                text.push_back(u'\uFFFD');
                i += 1;
            }
        }
    }
    const auto split = detail::split_text(text);
    info.encoding = split.encoding;
    info.segments = static_cast<int>(split.count());
    info.units = split.units;
    info.units_per_segment = split.per_segment;
    info.remaining = split.per_segment - split.last_used;
    return info;
}

}  // namespace cunxin::sms
