// SPDX-License-Identifier: Apache-2.0
// The per-modem transcript ring of the support bundle: bounded, replayable, no secrets.
#include <doctest/doctest.h>

#include "cunxin/at/transcript.hpp"
#include "cunxin/modem/transcript_ring.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

TEST_CASE("the transcript ring keeps the last minutes, starts at a command and hides secrets") {
    modem::TranscriptRing ring(100);
    const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));
    ring.add(t0, "> AT+CSQ");           // older than the window
    ring.add(t0, "< +CSQ: 20,99");
    ring.add(t0 + 590s, "< OK");         // the tail of an answer: dropped (no command before it)
    ring.add(t0 + 600s, "> AT+CPIN=\"4817\"");
    ring.add(t0 + 600s, "< OK");
    ring.add(t0 + 601s, "> AT+CMGS=19");
    ring.add(t0 + 601s, "< > ");
    ring.add(t0 + 601s, "> 0031000D91683109000000F40008AA046D4B8BD5^Z");
    ring.add(t0 + 602s, "< +CMGS: 27");
    ring.add(t0 + 602s, "< OK");
    ring.add(t0 + 603s, "< RING");
    ring.add(t0 + 603s, "< +CLIP: \"+8613900000002\",145,,,,0");
    const auto text = ring.text(t0 + 660s, 5min, "# test-modem\n");
    CHECK(text.rfind("# test-modem\n", 0) == 0);
    CHECK(text.find("4817") == std::string::npos);
    CHECK(text.find("13900000002") == std::string::npos);
    CHECK(text.find("6D4B8BD5") == std::string::npos);
    CHECK(text.find("AT+CSQ") == std::string::npos);
    const auto script = at::parse_transcript(text);
    REQUIRE(script.size() == 9);
    CHECK(script[0].text == "AT+CPIN=\"****\"");
    CHECK(script[4].text == std::string(40, '0') + "^Z");
    CHECK(script[5].text == "+CMGS: 27");
    CHECK(script[8].text == "+CLIP: \"**************\",145,,,,0");

    modem::TranscriptRing small(10);
    for (int i = 0; i < 50; ++i) small.add(t0, "> AT");
    CHECK(small.size() == 10);
}
