// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The panel's web server: JSON API under /api/v1, sessions, SSE, embedded assets.
/// Lean header: no Beast, no Asio, no JSON library (pimpl).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/http/tls.hpp"

namespace cunxin::store {
class Database;
}  // namespace cunxin::store

namespace cunxin::http {

class CoreApi;
class HubApi;
struct ServerImpl;

/// The optional HTTPS listener (same routes as plain HTTP).
struct HttpsConfig {
    std::string host = "0.0.0.0";         ///< address to bind
    int port = 8443;                      ///< 0 = pick a free port (tests)
    std::filesystem::path cert;           ///< PEM certificate; generated with `key` when both are missing
    std::filesystem::path key;            ///< PEM private key (mode 0600 when generated)
    bool redirect_http = false;           ///< plain HTTP then only redirects to HTTPS (308)
};

/// What one client may hold of the server (issue 12: slow clients must not take it down).
struct ServerLimits {
    std::chrono::seconds header_timeout{10};  ///< a request's headers must arrive within this, in total
    std::size_t body_min_rate = 10 * 1024;    ///< bytes/s a body must keep up (deadline = header_timeout + size / rate)
    std::chrono::seconds idle_timeout{5};     ///< keep-alive: wait this long for the next request
    int max_requests = 100;                   ///< requests per connection before it is closed
    int max_per_address = 16;                 ///< open connections per client address (more are closed at once)
    int max_connections = 512;                ///< open connections in total (kept below the fd limit)
    int max_sse_per_address = 2;              ///< live-event streams per client address
    std::chrono::seconds sse_lifetime{600};   ///< a live-event stream ends after this (the panel reconnects)
    std::uint64_t upload_reserve = 64u << 20; ///< streamed uploads leave this much of the data partition free
};

/// One official on duty, as the settings page shows it (read-only: from the config file).
struct DutyView {
    std::string name;
    std::string number;
    std::string role;
};

/// The "alerts" config section as GET /api/v1/alerts shows it.
struct AlertsView {
    std::vector<DutyView> duty;
    std::vector<std::string> urgent_categories;
    std::string quiet_hours;              ///< "22:00-07:00" or "" (none)
    bool urgent_in_quiet_hours = false;
    int max_per_hour = 0;
    std::string digest_at;                ///< "08:00" or "" (none)
    std::vector<std::string> kinds;       ///< kinds that send SMS
};

/// How the server listens and where its data lives.
struct ServerConfig {
    std::string host = "127.0.0.1";       ///< address to bind (LAN address or 0.0.0.0 on the box)
    int port = 8080;                      ///< 0 = pick a free port (tests)
    std::filesystem::path db_path;        ///< the SQLite file; handlers open read-only connections
    std::string web_root;                 ///< dev: serve web/ from this folder (CUNXIN_WEB_ROOT)
    int threads = 4;                      ///< worker threads running handlers (I/O runs on its own thread)
    int max_sse = 16;                     ///< concurrent SSE streams (each holds a connection, no thread)
    std::size_t max_body = 1 << 20;       ///< request body limit for JSON endpoints (bytes)
    std::size_t max_upload = 16u << 20;   ///< request body limit for CSV import and restore
    std::chrono::seconds session_ttl{12 * 3600};    ///< absolute session lifetime
    std::chrono::seconds session_idle{30 * 60};     ///< idle timeout (background polls don't extend)
    std::chrono::milliseconds core_timeout{3000};   ///< work handed to the core and not started by then is dropped (503 busy)
    std::chrono::milliseconds core_running_timeout{60000};  ///< work already running is waited for this long more
    bool secure_cookies = false;          ///< `Secure` on every cookie (requests over HTTPS always get it)
    std::optional<HttpsConfig> https;     ///< also serve HTTPS
    int utc_offset_minutes = 480;         ///< office time zone: "today", report days, CSV times, file names
    ServerLimits limits;                  ///< deadlines and caps per connection and address
    AlertsView alerts;                    ///< who gets alert SMS (GET /api/v1/alerts)
    bool hub = false;                     ///< county hub: /api/v1/county/* and the hub panel (web/hub/)
};

/// How HTTP threads reach the core thread.
struct CoreHooks {
    /// Runs a task on the core thread (asio::post onto the io_context). Required.
    std::function<void(std::function<void()>)> post;
    /// Called on the core thread at the end of a posted task: runs `done(ok)` there once every
    /// write made so far is on disk (ok = false: it never will be). Empty: answers at once.
    std::function<void(std::function<void(bool)>)> when_durable;
    /// The core's operations (sending, campaigns, modems, every write as a messaging command,
    /// its clock and office offset); used inside posted tasks but for the clock.
    /// May be null: those endpoints then answer 503.
    CoreApi* core = nullptr;
    /// The support bundle (JSON text) with the daemon's live parts; called on an HTTP thread
    /// (it reaches the core itself). Empty: GET /api/v1/doctor answers 503.
    std::function<std::string()> support_bundle;
    /// The county hub's operations (hub mode only); used only inside posted tasks.
    HubApi* hub = nullptr;
};

/// Thread-safe fan-out of Server-Sent Events to open panels.
class SseHub {
public:
    SseHub();
    ~SseHub();
    SseHub(const SseHub&) = delete;
    SseHub& operator=(const SseHub&) = delete;
    /// Sends `event` with a JSON text payload to every open stream (any thread).
    void publish(const std::string& event, const std::string& json_text);
    /// Number of open streams.
    int clients() const;

    struct Impl;
    /// Internal state (used by the server's stream handler).
    Impl& impl() { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

/// The HTTP server. start() binds and runs its own threads; stop() joins them.
class Server {
public:
    Server(ServerConfig config, CoreHooks hooks);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts serving on a background thread; throws std::runtime_error when it
    /// cannot bind or open the database (a start-up failure).
    void start();
    /// Stops serving and joins the threads. Idempotent.
    void stop();
    /// The bound port (useful with port 0).
    int port() const;
    /// The bound HTTPS port, 0 without HTTPS.
    int https_port() const;
    /// The HTTPS certificate (generated or reused by start()); empty fingerprint without HTTPS.
    const CertificateInfo& certificate() const;
    /// The live-event hub (publish from any thread).
    SseHub& events();
    /// Publishes a `campaign` event ({id, status, progress, pending, eta_seconds}) for each
    /// running or paused campaign whose counts or state changed since the last call, and a last
    /// one when a campaign leaves those states. Core thread only (reads `db`); call it about
    /// once a second: that is the events' throttle.
    void publish_campaign_progress(store::Database& db);
    /// The one-time setup code while no admin account exists ("XXXX-XXXX"), else empty.
    /// The app prints it as `setup code: XXXX-XXXX`.
    std::string setup_code();

private:
    std::unique_ptr<ServerImpl> impl_;
};

}  // namespace cunxin::http
