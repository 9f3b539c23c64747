# driver/driver.cmake - libsim800 (target sim800drv) and the `sim800` CLI, included by driver/CMakeLists.txt.
add_library(sim800drv STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/at_client.c
  ${CMAKE_CURRENT_LIST_DIR}/src/at_client_line.c
  ${CMAKE_CURRENT_LIST_DIR}/src/at_client_v250.c
  ${CMAKE_CURRENT_LIST_DIR}/src/at_result.c
  ${CMAKE_CURRENT_LIST_DIR}/src/at_urc.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_err.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_info.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_net.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_svc.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_tcp.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_cert.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_http.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_loc.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_sms.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_ppp.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_policy.c
  ${CMAKE_CURRENT_LIST_DIR}/src/port_posix.c)
set_target_properties(sim800drv PROPERTIES OUTPUT_NAME sim800)
target_include_directories(sim800drv PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
# The internal headers (at_client.h, at_result.h...) sit in src/, which sim800_at_tok exports.
target_link_libraries(sim800drv PUBLIC sim800_at_tok)

# The CLI. JSON output through jansson (already a project dependency).
add_executable(sim800-cli
  ${CMAKE_CURRENT_LIST_DIR}/cli/sim800ctl.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_cmd_module.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_cmd_http.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_cmd_tcp.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_cmd_cert.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_cmd_mqtt.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_cmd_sms.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_out.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_watch.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_url.c
  ${CMAKE_CURRENT_LIST_DIR}/cli/cli_ppp.c)
set_target_properties(sim800-cli PROPERTIES OUTPUT_NAME sim800)
target_link_libraries(sim800-cli PRIVATE sim800drv PkgConfig::JANSSON PkgConfig::OPENSSL)

# The PPP path (`sim800 ppp URL`, policy secure): the lwIP PPP client from driver/ppp when it is
# in the tree; without it the CLI reports "PPP unavailable" (see driver/cli/cli_ppp.c).
option(SIM800_CLI_PPP "link the CLI's PPP path to driver/ppp (lwIP PPP client)" ON)
if(SIM800_CLI_PPP AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/ppp/ppp_client.cmake)
  include(${CMAKE_CURRENT_LIST_DIR}/ppp/ppp_client.cmake)
  target_compile_definitions(sim800-cli PRIVATE SIM800_CLI_PPP_CLIENT=1)
  target_link_libraries(sim800-cli PRIVATE sim800_ppp_client ev_dep)
endif()
