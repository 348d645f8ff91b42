/*
 * Small file helpers shared by the readers of vtbench's own files (CSV
 * tables, callgrind dumps, context.json): one bounded whole-file read, so
 * that every reader refuses an oversized or unreadable file the same way.
 */
#ifndef VTB_FILEIO_H
#define VTB_FILEIO_H

#include <stddef.h>

#include "vtb/error.h"

/*
 * Reads the whole file at path into a malloc'ed buffer (*out, *size bytes;
 * the caller frees it; a NUL is appended after the last byte but not
 * counted, so text can be scanned as a string). Refuses files larger than
 * max_bytes. Returns 0, or VTB_EIO / VTB_ERANGE / VTB_ENOMEM with the path
 * in err's message.
 */
int vtb_file_read_all(const char *path, size_t max_bytes, char **out, size_t *size,
                      struct vtb_error *err);

#endif /* VTB_FILEIO_H */
