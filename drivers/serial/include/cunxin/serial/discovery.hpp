// SPDX-License-Identifier: Apache-2.0
#pragma once
/// USB serial port discovery (libserialport) and grouping of a modem's several ttys.

#include <cstdint>
#include <string>
#include <vector>

#include "cunxin/serial/error.hpp"

namespace cunxin::serial {

/// One serial port as the system lists it.
struct PortInfo {
    std::string path;          ///< "/dev/ttyUSB2"
    std::string by_id;         ///< stable "/dev/serial/by-id/..." link, or empty
    bool usb = false;          ///< a USB device (VID/PID valid)
    std::uint16_t vid = 0;     ///< USB vendor id
    std::uint16_t pid = 0;     ///< USB product id
    std::string manufacturer;  ///< USB manufacturer string
    std::string product;       ///< USB product string
    std::string serial;        ///< USB serial number
    int usb_bus = -1;          ///< USB bus number
    int usb_address = -1;      ///< USB device address on the bus
    std::string description;   ///< libserialport's description
};

/// The ttys of one USB device (a modem usually exposes several; one speaks AT).
struct UsbDevice {
    std::uint16_t vid = 0;           ///< USB vendor id
    std::uint16_t pid = 0;           ///< USB product id
    std::string serial;              ///< USB serial number
    std::vector<PortInfo> ports;     ///< its ttys, sorted by path
};

/// "12d1:1506".
std::string vid_pid(const PortInfo& p);

/// Lists serial ports (USB ones with their USB identity); `by_id_dir` is scanned for stable links.
std::vector<PortInfo> list_ports(const std::string& by_id_dir = "/dev/serial/by-id");

/// Groups USB ports by device (bus+address, else VID:PID+serial); non-USB ports are left out.
std::vector<UsbDevice> group_by_device(const std::vector<PortInfo>& ports);

/// The node of the USB device behind a serial port, e.g. "/dev/bus/usb/001/004" (symlinks such
/// as /dev/serial/by-id/… are followed). NotFound: no such port; NotUsb: a port not on USB (a
/// pty, an on-board UART).
Result<std::string> usb_device_node(const std::string& port_path);

/// Resets the USB device behind a serial port (USBDEVFS_RESET on its node): the device drops off
/// the bus and enumerates again, as if re-plugged, which revives modems that no AT command or
/// AT+CFUN reset reaches any more. Its ports may come back under other tty names. Needs write
/// access to the node (on the board the udev rule gives it to group dialout). Errors as
/// usb_device_node, OpenFailed (errno in gsm_code) and Io (the ioctl's errno).
Result<bool> reset_usb_device(const std::string& port_path);

/// True for VID values of common modem vendors (Huawei, Quectel, SIMCom, ZTE, Sierra, Fibocom, u-blox, Telit).
bool is_known_modem_vendor(std::uint16_t vid);

}  // namespace cunxin::serial
