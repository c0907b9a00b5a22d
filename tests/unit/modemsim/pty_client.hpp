// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Test side of a simulated modem's pty: plain termios/read/write, raw mode, bounded waits.

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

namespace cunxin::modemsim::test {

/// A raw-mode client of a pty path; every wait is bounded.
class PtyClient {
public:
    explicit PtyClient(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd_ >= 0) {
            termios t{};
            ::tcgetattr(fd_, &t);
            ::cfmakeraw(&t);
            ::tcsetattr(fd_, TCSANOW, &t);
        }
    }
    ~PtyClient() { close(); }
    PtyClient(const PtyClient&) = delete;
    PtyClient& operator=(const PtyClient&) = delete;

    bool ok() const { return fd_ >= 0; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    void send(const std::string& s) {
        std::size_t off = 0;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (off < s.size() && std::chrono::steady_clock::now() < deadline) {
            ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
            if (n > 0) off += static_cast<std::size_t>(n);
            else std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    /// Reads until `what` appears in the buffer (consumes through it) or the timeout; returns what was read.
    /// Sets `hangup` when the other side went away.
    std::string read_until(const std::string& what, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            auto pos = buf_.find(what);
            if (!what.empty() && pos != std::string::npos) {
                std::string out = buf_.substr(0, pos + what.size());
                buf_.erase(0, pos + what.size());
                return out;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            if (!fill(left)) break;
        }
        std::string out = buf_;
        buf_.clear();
        return out;
    }

    /// Reads whatever arrives within `window`.
    std::string drain(std::chrono::milliseconds window) { return read_until(std::string(), window); }

    /// Sends "<line>\r" and reads through the final result code (OK, ERROR, +CME/+CMS ERROR).
    std::string cmd(const std::string& line, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        send(line + "\r");
        return read_final(timeout);
    }

    /// Reads through the next final result code.
    std::string read_final(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            auto end = final_end(buf_);
            if (end != std::string::npos) {
                std::string out = buf_.substr(0, end);
                buf_.erase(0, end);
                return out;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            if (!fill(left)) break;
        }
        std::string out = buf_;
        buf_.clear();
        return out;
    }

    bool hangup = false;

private:
    static std::size_t final_end(const std::string& b) {
        std::size_t best = std::string::npos;
        auto consider = [&](std::size_t e) {
            if (e != std::string::npos && (best == std::string::npos || e < best)) best = e;
        };
        auto p = b.find("\r\nOK\r\n");
        if (p != std::string::npos) consider(p + 6);
        p = b.find("\r\nERROR\r\n");
        if (p != std::string::npos) consider(p + 9);
        for (const char* tag : {"+CME ERROR: ", "+CMS ERROR: "}) {
            p = b.find(tag);
            if (p != std::string::npos) {
                auto e = b.find("\r\n", p);
                if (e != std::string::npos) consider(e + 2);
            }
        }
        return best;
    }

    bool fill(std::chrono::milliseconds left) {
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 50)));
        if (r > 0 && (p.revents & POLLIN)) {
            char tmp[4096];
            ssize_t n = ::read(fd_, tmp, sizeof tmp);
            if (n > 0) {
                buf_.append(tmp, static_cast<std::size_t>(n));
                return true;
            }
            if (n == 0 || (n < 0 && errno != EAGAIN)) hangup = true;
            return !hangup;
        }
        if (r > 0 && (p.revents & (POLLHUP | POLLERR))) {
            hangup = true;
            return false;
        }
        return true;
    }

    int fd_ = -1;
    std::string buf_;
};

}  // namespace cunxin::modemsim::test
