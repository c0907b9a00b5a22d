// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modem/transcript_ring.hpp"

#include <ctime>

namespace cunxin::modem {

namespace {

bool is_hex(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

/// What the ring keeps of a line: no SIM PIN/PUK, no message text or number (a PDU keeps its
/// length as zeros), no caller number; the AT layer replays the same, the codec learns nothing.
std::string redact(std::string_view line) {
    std::string out(line);
    const auto body = line.size() > 2 ? line.substr(2) : std::string_view{};
    auto upper_starts = [&](std::string_view p) {
        if (body.size() < p.size()) return false;
        for (std::size_t i = 0; i < p.size(); ++i) {
            char c = body[i];
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            if (c != p[i]) return false;
        }
        return true;
    };
    auto zero_quoted = [&] {
        bool quoted = false;
        for (std::size_t i = 2; i < out.size(); ++i) {
            if (out[i] == '"') quoted = !quoted;
            else if (quoted) out[i] = '*';
        }
    };
    if (upper_starts("AT+CPIN=") || upper_starts("AT+CPWD=") || upper_starts("AT+CLCK=") ||
        upper_starts("AT^CPIN=") || upper_starts("+CLIP:") || upper_starts("+CCWA:") ||
        upper_starts("AT+CMGS=\"") || upper_starts("+CMT: \"") || upper_starts("+CMGR: \"") ||
        upper_starts("+CMGL: ")) {
        zero_quoted();
        return out;
    }
    std::string_view hex = body;
    const bool payload = hex.size() > 2 && hex.substr(hex.size() - 2) == "^Z";
    if (payload) hex.remove_suffix(2);
    if (hex.size() >= 16 && is_hex(hex)) {
        for (std::size_t i = 2; i < 2 + hex.size(); ++i) out[i] = '0';
    }
    return out;
}

}  // namespace

void TranscriptRing::add(std::chrono::system_clock::time_point at, std::string_view raw) {
    const std::string line = redact(raw);
    lines_.push_back({at, line});
    bytes_ += line.size() + 1;
    while (!lines_.empty() && (lines_.size() > max_lines_ || bytes_ > max_bytes_)) {
        bytes_ -= lines_.front().text.size() + 1;
        lines_.pop_front();
    }
}

std::string TranscriptRing::text(std::chrono::system_clock::time_point now,
                                 std::chrono::seconds window, std::string_view header) const {
    std::string out(header);
    if (!out.empty() && out.back() != '\n') out += '\n';
    const auto since = now - window;
    bool started = false;
    std::time_t last_stamp = 0;
    for (const auto& l : lines_) {
        if (l.at < since) continue;
        // A replayable transcript starts with a command: drop the tail of an earlier answer.
        if (!started && l.text.rfind("> ", 0) != 0) continue;
        started = true;
        const std::time_t t = std::chrono::system_clock::to_time_t(l.at);
        if (t != last_stamp) {
            std::tm tm{};
            gmtime_r(&t, &tm);
            char buf[32];
            std::strftime(buf, sizeof buf, "# %H:%M:%SZ\n", &tm);
            out += buf;
            last_stamp = t;
        }
        out += l.text;
        out += '\n';
    }
    return out;
}

}  // namespace cunxin::modem
