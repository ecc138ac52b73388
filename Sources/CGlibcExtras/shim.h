#ifndef MASKDB_CGLIBCEXTRAS_SHIM_H
#define MASKDB_CGLIBCEXTRAS_SHIM_H

// glibc calls that Swift's Glibc module does not export.

// mallopt: tuning of malloc's handling of large buffers.
#include <malloc.h>

// sync_file_range: <fcntl.h> declares it only under _GNU_SOURCE.
#include <stdint.h>
extern int sync_file_range(int fd, int64_t offset, int64_t nbytes, unsigned int flags);
static const unsigned int cglibc_SYNC_FILE_RANGE_WRITE = 2;

#endif
