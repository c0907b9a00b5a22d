// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "cunxin/serial/byte_stream.hpp"
#include "cunxin/serial/discovery.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

TEST_CASE("port specifications") {
    auto tcp = serial::parse_endpoint("tcp:127.0.0.1:7001");
    REQUIRE(tcp);
    CHECK(tcp->tcp);
    CHECK(tcp->host == "127.0.0.1");
    CHECK(tcp->port == 7001);
    auto dev = serial::parse_endpoint("/dev/ttyUSB2");
    REQUIRE(dev);
    CHECK_FALSE(dev->tcp);
    CHECK(dev->path == "/dev/ttyUSB2");
    CHECK_FALSE(serial::parse_endpoint("tcp:host"));
    CHECK_FALSE(serial::parse_endpoint("tcp:host:0"));
    CHECK_FALSE(serial::parse_endpoint("tcp:host:70000"));
    CHECK_FALSE(serial::parse_endpoint("ttyUSB2"));
    CHECK(serial::parse_endpoint("tcp:[::1]:7001"));
}

TEST_CASE("a pty (also through a symlink) carries bytes both ways, a hang-up ends reads") {
    int master = -1, slave = -1;
    char name[128] = {};
    REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
    termios tio{};
    ::tcgetattr(master, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(master, TCSANOW, &tio);
    const auto link = std::filesystem::temp_directory_path() / ("cunxin-serial-test-" + std::to_string(::getpid()));
    std::filesystem::remove(link);
    std::filesystem::create_symlink(name, link);

    asio::io_context io;
    auto s = serial::open_device(io.get_executor(), link.string());
    REQUIRE(s);
    CHECK((*s)->is_open());
    CHECK((*s)->name() == link.string());
    std::string out = "AT\r";
    bool wrote = false;
    (*s)->async_write(asio::buffer(out), [&](boost::system::error_code ec, std::size_t n) {
        wrote = !ec && n == out.size();
    });
    io.run_for(200ms);
    CHECK(wrote);
    char buf[16] = {};
    CHECK(::read(master, buf, sizeof buf) == 3);
    CHECK(std::string(buf, 3) == "AT\r");

    REQUIRE(::write(master, "OK\r\n", 4) == 4);
    char in[16];
    std::size_t got = 0;
    (*s)->async_read_some(asio::buffer(in), [&](boost::system::error_code ec, std::size_t n) {
        if (!ec) got = n;
    });
    io.restart();
    io.run_for(200ms);
    CHECK(got == 4);

    bool ended = false;
    (*s)->async_read_some(asio::buffer(in), [&](boost::system::error_code ec, std::size_t) { ended = bool(ec); });
    ::close(master);
    ::close(slave);
    io.restart();
    io.run_for(500ms);
    CHECK(ended);
    (*s)->close();
    CHECK_FALSE((*s)->is_open());
    std::filesystem::remove(link);
}

TEST_CASE("tcp:HOST:PORT connects, a refused port is an error value") {
    asio::io_context io;
    asio::ip::tcp::acceptor acc(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acc.local_endpoint().port();
    asio::ip::tcp::socket peer(io);
    acc.async_accept(peer, [](boost::system::error_code) {});
    std::optional<serial::Result<std::unique_ptr<serial::ByteStream>>> r;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        r = co_await serial::open_stream("tcp:127.0.0.1:" + std::to_string(port));
    }, asio::detached);
    io.run_for(500ms);
    REQUIRE(r);
    REQUIRE(*r);
    CHECK((**r)->is_open());
    acc.close();

    std::optional<serial::Result<std::unique_ptr<serial::ByteStream>>> refused;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        refused = co_await serial::open_stream("tcp:127.0.0.1:" + std::to_string(port));
    }, asio::detached);
    io.restart();
    io.run_for(500ms);
    REQUIRE(refused);
    REQUIRE_FALSE(*refused);
    CHECK(refused->error().code == serial::Errc::ConnectFailed);
}

TEST_CASE("USB reset: a pty is not a USB device, a missing port is NotFound, nothing is reset") {
    int master = -1;
    int slave = -1;
    char name[256] = {};
    REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
    const auto link =
        std::filesystem::temp_directory_path() / ("cunxin-usb-reset-test-" + std::to_string(::getpid()));
    std::filesystem::remove(link);
    std::filesystem::create_symlink(name, link);
    for (const std::string& path : {std::string(name), link.string()}) {
        CAPTURE(path);
        const auto node = serial::usb_device_node(path);
        REQUIRE_FALSE(node);
        CHECK(node.error().code == serial::Errc::NotUsb);
        const auto reset = serial::reset_usb_device(path);
        REQUIRE_FALSE(reset);
        CHECK(reset.error().code == serial::Errc::NotUsb);
        CHECK(reset.error().detail.find(path) == 0);
    }
    std::filesystem::remove(link);
    ::close(slave);
    ::close(master);
    const auto network = serial::reset_usb_device("tcp:127.0.0.1:7001");
    REQUIRE_FALSE(network);
    CHECK(network.error().code == serial::Errc::NotUsb);
    const auto missing = serial::reset_usb_device("/dev/cunxin-no-such-tty");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == serial::Errc::NotFound);
}

TEST_CASE("opening a missing device is NotFound, discovery lists without failing") {
    asio::io_context io;
    auto s = serial::open_device(io.get_executor(), "/dev/cunxin-no-such-tty");
    REQUIRE_FALSE(s);
    CHECK(s.error().code == serial::Errc::NotFound);
    const auto ports = serial::list_ports("/nonexistent-by-id");
    for (const auto& p : ports) CHECK_FALSE(p.path.empty());
    serial::PortInfo a{"/dev/ttyUSB0", "", true, 0x12d1, 0x1506};
    a.usb_bus = 1;
    a.usb_address = 4;
    auto b = a;
    b.path = "/dev/ttyUSB1";
    auto c = a;
    c.path = "/dev/ttyUSB2";
    c.usb_address = 5;
    const auto groups = serial::group_by_device({b, a, c});
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].ports.size() == 2);
    CHECK(groups[0].ports[0].path == "/dev/ttyUSB0");
    CHECK(serial::vid_pid(a) == "12d1:1506");
    CHECK(serial::is_known_modem_vendor(0x2c7c));
    CHECK_FALSE(serial::is_known_modem_vendor(0x0403));
}
