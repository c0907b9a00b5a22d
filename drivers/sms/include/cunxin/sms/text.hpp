// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Text helpers: UTF-8 <-> UTF-16, hex, and the TS 23.038 GSM 7-bit alphabet.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/sms/error.hpp"

namespace cunxin::sms {

/// Character set of the user data (TS 23.038 §4).
enum class Encoding { Gsm7, EightBit, Ucs2 };

/// "gsm7", "8bit" or "ucs2".
const char* to_string(Encoding e) noexcept;

/// Decodes UTF-8 into UTF-16 (invalid_utf8 on malformed or overlong input).
Result<std::u16string> utf8_to_utf16(std::string_view utf8);

/// Encodes UTF-16 as UTF-8 (invalid_utf16 on an unpaired surrogate).
Result<std::string> utf16_to_utf8(std::u16string_view utf16);

/// Upper-case hex of the bytes.
std::string to_hex(const std::vector<std::uint8_t>& bytes);

/// Bytes of a hex string (odd_hex, bad_hex_digit); surrounding whitespace is ignored.
Result<std::vector<std::uint8_t>> from_hex(std::string_view hex);

/// The septets of UTF-8 text in the GSM default alphabet (an extension char gives
/// 0x1B + its code), or nullopt when some character is not in the alphabet.
std::optional<std::vector<std::uint8_t>> gsm7_septets(std::string_view utf8);

/// Decodes septets (values 0..127) as UTF-8 using the locking-shift table
/// `locking` and single-shift table `single` (0 = GSM default; TS 23.038 §6.2.1).
std::string gsm7_to_utf8(const std::vector<std::uint8_t>& septets, int locking = 0,
                         int single = 0);

/// Packs septets into octets, starting after `fill_bits` zero bits (TS 23.038 §6.1.2.1).
std::vector<std::uint8_t> pack_septets(const std::vector<std::uint8_t>& septets,
                                       int fill_bits = 0);

/// Unpacks `count` septets from octets after `fill_bits` bits; nullopt if they do not fit.
std::optional<std::vector<std::uint8_t>> unpack_septets(const std::uint8_t* data,
                                                        std::size_t size, std::size_t count,
                                                        int fill_bits = 0);

}  // namespace cunxin::sms
