#ifndef OUTDIAL_CSQLITE_SHIM_H
#define OUTDIAL_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
