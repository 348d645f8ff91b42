/*
 * The Redis backend: a miss is a GET sent through hiredis's asynchronous
 * client (Debian 12's 0.14.1) on the completing loop, which watches the
 * connection's socket (vtb_loop_io_watch).
 *
 * hiredis asks its event library for read and write interest through five
 * hooks (add/remove read, add/remove write, cleanup); here they drive the
 * loop's watcher. Write interest is not handed to epoll at once: a socket
 * is almost always writable, so a request only queues a flush on the loop,
 * which writes every request issued in the same pass with one write (the
 * pipelining of concurrency > 1), and only a write that could not finish
 * (or a connection still being made) arms EPOLLOUT. Read interest stays on
 * for the connection's life. Per request that is one write, one wake-up
 * from epoll and one read, as a hand-written client would do.
 *
 * Requests are formatted here into a stack buffer (the RESP text of GET),
 * so the only allocations per request are hiredis's own: its callback
 * node, its reply object and its buffers. Replies come back in request
 * order, so the fetches in flight form a FIFO (linked through their
 * timer's work.next, which is free while the timer is not armed) and one
 * connection timer watches the oldest request's deadline (kept in its
 * timer.due_ns); it is re-armed lazily, when it fires early, so a request
 * costs no timer-heap operation.
 *
 * Failures: a refused or lost connection, a timeout, an error reply, and a
 * missing or wrong value are reported to the service with a message that
 * names the server, and the request completes with VTB_EBACKEND. A timeout
 * closes the connection (a late reply could not be told from the next
 * one), which fails every request in flight; a failed connection is not
 * reopened, and later requests fail at once, on the loop's next pass.
 * Nothing here blocks and nothing waits longer than the timeout.
 */
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vtb/backend_internal.h"
#include "vtb/loop_internal.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* "redis at unix:/tmp/x/redis.sock", the subject of every message. */
#define WHERE_MAX (VTB_BACKEND_URL_MAX + 16)

struct redis_conn {
    struct vtb_loop *loop;
    struct vtb_service *svc;
    redisAsyncContext *ac; /* NULL once closed or failed */
    struct vtb_io io;
    struct vtb_work flush;  /* writes what the pass's requests appended */
    bool flush_queued;
    bool want_write;        /* hiredis asked for write interest */
    bool failed;            /* a failure was reported: requests fail at once */
    /* Requests in flight, oldest first, and the timer on the oldest. */
    struct vtb_fetch *head, *tail;
    uint64_t in_flight;
    struct vtb_backend_counters counters;
    struct vtb_timer timeout;
    /* Requests started on a failed connection, failed on the next pass. */
    struct vtb_fetch *doomed;
    struct vtb_work fail_doomed;
    bool fail_queued;
    uint64_t key_space;
    uint64_t timeout_ns;
    size_t prefix_len;
    char prefix[VTB_BACKEND_PREFIX_MAX];
    char where[WHERE_MAX];
};

static struct vtb_fetch *fetch_next(const struct vtb_fetch *fetch)
{
    return fetch->timer.work.next == NULL
               ? NULL
               : container_of(fetch->timer.work.next, struct vtb_fetch, timer.work);
}

static void fifo_push(struct redis_conn *c, struct vtb_fetch *fetch)
{
    fetch->timer.work.next = NULL;
    if (c->tail != NULL)
        c->tail->timer.work.next = &fetch->timer.work;
    else
        c->head = fetch;
    c->tail = fetch;
    if (++c->in_flight > c->counters.max_in_flight)
        c->counters.max_in_flight = c->in_flight;
}

static struct vtb_fetch *fifo_pop(struct redis_conn *c)
{
    struct vtb_fetch *fetch = c->head;
    if (fetch == NULL)
        return NULL;
    c->head = fetch_next(fetch);
    if (c->head == NULL)
        c->tail = NULL;
    fetch->timer.work.next = NULL;
    c->in_flight--;
    return fetch;
}

/* Reports the connection's first failure to the service; the message
 * names the server. */
static void conn_failed(struct redis_conn *c, const char *what)
{
    if (c->failed)
        return;
    c->failed = true;
    vtb__service_backend_failed(c->svc, "backend %s: %s", c->where, what);
}

/* ---- The event-library hooks (hiredis's adapter contract) ---- */

static void watch(struct redis_conn *c, unsigned interest)
{
    if (vtb_loop_io_watch(c->loop, &c->io, interest) != 0)
        conn_failed(c, "cannot watch the connection's socket (epoll refused it)");
}

static void hook_add_read(void *privdata)
{
    struct redis_conn *c = privdata;
    watch(c, c->io.interest | VTB_IO_READ);
}

static void hook_del_read(void *privdata)
{
    struct redis_conn *c = privdata;
    watch(c, c->io.interest & ~(unsigned)VTB_IO_READ);
}

static void hook_add_write(void *privdata)
{
    struct redis_conn *c = privdata;
    c->want_write = true;
    if (!(c->io.interest & VTB_IO_WRITE) && !c->flush_queued) {
        c->flush_queued = true;
        vtb_loop_queue(c->loop, &c->flush);
    }
}

static void hook_del_write(void *privdata)
{
    struct redis_conn *c = privdata;
    c->want_write = false;
    if (c->io.interest & VTB_IO_WRITE)
        watch(c, c->io.interest & ~(unsigned)VTB_IO_WRITE);
}

/* hiredis is freeing the context: after this, the connection is closed. */
static void hook_cleanup(void *privdata)
{
    struct redis_conn *c = privdata;
    vtb_loop_io_stop(c->loop, &c->io);
    c->ac = NULL;
    c->want_write = false;
}

/* The queued flush: write what was appended; arm EPOLLOUT only when the
 * write could not finish (or the connection is not made yet). */
static void flush_fn(struct vtb_work *work)
{
    struct redis_conn *c = container_of(work, struct redis_conn, flush);
    c->flush_queued = false;
    if (c->ac == NULL || !c->want_write)
        return;
    c->counters.writes++;
    redisAsyncHandleWrite(c->ac);
    if (c->ac != NULL && c->want_write)
        watch(c, c->io.interest | VTB_IO_WRITE);
}

static void io_fn(struct vtb_io *io, unsigned ready)
{
    struct redis_conn *c = container_of(io, struct redis_conn, io);
    if ((ready & VTB_IO_READ) && c->ac != NULL)
        redisAsyncHandleRead(c->ac);
    if ((ready & VTB_IO_WRITE) && c->ac != NULL) {
        c->counters.writes++;
        redisAsyncHandleWrite(c->ac);
    }
}

/* ---- Replies ---- */

/* Parses a reply's decimal text strictly: digits only, no overflow. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Checks one reply against the value its key's object holds. Returns 0 and
 * the operation's value, or VTB_EBACKEND after reporting what was wrong. */
static int check_reply(struct redis_conn *c, const struct vtb_fetch *fetch,
                       const redisReply *reply, uint64_t *value)
{
    uint64_t index = vtb_backend_wire_index(fetch->key, c->key_space);
    uint64_t expected = vtb_backend_value(index), got = 0;
    char what[VTB_ERROR_MESSAGE_MAX];
    if (reply->type == REDIS_REPLY_STRING && parse_u64(reply->str, reply->len, &got) &&
        got == expected) {
        /* The key's own value: the object's for keys in the key space,
         * else the value of the never-cached key it stands for. */
        *value = vtb_backend_value(fetch->key);
        return 0;
    }
    if (reply->type == REDIS_REPLY_ERROR)
        snprintf(what, sizeof(what), "GET %s%" PRIu64 " returned an error: %.200s", c->prefix,
                 index, reply->str);
    else if (reply->type == REDIS_REPLY_NIL)
        snprintf(what, sizeof(what), "GET %s%" PRIu64 ": the key is missing (was the key space "
                 "loaded?)", c->prefix, index);
    else if (reply->type == REDIS_REPLY_STRING)
        snprintf(what, sizeof(what), "GET %s%" PRIu64 " returned `%.40s`, expected %" PRIu64
                 " (a wrong value)", c->prefix, index, reply->str, expected);
    else
        snprintf(what, sizeof(what), "GET %s%" PRIu64 " returned a reply of type %d, expected "
                 "a string", c->prefix, index, reply->type);
    conn_failed(c, what);
    return VTB_EBACKEND;
}

/* hiredis's callback, in request order. A NULL reply means the connection
 * is going away with this request unanswered. */
static void on_reply(redisAsyncContext *ac, void *reply_ptr, void *privdata)
{
    struct redis_conn *c = ac->ev.data;
    struct vtb_fetch *fetch = privdata;
    const redisReply *reply = reply_ptr;
    struct vtb_fetch *popped = fifo_pop(c);
    if (popped != fetch)
        conn_failed(c, "replies came back out of request order");
    uint64_t value = 0;
    int error = VTB_EBACKEND;
    if (reply != NULL)
        c->counters.replies++;
    if (reply == NULL) {
        char what[VTB_ERROR_MESSAGE_MAX];
        snprintf(what, sizeof(what), "connection lost: %.200s",
                 ac->err != 0 && ac->errstr != NULL ? ac->errstr : "closed");
        conn_failed(c, what);
    } else {
        error = check_reply(c, fetch, reply, &value);
    }
    if (error != 0)
        c->counters.failed++;
    vtb__fetch_complete(fetch, value, error);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct redis_conn *c = ac->ev.data;
    if (status != REDIS_OK) {
        char what[VTB_ERROR_MESSAGE_MAX];
        snprintf(what, sizeof(what), "cannot connect: %.200s",
                 ac->errstr != NULL && ac->errstr[0] != '\0' ? ac->errstr : "refused");
        conn_failed(c, what);
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct redis_conn *c = ac->ev.data;
    if (status != REDIS_OK) {
        char what[VTB_ERROR_MESSAGE_MAX];
        snprintf(what, sizeof(what), "connection lost: %.200s",
                 ac->errstr != NULL ? ac->errstr : "closed");
        conn_failed(c, what);
    }
}

/* ---- Timeouts and failed requests ---- */

static void arm_timeout(struct redis_conn *c)
{
    if (c->head != NULL && c->timeout.heap_index == VTB_TIMER_INACTIVE &&
        vtb_loop_timer_start(c->loop, &c->timeout, c->head->timer.due_ns) != 0)
        conn_failed(c, "cannot arm the request timeout (out of memory)");
}

/* Fails every request in flight by closing the connection: hiredis calls
 * back each with a NULL reply. */
static void close_connection(struct redis_conn *c)
{
    if (c->ac != NULL)
        redisAsyncFree(c->ac); /* not inside a hiredis callback: immediate */
    /* Requests hiredis no longer knew of (it refused them while closing). */
    struct vtb_fetch *fetch;
    while ((fetch = fifo_pop(c)) != NULL) {
        c->counters.failed++;
        vtb__fetch_complete(fetch, 0, VTB_EBACKEND);
    }
}

static void timeout_fn(struct vtb_work *work)
{
    struct redis_conn *c = container_of(work, struct redis_conn, timeout.work);
    if (c->head == NULL)
        return;
    if (c->timeout.due_ns == 0) {
        /* vtb_loop_expire_timers: the measurement is being abandoned, and
         * what is in flight must end now. */
        conn_failed(c, "requests abandoned (the run was stopped)");
        close_connection(c);
        return;
    }
    uint64_t now = vtb_monotonic_ns();
    if (c->head->timer.due_ns > now) {
        /* Armed for a request that has since been answered. */
        arm_timeout(c);
        return;
    }
    char what[VTB_ERROR_MESSAGE_MAX];
    snprintf(what, sizeof(what), "GET %s%" PRIu64 " got no reply within %.3g s (%" PRIu64
             " requests in flight)", c->prefix, vtb_backend_wire_index(c->head->key, c->key_space),
             (double)c->timeout_ns / 1e9, c->in_flight);
    conn_failed(c, what);
    close_connection(c);
}

static void fail_doomed_fn(struct vtb_work *work)
{
    struct redis_conn *c = container_of(work, struct redis_conn, fail_doomed);
    c->fail_queued = false;
    while (c->doomed != NULL) {
        struct vtb_fetch *fetch = c->doomed;
        c->doomed = fetch_next(fetch);
        fetch->timer.work.next = NULL;
        c->counters.failed++;
        vtb__fetch_complete(fetch, 0, VTB_EBACKEND);
    }
}

/* A request that cannot be sent fails on the next pass, never inside the
 * call that started it (its operation must not look synchronous). */
static void fail_later(struct redis_conn *c, struct vtb_fetch *fetch)
{
    fetch->timer.work.next = c->doomed == NULL ? NULL : &c->doomed->timer.work;
    c->doomed = fetch;
    if (!c->fail_queued) {
        c->fail_queued = true;
        vtb_loop_queue(c->loop, &c->fail_doomed);
    }
}

/* ---- The backend ---- */

static void redis_start(void *conn, struct vtb_fetch *fetch)
{
    struct redis_conn *c = conn;
    c->counters.requests++;
    if (c->ac == NULL || c->failed) {
        fail_later(c, fetch);
        return;
    }
    /* GET as RESP: *2\r\n$3\r\nGET\r\n$<len>\r\n<key>\r\n */
    char key[VTB_BACKEND_PREFIX_MAX + 24];
    size_t key_len = vtb_backend_format_key(key, sizeof(key), c->prefix,
                                            vtb_backend_wire_index(fetch->key, c->key_space));
    char cmd[sizeof(key) + 32];
    int len = snprintf(cmd, sizeof(cmd), "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", key_len, key);
    if (key_len == 0 || len <= 0 || (size_t)len >= sizeof(cmd) ||
        redisAsyncFormattedCommand(c->ac, on_reply, fetch, cmd, (size_t)len) != REDIS_OK) {
        conn_failed(c, "cannot queue a request (the connection is closing)");
        fail_later(c, fetch);
        return;
    }
    fetch->timer.due_ns = vtb_monotonic_ns() + c->timeout_ns;
    fifo_push(c, fetch);
    arm_timeout(c);
}

static int redis_open(void *conn, struct vtb_loop *loop, const struct vtb_backend_config *config,
                      struct vtb_service *svc, struct vtb_error *err)
{
    struct redis_conn *c = conn;
    memset(c, 0, sizeof(*c));
    c->loop = loop;
    c->svc = svc;
    c->key_space = config->key_space > 0 ? config->key_space : 1;
    c->timeout_ns = config->timeout_ns > 0 ? config->timeout_ns : VTB_BACKEND_TIMEOUT_DEFAULT_NS;
    const char *prefix = config->key_prefix != NULL ? config->key_prefix : "";
    c->prefix_len = strlen(prefix);
    if (c->prefix_len >= sizeof(c->prefix))
        return vtb_error_set(err, VTB_EINVAL, "backend redis: key prefix longer than %zu bytes",
                             sizeof(c->prefix) - 1);
    memcpy(c->prefix, prefix, c->prefix_len + 1);
    snprintf(c->where, sizeof(c->where), "redis at %s", config->url != NULL ? config->url : "?");
    struct vtb_backend_address addr;
    int rc = vtb_backend_url_parse(config->url != NULL ? config->url : "", &addr, err);
    if (rc != 0)
        return rc;
    vtb_timer_init(&c->timeout, timeout_fn);
    c->flush.fn = flush_fn;
    c->fail_doomed.fn = fail_doomed_fn;
    redisAsyncContext *ac = addr.unix_socket ? redisAsyncConnectUnix(addr.path)
                                             : redisAsyncConnect(addr.host, addr.port);
    if (ac == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "backend %s: cannot create a connection", c->where);
    if (ac->err != 0) {
        vtb_error_set(err, VTB_EBACKEND, "backend %s: cannot connect: %s", c->where, ac->errstr);
        redisAsyncFree(ac);
        return VTB_EBACKEND;
    }
    c->ac = ac;
    vtb_io_init(&c->io, ac->c.fd, io_fn);
    ac->ev.data = c;
    ac->ev.addRead = hook_add_read;
    ac->ev.delRead = hook_del_read;
    ac->ev.addWrite = hook_add_write;
    ac->ev.delWrite = hook_del_write;
    ac->ev.cleanup = hook_cleanup;
    /* The connection is made when the socket first turns writable, which
     * setting the callback asks for (a queued flush, then EPOLLOUT). */
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    hook_add_read(c);
    return 0;
}

/* Called when the loop is being finished (its worker's fini): work this
 * connection queued is dropped with the loop's queue, never run. */
static void redis_close(void *conn)
{
    struct redis_conn *c = conn;
    vtb_loop_timer_stop(c->loop, &c->timeout);
    close_connection(c);
    fail_doomed_fn(&c->fail_doomed);
}

static void redis_counters(const void *conn, struct vtb_backend_counters *out)
{
    *out = ((const struct redis_conn *)conn)->counters;
}

const struct vtb_backend_ops vtb__backend_redis = {
    .name = "redis",
    .conn_size = sizeof(struct redis_conn),
    .open = redis_open,
    .start = redis_start,
    .close = redis_close,
    .counters = redis_counters,
};
