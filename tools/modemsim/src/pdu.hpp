// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The simulator's own minimal PDU codec (TS 23.040 / 23.038), independent of drivers/sms on
/// purpose: it decodes what the product submits and encodes what the simulated network delivers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/result.hpp"

namespace cunxin::modemsim {

/// Why a PDU could not be decoded.
enum class Errc {
    BadHex,          ///< odd length or a non-hex character
    Truncated,       ///< a field runs past the end
    NotSubmit,       ///< TP-MTI is not SMS-SUBMIT
    BadAddress,      ///< address length or digits out of range
    Unsupported,     ///< compressed or reserved data coding
    BadUserData,     ///< UDL or UDH inconsistent with the data
};

/// A decoding failure with its reason.
struct Error {
    Errc code;             ///< what went wrong
    int gsm_code = 0;      ///< +CMS ERROR to answer with
    std::string detail;    ///< which field
};

/// Decoder result.
template <class T>
using Result = cunxin::Expected<T, Error>;

/// Fields of an SMS-SUBMIT, decoded.
struct Submit {
    std::string smsc;          ///< SMSC address ("" when the length octet is 0)
    int tpdu_octets = 0;       ///< TPDU length (what AT+CMGS=<len> must say)
    bool reject_duplicates = false;  ///< TP-RD
    bool status_report = false;      ///< TP-SRR
    int vpf = 0;                     ///< TP-VPF (0 none, 2 relative, 1/3 enhanced/absolute)
    std::optional<int> validity;     ///< TP-VP when relative
    int mr = 0;                      ///< TP-MR
    std::string recipient;           ///< TP-DA ("+" when international)
    int pid = 0;                     ///< TP-PID
    int dcs = 0;                     ///< TP-DCS
    std::string encoding;            ///< "gsm7", "ucs2", "8bit"
    std::string text;                ///< UTF-8 (8bit: hex)
    int concat_ref = -1;             ///< -1 when not concatenated
    int concat_part = 0;             ///< 1-based
    int concat_total = 0;            ///< parts
};

/// Hex (either case) to bytes; nullopt when malformed.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);
/// Bytes to upper-case hex.
std::string to_hex(const std::vector<std::uint8_t>& bytes);

/// Decodes an SMS-SUBMIT as given to AT+CMGS (with the leading SMSC field).
Result<Submit> decode_submit(std::string_view hex);

/// UTF-8 to UTF-16 code units (invalid sequences become U+FFFD).
std::u16string utf8_to_utf16(std::string_view s);
/// UTF-16 code units to UTF-8 (lone surrogates become U+FFFD).
std::string utf16_to_utf8(std::u16string_view s);
/// Text to GSM 7-bit septets (escapes included); nullopt when a character is not in the alphabet.
std::optional<std::vector<std::uint8_t>> to_gsm7(std::string_view utf8);

/// One encoded delivery: the PDU hex (with SMSC) and its TPDU length.
struct EncodedPdu {
    std::string hex;      ///< as a modem shows it in +CMGR/+CMGL/+CMT
    int tpdu_octets = 0;  ///< the <length> field
};

/// Parameters of an SMS-DELIVER message to encode (split into parts as needed).
struct DeliverSpec {
    std::string smsc;               ///< "+86138…"
    std::string from;               ///< originator ("+" international; digits; else alphanumeric)
    std::string text;               ///< UTF-8
    std::string encoding = "auto";  ///< "auto", "gsm7", "ucs2"
    int concat_ref = 0;             ///< reference used when split (8-bit)
    std::chrono::system_clock::time_point scts;  ///< service centre time stamp
    int tz_quarters = 32;           ///< time zone of the SCTS in quarters of an hour (+8 h = 32)
};

/// Encodes one SMS-DELIVER per part (concatenation UDH when more than one).
std::vector<EncodedPdu> encode_deliver(const DeliverSpec& spec);

/// Encodes an SMS-STATUS-REPORT for a submitted message.
EncodedPdu encode_status_report(const std::string& smsc, int mr, const std::string& recipient,
                                std::chrono::system_clock::time_point scts,
                                std::chrono::system_clock::time_point discharge, int status,
                                int tz_quarters = 32);

/// Encodes a timestamp as 7 semi-octets (TS 23.040 §9.2.3.11), local time at tz_quarters.
std::vector<std::uint8_t> encode_scts(std::chrono::system_clock::time_point t, int tz_quarters);

}  // namespace cunxin::modemsim
