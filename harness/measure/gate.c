/*
 * The runner/worker gate behind gate.h: one mutex and two condition
 * variables. Not on any timed path: workers pass it between jobs.
 */
#include "gate.h"

#include <errno.h>
#include <time.h>

#include "vtb/error.h"

int vtb_gate_init(struct vtb_gate *gate)
{
    gate->generation = 0;
    gate->checked_in = 0;
    if (pthread_mutex_init(&gate->lock, NULL) != 0)
        return VTB_ENOMEM;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&gate->opened, NULL);
    if (rc == 0 && (rc = pthread_cond_init(&gate->arrived, &attr)) != 0)
        pthread_cond_destroy(&gate->opened);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_destroy(&gate->lock);
        return VTB_ENOMEM;
    }
    return 0;
}

void vtb_gate_fini(struct vtb_gate *gate)
{
    pthread_cond_destroy(&gate->arrived);
    pthread_cond_destroy(&gate->opened);
    pthread_mutex_destroy(&gate->lock);
}

void vtb_gate_open(struct vtb_gate *gate, void (*publish)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&gate->lock);
    if (publish != NULL)
        publish(ctx);
    gate->checked_in = 0;
    gate->generation++;
    pthread_cond_broadcast(&gate->opened);
    pthread_mutex_unlock(&gate->lock);
}

void vtb_gate_wait(struct vtb_gate *gate, unsigned workers, void (*poll)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&gate->lock);
    while (gate->checked_in < workers) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += VTB_GATE_POLL_MS * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&gate->arrived, &gate->lock, &deadline);
        if (rc == ETIMEDOUT && poll != NULL) {
            pthread_mutex_unlock(&gate->lock);
            poll(ctx);
            pthread_mutex_lock(&gate->lock);
        }
    }
    pthread_mutex_unlock(&gate->lock);
}

void vtb_gate_next(struct vtb_gate *gate, unsigned *seen)
{
    pthread_mutex_lock(&gate->lock);
    while (gate->generation == *seen)
        pthread_cond_wait(&gate->opened, &gate->lock);
    *seen = gate->generation;
    pthread_mutex_unlock(&gate->lock);
}

void vtb_gate_check_in(struct vtb_gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    gate->checked_in++;
    pthread_cond_signal(&gate->arrived);
    pthread_mutex_unlock(&gate->lock);
}
