# tests/sim/ppp_tests.cmake - PPP tests: the simulator as a child process, the client in the test.
include(${CMAKE_SOURCE_DIR}/driver/ppp/ppp_client.cmake)

add_library(sim800_ppp_rig STATIC ${CMAKE_SOURCE_DIR}/tests/support/ppp_rig.c
  ${CMAKE_SOURCE_DIR}/tests/support/ppp_simrig.c)
target_link_libraries(sim800_ppp_rig PUBLIC sim800_simproc sim800_simtest sim800_fxproc
  sim800_ppp_client PkgConfig::OPENSSL)
target_compile_definitions(sim800_ppp_rig PRIVATE SIM800_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
foreach(t test_ppp test_ppp_faults)
  sim800_add_test(${t} SOURCES ${t}.c LIBS sim800_ppp_rig TIMEOUT 600)
  target_compile_definitions(${t} PRIVATE SIM800_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_dependencies(${t} sim800-sim sim800-fixtures)
endforeach()

sim800_add_test(test_ppp_at SOURCES test_ppp_at.c LIBS sim800_simtest)
target_compile_definitions(test_ppp_at PRIVATE SIM800_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
sim800_add_test(test_lwip_port SOURCES test_lwip_port.c LIBS sim800_lwip)
# Real pppd + chat (Debian ppp): runs where /dev/ppp opens and we are root, skipped elsewhere.
sim800_add_test(test_pppd SOURCES test_pppd.c LIBS sim800_simproc sim800_fxproc PkgConfig::LDNS
  TIMEOUT 120)
add_dependencies(test_pppd sim800-sim sim800-fixtures)
set_tests_properties(test_pppd PROPERTIES SKIP_RETURN_CODE 77)
