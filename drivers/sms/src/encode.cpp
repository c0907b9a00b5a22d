// SPDX-License-Identifier: Apache-2.0
// TS 23.040 §9.2.2.2 SMS-SUBMIT encoding.

#include "cunxin/sms/pdu.hpp"
#include "cunxin/sms/segment.hpp"
#include "pdu_common.hpp"
#include "split.hpp"

namespace cunxin::sms {

namespace {

using detail::err;

/// TP-DA (TS 23.040 §9.1.2.5): "+digits" international (0x91), "digits" unknown/national (0x81).
Result<std::vector<std::uint8_t>> encode_address(const std::string& number) {
    std::string_view digits = number;
    std::uint8_t type = 0x81;
    if (!digits.empty() && digits.front() == '+') {
        digits.remove_prefix(1);
        type = 0x91;
    }
    if (digits.empty() || digits.size() > 20) {
        return unexpected(err(Errc::bad_recipient, "recipient needs 1 to 20 digits: '" + number + "'"));
    }
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return unexpected(err(Errc::bad_recipient, "recipient is not a phone number: '" + number + "'"));
        }
    }
    std::vector<std::uint8_t> out;
    out.push_back(static_cast<std::uint8_t>(digits.size()));
    out.push_back(type);
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        const int lo = digits[i] - '0';
        const int hi = i + 1 < digits.size() ? digits[i + 1] - '0' : 0x0F;
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

/// TS 23.040 §9.2.3.12.1: the smallest relative TP-VP not shorter than `minutes`.
Result<std::uint8_t> encode_validity(int minutes) {
    auto ceil_div = [](int a, int b) { return (a + b - 1) / b; };
    if (minutes <= 0) return unexpected(err(Errc::bad_validity, "validity must be positive"));
    if (minutes <= 720) return static_cast<std::uint8_t>(ceil_div(minutes, 5) - 1);
    if (minutes <= 1440) return static_cast<std::uint8_t>(143 + ceil_div(minutes - 720, 30));
    if (minutes <= 30 * 1440) return static_cast<std::uint8_t>(166 + ceil_div(minutes, 1440));
    if (minutes <= 63 * 10080) return static_cast<std::uint8_t>(192 + ceil_div(minutes, 10080));
    return unexpected(err(Errc::bad_validity, "validity over 63 weeks"));
}

}  // namespace

Result<std::vector<SubmitPdu>> encode_submit(const SubmitRequest& req) {
    auto da = encode_address(req.recipient);
    if (!da) return unexpected(da.error());
    std::optional<std::uint8_t> vp;
    if (req.validity_minutes) {
        auto v = encode_validity(*req.validity_minutes);
        if (!v) return unexpected(v.error());
        vp = *v;
    }
    auto text = utf8_to_utf16(req.text);
    if (!text) return unexpected(text.error());
    const auto split = detail::split_text(*text);
    const std::size_t total = split.count();
    if (total > static_cast<std::size_t>(kMaxParts)) {
        return unexpected(err(Errc::too_many_parts, "text needs " + std::to_string(total) +
                                                        " parts (max 255)"));
    }
    const bool multipart = total > 1;
    std::vector<SubmitPdu> out;
    out.reserve(total);
    std::vector<std::uint8_t> tpdu;
    for (std::size_t i = 0; i < total; ++i) {
        tpdu.clear();
        std::uint8_t fo = 0x01;             // TP-MTI = SMS-SUBMIT
        if (req.reject_duplicates) fo |= 0x04;
        if (vp) fo |= 0x10;                 // TP-VPF = relative
        if (req.status_report) fo |= 0x20;  // TP-SRR
        if (multipart) fo |= 0x40;          // TP-UDHI
        tpdu.push_back(fo);
        tpdu.push_back(0x00);  // TP-MR: the modem assigns it
        tpdu.insert(tpdu.end(), da->begin(), da->end());
        tpdu.push_back(0x00);  // TP-PID
        tpdu.push_back(split.encoding == Encoding::Gsm7 ? 0x00 : 0x08);  // TP-DCS
        if (vp) tpdu.push_back(*vp);
        // §9.2.3.24.1: concatenated SMS, 8-bit reference.
        const std::uint8_t udh[6] = {0x05, 0x00, 0x03, req.concat_reference,
                                     static_cast<std::uint8_t>(total),
                                     static_cast<std::uint8_t>(i + 1)};
        if (split.encoding == Encoding::Gsm7) {
            const auto& septets = split.septet_chunks[i];
            // 6 header octets = 48 bits, padded to 7 septets (1 fill bit).
            const int header_septets = multipart ? 7 : 0;
            tpdu.push_back(static_cast<std::uint8_t>(header_septets + septets.size()));
            if (multipart) tpdu.insert(tpdu.end(), udh, udh + 6);
            const auto packed = pack_septets(septets, multipart ? 1 : 0);
            tpdu.insert(tpdu.end(), packed.begin(), packed.end());
        } else {
            const auto& units = split.unit_chunks[i];
            tpdu.push_back(static_cast<std::uint8_t>((multipart ? 6 : 0) + units.size() * 2));
            if (multipart) tpdu.insert(tpdu.end(), udh, udh + 6);
            for (char16_t u : units) {
                tpdu.push_back(static_cast<std::uint8_t>(u >> 8));
                tpdu.push_back(static_cast<std::uint8_t>(u & 0xFF));
            }
        }
        SubmitPdu p;
        p.hex = "00" + to_hex(tpdu);
        p.tpdu_length = static_cast<int>(tpdu.size());
        p.part = static_cast<int>(i + 1);
        p.total = static_cast<int>(total);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace cunxin::sms
