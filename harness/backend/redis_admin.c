/*
 * Blocking conversations with a Redis server (see redis_admin.h), through
 * hiredis's synchronous client with a timeout on connecting and on every
 * reply.
 */
#include "redis_admin.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "vtb/backend.h"

/* Commands per pipelined batch, and keys per DEL. */
#define LOAD_BATCH 1000u
#define DEL_KEYS 100u

static struct timeval timeval_of(uint64_t ns)
{
    struct timeval tv = {(time_t)(ns / 1000000000u), (suseconds_t)((ns % 1000000000u) / 1000u)};
    return tv;
}

static redisContext *connect_to(const char *url, uint64_t timeout_ns, struct vtb_error *err)
{
    struct vtb_backend_address addr;
    if (vtb_backend_url_parse(url, &addr, err) != 0)
        return NULL;
    struct timeval tv = timeval_of(timeout_ns);
    redisContext *c = addr.unix_socket ? redisConnectUnixWithTimeout(addr.path, tv)
                                       : redisConnectWithTimeout(addr.host, addr.port, tv);
    if (c == NULL) {
        vtb_error_set(err, VTB_ENOMEM, "%s: cannot create a connection", url);
        return NULL;
    }
    if (c->err != 0 || redisSetTimeout(c, tv) != REDIS_OK) {
        vtb_error_set(err, VTB_EBACKEND, "cannot connect to %s: %s", url,
                      c->err != 0 ? c->errstr : "cannot set the timeout");
        redisFree(c);
        return NULL;
    }
    return c;
}

/* Takes one reply; 0 when it is not an error, else the message. */
static int take_reply(redisContext *c, const char *url, const char *what, redisReply **out,
                      struct vtb_error *err)
{
    void *reply = NULL;
    if (redisGetReply(c, &reply) != REDIS_OK || reply == NULL)
        return vtb_error_set(err, VTB_EBACKEND, "%s: %s: %s", url, what,
                             c->err != 0 ? c->errstr : "no reply");
    redisReply *r = reply;
    if (r->type == REDIS_REPLY_ERROR) {
        vtb_error_set(err, VTB_EBACKEND, "%s: %s: %s", url, what, r->str);
        freeReplyObject(r);
        return VTB_EBACKEND;
    }
    if (out != NULL)
        *out = r;
    else
        freeReplyObject(r);
    return 0;
}

int vtb_redis_admin_ping(const char *url, uint64_t timeout_ns, struct vtb_error *err)
{
    redisContext *c = connect_to(url, timeout_ns, err);
    if (c == NULL)
        return VTB_EBACKEND;
    redisReply *r = NULL;
    int rc = 0;
    if (redisAppendCommand(c, "PING") != REDIS_OK)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    if (rc == 0)
        rc = take_reply(c, url, "PING", &r, err);
    if (rc == 0 && !(r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0))
        rc = vtb_error_set(err, VTB_EBACKEND, "%s: PING did not answer PONG", url);
    if (r != NULL)
        freeReplyObject(r);
    redisFree(c);
    return rc;
}

int vtb_redis_admin_load(const char *url, const char *prefix, uint64_t count,
                         volatile sig_atomic_t *stop, struct vtb_error *err)
{
    redisContext *c = connect_to(url, VTB_REDIS_ADMIN_TIMEOUT_NS, err);
    if (c == NULL)
        return VTB_EBACKEND;
    int rc = 0;
    char key[VTB_BACKEND_PREFIX_MAX + 24], value[24];
    for (uint64_t first = 0; rc == 0 && first < count; first += LOAD_BATCH) {
        if (stop != NULL && *stop) {
            rc = vtb_error_set(err, VTB_EINTR, "%s: interrupted while loading the key space",
                               url);
            break;
        }
        uint64_t end = first + LOAD_BATCH < count ? first + LOAD_BATCH : count;
        for (uint64_t i = first; rc == 0 && i < end; i++) {
            size_t klen = vtb_backend_format_key(key, sizeof(key), prefix, i);
            size_t vlen = vtb_backend_format_value(value, sizeof(value), i);
            if (klen == 0 || vlen == 0 ||
                redisAppendCommand(c, "SET %b %b", key, klen, value, vlen) != REDIS_OK)
                rc = vtb_error_set(err, VTB_ENOMEM, "%s: cannot queue SET %s", url, key);
        }
        for (uint64_t i = first; i < end; i++) {
            /* Take every reply, even after a failure, so none is mistaken
             * for the next batch's. */
            struct vtb_error reply_err;
            if (take_reply(c, url, "SET while loading the key space", NULL, &reply_err) != 0 &&
                rc == 0) {
                rc = VTB_EBACKEND;
                if (err != NULL)
                    *err = reply_err;
                if (c->err != 0)
                    break;
            }
        }
    }
    redisFree(c);
    return rc;
}

int vtb_redis_admin_delete(const char *url, const char *prefix, uint64_t count,
                           uint64_t timeout_ns, uint64_t *deleted, struct vtb_error *err)
{
    if (deleted != NULL)
        *deleted = 0;
    redisContext *c = connect_to(url, timeout_ns, err);
    if (c == NULL)
        return VTB_EBACKEND;
    char keys[DEL_KEYS][VTB_BACKEND_PREFIX_MAX + 24];
    const char *argv[DEL_KEYS + 1];
    size_t argvlen[DEL_KEYS + 1];
    int rc = 0;
    unsigned queued = 0;
    for (uint64_t first = 0; rc == 0 && first < count; first += DEL_KEYS) {
        uint64_t end = first + DEL_KEYS < count ? first + DEL_KEYS : count;
        argv[0] = "DEL";
        argvlen[0] = 3;
        int argc = 1;
        for (uint64_t i = first; i < end; i++, argc++) {
            argvlen[argc] = vtb_backend_format_key(keys[argc - 1], sizeof(keys[0]), prefix, i);
            argv[argc] = keys[argc - 1];
        }
        if (redisAppendCommandArgv(c, argc, argv, argvlen) != REDIS_OK) {
            rc = vtb_error_set(err, VTB_ENOMEM, "%s: cannot queue DEL", url);
            break;
        }
        /* Replies are taken once per LOAD_BATCH commands queued. */
        if (++queued < LOAD_BATCH && end < count)
            continue;
        for (; queued > 0; queued--) {
            redisReply *r = NULL;
            rc = take_reply(c, url, "DEL of vtbench's keys", &r, err);
            if (rc != 0)
                break;
            if (r->type == REDIS_REPLY_INTEGER && deleted != NULL)
                *deleted += (uint64_t)r->integer;
            freeReplyObject(r);
        }
    }
    redisFree(c);
    return rc;
}

/* The settings recorded: what shapes a GET's latency and the server's
 * footprint. */
static const char *const recorded_settings[] = {
    "save", "appendonly", "maxmemory", "maxmemory-policy", "io-threads", "hz",
    "tcp-keepalive", "unixsocket", "port", "bind", "databases", "protected-mode", NULL};

int vtb_redis_admin_info(const char *url, struct vtb_backend_note *note, struct vtb_error *err)
{
    redisContext *c = connect_to(url, VTB_REDIS_ADMIN_TIMEOUT_NS, err);
    if (c == NULL)
        return VTB_EBACKEND;
    redisReply *r = NULL;
    int rc = 0;
    if (redisAppendCommand(c, "INFO server") != REDIS_OK)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    if (rc == 0)
        rc = take_reply(c, url, "INFO server", &r, err);
    if (rc == 0 && r->type == REDIS_REPLY_STRING) {
        const char *v = strstr(r->str, "redis_version:");
        if (v != NULL)
            sscanf(v + strlen("redis_version:"), "%31[^\r\n]", note->version);
    }
    if (r != NULL)
        freeReplyObject(r);
    note->setting_count = 0;
    for (const char *const *name = recorded_settings; rc == 0 && *name != NULL; name++) {
        r = NULL;
        if (redisAppendCommand(c, "CONFIG GET %s", *name) != REDIS_OK) {
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
            break;
        }
        rc = take_reply(c, url, "CONFIG GET", &r, err);
        if (rc == 0 && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            note->setting_count < VTB_BACKEND_NOTE_SETTINGS) {
            size_t i = note->setting_count++;
            snprintf(note->settings[i].name, sizeof(note->settings[i].name), "%s", *name);
            snprintf(note->settings[i].value, sizeof(note->settings[i].value), "%s",
                     r->element[1]->str != NULL ? r->element[1]->str : "");
        }
        if (r != NULL)
            freeReplyObject(r);
    }
    redisFree(c);
    return rc;
}

const char *vtb_redis_run_prefix(char *buf, size_t size)
{
    snprintf(buf, size, "vtb:%ld:", (long)getpid());
    return buf;
}
