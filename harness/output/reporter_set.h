/*
 * A set of reporters fed as one: the caller (the command line) chooses the
 * reporters and hands the set to the run as its sink (measure/run.h), as
 * Google Benchmark's caller hands its reporters to the runner.
 */
#ifndef VTB_REPORTER_SET_H
#define VTB_REPORTER_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "reporter.h"

struct vtb_reporter_slot {
    const struct vtb_reporter_ops *ops;
    void *state;
    bool begun;
};

/* Caller-owned; zero it (or vtb_reporter_set_init) before use. */
struct vtb_reporter_set {
    struct vtb_reporter_slot *slots;
    size_t count;
};

void vtb_reporter_set_init(struct vtb_reporter_set *set);

/* Adds ops (its state allocated and zeroed here). Returns 0 or VTB_ENOMEM. */
int vtb_reporter_set_add(struct vtb_reporter_set *set, const struct vtb_reporter_ops *ops,
                         struct vtb_error *err);

/* The set as a run sink; valid while set lives. */
void vtb_reporter_set_sink(struct vtb_reporter_set *set, struct vtb_record_sink *sink);

/* Aborts reporters that were never ended and frees everything. */
void vtb_reporter_set_fini(struct vtb_reporter_set *set);

#endif /* VTB_REPORTER_SET_H */
