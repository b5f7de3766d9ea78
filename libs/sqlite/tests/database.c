// SQLite on wasm32-wasi as a C program uses it: a database file in the guest's /tmp, written,
// closed and read back; two connections locking each other as on Linux (readers beside a writer,
// one writer, no commit under a reader); and the "unix-dotfile" VFS by name, with its <db>.lock.
// Prints "PASS sqlite" when every check holds.
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int failures = 0;

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

static int exec(sqlite3 *db, const char *sql) {
  char *error = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &error);
  if (rc != SQLITE_OK) printf("  %s: %s\n", sql, error ? error : sqlite3_errstr(rc));
  sqlite3_free(error);
  return rc;
}

static long long scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *stmt = NULL;
  long long value = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

int main(void) {
  const char *path = "/tmp/pywasi-test.db";
  sqlite3 *db = NULL;
  printf("sqlite %s\n", sqlite3_libversion());
  check(sqlite3_open(path, &db) == SQLITE_OK, "open creates the database file");
  check(exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)") == SQLITE_OK, "create a table");
  check(exec(db, "BEGIN; INSERT INTO t(name) VALUES ('a'), ('b'), ('c'); COMMIT") == SQLITE_OK, "insert in a transaction");
  check(exec(db, "PRAGMA journal_mode=WAL") == SQLITE_OK && scalar(db, "SELECT count(*) FROM t") == 3, "WAL is not available, the rollback journal stays");
  sqlite3_close(db);

  struct stat st;
  check(stat(path, &st) == 0 && st.st_size > 0, "the file is on disk after close");
  check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK && scalar(db, "SELECT count(*) FROM t WHERE name IN ('a','b','c')") == 3, "reopened, the rows are there");

  sqlite3 *other = NULL;
  check(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK, "a second connection opens");
  check(exec(db, "BEGIN IMMEDIATE; INSERT INTO t(name) VALUES ('d')") == SQLITE_OK, "the first connection starts writing");
  check(scalar(other, "SELECT count(*) FROM t") == 3, "the second reads meanwhile, and does not see the uncommitted row");
  check(sqlite3_exec(other, "INSERT INTO t(name) VALUES ('e')", NULL, NULL, NULL) == SQLITE_BUSY, "a second writer gets SQLITE_BUSY");
  check(exec(db, "COMMIT") == SQLITE_OK, "the first commits");
  check(exec(other, "INSERT INTO t(name) VALUES ('e')") == SQLITE_OK && scalar(other, "SELECT count(*) FROM t") == 5, "then the second writes");

  check(exec(other, "BEGIN; SELECT count(*) FROM t") == SQLITE_OK, "the second holds a read transaction");
  check(sqlite3_exec(db, "INSERT INTO t(name) VALUES ('f')", NULL, NULL, NULL) == SQLITE_BUSY, "the first cannot commit under a reader");
  check(exec(other, "COMMIT") == SQLITE_OK && exec(db, "INSERT INTO t(name) VALUES ('f')") == SQLITE_OK, "once the reader ends, it can");
  sqlite3_close(other);
  sqlite3_close(db);

  check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "unix-dotfile") == SQLITE_OK, "the dot-file VFS opens by name");
  check(exec(db, "BEGIN IMMEDIATE; INSERT INTO t(name) VALUES ('g')") == SQLITE_OK && stat("/tmp/pywasi-test.db.lock", &st) == 0, "its lock file exists while it writes");
  check(exec(db, "COMMIT") == SQLITE_OK && stat("/tmp/pywasi-test.db.lock", &st) != 0 && scalar(db, "SELECT count(*) FROM t") == 7, "and is gone after the commit");
  sqlite3_close(db);

  if (failures == 0) printf("PASS sqlite\n");
  return failures == 0 ? 0 : 1;
}
