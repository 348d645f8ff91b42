/*
 * The run's blocking conversations with a Redis server, outside every
 * measurement: is it there, load the key space, read what it is, delete
 * what vtbench wrote.
 *
 * Keys and values are the library's wire format (vtb/backend.h): index i
 * is the key PREFIX<i> holding the decimal text of vtb_backend_value(i).
 * Loading and deleting are pipelined, in batches, with a timeout on every
 * reply, and they touch only keys under the prefix: vtbench never flushes a
 * server. Nothing here prints: errors come back in struct vtb_error, with
 * the server's URL in the message.
 */
#ifndef VTB_REDIS_ADMIN_H
#define VTB_REDIS_ADMIN_H

#include <signal.h>
#include <stdint.h>

#include "record.h"
#include "vtb/error.h"

/* Every reply is awaited at most this long. */
#define VTB_REDIS_ADMIN_TIMEOUT_NS (UINT64_C(5) * 1000000000u)

/* Connects to url and sends PING, waiting at most timeout_ns for each.
 * Returns 0 on PONG, or VTB_EBACKEND saying why not. */
int vtb_redis_admin_ping(const char *url, uint64_t timeout_ns, struct vtb_error *err);

/*
 * Writes indices 0 .. count - 1 under prefix (pipelined SETs), looking at
 * *stop (may be NULL) between batches. Returns 0, VTB_EINTR, or
 * VTB_EBACKEND (unreachable server, an error reply such as OOM).
 */
int vtb_redis_admin_load(const char *url, const char *prefix, uint64_t count,
                         volatile sig_atomic_t *stop, struct vtb_error *err);

/*
 * Deletes indices 0 .. count - 1 under prefix (pipelined DELs), waiting at
 * most timeout_ns for the connection and for each reply, and sets *deleted
 * (may be NULL) to how many existed. Returns 0 or VTB_EBACKEND.
 */
int vtb_redis_admin_delete(const char *url, const char *prefix, uint64_t count,
                           uint64_t timeout_ns, uint64_t *deleted, struct vtb_error *err);

/*
 * Fills note's version and settings from the server (INFO server and
 * CONFIG GET of the settings that shape a GET's latency and the server's
 * footprint). Returns 0 or VTB_EBACKEND.
 */
int vtb_redis_admin_info(const char *url, struct vtb_backend_note *note, struct vtb_error *err);

/* The run's key prefix: "vtb:PID:", unique among the processes of a host
 * that share a server. Writes it into buf and returns buf. */
const char *vtb_redis_run_prefix(char *buf, size_t size);

#endif /* VTB_REDIS_ADMIN_H */
