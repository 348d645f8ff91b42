/*
 * The pluggable implementations ("strategies") of the async cache-aside get.
 *
 * An implementation is one exported, const struct vtb_impl_ops. The built-in
 * ones are found by name through the registry (vtb_impl_find, vtb_impl_at);
 * the tables are never patched at run time. A user's own implementation is
 * just another such table: the harness's runner takes ops pointers, not
 * names, so code linking this library can measure it beside the built-ins,
 * and a shared object can hand its tables to the harness as a plugin (see
 * vtb_plugin_impls_fn below).
 *
 * This header, with the ones it includes, is all a user of the library
 * needs: create a service and a worker (vtb/service.h), call an
 * implementation's get through its table, test the result, register a
 * continuation, run the worker's loop until it fires, consume the result
 * (vtb/result.h, vtb/loop.h) and read the worker's counters.
 */
#ifndef VTB_IMPL_H
#define VTB_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "vtb/result.h"
#include "vtb/service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when struct vtb_impl_ops changes incompatibly. `version` and
 * `name` stay its first two members in every version, so that a loader
 * can always read which version a table is and name it in its refusal. */
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

/* The built-in implementation called name, or NULL. */
const struct vtb_impl_ops *vtb_impl_find(const char *name);

/* Number of built-in implementations. */
size_t vtb_impl_count(void);

/* The index-th built-in implementation in listing order, or NULL when index
 * >= vtb_impl_count(). */
const struct vtb_impl_ops *vtb_impl_at(size_t index);

/* Checks an ops table: not NULL, version equal to VTB_IMPL_OPS_VERSION, a
 * non-empty name and a get. Returns 0 or VTB_EINVAL. */
int vtb_impl_validate(const struct vtb_impl_ops *ops);

/*
 * The entry point of a plugin: a shared object that exports, under the name
 * VTB_PLUGIN_IMPLS_SYMBOL, a function of this type (with C linkage). It
 * returns a NULL-terminated list of pointers to the plugin's ops tables;
 * the list and the tables are static data that live as long as the shared
 * object stays loaded and are never modified. Every table's version must
 * equal the VTB_IMPL_OPS_VERSION the loader was built with, and the loader
 * refuses any table that vtb_impl_validate rejects. The function may be
 * called more than once and must return the same list each time.
 */
typedef const struct vtb_impl_ops *const *(*vtb_plugin_impls_fn)(void);

/* The symbol a plugin exports: const struct vtb_impl_ops *const
 * *vtb_plugin_impls(void). */
#define VTB_PLUGIN_IMPLS_SYMBOL "vtb_plugin_impls"

/* Its prototype, for the plugin that defines it (vtbench never calls it by
 * name: it looks it up with dlsym). */
const struct vtb_impl_ops *const *vtb_plugin_impls(void);

#ifdef __cplusplus
}
#endif

#endif /* VTB_IMPL_H */
