// SPDX-License-Identifier: Apache-2.0
// `cunxin hub add-box NAME [--broker mqtts://HOST:PORT] [--ca PATH] [--json]`: what a county
// administrator needs to admit one township box to the broker. Nothing is stored here: the
// password is printed once, the broker keeps only its PBKDF2 hash (board/mosquitto/README.md).

#include "hub_admin.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace cunxin::app {
namespace {

constexpr std::string_view kDefaultCa = "/etc/cunxin/county-ca.crt";
constexpr std::string_view kBrokerPlaceholder = "mqtts://HUB-ADDRESS:8883";

std::string base64(std::span<const std::uint8_t> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

void random_bytes(std::span<std::uint8_t> out) {
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed: no random password");
    }
}

/// 18 random bytes as URL-safe base64: 24 characters, 144 bits, safe in JSON and shells.
std::string random_password() {
    std::array<std::uint8_t, 18> raw{};
    random_bytes(raw);
    std::string s = base64(raw);
    for (char& c : s) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return s;
}

bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    if (host.front() == '[') {  // IPv6 literal
        if (host.back() != ']' || host.size() < 3) return false;
        for (char c : host.substr(1, host.size() - 2)) {
            const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                            c == ':' || c == '.';
            if (!ok) return false;
        }
        return true;
    }
    for (char c : host) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        c == '-' || c == '.' || c == '_';
        if (!ok) return false;
    }
    return true;
}

int usage() {
    std::fputs(
        "usage: cunxin hub add-box NAME [--broker mqtts://HOST:PORT] [--ca PATH] [--json]\n"
        "  NAME: the box id, 1-32 of a-z 0-9 - (e.g. xinglong); `hub` prints the hub's own credential\n",
        stderr);
    return 2;
}

void print_text(const nlohmann::json& j) {
    const bool hub = j["role"] == "hub";
    const std::string who = j["username"].get<std::string>();
    std::printf("# 县级联网 / county federation: %s\n", hub ? "the county hub" : ("box " + who).c_str());
    std::printf("# 1. 代理服务器账号 / broker credential (shown once, not stored anywhere)\n");
    std::printf("username: %s\npassword: %s\n\n", who.c_str(), j["password"].get<std::string>().c_str());
    if (hub) {
        std::printf("# 2. 县级平台配置 / paste into the hub's config file (cunxin hub --config FILE):\n");
    } else {
        std::printf("# 2. 粘贴到乡镇设备的配置 / paste into the box's /etc/cunxin/config.json:\n");
    }
    std::printf("%s\n\n", j["config_snippet"].get<std::string>().c_str());
    std::printf("# 3. 追加到代理的密码文件 / append to the broker's password_file, then reload mosquitto:\n");
    std::printf("%s\n\n", j["password_file_line"].get<std::string>().c_str());
    std::printf("# 4. 访问控制 / ACL lines (the shipped acl file already grants these by pattern):\n");
    for (const auto& line : j["acl_lines"]) std::printf("%s\n", line.get<std::string>().c_str());
}

}  // namespace

bool valid_box_id(std::string_view id) {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

std::string mosquitto_password_line(std::string_view user, std::string_view password,
                                    std::span<const std::uint8_t> salt, int iterations) {
    std::array<std::uint8_t, 64> hash{};  // SHA-512 output size
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                          static_cast<int>(salt.size()), iterations, EVP_sha512(),
                          static_cast<int>(hash.size()), hash.data()) != 1) {
        throw std::runtime_error("OpenSSL PBKDF2 failed");
    }
    // mosquitto 2.x password_mosq.c: "$7$" = PBKDF2-SHA512, then iterations, salt, hash.
    return std::string(user) + ":$7$" + std::to_string(iterations) + "$" + base64(salt) + "$" + base64(hash);
}

std::string BrokerUrl::str() const {
    return std::string(tls ? "mqtts://" : "mqtt://") + host + ":" + std::to_string(port);
}

Expected<BrokerUrl, std::string> parse_broker_url(std::string_view text) {
    BrokerUrl url;
    std::string_view rest;
    if (text.starts_with("mqtts://")) {
        url.tls = true;
        url.port = 8883;
        rest = text.substr(8);
    } else if (text.starts_with("mqtt://")) {
        url.tls = false;
        url.port = 1883;
        rest = text.substr(7);
    } else {
        return unexpected(std::string("broker must be mqtts://HOST:PORT or mqtt://HOST:PORT"));
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty()) return unexpected(std::string("broker address has no host"));
    const auto colon = rest.rfind(':');
    const bool has_port = colon != std::string_view::npos && (rest.front() != '[' || rest.rfind(']') < colon);
    std::string_view host = has_port ? rest.substr(0, colon) : rest;
    if (has_port) {
        const auto port_text = rest.substr(colon + 1);
        int port = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
            return unexpected(std::string("broker port must be a number from 1 to 65535"));
        }
        url.port = port;
    }
    if (!valid_host(host)) return unexpected("broker host is not a host name or address: " + std::string(host));
    url.host = std::string(host);
    return url;
}

std::vector<std::string> box_acl_lines(std::string_view box_id) {
    const std::string b(box_id);
    return {"user " + b, "topic read cunxin/v1/box/" + b + "/cmd", "topic write cunxin/v1/box/" + b + "/event",
            "topic write cunxin/v1/box/" + b + "/status"};
}

Expected<nlohmann::json, std::string> make_box_access(std::string_view name, const BrokerUrl& broker,
                                                      const std::string& ca_path) {
    if (!valid_box_id(name)) {
        return unexpected("box id must be 1-32 characters of a-z, 0-9 and '-': " + std::string(name));
    }
    const bool hub = name == kHubUsername;
    const std::string password = random_password();
    std::array<std::uint8_t, 12> salt{};  // mosquitto_passwd's salt length
    random_bytes(salt);

    nlohmann::json section = nlohmann::json::object();
    section["broker"] = broker.str();
    if (!hub) section["box_id"] = std::string(name);
    section["username"] = std::string(name);
    section["password"] = password;
    if (broker.tls) section["ca"] = ca_path;

    nlohmann::json j;
    j["role"] = hub ? "hub" : "box";
    j["username"] = std::string(name);
    j["password"] = password;
    j["broker"] = broker.str();
    // The hub's config file uses the same section without box_id (ARCHITECTURE.md).
    j["federation"] = section;
    j["config_snippet"] = "\"federation\": " + section.dump(2);
    if (hub) {
        j["config"] = {{"federation", section}};  // a whole config file for `cunxin hub --config`
        j["acl_lines"] = {"user hub", "topic readwrite cunxin/v1/#"};
    } else {
        j["acl_lines"] = box_acl_lines(name);
    }
    j["password_file_line"] = mosquitto_password_line(name, password, salt);
    return j;
}

int run_hub_add_box(const std::vector<std::string>& args) {
    std::size_t i = 0;
    // Called with or without the sub-command word in front.
    if (args.size() >= 2 && args[0] == "add-box" && !args[1].starts_with("--")) i = 1;
    std::string name, broker_text, ca;
    bool json = false, ca_given = false;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
        if (a == "--broker") {
            const auto* v = value();
            if (!v) return usage();
            broker_text = *v;
        } else if (a == "--ca") {
            const auto* v = value();
            if (!v) return usage();
            ca = *v;
            ca_given = true;
        } else if (a == "--json") {
            json = true;
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else if (a.starts_with("--") || !name.empty()) {
            return usage();
        } else {
            name = a;
        }
    }
    if (name.empty()) return usage();
    if (!valid_box_id(name)) {
        std::fprintf(stderr, "cunxin hub add-box: box id must be 1-32 characters of a-z, 0-9 and '-': %s\n",
                     name.c_str());
        return 1;
    }
    const bool placeholder = broker_text.empty();
    auto broker = parse_broker_url(placeholder ? std::string_view(kBrokerPlaceholder) : std::string_view(broker_text));
    if (!broker) {
        std::fprintf(stderr, "cunxin hub add-box: %s\n", broker.error().c_str());
        return 1;
    }
    if (ca_given && !broker->tls) {
        std::fputs("cunxin hub add-box: --ca needs an mqtts:// broker\n", stderr);
        return 1;
    }
    if (ca.empty()) ca = std::string(kDefaultCa);
    auto access = make_box_access(name, *broker, ca);
    if (!access) {
        std::fprintf(stderr, "cunxin hub add-box: %s\n", access.error().c_str());
        return 1;
    }
    if (placeholder) {
        std::fputs("cunxin hub add-box: no --broker given: replace HUB-ADDRESS in the snippet\n", stderr);
    }
    if (json) {
        std::printf("%s\n", access->dump(2).c_str());
    } else {
        print_text(*access);
    }
    return 0;
}

}  // namespace cunxin::app
