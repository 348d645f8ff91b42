/*
 * The Redis backend (impl/backend_redis.c) against a real redis-server that
 * the test starts on a unix socket in a private temporary directory, loads
 * with a small key space, and stops by PID at the end (harness/backend).
 * Every strategy's misses go to the server and come back with the right
 * value, and then hit; keys beyond the key space (exact-mode misses) read
 * their stand-in object; 16 operations in flight are pipelined on one
 * connection, on the worker's loop and on the completion thread's; the
 * strategies' own allocations per miss are what they are with the
 * simulated backend (pooled: none). Failures end every operation with
 * VTB_EBACKEND and a message naming the server: a refused connection (unix
 * and TCP), a server killed mid-run, a server that stops answering (the
 * timeout), an abandoned measurement, a wrong value, a missing key and an
 * error reply. Tests that stop the server start their own.
 *
 * Nothing here is timed: a request completes when the server answers or
 * when its timeout fires; the only timeouts asserted on are ones that must
 * fire (a stopped server) or must not matter (an hour, where abandoning is
 * tested), and each test's requests are bounded.
 *
 * Without redis-server in PATH the test is skipped (exit 77) with a
 * message, unless VTB_REQUIRE_REDIS=1 (CI), where that is a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "redis_admin.h"
#include "redis_server.h"
#include "test_redis_support.h"
#include "test_support.h"
#include "vtb/backend_internal.h"
#include "vtb/impl.h"
#include "vtb/service_internal.h"

#define KEY_SPACE 1000u
#define PREFIX "vtbtest:"
#define HOUR_NS (UINT64_C(3600) * 1000000000u)

/* The group's server, shared by the tests that leave it running. */
static struct vtb_redis_server shared_server;

struct fixture {
    struct vtb_service *svc;
    struct vtb_worker worker;
    bool worker_open;
    const struct vtb_impl_ops *ops;
    void *state;
    /* A test's own server (one it stops or kills), stopped in teardown
     * even when the test fails half-way. */
    struct vtb_redis_server own;
};

static void load_or_fail(const char *url)
{
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_redis_admin_load(url, PREFIX, KEY_SPACE, NULL, &err) != 0)
        fail_msg("loading %s: %s", url, err.message);
}

static void start_server_or_fail(struct vtb_redis_server *srv, bool tcp)
{
    struct vtb_redis_server_options options = {.tcp = tcp};
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_redis_server_start(srv, &options, &err) != 0)
        fail_msg("starting redis-server: %s", err.message);
    load_or_fail(srv->url);
}

static void stop_server(struct vtb_redis_server *srv)
{
    pid_t pid = srv->pid;
    assert_int_equal(vtb_redis_server_stop(srv, NULL), 0);
    /* Stopped by its PID, and reaped: nothing by that PID is left. */
    if (pid > 0)
        assert_true(kill(pid, 0) != 0 && errno == ESRCH);
}

static int group_setup(void **state)
{
    (void)state;
    struct vtb_redis_server_options options = {0};
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_redis_server_start(&shared_server, &options, &err) != 0) {
        fprintf(stderr, "cannot start redis-server: %s\n", err.message);
        return -1;
    }
    if (vtb_redis_admin_load(shared_server.url, PREFIX, KEY_SPACE, NULL, &err) != 0) {
        fprintf(stderr, "cannot load %s: %s\n", shared_server.url, err.message);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return vtb_redis_server_stop(&shared_server, NULL) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    *state = fx;
    return fx == NULL ? -1 : 0;
}

static void close_service(struct fixture *fx)
{
    if (fx->state != NULL && fx->ops->fini != NULL)
        fx->ops->fini(fx->state);
    free(fx->state);
    fx->state = NULL;
    if (fx->worker_open)
        vtb_worker_fini(&fx->worker);
    fx->worker_open = false;
    vtb_service_free(fx->svc);
    fx->svc = NULL;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    close_service(fx);
    if (fx->own.pid > 0)
        kill(fx->own.pid, SIGCONT);
    vtb_redis_server_stop(&fx->own, NULL);
    free(fx);
    return 0;
}

static void config_for(struct vtb_service_config *config, const char *url,
                       enum vtb_completion_mode completion,
                       enum vtb_continuation_mode continuation, uint64_t timeout_ns)
{
    vtb_service_config_default(config);
    config->cache.capacity = 8192;
    config->backend.kind = VTB_BACKEND_REDIS;
    config->backend.url = url;
    config->backend.key_prefix = PREFIX;
    config->backend.key_space = KEY_SPACE;
    config->backend.timeout_ns = timeout_ns;
    config->backend.completion = completion;
    config->backend.continuation = continuation;
}

/* Creates the service and this thread's worker with an implementation. */
static void open_with(struct fixture *fx, const struct vtb_service_config *config,
                      const char *impl)
{
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_service_new(config, &fx->svc, &err) != 0)
        fail_msg("vtb_service_new: %s", err.message);
    assert_int_equal(vtb_worker_init(fx->svc, &fx->worker, 0), 0);
    fx->worker_open = true;
    fx->ops = vtb_impl_find(impl);
    assert_non_null(fx->ops);
    if (fx->ops->state_size > 0)
        assert_non_null(fx->state = calloc(1, fx->ops->state_size));
    if (fx->ops->init != NULL)
        assert_int_equal(fx->ops->init(fx->state, &fx->worker), 0);
}

static void open_service(struct fixture *fx, const char *url, enum vtb_completion_mode completion,
                         enum vtb_continuation_mode continuation, const char *impl,
                         uint64_t timeout_ns)
{
    struct vtb_service_config config;
    config_for(&config, url, completion, continuation, timeout_ns);
    open_with(fx, &config, impl);
}

/* get(key) to completion; returns what consuming returned. */
static int get(struct fixture *fx, uint64_t key, uint64_t *value, bool *was_sync)
{
    struct vtb_vresult r = fx->ops->get(fx->state, &fx->worker, key);
    if (was_sync != NULL)
        *was_sync = vtb_vresult_is_completed(&r);
    return vtbt_await(&fx->worker, &r, value);
}

/* The counters of the connection that completes the worker's fetches. */
struct conn_read {
    struct vtb_worker *worker;
    struct vtb_backend_counters counters;
};

static void read_conn(void *arg)
{
    struct conn_read *c = arg;
    c->worker->svc->server->counters(c->worker->backend_conn, &c->counters);
}

static struct vtb_backend_counters conn_counters(struct fixture *fx)
{
    struct conn_read read = {.worker = &fx->worker};
    if (fx->svc->has_completion_thread) {
        read.worker = fx->svc->completion_worker;
        assert_int_equal(vtb_service_call_on_completion_thread(fx->svc, read_conn, &read), 0);
    } else {
        read_conn(&read);
    }
    return read.counters;
}

static void expect_status(struct fixture *fx, const char *needle)
{
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_service_backend_status(fx->svc, &err), VTB_EBACKEND);
    if (strstr(err.message, "backend redis at ") == NULL || strstr(err.message, needle) == NULL)
        fail_msg("backend status `%s` does not name the server and say `%s`", err.message,
                 needle);
}

/* ---- Values ---- */

static void values_for(const char *impl, enum vtb_completion_mode completion,
                       enum vtb_continuation_mode continuation)
{
    struct fixture fx = {0};
    open_service(&fx, shared_server.url, completion, continuation, impl, 0);
    for (uint64_t key = 0; key < 100; key++) {
        uint64_t value = 0;
        bool sync = true;
        assert_int_equal(get(&fx, key, &value, &sync), 0);
        /* A miss: it went to the server (on the completion thread the reply
         * may be in before the result is looked at; the connection's
         * counters below say where every miss went). */
        if (completion == VTB_COMPLETE_ON_LOOP)
            assert_false(sync);
        assert_true(value == vtb_backend_value(key));
    }
    /* Cache-aside: the values are now in the cache. */
    for (uint64_t key = 0; key < 100; key++) {
        uint64_t value = 0;
        bool sync = false;
        assert_int_equal(get(&fx, key, &value, &sync), 0);
        assert_true(sync);
        assert_true(value == vtb_backend_value(key));
    }
    /* Keys beyond the key space, as exact mode's misses are: each reads its
     * stand-in object and gets its own value. */
    for (uint64_t i = 0; i < 20; i++) {
        uint64_t key = (UINT64_C(1) << 62) | i, value = 0;
        assert_int_equal(get(&fx, key, &value, NULL), 0);
        assert_true(value == vtb_backend_value(key));
    }
    struct vtb_backend_counters c = conn_counters(&fx);
    assert_int_equal(c.requests, 120);
    assert_int_equal(c.replies, 120);
    assert_int_equal(c.failed, 0);
    assert_int_equal(vtb_service_backend_status(fx.svc, NULL), 0);
    close_service(&fx);
}

static void test_values_every_strategy(void **state)
{
    (void)state;
    for (size_t i = 0; i < vtb_impl_count(); i++) {
        const char *name = vtb_impl_at(i)->name;
        values_for(name, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED);
        values_for(name, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_INLINE);
    }
}

static void test_values_on_completion_thread(void **state)
{
    (void)state;
    for (size_t i = 0; i < vtb_impl_count(); i++) {
        const char *name = vtb_impl_at(i)->name;
        values_for(name, VTB_COMPLETE_ON_THREAD, VTB_CONTINUE_POSTED);
        values_for(name, VTB_COMPLETE_ON_THREAD, VTB_CONTINUE_INLINE);
    }
}

/* ---- Pipelining ---- */

enum { in_flight = 16 };

/* Issues in_flight misses before the loop runs, then runs it until every
 * continuation ran; checks the values. */
static void sixteen_at_once(struct fixture *fx, uint64_t first_key)
{
    struct vtb_vresult results[in_flight];
    struct vtbt_waiter waiters[in_flight];
    for (unsigned i = 0; i < in_flight; i++) {
        results[i] = fx->ops->get(fx->state, &fx->worker, first_key + i);
        assert_false(vtb_vresult_is_completed(&results[i]));
        vtbt_waiter_init(&waiters[i], &fx->worker.loop);
        assert_int_equal(vtb_vresult_on_completed(&results[i], vtbt_waiter_fn, &waiters[i]), 0);
    }
    for (unsigned i = 0; i < in_flight; i++) {
        while (vtbt_waiter_runs(&waiters[i]) == 0)
            vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
        uint64_t value = 0;
        assert_int_equal(vtb_vresult_get(&results[i], &value), 0);
        assert_true(value == vtb_backend_value(first_key + i));
    }
}

static void test_pipelined_on_worker_loop(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, shared_server.url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, "pooled", 0);
    /* A first request makes the connection. */
    uint64_t value;
    assert_int_equal(get(fx, 999, &value, NULL), 0);
    struct vtb_backend_counters before = conn_counters(fx);
    sixteen_at_once(fx, 100);
    struct vtb_backend_counters after = conn_counters(fx);
    assert_int_equal(after.requests - before.requests, in_flight);
    assert_int_equal(after.replies - before.replies, in_flight);
    /* All sixteen were awaiting replies at once, sent in one write. */
    assert_int_equal(after.max_in_flight, in_flight);
    assert_int_equal(after.writes - before.writes, 1);
}

static void test_pipelined_on_completion_thread(void **state)
{
    struct fixture *fx = *state;
    open_service(fx, shared_server.url, VTB_COMPLETE_ON_THREAD, VTB_CONTINUE_POSTED, "value-task",
                 0);
    uint64_t value;
    assert_int_equal(get(fx, 999, &value, NULL), 0);
    /* The gate holds the completion thread while the requests arrive, so
     * they reach its loop together. */
    struct vtbt_gate gate;
    vtbt_gate_close(fx->svc, &gate);
    struct vtb_vresult results[in_flight];
    struct vtbt_waiter waiters[in_flight];
    for (unsigned i = 0; i < in_flight; i++) {
        results[i] = fx->ops->get(fx->state, &fx->worker, 200 + i);
        vtbt_waiter_init(&waiters[i], &fx->worker.loop);
        assert_int_equal(vtb_vresult_on_completed(&results[i], vtbt_waiter_fn, &waiters[i]), 0);
    }
    vtbt_gate_open(&gate);
    for (unsigned i = 0; i < in_flight; i++) {
        while (vtbt_waiter_runs(&waiters[i]) == 0)
            vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
        assert_int_equal(vtb_vresult_get(&results[i], &value), 0);
        assert_true(value == vtb_backend_value(200 + i));
    }
    struct vtb_backend_counters c = conn_counters(fx);
    assert_int_equal(c.requests, in_flight + 1);
    assert_int_equal(c.max_in_flight, in_flight);
    /* The worker has no connection of its own. */
    assert_null(fx->worker.backend_conn);
}

/* ---- Allocations ---- */

/* The strategy's own allocations per miss, from the library's counters:
 * what the conformance suite expects of it with the simulated backend. */
static void test_strategy_allocations_per_miss(void **state)
{
    (void)state;
    enum { warm = 64, measured = 200 };
    for (size_t i = 0; i < vtb_impl_count(); i++) {
        struct fixture fx = {0};
        const char *name = vtb_impl_at(i)->name;
        const struct vtbt_expectation *expect = vtbt_expectation_for(name);
        assert_non_null(expect);
        open_service(&fx, shared_server.url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, name, 0);
        uint64_t value, key = UINT64_C(1) << 62;
        for (unsigned n = 0; n < warm; n++)
            assert_int_equal(get(&fx, key++, &value, NULL), 0);
        struct vtb_alloc_counts before = vtbt_counts_now();
        for (unsigned n = 0; n < measured; n++)
            assert_int_equal(get(&fx, key++, &value, NULL), 0);
        struct vtb_alloc_counts delta = vtbt_counts_since(&before);
        assert_int_equal(delta.allocs, expect->miss_object > 0 ? measured : 0);
        close_service(&fx);
    }
}

/* ---- Failures ---- */

static void test_refused_unix_socket(void **state)
{
    struct fixture *fx = *state;
    struct vtb_service_config config;
    config_for(&config, "unix:/nonexistent-vtbench/redis.sock", VTB_COMPLETE_ON_LOOP,
               VTB_CONTINUE_POSTED, 0);
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_service_new(&config, &fx->svc, &err), 0);
    /* The connection fails at once: the worker cannot start. */
    assert_int_equal(vtb_worker_init(fx->svc, &fx->worker, 0), VTB_EBACKEND);
    expect_status(fx, "cannot connect");
}

static void test_refused_tcp_port(void **state)
{
    struct fixture *fx = *state;
    /* A server started and stopped: its port is free and refuses. */
    start_server_or_fail(&fx->own, true);
    char url[VTB_BACKEND_URL_MAX];
    snprintf(url, sizeof(url), "%s", fx->own.url);
    stop_server(&fx->own);
    struct vtb_service_config config;
    config_for(&config, url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, 0);
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_service_new(&config, &fx->svc, &err), 0);
    int rc = vtb_worker_init(fx->svc, &fx->worker, 0);
    if (rc == 0) {
        /* Refused once the non-blocking connect is seen: the request
         * fails with the connection. */
        fx->worker_open = true;
        fx->ops = vtb_impl_find("value-task");
        uint64_t value;
        assert_int_equal(get(fx, 1, &value, NULL), VTB_EBACKEND);
    } else {
        assert_int_equal(rc, VTB_EBACKEND);
    }
    expect_status(fx, "cannot connect");
}

static void test_killed_server(void **state)
{
    struct fixture *fx = *state;
    struct vtb_redis_server *srv = &fx->own;
    start_server_or_fail(srv, false);
    open_service(fx, srv->url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, "alloc-task", 0);
    uint64_t value;
    for (uint64_t key = 0; key < 10; key++)
        assert_int_equal(get(fx, key, &value, NULL), 0);
    assert_int_equal(vtb_service_backend_status(fx->svc, NULL), 0);
    /* Killed mid-run, without a word. */
    assert_int_equal(kill(srv->pid, SIGKILL), 0);
    assert_int_equal(waitpid(srv->pid, NULL, 0), srv->pid);
    srv->pid = 0;
    for (uint64_t key = 10; key < 20; key++)
        assert_int_equal(get(fx, key, &value, NULL), VTB_EBACKEND);
    expect_status(fx, "connection lost");
    struct vtb_backend_counters c = conn_counters(fx);
    assert_int_equal(c.failed, 10);
    stop_server(srv);
}

/* A server that stops answering (SIGSTOP): every request in flight ends
 * with the timeout. */
static void test_timeout(void **state)
{
    struct fixture *fx = *state;
    struct vtb_redis_server *srv = &fx->own;
    start_server_or_fail(srv, false);
    open_service(fx, srv->url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, "pooled",
                 50 * 1000000u);
    uint64_t value;
    assert_int_equal(get(fx, 1, &value, NULL), 0);
    assert_int_equal(kill(srv->pid, SIGSTOP), 0);
    struct vtb_vresult results[4];
    struct vtbt_waiter waiters[4];
    for (unsigned i = 0; i < 4; i++) {
        results[i] = fx->ops->get(fx->state, &fx->worker, 10 + i);
        vtbt_waiter_init(&waiters[i], &fx->worker.loop);
        assert_int_equal(vtb_vresult_on_completed(&results[i], vtbt_waiter_fn, &waiters[i]), 0);
    }
    for (unsigned i = 0; i < 4; i++) {
        while (vtbt_waiter_runs(&waiters[i]) == 0)
            vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
        assert_int_equal(vtb_vresult_get(&results[i], &value), VTB_EBACKEND);
    }
    expect_status(fx, "no reply within 0.05 s");
    /* The connection is closed: later requests fail at once. */
    assert_int_equal(get(fx, 20, &value, NULL), VTB_EBACKEND);
    kill(srv->pid, SIGCONT);
    stop_server(srv);
}

/* Abandoning (vtb_worker_expedite) ends requests to a server that does
 * not answer, long before their hour-long timeout. */
static void test_expedite_abandons_requests(void **state)
{
    struct fixture *fx = *state;
    struct vtb_redis_server *srv = &fx->own;
    start_server_or_fail(srv, false);
    open_service(fx, srv->url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, "value-task", HOUR_NS);
    uint64_t value;
    assert_int_equal(get(fx, 1, &value, NULL), 0);
    assert_int_equal(kill(srv->pid, SIGSTOP), 0);
    struct vtb_vresult r = fx->ops->get(fx->state, &fx->worker, 2);
    struct vtbt_waiter w;
    vtbt_waiter_init(&w, &fx->worker.loop);
    assert_int_equal(vtb_vresult_on_completed(&r, vtbt_waiter_fn, &w), 0);
    vtb_loop_run(&fx->worker.loop, VTB_LOOP_NOWAIT); /* the request is written */
    vtb_worker_expedite(&fx->worker);
    while (vtbt_waiter_runs(&w) == 0)
        vtb_loop_run(&fx->worker.loop, VTB_LOOP_ONCE);
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_EBACKEND);
    expect_status(fx, "abandoned");
    kill(srv->pid, SIGCONT);
    stop_server(srv);
}

/* Runs one command on the shared server. */
static void server_command(const char *fmt, ...)
{
    struct vtb_backend_address addr;
    assert_int_equal(vtb_backend_url_parse(shared_server.url, &addr, NULL), 0);
    redisContext *c = redisConnectUnix(addr.path);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    assert_non_null(r);
    freeReplyObject(r);
    redisFree(c);
}

static void test_wrong_value(void **state)
{
    struct fixture *fx = *state;
    server_command("SET %s%d %s", PREFIX, 7, "123");
    open_service(fx, shared_server.url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_INLINE, "alloc-task",
                 0);
    uint64_t value;
    assert_int_equal(get(fx, 7, &value, NULL), VTB_EBACKEND);
    expect_status(fx, "returned `123`");
    /* Nothing wrong went into the cache. */
    assert_false(vtb_worker_lookup(&fx->worker, 7, &value));
    load_or_fail(shared_server.url);
}

static void test_missing_key(void **state)
{
    struct fixture *fx = *state;
    server_command("DEL %s%d", PREFIX, 8);
    open_service(fx, shared_server.url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, "pooled", 0);
    uint64_t value;
    assert_int_equal(get(fx, 8, &value, NULL), VTB_EBACKEND);
    expect_status(fx, "the key is missing");
    load_or_fail(shared_server.url);
}

static void test_error_reply(void **state)
{
    struct fixture *fx = *state;
    server_command("DEL %s%d", PREFIX, 9);
    server_command("LPUSH %s%d x", PREFIX, 9);
    open_service(fx, shared_server.url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, "value-task",
                 0);
    uint64_t value;
    assert_int_equal(get(fx, 9, &value, NULL), VTB_EBACKEND);
    expect_status(fx, "returned an error: WRONGTYPE");
    server_command("DEL %s%d", PREFIX, 9);
    load_or_fail(shared_server.url);
}

static void test_service_refuses_bad_settings(void **state)
{
    (void)state;
    struct vtb_service_config config;
    struct vtb_service *svc = NULL;
    struct vtb_error err;
    config_for(&config, NULL, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, 0);
    assert_int_equal(vtb_service_new(&config, &svc, &err), VTB_EINVAL);
    config_for(&config, "http://127.0.0.1:80", VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, 0);
    assert_int_equal(vtb_service_new(&config, &svc, &err), VTB_ESYNTAX);
    config_for(&config, shared_server.url, VTB_COMPLETE_ON_LOOP, VTB_CONTINUE_POSTED, 0);
    config.backend.key_space = 0;
    assert_int_equal(vtb_service_new(&config, &svc, &err), VTB_EINVAL);
    assert_null(svc);
}

/* ---- URLs and the wire format ---- */

static void test_url_parse(void **state)
{
    (void)state;
    struct vtb_backend_address a;
    assert_int_equal(vtb_backend_url_parse("redis://127.0.0.1:6379", &a, NULL), 0);
    assert_false(a.unix_socket);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(a.port, 6379);
    assert_int_equal(a.kind, VTB_BACKEND_REDIS);
    assert_int_equal(vtb_backend_url_parse("redis://localhost:1", &a, NULL), 0);
    assert_string_equal(a.host, "localhost");
    assert_int_equal(vtb_backend_url_parse("unix:/tmp/x/redis.sock", &a, NULL), 0);
    assert_true(a.unix_socket);
    assert_string_equal(a.path, "/tmp/x/redis.sock");
    struct vtb_error err;
    static const struct {
        const char *url;
        int rc;
    } bad[] = {
        {"", VTB_ESYNTAX},
        {"127.0.0.1:6379", VTB_ESYNTAX},
        {"http://127.0.0.1:80", VTB_ESYNTAX},
        {"redis://127.0.0.1", VTB_ESYNTAX},
        {"redis://:6379", VTB_ESYNTAX},
        {"redis://127.0.0.1:", VTB_ESYNTAX},
        {"redis://127.0.0.1:http", VTB_ESYNTAX},
        {"redis://127.0.0.1:0", VTB_ERANGE},
        {"redis://127.0.0.1:65536", VTB_ERANGE},
        {"redis://user@127.0.0.1:6379", VTB_ESYNTAX},
        {"redis://127.0.0.1:6379/0", VTB_ESYNTAX},
        {"unix:relative.sock", VTB_ESYNTAX},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vtb_error_clear(&err);
        int rc = vtb_backend_url_parse(bad[i].url, &a, &err);
        if (rc != bad[i].rc)
            fail_msg("`%s`: %d, expected %d", bad[i].url, rc, bad[i].rc);
        assert_true(err.message[0] != '\0');
    }
    char longer[200];
    memset(longer, 'a', sizeof(longer));
    memcpy(longer, "unix:/", 6);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(vtb_backend_url_parse(longer, &a, NULL), VTB_ERANGE);
}

static void test_wire_format(void **state)
{
    (void)state;
    char buf[VTB_BACKEND_PREFIX_MAX + 24];
    assert_int_equal(vtb_backend_format_key(buf, sizeof(buf), "p:", 42), 4);
    assert_string_equal(buf, "p:42");
    assert_int_equal(vtb_backend_format_key(buf, 4, "p:", 42), 0);
    size_t n = vtb_backend_format_value(buf, sizeof(buf), 42);
    assert_true(n > 0);
    assert_true(strtoull(buf, NULL, 10) == vtb_backend_value(42));
    assert_int_equal(vtb_backend_wire_index(5, 10), 5);
    assert_int_equal(vtb_backend_wire_index(15, 10), 5);
    assert_int_equal(vtb_backend_wire_index((UINT64_C(1) << 62) | 7, 1000),
                     ((UINT64_C(1) << 62) | 7) % 1000);
    assert_string_equal(vtb_backend_kind_name(VTB_BACKEND_SIM), "sim");
    assert_string_equal(vtb_backend_kind_name(VTB_BACKEND_REDIS), "redis");
    assert_string_equal(vtb_backend_kind_name(VTB_BACKEND_KIND_COUNT), "unknown");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    int gate = vtb_test_redis_gate();
    if (gate != 0)
        return gate;
    /* As vtbench does: a write to a server that died must fail with EPIPE,
     * not kill the process (see vtb/backend.h). */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse),
        cmocka_unit_test(test_wire_format),
        cmocka_unit_test(test_values_every_strategy),
        cmocka_unit_test(test_values_on_completion_thread),
        T(test_pipelined_on_worker_loop),
        T(test_pipelined_on_completion_thread),
        cmocka_unit_test(test_strategy_allocations_per_miss),
        T(test_refused_unix_socket),
        T(test_refused_tcp_port),
        T(test_killed_server),
        T(test_timeout),
        T(test_expedite_abandons_requests),
        T(test_wrong_value),
        T(test_missing_key),
        T(test_error_reply),
        cmocka_unit_test(test_service_refuses_bad_settings),
    };
    return cmocka_run_group_tests_name("redis backend", tests, group_setup, group_teardown);
}
