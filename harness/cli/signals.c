/*
 * Signal handling of the command line. SIGINT, SIGTERM and SIGHUP ask the
 * run to stop (the flag below): the runner sees it within milliseconds,
 * wherever it is, abandons the cell in progress and writes every completed
 * one. A second such signal stops at once (the journal still holds every
 * completed cell). The handlers are installed without SA_RESTART, so that a
 * read from a FIFO or a terminal, or the opening of a FIFO nobody writes
 * to, is interrupted too. SIGPIPE is ignored: a reader of stdout that goes
 * away (`vtbench run ... | head -1`) ends the console's output, not the
 * run. The first signal's number and sender are kept, so that a run
 * stopped by another process (a CI timeout, a supervisor) says which.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

volatile sig_atomic_t vtb_cli_stop_requested;

/* The first stop signal and its sender (0: the kernel, e.g. a terminal's
 * ^C), written by the handler before it sets the flag. */
static volatile sig_atomic_t stop_signo;
static volatile sig_atomic_t stop_sender;

static void on_signal(int signo, siginfo_t *info, void *context)
{
    (void)context;
    if (vtb_cli_stop_requested) {
        /* A second signal means "now": nothing is half-written because every
         * result file is written under a temporary name. */
        static const char msg[] = "\nvtbench: stopped immediately; the completed cells are in "
                                   "the run directory's journal\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        _exit(VTB_EXIT_INTERRUPTED);
    }
    stop_signo = signo;
    /* si_pid is the sender only for signals sent by a process. */
    stop_sender = info != NULL && (info->si_code == SI_USER || info->si_code == SI_QUEUE ||
                                   info->si_code == SI_TKILL)
                      ? (sig_atomic_t)info->si_pid
                      : 0;
    vtb_cli_stop_requested = 1;
}

/* The sender's command name from /proc, "" when it cannot be read (the
 * process is gone, or no /proc). */
static void read_command_name(long pid, char *name, size_t size)
{
    char path[64];
    name[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(name, (int)size, f) == NULL)
        name[0] = '\0';
    fclose(f);
    name[strcspn(name, "\n")] = '\0';
    /* A command name is the process's to choose: keep it printable. */
    for (char *c = name; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
            *c = '?';
}

const char *vtb_cli_stop_cause(void)
{
    static char cause[128];
    if (!vtb_cli_stop_requested)
        return "";
    const char *signal_name = stop_signo == SIGINT    ? "SIGINT"
                              : stop_signo == SIGTERM ? "SIGTERM"
                              : stop_signo == SIGHUP  ? "SIGHUP"
                                                      : "a signal";
    if (stop_sender == 0) {
        snprintf(cause, sizeof(cause), "%s", signal_name);
        return cause;
    }
    if ((long)stop_sender == (long)getpid()) {
        snprintf(cause, sizeof(cause), "%s from vtbench itself", signal_name);
        return cause;
    }
    char name[32];
    read_command_name((long)stop_sender, name, sizeof(name));
    if (name[0] != '\0')
        snprintf(cause, sizeof(cause), "%s from process %ld (%s)", signal_name,
                 (long)stop_sender, name);
    else
        snprintf(cause, sizeof(cause), "%s from process %ld", signal_name, (long)stop_sender);
    return cause;
}

void vtb_cli_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

