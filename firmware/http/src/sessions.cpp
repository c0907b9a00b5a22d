// SPDX-License-Identifier: Apache-2.0
// Sessions, the login limiter and random tokens.

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "server_impl.hpp"

namespace cunxin::http {

std::string random_token(std::size_t bytes) {
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::string Sessions::create(std::int64_t user_id, std::string name, Role role) {
    const auto now = Clock::now();
    std::string id = random_token(32);
    std::lock_guard lock(mu_);
    // Drop expired sessions now and then so the table stays small.
    std::erase_if(map_, [&](const auto& kv) {
        return now - kv.second.created > ttl_ || now - kv.second.last > idle_;
    });
    map_[id] = Session{user_id, std::move(name), role, random_token(24), now, now};
    return id;
}

std::optional<Session> Sessions::find(const std::string& id, bool touch) {
    if (id.empty()) return std::nullopt;
    const auto now = Clock::now();
    std::lock_guard lock(mu_);
    auto it = map_.find(id);
    if (it == map_.end()) return std::nullopt;
    if (now - it->second.created > ttl_ || now - it->second.last > idle_) {
        map_.erase(it);
        return std::nullopt;
    }
    if (touch) it->second.last = now;
    return it->second;
}

void Sessions::remove(const std::string& id) {
    std::lock_guard lock(mu_);
    map_.erase(id);
}

void Sessions::remove_user(std::int64_t user_id) {
    std::lock_guard lock(mu_);
    std::erase_if(map_, [&](const auto& kv) { return kv.second.user_id == user_id; });
}

bool Limiter::blocked(const std::string& key, int max, std::chrono::seconds window) {
    const auto now = Clock::now();
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    auto& q = it->second;
    while (!q.empty() && now - q.front() > window) q.pop_front();
    if (q.empty()) {
        map_.erase(it);
        return false;
    }
    return static_cast<int>(q.size()) >= max;
}

void Limiter::fail(const std::string& key) {
    std::lock_guard lock(mu_);
    if (map_.size() > 10000) map_.clear();  // bounded memory under a flood of addresses
    auto& q = map_[key];
    q.push_back(Clock::now());
    if (q.size() > 100) q.pop_front();
}

void Limiter::clear(const std::string& key) {
    std::lock_guard lock(mu_);
    map_.erase(key);
}

}  // namespace cunxin::http
