// SPDX-License-Identifier: Apache-2.0
// Fuzzes the AT framer and line classification with what a broken modem sends: garbage bytes,
// lines cut anywhere, prompts, no line end at all. Byte 0 chooses the chunk size the bytes
// arrive in (a serial read returns any amount). Lines never hold CR/LF, never exceed the line
// cap, and the unfinished line stays bounded.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/at/framing.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cunxin::at;
    if (size < 1) return 0;
    const std::size_t chunk = static_cast<std::size_t>(data[0] % 17) + 1;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    Framer framer;
    std::vector<FrameEvent> events;
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        framer.feed(bytes.substr(at, chunk), events);
        require(framer.partial().size() <= Framer::kMaxLine);
    }
    // The same bytes in one read frame the same way.
    Framer whole;
    std::vector<FrameEvent> once;
    whole.feed(bytes, once);
    require(once.size() == events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        require(e.kind == once[i].kind && e.text == once[i].text);
        if (e.kind == FrameEvent::Kind::Prompt) continue;
        require(!e.text.empty() && e.text.size() <= Framer::kMaxLine);
        require(e.text.find_first_of("\r\n") == std::string::npos);
        const auto fin = parse_final(e.text);
        if (fin && (fin->kind == FinalKind::Ok || fin->kind == FinalKind::Error)) require(fin->code == -1);
        const std::string prefix = expected_prefix(e.text);
        (void)is_urc(e.text, prefix);
        (void)is_urc(e.text);
        (void)is_two_line_urc(e.text);
        (void)is_garbage(e.text);
    }
    return 0;
}
