#ifndef MASKDB_CLIBDEFLATE_SHIM_H
#define MASKDB_CLIBDEFLATE_SHIM_H

#include <libdeflate.h>

#endif
