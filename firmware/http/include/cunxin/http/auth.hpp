// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Credentials helpers shared with the app (`cunxin token create`, admin password reset).

#include <string>
#include <string_view>

namespace cunxin::http {

/// argon2id hash (libsodium crypto_pwhash_str) of a password, in PHC string form.
std::string hash_password(std::string_view password);
/// True when `password` matches a hash made by hash_password (constant time).
bool verify_password(std::string_view hash, std::string_view password);

/// A new API token: the secret shown once, and what the store keeps (its SHA-256, hex).
struct NewToken {
    std::string token;  ///< "cx_" + 43 URL-safe base64 characters (256 random bits)
    std::string hash;   ///< hash_token(token)
};
/// Makes a new random API token.
NewToken new_api_token();
/// SHA-256 of a token, lower-case hex: the only form in which tokens are stored.
std::string hash_token(std::string_view token);

/// Minimum password length accepted by the panel and the API.
inline constexpr std::size_t kMinPasswordLength = 8;

}  // namespace cunxin::http
