// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors of the SMS codec: every decoder failure names its reason.

#include <string>

#include "cunxin/result.hpp"

namespace cunxin::sms {

/// Why a PDU or a text could not be decoded or encoded.
enum class Errc {
    odd_hex,                ///< hex string has an odd number of digits
    bad_hex_digit,          ///< a character that is not 0-9/A-F/a-f
    short_pdu,              ///< the PDU ends before a mandatory field
    length_past_end,        ///< a length field (SMSC, address, UDL) points past the end
    short_user_data,        ///< fewer user-data octets than TP-UDL announces
    bad_septet_count,       ///< TP-UDL impossible for the DCS (>160 septets, >140 octets, < UDH)
    bad_udh,                ///< user-data header malformed (UDHL or an IE past its end)
    bad_address,            ///< address length/type impossible (too many digits, bad BCD)
    bad_timestamp,          ///< SCTS/discharge time digits not BCD or out of range
    reserved_message_type,  ///< TP-MTI = 3 (reserved)
    invalid_utf16,          ///< UCS2 user data has an unpaired surrogate or an odd length
    invalid_utf8,           ///< input text is not valid UTF-8
    bad_recipient,          ///< encode: destination is not a phone number
    bad_validity,           ///< encode: validity period not representable
    too_many_parts,         ///< encode: text needs more than 255 segments
};

/// Short snake_case name of an error reason ("short_user_data").
const char* to_string(Errc code) noexcept;

/// A codec error: reason, optional GSM cause code (unused by the codec: -1), detail text.
struct Error {
    Errc code = Errc::short_pdu;
    int gsm_code = -1;
    std::string detail;
};

/// Value or Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

}  // namespace cunxin::sms
