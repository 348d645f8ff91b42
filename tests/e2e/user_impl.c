/*
 * A user's own implementation, built out of tree against the installed
 * library (pkg-config vtb) with nothing but its public headers: it defines a
 * fourth strategy, "always-async", which hands every call back through a
 * pooled source even on a hit, and drives it and the built-in "value-task"
 * through the library's service, worker and loop, every key first as a miss
 * and then as a hit. The install test (install.sh) compiles and runs it;
 * exit 0 means every value came back right and the worker counted what
 * happened.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <vtb/impl.h>
#include <vtb/loop.h>
#include <vtb/result.h>
#include <vtb/service.h>

enum { user_keys = 100 };

/* A user's strategy: its hit path looks the key up like the built-ins do
 * (out of line, through the public vtb_worker_lookup), but then ignores the
 * hit, so that every call completes asynchronously through the service's
 * pooled miss path. */
static struct vtb_vresult always_async_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    (void)state;
    uint64_t ignored;
    (void)vtb_worker_lookup(worker, key, &ignored);
    return vtb_service_start_source_miss(worker, key);
}

static const struct vtb_impl_ops user_always_async = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "always-async",
    .summary = "every call completes through a pooled source",
    .get = always_async_get,
};

struct waiter {
    struct vtb_vresult result;
    uint64_t value;
    int rc;
    int done;
};

static void on_done(void *arg)
{
    struct waiter *w = arg;
    w->rc = vtb_vresult_get(&w->result, &w->value);
    w->done = 1;
}

/* One get of key through ops, awaited on the worker's loop. Returns 0 when
 * the value is the backend's; *was_async tells whether it had to wait. */
static int drive(const struct vtb_impl_ops *ops, struct vtb_worker *worker, uint64_t key,
                 int *was_async)
{
    struct waiter w = {0};
    w.result = ops->get(NULL, worker, key);
    *was_async = !vtb_vresult_is_completed(&w.result);
    if (!*was_async) {
        on_done(&w);
    } else if (vtb_vresult_on_completed(&w.result, on_done, &w) != 0) {
        fprintf(stderr, "%s: key %" PRIu64 ": cannot register a continuation\n", ops->name,
                key);
        return 1;
    }
    while (!w.done)
        vtb_loop_run(vtb_worker_loop(worker), VTB_LOOP_ONCE);
    if (w.rc != 0 || w.value != vtb_backend_value(key)) {
        fprintf(stderr, "%s: key %" PRIu64 ": rc %d (%s) value %" PRIu64 "\n", ops->name, key,
                w.rc, vtb_err_name(w.rc), w.value);
        return 1;
    }
    return 0;
}

/* Compares a counter with what the run must have produced. */
static int expect(const char *what, uint64_t got, uint64_t want)
{
    if (got == want)
        return 0;
    fprintf(stderr, "%s: %" PRIu64 ", expected %" PRIu64 "\n", what, got, want);
    return 1;
}

int main(void)
{
    if (vtb_impl_validate(&user_always_async) != 0) {
        fprintf(stderr, "always-async: invalid ops table\n");
        return 1;
    }
    const struct vtb_impl_ops *value_task = vtb_impl_find("value-task");
    if (value_task == NULL || vtb_impl_validate(value_task) != 0) {
        fprintf(stderr, "value-task: not registered\n");
        return 1;
    }
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    config.cache.capacity = 4096; /* 64 entries per stripe: nothing is evicted */
    struct vtb_service *svc;
    struct vtb_error err;
    if (vtb_service_new(&config, &svc, &err) != 0) {
        fprintf(stderr, "vtb_service_new: %s\n", err.message);
        return 1;
    }
    struct vtb_worker *worker;
    if (vtb_worker_new(svc, 0, &worker) != 0) {
        fprintf(stderr, "vtb_worker_new failed\n");
        vtb_service_free(svc);
        return 1;
    }
    int failures = 0;
    int async = 0, was_async;
    /* Pass 1: always-async misses every key (and its fetch fills the
     * cache), then value-task hits it. Pass 2: always-async hits the cache
     * but still completes asynchronously; value-task hits again. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t key = 0; key < user_keys; key++) {
            failures += drive(&user_always_async, worker, key, &was_async);
            async += was_async;
            failures += drive(value_task, worker, key, &was_async);
            failures += expect("value-task on a cached key was asynchronous", (uint64_t)was_async,
                               0);
        }
    }
    /* A value-task miss: a key never seen before completes through a task. */
    failures += drive(value_task, worker, 5 * user_keys, &was_async);
    failures += expect("value-task miss was synchronous", (uint64_t)was_async, 1);
    uint64_t value;
    failures += expect("lookup after the miss", vtb_worker_lookup(worker, 5 * user_keys, &value),
                       1);
    failures += expect("cached value", value, vtb_backend_value(5 * user_keys));

    struct vtb_worker_counters c;
    vtb_worker_counters_get(worker, &c);
    /* Lookups: 2 passes x 100 keys x 2 implementations, the miss, and the
     * lookup just above; only the first always-async pass and the value-task
     * miss missed. */
    failures += expect("always-async calls that waited", (uint64_t)async, 2 * user_keys);
    failures += expect("cache hits", c.cache.hits, 3 * user_keys + 1);
    failures += expect("cache misses", c.cache.misses, user_keys + 1);
    failures += expect("cache inserts", c.cache.inserts, user_keys + 1);
    failures += expect("cache updates", c.cache.updates, user_keys);
    failures += expect("fetches started", c.fetches_started, 2 * user_keys + 1);
    failures += expect("pool rents", c.pool.rents, 2 * user_keys);
    failures += expect("pool returns", c.pool.returns, 2 * user_keys);
    failures += expect("fetch failures", c.fetch_failures, 0);

    vtb_worker_free(worker);
    vtb_service_free(svc);
    printf("user implementation: %s\n", failures == 0 ? "all values correct" : "FAILED");
    return failures == 0 ? 0 : 1;
}
