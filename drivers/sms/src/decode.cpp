// SPDX-License-Identifier: Apache-2.0
// TS 23.040 §9.2.2 TPDU decoding: SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT.

#include <algorithm>
#include <cstdio>

#include "cunxin/sms/pdu.hpp"
#include "pdu_common.hpp"

namespace cunxin::sms {

namespace {

using detail::err;

/// Bounds-checked reading over the PDU octets.
class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::size_t left() const noexcept { return size_ - pos_; }
    std::size_t pos() const noexcept { return pos_; }
    const std::uint8_t* here() const noexcept { return data_ + pos_; }
    bool octet(std::uint8_t& out) {
        if (pos_ >= size_) return false;
        out = data_[pos_++];
        return true;
    }
    bool skip(std::size_t n) {
        if (n > left()) return false;
        pos_ += n;
        return true;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

Error short_pdu(const char* field, std::size_t at) {
    return err(Errc::short_pdu, std::string("PDU ends before ") + field + " (octet " +
                                    std::to_string(at) + ")");
}

std::string bcd_digits(const std::uint8_t* p, std::size_t octets, std::size_t digits) {
    static constexpr char kDigit[] = "0123456789*#abc";
    std::string out;
    out.reserve(digits);
    for (std::size_t i = 0; i < octets && out.size() < digits; ++i) {
        for (int half = 0; half < 2 && out.size() < digits; ++half) {
            const int d = half == 0 ? (p[i] & 0x0F) : (p[i] >> 4);
            if (d == 0x0F) return out;  // filler
            out.push_back(kDigit[d]);
        }
    }
    return out;
}

AddressKind kind_of(std::uint8_t type) {
    switch ((type >> 4) & 0x07) {
        case 0:
        case 2: return AddressKind::National;
        case 1: return AddressKind::International;
        case 5: return AddressKind::Alphanumeric;
        default: return AddressKind::Other;
    }
}

/// Reads a TP address (TS 23.040 §9.1.2.5): length in semi-octets, type, value.
Result<int> read_address(Reader& r, const char* field, std::string& out, AddressKind& kind,
                         std::uint8_t& type) {
    std::uint8_t len = 0;
    if (!r.octet(len)) return unexpected(short_pdu(field, r.pos()));
    if (len > 20) {
        return unexpected(err(Errc::bad_address, std::string(field) + " has " + std::to_string(len) +
                                                     " semi-octets (max 20)"));
    }
    if (!r.octet(type)) return unexpected(short_pdu(field, r.pos()));
    const std::size_t octets = (len + 1u) / 2u;
    if (octets > r.left()) {
        return unexpected(err(Errc::length_past_end, std::string(field) + " of " +
                                                         std::to_string(octets) +
                                                         " octets past the end"));
    }
    const std::uint8_t* p = r.here();
    r.skip(octets);
    kind = kind_of(type);
    if (kind == AddressKind::Alphanumeric) {
        const std::size_t septets = len * 4u / 7u;
        auto s = unpack_septets(p, octets, septets, 0);
        out = s ? gsm7_to_utf8(*s) : std::string();
        return 0;
    }
    out = bcd_digits(p, octets, len);
    if (kind == AddressKind::International && !out.empty()) out.insert(out.begin(), '+');
    return 0;
}

int bcd(std::uint8_t b) { return (b & 0x0F) * 10 + (b >> 4); }
bool bcd_ok(std::uint8_t b) { return (b & 0x0F) <= 9 && (b >> 4) <= 9; }

/// TS 23.040 §9.2.3.11: swapped-nibble BCD, time zone in quarter hours with sign bit.
Result<Timestamp> read_timestamp(Reader& r, const char* field) {
    if (r.left() < 7) return unexpected(short_pdu(field, r.pos()));
    const std::uint8_t* p = r.here();
    r.skip(7);
    for (int i = 0; i < 6; ++i) {
        if (!bcd_ok(p[i])) {
            return unexpected(err(Errc::bad_timestamp, std::string(field) + " octet " +
                                                           std::to_string(i) + " is not BCD"));
        }
    }
    const std::uint8_t tz = p[6];
    if ((tz & 0x07) > 9 || (tz >> 4) > 9) {
        return unexpected(err(Errc::bad_timestamp, std::string(field) + " time zone is not BCD"));
    }
    Timestamp t;
    t.year = bcd(p[0]) < 70 ? 2000 + bcd(p[0]) : 1900 + bcd(p[0]);  // two digits: 1970..2069
    t.month = bcd(p[1]);
    t.day = bcd(p[2]);
    t.hour = bcd(p[3]);
    t.minute = bcd(p[4]);
    t.second = bcd(p[5]);
    const int quarters = (tz & 0x07) * 10 + (tz >> 4);
    t.utc_offset_minutes = (tz & 0x08) ? -quarters * 15 : quarters * 15;
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
        t.second > 59) {
        return unexpected(err(Errc::bad_timestamp, std::string(field) + " out of range: " + t.iso8601()));
    }
    return t;
}

/// Parses the UDH IEs (TS 23.040 §9.2.3.24): concatenation and national language shifts.
Result<int> parse_udh(const std::uint8_t* p, std::size_t n, Pdu& pdu) {
    std::size_t i = 0;
    while (i < n) {
        if (i + 2 > n) return unexpected(err(Errc::bad_udh, "IE header past the end of the UDH"));
        const std::uint8_t iei = p[i];
        const std::uint8_t len = p[i + 1];
        if (i + 2 + len > n) {
            return unexpected(err(Errc::bad_udh, "IE " + std::to_string(iei) + " of " +
                                                     std::to_string(len) + " octets past the UDH"));
        }
        const std::uint8_t* d = p + i + 2;
        // §9.2.3.24.1 / .8: a concat IE with part 0 or part > total is ignored.
        if (iei == 0x00 && len == 3 && d[1] != 0 && d[2] != 0 && d[2] <= d[1]) {
            pdu.concat = Concat{d[0], d[2], d[1], false};
        } else if (iei == 0x08 && len == 4 && d[2] != 0 && d[3] != 0 && d[3] <= d[2]) {
            pdu.concat = Concat{d[0] << 8 | d[1], d[3], d[2], true};
        } else if (iei == 0x24 && len == 1) {
            pdu.national_single_shift = d[0];
        } else if (iei == 0x25 && len == 1) {
            pdu.national_locking_shift = d[0];
        }
        i += 2 + len;
    }
    return 0;
}

/// Marks the PDU damaged (the first reason found is kept).
void mark_damaged(Pdu& pdu, Errc why, std::string detail) {
    if (pdu.damaged()) return;
    pdu.damage = to_string(why);
    pdu.damage_detail = std::move(detail);
}

/// Decodes UCS2 user data. An unpaired surrogate (half an emoji, as some phones send) becomes
/// U+FFFD and marks the PDU damaged; a surrogate split across concatenated parts (gammu#389)
/// becomes U+FFFD without damage: the rest of the message is whole.
std::string decode_ucs2(const std::uint8_t* p, std::size_t n, bool concatenated, Pdu& pdu) {
    std::u16string u;
    u.reserve(n / 2);
    for (std::size_t i = 0; i + 1 < n; i += 2) u.push_back(static_cast<char16_t>(p[i] << 8 | p[i + 1]));
    auto high = [](char16_t c) { return c >= 0xD800 && c <= 0xDBFF; };
    auto low = [](char16_t c) { return c >= 0xDC00 && c <= 0xDFFF; };
    // quirk: some phones split a surrogate pair across two parts (gammu#389); keep the rest.
    if (concatenated && !u.empty()) {
        if (high(u.back())) u.back() = 0xFFFD;
        if (low(u.front())) u.front() = 0xFFFD;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
        if (high(u[i]) && i + 1 < u.size() && low(u[i + 1])) {
            ++i;
        } else if (high(u[i]) || low(u[i])) {
            mark_damaged(pdu, Errc::invalid_utf16, "unpaired surrogate at code unit " + std::to_string(i));
            u[i] = 0xFFFD;
        }
    }
    return utf16_to_utf8(u).value_or(std::string());
}

/// Reads TP-UDL and TP-UD (with UDH when `udhi`) and fills text/concat/user data. User data
/// shorter than TP-UDL announces, TP-UDHI without user data and unpaired surrogates decode
/// best-effort and mark the PDU damaged; impossible lengths and a broken UDH still fail.
Result<int> read_user_data(Reader& r, bool udhi, Pdu& pdu) {
    std::uint8_t udl = 0;
    if (!r.octet(udl)) return unexpected(short_pdu("TP-UDL", r.pos()));
    const bool septets = pdu.encoding == Encoding::Gsm7 && !pdu.dcs.compressed;
    if (septets && udl > 160) {
        return unexpected(err(Errc::bad_septet_count, "TP-UDL " + std::to_string(udl) + " > 160 septets"));
    }
    if (!septets && udl > 140) {
        return unexpected(err(Errc::bad_septet_count, "TP-UDL " + std::to_string(udl) + " > 140 octets"));
    }
    const std::size_t announced = septets ? (udl * 7u + 7u) / 8u : udl;
    std::size_t octets = announced;
    if (octets > r.left()) {
        // Seen from real SMSCs/modems (Gammu decodes such PDUs): keep what arrived.
        mark_damaged(pdu, Errc::short_user_data, "TP-UDL needs " + std::to_string(announced) + " octets, " +
                                                     std::to_string(r.left()) + " left");
        octets = r.left();
    }
    const std::uint8_t* ud = r.here();
    r.skip(octets);
    std::size_t header = 0;  // octets of UDHL + UDH
    if (udhi) {
        if (octets < 1) {
            if (udl == 0) mark_damaged(pdu, Errc::bad_udh, "TP-UDHI set but no user data");
            return 0;  // nothing to read: an empty text
        }
        header = ud[0] + 1u;
        if (header > octets) {
            return unexpected(err(Errc::bad_udh, "UDHL " + std::to_string(ud[0]) + " past the user data"));
        }
        pdu.user_data_header.assign(ud + 1, ud + header);
        if (auto ok = parse_udh(ud + 1, header - 1, pdu); !ok) return unexpected(ok.error());
    }
    if (septets) {
        const std::size_t header_septets = (header * 8 + 6) / 7;
        if (udl < header_septets) {
            return unexpected(err(Errc::bad_septet_count, "TP-UDL " + std::to_string(udl) +
                                                              " < UDH of " +
                                                              std::to_string(header_septets) +
                                                              " septets"));
        }
        const int fill = static_cast<int>(header_septets * 7 - header * 8);
        std::size_t count = udl - header_septets;
        const std::size_t bits = (octets - header) * 8;
        const std::size_t fit = bits >= static_cast<std::size_t>(fill) ? (bits - static_cast<std::size_t>(fill)) / 7 : 0;
        count = std::min(count, fit);  // less only when cut short (marked above)
        auto s = unpack_septets(ud + header, octets - header, count, fill);
        if (!s) return unexpected(err(Errc::short_user_data, "septets past the user data"));
        pdu.user_data = *s;
        pdu.text = gsm7_to_utf8(*s, pdu.national_locking_shift, pdu.national_single_shift);
        return 0;
    }
    pdu.user_data.assign(ud + header, ud + octets);
    if (pdu.dcs.compressed) return 0;  // TS 23.042 compression: text left undecoded
    if (pdu.encoding == Encoding::Ucs2) {
        const std::size_t n = octets - header;
        if (n % 2 != 0 && octets == announced) {
            return unexpected(err(Errc::invalid_utf16, "UCS2 user data of odd length " + std::to_string(n)));
        }
        // Cut short in the middle of a code unit: the half is dropped (already marked damaged).
        pdu.text = decode_ucs2(ud + header, n, pdu.concat.has_value(), pdu);
        return 0;
    }
    // 8-bit data: a Latin-1 reading for display; the octets stay in user_data.
    std::u16string u(pdu.user_data.begin(), pdu.user_data.end());
    pdu.text = utf16_to_utf8(u).value_or(std::string());
    return 0;
}

Result<int> read_smsc(Reader& r, Pdu& pdu) {
    std::uint8_t len = 0;
    if (!r.octet(len)) return unexpected(short_pdu("SMSC length", 0));
    if (len == 0) return 0;
    if (len > 11) {
        return unexpected(err(Errc::bad_address, "SMSC field of " + std::to_string(len) + " octets (max 11)"));
    }
    if (len > r.left()) {
        return unexpected(err(Errc::length_past_end, "SMSC field of " + std::to_string(len) +
                                                         " octets past the end"));
    }
    const std::uint8_t type = *r.here();
    const std::uint8_t* p = r.here() + 1;
    r.skip(len);
    pdu.smsc = bcd_digits(p, len - 1u, (len - 1u) * 2u);
    if (kind_of(type) == AddressKind::International && !pdu.smsc.empty()) pdu.smsc.insert(0, "+");
    return 0;
}

int relative_validity_minutes(std::uint8_t vp) {
    // TS 23.040 §9.2.3.12.1
    if (vp <= 143) return (vp + 1) * 5;
    if (vp <= 167) return 12 * 60 + (vp - 143) * 30;
    if (vp <= 196) return (vp - 166) * 24 * 60;
    return (vp - 192) * 7 * 24 * 60;
}

#define CUNXIN_TRY(expr)                           \
    do {                                           \
        auto _r = (expr);                          \
        if (!_r) return unexpected(_r.error());    \
    } while (0)

Result<Pdu> decode_deliver(Reader& r, std::uint8_t fo, Pdu pdu) {
    pdu.type = PduType::Deliver;
    pdu.more_messages = (fo & 0x04) == 0;
    pdu.status_report = (fo & 0x20) != 0;
    pdu.reply_path = (fo & 0x80) != 0;
    CUNXIN_TRY(read_address(r, "TP-OA", pdu.address, pdu.address_kind, pdu.address_type));
    std::uint8_t pid = 0, dcs = 0;
    if (!r.octet(pid)) return unexpected(short_pdu("TP-PID", r.pos()));
    if (!r.octet(dcs)) return unexpected(short_pdu("TP-DCS", r.pos()));
    pdu.protocol_id = pid;
    pdu.dcs = decode_dcs(dcs);
    pdu.encoding = pdu.dcs.encoding;
    auto ts = read_timestamp(r, "TP-SCTS");
    if (!ts) return unexpected(ts.error());
    pdu.timestamp = *ts;
    CUNXIN_TRY(read_user_data(r, (fo & 0x40) != 0, pdu));
    return pdu;
}

Result<Pdu> decode_submit(Reader& r, std::uint8_t fo, Pdu pdu) {
    pdu.type = PduType::Submit;
    pdu.reject_duplicates = (fo & 0x04) != 0;
    pdu.status_report = (fo & 0x20) != 0;
    pdu.reply_path = (fo & 0x80) != 0;
    std::uint8_t mr = 0;
    if (!r.octet(mr)) return unexpected(short_pdu("TP-MR", r.pos()));
    pdu.message_reference = mr;
    CUNXIN_TRY(read_address(r, "TP-DA", pdu.address, pdu.address_kind, pdu.address_type));
    std::uint8_t pid = 0, dcs = 0;
    if (!r.octet(pid)) return unexpected(short_pdu("TP-PID", r.pos()));
    if (!r.octet(dcs)) return unexpected(short_pdu("TP-DCS", r.pos()));
    pdu.protocol_id = pid;
    pdu.dcs = decode_dcs(dcs);
    pdu.encoding = pdu.dcs.encoding;
    switch ((fo >> 3) & 0x03) {
        case 0: break;  // no TP-VP
        case 2: {       // relative
            std::uint8_t vp = 0;
            if (!r.octet(vp)) return unexpected(short_pdu("TP-VP", r.pos()));
            pdu.validity_minutes = relative_validity_minutes(vp);
            break;
        }
        default:  // enhanced (1) or absolute (3): 7 octets, kept opaque
            if (!r.skip(7)) return unexpected(short_pdu("TP-VP", r.pos()));
            break;
    }
    CUNXIN_TRY(read_user_data(r, (fo & 0x40) != 0, pdu));
    return pdu;
}

Result<Pdu> decode_status_report(Reader& r, std::uint8_t fo, Pdu pdu) {
    pdu.type = PduType::StatusReport;
    pdu.more_messages = (fo & 0x04) == 0;
    pdu.status_report = (fo & 0x20) != 0;  // TP-SRQ
    std::uint8_t mr = 0;
    if (!r.octet(mr)) return unexpected(short_pdu("TP-MR", r.pos()));
    pdu.message_reference = mr;
    CUNXIN_TRY(read_address(r, "TP-RA", pdu.address, pdu.address_kind, pdu.address_type));
    auto scts = read_timestamp(r, "TP-SCTS");
    if (!scts) return unexpected(scts.error());
    pdu.timestamp = *scts;
    auto dt = read_timestamp(r, "TP-DT");
    if (!dt) return unexpected(dt.error());
    pdu.discharge_time = *dt;
    std::uint8_t st = 0;
    if (!r.octet(st)) return unexpected(short_pdu("TP-ST", r.pos()));
    pdu.status = st;
    pdu.status_class = classify_status(st);
    // TS 23.040 §9.2.3.27: optional TP-PI and what it announces. Many SMSCs stop here.
    std::uint8_t pi = 0;
    if (!r.octet(pi)) return pdu;
    std::uint8_t ext = pi;
    while ((ext & 0x80) && r.octet(ext)) {
    }
    if (pi & 0x01) {
        std::uint8_t pid = 0;
        if (!r.octet(pid)) return pdu;
        pdu.protocol_id = pid;
    }
    if (pi & 0x02) {
        std::uint8_t dcs = 0;
        if (!r.octet(dcs)) return pdu;
        pdu.dcs = decode_dcs(dcs);
        pdu.encoding = pdu.dcs.encoding;
    }
    if (pi & 0x04) CUNXIN_TRY(read_user_data(r, (fo & 0x40) != 0, pdu));
    return pdu;
}

}  // namespace

const char* to_string(PduType t) noexcept {
    switch (t) {
        case PduType::Deliver: return "deliver";
        case PduType::Submit: return "submit";
        case PduType::StatusReport: return "status-report";
    }
    return "unknown";
}

const char* to_string(StatusClass c) noexcept {
    switch (c) {
        case StatusClass::Delivered: return "delivered";
        case StatusClass::Pending: return "pending";
        case StatusClass::Failed: return "failed";
    }
    return "unknown";
}

StatusClass classify_status(int st) noexcept {
    // TS 23.040 §9.2.3.15
    if (st >= 0x00 && st <= 0x1F) return StatusClass::Delivered;  // transaction completed
    if (st >= 0x20 && st <= 0x3F) return StatusClass::Pending;    // temporary, still trying
    return StatusClass::Failed;  // 0x40-0x7F: no more attempts; reserved values alike
}

Dcs decode_dcs(std::uint8_t b) noexcept {
    // TS 23.038 §4
    Dcs d;
    d.raw = b;
    auto cls = [](int bits) {
        switch (bits & 0x03) {
            case 0: return MessageClass::Class0;
            case 1: return MessageClass::Class1;
            case 2: return MessageClass::Class2;
            default: return MessageClass::Class3;
        }
    };
    const int group = b >> 4;
    if (group <= 0x7) {  // 00xx general data coding, 01xx automatic deletion
        d.auto_delete = (b & 0x40) != 0;
        d.compressed = (b & 0x20) != 0;
        if (b & 0x10) d.message_class = cls(b);
        switch ((b >> 2) & 0x03) {
            case 1: d.encoding = Encoding::EightBit; break;
            case 2: d.encoding = Encoding::Ucs2; break;
            default: d.encoding = Encoding::Gsm7; break;  // 3 reserved: default alphabet
        }
        return d;
    }
    if (group >= 0xC && group <= 0xE) {  // message waiting indication groups
        MessageWaiting w;
        w.active = (b & 0x08) != 0;
        w.discard = group == 0xC;
        switch (b & 0x03) {
            case 0: w.kind = WaitingKind::Voicemail; break;
            case 1: w.kind = WaitingKind::Fax; break;
            case 2: w.kind = WaitingKind::Email; break;
            default: w.kind = WaitingKind::Other; break;
        }
        d.waiting = w;
        d.encoding = group == 0xE ? Encoding::Ucs2 : Encoding::Gsm7;
        return d;
    }
    if (group == 0xF) {  // data coding / message class
        d.encoding = (b & 0x04) ? Encoding::EightBit : Encoding::Gsm7;
        d.message_class = cls(b);
        return d;
    }
    d.encoding = Encoding::Gsm7;  // 1000..1011 reserved: default alphabet
    return d;
}

Result<Pdu> decode(const std::vector<std::uint8_t>& bytes, bool has_smsc) {
    Reader r(bytes.data(), bytes.size());
    Pdu pdu;
    if (has_smsc) CUNXIN_TRY(read_smsc(r, pdu));
    std::uint8_t fo = 0;
    if (!r.octet(fo)) return unexpected(short_pdu("first octet", r.pos()));
    switch (fo & 0x03) {
        case 0: return decode_deliver(r, fo, std::move(pdu));
        case 1: return decode_submit(r, fo, std::move(pdu));
        case 2: return decode_status_report(r, fo, std::move(pdu));
        default: return unexpected(err(Errc::reserved_message_type, "TP-MTI 3 is reserved"));
    }
}

Result<Pdu> decode(std::string_view hex, bool has_smsc) {
    auto bytes = from_hex(hex);
    if (!bytes) return unexpected(bytes.error());
    return decode(*bytes, has_smsc);
}

std::string Timestamp::iso8601() const {
    char buf[40];
    const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year % 10000,
                  month % 100, day % 100, hour % 100, minute % 100, second % 100,
                  utc_offset_minutes < 0 ? '-' : '+', (off / 60) % 100, off % 60);
    return buf;
}

std::int64_t Timestamp::unix_seconds() const {
    // Days from civil (Howard Hinnant's algorithm), then subtract the offset.
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = static_cast<unsigned>(month > 2 ? month - 3 : month + 9);
    const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return days * 86400 + hour * 3600 + minute * 60 + second -
           static_cast<std::int64_t>(utc_offset_minutes) * 60;
}

}  // namespace cunxin::sms
