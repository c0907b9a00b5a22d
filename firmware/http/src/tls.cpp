// SPDX-License-Identifier: Apache-2.0
// The box's own HTTPS certificate: generated once (OpenSSL 3: EC P-256, self-signed, SAN with
// the host's names and IPv4 addresses), then reused so its fingerprint stays the same.

#include "cunxin/http/tls.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <stdexcept>

namespace cunxin::http {
namespace {

namespace fs = std::filesystem;

struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error("https: " + what); }

bool dns_name_ok(const std::string& s) {
    if (s.empty() || s.size() > 253) return false;
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
    }
    return true;
}

std::vector<std::string> alt_names() {
    std::vector<std::string> out;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0 && dns_name_ok(host)) {
        out.push_back(std::string("DNS:") + host);
        if (std::strchr(host, '.') == nullptr) out.push_back(std::string("DNS:") + host + ".local");
    }
    out.push_back("DNS:localhost");
    out.push_back("IP:127.0.0.1");
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) == 0) {
        for (ifaddrs* i = ifs; i != nullptr; i = i->ifa_next) {
            if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
            char buf[INET_ADDRSTRLEN] = {};
            const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf) == nullptr) continue;
            const std::string name = std::string("IP:") + buf;
            bool seen = false;
            for (const auto& n : out) seen = seen || n == name;
            if (!seen) out.push_back(name);
        }
        freeifaddrs(ifs);
    }
    return out;
}

void add_ext(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) bad("cannot add certificate extension");
}

std::string fingerprint_of(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) bad("cannot hash the certificate");
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i) out += ':';
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

std::string pem_of(const std::function<int(BIO*)>& write) {
    Ptr<BIO> mem(BIO_new(BIO_s_mem()));
    if (!mem || write(mem.get()) != 1) bad("cannot encode PEM");
    char* data = nullptr;
    const long n = BIO_get_mem_data(mem.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// Writes atomically (temporary file, fsync, rename) with `mode` from the start.
void write_file(const fs::path& path, const std::string& bytes, mode_t mode) {
    const fs::path tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) bad("cannot write " + tmp.string() + ": " + std::strerror(errno));
    ::fchmod(fd, mode);  // O_CREAT honours umask; an old file keeps its mode
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            bad("cannot write " + tmp.string() + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) bad("cannot rename " + tmp.string() + ": " + ec.message());
}

Ptr<X509> read_cert(const fs::path& path) {
    Ptr<BIO> in(BIO_new_file(path.c_str(), "r"));
    if (!in) bad("cannot read certificate " + path.string());
    Ptr<X509> cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
    if (!cert) bad("not a PEM certificate: " + path.string());
    return cert;
}

}  // namespace

std::string certificate_fingerprint(const fs::path& cert) { return fingerprint_of(read_cert(cert).get()); }

CertificateInfo ensure_certificate(const fs::path& cert_path, const fs::path& key_path) {
    const bool have_cert = fs::exists(cert_path);
    const bool have_key = fs::exists(key_path);
    CertificateInfo info;
    if (have_cert && have_key) {
        info.sha256_fingerprint = certificate_fingerprint(cert_path);
        return info;
    }
    if (have_cert != have_key) {
        bad((have_cert ? key_path : cert_path).string() + " is missing (remove " +
            (have_cert ? cert_path : key_path).string() + " too to generate a new pair)");
    }

    Ptr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) bad("cannot generate an EC P-256 key");
    Ptr<X509> cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) bad("cannot make a certificate");

    // 159-bit random serial (positive, RFC 5280 §4.1.2.2).
    unsigned char serial[20];
    if (RAND_bytes(serial, sizeof serial) != 1) bad("no randomness");
    serial[0] &= 0x7f;
    Ptr<BIGNUM> bn(BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) bad("bad serial");

    // The board may have no battery clock: cover a wide window around both "now" and the
    // years the appliance is plausibly used, so a wrong clock does not make it invalid.
    const std::time_t now = std::time(nullptr);
    const std::time_t y2020 = 1577836800;  // 2020-01-01T00:00:00Z
    const std::time_t y2026 = 1767225600;  // 2026-01-01T00:00:00Z
    const std::time_t ten_years = 10L * 366 * 24 * 3600;
    const std::time_t not_before = std::min(now - 24 * 3600, y2020);
    const std::time_t not_after = std::max(now, y2026) + ten_years;
    if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after)) {
        bad("cannot set the validity");
    }

    char host[256] = {};
    std::string cn = "cunxin";
    if (gethostname(host, sizeof host - 1) == 0 && dns_name_ok(host)) cn = host;
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Cunxin appliance"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    if (X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
        bad("cannot fill the certificate");
    }

    info.names = alt_names();
    std::string san;
    for (const auto& n : info.names) san += (san.empty() ? "" : ",") + n;
    add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), NID_subject_key_identifier, "hash");
    add_ext(cert.get(), NID_subject_alt_name, san);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) bad("cannot sign the certificate");

    const std::string key_pem = pem_of([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    const std::string cert_pem = pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    for (const auto& dir : {key_path.parent_path(), cert_path.parent_path()}) {
        if (dir.empty()) continue;
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) bad("cannot create " + dir.string() + ": " + ec.message());
    }
    write_file(key_path, key_pem, 0600);
    write_file(cert_path, cert_pem, 0644);
    info.generated = true;
    info.sha256_fingerprint = fingerprint_of(cert.get());
    return info;
}

}  // namespace cunxin::http
