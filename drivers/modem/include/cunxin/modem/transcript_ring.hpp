// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The last AT lines of one modem, bounded, for the support bundle (`cunxin doctor`). Its text is
/// a transcript in the STYLE.md §6 format: copied to tests/unit/at/data/ it becomes a unit test.

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace cunxin::modem {

/// A bounded ring of transcript lines ("> AT+CSQ", "< +CSQ: 20,99", "# timeout: …") with times.
class TranscriptRing {
public:
    /// Keeps at most `max_lines` lines and `max_bytes` bytes of text.
    explicit TranscriptRing(std::size_t max_lines = 4000, std::size_t max_bytes = 256 * 1024)
        : max_lines_(max_lines), max_bytes_(max_bytes) {}

    /// Appends one line as the channel logs it.
    void add(std::chrono::system_clock::time_point at, std::string_view line);
    /// The lines of the last `window` before `now`, starting at a command (">") line, with
    /// "# HH:MM:SS" time comments and `header` ("# …" lines) first.
    std::string text(std::chrono::system_clock::time_point now, std::chrono::seconds window,
                     std::string_view header) const;
    /// Lines held.
    std::size_t size() const { return lines_.size(); }

private:
    struct Line {
        std::chrono::system_clock::time_point at;
        std::string text;
    };
    std::size_t max_lines_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::deque<Line> lines_;
};

}  // namespace cunxin::modem
