// Prototypes for the SQLite library that vapor/sqlite-nio vendors and links into every
// SaferStreets binary. Its symbols carry the prefix `sqlite_nio_`, so declaring them here
// lets the bulk importer use the very same SQLite instance as Fluent (one library, one
// set of POSIX lock records) through prepared statements that are bound and reused.
// Only the handful of functions the importer needs are declared; see sqlite.org/c3ref.
#ifndef SAFERSTREETS_SQLITE_SHIM_H
#define SAFERSTREETS_SQLITE_SHIM_H

#include <stdint.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef void (*shim_destructor)(void *);

#define SHIM_SQLITE_OK 0
#define SHIM_SQLITE_ROW 100
#define SHIM_SQLITE_DONE 101
#define SHIM_SQLITE_OPEN_READWRITE 0x00000002
#define SHIM_SQLITE_OPEN_CREATE 0x00000004
#define SHIM_SQLITE_OPEN_FULLMUTEX 0x00010000
#define SHIM_SQLITE_OPEN_NOMUTEX 0x00008000

int sqlite_nio_sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs);
int sqlite_nio_sqlite3_close_v2(sqlite3 *db);
int sqlite_nio_sqlite3_exec(sqlite3 *db, const char *sql, void *callback, void *arg, char **errmsg);
int sqlite_nio_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int bytes, sqlite3_stmt **stmt, const char **tail);
int sqlite_nio_sqlite3_step(sqlite3_stmt *stmt);
int sqlite_nio_sqlite3_reset(sqlite3_stmt *stmt);
int sqlite_nio_sqlite3_finalize(sqlite3_stmt *stmt);
int sqlite_nio_sqlite3_bind_int64(sqlite3_stmt *stmt, int index, int64_t value);
int sqlite_nio_sqlite3_bind_double(sqlite3_stmt *stmt, int index, double value);
int sqlite_nio_sqlite3_bind_null(sqlite3_stmt *stmt, int index);
int sqlite_nio_sqlite3_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes, shim_destructor destructor);
int sqlite_nio_sqlite3_bind_blob(sqlite3_stmt *stmt, int index, const void *blob, int bytes, shim_destructor destructor);
int64_t sqlite_nio_sqlite3_column_int64(sqlite3_stmt *stmt, int column);
double sqlite_nio_sqlite3_column_double(sqlite3_stmt *stmt, int column);
const unsigned char *sqlite_nio_sqlite3_column_text(sqlite3_stmt *stmt, int column);
const void *sqlite_nio_sqlite3_column_blob(sqlite3_stmt *stmt, int column);
int sqlite_nio_sqlite3_column_bytes(sqlite3_stmt *stmt, int column);
int sqlite_nio_sqlite3_column_type(sqlite3_stmt *stmt, int column);
const char *sqlite_nio_sqlite3_errmsg(sqlite3 *db);
int sqlite_nio_sqlite3_changes(sqlite3 *db);
int sqlite_nio_sqlite3_busy_timeout(sqlite3 *db, int ms);

// Starts writing a file's dirty pages to disk without waiting for them (Linux
// sync_file_range with SYNC_FILE_RANGE_WRITE; elsewhere it does nothing). The import calls
// it on the WAL as it grows, so that the disk works while the rows are parsed and the
// commit's fsync finds little left to write. Returns 0, or -1 with errno set.
int shim_start_writeback(int fd);

// Asks the processor to bring the cache line at p in now, for a read soon. Never faults,
// whatever p is. The import's writer walks a batch's rows in key order, a random order
// through memory, and fetches each row and its text some rows ahead with this.
static inline void shim_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

// SQLITE_STATIC: SQLite does not copy the bound bytes; they stay valid until the step.
static inline shim_destructor shim_static(void) { return (shim_destructor)0; }
// SQLITE_TRANSIENT: SQLite copies the bytes at bind time.
static inline shim_destructor shim_transient(void) { return (shim_destructor)(intptr_t)-1; }

#endif
