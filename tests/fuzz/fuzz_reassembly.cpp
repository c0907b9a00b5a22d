// SPDX-License-Identifier: Apache-2.0
// Fuzzes sms::Reassembler with a stream of 4-byte operations, checked against a simple model:
// a message completes exactly when its last distinct part arrives, with parts in order.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cunxin/sms/reassembly.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

using Clock = std::chrono::system_clock;
using Key = std::tuple<std::string, int, int>;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cunxin::sms::Reassembler r;
    std::map<Key, std::set<int>> model;
    std::vector<cunxin::sms::Part> stored;
    Clock::time_point now{};
    for (std::size_t i = 0; i + 4 <= size; i += 4) {
        const std::uint8_t op = data[i];
        now += std::chrono::seconds(data[i + 1]);
        if (op >= 0xF0) {  // expire everything older than (op & 0x0F) seconds
            auto gone = r.expire(now, std::chrono::seconds(op & 0x0F), "…");
            for (const auto& g : gone) {
                require(model.erase(Key{g.sender, g.reference, g.total}) == 1);
                require(g.part_ids.size() + g.missing.size() == static_cast<std::size_t>(g.total));
            }
            continue;
        }
        if (op >= 0xE0) {  // restart from what was "stored"
            cunxin::sms::Reassembler rebuilt(stored);
            auto complete = rebuilt.take_complete();
            for (const auto& c : complete) require(c.missing.empty());
            continue;
        }
        cunxin::sms::Part p;
        p.sender = std::string(1, static_cast<char>('A' + (op & 0x03)));
        p.reference = data[i + 1] & 0x07;
        p.total = data[i + 2] & 0x0F;
        p.part = data[i + 3] & 0x0F;
        p.text = std::to_string(p.part);
        p.received_at = now;
        p.id = static_cast<std::int64_t>(i);
        stored.push_back(p);
        const auto out = r.add(p);
        if (p.total < 1 || p.part < 1 || p.part > p.total) {
            require(out.status == cunxin::sms::AddStatus::Invalid);
            continue;
        }
        auto& have = model[Key{p.sender, p.reference, p.total}];
        const bool dup = have.count(p.part) != 0;
        have.insert(p.part);
        if (dup) {
            require(out.status == cunxin::sms::AddStatus::Duplicate);
        } else if (static_cast<int>(have.size()) == p.total) {
            require(out.status == cunxin::sms::AddStatus::Complete);
            require(out.message.has_value() && out.message->missing.empty());
            std::string expected;
            for (int k = 1; k <= p.total; ++k) expected += std::to_string(k);
            require(out.message->text == expected);
            model.erase(Key{p.sender, p.reference, p.total});
        } else {
            require(out.status == cunxin::sms::AddStatus::Added);
            require(out.missing.size() == static_cast<std::size_t>(p.total) - have.size());
        }
        require(r.size() == model.size());
    }
    require(r.pending().size() == model.size());
    return 0;
}
