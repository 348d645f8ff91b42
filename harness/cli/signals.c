/*
 * Signal handling of the command line. SIGINT, SIGTERM and SIGHUP stop the
 * command. A command that writes files (run, report, baseline) stops at its
 * next safe point: the flag below is set, the runner sees it within
 * milliseconds, abandons the cell in progress and writes every completed
 * one; the report kills its gnuplot and removes the chart it was drawing;
 * the file readers (fileio.h) end with VTB_EINTR. A second such signal
 * stops at once (kills the report's gnuplot first; every result file is
 * written under a temporary name, so nothing is half-written). A command
 * that writes nothing but stdout (compare, list) stops at once on the
 * first signal: nothing is lost, and its reading and comparing of large
 * files has no safe point to wait for.
 *
 * A SIGHUP that was ignored when vtbench started stays ignored: `nohup
 * vtbench run ...` survives the terminal's SIGHUP. SIGINT and SIGTERM are
 * handled even when inherited as ignored (a script's background job):
 * scripts stop vtbench with `kill -INT` and expect the completed cells
 * written. The handlers are installed without SA_RESTART, so that a
 * read from a FIFO or a terminal, or the opening of a FIFO nobody writes
 * to, is interrupted too. SIGPIPE is ignored: a reader of stdout that goes
 * away (`vtbench run ... | head -1`) ends the console's output, not the
 * run. The first signal's number and sender are kept, so that a run
 * stopped by another process (a CI timeout, a supervisor) says which.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"

volatile sig_atomic_t vtb_cli_stop_requested;
volatile sig_atomic_t vtb_cli_child_pid;

/* How the running command stops (vtb_cli_set_stop_mode), and the messages
 * the handler writes, prepared beforehand: a handler may only write(2). */
static volatile sig_atomic_t stop_at_once = 1;
static char at_once_msg[128] = "vtbench: stopped by ";
static char second_msg[192] = "\nvtbench: stopped immediately\n";

/* The first stop signal and its sender (0: the kernel, e.g. a terminal's
 * ^C), written by the handler before it sets the flag. */
static volatile sig_atomic_t stop_signo;
static volatile sig_atomic_t stop_sender;

static void write_text(const char *text)
{
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static const char *signal_name(int signo)
{
    return signo == SIGINT    ? "SIGINT"
           : signo == SIGTERM ? "SIGTERM"
           : signo == SIGHUP  ? "SIGHUP"
                              : "a signal";
}

/* Ends vtbench now, with its child (a gnuplot, in a process group of its
 * own) killed and reaped first, so that nothing of it outlives vtbench. */
static void stop_now(const char *message, int signo)
{
    pid_t child = (pid_t)vtb_cli_child_pid;
    if (child > 0) {
        kill(-child, SIGKILL);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    write_text(message);
    if (signo != 0) {
        write_text(signal_name(signo));
        write_text("\n");
    }
    _exit(VTB_EXIT_INTERRUPTED);
}

static void on_signal(int signo, siginfo_t *info, void *context)
{
    (void)context;
    /* A second signal means "now": nothing is half-written because every
     * result file is written under a temporary name. */
    if (vtb_cli_stop_requested)
        stop_now(second_msg, 0);
    if (stop_at_once)
        stop_now(at_once_msg, signo);
    stop_signo = signo;
    /* si_pid is the sender only for signals sent by a process. */
    stop_sender = info != NULL && (info->si_code == SI_USER || info->si_code == SI_QUEUE ||
                                   info->si_code == SI_TKILL)
                      ? (sig_atomic_t)info->si_pid
                      : 0;
    vtb_cli_stop_requested = 1;
}

/* The sender's command name from /proc, escaped (a command name is the
 * process's to choose); "" when it cannot be read (the process is gone, or
 * no /proc). */
static void read_command_name(long pid, char *name, size_t size)
{
    char path[64], raw[32] = "";
    snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fgets(raw, (int)sizeof(raw), f) == NULL)
            raw[0] = '\0';
        fclose(f);
    }
    raw[strcspn(raw, "\n")] = '\0';
    vtb_text_escape(raw, name, size);
}

const char *vtb_cli_stop_cause(void)
{
    static char cause[128];
    if (!vtb_cli_stop_requested)
        return "";
    const char *name = signal_name(stop_signo);
    if (stop_sender == 0) {
        snprintf(cause, sizeof(cause), "%s", name);
        return cause;
    }
    if ((long)stop_sender == (long)getpid()) {
        snprintf(cause, sizeof(cause), "%s from vtbench itself", name);
        return cause;
    }
    char command[64];
    read_command_name((long)stop_sender, command, sizeof(command));
    if (command[0] != '\0')
        snprintf(cause, sizeof(cause), "%s from process %ld (%s)", name, (long)stop_sender,
                 command);
    else
        snprintf(cause, sizeof(cause), "%s from process %ld", name, (long)stop_sender);
    return cause;
}

void vtb_cli_set_stop_mode(const char *command, bool at_once, const char *second_note)
{
    /* Blocked while the messages change, so that the handler never writes
     * half of one. */
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGHUP);
    sigprocmask(SIG_BLOCK, &stops, &old);
    snprintf(at_once_msg, sizeof(at_once_msg), "vtbench: %s stopped by ", command);
    snprintf(second_msg, sizeof(second_msg), "\nvtbench: %s stopped immediately%s%s\n", command,
             second_note != NULL ? "; " : "", second_note != NULL ? second_note : "");
    stop_at_once = at_once;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void vtb_cli_install_signal_handlers(void)
{
    static const int stops[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        sigaddset(&sa.sa_mask, stops[i]);
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
        struct sigaction inherited;
        /* A SIGHUP ignored by whoever started us (nohup) stays ignored:
         * surviving the terminal is what they asked for. SIGINT and
         * SIGTERM are handled even when inherited as ignored: a shell
         * without job control ignores SIGINT in every background job, and
         * scripts and CI stop vtbench with `kill -INT $!` all the same,
         * expecting the completed cells to be written. */
        if (stops[i] == SIGHUP && sigaction(stops[i], NULL, &inherited) == 0 &&
            !(inherited.sa_flags & SA_SIGINFO) && inherited.sa_handler == SIG_IGN)
            continue;
        sigaction(stops[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
}
