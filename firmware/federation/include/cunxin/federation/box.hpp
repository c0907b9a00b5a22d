// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The box side of the county link (core thread): executes hub commands once per id (a notice
/// becomes a campaign over the box's own contacts), and keeps the events it owes the hub
/// (progress, replies, daily reports, health) in SQLite until the broker acknowledges them.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "cunxin/federation/mqtt.hpp"

namespace cunxin::store {
class Database;
struct Message;
}  // namespace cunxin::store

namespace cunxin::messaging {
class Clock;
class Campaigns;
}  // namespace cunxin::messaging

namespace cunxin::federation {

/// The `federation` section of a box's config.
struct BoxOptions {
    std::string broker;            ///< mqtt://HOST:PORT or mqtts://HOST:PORT
    std::string box_id;            ///< [a-z0-9-]{1,32}; also the client id
    std::string username;          ///< default: the box id
    std::string password;
    std::string ca;                ///< county CA (PEM) for mqtts
    int outbox_max = 10000;        ///< events kept while the link is down; older replies fold into summaries
    int health_every_s = 60;       ///< health event period
    int progress_every_s = 2;      ///< progress events at most this often per notice
};

/// The box's county link. Construct on the core thread, then start().
class BoxLink {
public:
    BoxLink(BoxOptions options, store::Database& db, messaging::Clock& clock, messaging::Campaigns& campaigns,
            Post post);
    ~BoxLink();
    BoxLink(const BoxLink&) = delete;
    BoxLink& operator=(const BoxLink&) = delete;

    /// Connects (retried for ever); a start-up failure (bad options) as text.
    cunxin::Expected<void, std::string> start();
    /// Says "offline" and disconnects.
    void stop();
    /// An incoming message was stored: it goes to the hub as a reply (anonymous: no number,
    /// no village).
    void on_incoming(const store::Message& m);
    /// Periodic work (call about once a second): progress, health, daily report, sending.
    void tick();
    /// JSON object text of the box's health (modems, modems_ready, queue, selftest, balance,
    /// last_error); set by the app.
    std::function<std::string()> health;
    /// Events waiting for the broker (tests, doctor).
    std::int64_t pending() const;
    /// Connected to the broker.
    bool connected() const;

private:
    void execute(const std::string& payload);
    void enqueue(const std::string& type, const std::string& key, const std::string& body_json,
                 const std::string& village = {}, const std::string& category = {});
    void enforce_bound();
    void pump();
    void emit_progress(bool force);
    void emit_report();

    BoxOptions options_;
    store::Database& db_;
    messaging::Clock& clock_;
    messaging::Campaigns& campaigns_;
    std::unique_ptr<MqttClient> mqtt_;
    std::map<int, std::int64_t> inflight_;      ///< message id → seq
    std::int64_t published_up_to_ = 0;          ///< highest seq handed to the broker on this connection
    std::map<std::string, std::string> last_progress_;  ///< notice → last progress body sent
    std::int64_t last_progress_at_ = 0;
    std::int64_t last_ack_at_ = 0;              ///< last PUBACK (or publish into an empty window)
    std::int64_t last_health_at_ = 0;
    std::string last_report_day_;
};

}  // namespace cunxin::federation
