/*
 * The console reporter: the summary table a person reads on the terminal.
 * It belongs to the command line, the only part that writes to the
 * terminal; the command line adds it to the run's reporters last.
 */
#ifndef VTB_CONSOLE_H
#define VTB_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>

#include "reporter.h"

/* The console reporter's options, handed to it by the command line as its
 * config (reporter.h): the stream (stdout when NULL; tests hand in a memory
 * stream), colour (never when NO_COLOR is set), quiet (print nothing). */
struct vtb_console_options {
    FILE *out;
    bool color;
    bool quiet;
};

extern const struct vtb_reporter_ops vtb_reporter_console;

#endif /* VTB_CONSOLE_H */
