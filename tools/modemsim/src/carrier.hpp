// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The carriers' side of the simulated network: service numbers that answer balance queries in
/// each Chinese carrier's wording, and delivery between the simulated SIMs' own numbers (pure).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cunxin::modemsim {

/// The answer of a carrier's service number to `text`, as that carrier words it: 10086 (China
/// Mobile) and 10010 (China Unicom) answer "CXYE", 10001 (China Telecom) "102", with the credit
/// `fen` (negative: owing) at local time `now`. nullopt for another text or number (no answer).
std::optional<std::string> service_answer(std::string_view number, std::string_view text, std::int64_t fen,
                                          std::chrono::system_clock::time_point now);

/// Digits of a number for matching ("+8613800000001", "8613800000001", "13800000001" are one).
std::string number_key(std::string_view number);

}  // namespace cunxin::modemsim
