/*
 * Signal handling of the command line. SIGINT, SIGTERM and SIGHUP ask the
 * run to stop (the flag below): the runner sees it within milliseconds,
 * wherever it is, abandons the cell in progress and writes every completed
 * one. A second such signal stops at once (the journal still holds every
 * completed cell). The handlers are installed without SA_RESTART, so that a
 * read from a FIFO or a terminal, or the opening of a FIFO nobody writes
 * to, is interrupted too. SIGPIPE is ignored: a reader of stdout that goes
 * away (`vtbench run ... | head -1`) ends the console's output, not the
 * run.
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
        static const char msg[] = "\nvtbench: stopped immediately; the completed cells are in "
                                   "the run directory's journal\n";
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
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

