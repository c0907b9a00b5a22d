// SPDX-License-Identifier: Apache-2.0
#pragma once
// Glue between store types and the HTTP layer (JSON mapping lives in firmware/http only).

#include <chrono>

#include "api.hpp"
#include "cunxin/messaging/commands.hpp"
#include "cunxin/store/store.hpp"
#include "server_impl.hpp"

namespace cunxin::http {

/// Unix seconds now by the core's clock (network-corrected); the system clock only while no
/// core is connected. Any thread.
inline store::Seconds now_seconds(const ServerImpl& srv) {
    if (srv.hooks.core) return srv.hooks.core->unix_now();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The office's UTC offset in minutes (ServerConfig::utc_offset_minutes, the config's
/// `utc_offset_minutes`, the same the core's clock uses).
inline int office_offset(const ServerImpl& srv) { return srv.cfg.utc_offset_minutes; }

/// The office's local date today (by the core's clock and the office offset).
inline std::chrono::sys_days office_today(const ServerImpl& srv) {
    return std::chrono::floor<std::chrono::days>(
        std::chrono::sys_seconds(std::chrono::seconds(now_seconds(srv) + std::int64_t{office_offset(srv)} * 60)));
}

inline Role to_http(store::Role r) {
    switch (r) {
        case store::Role::Admin: return Role::admin;
        case store::Role::Operator: return Role::operator_;
        case store::Role::Viewer: return Role::viewer;
    }
    return Role::viewer;
}

inline store::Role to_store(Role r) {
    switch (r) {
        case Role::admin: return store::Role::Admin;
        case Role::operator_: return store::Role::Operator;
        case Role::viewer: return store::Role::Viewer;
    }
    return store::Role::Viewer;
}

/// Unwraps a store result or returns the mapped error from the enclosing handler.
#define CX_TRY(var, expr, what)                                      \
    auto var##_r = (expr);                                           \
    if (!var##_r) return unexpected(from_store(var##_r.error(), what)); \
    auto var = std::move(*var##_r)

/// Same for Result<void>.
#define CX_TRY_VOID(expr, what)                                       \
    do {                                                              \
        auto cx_r_ = (expr);                                          \
        if (!cx_r_) return unexpected(from_store(cx_r_.error(), what)); \
    } while (0)

/// Unwraps an http Result or returns its error.
#define CX_CHECK(var, expr)                     \
    auto var##_r = (expr);                      \
    if (!var##_r) return unexpected(var##_r.error()); \
    auto var = std::move(*var##_r)

/// Same for Result<void>.
#define CX_CHECK_VOID(expr)                           \
    do {                                              \
        auto cx_c_ = (expr);                          \
        if (!cx_c_) return unexpected(cx_c_.error()); \
    } while (0)

/// Maps a messaging failure to an HTTP error (commands' details are Chinese, safe to show).
inline Error from_messaging(const messaging::Error& e) {
    switch (e.code) {
        case messaging::Errc::invalid_argument: return Error{Errc::invalid_field, -1, e.detail};
        case messaging::Errc::not_found: return Error{Errc::not_found, -1, e.detail};
        case messaging::Errc::bad_state:
        case messaging::Errc::conflict: return Error{Errc::conflict, -1, e.detail};
        case messaging::Errc::store: break;
    }
    return Error{Errc::unavailable, -1, e.detail.empty() ? std::string("存储出错，请重试") : e.detail};
}

/// Runs a messaging command `fn(messaging::Commands&)` (returning messaging::Result<T>) on the
/// core thread through call_core; yields Result<T>. Every write of the panel goes here.
template <class F>
auto command(ServerImpl& srv, F fn)
    -> Result<typename std::invoke_result_t<F, messaging::Commands&>::value_type> {
    using R = std::invoke_result_t<F, messaging::Commands&>;
    using T = typename R::value_type;
    if (!srv.hooks.core) return fail(Errc::unavailable, "消息核心未运行");
    CoreApi* core = srv.hooks.core;
    auto r = srv.call_core([core, fn = std::move(fn)]() mutable { return fn(core->commands()); });
    if (!r) return unexpected(r.error());
    if (!*r) return unexpected(from_messaging(r->error()));
    if constexpr (std::is_void_v<T>) {
        return {};
    } else {
        return std::move(**r);
    }
}

/// Maps a core failure to an HTTP error.
inline Error from_core(const CoreError& e) {
    Errc c = Errc::unavailable;
    if (e.code == "invalid") c = Errc::invalid_field;
    else if (e.code == "not_found") c = Errc::not_found;
    else if (e.code == "conflict") c = Errc::conflict;
    return Error{c, -1, e.message};
}

/// Runs `fn(CoreApi&)` (returning CoreResult<T>) on the core thread; yields Result<T>.
template <class F>
auto core_call(ServerImpl& srv, F fn)
    -> Result<typename std::invoke_result_t<F, CoreApi&>::value_type> {
    using R = std::invoke_result_t<F, CoreApi&>;
    using T = typename R::value_type;
    if (!srv.hooks.core) return fail(Errc::unavailable, "the messaging core is not running");
    CoreApi* core = srv.hooks.core;
    auto r = srv.call_core([core, fn = std::move(fn)]() mutable { return fn(*core); });
    if (!r) return unexpected(r.error());
    if (!*r) return unexpected(from_core(r->error()));
    if constexpr (std::is_void_v<T>) {
        return {};
    } else {
        return std::move(**r);
    }
}

/// JSON of a user (no hash).
inline json user_json(const store::User& u) {
    return {{"id", u.id},           {"username", u.username},
            {"role", store::to_string(u.role)}, {"display_name", u.display_name},
            {"disabled", u.disabled}, {"created_at", u.created_at}};
}

}  // namespace cunxin::http
