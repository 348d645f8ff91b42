/*
 * Starting and stopping a redis-server of vtbench's own (see
 * redis_server.h).
 *
 * The child is set up between fork and exec with async-signal-safe calls
 * only (the parent may have threads): its own process group, the parent-
 * death signal, descriptors above stderr closed, output into its directory.
 * Everything that allocates (the argument list, the paths) is prepared
 * before the fork.
 */
#include "redis_server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redis_admin.h"

#define START_TIMEOUT_DEFAULT_NS (UINT64_C(10) * 1000000000u)
#define STOP_GRACE_NS (UINT64_C(5) * 1000000000u)
#define MAXMEMORY_DEFAULT (UINT64_C(1) << 30)
#define PORT_ATTEMPTS 5

/* The files the server may leave in its directory. */
static const char *const dir_files[] = {"redis.sock", "redis.log", "redis.pid", "stderr.log",
                                        "dump.rdb", "appendonly.aof", NULL};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

int vtb_redis_server_find(const char *executable, char *buf, size_t size, struct vtb_error *err)
{
    const char *name = executable != NULL ? executable : "redis-server";
    if (strchr(name, '/') != NULL) {
        if (access(name, X_OK) != 0)
            return vtb_error_set(err, VTB_ENOTFOUND, "%s: not an executable program", name);
        snprintf(buf, size, "%s", name);
        return 0;
    }
    const char *path = getenv("PATH");
    for (const char *p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0';) {
        const char *end = strchr(p, ':');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len > 0 && (size_t)snprintf(buf, size, "%.*s/%s", (int)len, p, name) < size &&
            access(buf, X_OK) == 0)
            return 0;
        p += len + (end != NULL);
    }
    return vtb_error_set(err, VTB_ENOTFOUND,
                         "%s not found in PATH (Debian: apt-get install redis-server, or "
                         "scripts/install-deps.sh)",
                         name);
}

/* A port of 127.0.0.1 nobody listens on now. Another process may take it
 * before the server binds it; the caller retries then. */
static int free_port(struct vtb_error *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return vtb_error_set(err, VTB_EIO, "cannot make a socket: %s", strerror(errno));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    if (port <= 0)
        return vtb_error_set(err, VTB_EIO, "cannot find a free port on 127.0.0.1: %s",
                             strerror(errno));
    return port;
}

/* The last non-empty line of a file in the server's directory. */
static void last_line(const char *dir, const char *name, char *buf, size_t size)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            snprintf(buf, size, "%s", line);
    }
    fclose(f);
}

static void remove_dir(struct vtb_redis_server *srv, struct vtb_error *err, int *rc)
{
    if (srv->dir[0] == '\0')
        return;
    char path[PATH_MAX + 32];
    for (const char *const *f = dir_files; *f != NULL; f++) {
        snprintf(path, sizeof(path), "%s/%s", srv->dir, *f);
        unlink(path);
    }
    if (rmdir(srv->dir) != 0 && errno != ENOENT && *rc == 0)
        *rc = vtb_error_set(err, VTB_EIO, "cannot remove %s: %s", srv->dir, strerror(errno));
    srv->dir[0] = '\0';
}

/* Waits up to timeout_ns for pid to exit and reaps it; true when it did. */
static bool reap_within(pid_t pid, uint64_t timeout_ns)
{
    uint64_t deadline = now_ns() + timeout_ns;
    for (;;) {
        pid_t got = waitpid(pid, NULL, WNOHANG);
        if (got == pid || (got < 0 && errno == ECHILD))
            return true;
        if (now_ns() >= deadline)
            return false;
        sleep_ns(2000000);
    }
}

bool vtb_redis_server_running(struct vtb_redis_server *srv)
{
    if (srv->pid <= 0)
        return false;
    pid_t got = waitpid(srv->pid, NULL, WNOHANG);
    if (got == srv->pid || (got < 0 && errno == ECHILD)) {
        srv->pid = 0;
        return false;
    }
    return true;
}

/* The server's command line: everything on it, no configuration file. */
struct argv_buf {
    char *argv[40];
    int argc;
    char text[6][PATH_MAX + 64];
};

static void push(struct argv_buf *a, const char *s)
{
    a->argv[a->argc++] = (char *)s;
    a->argv[a->argc] = NULL;
}

static void build_argv(struct argv_buf *a, const struct vtb_redis_server *srv, int port,
                       uint64_t maxmemory)
{
    a->argc = 0;
    push(a, srv->executable);
    snprintf(a->text[0], sizeof(a->text[0]), "%d", port);
    push(a, "--port");
    push(a, a->text[0]);
    push(a, "--bind");
    push(a, "127.0.0.1");
    if (port == 0) {
        snprintf(a->text[1], sizeof(a->text[1]), "%s/redis.sock", srv->dir);
        push(a, "--unixsocket");
        push(a, a->text[1]);
        push(a, "--unixsocketperm");
        push(a, "700");
    }
    push(a, "--dir");
    push(a, srv->dir);
    snprintf(a->text[2], sizeof(a->text[2]), "%s/redis.log", srv->dir);
    push(a, "--logfile");
    push(a, a->text[2]);
    /* Its PID where a test (or a person) can find it: DIR/redis.pid. */
    snprintf(a->text[4], sizeof(a->text[4]), "%s/redis.pid", srv->dir);
    push(a, "--pidfile");
    push(a, a->text[4]);
    /* Persistence off: no snapshot, no append-only file. */
    push(a, "--save");
    push(a, "");
    push(a, "--appendonly");
    push(a, "no");
    snprintf(a->text[3], sizeof(a->text[3]), "%" PRIu64, maxmemory);
    push(a, "--maxmemory");
    push(a, a->text[3]);
    push(a, "--maxmemory-policy");
    push(a, "noeviction");
    push(a, "--daemonize");
    push(a, "no");
    push(a, "--protected-mode");
    push(a, "yes");
    push(a, "--databases");
    push(a, "1");
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void exec_child(const struct argv_buf *a, const char *stderr_path, pid_t parent)
{
    setpgid(0, 0); /* Ctrl-C in a terminal reaches vtbench, not the server */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* the parent died before the line above */
        _exit(127);
    int null_fd = open("/dev/null", O_RDWR);
    int err_fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
    }
    if (err_fd >= 0)
        dup2(err_fd, STDERR_FILENO);
    /* Nothing of vtbench's (its sockets, its result files) stays open. */
    if (close_range(3, ~0u, 0) != 0)
        for (int fd = 3; fd < 4096; fd++)
            close(fd);
    execv(a->argv[0], a->argv);
    _exit(127);
}

static void fail_start(struct vtb_redis_server *srv)
{
    if (srv->pid > 0) {
        kill(srv->pid, SIGKILL);
        waitpid(srv->pid, NULL, 0);
        srv->pid = 0;
    }
}

/* One attempt: fork, exec and wait for PONG. Returns 0, VTB_EEXIST when
 * the port was taken in the meantime (the caller retries), or an error. */
static int start_once(struct vtb_redis_server *srv, const struct vtb_redis_server_options *o,
                      int port, struct vtb_error *err)
{
    uint64_t maxmemory = o->maxmemory_bytes > 0 ? o->maxmemory_bytes : MAXMEMORY_DEFAULT;
    struct argv_buf a;
    build_argv(&a, srv, port, maxmemory);
    char stderr_path[PATH_MAX + 32];
    snprintf(stderr_path, sizeof(stderr_path), "%s/stderr.log", srv->dir);
    if (port == 0)
        snprintf(srv->url, sizeof(srv->url), "unix:%.200s/redis.sock", srv->dir);
    else
        snprintf(srv->url, sizeof(srv->url), "redis://127.0.0.1:%d", port);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return vtb_error_set(err, VTB_EIO, "cannot start %s: fork: %s", srv->executable,
                             strerror(errno));
    if (pid == 0)
        exec_child(&a, stderr_path, parent);
    srv->pid = pid;
    uint64_t timeout = o->start_timeout_ns > 0 ? o->start_timeout_ns : START_TIMEOUT_DEFAULT_NS;
    uint64_t deadline = now_ns() + timeout;
    for (;;) {
        if (!vtb_redis_server_running(srv)) {
            char line[256], err_line[256];
            last_line(srv->dir, "redis.log", line, sizeof(line));
            last_line(srv->dir, "stderr.log", err_line, sizeof(err_line));
            const char *why = line[0] != '\0' ? line : err_line;
            if (port != 0 && strstr(why, "Address already in use") != NULL)
                return VTB_EEXIST;
            return vtb_error_set(err, VTB_EIO, "%s exited at start: %s", srv->executable,
                                 why[0] != '\0' ? why : "(no message)");
        }
        if (o->stop != NULL && *o->stop) {
            fail_start(srv);
            return vtb_error_set(err, VTB_EINTR, "interrupted while starting %s",
                                 srv->executable);
        }
        if (vtb_redis_admin_ping(srv->url, 200000000u, NULL) == 0)
            return 0;
        if (now_ns() >= deadline) {
            char line[256];
            last_line(srv->dir, "redis.log", line, sizeof(line));
            fail_start(srv);
            return vtb_error_set(err, VTB_EIO, "%s did not answer PING within %.0f s%s%s",
                                 srv->executable, (double)timeout / 1e9,
                                 line[0] != '\0' ? "; its log: " : "", line);
        }
        sleep_ns(5000000);
    }
}

int vtb_redis_server_start(struct vtb_redis_server *srv,
                           const struct vtb_redis_server_options *options,
                           struct vtb_error *err)
{
    static const struct vtb_redis_server_options defaults = {0};
    const struct vtb_redis_server_options *o = options != NULL ? options : &defaults;
    memset(srv, 0, sizeof(*srv));
    int rc = vtb_redis_server_find(o->executable, srv->executable, sizeof(srv->executable), err);
    if (rc != 0)
        return rc;
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    /* A unix socket path has room for 107 bytes. */
    snprintf(srv->dir, sizeof(srv->dir), "%s/vtb-redis.XXXXXX", tmp);
    if (!o->tcp && strlen(srv->dir) + strlen("/redis.sock") >= 108)
        snprintf(srv->dir, sizeof(srv->dir), "/tmp/vtb-redis.XXXXXX");
    if (mkdtemp(srv->dir) == NULL) {
        rc = vtb_error_set(err, VTB_EIO, "cannot make a private directory %s: %s", srv->dir,
                           strerror(errno));
        srv->dir[0] = '\0';
        return rc;
    }
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        int port = 0;
        if (o->tcp && (port = free_port(err)) < 0) {
            rc = port;
            break;
        }
        rc = start_once(srv, o, port, err);
        if (rc != VTB_EEXIST)
            break;
        rc = vtb_error_set(err, VTB_EIO, "%s: no free port on 127.0.0.1 after %d attempts",
                           srv->executable, PORT_ATTEMPTS);
    }
    if (rc != 0) {
        fail_start(srv);
        int ignored = 0;
        remove_dir(srv, NULL, &ignored);
        srv->url[0] = '\0';
    }
    return rc;
}

/* Stops srv's process (SIGTERM and up to grace_ns, or at once when
 * grace_ns is 0; then SIGKILL), reaps it and removes its directory. */
static int stop_within(struct vtb_redis_server *srv, uint64_t grace_ns, struct vtb_error *err)
{
    int rc = 0;
    if (srv->pid > 0) {
        bool gone = false;
        if (grace_ns > 0) {
            kill(srv->pid, SIGTERM);
            gone = reap_within(srv->pid, grace_ns);
        }
        if (!gone) {
            kill(srv->pid, SIGKILL);
            waitpid(srv->pid, NULL, 0);
        }
        srv->pid = 0;
    }
    remove_dir(srv, err, &rc);
    return rc;
}

int vtb_redis_server_stop(struct vtb_redis_server *srv, struct vtb_error *err)
{
    return stop_within(srv, STOP_GRACE_NS, err);
}

int vtb_redis_server_kill(struct vtb_redis_server *srv, struct vtb_error *err)
{
    return stop_within(srv, 0, err);
}
