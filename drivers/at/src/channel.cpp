// SPDX-License-Identifier: Apache-2.0
#include "cunxin/at/channel.hpp"

#include "cunxin/at/gsm_errors.hpp"
#include "cunxin/serial/byte_stream.hpp"

namespace cunxin::at {

struct Channel::Pending {
    explicit Pending(asio::any_io_executor ex) : signal(ex) {
        signal.expires_at(asio::steady_timer::time_point::max());
    }
    std::string line;
    std::string payload;
    bool wants_prompt = false;
    bool payload_sent = false;
    std::chrono::milliseconds timeout{0};
    std::string expect;
    Response response;
    asio::steady_timer signal;
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
}

void Channel::start() {
    if (started_ || !open_) return;
    started_ = true;
    read_more();
}

asio::awaitable<Result<Response>> Channel::command(std::string line,
                                                   std::chrono::milliseconds timeout) {
    auto p = std::make_shared<Pending>(executor_);
    p->expect = expected_prefix(line);
    p->line = std::move(line);
    p->timeout = timeout;
    return submit(std::move(p));
}

asio::awaitable<Result<Response>> Channel::command_with_prompt(std::string line, std::string payload,
                                                               std::chrono::milliseconds timeout) {
    auto p = std::make_shared<Pending>(executor_);
    p->expect = expected_prefix(line);
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
        boost::system::error_code ec;
        co_await p->signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!p->done) co_return unexpected(Error{Errc::Cancelled, -1, "wait aborted"});
    co_return std::move(p->result);
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
    p->signal.cancel();
    if (p == current_) {
        current_.reset();
        ++generation_;
        deadline_.cancel();
        pump();
    }
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
        self->on_bytes(std::string_view(self->buffer_, n));
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
        if (auto f = parse_final(line)) {
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
        if (!is_urc(line, p.expect)) {
            p.response.lines.push_back(line);
            return;
        }
    } else if (!is_urc(line)) {
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
