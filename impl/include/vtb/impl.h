/*
 * The pluggable implementations ("strategies") of the async cache-aside get.
 *
 * An implementation is one exported, const struct vtb_impl_ops. The built-in
 * ones are listed once in strategies/list.h and found by name through the
 * registry; the tables are never patched at run time. A user's own
 * implementation is just another such table: the harness's runner takes
 * ops pointers, not names, so code linking this library can measure it
 * beside the built-ins (see README, "Plugging in an implementation").
 */
#ifndef VTB_IMPL_H
#define VTB_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "vtb/result.h"
#include "vtb/service.h"

/* Bumped when struct vtb_impl_ops changes incompatibly. */
#define VTB_IMPL_OPS_VERSION 1

struct vtb_impl_ops {
    unsigned version;    /* VTB_IMPL_OPS_VERSION */
    const char *name;    /* unique, e.g. "value-task" */
    const char *summary; /* one line for `vtbench list` */
    size_t state_size;   /* bytes of per-worker state (0 = none) */
    /* Optional: prepares per-worker state on the worker's thread. */
    int (*init)(void *state, struct vtb_worker *worker);
    /* Optional: releases per-worker state. */
    void (*fini)(void *state);
    /*
     * Starts get(key) on the calling thread's worker and hands the result
     * back by value (two registers), to be consumed exactly once with
     * vtb_vresult_get. A failure to start (e.g. VTB_ENOMEM) comes back as an
     * error result (vtb_vresult_from_error), which consuming reports.
     */
    struct vtb_vresult (*get)(void *state, struct vtb_worker *worker, uint64_t key);
};

/* Built-in implementations. */
#define VTB__IMPL_DECLARE(symbol) extern const struct vtb_impl_ops symbol;
#include "vtb/impl_list.h"
VTB_IMPL_LIST(VTB__IMPL_DECLARE)
#undef VTB__IMPL_DECLARE

/* The built-in implementation called name, or NULL. */
const struct vtb_impl_ops *vtb_impl_find(const char *name);

/* Number of built-in implementations, and the i-th in listing order. */
size_t vtb_impl_count(void);
const struct vtb_impl_ops *vtb_impl_at(size_t index);

/* Checks an ops table (version, name, get); returns 0 or VTB_EINVAL. */
int vtb_impl_validate(const struct vtb_impl_ops *ops);

#endif /* VTB_IMPL_H */
