/*
 * Allocator statistics from jemalloc's mallctl namespace, for normal builds
 * that link jemalloc unprefixed (it is then the process's malloc). The thread
 * counters are read through pointers that mallctl hands out once per thread,
 * so the timed path costs two loads; everything else is a name lookup per
 * value, which is fine because it only runs between timed regions. See
 * allocstats.h for what the counters mean.
 */
#include "allocstats.h"

#include "vtb/error.h"

#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
/* The pseudo-arena whose statistics are the sum over all arenas. */
#define ARENAS_ALL "stats.arenas." STRINGIFY(MALLCTL_ARENAS_ALL) "."

/* What an uninitialised or unsupported struct vtb_thread_alloc reads. */
static const uint64_t zero_counter = 0;

static int from_mallctl_errno(int err)
{
    switch (err) {
    case 0:
        return 0;
    case ENOENT:
        return VTB_ENOTFOUND;
    case ENOMEM:
        return VTB_ENOMEM;
    default:
        /* EINVAL (size mismatch), EPERM, EFAULT, EAGAIN: none is the
         * caller's doing, so report them as the allocator failing. */
        return VTB_EIO;
    }
}

/* Reads one control of exactly size bytes into out. */
static int read_ctl(const char *name, void *out, size_t size)
{
    size_t got = size;
    int err = mallctl(name, out, &got, NULL, 0);
    if (err != 0)
        return from_mallctl_errno(err);
    return got == size ? 0 : VTB_EIO;
}

bool vtb_allocstats_available(void)
{
    return true;
}

int vtb_allocstats_thread_init(struct vtb_thread_alloc *t)
{
    uint64_t *allocated = NULL, *deallocated = NULL;
    int rc;

    if (t == NULL)
        return VTB_EINVAL;
    t->allocated_bytes = &zero_counter;
    t->deallocated_bytes = &zero_counter;
    rc = read_ctl("thread.allocatedp", &allocated, sizeof(allocated));
    if (rc == 0)
        rc = read_ctl("thread.deallocatedp", &deallocated, sizeof(deallocated));
    if (rc != 0)
        return rc == VTB_ENOTFOUND ? VTB_EUNSUPPORTED : rc;
    t->allocated_bytes = allocated;
    t->deallocated_bytes = deallocated;
    return 0;
}

int vtb_allocstats_thread_flush(void)
{
    int err = mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
    /* EFAULT means this thread has no tcache (opt.tcache:false or disabled
     * for the thread): there is nothing to flush and nothing unmerged. */
    if (err == EFAULT)
        return 0;
    return from_mallctl_errno(err);
}

int vtb_allocstats_refresh(void)
{
    uint64_t epoch = 1;
    size_t size = sizeof(epoch);
    return from_mallctl_errno(mallctl("epoch", &epoch, &size, &epoch, sizeof(epoch)));
}

static int read_counts(const char *category, struct vtb_arena_counts *out)
{
    char name[64];
    int rc;

    snprintf(name, sizeof(name), ARENAS_ALL "%s.nmalloc", category);
    rc = read_ctl(name, &out->nmalloc, sizeof(out->nmalloc));
    if (rc != 0)
        return rc;
    snprintf(name, sizeof(name), ARENAS_ALL "%s.ndalloc", category);
    rc = read_ctl(name, &out->ndalloc, sizeof(out->ndalloc));
    if (rc != 0)
        return rc;
    snprintf(name, sizeof(name), ARENAS_ALL "%s.nrequests", category);
    return read_ctl(name, &out->nrequests, sizeof(out->nrequests));
}

int vtb_allocstats_global(struct vtb_alloc_global *out)
{
    int rc;

    if (out == NULL)
        return VTB_EINVAL;
    memset(out, 0, sizeof(*out));
    if ((rc = read_ctl("stats.allocated", &out->allocated_bytes, sizeof(size_t))) != 0 ||
        (rc = read_ctl("stats.active", &out->active_bytes, sizeof(size_t))) != 0 ||
        (rc = read_ctl("stats.resident", &out->resident_bytes, sizeof(size_t))) != 0 ||
        (rc = read_ctl("stats.mapped", &out->mapped_bytes, sizeof(size_t))) != 0 ||
        (rc = read_counts("small", &out->small)) != 0 ||
        (rc = read_counts("large", &out->large)) != 0)
        goto out_clear;
    out->total.nmalloc = out->small.nmalloc + out->large.nmalloc;
    out->total.ndalloc = out->small.ndalloc + out->large.ndalloc;
    out->total.nrequests = out->small.nrequests + out->large.nrequests;
    return 0;

out_clear:
    memset(out, 0, sizeof(*out));
    return rc;
}

/* Appends a non-empty conf fragment to buf, comma-separated. */
static void append_conf(char *buf, size_t size, const char *fragment)
{
    size_t len = strlen(buf);
    if (fragment == NULL || fragment[0] == '\0' || len >= size - 1)
        return;
    snprintf(buf + len, size - len, "%s%s", len > 0 ? "," : "", fragment);
}

/* The conf text from every source jemalloc consults, in its order. */
static void collect_malloc_conf(char *buf, size_t size)
{
    const char *compiled = NULL;
    char link[256];
    ssize_t n;

    buf[0] = '\0';
    if (read_ctl("config.malloc_conf", &compiled, sizeof(compiled)) == 0)
        append_conf(buf, size, compiled);
    append_conf(buf, size, malloc_conf);
    n = readlink("/etc/malloc.conf", link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        append_conf(buf, size, link);
    }
    append_conf(buf, size, getenv("MALLOC_CONF"));
}

int vtb_allocstats_config(struct vtb_alloc_config *out)
{
    const char *version = NULL;
    ssize_t decay = 0;
    int rc;

    if (out == NULL)
        return VTB_EINVAL;
    memset(out, 0, sizeof(*out));
    if ((rc = read_ctl("version", &version, sizeof(version))) != 0 ||
        (rc = read_ctl("arenas.narenas", &out->narenas, sizeof(unsigned))) != 0 ||
        (rc = read_ctl("opt.narenas", &out->opt_narenas, sizeof(unsigned))) != 0 ||
        (rc = read_ctl("opt.tcache", &out->opt_tcache, sizeof(bool))) != 0 ||
        (rc = read_ctl("opt.background_thread", &out->opt_background_thread,
                       sizeof(bool))) != 0)
        goto out_clear;
    snprintf(out->version, sizeof(out->version), "%s", version);

    /* 5.3 has opt.tcache_max in bytes; older 5.x only opt.lg_tcache_max. */
    rc = read_ctl("opt.tcache_max", &out->opt_tcache_max_bytes, sizeof(size_t));
    if (rc == VTB_ENOTFOUND) {
        ssize_t lg = 0;
        rc = read_ctl("opt.lg_tcache_max", &lg, sizeof(lg));
        if (rc == 0 && lg >= 0 && lg < (ssize_t)(8 * sizeof(size_t)))
            out->opt_tcache_max_bytes = (size_t)1 << lg;
    }
    if (rc != 0)
        goto out_clear;

    if ((rc = read_ctl("opt.dirty_decay_ms", &decay, sizeof(decay))) != 0)
        goto out_clear;
    out->opt_dirty_decay_ms = decay;
    if ((rc = read_ctl("opt.muzzy_decay_ms", &decay, sizeof(decay))) != 0)
        goto out_clear;
    out->opt_muzzy_decay_ms = decay;

    collect_malloc_conf(out->malloc_conf, sizeof(out->malloc_conf));
    return 0;

out_clear:
    memset(out, 0, sizeof(*out));
    return rc;
}

size_t vtb_allocstats_usable_size(size_t request)
{
    /* nallocx(0) is undefined; malloc(0) allocates the smallest class. */
    return nallocx(request > 0 ? request : 1, 0);
}
