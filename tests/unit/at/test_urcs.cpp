// SPDX-License-Identifier: Apache-2.0
// Vendor URCs between the lines of a response (issue 14 item 6): each transcript is replayed
// through the real at::Channel over a pty; the parsed answer must be whole and every URC must
// reach the URC handler.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cunxin/at/parsers.hpp"
#include "replay.hpp"

using namespace cunxin;

namespace {

test::Replayed replay_file(const std::string& name) {
    const auto path = std::filesystem::path(CUNXIN_SOURCE_DIR) / "tests/unit/at/data" / name;
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto script = at::parse_transcript(ss.str());
    REQUIRE_FALSE(script.empty());
    return test::replay(script);
}

}  // namespace

TEST_CASE("an AT+CMGL listing with Quectel URCs inside keeps both messages and hands over every URC") {
    auto r = replay_file("quectel-ec25-cmgl-urcs.at");
    REQUIRE(r.finished);
    CHECK(r.peer_log.empty());
    REQUIRE(r.results.size() == 1);
    REQUIRE(r.results[0]);
    auto list = at::parse_cmgl(r.results[0]->lines);
    REQUIRE(list);
    REQUIRE(list->size() == 2);
    CHECK((*list)[0].index == 0);
    CHECK((*list)[0].pdu.substr(0, 8) == "08916831");
    CHECK((*list)[0].pdu.size() == 86);
    CHECK((*list)[1].index == 1);
    CHECK((*list)[1].pdu.substr(76) == "8C90E85206");
    const std::vector<std::string> want{"+QIURC: \"pdpdeact\",1", "+QIND: \"csq\",20,99", "RING",
                                        "+CLIP: \"+8613900000002\",145,,,,0", "+CREG: 1",
                                        "NO CARRIER"};
    CHECK(r.urcs == want);
}

TEST_CASE("an AT+CSQ answer between SIMCom start-up URCs parses and the URCs are delivered") {
    auto r = replay_file("simcom-sim7600-csq-urcs.at");
    REQUIRE(r.finished);
    REQUIRE(r.results.size() == 1);
    REQUIRE(r.results[0]);
    REQUIRE(r.results[0]->lines.size() == 1);
    auto csq = at::parse_csq(r.results[0]->lines[0]);
    REQUIRE(csq);
    CHECK(csq->signal_dbm == -71);
    const std::vector<std::string> want{"RDY", "+CPIN: READY", "SMS DONE", "+CGEV: ME PDN ACT 1",
                                        "PB DONE"};
    CHECK(r.urcs == want);
}

TEST_CASE("an AT+CMGS with Huawei URCs around the prompt gives its message reference") {
    auto r = replay_file("huawei-e3372-cmgs-urcs.at");
    REQUIRE(r.finished);
    CHECK(r.peer_log.empty());
    REQUIRE(r.results.size() == 1);
    REQUIRE(r.results[0]);
    CHECK(r.results[0]->lines == std::vector<std::string>{"+CMGS: 27"});
    auto mr = at::parse_cmgs_reference(r.results[0]->lines);
    REQUIRE(mr);
    CHECK(*mr == 27);
    const std::vector<std::string> want{"^RSSI:12", "^BOOT:20770955,0,0,0,75",
                                        "^HCSQ:\"LTE\",48,45,112,20", "^MODE:17,17", "^SRVST:2"};
    CHECK(r.urcs == want);
}
