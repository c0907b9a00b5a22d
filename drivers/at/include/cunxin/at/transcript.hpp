// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Transcripts (STYLE.md §6): "> " lines go to the modem, "< " lines come back, "#" is provenance.

#include <string>
#include <string_view>
#include <vector>

namespace cunxin::at {

/// One transcript line.
struct TranscriptLine {
    enum class Dir { ToModem, FromModem } dir = Dir::ToModem;  ///< direction
    std::string text;  ///< without the "> " / "< " marker; "> " alone for the prompt
};

/// Parses a transcript text; "#" and empty lines are skipped.
std::vector<TranscriptLine> parse_transcript(std::string_view text);

/// The "<" lines following the first ">" line that equals `command`, up to the next ">" line.
std::vector<std::string> replies_to(const std::vector<TranscriptLine>& t, std::string_view command);

}  // namespace cunxin::at
