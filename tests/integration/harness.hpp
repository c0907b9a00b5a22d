// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Integration-test harness: real processes (the cunxin daemon, the modem simulator),
/// real ptys, real HTTP on loopback. Every wait is bounded.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cunxin::itest {

using namespace std::chrono_literals;
using Json = nlohmann::json;

/// Path of a built binary, relative to the build directory.
std::filesystem::path built(const std::string& relative);

/// A fresh temporary directory, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// A child process with stdout+stderr appended to a log file.
class Process {
public:
    /// Starts `argv` with this process's environment plus `env` ("NAME=value", overriding).
    Process(std::vector<std::string> argv, std::filesystem::path log, std::vector<std::string> env = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    /// Sends a signal (SIGTERM, SIGKILL).
    void signal(int sig);
    /// Waits up to `timeout` for the exit; returns the exit status or nullopt.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    /// The log so far.
    std::string log() const;
    const std::filesystem::path& log_path() const { return log_; }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_;
};

/// Polls `pred` every 20 ms until it is true or `timeout` passes.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

/// A free TCP port on 127.0.0.1.
int free_port();

/// Runs a command, returns its exit status and stdout.
int run_capture(const std::vector<std::string>& argv, std::string& out);

/// One JSON-lines request to a loopback TCP control port; returns the parsed answer.
Json control(int port, const Json& request, std::chrono::milliseconds timeout = 5s);

/// Minimal HTTP/1.1 client on loopback (Connection: close), for the daemon's API.
struct HttpReply {
    int status = 0;  ///< 0: no answer
    std::string body;
    Json json() const;
};
HttpReply http(int port, const std::string& method, const std::string& target,
               const std::string& token = {}, const std::string& body = {},
               std::chrono::milliseconds timeout = 10s);

}  // namespace cunxin::itest
