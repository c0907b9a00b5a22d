// SPDX-License-Identifier: Apache-2.0
// Sessions (stored, cached), the login limiter and random tokens.

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cunxin/http/auth.hpp"
#include "store_map.hpp"

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
    const auto now = now_seconds();
    std::string id = random_token(32);
    const std::string key = hash_token(id);
    Session s{user_id, std::move(name), role, random_token(24), now, now, now};
    // Stored before the cookie goes out, so that a restart right after a login keeps it; the
    // same short transaction drops expired sessions.
    const store::Session row{key, user_id, s.csrf, now, now, expires(s)};
    auto stored = core_write(srv_, "store session", [row, now](store::Database& db) -> store::Result<void> {
        if (auto r = store::create_session(db, row); !r) return r;
        if (auto r = store::delete_expired_sessions(db, now); !r) return cunxin::unexpected(r.error());
        return {};
    });
    if (!stored) {
        std::fprintf(stderr, "[http] session kept in memory only (%s): a restart will end it\n",
                     stored.error().detail.c_str());
    }
    std::lock_guard lock(mu_);
    std::erase_if(map_, [&](const auto& kv) { return expires(kv.second) <= now; });
    map_[key] = std::move(s);
    return id;
}

std::optional<Session> Sessions::find(const std::string& id, bool touch) {
    if (id.empty() || id.size() > 128) return std::nullopt;
    const auto now = now_seconds();
    const std::string key = hash_token(id);
    std::unique_lock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) {
        // Not cached: a session from before a restart, or made by another server on this store.
        lock.unlock();
        auto db = srv_.read_db();
        if (!db) return std::nullopt;
        auto row = store::find_session(**db, key, now);
        if (!row || !*row) return std::nullopt;
        const auto& [st, user] = **row;
        Session s{user.id, user.username, to_http(user.role), st.csrf_token, st.created_at,
                  st.last_seen, st.last_seen};
        if (expires(s) <= now) return std::nullopt;
        lock.lock();
        it = map_.emplace(key, std::move(s)).first;
    }
    if (expires(it->second) <= now) {
        map_.erase(it);
        return std::nullopt;
    }
    if (touch) {
        it->second.last = now;
        // Activity reaches the store at most once a minute (SD card wear); the idle timeout
        // is in minutes, so a restart loses at most a minute of it.
        if (now - it->second.stored_last >= 60 && srv_.hooks.post && srv_.hooks.db) {
            it->second.stored_last = now;
            store::Database* wdb = srv_.hooks.db;
            const auto until = expires(it->second);
            srv_.hooks.post([wdb, key, now, until] { (void)store::touch_session(*wdb, key, now, until); });
        }
    }
    return it->second;
}

void Sessions::remove(const std::string& id) {
    const std::string key = hash_token(id);
    {
        std::lock_guard lock(mu_);
        map_.erase(key);
    }
    auto r = core_write(srv_, "delete session", [key](store::Database& db) { return store::delete_session(db, key); });
    if (!r) std::fprintf(stderr, "[http] could not delete a session: %s\n", r.error().detail.c_str());
}

void Sessions::remove_user(std::int64_t user_id) {
    {
        std::lock_guard lock(mu_);
        std::erase_if(map_, [&](const auto& kv) { return kv.second.user_id == user_id; });
    }
    auto r = core_write(srv_, "delete sessions", [user_id](store::Database& db) {
        return store::delete_user_sessions(db, user_id);
    });
    if (!r) std::fprintf(stderr, "[http] could not delete sessions: %s\n", r.error().detail.c_str());
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
