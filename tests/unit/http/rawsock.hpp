// SPDX-License-Identifier: Apache-2.0
#pragma once
// Raw TCP clients for transport tests: connections that send nothing, dribble headers or send
// hand-written requests, from a chosen loopback source address (127.0.0.2 is "another box").

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace cxtest {

/// Opens a TCP connection from `src` to 127.0.0.1:port; non-blocking when `nonblock`
/// (the connect may still be in progress). -1 on failure.
inline int raw_connect(int port, const char* src = "127.0.0.1", bool nonblock = false) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_port = 0;
    ::inet_pton(AF_INET, src, &from.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
        ::close(fd);
        return -1;
    }
    if (nonblock) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Sends all of `s` (blocking socket) or as much as goes (non-blocking); false on error.
inline bool raw_send(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const auto n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

/// Reads until the peer closes or `timeout` passes. `closed` tells which.
inline std::string raw_read(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr,
                            std::size_t stop_after = std::string::npos) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + timeout;
    if (closed) *closed = false;
    while (out.size() < stop_after) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
            if (closed) *closed = true;
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

/// True when the peer has closed the connection (reads EOF or a reset) within `timeout`.
inline bool raw_closed(int fd, std::chrono::milliseconds timeout) {
    bool closed = false;
    (void)raw_read(fd, timeout, &closed);
    return closed;
}

/// One request on a fresh connection; returns the whole answer (the server closes or `timeout`).
inline std::string raw_exchange(int port, const std::string& request,
                                std::chrono::milliseconds timeout = std::chrono::milliseconds(3000),
                                const char* src = "127.0.0.1") {
    const int fd = raw_connect(port, src);
    if (fd < 0) return {};
    raw_send(fd, request);
    auto out = raw_read(fd, timeout);
    ::close(fd);
    return out;
}

/// The status code of a raw HTTP answer (0 when none).
inline int raw_status(const std::string& answer) {
    if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) return 0;
    return std::atoi(answer.substr(9, 3).c_str());
}

/// The p-th percentile (0-100) of `v` (sorted in place).
inline double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

}  // namespace cxtest
