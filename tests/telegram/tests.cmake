# tests/telegram: helpers shared by the telegram tests (two chats over a simulated server,
# forging messages as an authenticated peer) live in tests/telegram/support/*.c.
file(GLOB E2E_TG_SUPPORT_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/support/*.c)
add_library(e2e_tg_support STATIC ${E2E_TG_SUPPORT_SRC})
target_link_libraries(e2e_tg_support PUBLIC e2e_test_support)
target_include_directories(e2e_tg_support PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
file(GLOB tsrc ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(src ${tsrc})
    get_filename_component(n ${src} NAME_WE)
    target_link_libraries(telegram_${n} PRIVATE e2e_tg_support)
endforeach()
