// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modem/transcript_ring.hpp"

#include <ctime>

namespace cunxin::modem {

void TranscriptRing::add(std::chrono::system_clock::time_point at, std::string_view line) {
    lines_.push_back({at, std::string(line)});
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
