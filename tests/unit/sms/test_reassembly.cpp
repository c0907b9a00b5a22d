// SPDX-License-Identifier: Apache-2.0
// Reassembly of concatenated messages: order, duplicates, gaps, restart from stored parts.

#include <doctest/doctest.h>

#include <chrono>

#include "cunxin/sms/pdu.hpp"
#include "cunxin/sms/reassembly.hpp"

using namespace cunxin::sms;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

namespace {

const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1772692215));

Part part(const std::string& sender, int ref, int n, int total, const std::string& text,
          Clock::time_point at = kT0, std::int64_t id = 0) {
    Part p;
    p.sender = sender;
    p.reference = ref;
    p.part = n;
    p.total = total;
    p.text = text;
    p.received_at = at;
    p.id = id;
    return p;
}

}  // namespace

TEST_CASE("parts out of order complete with the text in order") {
    Reassembler r;
    auto a = r.add(part("+8613912345678", 7, 3, 3, "three", kT0, 30));
    CHECK(a.status == AddStatus::Added);
    CHECK(a.missing == std::vector<int>{1, 2});
    auto b = r.add(part("+8613912345678", 7, 1, 3, "one ", kT0 + 1s, 10));
    CHECK(b.status == AddStatus::Added);
    CHECK(b.missing == std::vector<int>{2});
    CHECK(r.size() == 1);
    auto c = r.add(part("+8613912345678", 7, 2, 3, "two ", kT0 + 2s, 20));
    REQUIRE(c.status == AddStatus::Complete);
    REQUIRE(c.message);
    CHECK(c.message->text == "one two three");
    CHECK(c.message->missing.empty());
    CHECK(c.message->part_ids == std::vector<std::int64_t>{10, 20, 30});
    CHECK(c.message->first_received == kT0);
    CHECK(r.size() == 0);
}

TEST_CASE("duplicates are ignored, the first copy wins") {
    Reassembler r;
    CHECK(r.add(part("A", 1, 1, 2, "first")).status == AddStatus::Added);
    auto d = r.add(part("A", 1, 1, 2, "other"));
    CHECK(d.status == AddStatus::Duplicate);
    CHECK(d.missing == std::vector<int>{2});
    auto c = r.add(part("A", 1, 2, 2, "!"));
    REQUIRE(c.message);
    CHECK(c.message->text == "first!");
}

TEST_CASE("groups are keyed by sender + reference + total") {
    Reassembler r;
    r.add(part("A", 5, 1, 2, "a1"));
    r.add(part("B", 5, 1, 2, "b1"));  // other sender
    r.add(part("A", 6, 1, 2, "x1"));  // other reference
    r.add(part("A", 5, 1, 3, "y1"));  // other total
    CHECK(r.size() == 4);
    auto c = r.add(part("B", 5, 2, 2, "b2"));
    REQUIRE(c.message);
    CHECK(c.message->text == "b1b2");
    CHECK(c.message->sender == "B");
    CHECK(r.size() == 3);
}

TEST_CASE("invalid part numbers are refused, a single part completes at once") {
    Reassembler r;
    CHECK(r.add(part("A", 1, 0, 2, "")).status == AddStatus::Invalid);
    CHECK(r.add(part("A", 1, 3, 2, "")).status == AddStatus::Invalid);
    CHECK(r.add(part("A", 1, 1, 0, "")).status == AddStatus::Invalid);
    CHECK(r.size() == 0);
    auto one = r.add(part("A", 0, 1, 1, "short"));
    REQUIRE(one.status == AddStatus::Complete);
    CHECK(one.message->text == "short");
}

TEST_CASE("expire() hands over old incomplete groups with gaps marked") {
    Reassembler r;
    r.add(part("A", 1, 1, 3, "one ", kT0));
    r.add(part("A", 1, 3, 3, " three", kT0 + 10s));
    r.add(part("B", 2, 1, 2, "fresh", kT0 + 100s));
    CHECK(r.expire(kT0 + 60s, 120s, "[…]").empty());
    auto gone = r.expire(kT0 + 200s, 120s, "[…]");
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].sender == "A");
    CHECK(gone[0].text == "one […] three");
    CHECK(gone[0].missing == std::vector<int>{2});
    CHECK(r.size() == 1);
    const auto pend = r.pending("?");
    REQUIRE(pend.size() == 1);
    CHECK(pend[0].text == "fresh?");
    CHECK(pend[0].missing == std::vector<int>{2});
}

TEST_CASE("rebuilt from stored parts after a restart") {
    const std::vector<Part> stored = {
        part("A", 9, 2, 2, "world", kT0 + 5s, 2),
        part("B", 3, 1, 3, "b1", kT0, 3),
        part("A", 9, 1, 2, "hello ", kT0 + 1s, 1),
        part("B", 3, 1, 3, "b1 again", kT0, 4),  // a duplicate stored twice
        part("C", 1, 5, 2, "bogus", kT0, 5),     // invalid, dropped
    };
    Reassembler r(stored);
    CHECK(r.size() == 2);
    auto done = r.take_complete();
    REQUIRE(done.size() == 1);
    CHECK(done[0].text == "hello world");
    CHECK(done[0].part_ids == std::vector<std::int64_t>{1, 2});
    CHECK(done[0].first_received == kT0 + 1s);
    CHECK(r.size() == 1);
    CHECK(r.take_complete().empty());
    auto c = r.add(part("B", 3, 3, 3, "b3"));
    CHECK(c.status == AddStatus::Added);
    c = r.add(part("B", 3, 2, 3, "b2"));
    REQUIRE(c.message);
    CHECK(c.message->text == "b1b2b3");
}

TEST_CASE("part_of() takes sender, concat and text from a decoded PDU") {
    auto pdu = decode("00440D91683119325476F80008621020304050000B060804123403024E16754C");
    REQUIRE(pdu);
    const Part p = part_of(*pdu, kT0, 77);
    CHECK(p.sender == "+8613912345678");
    CHECK(p.reference == 0x1234);
    CHECK(p.part == 2);
    CHECK(p.total == 3);
    CHECK(p.text == "世界");
    CHECK(p.id == 77);
    auto single = decode("00040BA13119325476F800005221133295950A02C834");
    REQUIRE(single);
    const Part s = part_of(*single, kT0);
    CHECK(s.part == 1);
    CHECK(s.total == 1);
}
