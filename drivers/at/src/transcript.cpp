// SPDX-License-Identifier: Apache-2.0
#include "cunxin/at/transcript.hpp"

namespace cunxin::at {

std::vector<TranscriptLine> parse_transcript(std::string_view text) {
    std::vector<TranscriptLine> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() < 2 || line[0] == '#') continue;
        if ((line[0] != '>' && line[0] != '<') || line[1] != ' ') continue;
        TranscriptLine t;
        t.dir = line[0] == '>' ? TranscriptLine::Dir::ToModem : TranscriptLine::Dir::FromModem;
        t.text = std::string(line.substr(2));
        if (t.dir == TranscriptLine::Dir::FromModem && t.text == ">") t.text = "> ";
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<std::string> replies_to(const std::vector<TranscriptLine>& t, std::string_view command) {
    std::vector<std::string> out;
    bool in = false;
    for (const auto& l : t) {
        if (l.dir == TranscriptLine::Dir::ToModem) {
            if (in) break;
            in = l.text == command;
            continue;
        }
        if (in) out.push_back(l.text);
    }
    return out;
}

}  // namespace cunxin::at
