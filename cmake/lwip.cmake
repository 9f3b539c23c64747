# cmake/lwip.cmake - target sim800_lwip: Debian's lwIP source (tools/lwip-setup) with our lwipopts.h.
# Compiled here rather than prebuilt so lwIP and every file including its headers see the same
# sim/lwip/lwipopts.h (struct layouts depend on it). Included by sim/ppp.cmake and
# driver/ppp/ppp_client.cmake; the guard makes the second include a no-op.
if(TARGET sim800_lwip)
  return()
endif()

set(SIM800_LWIP_DIR "${CMAKE_SOURCE_DIR}/build/_deps/lwip" CACHE PATH
  "where tools/lwip-setup unpacked Debian's lwIP source")
set(_lw "${SIM800_LWIP_DIR}/src/src")
if(NOT EXISTS "${_lw}/netif/ppp/pppos.c")
  message(FATAL_ERROR "lwIP source not found in ${SIM800_LWIP_DIR}: run tools/setup "
    "(or tools/lwip-setup ${SIM800_LWIP_DIR}) first")
endif()
file(READ "${SIM800_LWIP_DIR}/version" _lw_version)
string(STRIP "${_lw_version}" _lw_version)
message(STATUS "lwIP: ${_lw_version} from ${SIM800_LWIP_DIR}")

set(_lw_core init def dns inet_chksum ip mem memp netif pbuf stats sys tcp tcp_in tcp_out timeouts
  udp ipv4/icmp ipv4/ip4 ipv4/ip4_addr ipv4/ip4_frag)
set(_lw_ppp auth chap-md5 chap-new fsm ipcp lcp magic ppp pppos upap utils vj polarssl/md5)
set(_lw_srcs)
foreach(f ${_lw_core})
  list(APPEND _lw_srcs "${_lw}/core/${f}.c")
endforeach()
foreach(f ${_lw_ppp})
  list(APPEND _lw_srcs "${_lw}/netif/ppp/${f}.c")
endforeach()

add_library(sim800_lwip STATIC ${_lw_srcs} ${CMAKE_SOURCE_DIR}/sim/lwip/lwip_port.c)
# Our port headers first (lwipopts.h, arch/cc.h, lwip_port.h), then lwIP's.
target_include_directories(sim800_lwip PUBLIC ${CMAKE_SOURCE_DIR}/sim/lwip)
target_include_directories(sim800_lwip SYSTEM PUBLIC "${_lw}/include")
# lwIP is third-party code: no -Werror on its warnings, and no sanitizer instrumentation
# (its packed header casts trip UBSan's alignment check on purpose). Its memory still comes
# from malloc (MEM_LIBC_MALLOC), so ASan and valgrind see every pbuf and pcb.
target_compile_options(sim800_lwip PRIVATE -w -Wno-error -fno-sanitize=all)
set_source_files_properties(${CMAKE_SOURCE_DIR}/sim/lwip/lwip_port.c PROPERTIES
  COMPILE_OPTIONS "-Wall;-Wextra;-Werror")
# lwip_port.c's RFC 6528 ISNs hash with OpenSSL (found by the top-level CMakeLists.txt).
target_link_libraries(sim800_lwip PUBLIC PkgConfig::OPENSSL)
