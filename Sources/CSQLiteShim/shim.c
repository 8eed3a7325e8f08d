#define _GNU_SOURCE
#include "sqlite_shim.h"
#include <fcntl.h>
// The SQLite prototypes are definitions in sqlite-nio's vendored SQLite (VaporCSQLite);
// this file adds the one helper of its own.

int shim_start_writeback(int fd) {
#ifdef __linux__
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    return 0;
#endif
}
