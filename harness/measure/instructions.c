/*
 * Callgrind instruction counts (see instructions.h): the measurement hooks
 * that run inside the child, the parser of callgrind's dump files, and the
 * re-execution of vtbench under valgrind by the parent.
 */
#include "instructions.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include <valgrind/callgrind.h>

/* Largest dump we read: a dump of one run is a few hundred kilobytes. */
#define DUMP_MAX_BYTES (64u * 1024u * 1024u)

bool vtb_instructions_under_valgrind(void)
{
    return RUNNING_ON_VALGRIND != 0;
}

int vtb_instructions_init(struct vtb_instructions *ins, const char *dir, struct vtb_error *err)
{
    memset(ins, 0, sizeof(*ins));
    if (!vtb_instructions_under_valgrind())
        return vtb_error_set(err, VTB_EUNSUPPORTED,
                             "%s is internal to --instructions: the process is not running "
                             "under callgrind",
                             VTB_INSTRUCTIONS_CHILD_FLAG);
    if (strlen(dir) + sizeof("/" VTB_INSTRUCTIONS_DUMP_NAME ".18446744073709551615") >
        sizeof(ins->dir))
        return vtb_error_set(err, VTB_ERANGE, "%s: dump directory path too long", dir);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return vtb_error_set(err, VTB_EIO, "%s: not a directory", dir);
    snprintf(ins->dir, sizeof(ins->dir), "%s", dir);
    /* Tells the parent that vtbench itself started under valgrind, so that
     * a valgrind that failed before running it is not mistaken for a
     * failed run. */
    char marker[VTB_INSTRUCTIONS_PATH_MAX + 16];
    snprintf(marker, sizeof(marker), "%s/started", dir);
    FILE *f = fopen(marker, "w");
    if (f != NULL)
        fclose(f);
    return 0;
}

/* The hooks run on worker 0 right around its timed region. Zero and dump
 * act on every thread's counters (see instructions.h for why not toggle). */
static void hook_start(void *ctx)
{
    (void)ctx;
    CALLGRIND_ZERO_STATS;
}

static void hook_stop(void *ctx)
{
    (void)ctx;
    CALLGRIND_DUMP_STATS;
}

static int hook_collect(void *ctx, double *instructions)
{
    struct vtb_instructions *ins = ctx;
    return vtb_instructions_read_newest(ins, instructions, &ins->error);
}

void vtb_instructions_hooks(struct vtb_instructions *ins, struct vtb_measure_hooks *hooks)
{
    memset(hooks, 0, sizeof(*hooks));
    hooks->start = hook_start;
    hooks->stop = hook_stop;
    hooks->collect = hook_collect;
    hooks->ctx = ins;
}

/* Finds the line starting with key (e.g. "totals:") and returns a pointer
 * just after the key, with its 1-based line number; NULL when absent. */
static const char *find_line(const char *text, size_t size, const char *key, size_t *line_out)
{
    size_t key_len = strlen(key), line = 1;
    for (size_t i = 0; i < size;) {
        size_t end = i;
        while (end < size && text[end] != '\n')
            end++;
        if (end - i >= key_len && memcmp(text + i, key, key_len) == 0) {
            *line_out = line;
            return text + i + key_len;
        }
        i = end + 1;
        line++;
    }
    return NULL;
}

/* Length of the rest of the line starting at p (up to '\n', CR excluded). */
static size_t rest_of_line(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && *q != '\n')
        q++;
    if (q > p && q[-1] == '\r')
        q--;
    return (size_t)(q - p);
}

int vtb_instructions_parse_dump(const char *text, size_t size, const char *name, double *ir,
                                struct vtb_error *err)
{
    const char *end = text + size;
    size_t events_line = 0, totals_line = 0;
    const char *events = find_line(text, size, "events:", &events_line);
    if (events == NULL)
        return vtb_error_set(err, VTB_ESYNTAX, "%s: no 'events:' line (not a callgrind dump?)",
                             name);
    /* Position of Ir among the event names. */
    char names[512];
    size_t len = rest_of_line(events, end);
    if (len >= sizeof(names))
        len = sizeof(names) - 1;
    memcpy(names, events, len);
    names[len] = '\0';
    long ir_index = -1, position = 0;
    char *save = NULL;
    for (char *tok = strtok_r(names, " \t", &save); tok != NULL;
         tok = strtok_r(NULL, " \t", &save), position++)
        if (strcmp(tok, "Ir") == 0) {
            ir_index = position;
            break;
        }
    if (ir_index < 0)
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: no Ir event in '%.*s'", name,
                             events_line, (int)(len < 80 ? len : 80), events);

    const char *totals = find_line(text, size, "totals:", &totals_line);
    if (totals == NULL)
        totals = find_line(text, size, "summary:", &totals_line);
    if (totals == NULL)
        return vtb_error_set(err, VTB_ESYNTAX, "%s: no 'totals:' or 'summary:' line", name);
    char values[1024];
    len = rest_of_line(totals, end);
    if (len >= sizeof(values))
        len = sizeof(values) - 1;
    memcpy(values, totals, len);
    values[len] = '\0';
    /* Trailing events with zero cost may be left out of the line. */
    const char *p = values;
    unsigned long long value = 0;
    for (long i = 0; i <= ir_index; i++) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0') {
            value = 0;
            break;
        }
        char *after = NULL;
        errno = 0;
        value = strtoull(p, &after, 10);
        if (after == p || errno == ERANGE || (*after != '\0' && *after != ' ' && *after != '\t'))
            return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: not a count: '%.40s'", name,
                                 totals_line, p);
        p = after;
    }
    *ir = (double)value;
    return 0;
}


/* The part number N of a file called cg.out.N, or 0 for any other name. */
static unsigned long part_number(const char *file_name)
{
    static const char prefix[] = VTB_INSTRUCTIONS_DUMP_NAME ".";
    if (strncmp(file_name, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    const char *digits = file_name + sizeof(prefix) - 1;
    if (*digits < '0' || *digits > '9')
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(digits, &end, 10);
    return errno == 0 && *end == '\0' ? n : 0;
}

int vtb_instructions_read_newest(struct vtb_instructions *ins, double *ir,
                                 struct vtb_error *err)
{
    DIR *dir = opendir(ins->dir);
    if (dir == NULL)
        return vtb_error_set(err, VTB_EIO, "%s: cannot open: %s", ins->dir, strerror(errno));
    unsigned long newest = 0;
    for (struct dirent *entry = readdir(dir); entry != NULL; entry = readdir(dir)) {
        unsigned long n = part_number(entry->d_name);
        if (n > newest)
            newest = n;
    }
    closedir(dir);
    if (newest == 0 || newest <= ins->last_part)
        return vtb_error_set(err, VTB_ENOTFOUND,
                             "%s: no new callgrind dump after part %lu (is this process "
                             "running under --tool=callgrind?)",
                             ins->dir, ins->last_part);
    char path[VTB_INSTRUCTIONS_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%s.%lu", ins->dir, VTB_INSTRUCTIONS_DUMP_NAME, newest);
    char *text = NULL;
    size_t size = 0;
    int rc = vtb_file_read_all(path, DUMP_MAX_BYTES, &text, &size, err);
    if (rc != 0)
        return rc;
    rc = vtb_instructions_parse_dump(text, size, path, ir, err);
    free(text);
    if (rc != 0)
        return rc;
    /* Each dump is read once; removing it keeps the directory small. */
    unlink(path);
    ins->last_part = newest;
    ins->collected++;
    return 0;
}

/* Removes the dump directory and every file in it (the parent's cleanup). */
static void remove_dump_dir(const char *path)
{
    DIR *dir = opendir(path);
    if (dir != NULL) {
        char file[VTB_INSTRUCTIONS_PATH_MAX + 256];
        for (struct dirent *entry = readdir(dir); entry != NULL; entry = readdir(dir)) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            snprintf(file, sizeof(file), "%s/%s", path, entry->d_name);
            unlink(file);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* Waits for the child, passing a stop request on to it once (it is in the
 * same process group when the terminal sends SIGINT, but not when a
 * supervisor signals only this process). */
static int wait_child(pid_t pid, volatile sig_atomic_t *stop, int *status)
{
    bool forwarded = false;
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return errno;
        if (stop != NULL && *stop != 0 && !forwarded) {
            kill(pid, SIGTERM);
            forwarded = true;
        }
    }
    return 0;
}

static bool child_started(const char *dir)
{
    char marker[VTB_INSTRUCTIONS_PATH_MAX + 16];
    snprintf(marker, sizeof(marker), "%s/started", dir);
    return access(marker, F_OK) == 0;
}

/* Creates the private directory the child dumps its counts into. */
static int make_dump_dir(char *dir, size_t size, struct vtb_error *err)
{
    const char *tmp = getenv("TMPDIR");
    int len = snprintf(dir, size, "%s/vtbench-callgrind.XXXXXX",
                       tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (len < 0 || (size_t)len >= size - 64)
        return vtb_error_set(err, VTB_ERANGE, "TMPDIR too long");
    if (mkdtemp(dir) == NULL)
        return vtb_error_set(err, VTB_EIO, "%s: cannot create: %s", dir, strerror(errno));
    return 0;
}

/* valgrind's command line: the tool, its output file, this program and
 * its arguments, and the flag that tells the child where to dump. */
static const char **valgrind_argv(const char *valgrind, const char *out_file, const char *exe,
                                  const char *const *args, size_t n, const char *child_flag)
{
    /* -q: valgrind's banner would interleave with vtbench's own output.
     * Collection stays on from the start (no --collect-atstart=no): the
     * hooks zero the counters where a measurement begins, and collection
     * switched off is off per thread (see instructions.h). */
    static const char *const fixed[] = {"--tool=callgrind", "-q"};
    size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
    const char **argv = calloc(1 + nfixed + 2 + n + 2, sizeof(*argv));
    if (argv == NULL)
        return NULL;
    size_t k = 0;
    argv[k++] = valgrind;
    for (size_t i = 0; i < nfixed; i++)
        argv[k++] = fixed[i];
    argv[k++] = out_file;
    argv[k++] = exe;
    for (size_t i = 0; i < n; i++)
        argv[k++] = args[i];
    argv[k++] = child_flag;
    argv[k] = NULL;
    return argv;
}

/*
 * Runs argv and waits for it (forwarding a stop). A close-on-exec pipe
 * tells the parent whether exec itself failed: it is closed silently on
 * success, or carries the child's errno (*exec_errno, 0 when exec worked).
 */
static int spawn_and_wait(const char **argv, volatile sig_atomic_t *stop, int *status,
                          int *exec_errno, struct vtb_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return vtb_error_set(err, VTB_EIO, "pipe: %s", strerror(errno));
    /* Buffered output would otherwise be written twice, by both processes. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return vtb_error_set(err, VTB_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        execvp(argv[0], (char *const *)argv);
        int e = errno;
        ssize_t ignored = write(fds[1], &e, sizeof(e));
        (void)ignored;
        _exit(127); /* the child of a failed exec: nothing of ours may run */
    }
    close(fds[1]);
    ssize_t got;
    *exec_errno = 0;
    do
        got = read(fds[0], exec_errno, sizeof(*exec_errno));
    while (got < 0 && errno == EINTR);
    close(fds[0]);
    if (got != (ssize_t)sizeof(*exec_errno))
        *exec_errno = 0;
    int e = wait_child(pid, stop, status);
    if (e != 0)
        return vtb_error_set(err, VTB_EIO, "waitpid: %s", strerror(e));
    return 0;
}

int vtb_instructions_reexec(const char *const *args, size_t n, volatile sig_atomic_t *stop,
                            int *exit_code, struct vtb_error *err)
{
    *exit_code = -1;
    char exe[PATH_MAX];
    ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (exe_len <= 0)
        return vtb_error_set(err, VTB_EIO, "/proc/self/exe: cannot read: %s", strerror(errno));
    exe[exe_len] = '\0';
    char dir[VTB_INSTRUCTIONS_PATH_MAX];
    int rc = make_dump_dir(dir, sizeof(dir), err);
    if (rc != 0)
        return rc;

    const char *valgrind = getenv(VTB_INSTRUCTIONS_VALGRIND_ENV);
    if (valgrind == NULL || valgrind[0] == '\0')
        valgrind = "valgrind";
    char out_file[VTB_INSTRUCTIONS_PATH_MAX + 64], child_flag[VTB_INSTRUCTIONS_PATH_MAX + 64];
    snprintf(out_file, sizeof(out_file), "--callgrind-out-file=%s/%s", dir,
             VTB_INSTRUCTIONS_DUMP_NAME);
    snprintf(child_flag, sizeof(child_flag), "%s=%s", VTB_INSTRUCTIONS_CHILD_FLAG, dir);
    const char **argv = valgrind_argv(valgrind, out_file, exe, args, n, child_flag);
    int status = 0, exec_errno = 0;
    rc = argv == NULL ? vtb_error_set(err, VTB_ENOMEM, NULL)
                      : spawn_and_wait(argv, stop, &status, &exec_errno, err);
    if (rc == 0 && exec_errno != 0)
        rc = vtb_error_set(err, VTB_ENOTFOUND, "cannot run %s: %s (install valgrind, or set %s)",
                           valgrind, strerror(exec_errno), VTB_INSTRUCTIONS_VALGRIND_ENV);
    if (rc == 0) {
        if (WIFEXITED(status))
            *exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            *exit_code = 128 + WTERMSIG(status);
        if (*exit_code != 0 && !child_started(dir))
            rc = vtb_error_set(err, VTB_EIO,
                               "%s exited with status %d before vtbench ran under it (is it "
                               "valgrind? set %s)",
                               valgrind, *exit_code, VTB_INSTRUCTIONS_VALGRIND_ENV);
    }
    free(argv);
    remove_dump_dir(dir);
    return rc;
}
