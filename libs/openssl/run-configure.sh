#!/bin/sh
# Configures OpenSSL for wasm32-wasi from the build dir (the cwd). OpenSSL has its own Configure
# (perl), not autoconf: it takes a target and feature switches, and CC/AR/RANLIB/CFLAGS/CPPFLAGS
# from the environment as the autotools executor sets them.
# Usage: run-configure.sh <OpenSSL source dir> [more Configure args...] (--prefix comes last)
set -eu
src=$1
shift
# linux-generic32: plain C for a 32-bit little-endian target, no assembly.
# Off, because wasm32-wasi has no such thing: asm, threads, shared objects and dlopen (dso,
# engine, afalgeng), async (makecontext), secure memory (mlock), a console UI, chmod.
# Off, because no Python module uses them and python.wasm has a size budget (9 MiB): the openssl
# program and its tests and docs, QUIC, DTLS and SRTP, the legacy provider, compression, SRP,
# CMP, CMS, time stamps, OCSP, the HTTP client, certificate transparency, RFC 3779 extensions;
# ciphers and hashes no TLS peer offers today (GOST, IDEA, SEED, MDC2, RC2, RC4, RC5, MD4,
# Whirlpool, Blowfish, CAST, ARIA, Camellia, SM2/3/4, SIV, OCB, binary curves, Argon2); and the
# post-quantum signatures ML-DSA and SLH-DSA, which no certificate authority issues yet (the
# ML-KEM hybrid key exchange, X25519MLKEM768, stays: servers offer it now).
# Sockets stay on: SSL_set_fd and socket BIOs read and write the fds of libwasmedge_sock.
# OPENSSLDIR /etc/ssl: the guest's default CA bundle is /etc/ssl/cert.pem, which the host serves.
# On: the 64-bit C field arithmetic of the NIST curves (clang has __int128 on wasm32); on WASI
# only P-256 uses it (patches/0002), for the handshake's ECDSA verifies.
exec perl "$src/Configure" linux-generic32 \
  no-asm no-threads no-shared no-dso no-engine no-afalgeng no-async no-secure-memory no-ui-console \
  no-apps no-tests no-docs no-quic no-legacy no-comp no-srp no-gost no-idea no-seed no-mdc2 no-rc5 \
  no-cmp no-cms no-ts no-ocsp no-http no-ct no-dtls no-srtp no-rfc3779 \
  no-rc2 no-rc4 no-md4 no-whirlpool no-bf no-cast no-aria no-camellia no-sm2 no-sm3 no-sm4 \
  no-siv no-ocb no-ec2m no-argon2 no-ml-dsa no-slh-dsa \
  enable-ec_nistp_64_gcc_128 \
  --openssldir=/etc/ssl --libdir=lib \
  -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -DNO_CHMOD \
  "$@"
