// SPDX-License-Identifier: Apache-2.0
#include "cunxin/serial/byte_stream.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include <libserialport.h>

namespace cunxin::serial {

Result<Endpoint> parse_endpoint(std::string_view spec) {
    Endpoint e;
    if (spec.rfind("tcp:", 0) == 0) {
        const std::string_view rest = spec.substr(4);
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 >= rest.size()) {
            return unexpected(Error{Errc::BadEndpoint, 0, "expected tcp:HOST:PORT"});
        }
        unsigned port = 0;
        const auto ps = rest.substr(colon + 1);
        const auto [ptr, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
        if (ec != std::errc{} || ptr != ps.data() + ps.size() || port == 0 || port > 65535) {
            return unexpected(Error{Errc::BadEndpoint, 0, "bad TCP port in " + std::string(spec)});
        }
        e.tcp = true;
        e.host = std::string(rest.substr(0, colon));
        e.port = static_cast<std::uint16_t>(port);
        return e;
    }
    if (spec.empty() || spec.front() != '/') {
        return unexpected(Error{Errc::BadEndpoint, 0, "expected a device path or tcp:HOST:PORT"});
    }
    e.path = std::string(spec);
    return e;
}

namespace {

// A tty or pty: Asio reads and writes a dup() of the descriptor; libserialport
// (when it opened the port) keeps the original, its lock and its configuration.
class DescriptorStream final : public ByteStream {
public:
    DescriptorStream(asio::any_io_executor ex, int fd, sp_port* port, std::string name)
        : stream_(ex, fd), port_(port), name_(std::move(name)) {}
    ~DescriptorStream() override { close(); }

    void async_read_some(asio::mutable_buffer b, Handler h) override {
        stream_.async_read_some(b, std::move(h));
    }
    void async_write(asio::const_buffer b, Handler h) override {
        asio::async_write(stream_, b, std::move(h));
    }
    void close() override {
        boost::system::error_code ec;
        if (stream_.is_open()) stream_.close(ec);  // the Asio stream first
        if (port_ != nullptr) {
            sp_close(port_);
            sp_free_port(port_);
            port_ = nullptr;
        }
        if (raw_fd_ >= 0) {
            ::close(raw_fd_);
            raw_fd_ = -1;
        }
    }
    bool is_open() const override { return stream_.is_open(); }
    const std::string& name() const override { return name_; }
    void keep_raw_fd(int fd) { raw_fd_ = fd; }

private:
    asio::posix::stream_descriptor stream_;
    sp_port* port_ = nullptr;
    int raw_fd_ = -1;
    std::string name_;
};

class TcpStream final : public ByteStream {
public:
    TcpStream(asio::ip::tcp::socket s, std::string name) : socket_(std::move(s)), name_(std::move(name)) {}
    ~TcpStream() override { close(); }
    void async_read_some(asio::mutable_buffer b, Handler h) override {
        socket_.async_read_some(b, std::move(h));
    }
    void async_write(asio::const_buffer b, Handler h) override {
        asio::async_write(socket_, b, std::move(h));
    }
    void close() override {
        boost::system::error_code ec;
        if (socket_.is_open()) {
            socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
            socket_.close(ec);
        }
    }
    bool is_open() const override { return socket_.is_open(); }
    const std::string& name() const override { return name_; }

private:
    asio::ip::tcp::socket socket_;
    std::string name_;
};

Error sp_error(Errc code, const std::string& what) {
    char* msg = sp_last_error_message();
    std::string detail = what + ": " + (msg != nullptr ? msg : "unknown");
    if (msg != nullptr) sp_free_error_message(msg);
    return Error{code, sp_last_error_code(), detail};
}

// ptys and other ttys libserialport refuses (no modem-control lines): plain raw termios.
Result<int> open_raw_tty(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return unexpected(Error{err == ENOENT ? Errc::NotFound : Errc::OpenFailed, err,
                                path + ": " + std::strerror(err)});
    }
    termios tio{};
    if (::tcgetattr(fd, &tio) == 0) {
        ::cfmakeraw(&tio);
        tio.c_cc[VMIN] = 1;
        tio.c_cc[VTIME] = 0;
        ::tcsetattr(fd, TCSANOW, &tio);
    }
    return fd;
}

}  // namespace

Result<std::unique_ptr<ByteStream>> open_device(asio::any_io_executor executor,
                                                const std::string& path, Settings settings) {
    std::error_code fs_ec;
    const auto real = std::filesystem::canonical(path, fs_ec).string();
    const bool is_pty = (fs_ec ? path : real).rfind("/dev/pts/", 0) == 0;
    if (!is_pty) {
        sp_port* port = nullptr;
        if (sp_get_port_by_name(path.c_str(), &port) == SP_OK) {
            if (sp_open(port, SP_MODE_READ_WRITE) == SP_OK) {
                const bool ok = sp_set_baudrate(port, settings.baud) == SP_OK &&
                                sp_set_bits(port, 8) == SP_OK &&
                                sp_set_parity(port, SP_PARITY_NONE) == SP_OK &&
                                sp_set_stopbits(port, 1) == SP_OK &&
                                sp_set_flowcontrol(port, settings.flow == FlowControl::RtsCts
                                                             ? SP_FLOWCONTROL_RTSCTS
                                                         : settings.flow == FlowControl::XonXoff
                                                             ? SP_FLOWCONTROL_XONXOFF
                                                             : SP_FLOWCONTROL_NONE) == SP_OK;
                if (!ok) {
                    auto e = sp_error(Errc::ConfigFailed, path);
                    sp_close(port);
                    sp_free_port(port);
                    return unexpected(std::move(e));
                }
                int fd = -1;
                sp_get_port_handle(port, &fd);
                const int dupfd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
                if (dupfd < 0) {
                    const int err = errno;
                    sp_close(port);
                    sp_free_port(port);
                    return unexpected(Error{Errc::OpenFailed, err, path + ": dup failed"});
                }
                return std::unique_ptr<ByteStream>(
                    std::make_unique<DescriptorStream>(executor, dupfd, port, path));
            }
            const int err = sp_last_error_code();
            sp_free_port(port);
            if (err == EBUSY) return unexpected(Error{Errc::Busy, err, path + ": busy"});
            // fall through: a tty without modem lines (e.g. a pty under another name)
        }
    }
    auto fd = open_raw_tty(path);
    if (!fd) return unexpected(fd.error());
    if (::ioctl(*fd, TIOCEXCL) != 0 && !is_pty) {
        ::close(*fd);
        return unexpected(Error{Errc::Busy, errno, path + ": cannot lock"});
    }
    const int dupfd = ::fcntl(*fd, F_DUPFD_CLOEXEC, 0);
    if (dupfd < 0) {
        ::close(*fd);
        return unexpected(Error{Errc::OpenFailed, errno, path + ": dup failed"});
    }
    auto s = std::make_unique<DescriptorStream>(executor, dupfd, nullptr, path);
    s->keep_raw_fd(*fd);
    return std::unique_ptr<ByteStream>(std::move(s));
}

asio::awaitable<Result<std::unique_ptr<ByteStream>>> open_stream(std::string spec,
                                                                 Settings settings) {
    auto ex = co_await asio::this_coro::executor;
    auto ep = parse_endpoint(spec);
    if (!ep) co_return unexpected(ep.error());
    if (!ep->tcp) co_return open_device(ex, ep->path, settings);
    asio::ip::tcp::resolver resolver(ex);
    boost::system::error_code ec;
    auto results = co_await resolver.async_resolve(ep->host, std::to_string(ep->port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return unexpected(Error{Errc::ConnectFailed, ec.value(), spec + ": " + ec.message()});
    asio::ip::tcp::socket socket(ex);
    co_await asio::async_connect(socket, results, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return unexpected(Error{Errc::ConnectFailed, ec.value(), spec + ": " + ec.message()});
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    co_return std::unique_ptr<ByteStream>(std::make_unique<TcpStream>(std::move(socket), spec));
}

}  // namespace cunxin::serial
