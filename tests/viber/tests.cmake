# tests/viber: a small simulated world (accounts, devices, the relay's PreKey stock, sessions
# between every pair of devices) shared by the viber tests, in tests/viber/support/*.c.
file(GLOB E2E_VIBER_WORLD_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/support/*.c)
add_library(e2e_viber_world STATIC ${E2E_VIBER_WORLD_SRC})
target_link_libraries(e2e_viber_world PUBLIC e2e_test_support)
target_include_directories(e2e_viber_world PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
file(GLOB tsrc ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(src ${tsrc})
    get_filename_component(n ${src} NAME_WE)
    target_link_libraries(viber_${n} PRIVATE e2e_viber_world)
endforeach()
