// SPDX-License-Identifier: Apache-2.0
#pragma once
/// TS 23.040 PDUs: SMS-SUBMIT encoding, SMS-DELIVER / SUBMIT / STATUS-REPORT decoding.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/sms/error.hpp"
#include "cunxin/sms/text.hpp"

namespace cunxin::sms {

/// What the TPDU is (TP-MTI, as read from the modem side).
enum class PduType { Deliver, Submit, StatusReport };

/// "deliver", "submit" or "status-report".
const char* to_string(PduType t) noexcept;

/// Kind of an address (TS 23.040 §9.1.2.5 type of number).
enum class AddressKind { International, National, Alphanumeric, Other };

/// TP-ST grouped: delivered, still trying, or given up (TS 23.040 §9.2.3.15).
enum class StatusClass { Delivered, Pending, Failed };

/// "delivered", "pending" or "failed".
const char* to_string(StatusClass c) noexcept;

/// Classifies a TP-ST value.
StatusClass classify_status(int tp_st) noexcept;

/// Message class from the DCS (TS 23.038 §4); None when the DCS gives none.
enum class MessageClass { None, Class0, Class1, Class2, Class3 };

/// Kind of a message-waiting indication (TS 23.038 §4 groups 1100-1110).
enum class WaitingKind { Voicemail, Fax, Email, Other };

/// A message-waiting indication carried by the DCS.
struct MessageWaiting {
    WaitingKind kind = WaitingKind::Voicemail;
    bool active = false;   ///< set (true) or clear (false) the indicator
    bool discard = false;  ///< group 1100: the message may be discarded after the indication
};

/// TP-DCS decoded.
struct Dcs {
    std::uint8_t raw = 0;
    Encoding encoding = Encoding::Gsm7;
    MessageClass message_class = MessageClass::None;
    bool compressed = false;  ///< text compression flagged (text then left undecoded)
    bool auto_delete = false; ///< marked for automatic deletion (groups 01xx)
    std::optional<MessageWaiting> waiting;
};

/// Decodes a TP-DCS octet.
Dcs decode_dcs(std::uint8_t dcs) noexcept;

/// A TP-SCTS / TP-DT timestamp (local time of the SMSC plus its offset from UTC).
struct Timestamp {
    int year = 2000;  ///< from the two spec digits, read as 1970..2069
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int utc_offset_minutes = 0;  ///< quarter hours * 15, may be negative

    /// "2024-03-05T14:30:00+08:00".
    std::string iso8601() const;
    /// Seconds since 1970-01-01T00:00:00Z of this instant.
    std::int64_t unix_seconds() const;
    bool operator==(const Timestamp&) const = default;
};

/// Concatenation info from the UDH (TS 23.040 §9.2.3.24.1 / .8).
struct Concat {
    int reference = 0;  ///< 0..255 or 0..65535
    int part = 1;       ///< 1-based
    int total = 1;
    bool reference_16bit = false;
    bool operator==(const Concat&) const = default;
};

/// A decoded PDU.
struct Pdu {
    PduType type = PduType::Deliver;
    std::string smsc;                   ///< "+8613800100500", "" when absent or empty
    std::string address;                ///< OA (deliver), DA (submit), RA (status report)
    AddressKind address_kind = AddressKind::Other;
    std::uint8_t address_type = 0x81;   ///< raw type-of-address octet
    std::string text;                   ///< UTF-8 (8-bit data: Latin-1 reading; see user_data)
    Encoding encoding = Encoding::Gsm7;
    Dcs dcs;
    int protocol_id = 0;                ///< TP-PID
    std::optional<Timestamp> timestamp; ///< TP-SCTS (deliver, status report)
    std::optional<Concat> concat;
    std::optional<int> message_reference;  ///< TP-MR (submit, status report)
    bool more_messages = false;         ///< deliver: !TP-MMS
    bool status_report = false;         ///< TP-SRI (deliver) / TP-SRR (submit) / TP-SRQ (report)
    bool reply_path = false;
    bool reject_duplicates = false;     ///< submit: TP-RD
    std::optional<int> validity_minutes;  ///< submit: relative TP-VP, rounded to minutes
    int national_locking_shift = 0;     ///< from UDH IE 0x25 (0 = none)
    int national_single_shift = 0;      ///< from UDH IE 0x24 (0 = none)
    std::vector<std::uint8_t> user_data_header;  ///< raw UDH without UDHL (empty if none)
    std::vector<std::uint8_t> user_data;  ///< payload after the UDH: octets, or septets for GSM 7-bit
    /// Decoded best-effort: text may be cut short or hold U+FFFD. Why, as an Errc name
    /// ("short_user_data", "bad_udh", "invalid_utf16"); empty when the PDU is sound.
    std::string damage;
    /// Details of the damage for the log ("TP-UDL needs 70 octets, 12 left").
    std::string damage_detail;
    /// True when the text was decoded best-effort (see `damage`).
    bool damaged() const noexcept { return !damage.empty(); }
    // status report only
    int status = 0;                     ///< TP-ST
    StatusClass status_class = StatusClass::Delivered;
    std::optional<Timestamp> discharge_time;  ///< TP-DT
};

/// Decodes a PDU from hex; `has_smsc`: the PDU starts with the SMSC field (as AT+CMGR gives it).
/// Never throws; errors name the reason.
Result<Pdu> decode(std::string_view hex, bool has_smsc = true);

/// Same, from bytes.
Result<Pdu> decode(const std::vector<std::uint8_t>& bytes, bool has_smsc = true);

/// What to send.
struct SubmitRequest {
    std::string recipient;            ///< "+8613800000000" (international) or national digits
    std::string text;                 ///< UTF-8
    bool status_report = false;       ///< TP-SRR
    std::optional<int> validity_minutes;  ///< relative TP-VP (rounded up; max 63 weeks)
    std::uint8_t concat_reference = 0;    ///< 8-bit reference for a multipart message
    bool reject_duplicates = false;   ///< TP-RD
};

/// One encoded SMS-SUBMIT, as given to AT+CMGS.
struct SubmitPdu {
    std::string hex;        ///< "00" (default SMSC) + TPDU, upper-case
    int tpdu_length = 0;    ///< octets without the SMSC field: AT+CMGS=<n>
    int part = 1;           ///< 1-based
    int total = 1;
};

/// Encodes a text as one SMS-SUBMIT per segment (GSM 7-bit if every char fits, else UCS2).
/// TP-MR is 0: the modem assigns it.
Result<std::vector<SubmitPdu>> encode_submit(const SubmitRequest& request);

}  // namespace cunxin::sms
