// SPDX-License-Identifier: Apache-2.0
// HTTPS over real TLS on 127.0.0.1: the certificate generated on the box, reused across
// restarts, the same routes on both listeners, Secure cookies, the optional redirect.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "cunxin/http/tls.hpp"
#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
namespace http = cunxin::http;

namespace {

auto with_https(bool redirect) {
    return [redirect](http::ServerConfig& c) {
        http::HttpsConfig h;
        h.host = "127.0.0.1";
        h.port = 0;
        h.cert = c.db_path.parent_path() / "tls" / "cert.pem";
        h.key = c.db_path.parent_path() / "tls" / "key.pem";
        h.redirect_http = redirect;
        c.https = h;
    };
}

}  // namespace

TEST_CASE("https: a certificate is generated once, served over TLS and reused after a restart") {
    Harness h(with_https(false));
    const auto cert = h.cfg.https->cert.string();
    const auto key = h.cfg.https->key.string();
    const auto first = h.server->certificate();
    CHECK(first.generated);
    REQUIRE(first.sha256_fingerprint.size() == 32 * 3 - 1);
    CHECK(first.sha256_fingerprint == http::certificate_fingerprint(cert));
    bool has_localhost = false;
    bool has_loopback = false;
    for (const auto& n : first.names) {
        has_localhost = has_localhost || n == "DNS:localhost";
        has_loopback = has_loopback || n == "IP:127.0.0.1";
    }
    CHECK(has_localhost);
    CHECK(has_loopback);
    struct stat st {};
    REQUIRE(::stat(key.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(h.server->https_port() > 0);
    CHECK(h.server->https_port() != h.port);

    // The client trusts only that certificate and checks the name (IP 127.0.0.1 in the SAN).
    Client tls(h.server->https_port(), cert);
    auto health = tls.get("/api/v1/health");
    REQUIRE(health.status == 200);
    CHECK(health.header("Content-Security-Policy").find("default-src 'self'") != std::string::npos);

    // First-start setup over HTTPS: the session cookie is Secure, and it works over TLS.
    const std::string code = h.server->setup_code();
    REQUIRE(!code.empty());
    auto setup = tls.post("/api/v1/auth/setup",
                          json{{"code", code}, {"username", "admin"}, {"password", "correct horse"}});
    REQUIRE(setup.status == 201);
    const std::string set_cookie = setup.header("Set-Cookie");
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("; Secure") != std::string::npos);
    CHECK(tls.get("/api/v1/auth/me").j["username"] == "admin");
    CHECK(tls.post("/api/v1/contacts", json{{"name", "王伟"}, {"mobile", "+8613800000001"}}).status == 201);

    // Plain HTTP still serves the same routes (no redirect configured) but logs nobody in: the
    // password and the cookie would cross the LAN in clear text (issue 12 item 5).
    Client plain(h.port);
    CHECK(plain.get("/api/v1/health").status == 200);
    auto login = plain.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "correct horse"}});
    CHECK(login.status == 403);
    CHECK(login.j["error"]["code"] == "https_required");
    CHECK(login.j["error"]["message"].get<std::string>().find("https://") != std::string::npos);
    CHECK(login.header("Set-Cookie").empty());
    CHECK(plain.post("/api/v1/auth/setup", json{{"code", code}, {"username", "b"}, {"password", "correct horse"}})
              .j["error"]["code"] == "https_required");
    CHECK(plain.get("/api/v1/contacts").status == 401);
    // A wrong password over plain HTTP is refused before it is checked: nothing to guess.
    CHECK(plain.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "wrong"}}).status == 403);

    // A client that does not trust the certificate is refused.
    {
        const auto other = h.dir / "other.pem";
        const auto other_key = h.dir / "other.key";
        (void)http::ensure_certificate(other, other_key);
        Client wrong(h.server->https_port(), other.string());
        CHECK(wrong.get("/api/v1/health").status == 0);
    }

    // Restart: the files are reused, the fingerprint stays the same.
    h.restart_server();
    const auto second = h.server->certificate();
    CHECK_FALSE(second.generated);
    CHECK(second.sha256_fingerprint == first.sha256_fingerprint);
    Client again(h.server->https_port(), cert);
    CHECK(again.get("/api/v1/health").status == 200);
}

TEST_CASE("https: redirect_http sends plain HTTP to the HTTPS listener") {
    Harness h(with_https(true));
    Client plain(h.port);
    plain.cli.set_follow_location(false);
    auto r = plain.get("/api/v1/contacts?q=x");
    CHECK(r.status == 308);
    CHECK(r.header("Location") ==
          "https://127.0.0.1:" + std::to_string(h.server->https_port()) + "/api/v1/contacts?q=x");
    CHECK(plain.post("/api/v1/auth/login", json{{"username", "a"}}).status == 308);
    Client tls(h.server->https_port(), h.cfg.https->cert.string());
    auto health = tls.get("/api/v1/health");
    CHECK(health.status == 200);
    CHECK(health.header("Strict-Transport-Security").find("max-age=") == 0);
}

TEST_CASE("https: a certificate without its key (or the reverse) is a start-up error") {
    Harness h;
    const auto cert = h.dir / "c.pem";
    const auto key = h.dir / "k.pem";
    const auto made = http::ensure_certificate(cert, key);
    CHECK(made.generated);
    std::filesystem::remove(key);
    CHECK_THROWS_AS((void)http::ensure_certificate(cert, key), std::runtime_error);
    {
        std::ofstream garbage(key);
        garbage << "not a key";
    }
    std::filesystem::remove(cert);
    CHECK_THROWS_AS((void)http::ensure_certificate(cert, key), std::runtime_error);
    // Both present: reused as they are.
    const auto again = http::ensure_certificate(h.dir / "c2.pem", h.dir / "k2.pem");
    CHECK(http::ensure_certificate(h.dir / "c2.pem", h.dir / "k2.pem").sha256_fingerprint ==
          again.sha256_fingerprint);
}
