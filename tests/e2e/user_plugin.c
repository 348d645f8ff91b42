/*
 * The user implementation of user_impl.c as a plugin, for plugin.sh: its
 * "always-async" table, handed to `vtbench run --plugin` through
 * vtb_plugin_impls, plus "always-task", which starts a heap task (through
 * the library's task miss path) on every call, hit or miss, so that every
 * operation allocates exactly once: the test checks that the library's
 * allocation counters and jemalloc count what a plugin's calls allocate,
 * which they do only when the plugin runs on the program's own libvtb.
 * Built as a user builds a plugin: `pkg-config --cflags vtb`, -shared, and
 * not linked to libvtb, whose symbols come from vtbench at dlopen.
 */

/* user_impl.c is a program: its main (the install test's self-check) is
 * renamed, so that the plugin reuses its implementation as it is. */
#define main user_impl_self_check
int main(void);
#include "user_impl.c"
#undef main

static struct vtb_vresult always_task_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    (void)state;
    uint64_t ignored;
    (void)vtb_worker_lookup(worker, key, &ignored);
    return vtb_service_start_task_miss(worker, key);
}

static const struct vtb_impl_ops user_always_task = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "always-task",
    .summary = "every call allocates a task and completes through it",
    .get = always_task_get,
};

/* The entry point (vtb/impl.h), declared for -Wmissing-prototypes. */
const struct vtb_impl_ops *const *vtb_plugin_impls(void);

const struct vtb_impl_ops *const *vtb_plugin_impls(void)
{
    static const struct vtb_impl_ops *const impls[] = {&user_always_async, &user_always_task,
                                                       NULL};
    return impls;
}
