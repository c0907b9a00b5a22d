// SPDX-License-Identifier: Apache-2.0
// Request field parsing (fields.hpp): pure, fuzzed by tests/fuzz/fuzz_http_request.cpp.

#include "fields.hpp"

namespace cunxin::http {
namespace {

// Deeply nested JSON would recurse the parser off the stack: refuse it first.
bool json_depth_ok(std::string_view s, int max_depth) {
    int depth = 0;
    bool in_string = false;
    bool escape = false;
    for (char c : s) {
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') --depth;
    }
    return true;
}

}  // namespace

Result<json> parse_json_body(std::string_view body) {
    if (body.empty()) return fail(Errc::bad_json, "request body must be a JSON object");
    if (!json_depth_ok(body, 32)) return fail(Errc::bad_json, "JSON nested too deeply");
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fail(Errc::bad_json, "request body must be a JSON object");
    }
    return j;
}

Result<std::int64_t> parse_int_param(std::string_view v, const char* name, std::int64_t lo, std::int64_t hi) {
    auto bad = [&] { return fail(Errc::bad_request, std::string("bad value for ") + name); };
    std::size_t i = 0;
    const bool neg = !v.empty() && v[0] == '-';
    if (neg) i = 1;
    if (i == v.size() || v.size() > 19) return bad();
    // Accumulated negatively: INT64_MIN fits, and 19 digits never overflow unnoticed.
    std::int64_t out = 0;
    for (; i < v.size(); ++i) {
        const char c = v[i];
        if (c < '0' || c > '9') return bad();
        const int d = c - '0';
        if (out < (INT64_MIN + d) / 10) return bad();
        out = out * 10 - d;
    }
    if (!neg) {
        if (out == INT64_MIN) return bad();
        out = -out;
    }
    if (out < lo || out > hi) return bad();
    return out;
}

Result<std::string> need_string(const json& o, const char* key, std::size_t max_len) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
        return fail(Errc::missing_field, std::string("missing field: ") + key);
    }
    if (!it->is_string()) return fail(Errc::invalid_field, std::string(key) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() > max_len) return fail(Errc::invalid_field, std::string(key) + " is too long");
    return s;
}

Result<std::optional<std::string>> opt_string(const json& o, const char* key, std::size_t max_len) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string()) return fail(Errc::invalid_field, std::string(key) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() > max_len) return fail(Errc::invalid_field, std::string(key) + " is too long");
    return std::optional<std::string>{std::move(s)};
}

Result<std::optional<std::int64_t>> opt_int(const json& o, const char* key, std::int64_t lo,
                                            std::int64_t hi) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<std::int64_t>{};
    if (!it->is_number_integer()) {
        return fail(Errc::invalid_field, std::string(key) + " must be an integer");
    }
    const auto v = it->get<std::int64_t>();
    if (v < lo || v > hi) return fail(Errc::invalid_field, std::string(key) + " is out of range");
    return std::optional<std::int64_t>{v};
}

}  // namespace cunxin::http
