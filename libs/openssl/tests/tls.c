/* OpenSSL for wasm32-wasi as a C program uses it: digests against published vectors, entropy
 * from the host, and a TLS 1.3 handshake over a real socket pair (SSL_set_fd: OpenSSL reads and
 * writes the socket fds of libwasmedge_sock) with the certificate and host name checked, and
 * refused for the wrong name. Prints PASS/FAIL lines; exits non-zero on any failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static int failures;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) {
    failures++;
    ERR_print_errors_fp(stdout);
  }
}

static void hex(const unsigned char *bytes, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", bytes[i]);
}

static int digest_is(const char *name, const char *input, const char *expected) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  char text[2 * EVP_MAX_MD_SIZE + 1];
  EVP_MD *md_type = EVP_MD_fetch(NULL, name, NULL);
  int ok = md_type && EVP_Digest(input, strlen(input), md, &n, md_type, NULL);
  EVP_MD_free(md_type);
  if (!ok) return 0;
  hex(md, n, text);
  return strcmp(text, expected) == 0;
}

/* A P-256 key and a self-signed certificate for `name`, valid from now for a day. */
static X509 *self_signed(EVP_PKEY **key, const char *name) {
  *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  X509 *cert = X509_new();
  if (!*key || !cert) return NULL;
  X509_set_version(cert, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, *key);
  X509_NAME *subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  char san[128];
  snprintf(san, sizeof san, "DNS:%s", name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
  if (!ext || !X509_add_ext(cert, ext, -1) || !X509_sign(cert, *key, EVP_sha256())) return NULL;
  X509_EXTENSION_free(ext);
  return cert;
}

/* Drives both ends of a handshake over non-blocking sockets until both finish or one fails. */
static int handshake(SSL *client, SSL *server) {
  int client_done = 0, server_done = 0;
  for (int round = 0; round < 1000 && !(client_done && server_done); round++) {
    if (!client_done) {
      int r = SSL_connect(client);
      if (r == 1) client_done = 1;
      else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ) return 0;
    }
    if (!server_done) {
      int r = SSL_accept(server);
      if (r == 1) server_done = 1;
      else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ) return 0;
    }
    /* Both wait for the other's bytes: wait for either socket rather than spin. */
    struct pollfd fds[2] = {{.fd = SSL_get_fd(client), .events = POLLIN}, {.fd = SSL_get_fd(server), .events = POLLIN}};
    if (!(client_done && server_done)) poll(fds, 2, 100);
  }
  return client_done && server_done;
}

/* Reads `n` bytes, waiting for the socket when OpenSSL needs more of the record. */
static int read_exactly(SSL *ssl, char *buf, int n) {
  for (int got = 0, tries = 0; got < n && tries < 1000; tries++) {
    int r = SSL_read(ssl, buf + got, n - got);
    if (r > 0) got += r;
    else if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ) return 0;
    else poll(&(struct pollfd){.fd = SSL_get_fd(ssl), .events = POLLIN}, 1, 100);
    if (got == n) return 1;
  }
  return 0;
}

/* One TLS connection over a fresh socket pair; the client expects `host`. Returns 1 when the
 * handshake and an exchange succeeded, 0 when the handshake failed (verify_result tells why). */
static int tls_over_sockets(SSL_CTX *client_ctx, SSL_CTX *server_ctx, const char *host, long *verify_result) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    printf("socketpair: %s\n", strerror(errno));
    return 0;
  }
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  fcntl(fds[1], F_SETFL, O_NONBLOCK);
  SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
  SSL_set_fd(client, fds[0]);
  SSL_set_fd(server, fds[1]);
  SSL_set_tlsext_host_name(client, host);
  SSL_set1_host(client, host);
  int ok = handshake(client, server);
  *verify_result = SSL_get_verify_result(client);
  if (ok) {
    char buf[16] = {0};
    ok = SSL_write(client, "ping", 4) == 4 && read_exactly(server, buf, 4) && strcmp(buf, "ping") == 0 &&
         strcmp(SSL_get_version(client), "TLSv1.3") == 0;
    printf("  %s %s\n", SSL_get_version(client), SSL_get_cipher_name(client));
  }
  SSL_free(client);
  SSL_free(server);
  close(fds[0]);
  close(fds[1]);
  return ok;
}

int main(void) {
  printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
  check(OPENSSL_VERSION_MAJOR == 3 && OPENSSL_VERSION_MINOR == 5, "OpenSSL 3.5");

  check(digest_is("SHA256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "SHA-256 (FIPS 180-2 vector)");
  check(digest_is("SHA3-256", "abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"), "SHA3-256 (FIPS 202 vector)");
  unsigned char key[32];
  char text[65];
  check(PKCS5_PBKDF2_HMAC("password", 8, (const unsigned char *)"salt", 4, 1, EVP_sha256(), 32, key) == 1, "PBKDF2-HMAC-SHA256 runs");
  hex(key, 32, text);
  check(strcmp(text, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b") == 0, "PBKDF2-HMAC-SHA256 (RFC 7914 vector)");

  unsigned char a[32] = {0}, b[32] = {0};
  check(RAND_bytes(a, sizeof a) == 1 && RAND_bytes(b, sizeof b) == 1 && memcmp(a, b, sizeof a) != 0, "RAND_bytes seeded by the host");

  EVP_PKEY *pkey = NULL;
  X509 *cert = self_signed(&pkey, "tls.test");
  check(cert != NULL, "a self-signed P-256 certificate");
  if (!cert) return 1;
  SSL_CTX *server_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX *client_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_use_certificate(server_ctx, cert);
  SSL_CTX_use_PrivateKey(server_ctx, pkey);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx), cert);
  SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);

  long verify = -1;
  check(tls_over_sockets(client_ctx, server_ctx, "tls.test", &verify) && verify == X509_V_OK, "TLS 1.3 over a socket pair, certificate and name verified");
  ERR_clear_error();
  int refused = !tls_over_sockets(client_ctx, server_ctx, "other.test", &verify);
  check(refused && verify == X509_V_ERR_HOSTNAME_MISMATCH, "the wrong host name is refused");
  ERR_clear_error();

  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
  X509_free(cert);
  EVP_PKEY_free(pkey);
  if (failures == 0) printf("PASS openssl\n");
  return failures == 0 ? 0 : 1;
}
