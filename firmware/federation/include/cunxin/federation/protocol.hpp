// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The county protocol, version 1 (docs/federation.md): topics and the shape of ids.

#include <optional>
#include <string>
#include <string_view>

namespace cunxin::federation {

/// Payload version this build writes and reads.
inline constexpr int kProtocolVersion = 1;

/// A box id: [a-z0-9-]{1,32} (also its broker user name).
bool valid_box_id(std::string_view id) noexcept;
/// "cunxin/v1/box/<id>/cmd": hub → box commands.
std::string cmd_topic(const std::string& box);
/// "cunxin/v1/box/<id>/event": box → hub events.
std::string event_topic(const std::string& box);
/// "cunxin/v1/box/<id>/status": "online"/"offline", retained, last will "offline".
std::string status_topic(const std::string& box);

/// A topic split into box id and kind ("cmd", "event", "status").
struct TopicParts {
    std::string box;
    std::string kind;
};
/// Parses "cunxin/v1/box/<id>/<kind>"; nullopt for anything else.
std::optional<TopicParts> parse_topic(std::string_view topic);

/// Splits an event id "<box>:<seq>"; nullopt when malformed.
std::optional<std::pair<std::string, long long>> parse_event_id(std::string_view id);

}  // namespace cunxin::federation
