/*
 * Messages to the terminal: one line on stderr, prefixed "vtbench: ", with
 * every control character escaped. Errors echo what the user typed (a
 * --set value, a file name), and an escape sequence in it must show as
 * text, never act on the terminal.
 */
#ifndef VTB_MESSAGES_H
#define VTB_MESSAGES_H

#include <stddef.h>

/* Prints "vtbench: " and the formatted message, escaped, and a newline. */
void vtb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));


/* Flushes stdout and returns VTB_EXIT_OK, or, when stdout could not be
 * written (closed, a full disk, a reader gone), says so on stderr and
 * returns VTB_EXIT_RUN_FAILED: a command whose output is its product
 * (list, --help, compare) must not report success it could not deliver. */
int vtb_cli_stdout_status(void);

#endif /* VTB_MESSAGES_H */
