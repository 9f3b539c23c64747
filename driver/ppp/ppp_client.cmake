# driver/ppp/ppp_client.cmake - target sim800_ppp_client: PPPoS client (lwIP) with DNS and TLS.
# Included by tests/sim/ppp_tests.cmake (and by driver/CMakeLists.txt once the driver's PPP mode
# uses it); the guard makes a second include a no-op.
if(TARGET sim800_ppp_client)
  return()
endif()
include(${CMAKE_SOURCE_DIR}/cmake/lwip.cmake)
add_library(sim800_ppp_client STATIC ${CMAKE_CURRENT_LIST_DIR}/ppp_client.c
  ${CMAKE_CURRENT_LIST_DIR}/ppp_client_dns.c ${CMAKE_CURRENT_LIST_DIR}/ppp_client_tcp.c
  ${CMAKE_CURRENT_LIST_DIR}/ppp_client_udp.c)
target_include_directories(sim800_ppp_client PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(sim800_ppp_client PUBLIC sim800_lwip ev_dep PkgConfig::LDNS
  PkgConfig::OPENSSL)
