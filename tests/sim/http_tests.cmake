# tests/sim/http_tests.cmake - the bearer and HTTP application against sim800-fixtures on loopback.
add_library(sim800_httprig STATIC ${CMAKE_SOURCE_DIR}/tests/support/http_rig.c)
target_include_directories(sim800_httprig PUBLIC ${CMAKE_SOURCE_DIR}/tests/support)
target_link_libraries(sim800_httprig PUBLIC sim800_core PkgConfig::CMOCKA)
target_compile_definitions(sim800_httprig PRIVATE SIM800_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

sim800_add_test(test_http SOURCES test_http.c LIBS sim800_httprig sim800_fxproc sim800_simproc PkgConfig::OPENSSL
  TIMEOUT 300)
add_dependencies(test_http sim800-fixtures sim800-sim)
