// SPDX-License-Identifier: Apache-2.0
#include "cunxin/at/channel.hpp"

#include "cunxin/at/gsm_errors.hpp"
#include "cunxin/serial/byte_stream.hpp"

namespace cunxin::at {

namespace {

/// The suspended caller of a command: resumed once, when its result is in.
struct Waiter {
    virtual ~Waiter() = default;
    virtual void resume() = 0;
};

bool is_call_end(const Final& f) {
    return f.kind == FinalKind::NoCarrier || f.kind == FinalKind::Busy ||
           f.kind == FinalKind::NoAnswer || f.kind == FinalKind::NoDialtone;
}

template <class Handler>
struct WaiterFor final : Waiter {
    explicit WaiterFor(Handler&& h) : handler(std::move(h)) {}
    void resume() override { std::move(handler)(); }
    Handler handler;
};

}  // namespace

struct Channel::Pending {
    std::string line;
    std::string payload;
    bool wants_prompt = false;
    bool payload_sent = false;
    std::chrono::milliseconds timeout{0};
    std::string expect;   ///< the prefix derived from the command (undeclared commands)
    Expect declared;      ///< the declared reply prefixes (expect_for or the caller's)
    bool pdu_next = false;  ///< the last answer line was a header whose PDU line comes next
    bool call = false;      ///< ATD/ATA/ATO: NO CARRIER, BUSY... end this command
    Response response;
    std::unique_ptr<Waiter> waiter;  ///< set while the caller is suspended
    bool done = false;
    Result<Response> result;
};

std::shared_ptr<Channel> Channel::create(asio::any_io_executor executor,
                                         std::unique_ptr<serial::ByteStream> stream) {
    return std::shared_ptr<Channel>(new Channel(std::move(executor), std::move(stream)));
}

Channel::Channel(asio::any_io_executor executor, std::unique_ptr<serial::ByteStream> stream)
    : executor_(executor), stream_(std::move(stream)), deadline_(executor) {}

Channel::~Channel() {
    if (stream_) stream_->close();
    // Callers still suspended (normally none: they hold the channel) wake up with Errc::Cancelled.
    std::vector<std::shared_ptr<Pending>> left(queue_.begin(), queue_.end());
    if (current_) left.push_back(current_);
    left.insert(left.end(), completed_.begin(), completed_.end());
    for (auto& p : left) {
        if (!p->waiter) continue;
        asio::post(executor_, [w = std::move(p->waiter)] { w->resume(); });
    }
}

void Channel::start() {
    if (started_ || !open_) return;
    started_ = true;
    read_more();
}

asio::awaitable<Result<Response>> Channel::command(std::string line,
                                                   std::chrono::milliseconds timeout) {
    auto e = expect_for(line);
    return command(std::move(line), std::move(e), timeout);
}

asio::awaitable<Result<Response>> Channel::command(std::string line, Expect expect,
                                                   std::chrono::milliseconds timeout) {
    auto p = std::make_shared<Pending>();
    p->expect = expected_prefix(line);
    p->declared = std::move(expect);
    p->call = is_call_command(line);
    p->line = std::move(line);
    p->timeout = timeout;
    return submit(std::move(p));
}

asio::awaitable<Result<Response>> Channel::command_with_prompt(std::string line, std::string payload,
                                                               std::chrono::milliseconds timeout) {
    auto p = std::make_shared<Pending>();
    p->expect = expected_prefix(line);
    p->declared = expect_for(line);
    p->line = std::move(line);
    p->payload = std::move(payload);
    p->wants_prompt = true;
    p->timeout = timeout;
    return submit(std::move(p));
}

asio::awaitable<Result<Response>> Channel::submit(std::shared_ptr<Pending> p) {
    if (!open_) co_return unexpected(Error{Errc::PortClosed, -1, "port closed"});
    queue_.push_back(p);
    pump();
    if (!p->done) {
        // Suspend until finish() has the result; resume_completed() wakes us (see there for when).
        // The initiation captures a raw pointer: GCC 12 may destroy temporaries of a co_await
        // expression twice, which a captured shared_ptr does not survive. `p` outlives the wait.
        Pending* raw = p.get();
        co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
            [raw](auto handler) { raw->waiter = std::make_unique<WaiterFor<decltype(handler)>>(std::move(handler)); },
            asio::use_awaitable);
    }
    if (!p->done) co_return unexpected(Error{Errc::Cancelled, -1, "wait aborted"});
    co_return std::move(p->result);
}

void Channel::resume_completed() {
    // A caller resumed here may issue its next command at once (the pool's next AT+CMGS goes out
    // in the same turn that read the previous answer: no trip through the executor's queue).
    while (!completed_.empty()) {
        auto p = std::move(completed_.front());
        completed_.pop_front();
        if (auto w = std::move(p->waiter)) w->resume();
    }
}

void Channel::schedule_resume() {
    if (in_read_ || resume_posted_) return;  // the read handler resumes them when it is done
    resume_posted_ = true;
    asio::post(executor_, [self = shared_from_this()] {
        self->resume_posted_ = false;
        self->resume_completed();
    });
}

void Channel::pump() {
    if (current_ || queue_.empty() || !open_) return;
    current_ = queue_.front();
    queue_.pop_front();
    log(">", current_->line);
    write(current_->line + "\r");
    const auto gen = ++generation_;
    deadline_.expires_after(current_->timeout);
    deadline_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
        if (!ec) self->on_deadline(gen);
    });
}

void Channel::on_deadline(std::uint64_t generation) {
    if (generation != generation_ || !current_) return;
    auto p = current_;
    if (p->wants_prompt && !p->payload_sent) write("\x1b");  // leave the text-entry state
    ++consecutive_timeouts_;
    log("#", "timeout: " + p->line);
    finish(p, unexpected(Error{p->payload_sent ? Errc::Unconfirmed : Errc::Timeout, -1,
                               "no answer to " + p->line}));
}

void Channel::finish(const std::shared_ptr<Pending>& p, Result<Response> result) {
    if (p->done) return;
    p->done = true;
    p->result = std::move(result);
    completed_.push_back(p);
    if (p == current_) {
        current_.reset();
        ++generation_;
        deadline_.cancel();
        pump();
    }
    schedule_resume();
}

void Channel::read_more() {
    if (!open_) return;
    stream_->async_read_some(asio::buffer(buffer_), [self = shared_from_this()](
                                                        boost::system::error_code ec, std::size_t n) {
        if (!self->open_) return;
        if (ec) {
            Error e{Errc::PortClosed, ec.value(), "read: " + ec.message()};
            self->log("#", "port lost: " + ec.message());
            self->fail_everything(e);
            if (self->on_closed_) self->on_closed_(e);
            return;
        }
        self->in_read_ = true;
        self->on_bytes(std::string_view(self->buffer_, n));
        self->in_read_ = false;
        // Whoever got an answer in these bytes continues now, before anything else queued.
        self->resume_completed();
        self->read_more();
    });
}

void Channel::on_bytes(std::string_view bytes) {
    events_.clear();
    framer_.feed(bytes, events_);
    auto events = std::move(events_);
    for (const auto& ev : events) {
        if (!open_) break;
        if (ev.kind == FrameEvent::Kind::Prompt) {
            on_prompt();
        } else {
            on_line(ev.text);
        }
    }
    events_ = std::move(events);
}

void Channel::on_prompt() {
    log("<", "> ");
    if (!current_ || !current_->wants_prompt || current_->payload_sent) return;
    current_->payload_sent = true;
    log(">", current_->payload + "^Z");
    write(current_->payload + "\x1a");
    // The network part of a send starts now: give it the whole deadline.
    const auto gen = ++generation_;
    deadline_.expires_after(current_->timeout);
    deadline_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
        if (!ec) self->on_deadline(gen);
    });
}

void Channel::on_line(const std::string& line) {
    log("<", line);
    if (!urc_waiting_pdu_.empty()) {
        Urc u{std::move(urc_waiting_pdu_), line};
        urc_waiting_pdu_.clear();
        if (on_urc_) on_urc_(u);
        return;
    }
    if (is_garbage(line)) {
        ++garbage_;
        return;
    }
    if (current_) {
        auto& p = *current_;
        if (line == p.line) return;  // echo (ATE1)
        if (p.payload_sent && !p.payload.empty() &&
            line.compare(0, p.payload.size(), p.payload) == 0) {
            return;  // echo of the PDU
        }
        auto f = parse_final(line);
        // NO CARRIER, BUSY...: the end of a call we made, else a caller who gave up (a URC).
        const bool call_end = f && !p.call && is_call_end(*f);
        if (f && !call_end) {
            auto cur = current_;
            consecutive_timeouts_ = 0;
            switch (f->kind) {
                case FinalKind::Ok: finish(cur, std::move(p.response)); return;
                case FinalKind::Error:
                    finish(cur, unexpected(Error{Errc::Error, -1, p.line + ": ERROR"}));
                    return;
                case FinalKind::CmeError:
                    finish(cur, unexpected(Error{Errc::CmeError, f->code >= 0 ? f->code : cme_code_from_text(f->text), p.line + ": " + line}));
                    return;
                case FinalKind::CmsError:
                    finish(cur, unexpected(Error{Errc::CmsError, f->code >= 0 ? f->code : cms_code_from_text(f->text), p.line + ": " + line}));
                    return;
                case FinalKind::NoCarrier:
                case FinalKind::Busy:
                case FinalKind::NoAnswer:
                case FinalKind::NoDialtone:
                    finish(cur, unexpected(Error{Errc::NoCarrier, -1, p.line + ": " + line}));
                    return;
            }
            return;
        }
        if (p.declared.declared) {
            // gatchat's rule: with a prefix list, a line that matches none of them is unsolicited.
            if (p.pdu_next && is_hex_line(line)) {
                p.pdu_next = false;
                p.response.lines.push_back(line);
                return;
            }
            for (const auto& prefix : p.declared.prefixes) {
                if (line.compare(0, prefix.size(), prefix) == 0) {
                    p.pdu_next = p.declared.pdu;
                    p.response.lines.push_back(line);
                    return;
                }
            }
        } else if (!call_end && !is_urc(line, p.expect)) {
            p.response.lines.push_back(line);
            return;
        }
    } else if (!is_urc(line)) {
        auto f = parse_final(line);
        if (f && is_call_end(*f)) {
            if (on_urc_) on_urc_(Urc{line, {}});
            return;
        }
        ++stray_;
        return;
    }
    if (is_two_line_urc(line)) {
        urc_waiting_pdu_ = line;
        return;
    }
    if (on_urc_) on_urc_(Urc{line, {}});
}

void Channel::write(std::string bytes) {
    if (!open_) return;
    auto buf = std::make_shared<std::string>(std::move(bytes));
    stream_->async_write(asio::buffer(*buf), [self = shared_from_this(), buf](
                                                 boost::system::error_code ec, std::size_t) {
        if (ec && self->open_) {
            Error e{Errc::PortClosed, ec.value(), "write: " + ec.message()};
            self->log("#", "port lost: " + ec.message());
            self->fail_everything(e);
            if (self->on_closed_) self->on_closed_(e);
        }
    });
}

void Channel::fail_everything(const Error& e) {
    open_ = false;
    ++generation_;
    deadline_.cancel();
    if (stream_) stream_->close();
    auto queue = std::move(queue_);
    queue_.clear();
    if (auto cur = std::move(current_)) {
        current_.reset();
        auto err = e;
        if (cur->payload_sent) err.code = Errc::Unconfirmed;
        finish(cur, unexpected(std::move(err)));
    }
    for (auto& p : queue) finish(p, unexpected(e));
}

void Channel::cancel_all() {
    auto queue = std::move(queue_);
    queue_.clear();
    for (auto& p : queue) finish(p, unexpected(Error{Errc::Cancelled, -1, "cancelled"}));
    if (current_) {
        finish(current_, unexpected(Error{current_->payload_sent ? Errc::Unconfirmed : Errc::Cancelled,
                                          -1, "cancelled"}));
    }
}

void Channel::close() {
    if (!open_) return;
    fail_everything(Error{Errc::PortClosed, -1, "closed"});
}

void Channel::log(std::string_view dir, std::string_view text) {
    if (!transcript_) return;
    std::string l(dir);
    l += ' ';
    l += text;
    transcript_(l);
}

}  // namespace cunxin::at
