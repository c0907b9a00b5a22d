// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Structured, line-at-a-time logging to stderr (journald adds the time on the board).
/// A line says who speaks: "[modem 1-1.3 ttyUSB2] registered on CHINA MOBILE".

#include <atomic>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cunxin::log {

/// Severity; lines above the current level are dropped.
enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

namespace detail {
inline std::atomic<int>& level_ref() {
    static std::atomic<int> level{static_cast<int>(Level::Info)};
    return level;
}
/// The last warn/error lines for the support bundle. A mutex (a written exception to the
/// no-locks rule): lines come from the core and the HTTP threads, `cunxin doctor` reads them.
struct Recent {
    std::mutex mu;
    std::deque<std::string> lines;
};
inline Recent& recent_ref() {
    static Recent r;
    return r;
}
inline constexpr std::size_t kRecentMax = 200;
}  // namespace detail

/// The last warn/error lines written (at most 200, oldest first), with their UTC time.
inline std::vector<std::string> recent_problems() {
    auto& r = detail::recent_ref();
    std::lock_guard<std::mutex> g(r.mu);
    return {r.lines.begin(), r.lines.end()};
}

/// Sets the process-wide level.
inline void set_level(Level l) { detail::level_ref().store(static_cast<int>(l)); }
/// True when lines of `l` are written.
inline bool enabled(Level l) { return static_cast<int>(l) <= detail::level_ref().load(); }

/// Writes "<level> [who] text" as one line (one fprintf call: lines never interleave).
inline void write(Level l, std::string_view who, std::string_view text) {
    static constexpr const char* kNames[] = {"<3>error", "<4>warn", "<6>info", "<7>debug"};
    if (l <= Level::Warn) {
        char stamp[32] = {};
        const std::time_t t = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&t, &tm);
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        std::string line = std::string(stamp) + " " + (kNames[static_cast<int>(l)] + 3) + " [";
        line.append(who);
        line += "] ";
        line.append(text.substr(0, 1000));
        auto& r = detail::recent_ref();
        std::lock_guard<std::mutex> g(r.mu);
        r.lines.push_back(std::move(line));
        while (r.lines.size() > detail::kRecentMax) r.lines.pop_front();
    }
    if (!enabled(l)) return;
    std::fprintf(stderr, "%s [%.*s] %.*s\n", kNames[static_cast<int>(l)],
                 static_cast<int>(who.size()), who.data(), static_cast<int>(text.size()), text.data());
}

/// Shorthands.
inline void error(std::string_view who, std::string_view text) { write(Level::Error, who, text); }
inline void warn(std::string_view who, std::string_view text) { write(Level::Warn, who, text); }
inline void info(std::string_view who, std::string_view text) { write(Level::Info, who, text); }
inline void debug(std::string_view who, std::string_view text) { write(Level::Debug, who, text); }

}  // namespace cunxin::log
