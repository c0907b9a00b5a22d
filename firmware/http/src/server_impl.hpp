// SPDX-License-Identifier: Apache-2.0
#pragma once
// The server's shared state: config, core hooks, sessions, login limiter, setup code, SSE hub.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "api.hpp"
#include "cunxin/http/core_api.hpp"
#include "cunxin/http/login_limiter.hpp"

namespace cunxin::http {

using Clock = std::chrono::steady_clock;

struct ServerImpl;

/// Where a task posted to the core stands (see ServerImpl::call_core).
enum class CoreTaskState { pending, running, done, abandoned };

/// A task posted to the core and the HTTP thread waiting for it; its state moves
/// pending -> running -> done on the core, or pending -> abandoned on the HTTP thread.
template <class T>
struct CoreTask {
    std::mutex mu;
    std::condition_variable cv;
    CoreTaskState state = CoreTaskState::pending;
    std::optional<T> value;
    std::exception_ptr error;
    bool durable = true;  ///< false: the work ran but its writes did not reach the disk

    /// Core thread: true when the task may run (it was not abandoned); it is then running.
    bool start() {
        std::lock_guard lock(mu);
        if (state == CoreTaskState::abandoned) return false;
        state = CoreTaskState::running;
        return true;
    }
    /// Core (or writer) thread: the task ended; `ok` = its writes are durable.
    void finish(bool ok) {
        {
            std::lock_guard lock(mu);
            durable = ok;
            state = CoreTaskState::done;
        }
        cv.notify_all();
    }
    /// HTTP thread: waits up to `pending_bound` for the task to start or end; a task not
    /// started by then is abandoned; a running one is waited for up to `running_bound` more.
    /// Returns the final state seen: done, abandoned, or running (still running at the bound).
    CoreTaskState wait(std::chrono::milliseconds pending_bound, std::chrono::milliseconds running_bound) {
        std::unique_lock lock(mu);
        if (cv.wait_for(lock, pending_bound, [&] { return state == CoreTaskState::done; })) return state;
        if (state == CoreTaskState::pending) {
            state = CoreTaskState::abandoned;
            return state;
        }
        cv.wait_for(lock, running_bound, [&] { return state == CoreTaskState::done; });
        return state;
    }
};

/// A panel session. Unix seconds by the core's clock (now_seconds(srv)), not a monotonic one:
/// sessions live in the store and must survive restarts. What lives in memory only (the login
/// back-off, the dashboard cache) keeps steady_clock, which no clock correction moves.
struct Session {
    std::int64_t user_id = 0;
    std::string name;
    Role role = Role::viewer;
    std::string csrf;
    std::int64_t created = 0;
    std::int64_t last = 0;        ///< last user activity
    std::int64_t stored_last = 0; ///< last activity written to the store (at most once a minute)
};

/// Thread-safe session table: the store's `sessions` table (only the SHA-256 of the cookie
/// value is kept) behind an in-memory cache keyed by that hash.
class Sessions {
public:
    Sessions(ServerImpl& srv, std::chrono::seconds ttl, std::chrono::seconds idle)
        : srv_(srv), ttl_(ttl.count()), idle_(idle.count()) {}
    /// Creates a session (stored before it is returned); returns its id (the cookie value).
    std::string create(std::int64_t user_id, std::string name, Role role);
    /// The live session with that id; `touch` extends the idle timer.
    std::optional<Session> find(const std::string& id, bool touch);
    /// Ends one session.
    void remove(const std::string& id);
    /// Ends every session of a user (password/role change, deletion) but `keep` (a session id).
    void remove_user(std::int64_t user_id, const std::string& keep = {});

private:
    std::int64_t expires(const Session& s) const { return std::min(s.created + ttl_, s.last + idle_); }
    ServerImpl& srv_;
    std::mutex mu_;
    std::unordered_map<std::string, Session> map_;  ///< by hash_token(id)
    std::int64_t ttl_;
    std::int64_t idle_;
};

/// Random URL-safe token of `bytes` random bytes.
std::string random_token(std::size_t bytes);

/// A route with its compiled pattern.
struct CompiledRoute {
    Route route;
    std::regex re;
};

/// The network side (Boost.Beast, transport.cpp): listeners, connections, limits, workers.
class Transport {
public:
    virtual ~Transport() = default;
    /// Closes the listeners and every connection, joins the threads. Idempotent.
    virtual void stop() = 0;
    /// The bound plain-HTTP port.
    virtual int port() const = 0;
    /// The bound HTTPS port (0 without HTTPS).
    virtual int tls_port() const = 0;
};

/// Binds the listeners of `s.cfg` and starts the I/O thread and the workers; throws
/// std::runtime_error when a port cannot be bound or the certificate cannot be used.
std::unique_ptr<Transport> start_transport(ServerImpl& s);

/// The live-event hub's state (the SSE handler and the transport use it).
struct SseHub::Impl {
    mutable std::mutex mu;
    std::condition_variable cv;
    std::uint64_t seq = 0;
    std::deque<std::pair<std::uint64_t, std::string>> recent;  ///< formatted events
    int clients = 0;
    std::unordered_map<std::string, int> per_address;         ///< open streams per client address
    bool closing = false;
    std::function<void()> wake;  ///< set by the transport: wakes its waiting streams (any thread)
};

struct ServerImpl {
    ServerImpl(ServerConfig c, CoreHooks h);
    ~ServerImpl();

    ServerConfig cfg;
    CoreHooks hooks;
    std::vector<CompiledRoute> routes;            ///< filled once before start, then read-only
    std::unique_ptr<Transport> transport;         ///< exists while running
    std::atomic<int> tls_port{0};
    CertificateInfo certificate;
    SseHub hub;
    Sessions sessions;
    LoginLimiter limiter;
    std::atomic<bool> running{false};
    std::atomic<int> bound_port{0};
    std::uint64_t serial = 0;  ///< distinguishes servers for per-thread connections

    /// The dashboard, shared by every open panel for kDashboardTtl (reports.cpp): with many
    /// panels polling it, one computation serves them all; while it is being recomputed the
    /// others get the previous one.
    std::mutex dashboard_compute_mu;  ///< held by the one thread computing
    std::mutex dashboard_mu;          ///< guards the two fields below
    std::string dashboard_body;
    Clock::time_point dashboard_at{};

    /// Last `campaign` event text per campaign (publish_campaign_progress, core thread only).
    std::unordered_map<std::int64_t, std::string> campaign_last;

    std::mutex setup_mu;
    std::string setup_code;  ///< empty once an admin exists

    /// Authenticates the request (cookie or bearer). `touch`: extend the session's idle timer.
    Result<Principal> authenticate(const Request& req, bool touch);
    /// This thread's read-only connection.
    Result<store::Database*> read_db();

    /// Records an audit entry (on the core thread, fire-and-forget).
    void audit(const Principal& who, const std::string& action, const std::string& target,
               const std::string& detail, const std::string& address);

    /// Runs `fn()` on the core thread and waits for its value: THE one place where HTTP hands
    /// work to the core (every command and every core read goes through it). A task still
    /// pending at `core_timeout` is abandoned (it never runs: 503 `busy`, "not done"); a task
    /// already running is waited for up to `core_running_timeout`, so the client learns what
    /// happened. `fn` must capture by value.
    template <class F>
    auto call_core(F fn) -> Result<std::invoke_result_t<F>> {
        using T = std::invoke_result_t<F>;
        if (!hooks.post) return fail(Errc::unavailable, "core not connected");
        auto task = std::make_shared<CoreTask<T>>();
        hooks.post([task, fn = std::move(fn), durable = hooks.when_durable]() mutable {
            if (!task->start()) return;  // abandoned by the HTTP thread: not run
            try {
                task->value.emplace(fn());
            } catch (...) {
                task->error = std::current_exception();
            }
            // The answer waits until what the task wrote is on disk (group commit: one flush
            // for everything written meanwhile); a failed flush answers 503, nothing was kept.
            if (durable) {
                durable([task](bool ok) { task->finish(ok); });
            } else {
                task->finish(true);
            }
        });
        switch (task->wait(cfg.core_timeout, cfg.core_running_timeout)) {
            case CoreTaskState::done: break;
            case CoreTaskState::abandoned:
            case CoreTaskState::pending: return fail(Errc::busy, "系统繁忙，未执行，请重试");
            case CoreTaskState::running:
                return fail(Errc::core_unavailable, "系统繁忙，操作仍在进行，结果未知，请稍后查看");
        }
        if (task->error) std::rethrow_exception(task->error);
        if (!task->durable) return fail(Errc::unavailable, "保存失败，请重试");
        return std::move(*task->value);
    }
};

/// The in-memory body limit of a path (max_upload for the CSV import, else max_body).
std::size_t memory_body_limit(const ServerImpl& s, const std::string& path);
/// The route for `method` and decoded `path` (HEAD finds GET routes), filling `matches`.
const CompiledRoute* find_route(const ServerImpl& s, const std::string& method,
                                const std::string& path, std::vector<std::string>& matches);
/// Runs the route (or the HTTPS redirect, or 404) on the calling (worker) thread.
void dispatch(ServerImpl& s, const CompiledRoute* route, const Request& req, Response& res);
/// Adds the security headers every response carries.
void finish_response(const ServerImpl& s, Response& res, bool tls);
/// A response holding {"error":{"code","message"}}.
Response error_response(Errc code, std::string message);
/// True when an Accept-Encoding value accepts gzip (RFC 9110 §12.5.3).
bool accepts_gzip(std::string_view accept_encoding);
/// Inflates a gzip member; nullopt when damaged.
std::optional<std::string> gunzip(const unsigned char* data, std::size_t size);

/// Makes the one-time setup code when no admin account exists (auth.cpp).
void init_setup_code(ServerImpl& s);

}  // namespace cunxin::http

namespace cunxin::http {
/// Modems ready to send (0 when the core is not connected or busy).
int modems_ready(ServerImpl& s);
}  // namespace cunxin::http
