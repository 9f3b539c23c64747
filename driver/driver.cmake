# driver/driver.cmake - libsim800 (target sim800drv): the portable driver, included by driver/CMakeLists.txt.
add_library(sim800drv STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/at_client.c
  ${CMAKE_CURRENT_LIST_DIR}/src/at_result.c
  ${CMAKE_CURRENT_LIST_DIR}/src/at_urc.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_err.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_info.c
  ${CMAKE_CURRENT_LIST_DIR}/src/sim800_net.c
  ${CMAKE_CURRENT_LIST_DIR}/src/port_posix.c)
set_target_properties(sim800drv PROPERTIES OUTPUT_NAME sim800)
target_include_directories(sim800drv PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
# The internal headers (at_client.h, at_result.h...) sit in src/, which sim800_at_tok exports.
target_link_libraries(sim800drv PUBLIC sim800_at_tok)
