// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The support bundle (`cunxin doctor`, GET /api/v1/doctor): one JSON document with versions,
/// the config without secrets, modems and their recent AT transcripts, recent problems, storage
/// use and the clock source. One JSON file rather than a .tar.gz: no archive code on the board,
/// one download from the panel, readable by jq, and each transcript is a string that written to
/// a file as is (`jq -r '.modems[0].transcript'`) replays in the AT unit tests.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"

namespace cunxin::app {

/// What only the running daemon knows (its modems and memory).
struct DoctorLive {
    nlohmann::json modems = nlohmann::json::array();  ///< each with state, identity, transcript
    std::vector<std::string> recent_problems;         ///< warn/error lines kept in memory
};

/// Builds the bundle from the config, the data directory and, when given, the live parts.
nlohmann::json support_bundle(const Config& config,
                              const std::optional<std::filesystem::path>& config_file,
                              const DoctorLive* live);

/// The config document with every secret replaced by "(removed)": keys named pin, puk,
/// password, passwd, secret, token, key material (private_key…) at any depth.
nlohmann::json redact_config(const nlohmann::json& config);

}  // namespace cunxin::app
