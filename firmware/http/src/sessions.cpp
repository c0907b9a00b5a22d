// SPDX-License-Identifier: Apache-2.0
// Sessions (stored, cached), the login back-off and random tokens.

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
    const auto now = now_seconds(srv_);
    std::string id = random_token(32);
    const std::string key = hash_token(id);
    Session s{user_id, std::move(name), role, random_token(24), now, now, now};
    // Stored before the cookie goes out, so that a restart right after a login keeps it; the
    // same short transaction drops expired sessions.
    const store::Session row{key, user_id, s.csrf, now, now, expires(s)};
    auto stored = command(srv_, [row](messaging::Commands& c) { return c.create_session(row); });
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
    const auto now = now_seconds(srv_);
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
        if (now - it->second.stored_last >= 60 && srv_.hooks.post && srv_.hooks.core) {
            it->second.stored_last = now;
            CoreApi* core = srv_.hooks.core;
            const auto until = expires(it->second);
            srv_.hooks.post([core, key, now, until] { (void)core->commands().touch_session(key, now, until); });
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
    auto r = command(srv_, [key](messaging::Commands& c) { return c.delete_session(key); });
    if (!r) std::fprintf(stderr, "[http] could not delete a session: %s\n", r.error().detail.c_str());
}

void Sessions::remove_user(std::int64_t user_id, const std::string& keep) {
    const std::string keep_key = keep.empty() ? std::string() : hash_token(keep);
    std::optional<store::Session> kept;
    {
        std::lock_guard lock(mu_);
        if (auto it = map_.find(keep_key); !keep_key.empty() && it != map_.end() && it->second.user_id == user_id) {
            const Session& s = it->second;
            kept = store::Session{keep_key, user_id, s.csrf, s.created, s.last, expires(s)};
        }
        std::erase_if(map_, [&](const auto& kv) { return kv.second.user_id == user_id && kv.first != keep_key; });
    }
    // One core task (nothing runs in between): the stored sessions go, the kept one is written back.
    auto r = command(srv_, [user_id, kept](messaging::Commands& c) { return c.delete_user_sessions(user_id, kept); });
    if (!r) std::fprintf(stderr, "[http] could not delete sessions: %s\n", r.error().detail.c_str());
}

LoginLimiter::LoginLimiter(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 16)) {}

long long LoginLimiter::wait_seconds(const std::string& key, Clock::time_point now) {
    using std::chrono::ceil;
    using std::chrono::seconds;
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    const Entry* e = nullptr;
    if (it != map_.end()) {
        e = &it->second;
    } else if (map_.size() >= capacity_) {
        e = &overflow_;  // untracked while the table is full: the shared entry decides
    }
    if (!e || e->locked_until <= now) return 0;
    return ceil<seconds>(e->locked_until - now).count();
}

long long LoginLimiter::fail(const std::string& key, const Policy& policy, Clock::time_point now) {
    using std::chrono::ceil;
    using std::chrono::seconds;
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    Entry* e = nullptr;
    if (it != map_.end()) {
        e = &it->second;
    } else if (map_.size() < capacity_ || make_room(now)) {
        e = &map_[key];
    } else {
        e = &overflow_;
    }
    e->failures = std::min(e->failures + 1, 1 << 20);
    e->last = now;
    const int extra = e->failures - policy.free_failures;
    if (extra > 0) {
        auto delay = policy.first_delay;
        for (int i = 1; i < extra && delay < policy.max_delay; ++i) delay *= 2;
        delay = std::min(delay, policy.max_delay);
        e->locked_until = std::max(e->locked_until, now + delay);
    }
    e->forget_at = std::max(now + policy.forget_after, e->locked_until);
    return e->locked_until > now ? ceil<seconds>(e->locked_until - now).count() : 0;
}

bool LoginLimiter::make_room(Clock::time_point now) {
    // 1. Everything that may be forgotten (idle long enough and not locked).
    const auto before = map_.size();
    std::erase_if(map_, [&](const auto& kv) { return kv.second.forget_at <= now && kv.second.locked_until <= now; });
    if (map_.size() < before) return true;
    // 2. Else the unlocked entry whose last failure is the oldest: it only loses its count.
    auto victim = map_.end();
    for (auto it = map_.begin(); it != map_.end(); ++it) {
        if (it->second.locked_until > now) continue;
        if (victim == map_.end() || it->second.last < victim->second.last) victim = it;
    }
    if (victim == map_.end()) return false;  // every key is locked now: none is forgotten
    map_.erase(victim);
    return true;
}

void LoginLimiter::clear(const std::string& key) {
    std::lock_guard lock(mu_);
    map_.erase(key);
}

std::size_t LoginLimiter::size() {
    std::lock_guard lock(mu_);
    return map_.size();
}

}  // namespace cunxin::http
