/*
 * vtbench's entry point: dispatches to the command front-ends (cmd_*.c).
 * The front-ends and this file are the only code that parses arguments,
 * prints to the terminal, installs signal handlers or decides the exit code;
 * everything they call returns errors instead. Exit codes: see commands.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "commands.h"
#include "fileio.h"
#include "messages.h"
#include "vtb/config.h"

#define VTB__COMMAND_ENTRY(name, fn, summary) {#name, fn, summary},
static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {VTB_COMMAND_LIST(VTB__COMMAND_ENTRY)};
#undef VTB__COMMAND_ENTRY

void vtb_cli_usage(FILE *out)
{
    fprintf(out, "usage: vtbench COMMAND [ARGS]   (vtbench COMMAND --help for its options)\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  --help, --version\n\n"
                 "exit codes: 0 ok, 1 run failed, 2 usage or bad input, 3 regression (compare),\n"
                 "            130 interrupted by SIGINT, SIGTERM or SIGHUP (completed cells are\n"
                 "            written)\n");
}

/* Runs one command under its way of stopping (commands.h). compare and
 * list write nothing but stdout, so a stop signal ends them at once; run,
 * report and baseline write files and stop at a safe point. A command
 * during which a stop signal came exits 130 whatever it returned: what it
 * did after the signal (baseline saving a run it had already read) is
 * said, but the user asked it to stop. */
static int run_command(const char *name, int (*fn)(int, char **), int argc, char **argv)
{
    bool at_once = strcmp(name, "compare") == 0 || strcmp(name, "list") == 0;
    vtb_cli_set_stop_mode(name, at_once,
                          strcmp(name, "run") == 0
                              ? "the completed cells are in the run directory's journal"
                              : NULL);
    int code = fn(argc, argv);
    if (vtb_cli_stop_requested && code != VTB_EXIT_INTERRUPTED) {
        vtb_cli_error("%s: stopped by %s", name, vtb_cli_stop_cause());
        code = VTB_EXIT_INTERRUPTED;
    }
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        vtb_cli_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    const char *command = argv[1];
    /* Ignored first, so that even --help to a closed pipe exits with a
     * status instead of being killed. */
    vtb_cli_install_signal_handlers();
    /* The CSV and JSON readers end with VTB_EINTR once a stop is asked. */
    vtb_file_set_stop_flag(&vtb_cli_stop_requested);
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        vtb_cli_usage(stdout);
        return vtb_cli_stdout_status();
    }
    if (strcmp(command, "--version") == 0) {
        printf("vtbench %s\n", VTB_VERSION_STRING);
        return vtb_cli_stdout_status();
    }
    /* Backend latencies of microseconds need the kernel to wake us within
     * microseconds, not the default 50 us timer slack. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(command, commands[i].name) == 0)
            return run_command(commands[i].name, commands[i].fn, argc - 1, argv + 1);
    vtb_cli_error("unknown command '%s'", command);
    vtb_cli_usage(stderr);
    return VTB_EXIT_USAGE;
}
