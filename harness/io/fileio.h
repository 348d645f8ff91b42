/*
 * Small file helpers shared by the readers of vtbench's own files (scenario
 * files, CSV tables, callgrind dumps, context.json): one bounded whole-file
 * read, so that every reader refuses an oversized, endless or unreadable
 * file the same way, and paths shortened for messages.
 *
 * The read accepts what a user may hand over as a file: a regular file, a
 * FIFO (`vtbench run <(make-scenario)`), a device. It never reads more than
 * its bound, so /dev/zero or a line that never ends is refused at the bound
 * rather than read forever, and it can be interrupted: a stop flag is
 * polled while it waits for a FIFO or a terminal, and a signal that
 * interrupts the opening of a FIFO with no writer ends it too.
 */
#ifndef VTB_FILEIO_H
#define VTB_FILEIO_H

#include <signal.h>
#include <stddef.h>

#include "vtb/error.h"

/*
 * Reads the whole file at path into a malloc'ed buffer (*out, *size bytes;
 * the caller frees it; a NUL is appended after the last byte but not
 * counted, so text can be scanned as a string). Refuses files larger than
 * max_bytes. stop may be NULL; when *stop becomes non-zero while the read
 * waits, it ends. Returns 0; VTB_ENOTFOUND (no such file), VTB_EIO (cannot
 * open or read; *os_errno says why), VTB_ERANGE (larger than max_bytes),
 * VTB_EINTR (stopped), VTB_ENOMEM. No message: callers word their own.
 */
int vtb_file_read_bounded(const char *path, size_t max_bytes, volatile sig_atomic_t *stop,
                          char **out, size_t *size, int *os_errno);

/*
 * vtb_file_read_bounded without a stop flag, with a message in err:
 * "PATH: cannot open: REASON", "PATH: larger than N bytes", "PATH: read
 * error: REASON".
 */
int vtb_file_read_all(const char *path, size_t max_bytes, char **out, size_t *size,
                      struct vtb_error *err);

/* Buffer size for vtb_path_brief. */
#define VTB_PATH_BRIEF_MAX 192

/*
 * path as given when it is short, else its start and end around "...", in
 * at most VTB_PATH_BRIEF_MAX bytes: a message that names a path and then
 * the reason must not lose the reason to a long path. Returns buf.
 */
const char *vtb_path_brief(const char *path, char *buf, size_t size);

#endif /* VTB_FILEIO_H */
