// SPDX-License-Identifier: Apache-2.0
#pragma once
/// How a text splits into SMS segments (live counter, cost estimate).

#include <string_view>

#include "cunxin/sms/text.hpp"

namespace cunxin::sms {

/// Most segments one concatenated message may have (8-bit part counter).
inline constexpr int kMaxParts = 255;

/// How a text would be sent.
struct SegmentInfo {
    Encoding encoding = Encoding::Gsm7;  ///< Gsm7 if every char fits, else Ucs2
    int segments = 1;                    ///< SMS parts needed (1 for an empty text)
    int units = 0;                       ///< septets (Gsm7, extension chars 2) or UTF-16 units
    int units_per_segment = 160;         ///< 160/153 septets or 70/67 UTF-16 units
    int remaining = 160;                 ///< units still free in the last segment
    bool valid_utf8 = true;              ///< false: text had invalid UTF-8 (counted as U+FFFD)
};

/// Plans the segmentation of UTF-8 text exactly as encode_submit() will split it.
SegmentInfo plan_segments(std::string_view utf8);

}  // namespace cunxin::sms
