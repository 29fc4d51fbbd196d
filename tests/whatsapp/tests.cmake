# tests/whatsapp: test_srtp_oracle.c checks our SRTP key derivation and packet protection
# against libsrtp2 (Debian's libsrtp2-dev, installed by scripts/deps.sh) as an oracle.
pkg_check_modules(SRTP2 REQUIRED IMPORTED_TARGET libsrtp2)
target_link_libraries(whatsapp_test_srtp_oracle PRIVATE PkgConfig::SRTP2)
