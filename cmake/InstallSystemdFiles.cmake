# Runs at install time (cmake --install, cpack): installs the systemd units
# and the /etc/default examples with their paths rewritten for the prefix.
# Prefix /usr (the .deb) keeps /usr/bin and /etc, as GNUInstallDirs does; any
# other prefix P gets P/bin and P/etc. file(INSTALL) adds DESTDIR itself.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_etc "/etc")
else()
  set(_etc "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(_bin "${CMAKE_INSTALL_PREFIX}/${SOCKRPC_INSTALL_BINDIR}")

# One staging directory per destination: installs to two prefixes at once
# (cmake --install and cpack) must not write each other's units.
string(MD5 _destination "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
set(_staging "${SOCKRPC_SYSTEMD_STAGING_DIR}/${_destination}")
file(MAKE_DIRECTORY "${_staging}")
foreach(_unit sockrpc-core.service sockrpc-bridge.service)
  file(READ "${SOCKRPC_SYSTEMD_SOURCE_DIR}/${_unit}" _text)
  string(REPLACE "/usr/bin/" "${_bin}/" _text "${_text}")
  string(REPLACE "/etc/default/" "${_etc}/default/" _text "${_text}")
  file(WRITE "${_staging}/${_unit}" "${_text}")
endforeach()
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  FILES "${_staging}/sockrpc-core.service" "${_staging}/sockrpc-bridge.service")
file(INSTALL DESTINATION "${_etc}/default" TYPE FILE
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  RENAME sockrpc-core FILES "${SOCKRPC_SYSTEMD_SOURCE_DIR}/sockrpc-core.default")
file(INSTALL DESTINATION "${_etc}/default" TYPE FILE
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  RENAME sockrpc-bridge FILES "${SOCKRPC_SYSTEMD_SOURCE_DIR}/sockrpc-bridge.default")
