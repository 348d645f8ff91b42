/*
 * The gate between the runner and its worker threads: the runner publishes
 * a job and opens the gate; every worker takes the job, runs it and checks
 * in; the runner waits until all have checked in.
 *
 * It replaces a pair of pthread barriers, which have two flaws for a
 * harness that must never hang: their party count is fixed when they are
 * created, so a worker thread that cannot be started leaves the others
 * waiting forever; and a barrier wait cannot time out, so the runner
 * cannot notice a stop request while the workers run a minute-long job.
 * Here the runner waits in slices of VTB_GATE_POLL_MS and calls back between
 * slices, and the number of workers to wait for is whatever was started.
 */
#ifndef VTB_GATE_H
#define VTB_GATE_H

#include <pthread.h>
#include <stdbool.h>

/* How often a waiting runner calls its poll function. */
#define VTB_GATE_POLL_MS 10

struct vtb_gate {
    pthread_mutex_t lock;
    pthread_cond_t opened;  /* a new job was published */
    pthread_cond_t arrived; /* a worker checked in */
    unsigned generation;    /* jobs published so far */
    unsigned checked_in;    /* workers done with the current job (or set-up) */
};

/* Returns 0 or VTB_ENOMEM. */
int vtb_gate_init(struct vtb_gate *gate);
void vtb_gate_fini(struct vtb_gate *gate);

/* Runner: resets the check-ins and opens the gate for job generation+1;
 * publish writes the job while the lock is held (it may be NULL). */
void vtb_gate_open(struct vtb_gate *gate, void (*publish)(void *ctx), void *ctx);

/* Runner: waits until `workers` have checked in, calling poll(ctx) every
 * VTB_GATE_POLL_MS without the lock held (poll may be NULL). */
void vtb_gate_wait(struct vtb_gate *gate, unsigned workers, void (*poll)(void *ctx), void *ctx);

/* Worker: waits until a generation after *seen is published, then sets
 * *seen to it; the job may be read after this returns. */
void vtb_gate_next(struct vtb_gate *gate, unsigned *seen);

/* Worker: checks in (done with set-up or with the current job). */
void vtb_gate_check_in(struct vtb_gate *gate);

#endif /* VTB_GATE_H */
