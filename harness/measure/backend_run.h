/*
 * The run's server: what a run with backend = redis cells sets up before
 * its first cell and takes down after its last, on every path (a failed
 * cell, a signal: the run returns normally and ends it here).
 *
 * Begin finds the cells that need a server and the largest key space among
 * them; starts vtbench's own redis-server (harness/backend: a private
 * directory, a unix socket, stopped by PID) or, with backend_url, checks
 * that the given one answers; loads the key space under the run's prefix
 * (pipelined, outside every measurement); reads the server's version and
 * settings for context.json; and, when a cell says miss_latency =
 * measured, probes the server through the library's own miss path (one
 * worker on the calling thread, one request at a time). Each such cell is
 * probed again right before it runs (the VM's wake-up costs drift within
 * seconds), and its latency is that probe's median. End deletes the run's
 * keys from a
 * server named by backend_url (vtbench never flushes one) and stops its
 * own server.
 *
 * Runs on the thread that runs the sweep (the main thread: the server dies
 * with it, see redis_server.h). Never prints.
 */
#ifndef VTB_BACKEND_RUN_H
#define VTB_BACKEND_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "record.h"
#include "redis_server.h"
#include "scenario.h"
#include "vtb/error.h"

/* Requests of the probe for miss_latency = measured: a warm-up, then the
 * measured ones. */
#define VTB_BACKEND_PROBE_WARMUP 200
#define VTB_BACKEND_PROBE_REQUESTS 2000

struct vtb_backend_run {
    bool active;              /* some cell has backend = redis, or a probe is wanted */
    bool own_server;          /* vtbench started the server */
    bool loaded;              /* keys were written: delete them at the end */
    uint64_t key_space;       /* indices loaded: 0 .. key_space - 1 */
    char url[VTB_BACKEND_URL_MAX];
    char prefix[VTB_BACKEND_PREFIX_MAX];
    struct vtb_redis_server server;
    struct vtb_backend_note note; /* for context.json */
};

/*
 * Sets the server up for scenario s (nothing when no cell needs one).
 * Returns 0; VTB_EINVAL naming the key for a backend_url that does not
 * answer or a `measured` latency without a server; VTB_EINTR once *stop
 * is set; or the error of starting, loading or probing. On error br still
 * holds what was set up: call vtb_backend_run_end all the same.
 */
int vtb_backend_run_begin(struct vtb_backend_run *br, const struct vtb_scenario *s,
                          volatile sig_atomic_t *stop, struct vtb_error *err);

/* The settings the runner sees: s's, with backend_url pointing at the
 * run's server. Valid while both live. */
void vtb_backend_run_settings(const struct vtb_backend_run *br, const struct vtb_settings *s,
                              struct vtb_settings *out);

/* Fills in a simulated cell's miss_latency = measured with the median of a
 * probe made now (a server cell, which does not use it, gets the latest
 * median). Returns 0 (nothing to do for other cells), VTB_EINTR, or the
 * probe's error (the server failed). */
int vtb_backend_run_resolve(struct vtb_backend_run *br, struct vtb_cell *cell,
                            volatile sig_atomic_t *stop, struct vtb_error *err);

/* Deletes the run's keys from a server named by backend_url and stops
 * vtbench's own. Always safe to call, also after a failed begin. Returns 0
 * or the first error (everything is attempted all the same). */
int vtb_backend_run_end(struct vtb_backend_run *br, volatile sig_atomic_t *stop,
                        struct vtb_error *err);

#endif /* VTB_BACKEND_RUN_H */
