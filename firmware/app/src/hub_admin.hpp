// SPDX-License-Identifier: Apache-2.0
#pragma once
/// `cunxin hub add-box`: a box's broker credential, its `federation` snippet, the mosquitto
/// password-file line and the ACL lines (docs/federation.md, board/mosquitto/).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <cunxin/result.hpp>

namespace cunxin::app {

/// The hub's broker username; no box may take it.
inline constexpr std::string_view kHubUsername = "hub";

/// Iterations of PBKDF2-SHA512 in the password line (mosquitto_passwd 2.x's default).
inline constexpr int kMosquittoPbkdf2Iterations = 101;

/// True for a valid box id: 1 to 32 characters of [a-z0-9-].
bool valid_box_id(std::string_view id);

/// A mosquitto 2.x password-file line `user:$7$ITER$SALT$HASH` (PBKDF2-SHA512, base64).
std::string mosquitto_password_line(std::string_view user, std::string_view password,
                                    std::span<const std::uint8_t> salt,
                                    int iterations = kMosquittoPbkdf2Iterations);

/// A broker address `mqtt://HOST:PORT` or `mqtts://HOST:PORT` (port defaults 1883 / 8883).
struct BrokerUrl {
    bool tls = true;
    std::string host;
    int port = 8883;
    /// The normalised address, with its port.
    std::string str() const;
};

/// Parses a broker address; the error is a one-line reason.
Expected<BrokerUrl, std::string> parse_broker_url(std::string_view text);

/// The ACL lines that give `box_id` its own topics only (same effect as the shipped patterns).
std::vector<std::string> box_acl_lines(std::string_view box_id);

/// Everything `cunxin hub add-box` prints for one box (or for the hub), as JSON; fresh password.
Expected<nlohmann::json, std::string> make_box_access(std::string_view name, const BrokerUrl& broker,
                                                      const std::string& ca_path);

/// `cunxin hub add-box NAME [--broker mqtts://HOST:PORT] [--ca PATH] [--json]`.
int run_hub_add_box(const std::vector<std::string>& args);

}  // namespace cunxin::app

// The contract names the function without a namespace: both spellings reach it.
using cunxin::app::run_hub_add_box;
