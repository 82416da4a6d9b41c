# The version the binaries report (--version, start-up line, sockrpc_build_info):
# project(VERSION) plus the git revision, read once at configure time into a
# generated header. Without git or outside a checkout the revision is "unknown".
set(SOCKRPC_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" describe --always --dirty
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    OUTPUT_VARIABLE _revision
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE _git_result)
  if(_git_result EQUAL 0 AND _revision)
    set(SOCKRPC_REVISION "${_revision}")
  endif()
endif()
set(SOCKRPC_GENERATED_INCLUDE_DIR "${PROJECT_BINARY_DIR}/generated")
configure_file("${PROJECT_SOURCE_DIR}/common/build_version.h.in"
               "${SOCKRPC_GENERATED_INCLUDE_DIR}/common/build_version.h" @ONLY)
message(STATUS "sockrpc ${PROJECT_VERSION}, revision ${SOCKRPC_REVISION}")
