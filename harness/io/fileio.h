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
 * vtb_file_read_bounded with the process's stop flag (below), with a
 * message in err: "PATH: cannot open: REASON", "PATH: larger than N
 * bytes", "PATH: read error: REASON", "PATH: interrupted" (VTB_EINTR).
 */
int vtb_file_read_all(const char *path, size_t max_bytes, char **out, size_t *size,
                      struct vtb_error *err);

/*
 * The stop flag of the reads that are given none (vtb_file_read_all, and
 * so the CSV and JSON readers): once *stop is set, such a read ends with
 * VTB_EINTR, whether it waits for a FIFO, a pipe or a terminal or reads a
 * large file. NULL (the default) makes them uninterruptible. Set once by
 * the command line, to the flag its signal handlers set.
 */
void vtb_file_set_stop_flag(volatile sig_atomic_t *stop);

/*
 * text with every control character (below 0x20, and 0x7f) written as
 * \xNN, into buf (truncated to size - 1 bytes, never within an escape):
 * a text read from a file or typed by a user, shown on a terminal or in a
 * document, must show as text, never act. Returns buf.
 */
const char *vtb_text_escape(const char *text, char *buf, size_t size);

/* Buffer size for vtb_path_brief. */
#define VTB_PATH_BRIEF_MAX 192

/*
 * path as given when it is short, else its start and end around "...", in
 * at most VTB_PATH_BRIEF_MAX bytes: a message that names a path and then
 * the reason must not lose the reason to a long path. Returns buf.
 */
const char *vtb_path_brief(const char *path, char *buf, size_t size);

#endif /* VTB_FILEIO_H */
