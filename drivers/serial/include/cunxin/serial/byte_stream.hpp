// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One byte stream to a modem: a serial tty, a pty, or `tcp:HOST:PORT`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "cunxin/asio.hpp"
#include "cunxin/serial/error.hpp"

namespace cunxin::serial {

/// Hardware flow control of a serial tty.
enum class FlowControl { None, RtsCts, XonXoff };

/// Line settings of a serial tty (8N1 always); ignored for ptys and TCP.
struct Settings {
    int baud = 115200;                     ///< bits per second
    FlowControl flow = FlowControl::None;  ///< flow control
};

/// A parsed port specification.
struct Endpoint {
    bool tcp = false;        ///< true: `tcp:HOST:PORT`
    std::string path;        ///< device path when !tcp
    std::string host;        ///< TCP host
    std::uint16_t port = 0;  ///< TCP port
};

/// Parses "/dev/ttyUSB2", "/dev/pts/7" or "tcp:127.0.0.1:7001".
Result<Endpoint> parse_endpoint(std::string_view spec);

/// An open byte stream; callbacks run on the executor it was opened on.
class ByteStream {
public:
    /// Completion of a read or write: error and byte count.
    using Handler = std::function<void(boost::system::error_code, std::size_t)>;
    virtual ~ByteStream() = default;
    /// Reads some bytes into `buffer`.
    virtual void async_read_some(asio::mutable_buffer buffer, Handler handler) = 0;
    /// Writes the whole buffer (caller keeps it alive until the handler runs).
    virtual void async_write(asio::const_buffer buffer, Handler handler) = 0;
    /// Closes the stream; pending operations complete with operation_aborted.
    virtual void close() = 0;
    /// True until close() or a fatal error.
    virtual bool is_open() const = 0;
    /// The spec it was opened from ("/dev/ttyUSB2", "tcp:host:port").
    virtual const std::string& name() const = 0;
};

/// Opens a tty (libserialport: exclusive, 8N1, configured), a pty (raw termios) or a TCP port.
asio::awaitable<Result<std::unique_ptr<ByteStream>>> open_stream(std::string spec,
                                                                 Settings settings = {});

/// Opens a device synchronously (no TCP); for tools and tests.
Result<std::unique_ptr<ByteStream>> open_device(asio::any_io_executor executor,
                                                const std::string& path, Settings settings = {});

}  // namespace cunxin::serial
