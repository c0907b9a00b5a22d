// SPDX-License-Identifier: Apache-2.0
#include "cunxin/sms/reassembly.hpp"

#include "cunxin/sms/pdu.hpp"

namespace cunxin::sms {

Part part_of(const Pdu& pdu, std::chrono::system_clock::time_point received_at, std::int64_t id) {
    Part p;
    p.sender = pdu.address;
    if (pdu.concat) {
        p.reference = pdu.concat->reference;
        p.part = pdu.concat->part;
        p.total = pdu.concat->total;
    }
    p.text = pdu.text;
    p.received_at = received_at;
    p.id = id;
    return p;
}

Reassembler::Reassembler(const std::vector<Part>& stored) {
    // Like add(), but complete groups stay until take_complete().
    for (const auto& p : stored) {
        if (p.total < 1 || p.part < 1 || p.part > p.total) continue;
        auto [it, inserted] = groups_.try_emplace(Key{p.sender, p.reference, p.total});
        Group& g = it->second;
        if (inserted || p.received_at < g.first_received) g.first_received = p.received_at;
        g.parts.try_emplace(p.part, p);
    }
}

AddOutcome Reassembler::add(Part part) {
    AddOutcome out;
    if (part.total < 1 || part.part < 1 || part.part > part.total) {
        out.status = AddStatus::Invalid;
        return out;
    }
    Key key{part.sender, part.reference, part.total};
    auto [it, inserted] = groups_.try_emplace(key);
    Group& g = it->second;
    if (inserted || part.received_at < g.first_received) g.first_received = part.received_at;
    if (g.parts.count(part.part) != 0) {
        out.status = AddStatus::Duplicate;
        if (static_cast<int>(g.parts.size()) < part.total) {
            for (int i = 1; i <= part.total; ++i) {
                if (g.parts.count(i) == 0) out.missing.push_back(i);
            }
        }
        return out;
    }
    const int number = part.part;
    g.parts.emplace(number, std::move(part));
    if (static_cast<int>(g.parts.size()) == std::get<2>(key)) {
        out.status = AddStatus::Complete;
        out.message = join(key, g, "");
        groups_.erase(it);
        return out;
    }
    out.status = AddStatus::Added;
    for (int i = 1; i <= std::get<2>(key); ++i) {
        if (g.parts.count(i) == 0) out.missing.push_back(i);
    }
    return out;
}

Joined Reassembler::join(const Key& key, const Group& g, const std::string& gap_marker) {
    Joined j;
    j.sender = std::get<0>(key);
    j.reference = std::get<1>(key);
    j.total = std::get<2>(key);
    j.first_received = g.first_received;
    for (int i = 1; i <= j.total; ++i) {
        auto p = g.parts.find(i);
        if (p == g.parts.end()) {
            j.missing.push_back(i);
            j.text += gap_marker;
            continue;
        }
        j.text += p->second.text;
        j.part_ids.push_back(p->second.id);
    }
    return j;
}

std::vector<Joined> Reassembler::take_complete() {
    std::vector<Joined> out;
    for (auto it = groups_.begin(); it != groups_.end();) {
        if (static_cast<int>(it->second.parts.size()) == std::get<2>(it->first)) {
            out.push_back(join(it->first, it->second, ""));
            it = groups_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<Joined> Reassembler::expire(std::chrono::system_clock::time_point now,
                                        std::chrono::seconds max_age,
                                        const std::string& gap_marker) {
    std::vector<Joined> out;
    for (auto it = groups_.begin(); it != groups_.end();) {
        if (it->second.first_received + max_age < now) {
            out.push_back(join(it->first, it->second, gap_marker));
            it = groups_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<Joined> Reassembler::pending(const std::string& gap_marker) const {
    std::vector<Joined> out;
    out.reserve(groups_.size());
    for (const auto& [key, g] : groups_) out.push_back(join(key, g, gap_marker));
    return out;
}

}  // namespace cunxin::sms
