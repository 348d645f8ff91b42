/*
 * Signal handling of the command line: SIGINT and SIGTERM ask the run to
 * stop at its next safe point (the flag below); a second one stops at once.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

volatile sig_atomic_t vtb_cli_stop_requested;

static void on_signal(int signo)
{
    if (vtb_cli_stop_requested) {
        /* A second signal means "now": nothing is half-written because every
         * result file is written under a temporary name. */
        static const char msg[] = "\nvtbench: stopped immediately\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        _exit(VTB_EXIT_INTERRUPTED);
    }
    (void)signo;
    vtb_cli_stop_requested = 1;
}

void vtb_cli_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

