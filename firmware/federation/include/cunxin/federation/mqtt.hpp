// SPDX-License-Identifier: Apache-2.0
#pragma once
/// An MQTT 3.1.1 client over libmosquitto: QoS 1, persistent session (clean_session=false),
/// client id = user name, automatic reconnection. libmosquitto runs its own network thread;
/// every callback is handed to the core thread through `post`, so the owner never locks.
/// Lean header: no libmosquitto, no Asio.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/result.hpp"

namespace cunxin::federation {

/// Runs a task on the core thread (asio::post onto the io_context).
using Post = std::function<void(std::function<void()>)>;

/// "mqtt://HOST:PORT" (plain) or "mqtts://HOST:PORT" (TLS); port defaults 1883 / 8883.
struct BrokerAddress {
    std::string host;
    int port = 1883;
    bool tls = false;
};
/// Parses a broker URL; an error text when it is not one.
cunxin::Expected<BrokerAddress, std::string> parse_broker(const std::string& url);

/// How to reach the broker and who we are.
struct MqttOptions {
    BrokerAddress broker;
    std::string client_id;                 ///< = user name (box id, or "hub")
    std::string username;                  ///< empty: no credentials (trusted loopback)
    std::string password;
    std::string ca;                        ///< CA file for mqtts (county CA); empty: system store
    std::string will_topic;                ///< last will (retained, QoS 1); empty: none
    std::string will_payload;
    int keepalive_s = 30;
    std::vector<std::string> subscriptions;  ///< QoS 1, (re)subscribed on every connect
};

/// One MQTT connection. Construct, set the callbacks, start(); everything on the core thread.
class MqttClient {
public:
    MqttClient(MqttOptions options, Post post);
    ~MqttClient();
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;

    /// Starts the network thread and the first connection attempt (retried for ever).
    cunxin::Expected<void, std::string> start();
    /// Publishes `offline_payload` (retained) when given and connected, disconnects, joins.
    void stop(const std::optional<std::pair<std::string, std::string>>& last_words = std::nullopt);
    /// Publishes with QoS 1; the message id, or nullopt when not connected / refused.
    std::optional<int> publish(const std::string& topic, const std::string& payload, bool retain = false);
    /// Connected as the core thread last heard.
    bool connected() const noexcept { return connected_; }

    /// The broker accepted the connection (session resumed or new).
    std::function<void()> on_connected;
    /// The connection was lost (reconnection goes on by itself).
    std::function<void()> on_disconnected;
    /// A message arrived on a subscribed topic.
    std::function<void(const std::string& topic, const std::string& payload)> on_message;
    /// The broker acknowledged message `mid` (PUBACK).
    std::function<void(int mid)> on_published;

    struct Shared;

private:
    MqttOptions options_;
    Post post_;
    std::shared_ptr<Shared> shared_;
    bool connected_ = false;
    bool started_ = false;
};

}  // namespace cunxin::federation
