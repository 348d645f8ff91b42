/*
 * The cache-aside service (see vtb/service.h): workers, the miss path and the
 * completion thread.
 *
 * A miss starts a fetch embedded in the pending operation; every strategy
 * starts it here, and what answers it is below this one path. With the
 * simulated backend it is a timer: on the worker's own loop, or, in the
 * cross-thread mode, posted to the completion thread's loop, which arms the
 * timer there; when it fires, the completing thread computes the backend's
 * value. With a server backend (vtb_backend_ops) the fetch is sent on the
 * connection of the completing loop (the worker's, or the completion
 * thread's, to which it is posted the same way), and the connection
 * completes it with the server's value or an error. Either way the
 * completing thread inserts the value into the cache with its own counters,
 * and only then completes the operation, whose continuation runs inline or
 * is posted back by the core.
 */
#include "vtb/service_internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtb/alloc_count_internal.h"
#include "vtb/source.h"
#include "vtb/task.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static __thread struct vtb_worker *current_worker __attribute__((tls_model("initial-exec")));

void vtb_service_config_default(struct vtb_service_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->cache.capacity = 1024;
    cfg->cache.ttl_ns = 0;
    cfg->cache.lock = VTB_CACHE_LOCK_SEQLOCK;
    cfg->cache.stripes = 0;
    cfg->backend.latency.kind = VTB_LATENCY_FIXED;
    cfg->backend.completion = VTB_COMPLETE_ON_LOOP;
    cfg->backend.continuation = VTB_CONTINUE_POSTED;
    cfg->pool_max_sources = 65536;
    cfg->timer_capacity = 64;
    cfg->seed = 1;
    cfg->force_async = false;
}

struct vtb_worker *vtb_worker_current(void)
{
    return current_worker;
}

/* Opens the server connection of a worker whose loop completes fetches:
 * every worker's, or only the completion thread's when there is one. */
static int open_backend_conn(struct vtb_service *svc, struct vtb_worker *worker)
{
    if (svc->server == NULL || (svc->config.backend.completion == VTB_COMPLETE_ON_THREAD &&
                                worker != svc->completion_worker))
        return 0;
    void *conn = malloc(svc->server->conn_size);
    if (conn == NULL)
        return VTB_ENOMEM;
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = svc->server->open(conn, &worker->loop, &svc->config.backend, svc, &err);
    if (rc != 0) {
        /* The message is the service's, for vtb_service_backend_status. */
        vtb__service_backend_failed(svc, "%s", err.message);
        free(conn);
        return rc;
    }
    worker->backend_conn = conn;
    return 0;
}

int vtb_worker_init(struct vtb_service *svc, struct vtb_worker *worker, unsigned index)
{
    memset(worker, 0, sizeof(*worker));
    int rc = vtb_loop_init(&worker->loop, svc->config.timer_capacity);
    if (rc != 0)
        return rc;
    worker->svc = svc;
    worker->index = index;
    vtb_rng_seed(&worker->rng, svc->config.seed, index);
    worker->task_flags =
        svc->config.backend.continuation == VTB_CONTINUE_POSTED ? VTB_CORE_RUN_ASYNC : 0;
    rc = open_backend_conn(svc, worker);
    if (rc != 0) {
        vtb_loop_fini(&worker->loop);
        worker->svc = NULL;
        return rc;
    }
    vtb_loop_set_current(&worker->loop);
    vtb_pool_local_attach(&svc->pool, &worker->pool_local);
    current_worker = worker;
    return 0;
}

void vtb_worker_fini(struct vtb_worker *worker)
{
    vtb_pool_local_detach(&worker->pool_local);
    if (worker->backend_conn != NULL) {
        worker->svc->server->close(worker->backend_conn);
        free(worker->backend_conn);
        worker->backend_conn = NULL;
    }
    vtb_loop_fini(&worker->loop);
    if (current_worker == worker)
        current_worker = NULL;
}

/* The public, library-owned worker is the harness's caller-owned one on
 * the heap: one code path initialises both. */
int vtb_worker_new(struct vtb_service *svc, unsigned index, struct vtb_worker **out)
{
    struct vtb_worker *worker = malloc(sizeof(*worker));
    if (worker == NULL)
        return VTB_ENOMEM;
    int rc = vtb_worker_init(svc, worker, index);
    if (rc != 0) {
        free(worker);
        return rc;
    }
    *out = worker;
    return 0;
}

void vtb_worker_free(struct vtb_worker *worker)
{
    if (worker == NULL)
        return;
    vtb_worker_fini(worker);
    free(worker);
}

struct vtb_loop *vtb_worker_loop(struct vtb_worker *worker)
{
    return &worker->loop;
}

struct vtb_service *vtb_worker_service(const struct vtb_worker *worker)
{
    return worker->svc;
}

unsigned vtb_worker_index(const struct vtb_worker *worker)
{
    return worker->index;
}

bool vtb_worker_lookup(struct vtb_worker *worker, uint64_t key, uint64_t *value)
{
    return vtb_service_lookup(worker, key, value);
}

void vtb_worker_counters_get(const struct vtb_worker *worker, struct vtb_worker_counters *out)
{
    out->cache = worker->cache_counters;
    out->pool = worker->pool_local.counters;
    out->loop = worker->loop.counters;
    out->fetches_started = worker->fetches_started;
    out->fetch_failures = worker->fetch_failures;
}

/* Cache-aside: the value is in the cache before the operation completes, so
 * a continuation that looks the key up again finds it. */
static inline void insert_fetched(uint64_t key, uint64_t value)
{
    struct vtb_worker *completer = current_worker;
    /* An insert can only fail when every entry of the stripe is pinned; the
     * caller still gets its value, the cache just does not keep it. */
    (void)vtb_cache_put(completer->svc->cache, key, value, 0, &completer->cache_counters);
}

/* The two kinds of pending operation a fetch completes, with the value (and
 * the cache insert) or with an error. Inlined into the simulated backend's
 * fire functions, where error is 0. */
static inline void complete_task(struct vtb_task_pending *pending, uint64_t value, int error)
{
    if (__builtin_expect(error == 0, 1)) {
        insert_fetched(pending->fetch.key, value);
        vtb_task_set_result(&pending->task, value);
    } else {
        vtb_task_set_error(&pending->task, error);
    }
    vtb_task_release(&pending->task); /* the producer's reference */
}

static inline void complete_source(struct vtb_source *source, uint64_t value, int error)
{
    if (__builtin_expect(error == 0, 1)) {
        insert_fetched(source->fetch.key, value);
        vtb_source_set_result(source, value);
    } else {
        vtb_source_set_error(source, error);
    }
}

/* The simulated backend: the timer fired, the value is the key's. */
static void task_fetch_fire(struct vtb_work *work)
{
    struct vtb_task_pending *pending = container_of(work, struct vtb_task_pending, fetch.timer.work);
    complete_task(pending, vtb_backend_value(pending->fetch.key), 0);
}

static void source_fetch_fire(struct vtb_work *work)
{
    struct vtb_source *source = container_of(work, struct vtb_source, fetch.timer.work);
    complete_source(source, vtb_backend_value(source->fetch.key), 0);
}

void vtb__fetch_complete(struct vtb_fetch *fetch, uint64_t value, int error)
{
    /* fire says which kind of operation embeds the fetch. */
    if (fetch->fire == task_fetch_fire)
        complete_task(container_of(fetch, struct vtb_task_pending, fetch), value, error);
    else
        complete_source(container_of(fetch, struct vtb_source, fetch), value, error);
}

/* Runs on the completion thread: a server fetch arrived, send it on that
 * thread's connection. */
static void send_on_completion_thread(struct vtb_work *work)
{
    struct vtb_fetch *fetch = container_of(work, struct vtb_fetch, timer.work);
    struct vtb_worker *completer = current_worker;
    completer->svc->server->start(completer->backend_conn, fetch);
}

/* A server fetch: sent on the completing loop's connection. */
static int start_server_fetch(struct vtb_worker *worker, struct vtb_fetch *fetch)
{
    struct vtb_service *svc = worker->svc;
    if (svc->has_completion_thread) {
        fetch->timer.work.fn = send_on_completion_thread;
        vtb_loop_post(&svc->completion_worker->loop, &fetch->timer.work);
        return 0;
    }
    svc->server->start(worker->backend_conn, fetch);
    return 0;
}

/* Runs on the completion thread: the fetch arrived, arm its timer there
 * (due at once when the service is being expedited). */
static void arm_on_completion_thread(struct vtb_work *work)
{
    struct vtb_fetch *fetch = container_of(work, struct vtb_fetch, timer.work);
    struct vtb_worker *completer = current_worker;
    fetch->timer.work.fn = fetch->fire;
    struct vtb_loop *loop = vtb_loop_current();
    if (atomic_load_explicit(&completer->svc->expediting, memory_order_acquire))
        fetch->timer.due_ns = 0;
    if (vtb_loop_timer_start(loop, &fetch->timer, fetch->timer.due_ns) != 0) {
        /* The heap could not grow: complete now rather than lose the
         * operation (it only costs latency accuracy). */
        fetch->fire(&fetch->timer.work);
    }
}

static int start_fetch(struct vtb_worker *worker, struct vtb_fetch *fetch, uint64_t key,
                       vtb_work_fn fire)
{
    struct vtb_service *svc = worker->svc;
    if (__builtin_expect(svc->server != NULL, 0)) {
        fetch->key = key;
        fetch->fire = fire;
        worker->fetches_started++;
        return start_server_fetch(worker, fetch);
    }
    uint64_t latency_ns = vtb_latency_draw(&svc->config.backend.latency, &worker->rng);
    uint64_t due_ns = vtb_monotonic_ns() + latency_ns;
    fetch->key = key;
    fetch->fire = fire;
    worker->fetches_started++;
    if (svc->has_completion_thread) {
        fetch->timer.due_ns = due_ns;
        fetch->timer.work.fn = arm_on_completion_thread;
        vtb_loop_post(&svc->completion_worker->loop, &fetch->timer.work);
        return 0;
    }
    fetch->timer.work.fn = fire;
    int rc = vtb_loop_timer_start(&worker->loop, &fetch->timer, due_ns);
    if (rc != 0)
        worker->fetch_failures++;
    return rc;
}

struct vtb_vresult vtb_service_start_task_miss(struct vtb_worker *worker, uint64_t key)
{
    struct vtb_task_pending *pending;
    int rc = vtb_task_new_pending(worker->task_flags, &pending);
    if (rc != 0)
        return vtb_vresult_from_error(rc);
    rc = start_fetch(worker, &pending->fetch, key, task_fetch_fire);
    if (rc != 0) {
        vtb_task_release(&pending->task);
        vtb_task_release(&pending->task);
        return vtb_vresult_from_error(rc);
    }
    return vtb_vresult_from_task(&pending->task);
}

struct vtb_vresult vtb_service_start_source_miss(struct vtb_worker *worker, uint64_t key)
{
    struct vtb_source *source;
    vtb_token token;
    int rc = vtb_pool_rent(&worker->svc->pool, &source, &token);
    if (rc != 0)
        return vtb_vresult_from_error(rc);
    rc = start_fetch(worker, &source->fetch, key, source_fetch_fire);
    if (rc != 0) {
        /* Complete and consume the unused generation to return it. */
        uint64_t ignored;
        vtb_source_set_error(source, rc);
        vtb_source_get_result(source, token, &ignored);
        return vtb_vresult_from_error(rc);
    }
    return vtb_vresult_from_source(source, token);
}

/* The completion thread: a worker of its own running its loop until told to
 * stop. */
struct completion_start {
    struct vtb_service *svc;
    int rc;
    bool ready;
};

static void *completion_main(void *arg)
{
    struct completion_start *start = arg;
    struct vtb_service *svc = start->svc;
    struct vtb_worker *worker = svc->completion_worker;
    int rc = vtb_worker_init(svc, worker, 0x10000u);
    pthread_mutex_lock(&svc->call_lock);
    start->rc = rc;
    start->ready = true;
    pthread_cond_broadcast(&svc->call_done);
    pthread_mutex_unlock(&svc->call_lock);
    if (rc != 0)
        return NULL;
    while (!atomic_load_explicit(&svc->stopping, memory_order_acquire))
        vtb_loop_run(&worker->loop, VTB_LOOP_ONCE);
    vtb_worker_fini(worker);
    return NULL;
}

struct completion_call {
    struct vtb_work work;
    void (*fn)(void *arg);
    void *arg;
    struct vtb_service *svc;
    bool done;
};

static void run_completion_call(struct vtb_work *work)
{
    struct completion_call *call = (struct completion_call *)work;
    call->fn(call->arg);
    pthread_mutex_lock(&call->svc->call_lock);
    call->done = true;
    pthread_cond_broadcast(&call->svc->call_done);
    pthread_mutex_unlock(&call->svc->call_lock);
}

int vtb_service_call_on_completion_thread(struct vtb_service *svc, void (*fn)(void *arg),
                                          void *arg)
{
    if (!svc->has_completion_thread)
        return VTB_ENOTFOUND;
    struct completion_call call = {{NULL, run_completion_call}, fn, arg, svc, false};
    vtb_loop_post(&svc->completion_worker->loop, &call.work);
    pthread_mutex_lock(&svc->call_lock);
    while (!call.done)
        pthread_cond_wait(&svc->call_done, &svc->call_lock);
    pthread_mutex_unlock(&svc->call_lock);
    return 0;
}

/* On the completion thread: every fetch armed so far is due now. */
static void expedite_completion_timers(struct vtb_work *work)
{
    (void)work;
    vtb_loop_expire_timers(vtb_loop_current());
}

void vtb_service_expedite(struct vtb_service *svc)
{
    if (!svc->has_completion_thread ||
        atomic_exchange_explicit(&svc->expediting, true, memory_order_acq_rel))
        return;
    svc->expedite_work.fn = expedite_completion_timers;
    vtb_loop_post(&svc->completion_worker->loop, &svc->expedite_work);
}

void vtb_worker_expedite(struct vtb_worker *worker)
{
    vtb_loop_expire_timers(&worker->loop);
}

/* ---- The server backend's health ---- */

void vtb__service_backend_failed(struct vtb_service *svc, const char *fmt, ...)
{
    pthread_mutex_lock(&svc->backend_lock);
    if (svc->backend_failure.code == 0) {
        va_list ap;
        va_start(ap, fmt);
        vtb_error_vset(&svc->backend_failure, VTB_EBACKEND, fmt, ap);
        va_end(ap);
    }
    svc->backend_failures++;
    pthread_mutex_unlock(&svc->backend_lock);
}

int vtb_service_backend_status(struct vtb_service *svc, struct vtb_error *err)
{
    pthread_mutex_lock(&svc->backend_lock);
    int rc = svc->backend_failure.code;
    if (rc != 0 && err != NULL)
        *err = svc->backend_failure;
    pthread_mutex_unlock(&svc->backend_lock);
    return rc;
}

/* Checks a server backend's settings and keeps copies of its strings, to
 * which the service's config then points. */
static int setup_server(struct vtb_service *svc, struct vtb_error *err)
{
    struct vtb_backend_config *b = &svc->config.backend;
    if ((unsigned)b->kind >= VTB_BACKEND_KIND_COUNT)
        return vtb_error_set(err, VTB_EINVAL, "unknown backend kind %d", (int)b->kind);
    svc->server = vtb__backend_ops(b->kind);
    if (svc->server == NULL)
        return 0;
    struct vtb_backend_address addr;
    if (b->url == NULL)
        return vtb_error_set(err, VTB_EINVAL, "backend %s: no server URL", svc->server->name);
    int rc = vtb_backend_url_parse(b->url, &addr, err);
    if (rc != 0)
        return rc;
    if (!addr.unix_socket && addr.kind != b->kind)
        return vtb_error_set(err, VTB_EINVAL, "backend %s: the URL `%s` is not a %s:// URL",
                             svc->server->name, b->url, svc->server->name);
    const char *prefix = b->key_prefix != NULL ? b->key_prefix : "";
    if (strlen(prefix) >= VTB_BACKEND_PREFIX_MAX)
        return vtb_error_set(err, VTB_EINVAL, "backend %s: key prefix longer than %d bytes",
                             svc->server->name, VTB_BACKEND_PREFIX_MAX - 1);
    if (b->key_space == 0)
        return vtb_error_set(err, VTB_EINVAL, "backend %s: key_space must be at least 1",
                             svc->server->name);
    svc->backend_url = strdup(b->url);
    svc->backend_prefix = strdup(prefix);
    if (svc->backend_url == NULL || svc->backend_prefix == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    b->url = svc->backend_url;
    b->key_prefix = svc->backend_prefix;
    if (b->timeout_ns == 0)
        b->timeout_ns = VTB_BACKEND_TIMEOUT_DEFAULT_NS;
    return 0;
}

int vtb_service_new(const struct vtb_service_config *config, struct vtb_service **out,
                    struct vtb_error *err)
{
    if (config->pool_max_sources == 0)
        return vtb_error_set(err, VTB_EINVAL, "pool_max_sources must be at least 1");
    struct vtb_service *svc = calloc(1, sizeof(*svc));
    if (svc == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    svc->config = *config;
    atomic_init(&svc->stopping, false);
    atomic_init(&svc->expediting, false);
    pthread_mutex_init(&svc->backend_lock, NULL);
    int rc = setup_server(svc, err);
    if (rc != 0)
        goto out_free_svc;
    rc = vtb_cache_new(&config->cache, &svc->cache);
    if (rc != 0) {
        vtb_error_set(err, rc, "cannot create the cache: %s", vtb_strerror(rc));
        goto out_free_svc;
    }
    struct vtb_pool_config pool_config = {
        .max_sources = config->pool_max_sources,
        .run_async = config->backend.continuation == VTB_CONTINUE_POSTED,
    };
    rc = vtb_pool_init(&svc->pool, &pool_config);
    if (rc != 0) {
        vtb_error_set(err, rc, "cannot create the source pool: %s", vtb_strerror(rc));
        goto out_free_cache;
    }
    pthread_mutex_init(&svc->call_lock, NULL);
    pthread_cond_init(&svc->call_done, NULL);
    if (config->backend.completion == VTB_COMPLETE_ON_THREAD) {
        svc->completion_worker = calloc(1, sizeof(*svc->completion_worker));
        if (svc->completion_worker == NULL) {
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
            goto out_fini_pool;
        }
        struct completion_start start = {svc, 0, false};
        int e = pthread_create(&svc->completion_thread, NULL, completion_main, &start);
        if (e != 0) {
            rc = vtb_error_set(err, VTB_ENOMEM, "cannot start the completion thread: %s",
                               strerror(e));
            goto out_free_worker;
        }
        pthread_mutex_lock(&svc->call_lock);
        while (!start.ready)
            pthread_cond_wait(&svc->call_done, &svc->call_lock);
        pthread_mutex_unlock(&svc->call_lock);
        if (start.rc != 0) {
            pthread_join(svc->completion_thread, NULL);
            struct vtb_error backend;
            if (vtb_service_backend_status(svc, &backend) != 0)
                rc = vtb_error_set(err, start.rc, "cannot initialise the completion thread: %s",
                                   backend.message);
            else
                rc = vtb_error_set(err, start.rc, "cannot initialise the completion thread");
            goto out_free_worker;
        }
        svc->has_completion_thread = true;
    }
    *out = svc;
    return 0;

out_free_worker:
    free(svc->completion_worker);
out_fini_pool:
    pthread_cond_destroy(&svc->call_done);
    pthread_mutex_destroy(&svc->call_lock);
    vtb_pool_fini(&svc->pool);
out_free_cache:
    vtb_cache_free(svc->cache);
out_free_svc:
    pthread_mutex_destroy(&svc->backend_lock);
    free(svc->backend_url);
    free(svc->backend_prefix);
    free(svc);
    return rc;
}

void vtb_service_free(struct vtb_service *svc)
{
    if (svc == NULL)
        return;
    if (svc->has_completion_thread) {
        atomic_store_explicit(&svc->stopping, true, memory_order_release);
        vtb_loop_wake(&svc->completion_worker->loop);
        pthread_join(svc->completion_thread, NULL);
        free(svc->completion_worker);
    }
    pthread_cond_destroy(&svc->call_done);
    pthread_mutex_destroy(&svc->call_lock);
    vtb_pool_fini(&svc->pool);
    vtb_cache_free(svc->cache);
    pthread_mutex_destroy(&svc->backend_lock);
    free(svc->backend_url);
    free(svc->backend_prefix);
    free(svc);
}

void vtb_object_sizes_get(struct vtb_object_sizes *out)
{
    out->vresult = sizeof(struct vtb_vresult);
    out->task = sizeof(struct vtb_task);
    out->task_pending = sizeof(struct vtb_task_pending);
    out->source = sizeof(struct vtb_source);
    out->core = sizeof(struct vtb_core);
    out->fetch = sizeof(struct vtb_fetch);
}
