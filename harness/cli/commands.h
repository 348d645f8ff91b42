/*
 * The command-line front-ends of vtbench, one function per command, listed
 * once in VTB_COMMAND_LIST. A front-end parses its arguments, prints, and
 * returns an exit code; main.c dispatches to it.
 */
#ifndef VTB_COMMANDS_H
#define VTB_COMMANDS_H

#include <signal.h>
#include <stdbool.h>
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

/* The PID of a child process running in a process group of its own (the
 * report's gnuplot), 0 when none: when vtbench stops at once, the handler
 * kills that group and reaps the child before it exits. */
extern volatile sig_atomic_t vtb_cli_child_pid;

/* Installs the handlers that set vtb_cli_stop_requested, for SIGINT,
 * SIGTERM and SIGHUP unless the signal was ignored when vtbench started
 * (nohup, a script's background job): then it stays ignored. */
void vtb_cli_install_signal_handlers(void);

/* How command stops on SIGINT, SIGTERM or SIGHUP: at_once, exit 130 on the
 * first signal (a command that writes nothing but stdout); otherwise at its
 * next safe point (vtb_cli_stop_requested), and at once on a second signal,
 * whose message adds second_note (may be NULL). Until this is called, the
 * first signal stops vtbench at once. */
void vtb_cli_set_stop_mode(const char *command, bool at_once, const char *second_note);

/* What stopped the run: "SIGINT", or "SIGTERM from process 812 (timeout)"
 * when another process sent it; "" when no signal came. */
const char *vtb_cli_stop_cause(void);

/* Prints the list of commands. */
void vtb_cli_usage(FILE *out);

int vtb_cmd_run(int argc, char **argv);
int vtb_cmd_list(int argc, char **argv);
int vtb_cmd_compare(int argc, char **argv);
int vtb_cmd_baseline(int argc, char **argv);
int vtb_cmd_report(int argc, char **argv);

/* Writes the report of a run directory (out_dir NULL: RUN_DIR/report), prints
 * its charts and path, and returns an exit code; `vtbench report` and
 * `vtbench run --report` both use it. */
int vtb_cli_report(const char *run_dir, const char *out_dir);

/* The same for a run that did not complete: a report of the cells it
 * holds, marked incomplete (`vtbench run --report` after a failed cell). */
int vtb_cli_report_incomplete(const char *run_dir);

/* XX(name, function, one-line summary) */
#define VTB_COMMAND_LIST(XX)                                                             \
    XX(run, vtb_cmd_run, "measure scenario files; write CSV, JSON, histograms")           \
    XX(list, vtb_cmd_list, "print implementations, shipped scenarios, keys, reporters")  \
    XX(compare, vtb_cmd_compare, "compare two runs or a run and a baseline; exit 3 on a regression") \
    XX(baseline, vtb_cmd_baseline, "save a run as a baseline (results/baselines/NAME.csv)") \
    XX(report, vtb_cmd_report, "render charts (gnuplot) and report.md from a run directory")

#endif /* VTB_COMMANDS_H */
