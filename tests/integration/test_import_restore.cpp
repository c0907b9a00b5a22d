// SPDX-License-Identifier: Apache-2.0
// Issue 12 items 3 and 4 on the real daemon: a 250,000-row contact import in bounded memory
// with the modems answering throughout, and restores that must never brick the box.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <iconv.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;
namespace fs = std::filesystem;

namespace {

/// POST of raw bytes with a Content-Type (the harness's http() always says JSON).
HttpReply post_bytes(int port, const std::string& target, const std::string& token, const std::string& type,
                     const std::string& body, std::chrono::seconds timeout) {
    HttpReply r;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return r;
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return r;
    }
    const std::string req = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                            "Authorization: Bearer " + token + "\r\nContent-Type: " + type +
                            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (std::size_t sent = 0; sent < req.size();) {
        const ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            ::close(fd);
            return r;
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return r;
    r.status = std::atoi(raw.c_str() + 9);
    r.body = raw.substr(head_end + 4);
    if (raw.substr(0, head_end).find("chunked") != std::string::npos) {
        std::string body_out;
        std::size_t pos = 0;
        while (pos < r.body.size()) {
            const auto eol = r.body.find("\r\n", pos);
            if (eol == std::string::npos) break;
            const auto len = std::stoul(r.body.substr(pos, eol - pos), nullptr, 16);
            if (len == 0) break;
            body_out += r.body.substr(eol + 2, len);
            pos = eol + 2 + len + 2;
        }
        r.body = body_out;
    }
    return r;
}

/// A field of /proc/PID/status in kB (VmHWM, VmRSS), -1 if unreadable.
long proc_kb(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
    }
    return -1;
}

/// UTF-8 to GB18030 with glibc's iconv (what WPS/Excel on Chinese Windows save).
std::string to_gb18030(const std::string& utf8) {
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    std::string out(utf8.size() + 16, '\0');
    char* src = const_cast<char*>(utf8.data());
    std::size_t src_left = utf8.size();
    char* dst = out.data();
    std::size_t dst_left = out.size();
    const std::size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    iconv_close(cd);
    REQUIRE(r != static_cast<std::size_t>(-1));
    out.resize(out.size() - dst_left);
    return out;
}

void sql(const fs::path& file, const std::string& text) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a contact import of 250000 rows stays under 100 MB, keeps the modems answering and tells the truth") {
    Appliance a({.modems = 2});
    a.start();
    constexpr int kRows = 250'000;
    std::string csv = "姓名,手机号,村,职务,入党日期,标签\r\n";
    csv.reserve(16u << 20);
    for (int i = 0; i < kRows; ++i) {
        csv += "联系人" + std::to_string(i) + "," + std::to_string(13'000'000'000LL + i) + ",东风村,党员,2001-07-01,党员\r\n";
    }
    REQUIRE(csv.size() > 14'000'000u);
    REQUIRE(csv.size() < (16u << 20));
    const pid_t pid = a.pid();
    const long before_kb = proc_kb(pid, "VmHWM");
    REQUIRE(before_kb > 0);

    std::atomic<bool> done{false};
    int health_answers = 0;
    int health_failures = 0;
    int worst_modems = 99;
    std::chrono::milliseconds slowest{0};
    std::thread poller([&] {
        while (!done) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto r = http(a.port(), "GET", "/api/v1/health", {}, {}, 3s);
            const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
            slowest = std::max(slowest, took);
            if (r.status == 200) {
                ++health_answers;
                worst_modems = std::min(worst_modems, r.json().value("modems", -1));
            } else {
                ++health_failures;
            }
            std::this_thread::sleep_for(100ms);
        }
    });
    // The same sheet as UTF-8, then as GB18030 (decoded to UTF-8 on the box), both committed.
    const std::string gbk = to_gb18030(csv);
    REQUIRE(gbk.size() < csv.size());
    for (const std::string* file : {static_cast<const std::string*>(&csv), &gbk}) {
        CAPTURE(file->size());
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = post_bytes(a.port(), "/api/v1/contacts/import?commit=1", a.token(), "text/csv", *file, 180s);
        const auto took =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        MESSAGE("import of " << file->size() << " bytes took " << took.count() << " ms; VmHWM so far "
                             << proc_kb(pid, "VmHWM") << " kB");
        INFO(r.body.substr(0, 500));
        CHECK(r.status == 200);  // no REQUIRE while the poller runs
        if (r.status != 200) break;
        const auto j = r.json();
        CHECK(j["committed"] == true);
        CHECK(j["encoding"] == (file == &csv ? "utf-8" : "gb18030"));
        CHECK(j["rows_total"] == kRows);
        CHECK(j["imported"] == kRows);
        CHECK(j["rows_rejected"] == 0);
    }
    done = true;
    poller.join();
    const long peak_kb = proc_kb(pid, "VmHWM");
    MESSAGE("VmHWM " << before_kb << " kB before, " << peak_kb << " kB peak; health answered " << health_answers
                     << " times, failed " << health_failures << ", slowest " << slowest.count()
                     << " ms, fewest modems " << worst_modems);
    CHECK(peak_kb < 100 * 1024);
    CHECK(health_answers > 0);
    CHECK(health_failures == 0);
    CHECK(worst_modems == 2);
    CHECK(slowest < 2s);
    const auto list = a.get("/api/v1/contacts?limit=1");
    REQUIRE(list.status == 200);
    CHECK(list.json()["total"] == kRows);
}

TEST_CASE("restores through the daemon: tampered files refused, a broken pending file set aside, data kept") {
    Appliance a({.modems = 1});
    a.start();
    for (int i = 0; i < 5; ++i) {
        const auto r = a.post("/api/v1/contacts", {{"name", "联系人" + std::to_string(i)}, {"mobile", mobile(i)}});
        REQUIRE(r.status == 201);
    }
    const auto backup = a.get("/api/v1/system/backup");
    REQUIRE(backup.status == 200);
    const fs::path work = a.data_dir() / "work";
    fs::create_directory(work);
    const auto evil = work / "evil.db";
    std::ofstream(evil, std::ios::binary) << backup.body;
    sql(evil, "CREATE TRIGGER zz_evil AFTER INSERT ON messages BEGIN DELETE FROM contacts; END");
    std::string evil_bytes;
    {
        std::ifstream in(evil, std::ios::binary);
        evil_bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    fs::remove_all(work);
    auto refused = post_bytes(a.port(), "/api/v1/system/restore", a.token(), "application/octet-stream", evil_bytes, 30s);
    INFO(refused.body);
    CHECK(refused.status == 422);
    CHECK_FALSE(fs::exists(a.db_path().string() + ".restore"));

    // A file put there by hand that passes no check: the next start sets it aside.
    sql(a.db_path().string() + ".restore", "CREATE TABLE t(x); PRAGMA user_version=4");
    REQUIRE(a.stop() == 0);
    a.start();
    auto status = a.get("/api/v1/system/restore");
    REQUIRE(status.status == 200);
    CHECK(status.json()["last"]["result"] == "set_aside");
    CHECK(a.get("/api/v1/contacts?limit=1").json()["total"] == 5);

    // The genuine backup of 5 contacts, after adding a sixth: the restore brings back 5.
    REQUIRE(a.post("/api/v1/contacts", {{"name", "后加"}, {"mobile", mobile(99)}}).status == 201);
    auto good = post_bytes(a.port(), "/api/v1/system/restore", a.token(), "application/octet-stream", backup.body, 30s);
    INFO(good.body);
    CHECK(good.status == 202);
    REQUIRE(a.stop() == 0);
    a.start();
    CHECK(a.get("/api/v1/system/restore").json()["last"]["result"] == "applied");
    CHECK(a.get("/api/v1/contacts?limit=1").json()["total"] == 5);
    for (const auto& e : fs::directory_iterator(a.data_dir())) {
        const auto name = e.path().filename().string();
        CAPTURE(name);
        CHECK(name.find(".upload-") == std::string::npos);
    }
}
