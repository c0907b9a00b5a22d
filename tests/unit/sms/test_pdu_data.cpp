// SPDX-License-Identifier: Apache-2.0
// Data-driven: data/{deliver,status,submit}/*.pdu decode to the JSON beside them (the JSON of
// `cunxin pdu decode`); data/invalid/*.pdu fail with the reason in the .reason file.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cunxin/sms/pdu.hpp"

namespace cunxin::app {
nlohmann::json pdu_to_json(const sms::Pdu& pdu);  // firmware/app/src/cmd_pdu.cpp
}

namespace fs = std::filesystem;
using namespace cunxin::sms;

namespace {

const fs::path kData = fs::path(CUNXIN_SOURCE_DIR) / "tests/unit/sms/data";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

std::vector<fs::path> pdus_in(const char* dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(kData / dir)) {
        if (e.path().extension() == ".pdu") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void check_folder(const char* dir, std::size_t at_least) {
    const auto files = pdus_in(dir);
    CHECK(files.size() >= at_least);
    for (const auto& f : files) {
        const std::string name = f.filename().string();
        CAPTURE(name);
        const std::string hex = trimmed(slurp(f));
        auto pdu = decode(hex);
        if (!pdu) {
            const std::string why = to_string(pdu.error().code) + (": " + pdu.error().detail);
            CAPTURE(why);
            FAIL_CHECK("decode failed");
            continue;
        }
        auto expected = nlohmann::json::parse(slurp(fs::path(f).replace_extension(".json")));
        const auto actual = cunxin::app::pdu_to_json(*pdu);
        const std::string got = actual.dump();
        const std::string want = expected.dump();
        CHECK(got == want);
        // The same TPDU without the SMSC field decodes the same (apart from the SMSC).
        const std::size_t smsc_digits = (std::stoul(hex.substr(0, 2), nullptr, 16) + 1) * 2;
        auto bare = decode(hex.substr(smsc_digits), false);
        REQUIRE(bare);
        auto bare_json = cunxin::app::pdu_to_json(*bare);
        bare_json["smsc"] = expected["smsc"];
        CHECK(bare_json.dump() == want);
    }
}

}  // namespace

TEST_CASE("data/deliver: SMS-DELIVER samples decode to their JSON") { check_folder("deliver", 10); }

TEST_CASE("data/status: SMS-STATUS-REPORT samples decode to their JSON") { check_folder("status", 3); }

TEST_CASE("data/submit: SMS-SUBMIT samples decode to their JSON") { check_folder("submit", 2); }

TEST_CASE("data/invalid: malformed PDUs fail with the named reason") {
    const auto files = pdus_in("invalid");
    CHECK(files.size() >= 20);
    for (const auto& f : files) {
        const std::string name = f.filename().string();
        CAPTURE(name);
        const std::string want = trimmed(slurp(fs::path(f).replace_extension(".reason")));
        auto pdu = decode(trimmed(slurp(f)));
        REQUIRE_FALSE(pdu);
        const std::string got = to_string(pdu.error().code);
        const std::string detail = pdu.error().detail;
        CAPTURE(detail);
        CHECK(got == want);
        CHECK_FALSE(detail.empty());
    }
}

TEST_CASE("every truncation of every good sample fails cleanly or decodes marked damaged") {
    for (const char* dir : {"deliver", "status", "submit"}) {
        for (const auto& f : pdus_in(dir)) {
            const std::string name = f.filename().string();
            CAPTURE(name);
            auto bytes = from_hex(trimmed(slurp(f)));
            REQUIRE(bytes);
            const std::size_t full = bytes->size();
            // Status reports may legally end after TP-ST: only check strict prefixes that cut
            // into a mandatory field, i.e. all prefixes for deliver/submit.
            const bool optional_tail = std::string(dir) == "status";
            for (std::size_t n = 0; n < full; ++n) {
                // a heap copy of exactly n bytes: ASan catches any read past it
                std::vector<std::uint8_t> cut(bytes->begin(), bytes->begin() + static_cast<long>(n));
                cut.shrink_to_fit();
                auto r = decode(cut);
                if (!optional_tail && r) {
                    // Only a cut inside the user data decodes, best-effort and marked as such.
                    CAPTURE(n);
                    CHECK(r->damage == "short_user_data");
                    CHECK(r->text.size() <= 4 * 160);
                }
            }
        }
    }
}

TEST_CASE("data/deliver: damaged samples say why, sound ones say nothing") {
    for (const auto& f : pdus_in("deliver")) {
        const std::string name = f.filename().string();
        CAPTURE(name);
        auto pdu = decode(trimmed(slurp(f)));
        REQUIRE(pdu);
        auto expected = nlohmann::json::parse(slurp(fs::path(f).replace_extension(".json")));
        CHECK(pdu->damaged() == expected.contains("damaged"));
        if (pdu->damaged()) {
            CHECK(expected["damaged"] == pdu->damage);
            CHECK_FALSE(pdu->damage_detail.empty());
        }
    }
}
