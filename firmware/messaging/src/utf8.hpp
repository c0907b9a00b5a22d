// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Tolerant UTF-8 for the messaging helpers: text from SMS and spreadsheets may be broken,
/// so a malformed byte becomes U+FFFD instead of an error.

#include <cstddef>
#include <string>
#include <string_view>

namespace cunxin::messaging::utf8 {

/// Next code point of `s` at `i` (advances `i`); a malformed byte gives U+FFFD and advances 1.
char32_t next(std::string_view s, std::size_t& i);
/// Every code point of `s` (malformed bytes: one U+FFFD each).
std::u32string decode(std::string_view s);
/// Appends `c` as UTF-8.
void append(std::string& out, char32_t c);
/// Code points as UTF-8.
std::string encode(std::u32string_view cps);

}  // namespace cunxin::messaging::utf8
