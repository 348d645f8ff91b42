/*
 * A user's own implementation, built out of tree against the installed
 * library (pkg-config vtb): it defines a fourth strategy, "always-async",
 * which hands every call back through a pooled source even on a hit, and
 * drives it and a built-in one through the library's service, worker and
 * loop. The install test (install.sh) compiles and runs it; exit 0 means
 * every value came back right.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vtb/impl.h>
#include <vtb/service.h>

static struct vtb_vresult always_async_get(void *state, struct vtb_worker *worker, uint64_t key)
{
    (void)state;
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

static int drive(const struct vtb_impl_ops *ops, struct vtb_worker *worker, uint64_t key)
{
    struct waiter w = {0};
    w.result = ops->get(NULL, worker, key);
    if (vtb_vresult_is_completed(&w.result)) {
        on_done(&w);
    } else if (vtb_vresult_on_completed(&w.result, on_done, &w) != 0) {
        return 1;
    }
    while (!w.done)
        vtb_loop_run(&worker->loop, VTB_LOOP_ONCE);
    if (w.rc != 0 || w.value != vtb_backend_value(key)) {
        fprintf(stderr, "%s: key %llu: rc %d value %llu\n", ops->name, (unsigned long long)key,
                w.rc, (unsigned long long)w.value);
        return 1;
    }
    return 0;
}

int main(void)
{
    if (vtb_impl_validate(&user_always_async) != 0)
        return 1;
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    struct vtb_service *svc;
    struct vtb_error err;
    if (vtb_service_new(&config, &svc, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    struct vtb_worker worker;
    if (vtb_worker_init(svc, &worker, 0) != 0)
        return 1;
    int failures = 0;
    for (uint64_t key = 0; key < 100; key++) {
        failures += drive(&user_always_async, &worker, key);
        failures += drive(vtb_impl_find("value-task"), &worker, key); /* a hit now */
    }
    vtb_worker_fini(&worker);
    vtb_service_free(svc);
    printf("user implementation: %s\n", failures == 0 ? "all values correct" : "FAILED");
    return failures == 0 ? 0 : 1;
}
