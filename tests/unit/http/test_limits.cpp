// SPDX-License-Identifier: Apache-2.0
// The transport's limits over raw TCP (issue 12 items 2 and 5): request framing (RFC 9112 §6.3),
// header and body deadlines, keep-alive limits, the per-address connection cap, SSE caps and
// lifetime, Accept-Encoding for embedded assets, streamed uploads that leave nothing behind.

#include <doctest/doctest.h>

#include <csignal>
#include <thread>

#include "harness.hpp"
#include "rawsock.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
namespace http = cunxin::http;

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// A client writing into a connection the server closed early (413, 401) must not die of it.
[[maybe_unused]] const bool kNoSigpipe = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
}();

double seconds_since(SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

std::string body_of(const std::string& answer) {
    const auto p = answer.find("\r\n\r\n");
    return p == std::string::npos ? std::string() : answer.substr(p + 4);
}

std::string header_of(const std::string& answer, const std::string& name) {
    const auto head = answer.substr(0, answer.find("\r\n\r\n"));
    std::string lower_head = head;
    std::string lower_name = name;
    for (auto& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto p = lower_head.find("\r\n" + lower_name + ": ");
    if (p == std::string::npos) return {};
    const auto start = p + 4 + name.size();
    return head.substr(start, head.find("\r\n", start) - start);
}

std::size_t upload_files(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const auto name = e.path().filename().string();
        if (name.find("upload") != std::string::npos || name.find(".tmp") != std::string::npos) ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("framing: Content-Length together with Transfer-Encoding is refused with 400") {
    Harness h;
    const std::string body = R"({"username":"a","password":"b"})";
    const auto both = cxtest::raw_exchange(
        h.port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: " + std::to_string(body.size()) +
                    "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    CHECK(cxtest::raw_status(both) == 400);
    CHECK(body_of(both).find("\"error\"") != std::string::npos);
    // The other order, and a coding other than chunked.
    const auto reversed = cxtest::raw_exchange(
        h.port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                "Content-Length: 5\r\n\r\n0\r\n\r\n");
    CHECK(cxtest::raw_status(reversed) == 400);
    const auto gzip_te = cxtest::raw_exchange(
        h.port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                "Content-Length: 5\r\n\r\nhello");
    CHECK(cxtest::raw_status(gzip_te) == 400);
    // Chunked alone is fine: the login is read and judged (wrong password, 401).
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    const auto chunked = cxtest::raw_exchange(
        h.port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                    std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
    CHECK(cxtest::raw_status(chunked) == 401);
}

TEST_CASE("assets: gzip only to clients that offered it, identity otherwise, ETag and 304 for both") {
    Harness h;
    auto get = [&](const std::string& path, const std::string& extra) {
        return cxtest::raw_exchange(h.port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                                extra + "\r\n");
    };
    const auto plain = get("/api/v1/openapi.json", "");
    REQUIRE(cxtest::raw_status(plain) == 200);
    CHECK(header_of(plain, "Content-Encoding").empty());
    CHECK(header_of(plain, "Vary") == "Accept-Encoding");
    CHECK(json::parse(body_of(plain), nullptr, false)["openapi"].is_string());

    const auto gz = get("/api/v1/openapi.json", "Accept-Encoding: gzip, deflate, br\r\n");
    REQUIRE(cxtest::raw_status(gz) == 200);
    CHECK(header_of(gz, "Content-Encoding") == "gzip");
    const auto gz_body = body_of(gz);
    REQUIRE(gz_body.size() > 2);
    CHECK(static_cast<unsigned char>(gz_body[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(gz_body[1]) == 0x8b);
    CHECK(gz_body.size() < body_of(plain).size());

    // gzip refused explicitly (q=0), or only other codings offered: identity.
    CHECK(header_of(get("/js/h.js", "Accept-Encoding: gzip;q=0, identity\r\n"), "Content-Encoding").empty());
    CHECK(header_of(get("/js/h.js", "Accept-Encoding: br\r\n"), "Content-Encoding").empty());
    CHECK(header_of(get("/js/h.js", "Accept-Encoding: *\r\n"), "Content-Encoding") == "gzip");
    const auto js = get("/js/h.js", "");
    CHECK(body_of(js).find("function") != std::string::npos);

    // Each variant has its own ETag; either revalidates with 304.
    const auto etag_plain = header_of(plain, "ETag");
    const auto etag_gz = header_of(gz, "ETag");
    REQUIRE(!etag_plain.empty());
    CHECK(etag_plain != etag_gz);
    CHECK(cxtest::raw_status(get("/api/v1/openapi.json", "If-None-Match: " + etag_plain + "\r\n")) == 304);
    CHECK(cxtest::raw_status(get("/api/v1/openapi.json",
                                 "Accept-Encoding: gzip\r\nIf-None-Match: " + etag_gz + "\r\n")) == 304);
}

TEST_CASE("deadlines: headers dribbled slower than header_timeout, an idle connection, a stalled body") {
    Harness h([](http::ServerConfig& c) {
        c.limits.header_timeout = std::chrono::seconds(2);
        c.limits.idle_timeout = std::chrono::seconds(1);
        c.limits.body_min_rate = 1000000;
    });
    // One header line every 400 ms: each read is quick, the whole header block is not.
    {
        const int fd = cxtest::raw_connect(h.port);
        REQUIRE(fd >= 0);
        const auto t0 = SteadyClock::now();
        REQUIRE(cxtest::raw_send(fd, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"));
        bool closed = false;
        for (int i = 0; i < 20 && !closed; ++i) {
            closed = cxtest::raw_closed(fd, 400ms) || !cxtest::raw_send(fd, "X-Slow: " + std::to_string(i) + "\r\n");
        }
        const double took = seconds_since(t0);
        CHECK(closed);
        CHECK(took > 1.5);
        CHECK(took < 3.5);
        ::close(fd);
    }
    // A connection that sends nothing at all.
    {
        const int fd = cxtest::raw_connect(h.port);
        const auto t0 = SteadyClock::now();
        CHECK(cxtest::raw_closed(fd, 5000ms));
        CHECK(seconds_since(t0) < 3.5);
        ::close(fd);
    }
    // Keep-alive: after an answer the next request must start within idle_timeout.
    {
        const int fd = cxtest::raw_connect(h.port);
        REQUIRE(cxtest::raw_send(fd, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
        const auto first = cxtest::raw_read(fd, 1000ms, nullptr, 1);
        CHECK(first.rfind("HTTP/1.1 200", 0) == 0);
        const auto t0 = SteadyClock::now();
        CHECK(cxtest::raw_closed(fd, 4000ms));
        CHECK(seconds_since(t0) < 2.5);
        ::close(fd);
    }
    // A body announced as 1000 bytes that stops after 10: closed at the body's deadline.
    {
        const int fd = cxtest::raw_connect(h.port);
        const auto t0 = SteadyClock::now();
        REQUIRE(cxtest::raw_send(fd, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                     "Content-Length: 1000\r\n\r\n{\"username\""));
        CHECK(cxtest::raw_closed(fd, 6000ms));
        CHECK(seconds_since(t0) < 3.5);
        ::close(fd);
    }
}

TEST_CASE("keep-alive: a connection serves at most max_requests requests") {
    Harness h([](http::ServerConfig& c) { c.limits.max_requests = 3; });
    const int fd = cxtest::raw_connect(h.port);
    std::string all;
    for (int i = 0; i < 3; ++i) {
        REQUIRE(cxtest::raw_send(fd, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
        std::this_thread::sleep_for(100ms);
    }
    bool closed = false;
    all = cxtest::raw_read(fd, 3000ms, &closed);
    CHECK(closed);
    std::size_t answers = 0;
    for (std::size_t p = 0; (p = all.find("HTTP/1.1 200", p)) != std::string::npos; ++p) ++answers;
    CHECK(answers == 3);
    CHECK(all.find("Connection: close") != std::string::npos);
    ::close(fd);
}

TEST_CASE("per-address cap: excess connections from one address are closed at once, others still served") {
    Harness h([](http::ServerConfig& c) { c.limits.max_per_address = 4; });
    std::vector<int> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(cxtest::raw_connect(h.port, "127.0.0.2"));
        REQUIRE(held.back() >= 0);
    }
    std::this_thread::sleep_for(200ms);
    const int excess = cxtest::raw_connect(h.port, "127.0.0.2");
    REQUIRE(excess >= 0);
    const auto t0 = SteadyClock::now();
    CHECK(cxtest::raw_closed(excess, 2000ms));
    CHECK(seconds_since(t0) < 1.0);  // not at the header deadline: at once
    ::close(excess);
    // The held ones are still open (they are within the cap) and another address is served.
    CHECK_FALSE(cxtest::raw_closed(held[0], 100ms));
    CHECK(cxtest::raw_status(cxtest::raw_exchange(
              h.port, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200);
    // A held connection can still make its request.
    REQUIRE(cxtest::raw_send(held[1], "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    CHECK(cxtest::raw_status(cxtest::raw_read(held[1], 2000ms)) == 200);
    ::close(held[1]);
    held.erase(held.begin() + 1);
    // A slot freed: the address may connect again.
    std::this_thread::sleep_for(200ms);
    CHECK(cxtest::raw_status(cxtest::raw_exchange(
              h.port, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2000ms,
              "127.0.0.2")) == 200);
    for (int fd : held) ::close(fd);
}

TEST_CASE("SSE: streams per address are capped and each stream ends after sse_lifetime") {
    Harness h([](http::ServerConfig& c) {
        c.max_sse = 3;
        c.limits.max_sse_per_address = 1;
        c.limits.sse_lifetime = std::chrono::seconds(2);
    });
    auto& admin = h.admin();
    const std::string req =
        "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + admin.cookie + "\r\n\r\n";
    const int first = cxtest::raw_connect(h.port);
    const auto t0 = SteadyClock::now();
    REQUIRE(cxtest::raw_send(first, req));
    const auto head = cxtest::raw_read(first, 1000ms, nullptr, 10);
    CHECK(cxtest::raw_status(head) == 200);
    for (int i = 0; i < 50 && h.server->events().clients() == 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(h.server->events().clients() == 1);
    // A second stream from the same address is refused (the panel then polls).
    const auto second = cxtest::raw_exchange(
        h.port, "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " + admin.cookie + "\r\n\r\n",
        2000ms);
    CHECK(cxtest::raw_status(second) == 503);
    // Another address still gets one.
    {
        const int other = cxtest::raw_connect(h.port, "127.0.0.3");
        REQUIRE(cxtest::raw_send(other, req));
        CHECK(cxtest::raw_status(cxtest::raw_read(other, 1000ms, nullptr, 10)) == 200);
        ::close(other);
    }
    // Events arrive, then the stream ends by itself after its lifetime.
    h.server->events().publish("test.ping", R"({"n":1})");
    bool closed = false;
    const auto rest = cxtest::raw_read(first, 5000ms, &closed);
    const double took = seconds_since(t0);
    CHECK(rest.find("event: test.ping") != std::string::npos);
    CHECK(closed);
    CHECK(rest.size() >= 5);
    CHECK(rest.substr(rest.size() - 5) == "0\r\n\r\n");
    CHECK(took > 1.5);
    CHECK(took < 4.0);
    ::close(first);
    // Its slot is free again.
    for (int i = 0; i < 100 && h.server->events().clients() > 0; ++i) std::this_thread::sleep_for(50ms);
    const int again = cxtest::raw_connect(h.port);
    REQUIRE(cxtest::raw_send(again, req));
    CHECK(cxtest::raw_status(cxtest::raw_read(again, 1000ms, nullptr, 10)) == 200);
    ::close(again);
}

TEST_CASE("uploads: the restore body is streamed to a file beyond max_upload and never left behind") {
    Harness h;  // max_upload is 1 MiB here
    auto& admin = h.admin();
    const std::size_t before = upload_files(h.dir);
    const std::string big(3u << 20, 'x');  // 3 MiB of not-a-database
    auto r = admin.cli.Post("/api/v1/system/restore",
                            {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}}, big,
                            "application/octet-stream");
    REQUIRE(r);
    CHECK(r->status == 422);  // read in full and judged, not 413
    CHECK(upload_files(h.dir) == before);
    // A JSON route keeps its in-memory limit.
    CHECK(admin.post_raw("/api/v1/contacts", std::string(2u << 20, ' ')).status == 413);
    // A client that disconnects halfway: the partial file goes too.
    {
        const int fd = cxtest::raw_connect(h.port);
        REQUIRE(cxtest::raw_send(fd, "POST /api/v1/system/restore HTTP/1.1\r\nHost: x\r\nCookie: " + admin.cookie +
                                         "\r\nX-CSRF-Token: " + admin.csrf +
                                         "\r\nContent-Length: 5000000\r\n\r\n" + std::string(100000, 'y')));
        std::this_thread::sleep_for(300ms);
        ::close(fd);
    }
    for (int i = 0; i < 50 && upload_files(h.dir) != before; ++i) std::this_thread::sleep_for(20ms);
    CHECK(upload_files(h.dir) == before);
    // Not logged in, or without the CSRF token: refused before a byte of the body is stored.
    for (const std::string& who : {std::string(), "Cookie: " + admin.cookie + "\r\n"}) {
        const int fd = cxtest::raw_connect(h.port);
        REQUIRE(cxtest::raw_send(fd, "POST /api/v1/system/restore HTTP/1.1\r\nHost: x\r\n" + who +
                                         "Content-Length: 100000000\r\n\r\n"));
        const auto answer = cxtest::raw_read(fd, 2000ms);
        CHECK(cxtest::raw_status(answer) == (who.empty() ? 401 : 403));
        ::close(fd);
    }
    CHECK(upload_files(h.dir) == before);
}

TEST_CASE("uploads: a body larger than the free space minus upload_reserve is refused before it is read") {
    Harness h([](http::ServerConfig& c) { c.limits.upload_reserve = std::uint64_t{1} << 60; });
    auto& admin = h.admin();
    auto r = admin.cli.Post("/api/v1/system/restore", {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}},
                            std::string(1000, 'x'), "application/octet-stream");
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(upload_files(h.dir) == 0);
}

TEST_CASE("global cap: beyond max_connections every new connection is closed at once, HEAD still works") {
    Harness h([](http::ServerConfig& c) {
        c.limits.max_connections = 5;
        c.limits.max_per_address = 100;
    });
    std::vector<int> held;
    for (int i = 0; i < 5; ++i) held.push_back(cxtest::raw_connect(h.port, "127.0.0.2"));
    std::this_thread::sleep_for(200ms);
    const int excess = cxtest::raw_connect(h.port, "127.0.0.3");
    const auto t0 = SteadyClock::now();
    CHECK(cxtest::raw_closed(excess, 2000ms));
    CHECK(seconds_since(t0) < 1.0);
    ::close(excess);
    ::close(held.back());
    held.pop_back();
    std::this_thread::sleep_for(200ms);
    const auto head = cxtest::raw_exchange(h.port, "HEAD /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(cxtest::raw_status(head) == 200);
    CHECK(body_of(head).empty());
    CHECK(std::atoi(header_of(head, "Content-Length").c_str()) > 0);
    for (int fd : held) ::close(fd);
}
