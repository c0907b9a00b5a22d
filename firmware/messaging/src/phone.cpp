// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/phone.hpp"

#include <array>
#include <cstdint>
#include <string_view>

#include "cunxin/messaging/reply_menu.hpp"
#include "utf8.hpp"

namespace cunxin::messaging {

namespace {

bool is_separator(char32_t c) {
    switch (c) {
        case U' ':
        case U'\t':
        case U'\r':
        case U'\n':
        case 0xA0:
        case 0x3000:
        case U'-':
        case 0xFF0D:
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2212:
        case U'.':
        case 0xFF0E:
        case U'(':
        case U')':
        case 0xFF08:
        case 0xFF09:
        case U'/':
        case 0xFF0F:
        case 0x200B:
        case 0x200C:
        case 0x200D:
        case 0xFEFF:
        case 0x2060:
            return true;
        default:
            return false;
    }
}

bool starts(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

PhoneError fail(PhoneErrc code, std::string en, std::string zh) {
    return PhoneError{code, -1, std::move(en), std::move(zh)};
}

/// Digits of `input` and whether it began with '+'; error on anything else.
cunxin::Expected<std::string, PhoneError> digits_of(std::string_view input, bool& plus) {
    std::string digits;
    plus = false;
    std::size_t i = 0;
    while (i < input.size()) {
        const char32_t c = utf8::next(input, i);
        if (c >= U'0' && c <= U'9') {
            digits.push_back(static_cast<char>(c));
        } else if (c >= 0xFF10 && c <= 0xFF19) {
            digits.push_back(static_cast<char>(U'0' + (c - 0xFF10)));
        } else if ((c == U'+' || c == 0xFF0B) && digits.empty() && !plus) {
            plus = true;
        } else if (is_separator(c)) {
            continue;
        } else {
            return cunxin::unexpected(fail(PhoneErrc::bad_character,
                                           "not a phone number: unexpected character",
                                           "不是电话号码：含有非法字符"));
        }
        if (digits.size() > 32) {
            return cunxin::unexpected(
                fail(PhoneErrc::wrong_length, "too many digits", "号码位数过多"));
        }
    }
    if (digits.empty()) {
        return cunxin::unexpected(fail(PhoneErrc::empty, "no number", "号码为空"));
    }
    return digits;
}

/// Checks an 11-digit-ish national number (after the country code).
PhoneResult national_to_e164(std::string national) {
    // "+86 (0)138…": a trunk 0 before a mobile number.
    if (national.size() == 12 && national[0] == '0' && national[1] == '1') {
        national.erase(0, 1);
    }
    if (national.size() < 2) {
        return cunxin::unexpected(fail(PhoneErrc::wrong_length, "too few digits", "号码位数太少"));
    }
    if (national[0] == '1') {
        if (national[1] == '0' && national.size() != 11 && national.size() >= 7) {
            // "+86 10 6552 9988": Beijing's area code 10 without the trunk 0.
            return cunxin::unexpected(fail(PhoneErrc::landline,
                                           "a landline number, SMS needs a mobile number",
                                           "这是固定电话号码，短信需要手机号码"));
        }
        if (national.size() != 11) {
            return cunxin::unexpected(
                fail(PhoneErrc::wrong_length,
                     "a mobile number has 11 digits, this has " + std::to_string(national.size()),
                     "手机号码应为11位，这里有" + std::to_string(national.size()) + "位"));
        }
        if (national[1] < '3') {
            return cunxin::unexpected(fail(PhoneErrc::not_mobile,
                                           "not a mobile number (must start with 13-19)",
                                           "不是手机号码（应以13-19开头）"));
        }
        return "+86" + national;
    }
    if (national[0] == '0' || (national.size() >= 7 && national.size() <= 12)) {
        return cunxin::unexpected(fail(PhoneErrc::landline,
                                       "a landline number, SMS needs a mobile number",
                                       "这是固定电话号码，短信需要手机号码"));
    }
    return cunxin::unexpected(fail(PhoneErrc::not_mobile, "not a mobile number", "不是手机号码"));
}

}  // namespace

const char* to_string(PhoneErrc code) noexcept {
    switch (code) {
        case PhoneErrc::empty:
            return "empty";
        case PhoneErrc::bad_character:
            return "bad_character";
        case PhoneErrc::foreign:
            return "foreign";
        case PhoneErrc::landline:
            return "landline";
        case PhoneErrc::not_mobile:
            return "not_mobile";
        case PhoneErrc::wrong_length:
            return "wrong_length";
    }
    return "unknown";
}

PhoneResult normalize_msisdn(std::string_view input) {
    bool plus = false;
    auto digits = digits_of(input, plus);
    if (!digits) return cunxin::unexpected(digits.error());
    std::string d = std::move(*digits);
    auto foreign = [&] {
        return cunxin::unexpected(fail(PhoneErrc::foreign,
                                       "an international number outside China (+86)",
                                       "不是中国大陆号码（+86）"));
    };
    if (plus) {
        if (!starts(d, "86")) return foreign();
        return national_to_e164(d.substr(2));
    }
    if (starts(d, "00")) {
        if (!starts(d, "0086")) return foreign();
        return national_to_e164(d.substr(4));
    }
    if (d.size() == 13 && starts(d, "861")) return national_to_e164(d.substr(2));
    if (d[0] == '0') {
        return cunxin::unexpected(fail(PhoneErrc::landline,
                                       "a landline number (area code), SMS needs a mobile number",
                                       "这是带区号的固定电话号码，短信需要手机号码"));
    }
    if (d[0] == '1') return national_to_e164(std::move(d));
    if (starts(d, "86") && d.size() >= 11 && d.size() <= 13) {
        return national_to_e164(d.substr(2));
    }
    return national_to_e164(std::move(d));
}

std::string canonical_peer(std::string_view input) {
    if (auto e = normalize_msisdn(input)) return *e;
    // Fold width (keeping letter case) and see whether it is a number at all.
    std::string folded;
    bool numeric = true;
    std::size_t i = 0;
    while (i < input.size()) {
        char32_t c = utf8::next(input, i);
        if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
        if (c == 0x3000 || c == 0xA0) c = U' ';
        if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF) continue;
        if (!(c >= U'0' && c <= U'9') && c != U'+' && !is_separator(c)) numeric = false;
        utf8::append(folded, c);
    }
    if (numeric) {
        std::string out;  // digits and '+' only
        for (const char ch : folded) {
            if ((ch >= '0' && ch <= '9') || ch == '+') out.push_back(ch);
        }
        return out;
    }
    const std::size_t b = folded.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const std::size_t e = folded.find_last_not_of(" \t\r\n");
    return folded.substr(b, e - b + 1);
}

const char* to_string(Carrier c) noexcept {
    switch (c) {
        case Carrier::Unknown:
            return "unknown";
        case Carrier::ChinaMobile:
            return "china_mobile";
        case Carrier::ChinaUnicom:
            return "china_unicom";
        case Carrier::ChinaTelecom:
            return "china_telecom";
        case Carrier::ChinaBroadnet:
            return "china_broadnet";
    }
    return "unknown";
}

const char* carrier_name_zh(Carrier c) noexcept {
    switch (c) {
        case Carrier::Unknown:
            return "未知";
        case Carrier::ChinaMobile:
            return "中国移动";
        case Carrier::ChinaUnicom:
            return "中国联通";
        case Carrier::ChinaTelecom:
            return "中国电信";
        case Carrier::ChinaBroadnet:
            return "中国广电";
    }
    return "未知";
}

Carrier carrier_of(std::string_view msisdn) {
    const auto e164 = normalize_msisdn(msisdn);
    if (!e164) return Carrier::Unknown;
    const std::string_view n = std::string_view(*e164).substr(3);  // after "+86"
    const int p3 = (n[0] - '0') * 100 + (n[1] - '0') * 10 + (n[2] - '0');
    const int d4 = n[3] - '0';
    using C = Carrier;
    switch (p3) {
        // 1349 was the satellite block of China Telecom; other 134x are China Mobile.
        case 134:
            return d4 == 9 ? C::ChinaTelecom : C::ChinaMobile;
        case 135:
        case 136:
        case 137:
        case 138:
        case 139:
        case 147:
        case 148:
        case 150:
        case 151:
        case 152:
        case 157:
        case 158:
        case 159:
        case 165:
        case 172:
        case 178:
        case 182:
        case 183:
        case 184:
        case 187:
        case 188:
        case 195:
        case 197:
        case 198:
            return C::ChinaMobile;
        case 130:
        case 131:
        case 132:
        case 145:
        case 146:
        case 155:
        case 156:
        case 166:
        case 167:
        case 171:
        case 175:
        case 176:
        case 185:
        case 186:
        case 196:
            return C::ChinaUnicom;
        case 133:
        case 149:
        case 153:
        case 162:
        case 173:
        case 174:
        case 177:
        case 180:
        case 181:
        case 189:
        case 190:
        case 191:
        case 193:
        case 199:
            return C::ChinaTelecom;
        case 192:
            return C::ChinaBroadnet;
        // 170: virtual operators; the fourth digit says whose network (MIIT allocation).
        case 170:
            if (d4 <= 2) return C::ChinaTelecom;
            if (d4 == 3 || d4 == 5 || d4 == 6) return C::ChinaMobile;
            return C::ChinaUnicom;
        default:
            return C::Unknown;
    }
}

namespace {

int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// UCS2 hex ("4E2D56FD79FB52A8") as UTF-8 when it decodes to non-ASCII text; else "".
std::string from_ucs2_hex(std::string_view s) {
    if (s.size() < 8 || s.size() % 4 != 0) return {};
    std::string out;
    bool non_ascii = false;
    for (std::size_t i = 0; i < s.size(); i += 4) {
        char32_t u = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const int v = hex_val(s[i + k]);
            if (v < 0) return {};
            u = (u << 4) | static_cast<char32_t>(v);
        }
        if (u < 0x20 || (u >= 0xD800 && u <= 0xDFFF)) return {};
        if (u >= 0x80) non_ascii = true;
        utf8::append(out, u);
    }
    return non_ascii ? out : std::string{};
}

Carrier carrier_of_plmn(std::string_view digits) {
    if (digits.size() < 5 || digits.size() > 6 || digits.substr(0, 3) != "460") {
        return Carrier::Unknown;
    }
    const int mnc = (digits[3] - '0') * 10 + (digits[4] - '0');
    if (digits.size() == 6) return Carrier::Unknown;  // China uses 2-digit MNCs
    switch (mnc) {
        case 0:
        case 2:
        case 4:
        case 7:
        case 8:
        case 13:
            return Carrier::ChinaMobile;
        case 1:
        case 6:
        case 9:
        case 10:
            return Carrier::ChinaUnicom;
        case 3:
        case 5:
        case 11:
        case 12:
            return Carrier::ChinaTelecom;
        case 15:
            return Carrier::ChinaBroadnet;
        default:
            return Carrier::Unknown;
    }
}

}  // namespace

Carrier carrier_from_operator(std::string_view cops) {
    // A whole "+COPS: 0,2,"46000",7" line: the operator is the first quoted field.
    std::string_view op = cops;
    if (const auto q = op.find('"'); q != std::string_view::npos) {
        const auto e = op.find('"', q + 1);
        op = op.substr(q + 1, e == std::string_view::npos ? std::string_view::npos : e - q - 1);
    }
    std::string text = fold_for_match(op);
    if (const std::string decoded = from_ucs2_hex(text); !decoded.empty()) text = decoded;
    // Keep letters, digits and non-ASCII; drop spaces and punctuation.
    std::string key;
    for (const char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        if (u >= 0x80 || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) key.push_back(ch);
    }
    if (key.empty()) return Carrier::Unknown;
    if (key.find_first_not_of("0123456789") == std::string::npos) return carrier_of_plmn(key);
    auto has = [&](std::string_view w) { return key.find(w) != std::string::npos; };
    if (has("移动") || has("CMCC") || has("MOBILE") || key == "CM" || key == "CHINAM") {
        return Carrier::ChinaMobile;
    }
    if (has("联通") || has("UNICOM") || has("CUCC") || key == "CU" || key == "CHNCU") {
        return Carrier::ChinaUnicom;
    }
    if (has("电信") || has("TELECOM") || has("CTCC") || key == "CT" || key == "CHNCT") {
        return Carrier::ChinaTelecom;
    }
    if (has("广电") || has("BROADNET") || key == "CBN" || has("CHINABN")) {
        return Carrier::ChinaBroadnet;
    }
    return Carrier::Unknown;
}

}  // namespace cunxin::messaging
