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

/* The console reporter prints to this stream (stdout by default); tests
 * point it at a memory stream. Colour is used only when the stream is a
 * terminal and NO_COLOR is unset. */
struct vtb_console_options {
    FILE *out;
    bool color;
    bool quiet;
};
void vtb_console_configure(const struct vtb_console_options *options);

extern const struct vtb_reporter_ops vtb_reporter_console;

#endif /* VTB_CONSOLE_H */
