// SPDX-License-Identifier: Apache-2.0
// Wiring of the running appliance. The core thread runs one io_context that owns the modem
// pool, the outbox, the inbox, the timers and the write connection; the HTTP server runs on
// its own threads and hands every write to the core with asio::post.

#include "appliance.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <future>
#include <map>
#include <vector>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include <cunxin/asio.hpp>
#include <cunxin/federation/box.hpp>
#include <cunxin/http/core_api.hpp>
#include <cunxin/http/server.hpp>
#include <cunxin/log.hpp>
#include <cunxin/messaging/carrier.hpp>
#include <cunxin/messaging/clock.hpp>
#include <cunxin/messaging/field.hpp>
#include <cunxin/messaging/inbox.hpp>
#include <cunxin/messaging/outbox.hpp>
#include <cunxin/messaging/scheduler.hpp>
#include <cunxin/modem/pool.hpp>
#include <cunxin/store/auth.hpp>
#include <cunxin/store/backup.hpp>
#include <cunxin/store/contacts.hpp>
#include <cunxin/store/database.hpp>
#include <cunxin/store/field.hpp>
#include <cunxin/store/group_commit.hpp>
#include <cunxin/store/messages.hpp>

#include "clock_source.hpp"
#include "doctor.hpp"
#include "core_api.hpp"
#include "paths.hpp"
#include "systemd_notify.hpp"
#ifdef CUNXIN_FAULT_HOOKS
#include "fault_hooks.hpp"
#endif

namespace cunxin::app {
namespace {

using namespace std::chrono_literals;

log::Level parse_level(const std::string& s) {
    if (s == "error") return log::Level::Error;
    if (s == "warn") return log::Level::Warn;
    if (s == "debug") return log::Level::Debug;
    return log::Level::Info;
}

/// A repeating timer on the core executor.
class Ticker {
public:
    Ticker(asio::io_context& io, std::chrono::milliseconds period, std::function<void()> tick)
        : timer_(io), period_(period), tick_(std::move(tick)) {
        arm();
    }
    void cancel() { timer_.cancel(); }

private:
    void arm() {
        timer_.expires_after(period_);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;  // operation_aborted: shutdown
            tick_();
            arm();
        });
    }
    asio::steady_timer timer_;
    std::chrono::milliseconds period_;
    std::function<void()> tick_;
};

/// "YYYYMMDD-HHMMSS" in the office time zone, for the names of set-aside database files.
std::string file_stamp(std::int64_t unix_seconds, int utc_offset_minutes) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds + std::int64_t{utc_offset_minutes} * 60);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    return buf;
}

/// The alerts section as the panel shows it.
http::AlertsView alerts_view(const messaging::AlertSettings& a) {
    http::AlertsView v;
    for (const auto& d : a.duty) v.duty.push_back({d.name, d.number, d.role});
    v.urgent_categories = a.urgent_categories;
    auto hhmm = [](int m) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
        return std::string(buf);
    };
    if (a.quiet_hours && a.quiet_hours->start != a.quiet_hours->end)
        v.quiet_hours = hhmm(a.quiet_hours->start) + "-" + hhmm(a.quiet_hours->end);
    v.urgent_in_quiet_hours = a.urgent_in_quiet_hours;
    v.max_per_hour = a.max_per_hour;
    if (a.digest_at) v.digest_at = hhmm(*a.digest_at);
    for (auto k : messaging::all_alert_kinds()) {
        if (a.kinds.count(k)) v.kinds.emplace_back(messaging::to_string(k));
    }
    return v;
}

}  // namespace

/// The field checks' settings from the config file (issue 14: self-test, credit, service numbers).
static messaging::FieldOptions field_options(const Config& config) {
    messaging::FieldOptions o;
    o.selftest_at = config.selftest.at;
    o.selftest_timeout = std::chrono::seconds(config.selftest.timeout_seconds);
    o.sim_numbers = config.sim_numbers;
    o.balance_at = config.balance.at;
    o.balance_timeout = std::chrono::seconds(config.balance.timeout_seconds);
    o.low_credit_fen = static_cast<std::int64_t>(config.balance.low_yuan * 100.0 + 0.5);
    for (const auto& [iccid, b] : config.balance.sims) o.balance[iccid] = {b.number, b.keyword, b.ussd};
    if (config.service_numbers) o.service_prefixes = *config.service_numbers;
    o.default_price_fen = config.price_fen;
    return o;
}

/// The modems as the support bundle shows them, with their recent AT transcripts (core thread).
static DoctorLive live_parts(const modem::ModemPool& pool) {
    DoctorLive live;
    const auto transcripts = pool.transcripts(std::chrono::minutes(10));
    for (const auto& s : pool.status()) {
        nlohmann::json m{{"port", s.port}, {"state", s.state}, {"manufacturer", s.manufacturer},
                         {"model", s.model}, {"revision", s.revision}, {"imei", s.imei},
                         {"imsi", s.imsi}, {"iccid", s.iccid}, {"operator", s.operator_name},
                         {"own_number", s.own_number}, {"registered", s.registered},
                         {"registration", s.registration}, {"sends_ok", s.sends_ok},
                         {"sends_failed", s.sends_failed}, {"received", s.received},
                         {"recoveries", s.recoveries}, {"missed_calls", s.missed_calls},
                         {"last_error", s.last_error}, {"access_technology", s.access_technology},
                         {"paused", s.paused}, {"sms_refused_on_lte", s.sms_refused_on_lte}};
        m["ims"] = s.ims ? nlohmann::json(*s.ims) : nlohmann::json(nullptr);
        m["signal"] = s.signal_dbm ? nlohmann::json(*s.signal_dbm) : nlohmann::json(nullptr);
        m["storage"] = s.storage ? nlohmann::json{{"mem", s.storage->mem}, {"used", s.storage->used},
                                                  {"total", s.storage->total}}
                                 : nlohmann::json(nullptr);
        for (const auto& t : transcripts) {
            if (t.port == s.port) m["transcript"] = t.text;
        }
        live.modems.push_back(std::move(m));
    }
    return live;
}

int run_appliance(const Config& config, const ApplianceHooks& hooks) {
    log::set_level(parse_level(config.log_level));
    // Everything the appliance writes (database, -wal/-shm, uploads, backups, TLS files) is
    // private whatever umask it was started with; files meant for others get explicit modes.
    ::umask(077);
    prepare_data_dir(config.data_dir);
    const auto db_path = database_path(config.data_dir);

    // Time: without a battery clock and NTP, the system time may be years off.
    if (!system_clock_synchronized()) {
        log::warn("clock", "system clock not synchronised (no NTP): network time from the modems "
                           "will be used when it disagrees");
    }
    messaging::NetworkAwareClock clock([] { return std::chrono::system_clock::now(); }, build_time());
    clock.set_utc_offset_minutes(config.utc_offset_minutes);

    // A backup uploaded through the panel waits as "<db>.restore": it takes the live database's
    // place, or, when it fails to open or migrate, is set aside and the previous one is used.
    auto opened = store::open_at_start(db_path.string(), file_stamp(clock.unix_now(), config.utc_offset_minutes),
                                       clock.unix_now());
    if (!opened) {
        throw std::runtime_error("cannot open " + db_path.string() + ": " +
                                 store::to_string(opened.error().code) + " " + opened.error().detail);
    }
    if (opened->restore && opened->restore->applied) {
        log::warn("store", "restored the uploaded backup; the previous database is kept as " + opened->restore->kept);
    } else if (opened->restore) {
        log::error("store", "the uploaded backup could not be used (" + opened->restore->reason +
                                "): set aside as " + opened->restore->kept + "; the previous database is in use");
    }
    store::Database db = std::move(opened->db);
    log::info("store", "database " + db_path.string() + " schema v" +
                           std::to_string(db.schema_version()) + ", integrity ok");

    asio::io_context io(1);

    // Group commit: SQL stays on the core thread, the flush leaves it. One transaction per turn
    // of the loop (or per flush while one runs), fdatasync of the WAL on a thread of its own;
    // only a step that depends on durability (AT+CMGS after `sending`, AT+CMGD after storing a
    // part, later an HTTP answer) waits for it, through db.when_durable().
    store::GroupCommitOptions group_options;
    group_options.log = [](const std::string& l) { log::warn("store", l); };
    auto group = store::GroupCommit::attach(
        db, db_path.string(), [&io](std::function<void()> f) { asio::post(io, std::move(f)); }, group_options);
    if (!group) {
        throw std::runtime_error("cannot start the store's group commit: " + group.error().detail);
    }

    messaging::CoreOptions core_options;
    core_options.outbox.status_report = config.status_reports;
    core_options.default_price_fen = config.price_fen;
    core_options.alerts = config.alerts;
    messaging::MessagingCore messaging_core(db, clock, core_options);
    messaging::Outbox& outbox = messaging_core.outbox();
    messaging::Inbox& inbox = messaging_core.inbox();
    // Network time from the modems: corrects the appliance's own time stamps at once and, on a
    // board without NTP, sets the system clock when the modems are clearly more plausible.
    std::map<std::string, std::chrono::system_clock::duration> network_offsets;
    std::string clock_source;
    inbox.on_network_time = [&](const std::string& iccid, messaging::Clock::time_point utc) {
        const bool before = clock.using_network_time();
        clock.offer_network_time(iccid, utc);
        if (clock.using_network_time() && !before) {
            log::warn("clock", "system clock is off; using the network time from SIM " + iccid);
        }
        const auto system_now = std::chrono::system_clock::now();
        network_offsets[iccid] = utc - system_now;
        if (system_clock_synchronized()) return;
        std::vector<NetworkTime> times;
        for (const auto& [who, offset] : network_offsets) times.push_back({"SIM " + who, system_now + offset});
        const auto decision = decide_clock(system_now, build_time(), times);
        // Written only when it changes: modems report the time every health poll (SD card wear).
        if (auto text = describe(decision); text != clock_source) {
            clock_source = text;
            (void)store::set_setting(db, "clock_source", text);
        }
        // Only the system service moves the board's clock (systemd sets INVOCATION_ID); a
        // daemon started by hand or by a test never touches the clock of the machine it runs on.
        if (!decision.set_clock || std::getenv("INVOCATION_ID") == nullptr) return;
        if (auto r = set_system_clock(decision.chosen_time); r) {
            log::warn("clock", "system clock set: " + clock_source);
        } else {
            log::warn("clock", "cannot set the system clock (" + r.error() + "): " + clock_source);
        }
    };
    if (auto r = messaging_core.start(); !r) {
        throw std::runtime_error("messaging start-up failed: " + r.error().detail);
    } else if (*r > 0) {
        log::warn("outbox", std::to_string(*r) +
                                " segment(s) were being sent at the last stop: now `uncertain`, "
                                "waiting for a person to resend or give up");
    }

    modem::PoolConfig pool_config;
    pool_config.modem.serial.baud = config.baud;
    pool_config.modem.pin = config.pin;
    pool_config.modem.status_reports = config.status_reports;
    pool_config.modem.cmgs_timeout = std::chrono::seconds(config.cmgs_timeout_s);
    pool_config.modem.transcript = config.log_level == "debug";
    pool_config.modem.log = [](std::string_view line) { log::info("modem", line); };
    pool_config.log = [](std::string_view line) { log::info("pool", line); };
    pool_config.modem.lte_sms_fallback = config.lte_sms_fallback;
    pool_config.limits = {config.sim_limits.per_minute, config.sim_limits.per_hour,
                          config.sim_limits.per_day};
    for (const auto& [iccid, sim] : config.sims) {
        if (sim.limits) {
            pool_config.sim_limits[iccid] = {sim.limits->per_minute, sim.limits->per_hour,
                                             sim.limits->per_day};
        }
    }
    modem::ModemPool pool(io.get_executor(), pool_config, outbox, inbox);
    outbox.wake = [&pool] { pool.wake(); };
    messaging::Alerts& alerts = messaging_core.alerts();
    alerts.own_numbers = [&pool] {
        std::vector<std::string> own;
        for (const auto& s : pool.status()) own.push_back(s.own_number);
        return own;
    };

    // Carrier blocking: failed-send streaks and carriers' suspension notices pause a SIM (it
    // still receives); the pause is durable and lifted by an admin on the modem page.
    messaging::BlockRule block_rule;
    block_rule.failures = config.carrier_blocking.failures;
    block_rule.window = std::chrono::minutes(config.carrier_blocking.window_minutes);
    messaging::CarrierWatch carrier(db, clock, block_rule);
    carrier.apply = [&pool](const std::string& iccid, bool paused) { pool.set_sim_paused(iccid, paused); };
    if (auto n = carrier.load(); !n) {
        log::error("carrier", "cannot read paused SIMs: " + n.error().detail);
    } else if (*n > 0) {
        log::warn("carrier", std::to_string(*n) + " SIM(s) paused (carrier blocking) until an admin resumes them");
    }
    pool.on_send_report = [&carrier](const modem::SendReport& r) {
        carrier.send_result(r.iccid, r.ok, r.cms_error, r.lte_refusal, r.detail);
    };
    pool.on_lte_remedy = [&db, &clock](const std::string& port, const std::string& iccid, const modem::LteRemedy& r) {
        const std::string what = r.commands + " -> " + (r.technology.empty() ? "?" : r.technology) +
                                 (r.sent ? ", sent" : ", not sent") + (r.error.empty() ? "" : ": " + r.error);
        log::warn("modem", "[modem " + port + "] LTE refused SMS, vendor remedy applied: " + what);
        if (auto a = store::audit(db, "system", "modem.lte_fallback", (iccid.empty() ? port : iccid) + ": " + what,
                                  clock.unix_now());
            !a) {
            log::error("store", "audit of the LTE remedy failed: " + a.error().detail);
        }
    };

    CoreApiImpl core_api(io, db, clock, messaging_core, pool, config);
    core_api.carrier = &carrier;
    core_api.settings_changed();  // SIM limits set in the panel before this start

    // Field checks: the SIM-to-SIM self-test, SIM credit, carriers' service numbers. Their
    // messages never reach the villagers' inbox (the inbox asks `system_kind` first).
    messaging::FieldChecks field(db, clock, outbox, field_options(config));
    inbox.system_kind = [&field](const store::NewIncoming& m) { return field.system_kind(m); };
    // A carrier's suspension notice comes from a service number: a system message.
    inbox.on_system_message = [&field, &carrier](std::int64_t id, const store::NewIncoming& m) {
        field.system_message(id, m);
        carrier.incoming(m.iccid, m.peer, m.text);
    };
    core_api.set_field(field);

    http::ServerConfig server_config;
    server_config.host = config.listen_host;
    server_config.port = config.listen_port;
    server_config.db_path = db_path;
    server_config.threads = config.http_threads;
    server_config.max_sse = config.max_sse;
    server_config.utc_offset_minutes = config.utc_offset_minutes;
    server_config.limits = config.http_limits;
    server_config.alerts = alerts_view(config.alerts);
    if (config.web_root) server_config.web_root = config.web_root->string();
    if (const char* root = std::getenv("CUNXIN_WEB_ROOT"); root != nullptr && *root != '\0') {
        server_config.web_root = root;
    }
    if (config.https) {
        http::HttpsConfig https;
        https.host = config.https->listen_host;
        https.port = config.https->listen_port;
        https.cert = config.https->cert.value_or(config.data_dir / "tls" / "cert.pem");
        https.key = config.https->key.value_or(config.data_dir / "tls" / "key.pem");
        https.redirect_http = config.https->redirect_http;
        server_config.https = https;
    }
    http::CoreHooks core_hooks;
    // HTTP reads through its own connections right after the core ran its write: such writes
    // commit at once (flushed with the next flush), not at the end of the turn.
    core_hooks.post = [&io, &group](std::function<void()> task) {
        asio::post(io, [&group, task = std::move(task)] { (*group)->run_unbatched(task); });
    };
    core_hooks.when_durable = [&db](std::function<void(bool)> done) { db.when_durable(std::move(done)); };
    core_hooks.core = &core_api;
    core_hooks.support_bundle = [&io, &pool, &config]() -> std::string {
        // The live parts are read on the core thread; everything else here, on the HTTP thread.
        auto promise = std::make_shared<std::promise<DoctorLive>>();
        auto future = promise->get_future();
        asio::post(io, [&pool, promise] { promise->set_value(live_parts(pool)); });
        DoctorLive live;
        if (future.wait_for(std::chrono::seconds(3)) == std::future_status::ready) live = future.get();
        live.recent_problems = log::recent_problems();
        return support_bundle(config, config.config_file, &live).dump(2) + "\n";
    };
    http::Server server(server_config, core_hooks);
    server.start();
    log::info("http", "panel and API on http://" + config.listen_host + ":" +
                          std::to_string(server.port()) + "/" +
                          (config.https && config.https->redirect_http ? " (redirects to HTTPS)" : ""));
    if (config.https) {
        const auto& cert = server.certificate();
        log::info("http", "panel and API on https://" + config.https->listen_host + ":" +
                              std::to_string(server.https_port()) + "/");
        // An official compares this with what the browser shows before accepting the certificate.
        log::warn("http", std::string(cert.generated ? "generated a new" : "using the") +
                              " HTTPS certificate " + server_config.https->cert.string() +
                              ", SHA-256 fingerprint " + cert.sha256_fingerprint);
    }
    if (const auto code = server.setup_code(); !code.empty()) {
        // Printed on the console and in the journal: whoever has the box's console creates
        // the first admin account. There is no default password.
        std::fprintf(stdout, "setup code: %s\n", code.c_str());
        std::fflush(stdout);
        log::warn("setup", "no admin account yet: open the panel and enter the setup code " + code);
    }
    if (!hooks.banner.empty()) {
        std::fprintf(stdout, "%s\n", hooks.banner.c_str());
        std::fflush(stdout);
    }

    carrier.on_sim_paused = [&server, &db, &clock, &alerts](const std::string& iccid, const std::string& reason) {
        log::warn("carrier", "SIM " + iccid + " paused: " + reason);
        alerts.sim_blocked(iccid, reason);
        (void)store::audit(db, "system", "sim.paused", iccid + ": " + reason, clock.unix_now());
        server.events().publish("modem.updated", nlohmann::json{{"iccid", iccid}, {"paused", true}}.dump());
    };
    // The county link (optional): notices from the hub become campaigns here; replies,
    // progress, daily reports and health go back through the broker, kept in SQLite meanwhile.
    std::unique_ptr<federation::BoxLink> box_link;
    if (config.federation && !config.federation->box_id.empty()) {
        const auto& f = *config.federation;
        federation::BoxOptions bo;
        bo.broker = f.broker;
        bo.box_id = f.box_id;
        bo.username = f.username;
        bo.password = f.password;
        bo.ca = f.ca;
        bo.outbox_max = f.outbox_max;
        bo.health_every_s = f.health_every_s;
        box_link = std::make_unique<federation::BoxLink>(
            bo, db, clock, messaging_core.campaigns(),
            [&io](std::function<void()> task) { asio::post(io, std::move(task)); });
        box_link->health = [&core_api, &db]() {
            const auto mods = core_api.modems();
            int ready = 0, queue = 0;
            std::string last_error;
            nlohmann::json balance = nlohmann::json::object();
            for (const auto& m : mods) {
                ready += m.ready ? 1 : 0;
                queue += m.queue;
                if (last_error.empty() && !m.last_error.empty()) last_error = m.last_error;
                if (!m.iccid.empty()) balance[m.iccid] = nullptr;  // null until a reading exists
            }
            // Each SIM's last credit reading (yuan) and last self-test, as the box's panel shows them.
            if (auto rows = store::latest_balances(db)) {
                for (const auto& b : *rows) {
                    if (b.fen) balance[b.iccid] = static_cast<double>(*b.fen) / 100.0;
                }
            }
            nlohmann::json selftest = nlohmann::json::array();
            if (auto rows = store::latest_selftests(db)) {
                for (const auto& t : *rows) {
                    if (!t.ok) continue;  // a round still running
                    std::optional<double> seconds;
                    if (t.received_ms) seconds = static_cast<double>(*t.received_ms - t.started_ms) / 1000.0;
                    selftest.push_back({{"iccid", t.iccid},
                                        {"ok", *t.ok},
                                        {"at", t.finished_at ? *t.finished_at : t.started_ms / 1000},
                                        {"seconds", seconds ? nlohmann::json(*seconds) : nlohmann::json()}});
                }
            }
            return nlohmann::json{{"modems", mods.size()}, {"modems_ready", ready}, {"queue", queue},
                                  {"selftest", selftest}, {"balance", balance},
                                  {"last_error", last_error.empty() ? nlohmann::json() : nlohmann::json(last_error)}}
                .dump();
        };
        if (auto r = box_link->start(); !r) throw std::runtime_error(r.error());
        log::info("federation", "box " + f.box_id + " reports to the county broker " + f.broker);
    }

    inbox.on_new_message = [&server, &carrier, &box_link](const store::Message& m) {
        carrier.incoming(m.iccid, m.peer, m.text);
        if (box_link) box_link->on_incoming(m);
        // An anonymous message's sender never goes out in a live event (the store does not even
        // read it back; null keeps the field's meaning plain).
        nlohmann::json j = {{"id", m.id},
                            {"peer", m.anonymous ? nlohmann::json() : nlohmann::json(m.peer)},
                            {"category", m.category ? nlohmann::json(*m.category) : nlohmann::json()},
                            {"anonymous", m.anonymous}};
        server.events().publish("message", j.dump());
    };
    inbox.on_missed_call = [&server](std::int64_t id) {
        server.events().publish("call", nlohmann::json{{"id", id}}.dump());
    };
    core_api.publish = [&server](const std::string& event, const std::string& json) {
        server.events().publish(event, json);
    };
    alerts.on_alert = [&server](std::int64_t id) {
        server.events().publish("alert", nlohmann::json{{"id", id}}.dump());
    };
    // Open panels refresh the modem page when a self-test result or a credit reading arrives.
    // A failed self-test and low credit also text the officials on duty.
    field.on_result = [&server, &alerts](const messaging::SelftestResult& r) {
        server.events().publish("selftest", nlohmann::json{{"iccid", r.iccid}, {"ok", r.ok}}.dump());
        if (!r.ok) alerts.selftest_failed(r.iccid, r.detail);
    };
    // The daily digest names each SIM's last credit reading (last four digits of the ICCID).
    alerts.digest_extra = [&db]() {
        std::vector<std::string> lines;
        auto rows = store::latest_balances(db);
        if (!rows) return lines;
        for (const auto& b : *rows) {
            if (!b.fen) continue;
            const std::string tail = b.iccid.size() > 4 ? b.iccid.substr(b.iccid.size() - 4) : b.iccid;
            char yuan[32];
            std::snprintf(yuan, sizeof yuan, "%.2f", static_cast<double>(*b.fen) / 100.0);
            lines.push_back("卡" + tail + "话费" + yuan + "元");
        }
        return lines;
    };
    field.on_low_credit = [&alerts](const messaging::LowCredit& c) {
        alerts.low_credit(c.iccid, static_cast<double>(c.fen) / 100.0, static_cast<double>(c.threshold_fen) / 100.0);
    };
    field.on_balance = [&server](const std::string& iccid) {
        server.events().publish("balance", nlohmann::json{{"iccid", iccid}}.dump());
    };

    for (const auto& port : config.modems) pool.add_port(port);
    if (config.modems.empty()) {
        log::info("pool", "no --modem given: discovering USB modems");
        pool.start_discovery();
    }

    // Core-thread timers.
    Ticker due(io, 1s, [&] { outbox.poll(); });
    // Scheduled campaigns, reminders, anniversary greetings, incomplete multipart messages.
    Ticker expire(io, 10s, [&] {
        auto r = messaging_core.tick();
        if (!r) {
            log::error("messaging", "periodic work failed: " + r.error().detail);
        } else if (r->campaign_messages + r->greetings + r->incomplete > 0) {
            log::info("messaging", std::to_string(r->campaign_messages) + " campaign message(s), " +
                                       std::to_string(r->greetings) + " greeting(s) queued, " +
                                       std::to_string(r->incomplete) + " incomplete message(s)");
        }
    });
    // Live events: modem states, and campaign progress at most once a second per campaign.
    Ticker progress(io, 1s, [&] {
        core_api.tick();
        if (box_link) box_link->tick();
        server.publish_campaign_progress(db);
    });
    SystemdNotifier notifier = SystemdNotifier::from_env();
    std::optional<Ticker> watchdog;
    if (const auto period = notifier.keepalive_period()) {
        // Sent from the core loop: a stuck loop stops the keep-alives and systemd restarts us.
        watchdog.emplace(io, std::chrono::duration_cast<std::chrono::milliseconds>(*period),
                         [&notifier] { notifier.watchdog(); });
    }
#ifdef CUNXIN_FAULT_HOOKS
    // Test daemon only (cunxin-fault-test, tests/unit/board/daemon_watchdog.cpp): the core loop
    // really blocks after CUNXIN_FAULT_HANG_CORE_AFTER_MS. The `cunxin` binary has no such hook.
    asio::steady_timer fault_hang(io);
    if (const auto after = parse_fault_hang_after(std::getenv("CUNXIN_FAULT_HANG_CORE_AFTER_MS"))) {
        log::warn("app", "fault injection: the core loop will hang in " + std::to_string(after->count()) +
                             " ms (CUNXIN_FAULT_HANG_CORE_AFTER_MS)");
        fault_hang.expires_after(*after);
        fault_hang.async_wait([](const boost::system::error_code& ec) {
            if (ec) return;
            log::warn("app", "fault injection: core loop hangs now");
            hang_forever();
        });
    }
#endif
    // SD-card wear: every wal_checkpoint_s (10 minutes) with nothing on air, fold the WAL into
    // the database file and truncate it (board/README.md, "SD-card care").
    Ticker checkpoint(io, std::chrono::seconds(config.wal_checkpoint_s), [&] {
        if (outbox.in_flight() > 0) return;
        // On the group commit's checkpoint thread and connection (a PASSIVE pass, then TRUNCATE).
        (*group)->checkpoint_truncate();
    });
    // Alerts from the box's own health: a modem out of service, SIM storage or the disk nearly full.
    Ticker health(io, 5s, [&] {
        for (const auto& s : pool.status()) {
            alerts.observe_modem(s.port, s.iccid, s.state, s.storage ? s.storage->used : 0,
                                 s.storage ? s.storage->total : 0);
        }
        std::error_code ec;
        const auto space = std::filesystem::space(config.data_dir, ec);
        if (!ec) alerts.observe_disk(space.available, space.capacity);
    });
    // Self-test timeouts and the daily self-test and credit queries.
    Ticker field_tick(io, 5s, [&] {
        field.tick(core_api.field_sims(), [&core_api](const messaging::FieldSim& sim, const messaging::BalanceQuery& q) {
            core_api.ussd_balance(sim.iccid, q.ussd, nullptr);
        });
    });
    Ticker status(io, 10s, [&] {
        notifier.status(std::to_string(pool.ready_count()) + " modem(s) ready, " +
                        std::to_string(outbox.in_flight()) + " segment(s) on air");
    });

    asio::signal_set signals(io, SIGINT, SIGTERM);
    bool stopping = false;
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        stopping = true;
        log::info("app", std::string("signal ") + (sig == SIGTERM ? "TERM" : "INT") +
                             ": finishing in-flight AT commands and stopping");
        notifier.stopping();
        due.cancel();
        expire.cancel();
        progress.cancel();
        status.cancel();
        health.cancel();
        if (watchdog) watchdog->cancel();
        checkpoint.cancel();
        field_tick.cancel();
        if (box_link) box_link->stop();
        pool.stop();
        // Give in-flight commands a moment to finish, then leave the loop.
        auto grace = std::make_shared<asio::steady_timer>(io, 3s);
        grace->async_wait([&io, grace](const boost::system::error_code&) { io.stop(); });
        auto poll = std::make_shared<std::function<void()>>();
        auto check = std::make_shared<asio::steady_timer>(io);
        // The function holds itself weakly (a strong self-capture is a cycle that never frees);
        // each pending wait holds it strongly.
        *poll = [&, check, weak = std::weak_ptr<std::function<void()>>(poll)] {
            if (outbox.in_flight() == 0) {
                io.stop();
                return;
            }
            check->expires_after(50ms);
            check->async_wait([self = weak.lock()](const boost::system::error_code& e) {
                if (!e && self) (*self)();
            });
        };
        (*poll)();
    });

    if (hooks.started) asio::post(io, hooks.started);
    notifier.ready();
    log::info("app", "cunxin running");
    io.run();

    server.stop();
    // What the last turns wrote is committed and flushed before the process ends.
    if (auto r = (*group)->close(); !r) log::error("store", "last commit at shutdown: " + r.error().detail);
    {
        const auto st = (*group)->stats();
        using std::chrono::duration_cast;
        using std::chrono::microseconds;
        log::info("store", "group commit: " + std::to_string(st.batches) + " transactions (" +
                               std::to_string(st.failed_batches) + " failed), " + std::to_string(st.flushes) +
                               " flushes, " + std::to_string(st.checkpoints) + " checkpoints; core thread in SQL " +
                               std::to_string(duration_cast<microseconds>(st.sql_time).count()) + " us over " +
                               std::to_string(st.statements) + " statements");
    }
    log::info("app", stopping ? "stopped" : "core loop ended");
    return 0;
}

}  // namespace cunxin::app
