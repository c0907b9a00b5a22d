// SPDX-License-Identifier: Apache-2.0
// Password hashing (argon2id) and API token hashing (SHA-256) with libsodium.

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "cunxin/http/auth.hpp"
#include "server_impl.hpp"

namespace cunxin::http {
namespace {

// One hash at a time: argon2id is memory-hard by design, and the board has little RAM.
std::mutex g_hash_mu;
constexpr unsigned long long kOps = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t kMem = 32u << 20;  // 32 MiB

void init_sodium() {
    static const int rc = sodium_init();
    if (rc < 0) throw std::runtime_error("libsodium init failed");
}

}  // namespace

std::string hash_password(std::string_view password) {
    init_sodium();
    char out[crypto_pwhash_STRBYTES];
    std::lock_guard lock(g_hash_mu);
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOps, kMem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("out of memory hashing a password");
    }
    return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
    init_sodium();
    std::string h(hash);
    if (h.empty() || h.size() >= crypto_pwhash_STRBYTES) return false;
    std::lock_guard lock(g_hash_mu);
    return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string hash_token(std::string_view token) {
    init_sodium();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

NewToken new_api_token() {
    init_sodium();
    NewToken t;
    t.token = "cx_" + random_token(32);
    t.hash = hash_token(t.token);
    return t;
}

}  // namespace cunxin::http
