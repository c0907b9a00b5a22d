# SPDX-License-Identifier: Apache-2.0
# CPack DEB: `cpack -G DEB` in a build directory makes cunxin_<version>-<rel>_<arch>.deb.
# Architecture follows the target (amd64 natively, arm64 with the toolchain file).
set(_pkg ${CMAKE_CURRENT_LIST_DIR})

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(CUNXIN_DEB_ARCH arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(CUNXIN_DEB_ARCH amd64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
  set(CUNXIN_DEB_ARCH armhf)
else()
  set(CUNXIN_DEB_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()
# The project has no public mail address: local mail to the appliance's own `cunxin` account
# (lintian: bogus-mail-host, overridden with the reason in debian/lintian-overrides).
set(CUNXIN_DEB_MAINTAINER "Cunxin maintainers <cunxin@localhost>" CACHE STRING
    "Maintainer field of the .deb (set your organisation's address)")
set(CUNXIN_DEB_RELEASE 1)
set(CUNXIN_DEB_VERSION "${PROJECT_VERSION}-${CUNXIN_DEB_RELEASE}")

# Documentation in /usr/share/doc/cunxin: copyright, Debian changelog (gzip -9n), README.
set(_doc ${CMAKE_BINARY_DIR}/board-package)
file(MAKE_DIRECTORY ${_doc})
configure_file(${_pkg}/debian/changelog.in ${_doc}/changelog.Debian @ONLY)
find_program(CUNXIN_GZIP gzip REQUIRED)
execute_process(COMMAND ${CUNXIN_GZIP} -9nf ${_doc}/changelog.Debian)
configure_file(${_pkg}/debian/cunxin.1 ${_doc}/cunxin.1 COPYONLY)
execute_process(COMMAND ${CUNXIN_GZIP} -9nf ${_doc}/cunxin.1)
install(FILES ${_pkg}/debian/copyright ${_doc}/changelog.Debian.gz
              ${CMAKE_CURRENT_SOURCE_DIR}/README.md
        DESTINATION share/doc/cunxin)
install(FILES ${_doc}/cunxin.1.gz DESTINATION share/man/man1)
# Lintian tags that do not apply to a package built outside Debian's archive (see README).
install(FILES ${_pkg}/debian/lintian-overrides DESTINATION share/lintian/overrides RENAME cunxin)

# Files under /etc are configuration: dpkg keeps local edits on upgrade.
file(WRITE ${_doc}/conffiles "/etc/cunxin/config.json\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cunxin)
set(CPACK_PACKAGE_VENDOR "Cunxin")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${CUNXIN_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${CUNXIN_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${CUNXIN_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SECTION comm)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SMS appliance for township offices (村信)")
# Synopsis from the summary; CPack indents the body and turns empty lines into " .".
set(CPACK_PACKAGE_DESCRIPTION
"Cunxin drives a pool of USB GSM/LTE modems with AT commands, keeps every
message in SQLite and serves a web panel and a JSON API on the office LAN.
It broadcasts notices, sorts replies by a reply menu and works without
internet access, taking the time from the mobile network if needed.

This package installs the daemon as the systemd service cunxin.service
(system user cunxin, data in /var/lib/cunxin, configuration in
/etc/cunxin/config.json) and udev rules for known modems.")
# Shared-library dependencies from dpkg-shlibdeps (works for arm64 through multiarch),
# plus what the maintainer scripts use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_doc}/conffiles
    ${_pkg}/debian/preinst
    ${_pkg}/debian/postinst
    ${_pkg}/debian/prerm
    ${_pkg}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/;/\\\\.git/")
include(CPack)
