#ifndef OUTDIAL_CSQLITE_SHIM_H
#define OUTDIAL_CSQLITE_SHIM_H
#include <sqlite3.h>

/// sqlite3_config is variadic, which Swift cannot call: this wraps the one
/// setting outdial changes. Memory statistics take a global mutex on every
/// allocation; outdial never reads them.
static inline int outdial_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
