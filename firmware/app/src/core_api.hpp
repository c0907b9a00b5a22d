// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The HTTP layer's view of the core (http::CoreApi) over the outbox and the modem pool.
/// Every member runs on the core thread.

#include <functional>
#include <string>

#include <cunxin/asio.hpp>
#include <cunxin/http/core_api.hpp>
#include <cunxin/messaging/commands.hpp>

#include "config.hpp"

namespace cunxin::store {
class Database;
}
namespace cunxin::messaging {
class Clock;
class FieldChecks;
struct FieldSim;
class MessagingCore;
class CarrierWatch;
}  // namespace cunxin::messaging
namespace cunxin::modem {
class ModemPool;
}

namespace cunxin::app {

/// http::CoreApi over the appliance's objects.
class CoreApiImpl final : public http::CoreApi {
public:
    CoreApiImpl(asio::io_context& io, store::Database& db, messaging::Clock& clock,
                messaging::MessagingCore& messaging, modem::ModemPool& pool, const Config& config);

    /// Publishes a live event to open panels (set by the wiring; any thread).
    std::function<void(const std::string& event, const std::string& json)> publish;
    /// Paused SIMs (carrier blocking); set by the wiring.
    messaging::CarrierWatch* carrier = nullptr;
    /// Periodic work: modem state changes become live events.
    void tick();

    int modems_ready() override;
    std::vector<http::ModemInfo> modems() override;
    http::CoreResult<http::SendResult> send(const http::SendRequest& request) override;
    http::CoreResult<std::int64_t> create_campaign(const http::CampaignRequest& request) override;
    http::CoreResult<void> campaign_action(std::int64_t id, http::CampaignAction action,
                                           const std::string& actor) override;
    http::CoreResult<int> decide_uncertain(std::int64_t message_id, bool resend) override;
    http::CoreResult<std::int64_t> reply(std::int64_t message_id, const std::string& text,
                                         const std::string& actor) override;
    http::CoreResult<void> restart_modem(const std::string& id) override;
    void ussd(const std::string& id, const std::string& code,
              std::function<void(http::CoreResult<std::string>)> done) override;
    void settings_changed() override;
    std::optional<http::SimLimitsInForce> sim_limits(const std::string& iccid) override;
    http::CoreResult<void> resume_sim(const std::string& iccid, const std::string& actor) override;
    http::CoreResult<std::int64_t> start_selftest(const std::string& actor) override;
    void query_balance(const std::string& id,
                       std::function<void(http::CoreResult<http::BalanceQueryResult>)> done) override;

    /// The field checks (self-test, credit) the API drives; set once by the wiring.
    void set_field(messaging::FieldChecks& field) { field_ = &field; }
    /// Every SIM in the pool as the field checks see it.
    std::vector<messaging::FieldSim> field_sims() const;
    /// Asks `iccid`'s credit by USSD `code` and records the answer; `done` may be empty.
    void ussd_balance(const std::string& iccid, const std::string& code,
                      std::function<void(http::CoreResult<http::BalanceQueryResult>)> done);
    messaging::Commands& commands() override { return commands_; }
    std::int64_t unix_now() const override;

private:
    asio::io_context& io_;
    store::Database& db_;
    messaging::Clock& clock_;
    messaging::MessagingCore& messaging_;
    modem::ModemPool& pool_;
    const Config& config_;
    messaging::FieldChecks* field_ = nullptr;
    std::string last_modems_;
    messaging::Commands commands_;
};

}  // namespace cunxin::app
