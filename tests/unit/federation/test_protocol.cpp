// SPDX-License-Identifier: Apache-2.0
// Topics, ids and broker addresses of the county protocol (docs/federation.md).
#include <doctest/doctest.h>

#include "cunxin/federation/mqtt.hpp"
#include "cunxin/federation/protocol.hpp"

using namespace cunxin::federation;

TEST_CASE("box ids are 1 to 32 of a-z 0-9 and dash") {
    CHECK(valid_box_id("xinglong"));
    CHECK(valid_box_id("box-07"));
    CHECK(valid_box_id(std::string(32, 'a')));
    CHECK_FALSE(valid_box_id(""));
    CHECK_FALSE(valid_box_id(std::string(33, 'a')));
    CHECK_FALSE(valid_box_id("Xinglong"));
    CHECK_FALSE(valid_box_id("a/b"));
    CHECK_FALSE(valid_box_id("a+"));
    CHECK_FALSE(valid_box_id("#"));
}

TEST_CASE("topics are built and parsed back, anything else is refused") {
    CHECK(cmd_topic("xinglong") == "cunxin/v1/box/xinglong/cmd");
    CHECK(event_topic("xinglong") == "cunxin/v1/box/xinglong/event");
    CHECK(status_topic("xinglong") == "cunxin/v1/box/xinglong/status");
    const auto p = parse_topic("cunxin/v1/box/baiyun/event");
    REQUIRE(p);
    CHECK(p->box == "baiyun");
    CHECK(p->kind == "event");
    CHECK_FALSE(parse_topic("cunxin/v2/box/baiyun/event"));
    CHECK_FALSE(parse_topic("cunxin/v1/box/baiyun/other"));
    CHECK_FALSE(parse_topic("cunxin/v1/box/Bad/event"));
    CHECK_FALSE(parse_topic("cunxin/v1/box/baiyun"));
    CHECK_FALSE(parse_topic("cunxin/v1/box/baiyun/event/x"));
}

TEST_CASE("event ids name a box and a positive sequence number") {
    const auto id = parse_event_id("xinglong:42");
    REQUIRE(id);
    CHECK(id->first == "xinglong");
    CHECK(id->second == 42);
    CHECK_FALSE(parse_event_id("xinglong:0"));
    CHECK_FALSE(parse_event_id("xinglong:"));
    CHECK_FALSE(parse_event_id("xinglong:4x"));
    CHECK_FALSE(parse_event_id(":4"));
    CHECK_FALSE(parse_event_id("Xing:4"));
    CHECK_FALSE(parse_event_id("xinglong:99999999999999999999"));
}

TEST_CASE("broker addresses mqtt and mqtts with default ports") {
    auto a = parse_broker("mqtt://127.0.0.1:1884");
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 1884);
    CHECK_FALSE(a->tls);
    a = parse_broker("mqtts://hub.county.lan");
    REQUIRE(a);
    CHECK(a->port == 8883);
    CHECK(a->tls);
    a = parse_broker("mqtt://[::1]:1883");
    REQUIRE(a);
    CHECK(a->host == "::1");
    CHECK(a->port == 1883);
    CHECK_FALSE(parse_broker("http://x:1"));
    CHECK_FALSE(parse_broker("mqtt://:1883"));
    CHECK_FALSE(parse_broker("mqtt://x:99999"));
    CHECK_FALSE(parse_broker("mqtt://x:1a"));
}
