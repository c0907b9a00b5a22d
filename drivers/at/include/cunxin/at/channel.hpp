// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The AT channel: a command queue over a byte stream, one command in flight with a deadline,
/// final codes, the "> " prompt, URCs anywhere, cancellation and a transcript (STYLE.md §6).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/asio.hpp"
#include "cunxin/at/error.hpp"
#include "cunxin/at/framing.hpp"

namespace cunxin::serial {
class ByteStream;
}

namespace cunxin::at {

/// The answer to a command that ended in OK.
struct Response {
    std::vector<std::string> lines;  ///< intermediate lines (echo and URCs removed)
};

/// An unsolicited result code; for +CMT/+CDS the PDU line that followed it.
struct Urc {
    std::string line;  ///< "+CMTI: \"SM\",3"
    std::string pdu;   ///< second line of a two-line URC, else empty
};

/// One AT channel; create with Channel::create, then start(). All calls on its executor.
class Channel : public std::enable_shared_from_this<Channel> {
public:
    /// Takes ownership of an open stream.
    static std::shared_ptr<Channel> create(asio::any_io_executor executor,
                                           std::unique_ptr<serial::ByteStream> stream);
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    /// Starts reading the stream.
    void start();
    /// Sends `line` (without CR) and waits for its final result code.
    asio::awaitable<Result<Response>> command(std::string line, std::chrono::milliseconds timeout);
    /// As command(), with the reply prefixes given by the caller instead of expect_for(line).
    asio::awaitable<Result<Response>> command(std::string line, Expect expect,
                                              std::chrono::milliseconds timeout);
    /// Sends `line`, waits for "> ", sends `payload` + Ctrl-Z, waits for the final code.
    asio::awaitable<Result<Response>> command_with_prompt(std::string line, std::string payload,
                                                          std::chrono::milliseconds timeout);
    /// Fails every queued command and the one in flight with Errc::Cancelled.
    void cancel_all();
    /// Closes the stream; everything pending fails with Errc::PortClosed.
    void close();

    /// Called for every URC (also while a command is in flight): the known URCs, and every line
    /// a command with declared reply prefixes did not ask for (vendor URCs we do not know).
    void on_urc(std::function<void(const Urc&)> handler) { on_urc_ = std::move(handler); }
    /// Called once when the stream fails or reaches its end (not after close()).
    void on_closed(std::function<void(const Error&)> handler) { on_closed_ = std::move(handler); }
    /// Receives transcript lines: "> AT+CSQ", "< +CSQ: 20,99", "< > ".
    void on_transcript(std::function<void(std::string_view)> sink) { transcript_ = std::move(sink); }

    /// True until closed.
    bool is_open() const { return open_; }
    /// A command is in flight or queued.
    bool busy() const { return current_ != nullptr || !queue_.empty(); }
    /// Lines that were not text (control bytes, invalid UTF-8).
    std::uint64_t garbage_lines() const { return garbage_; }
    /// Lines outside any command that were neither URCs nor empty (late answers, noise).
    std::uint64_t stray_lines() const { return stray_; }
    /// Commands that hit their deadline since the last successful one.
    int consecutive_timeouts() const { return consecutive_timeouts_; }

private:
    struct Pending;
    Channel(asio::any_io_executor executor, std::unique_ptr<serial::ByteStream> stream);
    asio::awaitable<Result<Response>> submit(std::shared_ptr<Pending> p);
    void pump();
    void read_more();
    void on_bytes(std::string_view bytes);
    void on_line(const std::string& line);
    void on_prompt();
    void on_deadline(std::uint64_t generation);
    void finish(const std::shared_ptr<Pending>& p, Result<Response> result);
    void resume_completed();
    void schedule_resume();
    void fail_everything(const Error& e);
    void write(std::string bytes);
    void log(std::string_view dir, std::string_view text);

    asio::any_io_executor executor_;
    std::unique_ptr<serial::ByteStream> stream_;
    asio::steady_timer deadline_;
    Framer framer_;
    std::vector<FrameEvent> events_;
    std::deque<std::shared_ptr<Pending>> queue_;
    std::shared_ptr<Pending> current_;
    std::deque<std::shared_ptr<Pending>> completed_;  ///< finished, their callers not resumed yet
    bool in_read_ = false;        ///< inside the read handler (it resumes completed_ itself)
    bool resume_posted_ = false;  ///< a resume_completed() is queued on the executor
    std::uint64_t generation_ = 0;
    bool open_ = true;
    bool started_ = false;
    std::string urc_waiting_pdu_;  ///< header of a two-line URC whose PDU line is next
    std::uint64_t garbage_ = 0;
    std::uint64_t stray_ = 0;
    int consecutive_timeouts_ = 0;
    char buffer_[1024];
    std::function<void(const Urc&)> on_urc_;
    std::function<void(const Error&)> on_closed_;
    std::function<void(std::string_view)> transcript_;
};

}  // namespace cunxin::at
