// SPDX-License-Identifier: Apache-2.0
// Issue 14 items 6 and 7 against the real daemon: vendor URCs inside answers lose nothing, a
// call is hung up and recorded, the support bundle holds every part and no secret, and its AT
// transcript replays in the unit tests' pty driver.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "common.hpp"
#include "replay.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

Json sim_status(Appliance& a, int modem) {
    auto j = Json::parse(a.sim().control(R"({"cmd":"status"})"));
    return j.at("modems").at(static_cast<std::size_t>(modem));
}

std::vector<sim::ModemConfig> three_profiles(bool noise) {
    std::vector<sim::ModemConfig> m(3);
    m[0].profile = sim::Profile::QuectelEc25;
    m[1].profile = sim::Profile::SimcomSim7600;
    m[2].profile = sim::Profile::HuaweiE3372;
    for (auto& c : m) c.faults.noise_in_responses = noise;
    return m;
}

}  // namespace

TEST_CASE("vendor URCs inside the AT+CMGL answers of a drain lose no message") {
    Appliance a({.modems = 3, .modem_configs = three_profiles(true)});
    // Stored on the SIMs before the daemon starts: only the start-up drain (AT+CMGL=4) reads them.
    int expected = 0;
    for (int m = 0; m < 3; ++m) {
        for (int k = 0; k < 3; ++k) {
            sim::Incoming in;
            in.modem = m;
            in.from = mobile(300 + m * 10 + k);
            in.text = "0" + std::to_string(k + 1) + " 第" + std::to_string(m) + "号设备的回复" + std::to_string(k);
            a.sim().inject(in);
            ++expected;
        }
    }
    sim::Incoming longer;  // two parts
    longer.modem = 2;
    longer.from = mobile(399);
    longer.text = std::string(40, 'x') + "，村里的水渠需要清理，请安排人员尽快处理。另外道路两边的杂草也需要清除，谢谢！";
    a.sim().inject(longer);
    ++expected;
    a.start();
    std::vector<Json> got;
    REQUIRE_MESSAGE(wait_until([&] {
        got = a.all_messages("in");
        return static_cast<int>(got.size()) == expected;
    }, 60s), a.log());
    for (int m = 0; m < 3; ++m) {
        CAPTURE(m);
        const auto st = sim_status(a, m);
        CHECK(st.at("noise_urcs").get<int>() > 0);  // the answers did carry vendor URCs
        // every message was read and deleted (once on disk: a flush after it became visible)
        CHECK(wait_until([&] { return sim_status(a, m).at("sm_used").get<int>() == 0; }, 10s));
    }
    bool found_long = false;
    for (const auto& msg : got) {
        if (msg.at("peer") == mobile(399)) found_long = msg.at("text").get<std::string>() == longer.text;
    }
    CHECK(found_long);
    CHECK(a.ready_modems() == 3);
}

TEST_CASE("a voice call is hung up with ATH and recorded against the contact") {
    Appliance a({.modems = 2, .modem_configs = three_profiles(true)});
    a.start();
    const std::string caller = mobile(777);
    auto c = a.post("/api/v1/contacts", {{"name", "王五"}, {"mobile", caller}, {"village", "南村"}});
    REQUIRE_MESSAGE(c.status == 201, c.body);
    // Rings every 300 ms up to 20 times: only an ATH stops it before NO CARRIER.
    a.sim().ring(1, caller, 20, std::chrono::milliseconds(300));
    REQUIRE_MESSAGE(wait_until([&] { return sim_status(a, 1).at("hangups").get<int>() == 1; }, 15s), a.log());
    CHECK_FALSE(sim_status(a, 1).at("ringing").get<bool>());
    Json calls;
    REQUIRE(wait_until([&] {
        auto r = a.get("/api/v1/calls");
        if (r.status != 200) return false;
        calls = r.json();
        return calls.at("items").size() == 1;
    }, 10s));
    const auto& call = calls["items"][0];
    CHECK(call.at("number") == caller);
    CHECK(call.at("contact_name") == "王五");
    CHECK(call.at("village") == "南村");
    CHECK(calls.at("last_24h") == 1);
    // The modem still sends after the call.
    auto s = a.post("/api/v1/messages", {{"to", {mobile(778)}}, {"text", "来电已收到"}});
    CHECK(s.status == 202);
    CHECK(a.sim().wait_sent(1, 20s));
}

TEST_CASE("the support bundle holds every part, no secret, and a transcript that replays") {
    const std::string pin = "4817";
    const std::string sim_pin = "5926";
    Appliance a({.modems = 2,
                 .extra_config = R"("pin": ")" + pin + R"(", "sims": {"89860000000000000099": {"pin": ")" + sim_pin + R"("}})"});
    a.start();
    // Some traffic for the transcripts: a send and a reply.
    REQUIRE(a.post("/api/v1/messages", {{"to", {mobile(901)}}, {"text", "支持包测试"}}).status == 202);
    REQUIRE(a.sim().wait_sent(1, 20s));
    auto r = a.get("/api/v1/doctor");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    MESSAGE("support bundle of 2 modems: " << r.body.size() << " bytes");
    CHECK(r.body.find(pin) == std::string::npos);
    CHECK(r.body.find(sim_pin) == std::string::npos);
    const auto b = r.json();
    CHECK(b.at("source") == "daemon");
    CHECK(b.at("versions").at("cunxin").get<std::string>().size() > 0);
    CHECK(b.at("versions").at("schema") == b.at("versions").at("schema_latest"));
    CHECK(b.at("config").at("content").at("pin") == "(removed)");
    CHECK(b.at("config").at("content").at("sims").at("89860000000000000099").at("pin") == "(removed)");
    CHECK(b.at("config").at("effective").at("pin_set") == true);
    REQUIRE(b.at("modems").size() == 2);
    CHECK(b.at("modems")[0].at("imei").get<std::string>().size() == 15);
    CHECK(b.at("modems")[0].at("state") == "ready");
    CHECK(b.at("storage").at("disk_free_bytes").get<long long>() > 0);
    CHECK(b.at("storage").at("db_bytes").get<long long>() > 0);
    CHECK(b.at("storage").at("sim_storage").size() == 2);
    CHECK(b.at("clock").at("source").is_string());
    CHECK(b.at("recent_problems").is_array());
    CHECK(b.at("sims").size() == 2);
    // A transcript from the bundle replays through the unit tests' pty driver.
    const auto text = b.at("modems")[0].at("transcript").get<std::string>();
    CHECK(text.find("> AT+CMGF=0") != std::string::npos);
    const auto script = cunxin::at::parse_transcript(text);
    REQUIRE(script.size() > 10);
    int oks = 0;
    for (const auto& l : script) oks += l.dir == cunxin::at::TranscriptLine::Dir::FromModem && l.text == "OK";
    const auto replayed = cunxin::test::replay(script, std::chrono::milliseconds(500));
    CHECK(replayed.finished);
    CHECK(replayed.peer_log.empty());
    int ok_results = 0;
    for (const auto& res : replayed.results) ok_results += res.has_value();
    CHECK(ok_results == oks);
    // `cunxin doctor` with the daemon stopped: what the config and the database give.
    REQUIRE(a.stop() == 0);
    const auto out = a.data_dir() / "bundle.json";
    std::string ignored;
    REQUIRE(run_capture({built("firmware/app/cunxin").string(), "doctor", "--config",
                         (a.data_dir() / "config.json").string(), "--data-dir", a.data_dir().string(),
                         "--out", out.string()},
                        ignored) == 0);
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str().find(pin) == std::string::npos);
    CHECK(ss.str().find(sim_pin) == std::string::npos);
    const auto off = Json::parse(ss.str());
    CHECK(off.at("source") == "offline");
    CHECK(off.at("sims").size() == 2);
    CHECK(off.at("config").at("content").at("pin") == "(removed)");
    CHECK(off.at("storage").at("db_bytes").get<long long>() > 0);
    CHECK(off.at("notes").size() >= 1);
}
