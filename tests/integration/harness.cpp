// SPDX-License-Identifier: Apache-2.0
#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace cunxin::itest {

std::filesystem::path built(const std::string& relative) {
    return std::filesystem::path(CUNXIN_BINARY_DIR) / relative;
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cunxin-itest-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    if (std::getenv("CUNXIN_KEEP_TEMP") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

Process::Process(std::vector<std::string> argv, std::filesystem::path log, std::vector<std::string> env)
    : log_(std::move(log)) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view var(*e);
        const auto name = var.substr(0, var.find('='));
        bool overridden = false;
        for (const auto& mine : env) overridden = overridden || std::string_view(mine).substr(0, mine.find('=')) == name;
        if (!overridden) envp.push_back(*e);
    }
    envp.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

Process::~Process() {
    if (running()) {
        signal(SIGTERM);
        if (!wait(5s)) {
            signal(SIGKILL);
            wait(5s);
        }
    }
}

bool Process::running() {
    if (status_) return false;
    int st = 0;
    const pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return r == 0;
}

void Process::signal(int sig) {
    if (!status_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    wait_until([&] { return !running(); }, timeout);
    return status_;
}

std::string Process::log() const {
    std::ifstream in(log_, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(20ms);
    }
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

int run_capture(const std::vector<std::string>& argv, std::string& out) {
    char path[] = "/tmp/cunxin-itest-out-XXXXXX";
    const int fd = mkstemp(path);
    ::close(fd);
    int status = -1;
    {
        Process p(argv, path);
        status = p.wait(60s).value_or(-1);
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    ::unlink(path);
    return status;
}

namespace {

int connect_loopback(int port, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

bool send_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

Json control(int port, const Json& request, std::chrono::milliseconds timeout) {
    const int fd = connect_loopback(port, timeout);
    if (fd < 0) throw std::runtime_error("control port " + std::to_string(port) + " not answering");
    send_all(fd, request.dump() + "\n");
    std::string line;
    char buf[65536];
    while (line.find('\n') == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto nl = line.find('\n');
    if (nl == std::string::npos) throw std::runtime_error("control: no answer to " + request.dump());
    return Json::parse(line.substr(0, nl));
}

Json HttpReply::json() const {
    return Json::parse(body, nullptr, false);
}

HttpReply http(int port, const std::string& method, const std::string& target,
               const std::string& token, const std::string& body,
               std::chrono::milliseconds timeout) {
    HttpReply r;
    const int fd = connect_loopback(port, timeout);
    if (fd < 0) return r;
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    if (!send_all(fd, req)) {
        ::close(fd);
        return r;
    }
    std::string raw;
    char buf[65536];
    while (true) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return r;
    r.status = std::atoi(raw.c_str() + 9);
    std::string head = raw.substr(0, head_end);
    std::string rest = raw.substr(head_end + 4);
    std::string lower = head;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower.find("transfer-encoding: chunked") != std::string::npos) {
        std::size_t pos = 0;
        while (pos < rest.size()) {
            const auto eol = rest.find("\r\n", pos);
            if (eol == std::string::npos) break;
            const auto len = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
            if (len == 0) break;
            r.body += rest.substr(eol + 2, len);
            pos = eol + 2 + len + 2;
        }
    } else {
        r.body = rest;
    }
    return r;
}

}  // namespace cunxin::itest
