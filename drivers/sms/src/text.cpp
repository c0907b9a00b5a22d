// SPDX-License-Identifier: Apache-2.0
#include "cunxin/sms/text.hpp"

#include "tables.hpp"

namespace cunxin::sms {

namespace {

Error err(Errc c, std::string detail) { return Error{c, -1, std::move(detail)}; }

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

const char* to_string(Encoding e) noexcept {
    switch (e) {
        case Encoding::Gsm7: return "gsm7";
        case Encoding::EightBit: return "8bit";
        case Encoding::Ucs2: return "ucs2";
    }
    return "unknown";
}

Result<std::u16string> utf8_to_utf16(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        std::size_t n = 0;
        if (b0 < 0x80) {
            cp = b0;
            n = 1;
        } else if (b0 >= 0xC2 && b0 <= 0xDF) {
            cp = b0 & 0x1F;
            n = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            cp = b0 & 0x0F;
            n = 3;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            cp = b0 & 0x07;
            n = 4;
        } else {
            return unexpected(err(Errc::invalid_utf8, "bad lead byte at " + std::to_string(i)));
        }
        if (i + n > s.size()) {
            return unexpected(err(Errc::invalid_utf8, "truncated sequence at " + std::to_string(i)));
        }
        for (std::size_t k = 1; k < n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) {
                return unexpected(err(Errc::invalid_utf8, "bad continuation at " + std::to_string(i + k)));
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return unexpected(err(Errc::invalid_utf8, "overlong or surrogate at " + std::to_string(i)));
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
        i += n;
    }
    return out;
}

Result<std::string> utf16_to_utf8(std::u16string_view s) {
    std::string out;
    out.reserve(s.size() * 3);
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char16_t u = s[i];
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
                const char32_t cp = 0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) +
                                    (static_cast<char32_t>(s[i + 1]) - 0xDC00);
                append_utf8(out, cp);
                ++i;
                continue;
            }
            return unexpected(err(Errc::invalid_utf16, "unpaired high surrogate at unit " + std::to_string(i)));
        }
        if (u >= 0xDC00 && u <= 0xDFFF) {
            return unexpected(err(Errc::invalid_utf16, "unpaired low surrogate at unit " + std::to_string(i)));
        }
        append_utf8(out, u);
    }
    return out;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0F]);
    }
    return out;
}

Result<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!hex.empty() && is_space(hex.front())) hex.remove_prefix(1);
    while (!hex.empty() && is_space(hex.back())) hex.remove_suffix(1);
    if (hex.size() % 2 != 0) {
        return unexpected(err(Errc::odd_hex, std::to_string(hex.size()) + " hex digits"));
    }
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return unexpected(err(Errc::bad_hex_digit, "not hex at position " + std::to_string(hi < 0 ? i : i + 1)));
        }
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> gsm7_septets(std::string_view utf8) {
    auto u16 = utf8_to_utf16(utf8);
    if (!u16) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(u16->size());
    for (char16_t c : *u16) {
        const int s = detail::default_septet(c);
        if (s >= 0) {
            out.push_back(static_cast<std::uint8_t>(s));
            continue;
        }
        const int e = detail::default_extension_septet(c);
        if (e < 0) return std::nullopt;
        out.push_back(detail::kEscape);
        out.push_back(static_cast<std::uint8_t>(e));
    }
    return out;
}

std::string gsm7_to_utf8(const std::vector<std::uint8_t>& septets, int locking, int single) {
    const auto& lock = detail::locking_table(locking);
    const auto& shift = detail::single_shift_table(single);
    std::string out;
    out.reserve(septets.size());
    for (std::size_t i = 0; i < septets.size(); ++i) {
        const std::uint8_t s = septets[i] & 0x7F;
        if (s == detail::kEscape) {
            if (i + 1 >= septets.size()) break;  // a lone trailing escape shows nothing
            const std::uint8_t n = septets[++i] & 0x7F;
            char16_t c = shift[n];
            // TS 23.038 §6.2.1.1: unknown extension code shows the main-table character;
            // ESC ESC (reserved for a further table) shows a space.
            if (c == detail::kNone) c = (n == detail::kEscape) ? u' ' : lock[n];
            append_utf8(out, c);
            continue;
        }
        const char16_t c = lock[s];
        append_utf8(out, c == detail::kNone ? u' ' : c);
    }
    return out;
}

std::vector<std::uint8_t> pack_septets(const std::vector<std::uint8_t>& septets, int fill_bits) {
    const std::size_t bits = static_cast<std::size_t>(fill_bits) + septets.size() * 7;
    std::vector<std::uint8_t> out((bits + 7) / 8, 0);
    std::size_t pos = static_cast<std::size_t>(fill_bits);
    for (auto s : septets) {
        const unsigned v = s & 0x7F;
        const std::size_t byte = pos / 8;
        const unsigned shift = pos % 8;
        out[byte] = static_cast<std::uint8_t>(out[byte] | (v << shift));
        if (shift > 1) out[byte + 1] = static_cast<std::uint8_t>(out[byte + 1] | (v >> (8 - shift)));
        pos += 7;
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> unpack_septets(const std::uint8_t* data, std::size_t size,
                                                        std::size_t count, int fill_bits) {
    if (fill_bits < 0 || fill_bits > 7) return std::nullopt;
    const std::size_t bits = static_cast<std::size_t>(fill_bits) + count * 7;
    if ((bits + 7) / 8 > size) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(count);
    std::size_t pos = static_cast<std::size_t>(fill_bits);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t byte = pos / 8;
        const unsigned shift = pos % 8;
        unsigned v = data[byte] >> shift;
        if (shift > 1) v |= static_cast<unsigned>(data[byte + 1]) << (8 - shift);
        out.push_back(static_cast<std::uint8_t>(v & 0x7F));
        pos += 7;
    }
    return out;
}

}  // namespace cunxin::sms
