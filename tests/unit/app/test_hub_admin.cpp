// SPDX-License-Identifier: Apache-2.0
// `cunxin hub add-box`: box ids, broker addresses, mosquitto's password-file format, ACL lines.

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "hub_admin.hpp"

using namespace cunxin::app;

TEST_CASE("box ids are 1 to 32 of a-z 0-9 and dash") {
    CHECK(valid_box_id("xinglong"));
    CHECK(valid_box_id("a"));
    CHECK(valid_box_id("box-07"));
    CHECK(valid_box_id(std::string(32, 'z')));
    CHECK_FALSE(valid_box_id(""));
    CHECK_FALSE(valid_box_id(std::string(33, 'z')));
    CHECK_FALSE(valid_box_id("Xinglong"));
    CHECK_FALSE(valid_box_id("xing long"));
    CHECK_FALSE(valid_box_id("a/b"));      // would reach other topics
    CHECK_FALSE(valid_box_id("+"));        // MQTT wildcard
    CHECK_FALSE(valid_box_id("#"));
    CHECK_FALSE(valid_box_id("兴隆"));
    CHECK_FALSE(valid_box_id("x:y"));      // the password file's separator
}

TEST_CASE("password line matches mosquitto_passwd 2.x output") {
    // `mosquitto_passwd -c -b f xinglong secret123` (mosquitto 2.0.11, Debian 12) wrote this line;
    // its salt is base64 "vJ9hntIx4T7fSg0x".
    const std::uint8_t salt[] = {0xbc, 0x9f, 0x61, 0x9e, 0xd2, 0x31, 0xe1, 0x3e, 0xdf, 0x4a, 0x0d, 0x31};
    CHECK(mosquitto_password_line("xinglong", "secret123", salt, 101) ==
          "xinglong:$7$101$vJ9hntIx4T7fSg0x$Hg4p4u6401Gr4jKyz4ofb6awj6iIecn/R8AjBAIK2J4EnJzQrvFTHFfwdtHxBNYGk4LVYxEhTf0V40NrtFs/jQ==");
}

TEST_CASE("broker addresses") {
    auto a = parse_broker_url("mqtts://hub.county.lan:8883");
    REQUIRE(a);
    CHECK(a->tls);
    CHECK(a->host == "hub.county.lan");
    CHECK(a->port == 8883);
    auto b = parse_broker_url("mqtt://10.0.0.5");
    REQUIRE(b);
    CHECK_FALSE(b->tls);
    CHECK(b->port == 1883);
    CHECK(b->str() == "mqtt://10.0.0.5:1883");
    auto c = parse_broker_url("mqtts://[fd00::1]:18883");
    REQUIRE(c);
    CHECK(c->host == "[fd00::1]");
    CHECK(c->port == 18883);
    CHECK_FALSE(parse_broker_url("http://hub:8883"));
    CHECK_FALSE(parse_broker_url("mqtts://hub:0"));
    CHECK_FALSE(parse_broker_url("mqtts://hub:65536"));
    CHECK_FALSE(parse_broker_url("mqtts://hub:88x"));
    CHECK_FALSE(parse_broker_url("mqtts://"));
    CHECK_FALSE(parse_broker_url("mqtts://hu b:8883"));
}

TEST_CASE("a box gets its own topics only and a fresh password each time") {
    auto broker = parse_broker_url("mqtts://hub.county.lan:8883");
    REQUIRE(broker);
    auto one = make_box_access("xinglong", *broker, "/etc/cunxin/county-ca.crt");
    auto two = make_box_access("xinglong", *broker, "/etc/cunxin/county-ca.crt");
    REQUIRE(one);
    REQUIRE(two);
    const auto& j = *one;
    CHECK(j["federation"]["box_id"] == "xinglong");
    CHECK(j["federation"]["username"] == "xinglong");
    CHECK(j["federation"]["broker"] == "mqtts://hub.county.lan:8883");
    CHECK(j["federation"]["ca"] == "/etc/cunxin/county-ca.crt");
    const std::string pw = j["password"];
    CHECK(pw.size() == 24);
    CHECK(j["federation"]["password"] == pw);
    CHECK(pw != (*two)["password"].get<std::string>());
    const std::string line = j["password_file_line"];
    CHECK(line.rfind("xinglong:$7$101$", 0) == 0);
    CHECK(line.find(pw) == std::string::npos);  // only the hash goes to the broker
    CHECK(line != (*two)["password_file_line"].get<std::string>());
    std::set<std::string> acl;
    for (const auto& l : j["acl_lines"]) acl.insert(l.get<std::string>());
    CHECK(acl == std::set<std::string>{"user xinglong", "topic read cunxin/v1/box/xinglong/cmd",
                                       "topic write cunxin/v1/box/xinglong/event",
                                       "topic write cunxin/v1/box/xinglong/status"});
    // The snippet pastes into a config object as one member.
    const auto parsed = nlohmann::json::parse("{" + j["config_snippet"].get<std::string>() + "}");
    CHECK(parsed["federation"] == j["federation"]);
    CHECK_FALSE(make_box_access("Bad/Id", *broker, "ca.crt"));
}

TEST_CASE("plain mqtt leaves the ca out and the hub gets the whole tree") {
    auto broker = parse_broker_url("mqtt://127.0.0.1:1883");
    REQUIRE(broker);
    auto box = make_box_access("dongshan", *broker, "/etc/cunxin/county-ca.crt");
    REQUIRE(box);
    CHECK_FALSE((*box)["federation"].contains("ca"));
    auto hub = make_box_access("hub", *broker, "/etc/cunxin/county-ca.crt");
    REQUIRE(hub);
    CHECK((*hub)["role"] == "hub");
    CHECK_FALSE((*hub)["federation"].contains("box_id"));
    CHECK((*hub)["config"]["federation"]["username"] == "hub");
    CHECK((*hub)["acl_lines"][1] == "topic readwrite cunxin/v1/#");
}
