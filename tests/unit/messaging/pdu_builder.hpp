// SPDX-License-Identifier: Apache-2.0
#pragma once
// Builds SMS-DELIVER and SMS-STATUS-REPORT PDUs by hand (TS 23.040 §9.2.2.1, §9.2.2.3) so the
// inbox tests do not rely on the encoder under test. UCS2 text only.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace cunxin::test {

inline std::string hex(const std::vector<std::uint8_t>& b) {
    std::string s;
    char buf[3];
    for (auto c : b) {
        std::snprintf(buf, sizeof buf, "%02X", c);
        s += buf;
    }
    return s;
}

/// Semi-octet BCD of an international number's digits ("8613800000001").
inline void put_address(std::vector<std::uint8_t>& out, const std::string& digits) {
    out.push_back(static_cast<std::uint8_t>(digits.size()));
    out.push_back(0x91);
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        int lo = digits[i] - '0';
        int hi = i + 1 < digits.size() ? digits[i + 1] - '0' : 0xF;
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
}

/// 2026-03-05 10:mm:ss +08:00 as swapped BCD (TS 23.040 §9.2.3.11).
inline void put_time(std::vector<std::uint8_t>& out, int minute, int second) {
    auto sw = [](int v) { return static_cast<std::uint8_t>((v % 10) << 4 | (v / 10)); };
    for (int v : {26, 3, 5, 10, minute, second, 32}) out.push_back(sw(v));
}

/// UTF-16 code units of BMP-only UTF-8.
inline std::vector<std::uint16_t> utf16(const std::string& s) {
    std::vector<std::uint16_t> out;
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(c);
            i += 1;
        } else if ((c & 0xE0) == 0xC0) {
            out.push_back(static_cast<std::uint16_t>((c & 0x1F) << 6 | (s[i + 1] & 0x3F)));
            i += 2;
        } else {
            out.push_back(static_cast<std::uint16_t>((c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F)));
            i += 3;
        }
    }
    return out;
}

struct ConcatInfo {
    int ref = 0;
    int part = 1;
    int total = 1;
};

/// An SMS-DELIVER from `from_digits` (international), UCS2 text, SCTS 10:mm:ss.
inline std::string deliver(const std::string& from_digits, const std::string& text, int minute = 0,
                           int second = 0, std::optional<ConcatInfo> concat = std::nullopt) {
    std::vector<std::uint8_t> b{0x00};           // no SMSC address
    b.push_back(concat ? 0x44 : 0x04);             // SMS-DELIVER, TP-MMS, UDHI if concatenated
    put_address(b, from_digits);
    b.push_back(0x00);                              // TP-PID
    b.push_back(0x08);                              // TP-DCS: UCS2
    put_time(b, minute, second);
    std::vector<std::uint8_t> ud;
    if (concat) {
        ud = {0x05, 0x00, 0x03, static_cast<std::uint8_t>(concat->ref), static_cast<std::uint8_t>(concat->total),
              static_cast<std::uint8_t>(concat->part)};
    }
    for (auto u : utf16(text)) {
        ud.push_back(static_cast<std::uint8_t>(u >> 8));
        ud.push_back(static_cast<std::uint8_t>(u & 0xFF));
    }
    b.push_back(static_cast<std::uint8_t>(ud.size()));
    b.insert(b.end(), ud.begin(), ud.end());
    return hex(b);
}

/// An SMS-STATUS-REPORT for TP-MR `mr` to `to_digits` with TP-ST `st` (0 = delivered).
inline std::string status_report(int mr, const std::string& to_digits, int st) {
    std::vector<std::uint8_t> b{0x00, 0x06, static_cast<std::uint8_t>(mr)};
    put_address(b, to_digits);
    put_time(b, 0, 0);
    put_time(b, 0, 5);
    b.push_back(static_cast<std::uint8_t>(st));
    return hex(b);
}

}  // namespace cunxin::test
