# tests/signal: every test here may talk to libsignal-protocol-c (Debian's libsignal-protocol-c-dev),
# the real peer the whatsapp suite must interoperate with. Helper sources for those tests
# (the crypto provider libsignal-protocol-c needs, stores) live in tests/signal/peer/*.c.
pkg_check_modules(SIGNALC REQUIRED IMPORTED_TARGET libsignal-protocol-c)
file(GLOB E2E_SIGNAL_PEER_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/peer/*.c)
if(E2E_SIGNAL_PEER_SRC)
    add_library(e2e_signal_peer STATIC ${E2E_SIGNAL_PEER_SRC})
    target_link_libraries(e2e_signal_peer PUBLIC e2e_test_support PkgConfig::SIGNALC)
    target_include_directories(e2e_signal_peer PUBLIC ${CMAKE_CURRENT_LIST_DIR}/peer)
endif()
file(GLOB tsrc ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(src ${tsrc})
    get_filename_component(n ${src} NAME_WE)
    target_link_libraries(signal_${n} PRIVATE PkgConfig::SIGNALC)
    if(E2E_SIGNAL_PEER_SRC)
        target_link_libraries(signal_${n} PRIVATE e2e_signal_peer)
    endif()
endforeach()
