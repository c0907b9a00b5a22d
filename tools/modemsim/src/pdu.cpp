// SPDX-License-Identifier: Apache-2.0
#include "pdu.hpp"

#include <array>
#include <ctime>

namespace cunxin::modemsim {
namespace {

// TS 23.038 §6.2.1: GSM 7-bit default alphabet; 0x1B is the escape to the extension table.
constexpr std::array<char32_t, 128> kGsm7 = {
    U'@',  U'£',  U'$',  U'¥',  U'è',  U'é',  U'ù',  U'ì',  U'ò',  U'Ç',  U'\n', U'Ø',  U'ø',
    U'\r', U'Å',  U'å',  U'Δ',  U'_',  U'Φ',  U'Γ',  U'Λ',  U'Ω',  U'Π',  U'Ψ',  U'Σ',  U'Θ',
    U'Ξ',  0x1B,  U'Æ',  U'æ',  U'ß',  U'É',  U' ',  U'!',  U'"',  U'#',  U'¤',  U'%',  U'&',
    U'\'', U'(',  U')',  U'*',  U'+',  U',',  U'-',  U'.',  U'/',  U'0',  U'1',  U'2',  U'3',
    U'4',  U'5',  U'6',  U'7',  U'8',  U'9',  U':',  U';',  U'<',  U'=',  U'>',  U'?',  U'¡',
    U'A',  U'B',  U'C',  U'D',  U'E',  U'F',  U'G',  U'H',  U'I',  U'J',  U'K',  U'L',  U'M',
    U'N',  U'O',  U'P',  U'Q',  U'R',  U'S',  U'T',  U'U',  U'V',  U'W',  U'X',  U'Y',  U'Z',
    U'Ä',  U'Ö',  U'Ñ',  U'Ü',  U'§',  U'¿',  U'a',  U'b',  U'c',  U'd',  U'e',  U'f',  U'g',
    U'h',  U'i',  U'j',  U'k',  U'l',  U'm',  U'n',  U'o',  U'p',  U'q',  U'r',  U's',  U't',
    U'u',  U'v',  U'w',  U'x',  U'y',  U'z',  U'ä',  U'ö',  U'ñ',  U'ü',  U'à',
};

// TS 23.038 §6.2.1.1: extension table (after 0x1B).
struct Ext {
    std::uint8_t code;
    char32_t cp;
};
constexpr std::array<Ext, 10> kGsm7Ext = {{{0x0A, U'\f'},
                                           {0x14, U'^'},
                                           {0x28, U'{'},
                                           {0x29, U'}'},
                                           {0x2F, U'\\'},
                                           {0x3C, U'['},
                                           {0x3D, U'~'},
                                           {0x3E, U']'},
                                           {0x40, U'|'},
                                           {0x65, U'€'}}};

Unexpected<Error> fail(Errc c, std::string detail) {
    return unexpected(Error{c, 304, std::move(detail)});
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::vector<char32_t> utf8_to_cps(std::string_view s) {
    std::vector<char32_t> out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        int n = 0;
        char32_t cp = 0;
        if (b < 0x80) {
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            n = 1;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            n = 2;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            n = 3;
            cp = b & 0x07;
        } else {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        if (i + static_cast<std::size_t>(n) >= s.size()) {
            out.push_back(0xFFFD);
            break;
        }
        bool ok = true;
        for (int k = 1; k <= n; ++k) {
            auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((c & 0xC0) != 0x80) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!ok) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(n) + 1;
    }
    return out;
}

void put_bcd_digits(std::vector<std::uint8_t>& out, std::string_view digits) {
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        auto lo = static_cast<std::uint8_t>(digits[i] - '0');
        std::uint8_t hi = 0x0F;
        if (i + 1 < digits.size()) hi = static_cast<std::uint8_t>(digits[i + 1] - '0');
        out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
    }
}

// An address field (TS 23.040 §9.1.2.5): length in semi-octets, type, digits.
void put_address(std::vector<std::uint8_t>& out, std::string_view number) {
    bool intl = !number.empty() && number[0] == '+';
    std::string digits(intl ? number.substr(1) : number);
    bool numeric = !digits.empty();
    for (char c : digits) numeric = numeric && c >= '0' && c <= '9';
    if (numeric) {
        out.push_back(static_cast<std::uint8_t>(digits.size()));
        out.push_back(intl ? 0x91 : 0x81);
        put_bcd_digits(out, digits);
        return;
    }
    // Alphanumeric originator: GSM 7-bit packed, length counts semi-octets of the packed form.
    auto septets = to_gsm7(number).value_or(std::vector<std::uint8_t>{});
    std::vector<std::uint8_t> packed;
    int bits = 0;
    unsigned acc = 0;
    for (auto s : septets) {
        acc |= static_cast<unsigned>(s) << bits;
        bits += 7;
        while (bits >= 8) {
            packed.push_back(static_cast<std::uint8_t>(acc & 0xFF));
            acc >>= 8;
            bits -= 8;
        }
    }
    if (bits > 0) packed.push_back(static_cast<std::uint8_t>(acc & 0xFF));
    out.push_back(static_cast<std::uint8_t>((septets.size() * 7 + 3) / 4));
    out.push_back(0xD0);
    out.insert(out.end(), packed.begin(), packed.end());
}

void put_smsc(std::vector<std::uint8_t>& out, std::string_view smsc) {
    if (smsc.empty()) {
        out.push_back(0);
        return;
    }
    bool intl = smsc[0] == '+';
    std::string digits(intl ? smsc.substr(1) : smsc);
    out.push_back(static_cast<std::uint8_t>(1 + (digits.size() + 1) / 2));
    out.push_back(intl ? 0x91 : 0x81);
    put_bcd_digits(out, digits);
}

// Packs septets after `fill_bits` zero bits (TS 23.038 §6.1.2.1.1).
std::vector<std::uint8_t> pack_septets(const std::vector<std::uint8_t>& septets, int fill_bits) {
    std::vector<std::uint8_t> out;
    unsigned acc = 0;
    int bits = fill_bits;
    for (auto s : septets) {
        acc |= static_cast<unsigned>(s & 0x7F) << bits;
        bits += 7;
        while (bits >= 8) {
            out.push_back(static_cast<std::uint8_t>(acc & 0xFF));
            acc >>= 8;
            bits -= 8;
        }
    }
    if (bits > 0) out.push_back(static_cast<std::uint8_t>(acc & 0xFF));
    return out;
}

std::string decode_gsm7(const std::vector<std::uint8_t>& septets) {
    std::string out;
    for (std::size_t i = 0; i < septets.size(); ++i) {
        auto s = septets[i];
        if (s == 0x1B && i + 1 < septets.size()) {
            auto e = septets[++i];
            char32_t cp = U' ';
            bool found = false;
            for (const auto& x : kGsm7Ext) {
                if (x.code == e) {
                    cp = x.cp;
                    found = true;
                }
            }
            // TS 23.038: an unknown extension shows the default-table character.
            append_utf8(out, found ? cp : kGsm7[e & 0x7F]);
            continue;
        }
        append_utf8(out, s == 0x1B ? U' ' : kGsm7[s & 0x7F]);
    }
    return out;
}

class Reader {
public:
    explicit Reader(const std::vector<std::uint8_t>& b) : b_(b) {}
    bool has(std::size_t n) const { return pos_ + n <= b_.size(); }
    std::uint8_t u8() { return b_[pos_++]; }
    std::size_t pos() const { return pos_; }
    void skip(std::size_t n) { pos_ += n; }
    const std::vector<std::uint8_t>& bytes() const { return b_; }

private:
    const std::vector<std::uint8_t>& b_;
    std::size_t pos_ = 0;
};

std::string swapped_digits(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t octets,
                           std::size_t ndigits) {
    std::string out;
    for (std::size_t i = 0; i < octets; ++i) {
        std::uint8_t v = b[from + i];
        for (int half = 0; half < 2; ++half) {
            int d = half == 0 ? (v & 0x0F) : (v >> 4);
            if (out.size() >= ndigits || d == 0x0F) continue;
            static constexpr char kDigits[] = "0123456789*#abc";
            out += kDigits[d];
        }
    }
    return out;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nib(hex[i]);
        int lo = nib(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0x0F];
    }
    return out;
}

std::u16string utf8_to_utf16(std::string_view s) {
    std::u16string out;
    for (char32_t cp : utf8_to_cps(s)) {
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (cp >> 10));
            out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
        } else {
            out += static_cast<char16_t>(cp);
        }
    }
    return out;
}

std::string utf16_to_utf8(std::u16string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char32_t u = s[i];
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
            char32_t cp = 0x10000 + ((u - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            append_utf8(out, cp);
            ++i;
        } else if (u >= 0xD800 && u < 0xE000) {
            append_utf8(out, 0xFFFD);
        } else {
            append_utf8(out, u);
        }
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> to_gsm7(std::string_view utf8) {
    std::vector<std::uint8_t> out;
    for (char32_t cp : utf8_to_cps(utf8)) {
        bool done = false;
        for (std::size_t i = 0; i < kGsm7.size() && !done; ++i) {
            if (kGsm7[i] == cp && i != 0x1B) {
                out.push_back(static_cast<std::uint8_t>(i));
                done = true;
            }
        }
        for (const auto& x : kGsm7Ext) {
            if (!done && x.cp == cp) {
                out.push_back(0x1B);
                out.push_back(x.code);
                done = true;
            }
        }
        if (!done) return std::nullopt;
    }
    return out;
}

Result<Submit> decode_submit(std::string_view hex) {
    auto bytes_opt = from_hex(hex);
    if (!bytes_opt) return fail(Errc::BadHex, "hex");
    const auto& b = *bytes_opt;
    Reader r(b);
    Submit s;
    if (!r.has(1)) return fail(Errc::Truncated, "smsc length");
    std::size_t smsc_len = r.u8();
    if (!r.has(smsc_len)) return fail(Errc::Truncated, "smsc");
    if (smsc_len > 0) {
        if (smsc_len > 11) return fail(Errc::BadAddress, "smsc length");
        std::uint8_t toa = r.bytes()[r.pos()];
        s.smsc = ((toa & 0x70) == 0x10 ? "+" : "") +
                 swapped_digits(b, r.pos() + 1, smsc_len - 1, (smsc_len - 1) * 2);
    }
    r.skip(smsc_len);
    std::size_t tpdu_start = r.pos();
    s.tpdu_octets = static_cast<int>(b.size() - tpdu_start);
    // TS 23.040 §9.2.2.2: first octet of SMS-SUBMIT.
    if (!r.has(2)) return fail(Errc::Truncated, "first octet");
    std::uint8_t fo = r.u8();
    if ((fo & 0x03) != 0x01) return fail(Errc::NotSubmit, "TP-MTI");
    s.reject_duplicates = (fo & 0x04) != 0;
    s.vpf = (fo >> 3) & 0x03;
    s.status_report = (fo & 0x20) != 0;
    bool udhi = (fo & 0x40) != 0;
    s.mr = r.u8();
    // TP-DA (§9.1.2.5)
    if (!r.has(2)) return fail(Errc::Truncated, "TP-DA");
    std::size_t ndigits = r.u8();
    std::uint8_t toa = r.u8();
    if (ndigits == 0 || ndigits > 20) return fail(Errc::BadAddress, "TP-DA length");
    std::size_t addr_octets = (ndigits + 1) / 2;
    if (!r.has(addr_octets)) return fail(Errc::Truncated, "TP-DA digits");
    if ((toa & 0x70) == 0x50) {
        return fail(Errc::BadAddress, "alphanumeric TP-DA");
    }
    std::string digits = swapped_digits(b, r.pos(), addr_octets, ndigits);
    if (digits.size() != ndigits) return fail(Errc::BadAddress, "TP-DA filler");
    for (char c : digits) {
        if (c < '0' || c > '9') return fail(Errc::BadAddress, "TP-DA digit");
    }
    s.recipient = ((toa & 0x70) == 0x10 ? "+" : "") + digits;
    r.skip(addr_octets);
    if (!r.has(2)) return fail(Errc::Truncated, "TP-PID/DCS");
    s.pid = r.u8();
    s.dcs = r.u8();
    // TP-VP (§9.2.3.12): relative is one octet, enhanced/absolute seven.
    if (s.vpf == 2) {
        if (!r.has(1)) return fail(Errc::Truncated, "TP-VP");
        s.validity = r.u8();
    } else if (s.vpf != 0) {
        if (!r.has(7)) return fail(Errc::Truncated, "TP-VP");
        r.skip(7);
    }
    // TS 23.038 §4: data coding scheme groups.
    int alphabet = 0;  // 0 gsm7, 1 8bit, 2 ucs2
    int group = s.dcs >> 4;
    if (group <= 0x7) {  // general data coding (0xxx), with or without auto-deletion
        if (s.dcs & 0x20) return fail(Errc::Unsupported, "compressed TP-DCS");
        alphabet = (s.dcs >> 2) & 0x03;
        if (alphabet == 3) return fail(Errc::Unsupported, "reserved alphabet");
    } else if (group == 0xF) {
        alphabet = (s.dcs & 0x04) ? 1 : 0;
    } else if (group == 0xC || group == 0xD) {
        alphabet = 0;
    } else if (group == 0xE) {
        alphabet = 2;
    } else {
        return fail(Errc::Unsupported, "reserved TP-DCS group");
    }
    s.encoding = alphabet == 0 ? "gsm7" : alphabet == 1 ? "8bit" : "ucs2";
    if (!r.has(1)) return fail(Errc::Truncated, "TP-UDL");
    std::size_t udl = r.u8();
    std::size_t ud_octets = alphabet == 0 ? (udl * 7 + 7) / 8 : udl;
    if (alphabet == 0 && udl > 160) return fail(Errc::BadUserData, "TP-UDL > 160");
    if (alphabet != 0 && udl > 140) return fail(Errc::BadUserData, "TP-UDL > 140");
    if (r.pos() + ud_octets != b.size()) return fail(Errc::BadUserData, "TP-UDL vs data length");
    std::vector<std::uint8_t> ud(b.begin() + static_cast<std::ptrdiff_t>(r.pos()), b.end());
    std::size_t header_octets = 0;
    if (udhi) {
        if (ud.empty()) return fail(Errc::BadUserData, "UDH length");
        std::size_t udhl = ud[0];
        header_octets = udhl + 1;
        if (header_octets > ud.size()) return fail(Errc::BadUserData, "UDH past data");
        // TS 23.040 §9.2.3.24: information elements.
        std::size_t i = 1;
        while (i + 1 < header_octets) {
            std::uint8_t iei = ud[i];
            std::size_t len = ud[i + 1];
            if (i + 2 + len > header_octets) return fail(Errc::BadUserData, "UDH element");
            if (iei == 0x00 && len == 3) {  // §9.2.3.24.1
                s.concat_ref = ud[i + 2];
                s.concat_total = ud[i + 3];
                s.concat_part = ud[i + 4];
            } else if (iei == 0x08 && len == 4) {  // §9.2.3.24.8
                s.concat_ref = ud[i + 2] * 256 + ud[i + 3];
                s.concat_total = ud[i + 4];
                s.concat_part = ud[i + 5];
            }
            i += 2 + len;
        }
        if (s.concat_ref >= 0 &&
            (s.concat_total == 0 || s.concat_part == 0 || s.concat_part > s.concat_total)) {
            return fail(Errc::BadUserData, "concatenation numbers");
        }
    }
    if (alphabet == 0) {
        std::size_t header_bits = header_octets * 8;
        std::size_t fill = (7 - header_bits % 7) % 7;
        std::size_t header_septets = (header_bits + fill) / 7;
        if (header_septets > udl) return fail(Errc::BadUserData, "UDH longer than UDL");
        std::vector<std::uint8_t> septets;
        for (std::size_t k = header_septets; k < udl; ++k) {
            std::size_t bit = k * 7;
            std::size_t byte = bit / 8;
            std::size_t shift = bit % 8;
            unsigned v = ud[byte] >> shift;
            if (shift > 1 && byte + 1 < ud.size()) v |= static_cast<unsigned>(ud[byte + 1]) << (8 - shift);
            septets.push_back(static_cast<std::uint8_t>(v & 0x7F));
        }
        s.text = decode_gsm7(septets);
    } else if (alphabet == 2) {
        if ((ud.size() - header_octets) % 2 != 0) return fail(Errc::BadUserData, "odd UCS2 length");
        std::u16string u;
        for (std::size_t k = header_octets; k + 1 < ud.size(); k += 2) {
            u += static_cast<char16_t>(ud[k] << 8 | ud[k + 1]);
        }
        s.text = utf16_to_utf8(u);
    } else {
        s.text = to_hex(std::vector<std::uint8_t>(ud.begin() + static_cast<std::ptrdiff_t>(header_octets), ud.end()));
    }
    return s;
}

std::vector<std::uint8_t> encode_scts(std::chrono::system_clock::time_point t, int tz_quarters) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t) + static_cast<std::time_t>(tz_quarters) * 15 * 60;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    auto semi = [](int v) { return static_cast<std::uint8_t>(((v % 10) << 4) | (v / 10 % 10)); };
    std::vector<std::uint8_t> out{semi(tm.tm_year % 100), semi(tm.tm_mon + 1), semi(tm.tm_mday),
                                  semi(tm.tm_hour),       semi(tm.tm_min),     semi(tm.tm_sec)};
    int q = tz_quarters < 0 ? -tz_quarters : tz_quarters;
    std::uint8_t tz = semi(q);
    if (tz_quarters < 0) tz |= 0x08;  // §9.2.3.11: sign in bit 3
    out.push_back(tz);
    return out;
}

std::vector<EncodedPdu> encode_deliver(const DeliverSpec& spec) {
    std::optional<std::vector<std::uint8_t>> septets;
    if (spec.encoding != "ucs2") septets = to_gsm7(spec.text);
    bool gsm7 = septets.has_value();
    // Split into parts (TS 23.040 §9.2.3.24.1): 160/153 septets or 70/67 UTF-16 units.
    std::vector<std::vector<std::uint8_t>> gparts;
    std::vector<std::u16string> uparts;
    if (gsm7) {
        const auto& s = *septets;
        if (s.size() <= 160) {
            gparts.push_back(s);
        } else {
            std::size_t i = 0;
            while (i < s.size()) {
                std::size_t n = std::min<std::size_t>(153, s.size() - i);
                if (n == 153 && s[i + n - 1] == 0x1B) --n;  // keep an escape with its character
                gparts.emplace_back(s.begin() + static_cast<std::ptrdiff_t>(i),
                                    s.begin() + static_cast<std::ptrdiff_t>(i + n));
                i += n;
            }
        }
    } else {
        std::u16string u = utf8_to_utf16(spec.text);
        if (u.size() <= 70) {
            uparts.push_back(u);
        } else {
            std::size_t i = 0;
            while (i < u.size()) {
                std::size_t n = std::min<std::size_t>(67, u.size() - i);
                if (n == 67 && u[i + n - 1] >= 0xD800 && u[i + n - 1] < 0xDC00) --n;  // keep pairs whole
                uparts.push_back(u.substr(i, n));
                i += n;
            }
        }
    }
    std::size_t total = gsm7 ? gparts.size() : uparts.size();
    std::vector<EncodedPdu> out;
    for (std::size_t p = 0; p < total; ++p) {
        std::vector<std::uint8_t> pdu;
        put_smsc(pdu, spec.smsc);
        std::size_t tpdu_start = pdu.size();
        bool concat = total > 1;
        // §9.2.2.1: TP-MTI=00 deliver, TP-MMS=1 (no more messages), TP-UDHI when concatenated.
        pdu.push_back(static_cast<std::uint8_t>(0x04 | (concat ? 0x40 : 0x00)));
        put_address(pdu, spec.from);
        pdu.push_back(0x00);                  // TP-PID
        pdu.push_back(gsm7 ? 0x00 : 0x08);    // TP-DCS
        auto scts = encode_scts(spec.scts, spec.tz_quarters);
        pdu.insert(pdu.end(), scts.begin(), scts.end());
        std::vector<std::uint8_t> udh;
        if (concat) {
            udh = {0x05, 0x00, 0x03, static_cast<std::uint8_t>(spec.concat_ref & 0xFF),
                   static_cast<std::uint8_t>(total), static_cast<std::uint8_t>(p + 1)};
        }
        if (gsm7) {
            std::size_t header_bits = udh.size() * 8;
            int fill = static_cast<int>((7 - header_bits % 7) % 7);
            std::size_t header_septets = (header_bits + static_cast<std::size_t>(fill)) / 7;
            auto packed = pack_septets(gparts[p], fill);
            pdu.push_back(static_cast<std::uint8_t>(header_septets + gparts[p].size()));
            pdu.insert(pdu.end(), udh.begin(), udh.end());
            pdu.insert(pdu.end(), packed.begin(), packed.end());
        } else {
            pdu.push_back(static_cast<std::uint8_t>(udh.size() + uparts[p].size() * 2));
            pdu.insert(pdu.end(), udh.begin(), udh.end());
            for (char16_t c : uparts[p]) {
                pdu.push_back(static_cast<std::uint8_t>(c >> 8));
                pdu.push_back(static_cast<std::uint8_t>(c & 0xFF));
            }
        }
        out.push_back({to_hex(pdu), static_cast<int>(pdu.size() - tpdu_start)});
    }
    return out;
}

EncodedPdu encode_status_report(const std::string& smsc, int mr, const std::string& recipient,
                                std::chrono::system_clock::time_point scts,
                                std::chrono::system_clock::time_point discharge, int status,
                                int tz_quarters) {
    std::vector<std::uint8_t> pdu;
    put_smsc(pdu, smsc);
    std::size_t tpdu_start = pdu.size();
    // TS 23.040 §9.2.2.3: TP-MTI=10 status report, TP-MMS=1, TP-SRQ=0 (result of a SUBMIT).
    pdu.push_back(0x06);
    pdu.push_back(static_cast<std::uint8_t>(mr & 0xFF));
    put_address(pdu, recipient);
    auto a = encode_scts(scts, tz_quarters);
    auto d = encode_scts(discharge, tz_quarters);
    pdu.insert(pdu.end(), a.begin(), a.end());
    pdu.insert(pdu.end(), d.begin(), d.end());
    pdu.push_back(static_cast<std::uint8_t>(status & 0xFF));
    return {to_hex(pdu), static_cast<int>(pdu.size() - tpdu_start)};
}

}  // namespace cunxin::modemsim
