// SPDX-License-Identifier: Apache-2.0
// `cunxin hub [--config FILE] [--data-dir DIR] [--listen HOST:PORT]`: the county hub. The same
// binary, no modems: one core thread (io_context) owns the write connection and the hub's MQTT
// link (libmosquitto's network thread posts into it); the HTTP server serves the county API and
// the hub panel. `cunxin hub add-box NAME` prints what a new township box needs (hub_admin.cpp).
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <cunxin/asio.hpp>
#include <cunxin/federation/hub.hpp>
#include <cunxin/http/core_api.hpp>
#include <cunxin/http/hub_api.hpp>
#include <cunxin/http/server.hpp>
#include <cunxin/log.hpp>
#include <cunxin/messaging/clock.hpp>
#include <cunxin/messaging/commands.hpp>
#include <cunxin/store/database.hpp>

#include "commands.hpp"
#include "config.hpp"
#include "paths.hpp"
#ifdef CUNXIN_WITH_HUB_ADMIN
#include "hub_admin.hpp"
#endif

namespace cunxin::app {
namespace {

/// The county API's view of the hub (core thread).
/// The hub's side of the box API: it has no modem and sends nothing itself, but its panel's
/// users, sessions, tokens and settings are written through the same messaging commands.
class HubCore final : public http::CoreApi {
public:
    HubCore(store::Database& db, const messaging::Clock& clock) : clock_(clock), commands_(db, clock) {}
    int modems_ready() override { return 0; }
    std::vector<http::ModemInfo> modems() override { return {}; }
    http::CoreResult<http::SendResult> send(const http::SendRequest&) override { return refused(); }
    http::CoreResult<std::int64_t> create_campaign(const http::CampaignRequest&) override { return refused(); }
    http::CoreResult<void> campaign_action(std::int64_t, http::CampaignAction, const std::string&) override {
        return refused();
    }
    http::CoreResult<int> decide_uncertain(std::int64_t, bool) override { return refused(); }
    http::CoreResult<void> restart_modem(const std::string&) override { return refused(); }
    void ussd(const std::string&, const std::string&, std::function<void(http::CoreResult<std::string>)> done) override {
        done(refused());
    }
    void settings_changed() override {}
    messaging::Commands& commands() override { return commands_; }
    std::int64_t unix_now() const override { return clock_.unix_now(); }

private:
    static cunxin::Unexpected<http::CoreError> refused() {
        return cunxin::unexpected(http::CoreError{"unavailable", "县级平台不直接发送短信：请下发县级通知"});
    }
    const messaging::Clock& clock_;
    messaging::Commands commands_;
};

class HubApiImpl final : public http::HubApi {
public:
    explicit HubApiImpl(federation::Hub& hub) : hub_(hub) {}
    http::CoreResult<std::string> create_notice(const http::CountyNoticeRequest& r) override {
        federation::NoticeRequest n{r.boxes, r.all, r.text, r.roles, r.villages, r.actor};
        auto id = hub_.create_notice(n);
        if (!id) return cunxin::unexpected(http::CoreError{id.error().code, id.error().message});
        return *id;
    }
    http::CoreResult<void> cancel_notice(const std::string& id) override {
        auto r = hub_.cancel_notice(id);
        if (!r) return cunxin::unexpected(http::CoreError{r.error().code, r.error().message});
        return {};
    }
    bool broker_connected() override { return hub_.connected(); }

private:
    federation::Hub& hub_;
};

int run_hub(const Config& config) {
    ::umask(077);
    prepare_data_dir(config.data_dir);
    const auto db_path = database_path(config.data_dir);
    auto opened = store::Database::open(db_path.string());
    if (!opened) {
        throw std::runtime_error("cannot open " + db_path.string() + ": " + opened.error().detail);
    }
    store::Database db = std::move(*opened);
    messaging::SystemClock clock;
    clock.set_utc_offset_minutes(config.utc_offset_minutes);
    asio::io_context io(1);
    const auto& f = *config.federation;
    federation::HubOptions ho;
    ho.broker = f.broker;
    ho.username = f.username.empty() ? "hub" : f.username;
    ho.password = f.password;
    ho.ca = f.ca;
    federation::Hub hub(ho, db, clock, [&io](std::function<void()> task) { asio::post(io, std::move(task)); });
    HubApiImpl api(hub);

    http::ServerConfig sc;
    sc.host = config.listen_host;
    sc.port = config.listen_port;
    sc.db_path = db_path;
    sc.threads = config.http_threads;
    sc.max_sse = config.max_sse;
    sc.utc_offset_minutes = config.utc_offset_minutes;
    sc.limits = config.http_limits;
    sc.hub = true;
    if (config.web_root) sc.web_root = config.web_root->string();
    if (const char* root = std::getenv("CUNXIN_WEB_ROOT"); root != nullptr && *root != '\0') sc.web_root = root;
    http::CoreHooks hooks;
    hooks.post = [&io](std::function<void()> task) { asio::post(io, std::move(task)); };
    HubCore core(db, clock);
    hooks.core = &core;
    hooks.hub = &api;
    http::Server server(sc, hooks);
    server.start();
    log::info("hub", "county panel and API on http://" + config.listen_host + ":" + std::to_string(server.port()) + "/");
    if (const auto code = server.setup_code(); !code.empty()) {
        std::fprintf(stdout, "setup code: %s\n", code.c_str());
        std::fflush(stdout);
    }
    if (auto r = hub.start(); !r) throw std::runtime_error(r.error());
    log::info("hub", "county hub on broker " + f.broker);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        log::info("hub", "stopping");
        hub.stop();
        io.stop();
    });
    io.run();
    server.stop();
    return 0;
}

}  // namespace

int cmd_hub(const Args& args) {
    if (!args.empty() && args[0] == "add-box") {
#ifdef CUNXIN_WITH_HUB_ADMIN
        return run_hub_add_box(Args(args.begin() + 1, args.end()));
#else
        std::fputs("cunxin hub add-box: not in this build\n", stderr);
        return 2;
#endif
    }
    std::optional<std::string> config_file, data_dir, listen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--config") config_file = value();
        else if (args[i] == "--data-dir") data_dir = value();
        else if (args[i] == "--listen") listen = value();
        else {
            std::fputs("usage: cunxin hub [--config FILE] [--data-dir DIR] [--listen HOST:PORT]\n"
                       "       cunxin hub add-box NAME\n",
                       stderr);
            return 2;
        }
    }
    Config config;
    config.data_dir = "/var/lib/cunxin-hub";
    if (config_file) {
        config = load_config(*config_file);
        config.config_file = *config_file;
    } else if (std::filesystem::exists("/etc/cunxin/hub.json")) {
        config = load_config("/etc/cunxin/hub.json");
        config.config_file = "/etc/cunxin/hub.json";
    }
    if (data_dir) config.data_dir = *data_dir;
    if (listen) parse_listen(*listen, config.listen_host, config.listen_port);
    if (!config.federation) {
        throw std::runtime_error("the hub's config needs a \"federation\" section with its \"broker\"");
    }
    return run_hub(config);
}

}  // namespace cunxin::app
