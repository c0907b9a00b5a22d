// SPDX-License-Identifier: Apache-2.0
#pragma once
// The HTTP layer's error type and the parsing of request fields (JSON bodies, query integers):
// standard library and nlohmann::json only, so that the fuzz targets (tests/fuzz) use the very
// code the handlers use without a server.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cunxin/result.hpp"

namespace cunxin::http {

using json = nlohmann::json;

/// Why a request failed; mapped to an HTTP status in one place (errors.cpp).
enum class Errc {
    bad_request,        ///< malformed request (bad query parameter, bad path)
    bad_json,           ///< body is not valid JSON or not an object
    missing_field,      ///< a required field is absent
    invalid_field,      ///< a field has the wrong type or an unusable value
    unauthorized,       ///< no valid session or token
    bad_credentials,    ///< wrong user name or password / setup code
    forbidden,          ///< the role may not do this
    csrf_failed,        ///< state change with a session but without the right CSRF token
    not_found,          ///< no such resource / id
    conflict,           ///< state does not allow it (duplicate name, campaign finished…)
    payload_too_large,  ///< body over the limit
    https_required,     ///< HTTPS is configured: logins over plain HTTP are refused
    rate_limited,       ///< too many attempts
    setup_required,     ///< no admin account yet
    core_unavailable,   ///< the core did not answer in time
    busy,               ///< the core was too busy to start the work: it was not done (retry)
    unavailable,        ///< storage busy / feature not wired in this build
    internal,           ///< anything unexpected (details only in the log)
};

/// An HTTP-layer error. `detail` is a safe, client-facing message (never SQL or what()).
struct Error {
    Errc code = Errc::internal;
    int gsm_code = -1;
    std::string detail;
};

/// Value or Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

/// Builds an error result.
inline Unexpected<Error> fail(Errc code, std::string message) {
    return {Error{code, -1, std::move(message)}};
}

/// snake_case code of an error, as sent in {"error":{"code"}}.
const char* to_string(Errc code) noexcept;
/// The HTTP status for an error code.
int status_of(Errc code) noexcept;

/// Required string field of a JSON object.
Result<std::string> need_string(const json& o, const char* key, std::size_t max_len = 4096);
/// Optional string field (nullopt when absent or null).
Result<std::optional<std::string>> opt_string(const json& o, const char* key,
                                              std::size_t max_len = 4096);
/// Optional integer field.
Result<std::optional<std::int64_t>> opt_int(const json& o, const char* key, std::int64_t lo,
                                            std::int64_t hi);
/// A request body as a JSON object (bad_json when empty, nested deeper than 32, not JSON or not
/// an object).
Result<json> parse_json_body(std::string_view body);
/// A decimal query value within [lo, hi] (bad_request naming `name` otherwise; no overflow).
Result<std::int64_t> parse_int_param(std::string_view text, const char* name, std::int64_t lo, std::int64_t hi);

}  // namespace cunxin::http
