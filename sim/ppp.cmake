# sim/ppp.cmake - the simulator's PPP server: lwIP PPPoS (cmake/lwip.cmake) plus our relay, in sim800_core.
include(${CMAKE_SOURCE_DIR}/cmake/lwip.cmake)

# Added to sim800_core itself (they call modem and netmap functions, and svc_ppp.c calls them).
target_sources(sim800_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cmd_gprs.c ${CMAKE_CURRENT_LIST_DIR}/ppp_dns.c
  ${CMAKE_CURRENT_LIST_DIR}/ppp_link.c ${CMAKE_CURRENT_LIST_DIR}/ppp_relay.c
  ${CMAKE_CURRENT_LIST_DIR}/ppp_relay_tcp.c ${CMAKE_CURRENT_LIST_DIR}/ppp_relay_udp.c)
target_link_libraries(sim800_core PUBLIC sim800_lwip PkgConfig::LDNS)
