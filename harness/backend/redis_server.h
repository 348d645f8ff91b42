/*
 * A redis-server of vtbench's own: started for a run (or a test) and
 * stopped by its PID on every path, never by name.
 *
 * The server runs in a private temporary directory (mkdtemp, mode 0700)
 * that holds its unix socket, its log, its PID file (redis.pid) and nothing
 * else: persistence is off
 * (no RDB snapshots, no append-only file), it listens on that socket or on
 * a free port of 127.0.0.1 only, and its memory is bounded (maxmemory,
 * noeviction: a load that does not fit fails instead of growing). Start
 * waits, bounded in time, until the server answers PING; a server that
 * exits at start is reported with the last line of its log, and a port
 * taken between choosing and binding it is retried with another.
 *
 * It cannot outlive vtbench: it is its own process group, so a terminal's
 * Ctrl-C reaches only vtbench, which stops it; and it is started with
 * PR_SET_PDEATHSIG = SIGKILL, so the kernel kills it when the thread that
 * started it ends, including when vtbench is killed with SIGKILL (the
 * server is started from the main thread, which lives as long as the
 * process). Only then is its temporary directory left behind.
 *
 * Nothing here prints: errors come back in struct vtb_error.
 */
#ifndef VTB_REDIS_SERVER_H
#define VTB_REDIS_SERVER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vtb/backend.h"
#include "vtb/error.h"

struct vtb_redis_server_options {
    const char *executable;       /* NULL: redis-server, found in PATH */
    bool tcp;                     /* a free port of 127.0.0.1; false: a unix socket */
    uint64_t maxmemory_bytes;     /* 0: 1 GiB */
    uint64_t start_timeout_ns;    /* 0: 10 s */
    volatile sig_atomic_t *stop;  /* optional: starting gives up once it is set */
};

struct vtb_redis_server {
    pid_t pid;                        /* 0 when not running */
    char dir[PATH_MAX];               /* its private directory; "" once removed */
    char url[VTB_BACKEND_URL_MAX];    /* unix:DIR/redis.sock or redis://127.0.0.1:PORT */
    char executable[PATH_MAX];        /* the program that runs */
};

/*
 * Finds the redis-server program (options->executable, or in PATH) and
 * writes its path into buf. Returns 0, or VTB_ENOTFOUND with a message
 * saying how to install it.
 */
int vtb_redis_server_find(const char *executable, char *buf, size_t size, struct vtb_error *err);

/*
 * Starts a server and waits until it answers. Returns 0 with *srv
 * describing it (stop it with vtb_redis_server_stop), or VTB_ENOTFOUND (no
 * redis-server), VTB_EIO (it could not start or did not answer in time:
 * the message quotes its log), VTB_EINTR (options->stop was set), with
 * nothing left running and its directory removed.
 */
int vtb_redis_server_start(struct vtb_redis_server *srv,
                           const struct vtb_redis_server_options *options,
                           struct vtb_error *err);

/*
 * Stops the server: SIGTERM to its PID, up to 5 s for it to exit, then
 * SIGKILL; reaps it and removes its directory. A server already stopped (or
 * never started) is fine. Returns 0, or VTB_EIO when its directory could
 * not be removed (the server is stopped all the same).
 */
int vtb_redis_server_stop(struct vtb_redis_server *srv, struct vtb_error *err);

/*
 * The same without the grace: SIGKILL at once. For a run the user stopped:
 * the server is vtbench's own child with persistence off, so nothing is
 * lost, while SIGTERM takes up to one of redis's cron ticks (100 ms at its
 * default hz of 10) to be acted on.
 */
int vtb_redis_server_kill(struct vtb_redis_server *srv, struct vtb_error *err);

/* True while the server's process has not exited (reaps it if it has). */
bool vtb_redis_server_running(struct vtb_redis_server *srv);

#endif /* VTB_REDIS_SERVER_H */
