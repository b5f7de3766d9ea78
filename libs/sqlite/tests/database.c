// SQLite on wasm32-wasi as a C program uses it: a database file in the guest's /tmp, written,
// closed and read back; and the dot-file lock: while one connection writes, another gets
// SQLITE_BUSY, and <db>.lock exists. Prints "PASS sqlite" when every check holds.
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
  check(stat("/tmp/pywasi-test.db.lock", &st) == 0, "the dot-file lock exists while it writes");
  check(sqlite3_exec(other, "INSERT INTO t(name) VALUES ('e')", NULL, NULL, NULL) == SQLITE_BUSY, "the second connection gets SQLITE_BUSY");
  check(exec(db, "COMMIT") == SQLITE_OK, "the first commits");
  check(stat("/tmp/pywasi-test.db.lock", &st) != 0, "the lock is gone after the commit");
  check(exec(other, "INSERT INTO t(name) VALUES ('e')") == SQLITE_OK && scalar(other, "SELECT count(*) FROM t") == 5, "then the second writes");
  sqlite3_close(other);
  sqlite3_close(db);

  if (failures == 0) printf("PASS sqlite\n");
  return failures == 0 ? 0 : 1;
}
