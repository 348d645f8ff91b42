/*
 * Running gnuplot for `vtbench report` (see gnuplot.h): the -e text, the
 * search for the templates, and one child process per rendered file.
 *
 * gnuplot runs with stdin and stdout on /dev/null and its stderr captured,
 * in a process group of its own, watched: a stop or its time limit kills
 * that group (by its ID, which stays ours until the child is reaped).
 * The templates are written to be silent, so anything on stderr (a syntax
 * error, "no valid points", a font problem) fails the chart rather than
 * leaving an empty or wrong one behind unnoticed.
 */
#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"

extern char **environ;

/* Longest directory of templates and of outputs handled. */
#define GP_PATH_MAX 1024

/* ---- The -e text ---- */

static void gp_vappend(struct vtb__gp_text *b, const char *fmt, va_list ap)
{
    va_list copy;
    int n;

    if (b->failed)
        return;
    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;
        char *s;

        while (b->len + (size_t)n + 1 > cap)
            cap *= 2;
        s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

void vtb__gp_append(struct vtb__gp_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gp_vappend(t, fmt, ap);
    va_end(ap);
}

const char *vtb__gp_str(const struct vtb__gp_text *t)
{
    return t->s != NULL ? t->s : "";
}

void vtb__gp_free(struct vtb__gp_text *t)
{
    free(t->s);
    memset(t, 0, sizeof(*t));
}

void vtb__gp_var(struct vtb__gp_text *t, const char *name, const char *value)
{
    vtb__gp_append(t, "%s='", name);
    for (const char *p = value; *p != '\0'; p++) {
        if (*p == '\'')
            vtb__gp_append(t, "''");
        else
            vtb__gp_append(t, "%c", *p);
    }
    vtb__gp_append(t, "'; ");
}

void vtb__gp_word(struct vtb__gp_text *list, const char *word)
{
    vtb__gp_append(list, "%s\"", list->len > 0 ? " " : "");
    for (const char *p = word; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        vtb__gp_append(list, "%c", c == '"' || c == '\'' || c < 0x20 ? '_' : (char)c);
    }
    vtb__gp_append(list, "\"");
}

void vtb__gp_tic_word(struct vtb__gp_text *list, const char *word)
{
    char buf[256];
    size_t n = 0;

    for (const char *p = word; *p != '\0' && n + 2 < sizeof(buf); p++) {
        if (*p == '%')
            buf[n++] = '%';
        buf[n++] = *p;
    }
    buf[n] = '\0';
    vtb__gp_word(list, buf);
}

/* ---- Finding the templates ---- */

int vtb__gp_find_templates(char *dir, size_t size, struct vtb_error *err)
{
    const char *env = getenv("VTB_REPORTS_DIR");
    char source[GP_PATH_MAX] = "";
    const char *slash = strrchr(__FILE__, '/');
    const char *candidates[4];
    size_t n = 0;

    if (env != NULL && env[0] != '\0') {
        candidates[n++] = env;
    } else {
        /* CMake passes absolute source paths, so __FILE__ names reports/. */
        if (slash != NULL && __FILE__[0] == '/')
            snprintf(source, sizeof(source), "%.*s", (int)(slash - __FILE__), __FILE__);
        if (source[0] != '\0')
            candidates[n++] = source;
        candidates[n++] = "reports";
#ifdef VTB_INSTALLED_REPORTS_DIR
        /* Where `cmake --install` puts the templates. */
        candidates[n++] = VTB_INSTALLED_REPORTS_DIR;
#endif
    }
    for (size_t k = 0; k < n; k++) {
        char probe[GP_PATH_MAX + 32];

        snprintf(probe, sizeof(probe), "%s/common.gp", candidates[k]);
        if (access(probe, R_OK) == 0) {
            char resolved[PATH_MAX];
            /* "harness/../reports" reads badly in gnuplot's messages. */
            const char *found = realpath(candidates[k], resolved) != NULL ? resolved
                                                                          : candidates[k];
            if (snprintf(dir, size, "%s", found) >= (int)size)
                return vtb_error_set(err, VTB_ERANGE, "%s: path too long", found);
            return 0;
        }
    }
    return vtb_error_set(err, VTB_EUNSUPPORTED,
                         "cannot find the gnuplot templates (reports/common.gp)%s%s; set "
                         "VTB_REPORTS_DIR to the reports/ directory of the vtbench sources",
                         env != NULL && env[0] != '\0' ? " in VTB_REPORTS_DIR=" : "",
                         env != NULL && env[0] != '\0' ? env : "");
}

/* ---- The child process ---- */

static const char *gnuplot_program(void)
{
    const char *env = getenv("VTB_GNUPLOT");
    return env != NULL && env[0] != '\0' ? env : "gnuplot";
}

static int gnuplot_missing(const char *program, struct vtb_error *err)
{
    return vtb_error_set(err, VTB_EUNSUPPORTED,
                         "cannot run gnuplot ('%s' not found%s): install the Debian package "
                         "gnuplot-nox (apt-get install gnuplot-nox), or point VTB_GNUPLOT at "
                         "a gnuplot 5.4 or later",
                         program, strcmp(program, "gnuplot") == 0 ? " on PATH" : "");
}

int vtb__gp_timeout(double default_s, double *seconds, struct vtb_error *err)
{
    const char *env = getenv("VTB_GNUPLOT_TIMEOUT");
    char *end = NULL;
    double s;

    *seconds = default_s;
    if (env == NULL || env[0] == '\0')
        return 0;
    errno = 0;
    s = strtod(env, &end);
    if (end == env || *end != '\0' || errno != 0 || !(s > 0) || s > 86400.0 * 365)
        return vtb_error_set(err, VTB_EINVAL,
                             "VTB_GNUPLOT_TIMEOUT=%s: expected seconds > 0 (default %g)", env,
                             default_s);
    *seconds = s;
    return 0;
}

/* gnuplot's stderr, whitespace collapsed. */
struct gp_stderr {
    char text[16384];
    size_t len;
};

static void stderr_take(struct gp_stderr *e, const char *chunk, size_t got)
{
    for (size_t k = 0; k < got && e->len + 1 < sizeof(e->text); k++) {
        bool space = chunk[k] == ' ' || chunk[k] == '\n' || chunk[k] == '\t' || chunk[k] == '\r';
        if (space && (e->len == 0 || e->text[e->len - 1] == ' '))
            continue;
        e->text[e->len++] = space ? ' ' : chunk[k];
    }
    e->text[e->len] = '\0';
}

/* gnuplot echoes the failing command before the message, so when the text
 * is long its tail is what matters: the last 300 bytes, marked "...". */
static const char *stderr_tail(struct gp_stderr *e)
{
    if (e->len <= 300)
        return e->text;
    memcpy(e->text + e->len - 300, "...", 3);
    return e->text + e->len - 300;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts PROGRAM -e VARS TEMPLATE in a process group of its own, with its
 * stderr on a pipe whose read end comes back in *errfd. */
static int spawn_gnuplot(const char *program, const char *vars, const char *template_path,
                         pid_t *pid, int *errfd, struct vtb_error *err)
{
    char *argv[] = {(char *)program, (char *)"-e", (char *)vars, (char *)template_path, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int pipefd[2], rc;

    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return vtb_error_set(err, VTB_EIO, "cannot create a pipe for gnuplot: %s",
                             strerror(errno));
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
    /* Its own group, so that stopping it kills what it started too. */
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    rc = posix_spawnp(pid, program, &actions, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        if (rc == ENOENT || rc == ENOTDIR || rc == EACCES)
            return gnuplot_missing(program, err);
        return vtb_error_set(err, VTB_EIO, "cannot start %s: %s", program, strerror(rc));
    }
    *errfd = pipefd[0];
    return 0;
}

/* How a gnuplot ended. */
enum gp_end { GP_EXITED, GP_STOPPED, GP_TIMED_OUT };

/*
 * Reads pid's stderr from errfd until it ends, then waits for pid to exit,
 * looking at the stop flag and the deadline at least every 20 ms (a signal
 * interrupts the wait at once: the handlers do not restart calls). Leaves
 * pid unreaped.
 */
static enum gp_end watch_gnuplot(const struct vtb__gp_chart *chart, pid_t pid, int errfd,
                                 struct gp_stderr *e)
{
    double deadline = now_s() + chart->timeout_s;
    bool eof = false;

    for (;;) {
        if (chart->stop != NULL && *chart->stop)
            return GP_STOPPED;
        if (now_s() >= deadline)
            return GP_TIMED_OUT;
        if (!eof) {
            struct pollfd p = {.fd = errfd, .events = POLLIN};
            char chunk[512];
            ssize_t got;

            if (poll(&p, 1, 20) <= 0)
                continue;
            got = read(errfd, chunk, sizeof(chunk));
            if (got > 0)
                stderr_take(e, chunk, (size_t)got);
            else if (got == 0 || errno != EINTR)
                eof = true;
        } else {
            siginfo_t info;
            struct timespec pause = {0, 10 * 1000 * 1000};

            /* WNOWAIT: the child stays a zombie, its PID and group ours
             * until the caller reaps it. */
            memset(&info, 0, sizeof(info));
            if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0 &&
                errno != EINTR)
                return GP_EXITED;
            if (info.si_pid == pid)
                return GP_EXITED;
            nanosleep(&pause, NULL);
        }
    }
}

/* Runs gnuplot on one template: 0 when it exited 0 and said nothing. */
static int run_gnuplot(const struct vtb__gp_chart *chart, const char *vars,
                       const char *template_path, const char *ext, struct vtb_error *err)
{
    const char *program = gnuplot_program();
    struct gp_stderr e = {.len = 0};
    enum gp_end end;
    int errfd = -1, status = 0, rc;
    pid_t pid = 0;

    rc = spawn_gnuplot(program, vars, template_path, &pid, &errfd, err);
    if (rc != 0)
        return rc;
    if (chart->child_pid != NULL)
        *chart->child_pid = (sig_atomic_t)pid;
    end = watch_gnuplot(chart, pid, errfd, &e);
    close(errfd);
    if (end != GP_EXITED) {
        /* The group is still ours: its leader is not reaped yet. */
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    if (chart->child_pid != NULL)
        *chart->child_pid = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return vtb_error_set(err, VTB_EIO, "waiting for gnuplot: %s", strerror(errno));
    }
    if (end == GP_STOPPED)
        return vtb_error_set(err, VTB_EINTR, "chart %s.%s: interrupted; gnuplot was killed",
                             chart->name, ext);
    if (end == GP_TIMED_OUT)
        return vtb_error_set(err, VTB_EIO,
                             "gnuplot did not finish chart %s.%s within %g s and was killed "
                             "(VTB_GNUPLOT_TIMEOUT sets the limit)",
                             chart->name, ext, chart->timeout_s);
    /* 127 is what a child reports when it could not exec at all. */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && e.len == 0)
        return gnuplot_missing(program, err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return vtb_error_set(err, VTB_EIO, "gnuplot failed on chart %s (%s %d): %s",
                             chart->name, WIFEXITED(status) ? "exit status" : "signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                             e.len > 0 ? stderr_tail(&e) : "(nothing on stderr)");
    if (e.len > 0)
        return vtb_error_set(err, VTB_EIO, "gnuplot complained about chart %s: %s",
                             chart->name, stderr_tail(&e));
    return 0;
}

/* The -e text of one rendering: the variables every template reads, then
 * the chart's own. */
static void common_vars(struct vtb__gp_text *vars, const struct vtb__gp_chart *chart,
                        const char *ext, const char *out)
{
    char path[GP_PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/common.gp", chart->templates);
    vtb__gp_var(vars, "common", path);
    vtb__gp_var(vars, "term", ext);
    vtb__gp_var(vars, "out", out);
    vtb__gp_var(vars, "datafile", chart->datafile);
    vtb__gp_var(vars, "pctfile", chart->pctfile);
    vtb__gp_var(vars, "scenario", chart->scenario);
    vtb__gp_var(vars, "build", chart->build);
    vtb__gp_append(vars, "%s", chart->vars);
}

int vtb__gp_render(const struct vtb__gp_chart *chart, const char *ext, struct vtb_error *err)
{
    struct vtb_atomic_file af = {0};
    struct vtb__gp_text vars = {0};
    char name[64], template_path[GP_PATH_MAX + 64];
    struct stat st;
    int rc;

    snprintf(name, sizeof(name), "%s.%s", chart->name, ext);
    snprintf(template_path, sizeof(template_path), "%s/%s.gp", chart->templates, chart->name);
    if (access(template_path, R_OK) != 0)
        return vtb_error_set(err, VTB_EUNSUPPORTED, "%s: missing chart template",
                             template_path);
    /* The atomic file reserves NAME.EXT.tmp; gnuplot writes into it. */
    rc = vtb_atomic_file_open(&af, chart->out_dir, name, err);
    if (rc != 0)
        return rc;
    common_vars(&vars, chart, ext, af.tmp_path);
    if (vars.failed) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out_abort;
    }
    rc = run_gnuplot(chart, vtb__gp_str(&vars), template_path, ext, err);
    if (rc == 0)
        rc = vtb_atomic_file_close(&af, err);
    if (rc != 0)
        goto out_abort;
    if (stat(af.tmp_path, &st) != 0 || st.st_size == 0) {
        rc = vtb_error_set(err, VTB_EIO, "gnuplot wrote nothing into %s", af.tmp_path);
        goto out_abort;
    }
    rc = vtb_atomic_file_publish(&af, err);
    vtb__gp_free(&vars);
    return rc;

out_abort:
    vtb_atomic_file_abort(&af);
    vtb__gp_free(&vars);
    return rc;
}
