// SPDX-License-Identifier: Apache-2.0
#pragma once
// Splitting a text into segments: shared by plan_segments() and encode_submit().

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/sms/text.hpp"

namespace cunxin::sms::detail {

inline constexpr int kSeptetsSingle = 160;
inline constexpr int kSeptetsPart = 153;   // 160 - 7 septets of concat UDH (6 octets + fill bit)
inline constexpr int kUnitsSingle = 70;
inline constexpr int kUnitsPart = 67;      // (140 - 6) / 2

/// A text split into segments. Gsm7: each chunk holds septets; Ucs2: UTF-16 units.
struct Split {
    Encoding encoding = Encoding::Gsm7;
    std::vector<std::vector<std::uint8_t>> septet_chunks;
    std::vector<std::u16string> unit_chunks;
    int units = 0;
    int per_segment = kSeptetsSingle;
    int last_used = 0;
    std::size_t count() const {
        return encoding == Encoding::Gsm7 ? septet_chunks.size() : unit_chunks.size();
    }
};

/// Splits text given as UTF-16 optimally (never splitting an escape pair or a surrogate pair).
Split split_text(const std::u16string& text);

}  // namespace cunxin::sms::detail
