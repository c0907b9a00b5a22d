// SPDX-License-Identifier: Apache-2.0
// The one place where failures become HTTP statuses and {"error":{"code","message"}} bodies.

#include <cstdio>

#include "api.hpp"

#if __has_include("cunxin/store/error.hpp")
#include "cunxin/store/error.hpp"
#define CUNXIN_HTTP_HAVE_STORE 1
#endif

namespace cunxin::http {

const char* to_string(Errc code) noexcept {
    switch (code) {
        case Errc::bad_request: return "bad_request";
        case Errc::bad_json: return "bad_json";
        case Errc::missing_field: return "missing_field";
        case Errc::invalid_field: return "invalid_field";
        case Errc::unauthorized: return "unauthorized";
        case Errc::bad_credentials: return "bad_credentials";
        case Errc::forbidden: return "forbidden";
        case Errc::csrf_failed: return "csrf_failed";
        case Errc::not_found: return "not_found";
        case Errc::conflict: return "conflict";
        case Errc::payload_too_large: return "payload_too_large";
        case Errc::https_required: return "https_required";
        case Errc::rate_limited: return "rate_limited";
        case Errc::setup_required: return "setup_required";
        case Errc::core_unavailable: return "core_unavailable";
        case Errc::busy: return "busy";
        case Errc::unavailable: return "unavailable";
        case Errc::internal: return "internal";
    }
    return "internal";
}

int status_of(Errc code) noexcept {
    switch (code) {
        case Errc::bad_request: return 400;
        case Errc::bad_json: return 400;
        case Errc::missing_field: return 422;
        case Errc::invalid_field: return 422;
        case Errc::unauthorized: return 401;
        case Errc::bad_credentials: return 401;
        case Errc::forbidden: return 403;
        case Errc::csrf_failed: return 403;
        case Errc::not_found: return 404;
        case Errc::conflict: return 409;
        case Errc::payload_too_large: return 413;
        case Errc::https_required: return 403;
        case Errc::rate_limited: return 429;
        case Errc::setup_required: return 403;
        case Errc::core_unavailable: return 503;
        case Errc::busy: return 503;
        case Errc::unavailable: return 503;
        case Errc::internal: return 500;
    }
    return 500;
}

void write_error(Response& res, const Error& e) {
    res.status = status_of(e.code);
    std::string message = e.detail;
    if (e.code == Errc::internal || message.empty()) {
        message = e.code == Errc::internal ? "internal error" : to_string(e.code);
    }
    json body = {{"error", {{"code", to_string(e.code)}, {"message", message}}}};
    if (e.code == Errc::rate_limited) res.set_header("Retry-After", "60");
    res.set_header("Cache-Control", "no-store");
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

Error from_store(const store::Error& e, const char* what) {
#ifdef CUNXIN_HTTP_HAVE_STORE
    // Store details (SQLite messages) are logged, never sent.
    std::fprintf(stderr, "[http] store: %s: %s (%s)\n", what, store::to_string(e.code),
                 e.detail.c_str());
    switch (e.code) {
        case store::Errc::not_found: return Error{Errc::not_found, -1, "not found"};
        case store::Errc::constraint: return Error{Errc::conflict, -1, "conflicts with existing data"};
        case store::Errc::invalid_argument: return Error{Errc::invalid_field, -1, "invalid value"};
        case store::Errc::busy: return Error{Errc::unavailable, -1, "storage busy, try again"};
        case store::Errc::open_failed:
        case store::Errc::corrupt:
        case store::Errc::too_new:
        case store::Errc::read_only:
        case store::Errc::sql: return Error{Errc::internal, -1, ""};
    }
    return Error{Errc::internal, -1, ""};
#else
    (void)e;
    (void)what;
    return Error{Errc::internal, -1, ""};
#endif
}

}  // namespace cunxin::http
