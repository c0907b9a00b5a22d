// SPDX-License-Identifier: Apache-2.0
#include "core_api.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <cunxin/log.hpp>
#include <cunxin/messaging/carrier.hpp>
#include <cunxin/messaging/clock.hpp>
#include <cunxin/messaging/field.hpp>
#include <cunxin/messaging/outbox.hpp>
#include <cunxin/messaging/scheduler.hpp>
#include <cunxin/messaging/phone.hpp>
#include <cunxin/modem/pool.hpp>
#include <cunxin/store/auth.hpp>
#include <cunxin/store/contacts.hpp>
#include <cunxin/store/database.hpp>

namespace cunxin::app {

namespace {

http::CoreError core_error(std::string code, std::string message) {
    return http::CoreError{std::move(code), std::move(message)};
}

// A modem state as the API and the live events name it: "out-of-service" -> "out_of_service".
std::string api_state(std::string s) {
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

}  // namespace


CoreApiImpl::CoreApiImpl(asio::io_context& io, store::Database& db, messaging::Clock& clock,
                         messaging::MessagingCore& messaging, modem::ModemPool& pool,
                         const Config& config)
    : io_(io), db_(db), clock_(clock), messaging_(messaging), pool_(pool), config_(config), commands_(db, clock) {
    commands_.settings_changed = [this] { settings_changed(); };
}

std::int64_t CoreApiImpl::unix_now() const { return clock_.unix_now(); }

int CoreApiImpl::modems_ready() { return pool_.ready_count(); }

std::vector<http::ModemInfo> CoreApiImpl::modems() {
    std::vector<http::ModemInfo> out;
    for (const auto& s : pool_.status()) {
        http::ModemInfo m;
        m.id = s.imei.empty() ? s.port : s.imei;
        m.port = s.port;
        m.state = api_state(s.state);
        m.ready = s.state == "ready";
        m.manufacturer = s.manufacturer;
        m.model = s.model;
        m.imei = s.imei;
        m.imsi = s.imsi;
        m.iccid = s.iccid;
        m.operator_name = s.operator_name;
        m.own_number = s.own_number;
        m.registered = s.registered;
        m.signal_dbm = s.signal_dbm;
        m.queue = s.sending ? 1 : 0;
        m.sent_today = s.sent_today;
        m.limit_per_day = s.limits.per_day;
        m.limit_per_minute = s.limits.per_minute;
        m.limit_per_hour = s.limits.per_hour;
        if (s.storage) {
            m.storage = s.storage->mem;
            m.storage_used = s.storage->used;
            m.storage_total = s.storage->total;
        }
        m.last_error = s.last_error;
        m.access_technology = s.access_technology;
        m.ims = s.ims;
        m.paused = s.paused;
        m.sms_refused_on_lte = s.sms_refused_on_lte;
        if (s.lte_remedy) {
            const auto& r = *s.lte_remedy;
            m.lte_remedy = http::ModemInfo::LteRemedy{
                std::chrono::duration_cast<std::chrono::seconds>(r.at.time_since_epoch()).count(), r.commands, r.moved,
                r.technology, r.sent, r.error};
        }
        out.push_back(std::move(m));
    }
    return out;
}

http::CoreResult<http::SendResult> CoreApiImpl::send(const http::SendRequest& request) {
    if (request.to.empty()) return unexpected(core_error("invalid", "no recipient"));
    http::SendResult result;
    std::vector<std::string> numbers;
    for (const auto& raw : request.to) {
        auto n = messaging::normalize_msisdn(raw);
        if (!n) {
            result.rejected.emplace_back(raw, n.error().detail);
            continue;
        }
        numbers.push_back(*n);
    }
    if (numbers.empty()) return result;
    messaging::SendOptions options;
    options.created_by = request.actor;
    auto ids = messaging_.outbox().enqueue(numbers, request.text, options);
    if (!ids) {
        log::error("outbox", "enqueue failed: " + ids.error().detail);
        return unexpected(core_error("unavailable", "the message could not be stored"));
    }
    result.ids = *ids;
    return result;
}

static http::CoreError from(const messaging::Error& e) {
    switch (e.code) {
        case messaging::Errc::invalid_argument: return core_error("invalid", e.detail);
        case messaging::Errc::not_found: return core_error("not_found", e.detail);
        case messaging::Errc::bad_state: return core_error("conflict", e.detail);
        case messaging::Errc::conflict: return core_error("conflict", e.detail);
        case messaging::Errc::store: break;
    }
    log::error("messaging", e.detail);
    return core_error("unavailable", "the store is not available");
}

http::CoreResult<std::int64_t> CoreApiImpl::create_campaign(const http::CampaignRequest& request) {
    messaging::CampaignSpec spec;
    spec.name = request.name;
    spec.template_text = request.template_text;
    spec.targets.group_ids = request.group_ids;
    spec.targets.villages = request.villages;
    spec.targets.tags = request.tags;
    spec.targets.contact_ids = request.contact_ids;
    spec.targets.roles = request.roles;
    for (const auto& raw : request.mobiles) {
        auto n = messaging::normalize_msisdn(raw);
        if (!n) return unexpected(core_error("invalid", raw + ": " + n.error().detail));
        spec.targets.mobiles.push_back(*n);
    }
    spec.send_at = request.scheduled_at;
    spec.confirm_request = request.confirm_request;
    spec.missed_call_confirms = request.missed_call_confirms;
    if (request.confirm_request) spec.remind_after = request.remind_after_seconds;
    spec.created_by = request.actor;
    auto& campaigns = messaging_.campaigns();
    auto id = campaigns.create(spec);
    if (!id) return unexpected(from(id.error()));
    if (request.start_now || request.scheduled_at) {
        if (auto r = campaigns.start(*id); !r) return unexpected(from(r.error()));
    }
    return *id;
}

http::CoreResult<void> CoreApiImpl::campaign_action(std::int64_t id, http::CampaignAction action,
                                                    const std::string& actor) {
    auto& campaigns = messaging_.campaigns();
    // The HTTP layer writes the audit line (with the client's address): one line per action.
    (void)actor;
    messaging::Result<void> r;
    switch (action) {
        case http::CampaignAction::launch: r = campaigns.start(id); break;
        case http::CampaignAction::pause: r = campaigns.pause(id); break;
        case http::CampaignAction::resume: r = campaigns.resume(id); break;
        case http::CampaignAction::cancel: r = campaigns.cancel(id); break;
    }
    if (!r) return unexpected(from(r.error()));
    return {};
}

http::CoreResult<std::int64_t> CoreApiImpl::reply(std::int64_t message_id, const std::string& text,
                                                   const std::string& actor) {
    auto id = messaging_.outbox().reply(message_id, text, actor);
    if (!id) return unexpected(from(id.error()));
    return *id;
}

http::CoreResult<int> CoreApiImpl::decide_uncertain(std::int64_t message_id, bool resend) {
    auto r = resend ? messaging_.outbox().resend_uncertain(message_id) : messaging_.outbox().mark_uncertain_failed(message_id);
    if (!r) return unexpected(core_error("not_found", r.error().detail));
    return *r;
}

http::CoreResult<void> CoreApiImpl::restart_modem(const std::string& id) {
    if (!pool_.restart(id)) return unexpected(core_error("not_found", "no such modem"));
    return {};
}

void CoreApiImpl::ussd(const std::string& id, const std::string& code,
                       std::function<void(http::CoreResult<std::string>)> done) {
    asio::co_spawn(
        io_,
        [this, id, code, done]() -> asio::awaitable<void> {
            auto r = co_await pool_.ussd(id, code);
            if (r) {
                done(*r);
            } else {
                done(unexpected(core_error("unavailable", r.error().detail)));
            }
        },
        asio::detached);
}

std::vector<messaging::FieldSim> CoreApiImpl::field_sims() const {
    std::vector<messaging::FieldSim> out;
    for (const auto& s : pool_.status()) {
        if (s.iccid.empty()) continue;
        out.push_back(messaging::FieldSim{s.iccid, s.operator_name, s.own_number, s.state == "ready"});
    }
    return out;
}

http::CoreResult<std::int64_t> CoreApiImpl::start_selftest(const std::string& actor) {
    if (field_ == nullptr) return unexpected(core_error("unavailable", "self-test is not available"));
    auto round = field_->start_selftest(field_sims());
    if (!round) {
        if (round.error().code == messaging::Errc::bad_state) return unexpected(core_error("conflict", "自检正在进行"));
        if (round.error().code == messaging::Errc::invalid_argument) {
            return unexpected(core_error("invalid", "没有可自检的SIM卡"));
        }
        return unexpected(from(round.error()));
    }
    log::info("field", "self-test round " + std::to_string(*round) + " started by " + actor);
    return *round;
}

void CoreApiImpl::ussd_balance(const std::string& iccid, const std::string& code,
                               std::function<void(http::CoreResult<http::BalanceQueryResult>)> done) {
    std::string id;
    for (const auto& s : pool_.status()) {
        if (s.iccid == iccid) id = s.imei.empty() ? s.port : s.imei;
    }
    if (id.empty() || field_ == nullptr) {
        if (done) done(unexpected(core_error("not_found", "no such modem")));
        return;
    }
    asio::co_spawn(
        io_,
        [this, id, iccid, code, done]() -> asio::awaitable<void> {
            auto r = co_await pool_.ussd(id, code);
            if (!r) {
                log::warn("field", "[sim " + iccid + "] USSD balance query failed: " + r.error().detail);
                if (done) done(unexpected(core_error("unavailable", r.error().detail)));
                co_return;
            }
            auto fen = field_->record_balance(iccid, *r, "ussd", std::nullopt);
            if (!fen) {
                if (done) done(unexpected(from(fen.error())));
                co_return;
            }
            if (done) done(http::BalanceQueryResult{iccid, "ussd", code, "", *r, *fen});
        },
        asio::detached);
}

void CoreApiImpl::query_balance(const std::string& id,
                                std::function<void(http::CoreResult<http::BalanceQueryResult>)> done) {
    if (field_ == nullptr) return done(unexpected(core_error("unavailable", "balance queries are not available")));
    std::optional<messaging::FieldSim> sim;
    for (const auto& s : pool_.status()) {
        if ((s.imei.empty() ? s.port : s.imei) == id || s.port == id || (!s.iccid.empty() && s.iccid == id)) {
            sim = messaging::FieldSim{s.iccid, s.operator_name, s.own_number, s.state == "ready"};
        }
    }
    if (!sim) return done(unexpected(core_error("not_found", "no such modem")));
    if (sim->iccid.empty()) return done(unexpected(core_error("conflict", "SIM卡尚未识别")));
    auto q = field_->balance_query(*sim);
    if (!q) return done(unexpected(core_error("invalid", "不知道这张SIM卡的运营商：请在配置 balance 中填写查询号码和指令")));
    if (!q->ussd.empty()) return ussd_balance(sim->iccid, q->ussd, std::move(done));
    auto mid = field_->query_balance_sms(*sim, *q);
    if (!mid) return done(unexpected(from(mid.error())));
    done(http::BalanceQueryResult{sim->iccid, "sms", q->number, q->keyword, "", std::nullopt});
}

namespace {

// The configured limits of a SIM: its ICCID's override in the config file, else the default.
SimLimits configured_limits(const Config& config, const std::string& iccid) {
    if (auto it = config.sims.find(iccid); it != config.sims.end() && it->second.limits) return *it->second.limits;
    return config.sim_limits;
}

// Each limit set in the panel replaces the configured one; a limit never set keeps it (NULL in
// the store), so saving one field never lifts the others (0 = no limit only when chosen).
SimLimits in_force(const Config& config, const store::Sim& sim) {
    SimLimits l = configured_limits(config, sim.iccid);
    if (sim.limit_per_minute) l.per_minute = *sim.limit_per_minute;
    if (sim.limit_per_hour) l.per_hour = *sim.limit_per_hour;
    if (sim.limit_per_day) l.per_day = *sim.limit_per_day;
    return l;
}

}  // namespace

http::CoreResult<void> CoreApiImpl::resume_sim(const std::string& iccid, const std::string& actor) {
    if (carrier == nullptr) return unexpected(core_error("unavailable", "carrier watch not running"));
    auto r = carrier->resume(iccid);
    if (!r) return unexpected(core_error("unavailable", "cannot resume the SIM: " + r.error().detail));
    if (!*r) return unexpected(core_error("not_found", "该 SIM 卡未暂停发送"));
    log::warn("carrier", "SIM " + iccid + " resumed by " + actor);
    return {};
}

void CoreApiImpl::settings_changed() {
    // The panel's LTE fallback switch overrides the config file's "lte_sms_fallback".
    if (auto v = store::get_setting(db_, "lte_sms_fallback"); v && v->has_value()) {
        pool_.set_lte_sms_fallback(**v == "1");
    }
    auto sims = store::list_sims(db_);
    if (!sims) {
        log::error("core", "cannot read SIM settings: " + sims.error().detail);
        return;
    }
    for (const auto& sim : *sims) {
        const auto l = in_force(config_, sim);
        pool_.set_sim_limits(sim.iccid, {l.per_minute, l.per_hour, l.per_day});
    }
}

std::optional<http::SimLimitsInForce> CoreApiImpl::sim_limits(const std::string& iccid) {
    auto sim = store::get_sim(db_, iccid);
    if (!sim || !sim->has_value()) return std::nullopt;
    const auto l = in_force(config_, **sim);
    const auto d = configured_limits(config_, iccid);
    return http::SimLimitsInForce{l.per_minute, l.per_hour, l.per_day, d.per_minute, d.per_hour, d.per_day};
}

void CoreApiImpl::tick() {
    if (!publish) return;
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : pool_.status()) {
        arr.push_back({{"id", s.imei.empty() ? s.port : s.imei},
                       {"state", api_state(s.state)},
                       {"signal_dbm", s.signal_dbm ? nlohmann::json(*s.signal_dbm) : nlohmann::json()},
                       {"sent_today", s.sent_today}});
    }
    auto text = arr.dump();
    if (text != last_modems_) {
        last_modems_ = text;
        publish("modems", text);
    }
}

}  // namespace cunxin::app
