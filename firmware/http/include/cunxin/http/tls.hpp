// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The HTTPS certificate generated on the box (self-signed, EC P-256), reused across restarts.

#include <filesystem>
#include <string>
#include <vector>

namespace cunxin::http {

/// The certificate the HTTPS listener serves.
struct CertificateInfo {
    bool generated = false;           ///< made now (false: the files existed and were reused)
    std::string sha256_fingerprint;   ///< "AB:CD:…" (32 bytes), as browsers show it
    std::vector<std::string> names;   ///< subject alternative names (DNS and IP), when generated
};

/// Loads the certificate at `cert`, or, when neither `cert` nor `key` exists, generates a
/// self-signed one (EC P-256 key, SAN: this host's name, localhost, 127.0.0.1 and the box's IPv4
/// addresses, valid ~10 years; key file mode 0600). Throws std::runtime_error when only one
/// file exists or a file cannot be read or written (a start-up failure).
CertificateInfo ensure_certificate(const std::filesystem::path& cert, const std::filesystem::path& key);

/// SHA-256 fingerprint of the PEM certificate in `cert`; throws when it cannot be read.
std::string certificate_fingerprint(const std::filesystem::path& cert);

}  // namespace cunxin::http
