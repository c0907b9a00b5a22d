// SPDX-License-Identifier: Apache-2.0
// libmosquitto in threaded mode: mosquitto_loop_start() runs the socket on libmosquitto's own
// thread (connect, keep-alive, QoS 1 retries, reconnect with backoff); its callbacks copy what
// they got and post it to the core thread. publish() from the core thread is thread-safe in
// libmosquitto 2.x.
#include "cunxin/federation/mqtt.hpp"

#include <mosquitto.h>

#include <cstring>
#include <mutex>

#include <cunxin/log.hpp>

namespace cunxin::federation {

cunxin::Expected<BrokerAddress, std::string> parse_broker(const std::string& url) {
    BrokerAddress a;
    std::string rest;
    if (url.rfind("mqtt://", 0) == 0) {
        rest = url.substr(7);
    } else if (url.rfind("mqtts://", 0) == 0) {
        rest = url.substr(8);
        a.tls = true;
        a.port = 8883;
    } else {
        return cunxin::unexpected(std::string("broker must be mqtt://HOST:PORT or mqtts://HOST:PORT"));
    }
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto close = rest.find(']');
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
        const std::string p = rest.substr(colon + 1);
        if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
            return cunxin::unexpected("bad broker port '" + p + "'");
        }
        a.port = std::stoi(p);
        rest = rest.substr(0, colon);
    }
    if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']') rest = rest.substr(1, rest.size() - 2);
    if (rest.empty()) return cunxin::unexpected(std::string("broker host missing"));
    if (a.port <= 0 || a.port > 65535) return cunxin::unexpected(std::string("broker port out of range"));
    a.host = rest;
    return a;
}

/// What the network thread's callbacks reach: the poster and a liveness flag (core thread).
struct MqttClient::Shared {
    Post post;
    MqttClient* owner = nullptr;  ///< reset (core thread) before the client dies
    mosquitto* mosq = nullptr;
    std::vector<std::string> subscriptions;
};

namespace {

void lib_init() {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

MqttClient::MqttClient(MqttOptions options, Post post)
    : options_(std::move(options)), post_(std::move(post)), shared_(std::make_shared<Shared>()) {
    shared_->post = post_;
    shared_->owner = this;
    shared_->subscriptions = options_.subscriptions;
}

MqttClient::~MqttClient() { stop(); }

cunxin::Expected<void, std::string> MqttClient::start() {
    if (started_) return {};
    lib_init();
    // The callbacks receive a raw pointer to the shared state; it stays alive until
    // mosquitto_destroy() (stop()), after the network thread has been joined.
    mosquitto* m = mosquitto_new(options_.client_id.c_str(), /*clean_session=*/false, shared_.get());
    if (m == nullptr) return cunxin::unexpected(std::string("mosquitto_new failed: ") + std::strerror(errno));
    shared_->mosq = m;
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    // No inflight quota inside libmosquitto (0 = unlimited): the owner keeps its own window.
    // With 2.0.11's quota, QoS 1 messages queued across a reconnection could stay queued for
    // good (seen in test_federation: a box's events stopped after the broker came back).
    mosquitto_max_inflight_messages_set(m, 0);
    mosquitto_reconnect_delay_set(m, 1, 30, true);
    auto fail = [&](const std::string& what, int rc) {
        mosquitto_destroy(m);
        shared_->mosq = nullptr;
        return cunxin::unexpected(what + ": " + mosquitto_strerror(rc));
    };
    if (!options_.username.empty()) {
        const int rc = mosquitto_username_pw_set(m, options_.username.c_str(),
                                                 options_.password.empty() ? nullptr : options_.password.c_str());
        if (rc != MOSQ_ERR_SUCCESS) return fail("credentials", rc);
    }
    if (!options_.will_topic.empty()) {
        const int rc = mosquitto_will_set(m, options_.will_topic.c_str(), static_cast<int>(options_.will_payload.size()),
                                          options_.will_payload.data(), 1, true);
        if (rc != MOSQ_ERR_SUCCESS) return fail("last will", rc);
    }
    if (options_.broker.tls) {
        const int rc = mosquitto_tls_set(m, options_.ca.empty() ? nullptr : options_.ca.c_str(),
                                         options_.ca.empty() ? "/etc/ssl/certs" : nullptr, nullptr, nullptr, nullptr);
        if (rc != MOSQ_ERR_SUCCESS) return fail("TLS", rc);
    }
    mosquitto_connect_callback_set(m, [](mosquitto* mq, void* ud, int rc) {
        auto* s = static_cast<Shared*>(ud);
        if (rc != 0) {
            log::warn("mqtt", std::string("broker refused the connection: ") + mosquitto_connack_string(rc));
            return;
        }
        for (const auto& topic : s->subscriptions) mosquitto_subscribe(mq, nullptr, topic.c_str(), 1);
        auto keep = s->owner ? s->owner->shared_ : nullptr;
        if (!keep) return;
        s->post([keep] {
            if (auto* o = keep->owner) {
                o->connected_ = true;
                if (o->on_connected) o->on_connected();
            }
        });
    });
    mosquitto_disconnect_callback_set(m, [](mosquitto*, void* ud, int) {
        auto* s = static_cast<Shared*>(ud);
        auto keep = s->owner ? s->owner->shared_ : nullptr;
        if (!keep) return;
        s->post([keep] {
            if (auto* o = keep->owner) {
                const bool was = o->connected_;
                o->connected_ = false;
                if (was && o->on_disconnected) o->on_disconnected();
            }
        });
    });
    mosquitto_message_callback_set(m, [](mosquitto*, void* ud, const mosquitto_message* msg) {
        auto* s = static_cast<Shared*>(ud);
        auto keep = s->owner ? s->owner->shared_ : nullptr;
        if (!keep) return;
        std::string topic = msg->topic;
        std::string payload(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
        s->post([keep, topic = std::move(topic), payload = std::move(payload)] {
            if (auto* o = keep->owner; o && o->on_message) o->on_message(topic, payload);
        });
    });
    mosquitto_publish_callback_set(m, [](mosquitto*, void* ud, int mid) {
        auto* s = static_cast<Shared*>(ud);
        auto keep = s->owner ? s->owner->shared_ : nullptr;
        if (!keep) return;
        s->post([keep, mid] {
            if (auto* o = keep->owner; o && o->on_published) o->on_published(mid);
        });
    });
    if (const int rc = mosquitto_loop_start(m); rc != MOSQ_ERR_SUCCESS) return fail("network thread", rc);
    // A broker that is down now is retried by the network thread (reconnect delay 1..30 s).
    if (const int rc = mosquitto_connect_async(m, options_.broker.host.c_str(), options_.broker.port,
                                               options_.keepalive_s);
        rc != MOSQ_ERR_SUCCESS) {
        log::warn("mqtt", "broker " + options_.broker.host + ":" + std::to_string(options_.broker.port) +
                              " not reachable yet (" + mosquitto_strerror(rc) + "); retrying");
    }
    started_ = true;
    return {};
}

std::optional<int> MqttClient::publish(const std::string& topic, const std::string& payload, bool retain) {
    if (!started_ || !connected_ || shared_->mosq == nullptr) return std::nullopt;
    int mid = 0;
    const int rc = mosquitto_publish(shared_->mosq, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                     payload.data(), 1, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
        log::warn("mqtt", "publish on " + topic + " failed: " + mosquitto_strerror(rc));
        return std::nullopt;
    }
    return mid;
}

void MqttClient::stop(const std::optional<std::pair<std::string, std::string>>& last_words) {
    if (!started_) return;
    started_ = false;
    mosquitto* m = shared_->mosq;
    if (last_words && connected_) {
        mosquitto_publish(m, nullptr, last_words->first.c_str(), static_cast<int>(last_words->second.size()),
                          last_words->second.data(), 1, true);
    }
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    shared_->owner = nullptr;  // tasks still posted find no owner
    mosquitto_destroy(m);
    shared_->mosq = nullptr;
    connected_ = false;
}

}  // namespace cunxin::federation
