/*
 * The command-line front-ends of vtbench, one function per command, listed
 * once in VTB_COMMAND_LIST. A front-end parses its arguments, prints, and
 * returns an exit code; main.c dispatches to it.
 */
#ifndef VTB_COMMANDS_H
#define VTB_COMMANDS_H

#include <signal.h>
#include <stdio.h>

/* Exit codes, documented in README.md and `vtbench --help`. */
enum vtb_exit_code {
    VTB_EXIT_OK = 0,
    VTB_EXIT_RUN_FAILED = 1,   /* an operation failed, a value was wrong, an I/O error */
    VTB_EXIT_USAGE = 2,        /* usage error or bad input (scenario file, option, CSV) */
    VTB_EXIT_REGRESSION = 3,   /* `compare` found a regression */
    VTB_EXIT_INTERRUPTED = 130 /* SIGINT or SIGTERM; completed cells were written */
};

/* Set by the signal handler; the runner stops at its next safe point. */
extern volatile sig_atomic_t vtb_cli_stop_requested;

/* Prints the list of commands. */
void vtb_cli_usage(FILE *out);

int vtb_cmd_run(int argc, char **argv);
int vtb_cmd_list(int argc, char **argv);

/* XX(name, function, one-line summary) */
#define VTB_COMMAND_LIST(XX)                                                             \
    XX(run, vtb_cmd_run, "measure scenario files; write CSV, JSON, histograms")           \
    XX(list, vtb_cmd_list, "print implementations, shipped scenarios, keys, reporters")

#endif /* VTB_COMMANDS_H */
