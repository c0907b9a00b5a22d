// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Structured, line-at-a-time logging to stderr (journald adds the time on the board).
/// A line says who speaks: "[modem 1-1.3 ttyUSB2] registered on CHINA MOBILE".

#include <atomic>
#include <cstdio>
#include <string_view>

namespace cunxin::log {

/// Severity; lines above the current level are dropped.
enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

namespace detail {
inline std::atomic<int>& level_ref() {
    static std::atomic<int> level{static_cast<int>(Level::Info)};
    return level;
}
}  // namespace detail

/// Sets the process-wide level.
inline void set_level(Level l) { detail::level_ref().store(static_cast<int>(l)); }
/// True when lines of `l` are written.
inline bool enabled(Level l) { return static_cast<int>(l) <= detail::level_ref().load(); }

/// Writes "<level> [who] text" as one line (one fprintf call: lines never interleave).
inline void write(Level l, std::string_view who, std::string_view text) {
    if (!enabled(l)) return;
    static constexpr const char* kNames[] = {"<3>error", "<4>warn", "<6>info", "<7>debug"};
    std::fprintf(stderr, "%s [%.*s] %.*s\n", kNames[static_cast<int>(l)],
                 static_cast<int>(who.size()), who.data(), static_cast<int>(text.size()), text.data());
}

/// Shorthands.
inline void error(std::string_view who, std::string_view text) { write(Level::Error, who, text); }
inline void warn(std::string_view who, std::string_view text) { write(Level::Warn, who, text); }
inline void info(std::string_view who, std::string_view text) { write(Level::Info, who, text); }
inline void debug(std::string_view who, std::string_view text) { write(Level::Debug, who, text); }

}  // namespace cunxin::log
