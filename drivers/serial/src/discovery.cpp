// SPDX-License-Identifier: Apache-2.0
#include "cunxin/serial/discovery.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <libserialport.h>

namespace cunxin::serial {

std::string vid_pid(const PortInfo& p) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04x:%04x", p.vid, p.pid);
    return buf;
}

namespace {
std::string str(const char* s) { return s != nullptr ? std::string(s) : std::string(); }
}  // namespace

std::vector<PortInfo> list_ports(const std::string& by_id_dir) {
    std::vector<PortInfo> out;
    std::map<std::string, std::string> by_id;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(by_id_dir, ec)) {
        std::error_code ec2;
        const auto target = std::filesystem::canonical(entry.path(), ec2);
        if (!ec2) by_id[target.string()] = entry.path().string();
    }
    sp_port** list = nullptr;
    if (sp_list_ports(&list) != SP_OK || list == nullptr) return out;
    for (int i = 0; list[i] != nullptr; ++i) {
        sp_port* p = list[i];
        PortInfo info;
        info.path = str(sp_get_port_name(p));
        info.description = str(sp_get_port_description(p));
        if (sp_get_port_transport(p) == SP_TRANSPORT_USB) {
            info.usb = true;
            int vid = 0;
            int pid = 0;
            if (sp_get_port_usb_vid_pid(p, &vid, &pid) == SP_OK) {
                info.vid = static_cast<std::uint16_t>(vid);
                info.pid = static_cast<std::uint16_t>(pid);
            }
            int bus = -1;
            int addr = -1;
            if (sp_get_port_usb_bus_address(p, &bus, &addr) == SP_OK) {
                info.usb_bus = bus;
                info.usb_address = addr;
            }
            info.manufacturer = str(sp_get_port_usb_manufacturer(p));
            info.product = str(sp_get_port_usb_product(p));
            info.serial = str(sp_get_port_usb_serial(p));
        }
        if (auto it = by_id.find(info.path); it != by_id.end()) info.by_id = it->second;
        out.push_back(std::move(info));
    }
    sp_free_port_list(list);
    std::sort(out.begin(), out.end(), [](const PortInfo& a, const PortInfo& b) { return a.path < b.path; });
    return out;
}

std::vector<UsbDevice> group_by_device(const std::vector<PortInfo>& ports) {
    std::map<std::tuple<int, int, std::uint16_t, std::uint16_t, std::string>, UsbDevice> groups;
    for (const auto& p : ports) {
        if (!p.usb) continue;
        const bool located = p.usb_bus >= 0 && p.usb_address >= 0;
        auto key = std::make_tuple(p.usb_bus, p.usb_address, p.vid, p.pid,
                                   located ? std::string() : p.serial);
        auto& d = groups[key];
        d.vid = p.vid;
        d.pid = p.pid;
        d.serial = p.serial;
        d.ports.push_back(p);
    }
    std::vector<UsbDevice> out;
    for (auto& [k, d] : groups) {
        std::sort(d.ports.begin(), d.ports.end(),
                  [](const PortInfo& a, const PortInfo& b) { return a.path < b.path; });
        out.push_back(std::move(d));
    }
    return out;
}

bool is_known_modem_vendor(std::uint16_t vid) {
    switch (vid) {
        case 0x12d1:  // Huawei
        case 0x2c7c:  // Quectel
        case 0x05c6:  // Qualcomm (Quectel/SIMCom older ids)
        case 0x1e0e:  // SIMCom
        case 0x19d2:  // ZTE
        case 0x1199:  // Sierra Wireless
        case 0x2cb7:  // Fibocom
        case 0x1546:  // u-blox
        case 0x1bc7:  // Telit
        case 0x1c9e:  // Longcheer / 4G sticks
            return true;
        default:
            return false;
    }
}

Result<std::string> usb_device_node(const std::string& port_path) {
    if (port_path.rfind("tcp:", 0) == 0) {
        return unexpected(Error{Errc::NotUsb, 0, port_path + ": a network modem, not a USB device"});
    }
    std::error_code ec;
    const auto real = std::filesystem::canonical(port_path, ec);
    if (ec) return unexpected(Error{Errc::NotFound, ec.value(), port_path + ": " + ec.message()});
    sp_port* port = nullptr;
    if (sp_get_port_by_name(real.c_str(), &port) != SP_OK || port == nullptr) {
        return unexpected(Error{Errc::NotUsb, 0, port_path + ": not a USB device (libserialport knows no such port)"});
    }
    int bus = -1;
    int addr = -1;
    const bool usb = sp_get_port_transport(port) == SP_TRANSPORT_USB &&
                     sp_get_port_usb_bus_address(port, &bus, &addr) == SP_OK && bus > 0 && addr > 0;
    sp_free_port(port);
    if (!usb) return unexpected(Error{Errc::NotUsb, 0, port_path + ": not a USB device"});
    char node[40];
    std::snprintf(node, sizeof node, "/dev/bus/usb/%03d/%03d", bus, addr);
    return std::string(node);
}

Result<bool> reset_usb_device(const std::string& port_path) {
    auto node = usb_device_node(port_path);
    if (!node) return unexpected(node.error());
    const int fd = ::open(node->c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return unexpected(Error{Errc::OpenFailed, err, *node + ": " + std::strerror(err)});
    }
    const int rc = ::ioctl(fd, USBDEVFS_RESET, 0);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return unexpected(Error{Errc::Io, err, *node + ": USBDEVFS_RESET: " + std::strerror(err)});
    return true;
}

}  // namespace cunxin::serial
