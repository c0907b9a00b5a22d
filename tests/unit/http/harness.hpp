// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test harness: a real server on 127.0.0.1:<ephemeral>, a real SQLite file in a temp dir,
// a real io_context thread as the core, and an httplib client with cookie/CSRF handling.

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "config.hpp"
#include "core_api.hpp"
#include "cunxin/asio.hpp"
#include "cunxin/http/core_api.hpp"
#include "cunxin/http/server.hpp"
#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/scheduler.hpp"
#include "cunxin/modem/pool.hpp"
#include "cunxin/store/store.hpp"

namespace cxtest {

using json = nlohmann::json;

/// One HTTP reply, parsed.
struct Res {
    int status = 0;
    std::string body;
    json j;
    httplib::Headers headers;
    std::string header(const std::string& k) const {
        auto it = headers.find(k);
        return it == headers.end() ? "" : it->second;
    }
};

/// A browser-like client: keeps the session cookie and sends the CSRF token.
class Client {
public:
    explicit Client(int port);
    /// Over HTTPS, trusting only the certificate in `ca_cert` (hostname checked: 127.0.0.1).
    Client(int port, const std::string& ca_cert);
    /// A new connection to `port` (a restarted server) with the same cookie, CSRF and bearer.
    Client at(int port) const;
    Res get(const std::string& path, httplib::Headers extra = {});
    Res post_raw(const std::string& path, const std::string& body, httplib::Headers extra = {});
    Res post(const std::string& path, const json& body) { return post_raw(path, body.dump()); }
    Res put(const std::string& path, const json& body);
    Res patch(const std::string& path, const json& body);
    Res del(const std::string& path);
    std::string cookie;   ///< "cunxin_session=..."
    std::string csrf;     ///< sent as X-CSRF-Token when non-empty
    std::string bearer;   ///< sent as Authorization: Bearer when non-empty
    bool send_csrf = true;
    httplib::Client cli;

private:
    httplib::Headers headers(httplib::Headers extra) const;
    Res wrap(const httplib::Result& r);
};

/// Server + store + core thread in a temp dir. The core is the appliance's own (the app's
/// CoreApiImpl over the messaging core and a modem pool with no modem): the HTTP tests drive
/// the real commands. Its clock is the appliance's network-aware clock over the system time
/// moved by `skew` (tests set a clock far from the system's).
class Harness {
public:
    Harness();
    /// With a changed server configuration (HTTPS, session lifetimes…).
    explicit Harness(const std::function<void(cunxin::http::ServerConfig&)>& tweak);
    ~Harness();
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    /// Does the first-start setup and returns a logged-in admin client.
    Client& admin();
    /// Creates a user with a role (via the admin API) and returns it logged in.
    Client user(const std::string& name, const std::string& role);
    /// Runs fn on the core thread and waits.
    void on_core(std::function<void()> fn);
    /// Stops the server and starts a new one on the same database (a power cut, minus the cut).
    void restart_server();

    std::filesystem::path dir;
    cunxin::asio::io_context ioc;
    std::unique_ptr<cunxin::store::Database> db;  ///< write connection: core thread only
    std::atomic<long long> skew{0};               ///< seconds added to the system time by the core's clock
    std::unique_ptr<cunxin::messaging::NetworkAwareClock> clock;
    cunxin::app::Config config;
    std::unique_ptr<cunxin::messaging::MessagingCore> messaging;
    std::unique_ptr<cunxin::modem::ModemPool> pool;
    std::unique_ptr<cunxin::app::CoreApiImpl> core;
    std::unique_ptr<cunxin::http::Server> server;
    cunxin::http::ServerConfig cfg;
    cunxin::http::CoreHooks hooks;
    int port = 0;

private:
    std::optional<cunxin::asio::executor_work_guard<cunxin::asio::io_context::executor_type>> work_;
    std::thread core_thread_;
    std::unique_ptr<Client> admin_;
};

}  // namespace cxtest
