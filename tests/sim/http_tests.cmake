# tests/sim/http_tests.cmake - the bearer and HTTP application against sim800-fixtures on loopback.
add_library(sim800_httprig STATIC ${CMAKE_SOURCE_DIR}/tests/support/http_rig.c)
target_include_directories(sim800_httprig PUBLIC ${CMAKE_SOURCE_DIR}/tests/support)
target_link_libraries(sim800_httprig PUBLIC sim800_core PkgConfig::CMOCKA)
target_compile_definitions(sim800_httprig PRIVATE SIM800_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

# By theme: bearer and state machine, requests, edges (TLS, many modems, pty); helpers in
# http_testutil.c.
foreach(t test_http_bearer test_http_requests test_http_edge)
  sim800_add_test(${t} SOURCES ${t}.c http_testutil.c
    LIBS sim800_httprig sim800_fxproc sim800_simproc PkgConfig::OPENSSL TIMEOUT 300)
  add_dependencies(${t} sim800-fixtures sim800-sim)
endforeach()
