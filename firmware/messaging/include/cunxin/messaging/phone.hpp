// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Chinese mobile numbers: normalisation to E.164 and carrier lookup (pure, no I/O).

#include <string>
#include <string_view>

#include "cunxin/result.hpp"

namespace cunxin::messaging {

/// Why a text is not a Chinese mobile number.
enum class PhoneErrc {
    empty,          ///< nothing but spaces/separators
    bad_character,  ///< a letter or symbol that has no place in a phone number
    foreign,        ///< an international number whose country code is not +86
    landline,       ///< a fixed-line number (leading 0 area code, or 86 + area code)
    not_mobile,     ///< 11 digits that do not start with 1[3-9]
    wrong_length,   ///< a mobile-looking number with too few or too many digits
};

/// Short snake_case name of a reason ("wrong_length").
const char* to_string(PhoneErrc code) noexcept;

/// A number that could not be normalised; `detail` is English, `detail_zh` Chinese.
struct PhoneError {
    PhoneErrc code = PhoneErrc::empty;
    int gsm_code = -1;
    std::string detail;
    std::string detail_zh;
};

/// E.164 text or the reason it could not be made.
using PhoneResult = cunxin::Expected<std::string, PhoneError>;

/// Normalises a Chinese mobile number to E.164 ("+8613800138000").
/// Accepts "+86…", "86…", "0086…", "+86 (0)…" and 11-digit national "1[3-9]xxxxxxxxx";
/// tolerates spaces, U+3000, dashes, dots, parentheses and full-width digits/plus.
/// Rejects landlines, foreign numbers, short codes and garbage with a reason.
PhoneResult normalize_msisdn(std::string_view input);

/// Canonical form of any peer address for matching/storage: the E.164 form of a Chinese
/// mobile number; other numbers with width folded and separators removed ("10086",
/// "+447700900123"); alphanumeric senders width-folded and trimmed, case kept ("Alipay");
/// "" for empty input.
std::string canonical_peer(std::string_view input);

/// Mobile operator (number portability makes prefixes a hint, not a fact).
enum class Carrier { Unknown, ChinaMobile, ChinaUnicom, ChinaTelecom, ChinaBroadnet };

/// "china_mobile", "china_unicom", "china_telecom", "china_broadnet" or "unknown".
const char* to_string(Carrier c) noexcept;

/// "中国移动", "中国联通", "中国电信", "中国广电" or "未知".
const char* carrier_name_zh(Carrier c) noexcept;

/// Carrier allocated the number's prefix (E.164 "+861xx…" or anything normalize_msisdn
/// accepts); Unknown for non-Chinese or unallocated prefixes.
Carrier carrier_of(std::string_view msisdn);

/// Carrier from a modem's operator field (AT+COPS long/short alphanumeric such as
/// "CHINA MOBILE", "CMCC", "CHN-UNICOM", "中国电信", numeric MCC-MNC "46000"/"46001"/
/// "46011", a whole "+COPS: 0,2,\"46000\",7" line, or UCS2 hex of the Chinese name).
Carrier carrier_from_operator(std::string_view cops);

}  // namespace cunxin::messaging
