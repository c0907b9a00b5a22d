// SPDX-License-Identifier: Apache-2.0
#include "cunxin/sms/segment.hpp"

#include "split.hpp"
#include "tables.hpp"

namespace cunxin::sms {
namespace detail {

namespace {

// Greedy filling is optimal: every item is indivisible and no larger than a segment.
template <class Item>
std::vector<std::vector<Item>> fill(const std::vector<std::vector<Item>>& items, int single,
                                    int part, int total) {
    std::vector<std::vector<Item>> chunks;
    const int limit = total <= single ? single : part;
    chunks.emplace_back();
    int used = 0;
    for (const auto& it : items) {
        const int n = static_cast<int>(it.size());
        if (used + n > limit) {
            chunks.emplace_back();
            used = 0;
        }
        chunks.back().insert(chunks.back().end(), it.begin(), it.end());
        used += n;
    }
    return chunks;
}

}  // namespace

Split split_text(const std::u16string& text) {
    Split r;
    // GSM 7-bit if every character is in the default alphabet or its extension table.
    std::vector<std::vector<std::uint8_t>> septets;
    septets.reserve(text.size());
    bool gsm = true;
    int total = 0;
    for (char16_t c : text) {
        const int s = default_septet(c);
        if (s >= 0) {
            septets.push_back({static_cast<std::uint8_t>(s)});
            total += 1;
            continue;
        }
        const int e = default_extension_septet(c);
        if (e < 0) {
            gsm = false;
            break;
        }
        septets.push_back({kEscape, static_cast<std::uint8_t>(e)});
        total += 2;
    }
    if (gsm) {
        r.encoding = Encoding::Gsm7;
        r.units = total;
        r.per_segment = total <= kSeptetsSingle ? kSeptetsSingle : kSeptetsPart;
        r.septet_chunks = fill(septets, kSeptetsSingle, kSeptetsPart, total);
        r.last_used = static_cast<int>(r.septet_chunks.back().size());
        return r;
    }
    std::vector<std::vector<char16_t>> units;
    units.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char16_t c = text[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 &&
            text[i + 1] <= 0xDFFF) {
            units.push_back({c, text[i + 1]});
            ++i;
        } else {
            units.push_back({c});
        }
    }
    const int n = static_cast<int>(text.size());
    r.encoding = Encoding::Ucs2;
    r.units = n;
    r.per_segment = n <= kUnitsSingle ? kUnitsSingle : kUnitsPart;
    for (auto& chunk : fill(units, kUnitsSingle, kUnitsPart, n)) {
        r.unit_chunks.emplace_back(chunk.begin(), chunk.end());
    }
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
