/*
 * The yardstick of scripts/bench-redis.sh: a plain blocking hiredis GET loop
 * against the same server, keys and values as vtbench's Redis backend, so
 * that vtbench's miss latency can be set beside the cheapest way to ask the
 * same question. One connection (TCP_NODELAY on TCP, as hiredis sets it),
 * one request at a time, each timed with CLOCK_MONOTONIC and checked
 * against the expected value. Prints one line of key=value pairs.
 *
 *   bench_redis_blocking load URL PREFIX KEYS
 *   bench_redis_blocking get URL PREFIX KEYS REQUESTS [WARMUP]
 *
 * Built by scripts/bench-redis.sh against the library (for the URL parser
 * and the wire format: the same keys and values by construction).
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vtb/backend.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static redisContext *connect_url(const char *url)
{
    struct vtb_backend_address addr;
    struct vtb_error err;
    if (vtb_backend_url_parse(url, &addr, &err) != 0) {
        fprintf(stderr, "bench_redis_blocking: %s\n", err.message);
        return NULL;
    }
    redisContext *c = addr.unix_socket ? redisConnectUnix(addr.path)
                                       : redisConnect(addr.host, addr.port);
    if (c == NULL || c->err != 0) {
        fprintf(stderr, "bench_redis_blocking: cannot connect to %s: %s\n", url,
                c != NULL ? c->errstr : "out of memory");
        return NULL;
    }
    return c;
}

static int load(redisContext *c, const char *prefix, uint64_t keys)
{
    char key[VTB_BACKEND_PREFIX_MAX + 24], value[24];
    for (uint64_t first = 0; first < keys; first += 1000) {
        uint64_t end = first + 1000 < keys ? first + 1000 : keys;
        for (uint64_t i = first; i < end; i++) {
            size_t kl = vtb_backend_format_key(key, sizeof(key), prefix, i);
            size_t vl = vtb_backend_format_value(value, sizeof(value), i);
            redisAppendCommand(c, "SET %b %b", key, kl, value, vl);
        }
        for (uint64_t i = first; i < end; i++) {
            void *reply = NULL;
            if (redisGetReply(c, &reply) != REDIS_OK || reply == NULL ||
                ((redisReply *)reply)->type == REDIS_REPLY_ERROR) {
                fprintf(stderr, "bench_redis_blocking: SET failed\n");
                return 1;
            }
            freeReplyObject(reply);
        }
    }
    printf("loaded=%" PRIu64 "\n", keys);
    return 0;
}

static int get(redisContext *c, const char *prefix, uint64_t keys, uint64_t requests,
               uint64_t warmup)
{
    uint64_t *ns = calloc(requests, sizeof(*ns));
    if (ns == NULL)
        return 1;
    uint64_t wrong = 0;
    char key[VTB_BACKEND_PREFIX_MAX + 24];
    for (uint64_t i = 0; i < warmup + requests; i++) {
        uint64_t index = (i * 7919) % keys; /* spread over the key space */
        size_t kl = vtb_backend_format_key(key, sizeof(key), prefix, index);
        uint64_t start = now_ns();
        redisReply *r = redisCommand(c, "GET %b", key, kl);
        uint64_t end = now_ns();
        if (r == NULL) {
            fprintf(stderr, "bench_redis_blocking: GET failed: %s\n", c->errstr);
            free(ns);
            return 1;
        }
        if (r->type != REDIS_REPLY_STRING ||
            strtoull(r->str, NULL, 10) != vtb_backend_value(index))
            wrong++;
        freeReplyObject(r);
        if (i >= warmup)
            ns[i - warmup] = end - start;
    }
    qsort(ns, requests, sizeof(*ns), by_value);
    double sum = 0;
    for (uint64_t i = 0; i < requests; i++)
        sum += (double)ns[i];
    printf("requests=%" PRIu64 " wrong=%" PRIu64 " p50_ns=%" PRIu64 " p99_ns=%" PRIu64
           " p999_ns=%" PRIu64 " mean_ns=%.0f\n",
           requests, wrong, ns[requests / 2], ns[requests * 99 / 100],
           ns[requests * 999 / 1000], sum / (double)requests);
    free(ns);
    return wrong == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_redis_blocking load URL PREFIX KEYS\n"
                        "       bench_redis_blocking get URL PREFIX KEYS REQUESTS [WARMUP]\n");
        return 2;
    }
    redisContext *c = connect_url(argv[2]);
    if (c == NULL)
        return 1;
    uint64_t keys = strtoull(argv[4], NULL, 10);
    int rc;
    if (strcmp(argv[1], "load") == 0)
        rc = load(c, argv[3], keys);
    else if (argc >= 6 && strcmp(argv[1], "get") == 0)
        rc = get(c, argv[3], keys, strtoull(argv[5], NULL, 10),
                 argc >= 7 ? strtoull(argv[6], NULL, 10) : 1000);
    else
        rc = 2;
    redisFree(c);
    return rc;
}
