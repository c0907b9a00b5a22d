// SPDX-License-Identifier: Apache-2.0
// `cunxin demo [--listen HOST:PORT] [--data-dir DIR] [--latency-ms MS] [--reply-every S]`:
// the whole appliance on four simulated modems (ptys, driven through the real serial path),
// with sample villages, contacts and groups, and replies arriving over time.

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>

#include <cunxin/asio.hpp>
#include <cunxin/log.hpp>
#include <cunxin/modemsim/simulator.hpp>
#include <cunxin/store/database.hpp>

#include "appliance.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "demo_data.hpp"
#include "paths.hpp"

namespace cunxin::app {

int cmd_demo(const Args& args) {
    Config config;
    config.listen_host = "127.0.0.1";
    config.data_dir = std::filesystem::current_path() / "cunxin-demo";
    int latency_ms = 800;
    int reply_every_s = 30;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--listen") parse_listen(value(), config.listen_host, config.listen_port);
        else if (args[i] == "--data-dir") config.data_dir = value();
        else if (args[i] == "--latency-ms") latency_ms = std::stoi(value());
        else if (args[i] == "--reply-every") reply_every_s = std::stoi(value());
        else {
            std::fputs("usage: cunxin demo [--listen HOST:PORT] [--data-dir DIR] [--latency-ms MS] "
                       "[--reply-every SECONDS]\n",
                       stderr);
            return 2;
        }
    }
    // Demo SIMs may send faster than real ones: a broadcast finishes while one watches.
    config.sim_limits = {60, 600, 2000};
    config.utc_offset_minutes = 480;

    // Everything the appliance writes (database, -wal/-shm, uploads, backups, TLS files) is
    // private whatever umask it was started with; files meant for others get explicit modes.
    ::umask(077);
    prepare_data_dir(config.data_dir);
    {
        auto db = store::Database::open(database_path(config.data_dir).string());
        if (!db) throw std::runtime_error("demo: cannot open the database: " + db.error().detail);
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        if (seed_demo(*db, now)) log::info("demo", "sample villages, contacts and groups created");
    }

    modemsim::Config sim_config;
    sim_config.modems = 4;
    sim_config.cmgs_latency = std::chrono::milliseconds(latency_ms);
    sim_config.command_latency = std::chrono::milliseconds(5);
    sim_config.modem.resize(4);
    sim_config.modem[1].profile = modemsim::Profile::SimcomSim7600;
    sim_config.modem[3].profile = modemsim::Profile::HuaweiE3372;
    modemsim::Simulator sim(sim_config);
    sim.start();
    for (const auto& m : sim.modems()) {
        config.modems.push_back(m.pty_path);
        log::info("demo", "simulated " + m.manufacturer + " " + m.model + " (" + m.operator_name +
                              ") on " + m.pty_path);
    }

    // Replies from the sample contacts, one every `reply_every_s` seconds or so.
    std::mt19937 rng(std::random_device{}());
    std::size_t next_reply = 0;
    std::unique_ptr<asio::steady_timer> timer;
    std::function<void()> schedule;
    ApplianceHooks hooks;
    hooks.banner = "demo: panel on http://" + config.listen_host + ":" +
                   std::to_string(config.listen_port) + "/ — data in " + config.data_dir.string();
    hooks.started = [&] {
        // Runs on the core thread; the simulator is thread-safe.
        timer = std::make_unique<asio::steady_timer>(asio::system_executor());
        schedule = [&] {
            const int jitter = reply_every_s > 2 ? static_cast<int>(rng() % (reply_every_s / 2 + 1)) : 0;
            timer->expires_after(std::chrono::seconds(next_reply == 0 ? 5 : reply_every_s + jitter));
            timer->async_wait([&](const boost::system::error_code& ec) {
                if (ec) return;
                const auto& contacts = demo_contacts();
                const auto& replies = demo_replies();
                modemsim::Incoming in;
                in.modem = static_cast<int>(next_reply % 4);
                in.from = contacts[rng() % contacts.size()].mobile;
                in.text = replies[next_reply % replies.size()];
                ++next_reply;
                sim.inject(in);
                schedule();
            });
        };
        if (reply_every_s > 0) schedule();
    };
    const int rc = run_appliance(config, hooks);
    if (timer) timer->cancel();
    sim.stop();
    return rc;
}

}  // namespace cunxin::app
