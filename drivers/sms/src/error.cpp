// SPDX-License-Identifier: Apache-2.0
#include "cunxin/sms/error.hpp"

namespace cunxin::sms {

const char* to_string(Errc code) noexcept {
    switch (code) {
        case Errc::odd_hex: return "odd_hex";
        case Errc::bad_hex_digit: return "bad_hex_digit";
        case Errc::short_pdu: return "short_pdu";
        case Errc::length_past_end: return "length_past_end";
        case Errc::short_user_data: return "short_user_data";
        case Errc::bad_septet_count: return "bad_septet_count";
        case Errc::bad_udh: return "bad_udh";
        case Errc::bad_address: return "bad_address";
        case Errc::bad_timestamp: return "bad_timestamp";
        case Errc::reserved_message_type: return "reserved_message_type";
        case Errc::invalid_utf16: return "invalid_utf16";
        case Errc::invalid_utf8: return "invalid_utf8";
        case Errc::bad_recipient: return "bad_recipient";
        case Errc::bad_validity: return "bad_validity";
        case Errc::too_many_parts: return "too_many_parts";
    }
    return "unknown";
}

}  // namespace cunxin::sms
