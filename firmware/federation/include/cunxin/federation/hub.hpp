// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The county hub (core thread): counts box events once per id, keeps each box's last_seen
/// and health, publishes notices to boxes and republishes those a box has not answered when it
/// comes online.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cunxin/federation/mqtt.hpp"

namespace cunxin::store {
class Database;
}  // namespace cunxin::store

namespace cunxin::messaging {
class Clock;
}  // namespace cunxin::messaging

namespace cunxin::federation {

/// The hub's broker settings (the `federation` section of its config).
struct HubOptions {
    std::string broker;              ///< mqtt://HOST:PORT or mqtts://HOST:PORT
    std::string username = "hub";
    std::string password;
    std::string ca;
};

/// A notice as the county writes it.
struct NoticeRequest {
    std::vector<std::string> boxes;  ///< box ids; empty with `all`: every known box
    bool all = false;
    std::string text;                ///< template: {name} {village}
    std::vector<std::string> roles;
    std::vector<std::string> villages;
    std::string actor;
};

/// Why a notice was refused (shown to the clerk).
struct HubError {
    std::string code;     ///< "invalid", "not_found", "unavailable"
    std::string message;  ///< Chinese text
};

/// The hub's side of the county link.
class Hub {
public:
    Hub(HubOptions options, store::Database& db, messaging::Clock& clock, Post post);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    /// Connects (retried for ever); a start-up failure (bad options) as text.
    cunxin::Expected<void, std::string> start();
    /// Disconnects.
    void stop();
    /// Stores a notice and publishes it to its boxes; returns its id.
    cunxin::Expected<std::string, HubError> create_notice(const NoticeRequest& request);
    /// Stores the cancellation and tells the notice's boxes.
    cunxin::Expected<void, HubError> cancel_notice(const std::string& id);
    /// Connected to the broker.
    bool connected() const;
    /// Events counted since start (benchmarks).
    std::int64_t events_counted() const noexcept { return counted_; }

private:
    void on_message(const std::string& topic, const std::string& payload);
    void on_event(const std::string& box, const std::string& payload);
    void publish_pending(const std::string& box);

    HubOptions options_;
    store::Database& db_;
    messaging::Clock& clock_;
    std::unique_ptr<MqttClient> mqtt_;
    std::map<int, std::string> inflight_;  ///< message id → command id
    std::int64_t counted_ = 0;
};

}  // namespace cunxin::federation
