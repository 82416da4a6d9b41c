# What `cmake --install` installs (and CPack packages, cmake/Packaging.cmake):
# the binaries, their man pages, the systemd units with example
# /etc/default files, the .proto files, and the generated C++ library as the
# CMake package sockrpc (find_package(sockrpc) gives sockrpc::proto).
include(CMakePackageConfigHelpers)

install(TARGETS rpc_server legacy_bridge sockrpc_client
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

# The license, where Debian looks for it (share/doc/sockrpc/copyright, in
# the machine-readable format; the full text is LICENSE at the root).
install(FILES "${CMAKE_CURRENT_LIST_DIR}/debian/copyright"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# The services' sources, for clients in other languages.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/proto/sockrpc"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/sockrpc/proto"
  FILES_MATCHING PATTERN "*.proto")

# The C++ messages and stubs: the library, its generated headers, and a
# package config that finds Protobuf (module mode: Debian ships no config for
# it) and gRPC (config mode) for the user.
install(TARGETS sockrpc_proto EXPORT sockrpcTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(DIRECTORY "${PROJECT_BINARY_DIR}/proto/gen/sockrpc"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.pb.h")
set(_config_dir "${CMAKE_INSTALL_LIBDIR}/cmake/sockrpc")
install(EXPORT sockrpcTargets NAMESPACE sockrpc:: DESTINATION "${_config_dir}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/sockrpcConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sockrpcConfig.cmake" INSTALL_DESTINATION "${_config_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/sockrpcConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/sockrpcConfig.cmake"
  "${PROJECT_BINARY_DIR}/sockrpcConfigVersion.cmake" DESTINATION "${_config_dir}")

# The units and /etc/default examples name absolute paths (/usr/bin/...,
# /etc/default/...) that depend on the prefix given at install time
# (cmake --install --prefix, or /usr for the .deb), so they are written then.
install(CODE "
  set(SOCKRPC_SYSTEMD_SOURCE_DIR \"${PROJECT_SOURCE_DIR}/deploy/systemd\")
  set(SOCKRPC_SYSTEMD_STAGING_DIR \"${PROJECT_BINARY_DIR}/systemd-install\")
  set(SOCKRPC_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/InstallSystemdFiles.cmake\")")

# Man pages made from --help and --version, where help2man is installed.
find_program(SOCKRPC_HELP2MAN help2man DOC "help2man (Debian package help2man) for the man pages")
find_program(SOCKRPC_GZIP gzip)
if(SOCKRPC_HELP2MAN AND SOCKRPC_GZIP)
  set(_man_pages)
  set(_name_rpc_server "the gRPC core of sockrpc (TimeService, SquareService)")
  set(_name_legacy_bridge "the legacy TIME and SQUARES servers, forwarding to the sockrpc core")
  set(_name_sockrpc_client "calls sockrpc's gRPC services from the command line")
  foreach(_binary rpc_server legacy_bridge sockrpc_client)
    set(_page "${PROJECT_BINARY_DIR}/man/${_binary}.1")
    add_custom_command(
      OUTPUT "${_page}.gz"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${PROJECT_BINARY_DIR}/man"
      COMMAND "${SOCKRPC_HELP2MAN}" --no-info
              --name=${_name_${_binary}} --output=${_page} $<TARGET_FILE:${_binary}>
      COMMAND "${SOCKRPC_GZIP}" -9nf "${_page}"
      DEPENDS ${_binary}
      COMMENT "Making the man page of ${_binary} with help2man"
      VERBATIM)
    list(APPEND _man_pages "${_page}.gz")
  endforeach()
  add_custom_target(sockrpc_man_pages ALL DEPENDS ${_man_pages})
  install(FILES ${_man_pages} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  message(STATUS "help2man or gzip not found: no man pages")
endif()
