// SPDX-License-Identifier: Apache-2.0
// Fuzzes sms::decode. Byte 0 chooses the mode (bit 0: with SMSC field, bit 1: the rest is hex
// text rather than octets). A decoded PDU must hold valid UTF-8 whose re-encoding decodes back.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "cunxin/sms/sms.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

void check_round_trip(const std::string& text) {
    cunxin::sms::SubmitRequest req;
    req.recipient = "+8613800138000";
    req.text = text;
    auto pdus = cunxin::sms::encode_submit(req);
    require(pdus.has_value());
    require(static_cast<int>(pdus->size()) == cunxin::sms::plan_segments(text).segments);
    std::string joined;
    for (const auto& p : *pdus) {
        auto back = cunxin::sms::decode(p.hex, true);
        require(back.has_value());
        require(p.tpdu_length * 2 + 2 == static_cast<int>(p.hex.size()));
        joined += back->text;
    }
    require(joined == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool has_smsc = (data[0] & 1) != 0;
    const bool as_hex = (data[0] & 2) != 0;
    cunxin::sms::Result<cunxin::sms::Pdu> pdu =
        as_hex ? cunxin::sms::decode(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1),
                                     has_smsc)
               : cunxin::sms::decode(std::vector<std::uint8_t>(data + 1, data + size), has_smsc);
    if (!pdu) {
        require(cunxin::sms::to_string(pdu.error().code)[0] != '\0');
        return 0;
    }
    require(cunxin::sms::utf8_to_utf16(pdu->text).has_value());
    require(cunxin::sms::utf8_to_utf16(pdu->address).has_value());
    if (pdu->concat) {
        require(pdu->concat->part >= 1 && pdu->concat->part <= pdu->concat->total);
    }
    if (pdu->timestamp) require(pdu->timestamp->iso8601().size() == 25);
    check_round_trip(pdu->text);
    return 0;
}
