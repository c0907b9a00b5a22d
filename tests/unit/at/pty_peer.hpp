// SPDX-License-Identifier: Apache-2.0
#pragma once
// A scripted modem on the master side of a real pty, for unit tests of the AT channel and the
// modem driver. Runs in its own thread; the code under test opens slave_path().

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cunxin/at/transcript.hpp"

namespace cunxin::test {

class PtyPeer {
public:
    PtyPeer() {
        char name[128] = {};
        if (::openpty(&master_, &slave_, name, nullptr, nullptr) != 0) throw std::runtime_error("openpty");
        path_ = name;
        termios tio{};
        ::tcgetattr(slave_, &tio);
        ::cfmakeraw(&tio);
        ::tcsetattr(slave_, TCSANOW, &tio);
        ::tcgetattr(master_, &tio);
        ::cfmakeraw(&tio);
        ::tcsetattr(master_, TCSANOW, &tio);
    }
    ~PtyPeer() {
        stop();
        if (master_ >= 0) ::close(master_);
        if (slave_ >= 0) ::close(slave_);
    }
    PtyPeer(const PtyPeer&) = delete;
    PtyPeer& operator=(const PtyPeer&) = delete;

    const std::string& slave_path() const { return path_; }

    /// Replays a transcript: waits for each "> " line, answers with the "< " lines after it.
    void run_script(std::vector<at::TranscriptLine> script) {
        thread_ = std::thread([this, script = std::move(script)] {
            std::size_t i = 0;
            while (i < script.size() && !stop_) {
                if (script[i].dir == at::TranscriptLine::Dir::ToModem) {
                    std::string want = script[i].text;
                    const bool payload = want.size() >= 2 && want.substr(want.size() - 2) == "^Z";
                    if (payload) want.resize(want.size() - 2);
                    auto got = read_unit(std::chrono::seconds(5));
                    if (!got) {
                        record("TIMEOUT waiting for " + want);
                        return;
                    }
                    if (*got != want) record("MISMATCH want '" + want + "' got '" + *got + "'");
                    ++i;
                    continue;
                }
                std::string out;
                bool first = true;
                while (i < script.size() && script[i].dir == at::TranscriptLine::Dir::FromModem) {
                    const auto& t = script[i].text;
                    if (t == "> ") {
                        out += "\r\n> ";
                    } else {
                        out += "\r\n" + t + "\r\n";
                    }
                    // split the first chunk to exercise partial reads
                    if (first && out.size() > 4) {
                        write_raw(out.substr(0, 3));
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                        out.erase(0, 3);
                        first = false;
                    }
                    ++i;
                }
                write_raw(out);
            }
            done_ = true;
        });
    }

    /// Answers each command (or payload) with what `reply` returns; runs until stop().
    void run_responder(std::function<std::string(const std::string&)> reply) {
        thread_ = std::thread([this, reply = std::move(reply)] {
            while (!stop_) {
                auto got = read_unit(std::chrono::milliseconds(50));
                if (!got) continue;
                record(*got);
                auto out = reply(*got);
                if (!out.empty()) write_raw(out);
            }
        });
    }

    void write_raw(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size() && master_ >= 0) {
            const auto n = ::write(master_, s.data() + off, s.size() - off);
            if (n <= 0) return;
            off += static_cast<std::size_t>(n);
        }
    }

    /// Simulates an unplugged modem: the reading side gets EIO/EOF.
    void hang_up() {
        stop();
        ::close(master_);
        master_ = -1;
        ::close(slave_);
        slave_ = -1;
    }

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    bool done() const { return done_; }
    std::vector<std::string> log() {
        std::lock_guard<std::mutex> g(mu_);
        return log_;
    }

private:
    void record(std::string s) {
        std::lock_guard<std::mutex> g(mu_);
        log_.push_back(std::move(s));
    }
    // One command (up to CR) or payload (up to Ctrl-Z / ESC).
    std::optional<std::string> read_unit(std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (!stop_) {
            for (std::size_t k = 0; k < pending_.size(); ++k) {
                const char c = pending_[k];
                if (c == '\r' || c == '\x1a' || c == '\x1b') {
                    std::string unit = pending_.substr(0, k);
                    pending_.erase(0, k + 1);
                    while (!unit.empty() && (unit.front() == '\n' || unit.front() == '\r')) unit.erase(0, 1);
                    if (unit.empty() && c == '\r') {
                        k = static_cast<std::size_t>(-1);
                        continue;
                    }
                    return unit;
                }
            }
            const auto now = std::chrono::steady_clock::now();
            if (now >= until) return std::nullopt;
            pollfd p{master_, POLLIN, 0};
            const int ms = static_cast<int>(
                std::min<long long>(20, std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count()));
            if (::poll(&p, 1, ms) > 0 && (p.revents & POLLIN)) {
                char buf[512];
                const auto n = ::read(master_, buf, sizeof buf);
                if (n > 0) pending_.append(buf, static_cast<std::size_t>(n));
            }
        }
        return std::nullopt;
    }

    int master_ = -1;
    int slave_ = -1;
    std::string path_;
    std::string pending_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> done_{false};
    std::mutex mu_;
    std::vector<std::string> log_;
};

}  // namespace cunxin::test
