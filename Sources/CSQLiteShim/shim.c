#include "sqlite_shim.h"
// Header-only: the definitions live in sqlite-nio's vendored SQLite (VaporCSQLite).
