# `cpack -G DEB` in the build directory: one Debian package "sockrpc" with
# everything cmake/Install.cmake installs, under /usr (units in
# /usr/lib/systemd/system, examples in /etc/default). Its Depends are
# computed by dpkg-shlibdeps; tests/install/deb_test.py checks it with
# dpkg-deb and lintian.
set(CPACK_PACKAGE_NAME "sockrpc")
set(CPACK_PACKAGE_VENDOR "sockrpc")
set(CPACK_PACKAGE_CONTACT "sockrpc maintainers <sockrpc@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "legacy TIME and SQUARES socket servers over a gRPC core")
# Lines of at most 80 characters, as Debian's control format wants them.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "rpc_server serves sockrpc.time.v1.TimeService and"
  "sockrpc.square.v1.SquareService over gRPC. legacy_bridge speaks the legacy"
  "plain-TCP TIME (port 9999) and SQUARES (port 50007) protocols byte for byte"
  "and forwards every request to the core. With systemd units (Type=notify),"
  "the sockrpc_client command, the .proto files and the generated C++ library"
  "with its CMake package (find_package(sockrpc)).")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Install with DESTDIR and the real prefix /usr (whatever the build's
# CMAKE_INSTALL_PREFIX), so that the install-time rules
# (cmake/InstallSystemdFiles.cmake) see /usr and put the examples in /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The core reads time zones from the system's database. (prerm's
# deb-systemd-invoke comes with init-system-helpers, which is essential.)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The examples in /etc/default are the operator's to edit: conffiles.
# The maintainer scripts reload systemd's units after install and removal
# and stop the services on removal; they enable nothing.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles" "${CMAKE_CURRENT_LIST_DIR}/debian/postinst"
  "${CMAKE_CURRENT_LIST_DIR}/debian/prerm" "${CMAKE_CURRENT_LIST_DIR}/debian/postrm")
include(CPack)
