# sim/profile.cmake - the profile model and its YAML loader, a library of its own for the tests.
# Included from sim/CMakeLists.txt. SIM800_PROFILE_DIR (the bundled profiles/) is set by the root.
add_library(sim800_profile STATIC
  ${CMAKE_SOURCE_DIR}/sim/profile.c
  ${CMAKE_SOURCE_DIR}/sim/profile_schema.c
  ${CMAKE_SOURCE_DIR}/sim/profile_schema_fields.c
  ${CMAKE_SOURCE_DIR}/sim/profile_schema_net.c
  ${CMAKE_SOURCE_DIR}/sim/profile_tree.c
  ${CMAKE_SOURCE_DIR}/sim/profile_yaml.c)
target_include_directories(sim800_profile PUBLIC ${CMAKE_SOURCE_DIR}/sim)
target_link_libraries(sim800_profile PUBLIC PkgConfig::YAML)
target_compile_definitions(sim800_profile PRIVATE SIM800_PROFILE_DIR="${SIM800_PROFILE_DIR}")
