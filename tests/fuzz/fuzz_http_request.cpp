// SPDX-License-Identifier: Apache-2.0
// Fuzzes the request parsing firmware/http owns, the very functions the handlers call: the JSON
// body (parse_json_body, then need_string / opt_string / opt_int on the fields handlers read),
// query integers and cursors (parse_int_param, checked against std::from_chars) and the search
// text check (plain_text). Byte 0 chooses what the rest is.

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "fields.hpp"
#include "text_checks.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

void body(std::string_view text) {
    using namespace cunxin::http;
    auto j = parse_json_body(text);
    if (!j) {
        require(j.error().code == Errc::bad_json);
        return;
    }
    require(j->is_object());
    for (const char* key : {"text", "username", "password", "name", "to"}) {
        auto s = need_string(*j, key, 64);
        if (s) require(s->size() <= 64);
        else require(s.error().code == Errc::missing_field || s.error().code == Errc::invalid_field);
        auto o = opt_string(*j, key, 4096);
        if (o && *o) require((*o)->size() <= 4096);
    }
    for (const char* key : {"limit", "cursor", "id", "contact_id"}) {
        auto v = opt_int(*j, key, 1, 500);
        if (v && *v) require(**v >= 1 && **v <= 500);
        (void)opt_int(*j, key, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
    }
}

void integer(std::string_view text) {
    using cunxin::http::parse_int_param;
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    auto all = parse_int_param(text, "cursor", kMin, kMax);
    std::int64_t ref = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ref);
    const bool ref_ok = ec == std::errc{} && end == text.data() + text.size() && text.size() <= 19;
    if (all) require(ref_ok && *all == ref);
    if (ref_ok) require(all.has_value());
    auto bounded = parse_int_param(text, "limit", 1, 200);
    if (bounded) require(*bounded >= 1 && *bounded <= 200 && all && *all == *bounded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 65536) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 3) {
        case 0: body(rest); break;
        case 1: integer(rest); break;
        default: {
            const bool ok = cunxin::http::plain_text(rest);
            if (ok) {
                for (char c : rest) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
            }
            break;
        }
    }
    return 0;
}
