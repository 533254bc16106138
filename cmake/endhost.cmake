# Helpers that keep every target built the same way: warnings, sanitizers, and the three kinds of target a
# protocol folder declares (codec library, session library, tests and fuzzers).

add_library(endhost_warnings INTERFACE)
target_compile_options(endhost_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 gives false positives for these inside Boost.Asio coroutines and libstdc++ itself, at -O3 only
  # (stringop-overread: memcpy from a vector that has just been sized, in an inlined std::copy;
  # free-nonheap-object: destroying a std::variant alternative that was moved out of, as Expected does;
  # mismatched-new-delete: Asio's awaitable frames, which pair their own operator new and delete, under ASan).
  target_compile_options(endhost_warnings INTERFACE -Wno-maybe-uninitialized -Wno-null-dereference
                                                    -Wno-stringop-overflow -Wno-stringop-overread -Wno-array-bounds
                                                    -Wno-restrict -Wno-free-nonheap-object -Wno-mismatched-new-delete)
endif()
if(ENDHOST_WERROR)
  target_compile_options(endhost_warnings INTERFACE -Werror)
endif()

if(ENDHOST_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# endhost_codec_library(NAME SOURCES … [DEPS …]): a sans-I/O protocol core. Standard library (and other
# codecs) only: no sockets, no clock, no Boost.Asio. Built in every configuration, including the fuzz build.
function(endhost_codec_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE endhost_warnings)
endfunction()

# endhost_session_library(NAME SOURCES … [DEPS …]): session code that moves bytes between a codec and the
# network through src/core. Not built in the fuzz configuration.
function(endhost_session_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(ENDHOST_FUZZ)
    return()
  endif()
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC endhost_core ${ARG_DEPS} PRIVATE endhost_warnings)
  target_precompile_headers(${name} REUSE_FROM endhost_core)
  # The program links every session library (src/cli/CMakeLists.txt reads this list).
  set_property(GLOBAL APPEND PROPERTY ENDHOST_SESSION_LIBRARIES ${name})
endfunction()

# endhost_register_service(NAME FUNCTION fn HEADER file LIBRARY lib): a service for `endhost NAME serve` and
# the lab. `fn(core::ServiceRegistry&)`, declared in HEADER and defined in LIBRARY, adds its descriptor;
# src/CMakeLists.txt generates services::builtin_services() from every registration, so a new service edits
# nothing shared.
function(endhost_register_service name)
  cmake_parse_arguments(ARG "" "FUNCTION;HEADER;LIBRARY" "" ${ARGN})
  if(ENDHOST_FUZZ)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY ENDHOST_SERVICES "${name}|${ARG_FUNCTION}|${ARG_HEADER}|${ARG_LIBRARY}")
endfunction()

# endhost_unit_test(NAME SOURCES … DEPS …): a GoogleTest binary registered with ctest under unit.NAME.
function(endhost_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(ENDHOST_FUZZ)
    return()
  endif()
  add_executable(test_${name} ${ARG_SOURCES})
  target_link_libraries(test_${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
                                             endhost_warnings)
  gtest_discover_tests(test_${name} TEST_PREFIX "unit.${name}." DISCOVERY_TIMEOUT 60)
endfunction()

# endhost_fuzz_target(NAME SOURCE file DEPS …): a libFuzzer target, built only with ENDHOST_FUZZ. The test
# command gives each a short run (scripts/test) from its seed corpus tests/fuzz/<protocol>/NAME/, with the
# dictionary tests/fuzz/<protocol>/NAME.dict or else the folder's shared <protocol>.dict.
function(endhost_fuzz_target name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPS" ${ARGN})
  if(NOT ENDHOST_FUZZ)
    return()
  endif()
  add_executable(fuzz_${name} ${ARG_SOURCE})
  target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
  target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
endfunction()

# endhost_integration_test(NAME SCRIPT file): a python3 unittest script run against the built program. It gets
# the path of `endhost` in ENDHOST_BIN. Debian's python3 is used on purpose: the tests import Debian's
# python3-dnspython and must not pick up some other interpreter on PATH.
function(endhost_integration_test name)
  cmake_parse_arguments(ARG "" "SCRIPT;TIMEOUT" "" ${ARGN})
  if(ENDHOST_FUZZ)
    return()
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME integration.${name}
           COMMAND /usr/bin/python3 -m unittest -v ${ARG_SCRIPT}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration.${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "ENDHOST_BIN=$<TARGET_FILE:endhost>;PYTHONDONTWRITEBYTECODE=1;PYTHONPATH=${PROJECT_SOURCE_DIR}/tests/integration")
endfunction()
