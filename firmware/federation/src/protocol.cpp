// SPDX-License-Identifier: Apache-2.0
#include "cunxin/federation/protocol.hpp"

namespace cunxin::federation {

namespace {
constexpr std::string_view kPrefix = "cunxin/v1/box/";
}

bool valid_box_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

std::string cmd_topic(const std::string& box) { return std::string(kPrefix) + box + "/cmd"; }
std::string event_topic(const std::string& box) { return std::string(kPrefix) + box + "/event"; }
std::string status_topic(const std::string& box) { return std::string(kPrefix) + box + "/status"; }

std::optional<TopicParts> parse_topic(std::string_view topic) {
    if (topic.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    topic.remove_prefix(kPrefix.size());
    const auto slash = topic.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    TopicParts p{std::string(topic.substr(0, slash)), std::string(topic.substr(slash + 1))};
    if (!valid_box_id(p.box)) return std::nullopt;
    if (p.kind != "cmd" && p.kind != "event" && p.kind != "status") return std::nullopt;
    return p;
}

std::optional<std::pair<std::string, long long>> parse_event_id(std::string_view id) {
    const auto colon = id.rfind(':');
    if (colon == std::string_view::npos || colon + 1 >= id.size() || id.size() - colon > 19) return std::nullopt;
    const auto box = id.substr(0, colon);
    if (!valid_box_id(box)) return std::nullopt;
    long long seq = 0;
    for (char c : id.substr(colon + 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        seq = seq * 10 + (c - '0');
    }
    if (seq <= 0) return std::nullopt;
    return std::make_pair(std::string(box), seq);
}

}  // namespace cunxin::federation
