// SPDX-License-Identifier: Apache-2.0
// The shipped county broker setup (board/mosquitto/) with a real mosquitto on loopback: TLS with a
// CA made by make-county-ca.sh, credentials from `cunxin hub add-box`, the shipped ACL. Clients
// are libmosquitto (MQTT v5, QoS 1, persistent sessions) as the boxes and the hub use it.

#include <doctest/doctest.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include "harness.hpp"

namespace cunxin::itest {
namespace {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Replaces exactly one occurrence (the test must notice when the shipped file changes shape).
void replace_once(std::string& text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "shipped mosquitto.conf has no line: " << from);
    REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "twice in mosquitto.conf: " << from);
    text.replace(at, from.size(), to);
}

struct Lib {
    Lib() { mosquitto_lib_init(); }
    ~Lib() { mosquitto_lib_cleanup(); }
};

/// One MQTT v5 client on its own network thread (libmosquitto's loop_start).
class Client {
public:
    struct Message {
        std::string topic, payload;
        bool retained = false;
    };

    Client(const std::string& client_id, const std::string& user, const std::string& password,
           const std::string& ca, bool clean = false)
        : m_(mosquitto_new(client_id.c_str(), clean, this)), clean_(clean) {
        REQUIRE(m_ != nullptr);
        mosquitto_int_option(m_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
        if (!user.empty()) mosquitto_username_pw_set(m_, user.c_str(), password.c_str());
        if (!ca.empty()) REQUIRE(mosquitto_tls_set(m_, ca.c_str(), nullptr, nullptr, nullptr, nullptr) == MOSQ_ERR_SUCCESS);
        mosquitto_connect_v5_callback_set(m_, [](mosquitto*, void* self, int rc, int, const mosquitto_property*) {
            auto* c = static_cast<Client*>(self);
            std::lock_guard lock(c->mu_);
            c->connack_ = rc;
            c->cv_.notify_all();
        });
        mosquitto_disconnect_v5_callback_set(m_, [](mosquitto*, void* self, int rc, const mosquitto_property*) {
            auto* c = static_cast<Client*>(self);
            std::lock_guard lock(c->mu_);
            c->disconnected_ = rc;
            c->cv_.notify_all();
        });
        mosquitto_publish_v5_callback_set(m_, [](mosquitto*, void* self, int mid, int reason, const mosquitto_property*) {
            auto* c = static_cast<Client*>(self);
            std::lock_guard lock(c->mu_);
            c->puback_[mid] = reason;
            c->cv_.notify_all();
        });
        mosquitto_subscribe_v5_callback_set(m_, [](mosquitto*, void* self, int mid, int n, const int* granted,
                                                   const mosquitto_property*) {
            auto* c = static_cast<Client*>(self);
            std::lock_guard lock(c->mu_);
            c->suback_[mid] = n > 0 ? granted[0] : -1;
            c->cv_.notify_all();
        });
        mosquitto_message_v5_callback_set(m_, [](mosquitto*, void* self, const mosquitto_message* msg,
                                                 const mosquitto_property*) {
            auto* c = static_cast<Client*>(self);
            std::lock_guard lock(c->mu_);
            c->messages_.push_back({msg->topic, std::string(static_cast<const char*>(msg->payload),
                                                            static_cast<std::size_t>(msg->payloadlen)),
                                    msg->retain});
            c->cv_.notify_all();
        });
    }
    ~Client() {
        if (started_) {
            mosquitto_disconnect(m_);
            mosquitto_loop_stop(m_, true);
        }
        mosquitto_destroy(m_);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Sets the last will (before connect()).
    void will(const std::string& topic, const std::string& payload) {
        REQUIRE(mosquitto_will_set_v5(m_, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, true,
                                      nullptr) == MOSQ_ERR_SUCCESS);
    }

    /// Connects and returns the CONNACK reason code (-1: none in time, e.g. TLS refused). A
    /// persistent client (clean = false) asks for a session that outlives the connection: in MQTT
    /// v5 that takes a Session Expiry Interval, without it the session ends at the disconnect.
    int connect(int port, std::chrono::milliseconds timeout = 5s) {
        mosquitto_property* props = nullptr;
        if (!clean_) mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 90 * 86400);
        const int rc = mosquitto_connect_bind_v5(m_, "127.0.0.1", port, 30, nullptr, props);
        mosquitto_property_free_all(&props);
        if (rc != MOSQ_ERR_SUCCESS) return -1;
        REQUIRE(mosquitto_loop_start(m_) == MOSQ_ERR_SUCCESS);
        started_ = true;
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, timeout, [&] { return connack_ >= 0 || disconnected_ >= 0; });
        return connack_;
    }

    void disconnect() {
        mosquitto_disconnect(m_);
        mosquitto_loop_stop(m_, false);
        started_ = false;
    }

    /// Publishes at QoS 1; returns the PUBACK's reason code (-1: none in time).
    int publish(const std::string& topic, const std::string& payload, bool retain = false,
                std::chrono::milliseconds timeout = 5s) {
        int mid = 0;
        if (mosquitto_publish_v5(m_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, retain,
                                 nullptr) != MOSQ_ERR_SUCCESS) {
            return -2;
        }
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, timeout, [&] { return puback_.count(mid) > 0; });
        return puback_.count(mid) ? puback_[mid] : -1;
    }

    /// Subscribes at QoS 1; returns the SUBACK's reason code (1: granted QoS 1, 0x87: not authorised).
    int subscribe(const std::string& filter, std::chrono::milliseconds timeout = 5s) {
        int mid = 0;
        if (mosquitto_subscribe_v5(m_, &mid, filter.c_str(), 1, 0, nullptr) != MOSQ_ERR_SUCCESS) return -2;
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, timeout, [&] { return suback_.count(mid) > 0; });
        return suback_.count(mid) ? suback_[mid] : -1;
    }

    /// Waits for a message on `topic` whose payload is `payload`.
    bool wait_for(const std::string& topic, const std::string& payload, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return has_locked(topic, payload); });
    }

    bool has(const std::string& topic, const std::string& payload) {
        std::lock_guard lock(mu_);
        return has_locked(topic, payload);
    }

    std::vector<Message> messages() {
        std::lock_guard lock(mu_);
        return messages_;
    }

    bool connected() {
        std::lock_guard lock(mu_);
        return connack_ == 0 && disconnected_ < 0;
    }

private:
    bool has_locked(const std::string& topic, const std::string& payload) const {
        for (const auto& m : messages_) {
            if (m.topic == topic && m.payload == payload) return true;
        }
        return false;
    }

    mosquitto* m_;
    bool clean_ = false;
    bool started_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    int connack_ = -1;
    int disconnected_ = -1;
    std::map<int, int> puback_;
    std::map<int, int> suback_;
    std::vector<Message> messages_;
};

/// A broker credential as `cunxin hub add-box --json` prints it.
struct Credential {
    std::string user, password;
    Json printed;
};

/// The shipped configuration in a temp dir: certificates, password file, ACL, broker process.
class County {
public:
    County() {
        const std::filesystem::path shipped = std::filesystem::path(CUNXIN_SOURCE_DIR) / "board/mosquitto";
        const auto etc = dir_.path() / "cunxin";
        std::filesystem::create_directories(etc);
        std::string out;
        REQUIRE_MESSAGE(run_capture({(shipped / "make-county-ca.sh").string(), etc.string(), "localhost", "127.0.0.1"},
                                    out) == 0,
                        out);
        port_ = free_port();
        std::string passwd;
        for (const char* name : {"hub", "xinglong", "dongshan"}) {
            REQUIRE(run_capture({built("firmware/app/cunxin").string(), "hub", "add-box", name, "--broker",
                                 "mqtts://127.0.0.1:" + std::to_string(port_), "--ca", ca(), "--json"},
                                out) == 0);
            Credential c;
            c.printed = Json::parse(out);
            c.user = c.printed["username"];
            c.password = c.printed["password"];
            passwd += c.printed["password_file_line"].get<std::string>() + "\n";
            creds_[name] = c;
        }
        { std::ofstream(etc / "passwd") << passwd; }
        std::filesystem::copy_file(shipped / "acl", etc / "acl");

        // The shipped broker config, moved into the temp dir and onto a loopback port.
        std::string conf = read_text(shipped / "mosquitto.conf");
        replace_once(conf, "pid_file /run/mosquitto/mosquitto.pid\n", "");
        replace_once(conf, "persistence_location /var/lib/mosquitto/",
                     "persistence_location " + (dir_.path() / "store").string() + "/");
        replace_once(conf, "log_dest file /var/log/mosquitto/mosquitto.log", "log_dest stderr");
        replace_once(conf, "listener 8883\n", "listener " + std::to_string(port_) + " 127.0.0.1\n");
        std::size_t at = 0;
        int moved = 0;
        while ((at = conf.find("/etc/mosquitto/cunxin/", at)) != std::string::npos) {
            conf.replace(at, 22, etc.string() + "/");
            ++moved;
        }
        CHECK(moved >= 5);  // cafile, certfile, keyfile, password_file, acl_file of the TLS listener
        // As root, mosquitto drops to the `mosquitto` user, which cannot read a temp dir of root's.
        if (::geteuid() == 0) conf += "\nuser root\n";
        std::filesystem::create_directories(dir_.path() / "store");
        conf_ = dir_.path() / "mosquitto.conf";
        { std::ofstream(conf_) << conf; }
        start();
    }

    void start() {
        broker_ = std::make_unique<Process>(std::vector<std::string>{kMosquitto, "-c", conf_.string()},
                                            dir_.path() / "mosquitto.log");
        const bool up = wait_until([&] { return listening() || !broker_->running(); }, 10s) && broker_->running();
        REQUIRE_MESSAGE(up, "mosquitto did not start: " << read_text(dir_.path() / "mosquitto.log"));
    }

    /// SIGTERM (mosquitto writes its persistence file) and wait.
    void stop() {
        broker_->signal(SIGTERM);
        REQUIRE(broker_->wait(10s).has_value());
        broker_.reset();
    }

    int port() const { return port_; }
    std::string ca() const { return (dir_.path() / "cunxin" / "ca.crt").string(); }
    const Credential& cred(const std::string& name) { return creds_.at(name); }
    std::string log() const { return read_text(dir_.path() / "mosquitto.log"); }
    const std::filesystem::path& dir() const { return dir_.path(); }

    /// A client logged in as `name` with its client id = username (as boxes and the hub do).
    std::unique_ptr<Client> client(const std::string& name, bool clean = false) {
        const auto& c = cred(name);
        return std::make_unique<Client>(c.user, c.user, c.password, ca(), clean);
    }

private:
    static constexpr const char* kMosquitto = CUNXIN_MOSQUITTO;

    bool listening() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<std::uint16_t>(port_));
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        return ok;
    }

    TempDir dir_;
    int port_ = 0;
    std::filesystem::path conf_;
    std::map<std::string, Credential> creds_;
    std::unique_ptr<Process> broker_;
};

const std::string kEvent = "cunxin/v1/box/xinglong/event";
const std::string kOtherEvent = "cunxin/v1/box/dongshan/event";

}  // namespace

TEST_CASE("county broker refuses anonymous clients, wrong passwords and a foreign CA") {
    Lib lib;
    County county;
    // No username: CONNACK "not authorized" (MQTT v5 reason 0x87).
    Client anonymous("anon-1", "", "", county.ca(), true);
    CHECK(anonymous.connect(county.port()) == MQTT_RC_NOT_AUTHORIZED);
    // A real box id with a wrong password: "bad user name or password" (0x86).
    // (mosquitto 2.0.11 answers 0x87 "not authorized" here, the spec allows 0x86 too.)
    Client wrong("xinglong", "xinglong", "not-the-password", county.ca());
    const int rc_wrong = wrong.connect(county.port());
    CHECK((rc_wrong == MQTT_RC_BAD_USERNAME_OR_PASSWORD || rc_wrong == MQTT_RC_NOT_AUTHORIZED));
    // A box's password for another box's name.
    Client swapped("dongshan", "dongshan", county.cred("xinglong").password, county.ca());
    const int rc_swapped = swapped.connect(county.port());
    CHECK((rc_swapped == MQTT_RC_BAD_USERNAME_OR_PASSWORD || rc_swapped == MQTT_RC_NOT_AUTHORIZED));
    // The right credential with a CA that is not the county's: the TLS handshake fails.
    std::string out;
    const auto other = county.dir() / "other-ca";
    REQUIRE(run_capture({std::string(CUNXIN_SOURCE_DIR) + "/board/mosquitto/make-county-ca.sh", other.string(),
                         "localhost", "127.0.0.1"},
                        out) == 0);
    Client foreign("xinglong", "xinglong", county.cred("xinglong").password, (other / "ca.crt").string());
    CHECK(foreign.connect(county.port(), 2s) != 0);
    // And the right credential with the county CA connects.
    auto good = county.client("xinglong");
    CHECK(good->connect(county.port()) == 0);
}

TEST_CASE("a box publishes its own events and reads its own commands, the hub reads everything") {
    Lib lib;
    County county;
    auto hub = county.client("hub");
    REQUIRE(hub->connect(county.port()) == 0);
    CHECK(hub->subscribe("cunxin/v1/#") == 1);
    auto xinglong = county.client("xinglong");
    xinglong->will("cunxin/v1/box/xinglong/status", "offline");
    REQUIRE(xinglong->connect(county.port()) == 0);
    CHECK(xinglong->subscribe("cunxin/v1/box/xinglong/cmd") == 1);
    auto dongshan = county.client("dongshan");
    REQUIRE(dongshan->connect(county.port()) == 0);
    CHECK(dongshan->subscribe("cunxin/v1/box/dongshan/cmd") == 1);

    const std::string event = R"({"v":1,"id":"xinglong:1","type":"health","at":1765000000})";
    CHECK(xinglong->publish(kEvent, event) == MQTT_RC_SUCCESS);
    CHECK(xinglong->publish("cunxin/v1/box/xinglong/status", "online", true) == MQTT_RC_SUCCESS);
    CHECK(dongshan->publish(kOtherEvent, R"({"v":1,"id":"dongshan:1"})") == MQTT_RC_SUCCESS);
    CHECK(hub->wait_for(kEvent, event));
    CHECK(hub->wait_for("cunxin/v1/box/xinglong/status", "online"));
    CHECK(hub->wait_for(kOtherEvent, R"({"v":1,"id":"dongshan:1"})"));

    const std::string notice = R"({"v":1,"id":"n-1","type":"notice","notice_id":"n-1","text":"{name}同志"})";
    CHECK(hub->publish("cunxin/v1/box/xinglong/cmd", notice) == MQTT_RC_SUCCESS);
    CHECK(hub->publish("cunxin/v1/box/dongshan/cmd", "for dongshan") == MQTT_RC_SUCCESS);
    CHECK(xinglong->wait_for("cunxin/v1/box/xinglong/cmd", notice));
    CHECK(dongshan->wait_for("cunxin/v1/box/dongshan/cmd", "for dongshan"));

    // The last will: a box whose link dies (kill -9, no DISCONNECT) is marked offline for the
    // hub, retained for a hub that subscribes later. mosquitto_sub stands in for the box here.
    dongshan->disconnect();
    const auto& cred = county.cred("dongshan");
    Process box({CUNXIN_MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", std::to_string(county.port()), "-V", "mqttv5",
                 "--cafile", county.ca(), "-u", cred.user, "-P", cred.password, "-i", cred.user, "-c", "-x", "3600", "-q", "1",
                 "-t", "cunxin/v1/box/dongshan/cmd", "--will-topic", "cunxin/v1/box/dongshan/status",
                 "--will-payload", "offline", "--will-retain", "--will-qos", "1"},
                county.dir() / "sub.log");
    // Once mosquitto_sub has subscribed, a command reaches it (its output is its log).
    REQUIRE_MESSAGE(wait_until([&] {
                        hub->publish("cunxin/v1/box/dongshan/cmd", "hello-sub");
                        return box.log().find("hello-sub") != std::string::npos;
                    }, 5s),
                    box.log());
    box.signal(SIGKILL);
    CHECK(box.wait(5s).has_value());
    CHECK(hub->wait_for("cunxin/v1/box/dongshan/status", "offline"));
    auto late = county.client("hub", true);
    REQUIRE(late->connect(county.port()) == 0);
    CHECK(late->subscribe("cunxin/v1/box/+/status") == 1);
    CHECK(late->wait_for("cunxin/v1/box/xinglong/status", "online"));
    CHECK(late->wait_for("cunxin/v1/box/dongshan/status", "offline"));
    for (const auto& m : late->messages()) CHECK(m.retained);
}

TEST_CASE("a box cannot publish as another box nor read its commands") {
    Lib lib;
    County county;
    auto hub = county.client("hub");
    REQUIRE(hub->connect(county.port()) == 0);
    REQUIRE(hub->subscribe("cunxin/v1/#") == 1);
    auto dongshan = county.client("dongshan");
    REQUIRE(dongshan->connect(county.port()) == 0);
    REQUIRE(dongshan->subscribe("cunxin/v1/box/dongshan/cmd") == 1);
    auto xinglong = county.client("xinglong");
    REQUIRE(xinglong->connect(county.port()) == 0);

    // Forged events and presence for dongshan: the broker answers PUBACK "not authorized" (v5)...
    const std::string forged = R"({"v":1,"id":"dongshan:999","type":"reply","text":"forged"})";
    CHECK(xinglong->publish(kOtherEvent, forged) == MQTT_RC_NOT_AUTHORIZED);
    CHECK(xinglong->publish("cunxin/v1/box/dongshan/status", "offline", true) == MQTT_RC_NOT_AUTHORIZED);
    // ...a box may not send commands, not even to itself, nor write outside its subtree...
    CHECK(xinglong->publish("cunxin/v1/box/xinglong/cmd", "self-command") == MQTT_RC_NOT_AUTHORIZED);
    CHECK(xinglong->publish("cunxin/v1/box/dongshan/cmd", "cmd-for-dongshan") == MQTT_RC_NOT_AUTHORIZED);
    CHECK(xinglong->publish("cunxin/v1/hub", "x") == MQTT_RC_NOT_AUTHORIZED);
    // ...and then its own event goes through: once the hub has it, the forged ones would have
    // arrived before it (one client's QoS 1 messages keep their order): none did.
    CHECK(xinglong->publish(kEvent, "marker") == MQTT_RC_SUCCESS);
    REQUIRE(hub->wait_for(kEvent, "marker"));
    CHECK_FALSE(hub->has(kOtherEvent, forged));
    CHECK_FALSE(hub->has("cunxin/v1/box/dongshan/status", "offline"));
    CHECK_FALSE(hub->has("cunxin/v1/box/xinglong/cmd", "self-command"));
    CHECK_FALSE(dongshan->has("cunxin/v1/box/dongshan/cmd", "cmd-for-dongshan"));
    CHECK(hub->messages().size() == 1);

    // Subscribing to another box's commands, or to everything, delivers nothing of theirs
    // (mosquitto 2.0 grants the SUBACK and applies the read ACL to every delivery).
    for (const char* filter : {"cunxin/v1/box/dongshan/cmd", "cunxin/v1/box/+/cmd", "cunxin/v1/#", "#",
                               "cunxin/v1/box/dongshan/event"}) {
        CHECK(xinglong->subscribe(filter) >= 0);
    }
    CHECK(dongshan->publish(kOtherEvent, "dongshan-event") == MQTT_RC_SUCCESS);
    CHECK(hub->publish("cunxin/v1/box/dongshan/cmd", "secret-for-dongshan") == MQTT_RC_SUCCESS);
    CHECK(dongshan->wait_for("cunxin/v1/box/dongshan/cmd", "secret-for-dongshan"));
    CHECK(hub->wait_for(kOtherEvent, "dongshan-event"));
    CHECK(hub->publish("cunxin/v1/box/xinglong/cmd", "own-command") == MQTT_RC_SUCCESS);
    CHECK(xinglong->wait_for("cunxin/v1/box/xinglong/cmd", "own-command"));
    REQUIRE_FALSE(xinglong->messages().empty());
    for (const auto& m : xinglong->messages()) CHECK(m.topic == "cunxin/v1/box/xinglong/cmd");

    xinglong->disconnect();
    // Client id = username: xinglong connecting under dongshan's client id does not take over
    // dongshan's session (its commands would be queued for the impostor).
    Client impostor("dongshan", "xinglong", county.cred("xinglong").password, county.ca());
    CHECK(impostor.connect(county.port()) == 0);
    CHECK(hub->publish("cunxin/v1/box/dongshan/cmd", "still-dongshan") == MQTT_RC_SUCCESS);
    CHECK(dongshan->wait_for("cunxin/v1/box/dongshan/cmd", "still-dongshan"));
    CHECK(dongshan->connected());
    CHECK_FALSE(impostor.has("cunxin/v1/box/dongshan/cmd", "still-dongshan"));
}

TEST_CASE("commands wait for an offline box in its persistent session, across a broker restart") {
    Lib lib;
    County county;
    {
        auto box = county.client("xinglong");
        REQUIRE(box->connect(county.port()) == 0);
        REQUIRE(box->subscribe("cunxin/v1/box/xinglong/cmd") == 1);
        box->disconnect();
    }
    {
        auto hub = county.client("hub");
        REQUIRE(hub->connect(county.port()) == 0);
        CHECK(hub->publish("cunxin/v1/box/xinglong/cmd", "while-offline-1") == MQTT_RC_SUCCESS);
        CHECK(hub->publish("cunxin/v1/box/xinglong/cmd", "while-offline-2") == MQTT_RC_SUCCESS);
    }
    county.stop();  // persistence: the queued commands are written to disk
    county.start();
    auto box = county.client("xinglong");
    REQUIRE(box->connect(county.port()) == 0);
    CHECK(box->wait_for("cunxin/v1/box/xinglong/cmd", "while-offline-1"));
    CHECK(box->wait_for("cunxin/v1/box/xinglong/cmd", "while-offline-2"));
    const auto got = box->messages();
    REQUIRE(got.size() == 2);
    CHECK(got[0].payload == "while-offline-1");  // in order
}

}  // namespace cunxin::itest
