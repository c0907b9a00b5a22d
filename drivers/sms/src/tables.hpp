// SPDX-License-Identifier: Apache-2.0
#pragma once
// TS 23.038 character tables (constant data, internal to the codec).

#include <cstdint>

namespace cunxin::sms::detail {

/// A 128-entry table: septet value -> UTF-16 code unit; 0xFFFF = undefined.
using Table = char16_t[128];

inline constexpr char16_t kNone = 0xFFFF;
inline constexpr std::uint8_t kEscape = 0x1B;

/// Locking-shift table for a national language id (TS 23.038 §6.2.1, A.3); the default
/// alphabet for 0 and for every id whose table we do not carry.
const Table& locking_table(int id) noexcept;

/// Single-shift (extension) table for a national language id (§6.2.1.1, A.2); the
/// default extension table for 0 and for ids we do not carry.
const Table& single_shift_table(int id) noexcept;

/// Septet of a UTF-16 unit in the default alphabet, or -1.
int default_septet(char16_t c) noexcept;

/// Septet (after ESC) of a UTF-16 unit in the default extension table, or -1.
int default_extension_septet(char16_t c) noexcept;

}  // namespace cunxin::sms::detail
