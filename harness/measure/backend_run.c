/*
 * The run's server (see backend_run.h): set up before the first cell,
 * taken down after the last, and the probe behind miss_latency = measured.
 */
#include "backend_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "redis_admin.h"
#include "vtb/impl.h"
#include "vtb/service.h"

/* Which cells need what: a server, and the largest key space among them;
 * the probe. */
static int survey(const struct vtb_scenario *s, uint64_t *key_space, bool *server, bool *probe,
                  struct vtb_error *err)
{
    *server = false;
    *key_space = 0;
    *probe = false;
    size_t n = vtb_scenario_cell_count(s);
    for (size_t i = 0; i < n; i++) {
        struct vtb_cell cell;
        int rc = vtb_scenario_cell(s, i, &cell);
        if (rc != 0)
            return vtb_error_set(err, rc, "%s: cannot expand cell %zu", s->source, i);
        if (cell.backend != VTB_BACKEND_SIM) {
            *server = true;
            if (cell.keys > *key_space)
                *key_space = cell.keys;
        }
        if (cell.miss_latency.kind == VTB_LATENCY_MEASURED)
            *probe = true;
    }
    if (*probe && !*server && s->settings.backend_url == NULL)
        return vtb_error_set(err, VTB_EINVAL,
                             "%s: miss_latency: `measured` needs a server to measure: a cell "
                             "with backend = redis, or backend_url",
                             s->source);
    if (*key_space == 0)
        *key_space = 1;
    return 0;
}

/* The server: the one backend_url names, or one of vtbench's own. */
static int find_server(struct vtb_backend_run *br, const struct vtb_settings *st,
                       volatile sig_atomic_t *stop, struct vtb_error *err)
{
    struct vtb_backend_note *note = &br->note;
    if (st->backend_url != NULL) {
        struct vtb_error why;
        vtb_error_clear(&why);
        snprintf(br->url, sizeof(br->url), "%s", st->backend_url);
        if (vtb_redis_admin_ping(br->url, VTB_REDIS_ADMIN_TIMEOUT_NS, &why) != 0)
            return vtb_error_set(err, VTB_EINVAL, "backend_url: %s does not answer: %s",
                                 br->url, why.message);
    } else {
        struct vtb_redis_server_options options = {.stop = stop};
        int rc = vtb_redis_server_start(&br->server, &options, err);
        if (rc != 0)
            return rc;
        br->own_server = true;
        note->started = true;
        note->pid = (int64_t)br->server.pid;
        snprintf(br->url, sizeof(br->url), "%s", br->server.url);
    }
    snprintf(note->url, sizeof(note->url), "%s", br->url);
    return 0;
}

/* A continuation that raises a flag. */
static void raise_flag(void *state)
{
    *(bool *)state = true;
}

/* The probe's requests, one at a time through the library's miss path:
 * force_async sends every get to the server. Fills samples_ns. */
static int probe_requests(struct vtb_worker *worker, const struct vtb_impl_ops *ops, void *state,
                          uint64_t key_space, volatile sig_atomic_t *stop, double *samples_ns)
{
    for (unsigned i = 0; i < VTB_BACKEND_PROBE_WARMUP + VTB_BACKEND_PROBE_REQUESTS; i++) {
        if (i % 100 == 0 && stop != NULL && *stop)
            return VTB_EINTR;
        uint64_t start = vtb_clock_monotonic_ns(), value = 0;
        struct vtb_vresult r = ops->get(state, worker, i % key_space);
        bool done = vtb_vresult_is_completed(&r);
        int rc = done ? 0 : vtb_vresult_on_completed(&r, raise_flag, &done);
        while (rc == 0 && !done)
            vtb_loop_run(vtb_worker_loop(worker), VTB_LOOP_ONCE);
        rc = rc == 0 ? vtb_vresult_get(&r, &value) : rc;
        if (rc != 0)
            return rc;
        if (i >= VTB_BACKEND_PROBE_WARMUP)
            samples_ns[i - VTB_BACKEND_PROBE_WARMUP] = (double)(vtb_clock_monotonic_ns() - start);
    }
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One probe: p50 and p99 of VTB_BACKEND_PROBE_REQUESTS round trips. */
static int probe(struct vtb_backend_run *br, volatile sig_atomic_t *stop, double *p50_ns,
                 double *p99_ns, struct vtb_error *err)
{
    struct vtb_service_config config;
    vtb_service_config_default(&config);
    config.force_async = true;
    config.backend.kind = VTB_BACKEND_REDIS;
    config.backend.url = br->url;
    config.backend.key_prefix = br->prefix;
    config.backend.key_space = br->key_space;
    config.backend.timeout_ns = br->note.timeout_ns;
    const struct vtb_impl_ops *ops = vtb_impl_find("value-task");
    if (ops == NULL)
        ops = vtb_impl_at(0);
    struct vtb_service *svc = NULL;
    struct vtb_worker *worker = NULL;
    void *state = NULL;
    double *samples = calloc(VTB_BACKEND_PROBE_REQUESTS, sizeof(*samples));
    int rc = samples == NULL ? vtb_error_set(err, VTB_ENOMEM, NULL) : 0;
    if (rc == 0)
        rc = vtb_service_new(&config, &svc, err);
    if (rc == 0 && (rc = vtb_worker_new(svc, 0, &worker)) != 0)
        vtb_service_backend_status(svc, err);
    if (rc == 0 && ops->state_size > 0 && (state = calloc(1, ops->state_size)) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    if (rc == 0 && ops->init != NULL)
        rc = ops->init(state, worker);
    if (rc == 0) {
        rc = probe_requests(worker, ops, state, br->key_space, stop, samples);
        if (rc == VTB_EINTR)
            vtb_error_set(err, rc, "interrupted while probing the server");
        else if (rc != 0 && vtb_service_backend_status(svc, err) == 0)
            vtb_error_set(err, rc, "probing %s: %s", br->url, vtb_strerror(rc));
    }
    if (rc == 0) {
        qsort(samples, VTB_BACKEND_PROBE_REQUESTS, sizeof(*samples), compare_doubles);
        *p50_ns = samples[VTB_BACKEND_PROBE_REQUESTS / 2];
        *p99_ns = samples[VTB_BACKEND_PROBE_REQUESTS * 99 / 100];
    }
    if (state != NULL && ops->fini != NULL)
        ops->fini(state);
    free(state);
    vtb_worker_free(worker);
    vtb_service_free(svc);
    free(samples);
    return rc;
}

/* A probe, counted in the note: the latest one's figures, the range of
 * the medians of all. */
static int probe_noted(struct vtb_backend_run *br, volatile sig_atomic_t *stop, double *p50_ns,
                       struct vtb_error *err)
{
    double p99_ns = NAN;
    int rc = probe(br, stop, p50_ns, &p99_ns, err);
    if (rc != 0)
        return rc;
    struct vtb_backend_note *n = &br->note;
    if (n->probes++ == 0) {
        n->probe_requests = VTB_BACKEND_PROBE_REQUESTS;
        n->probe_p50_min_ns = n->probe_p50_max_ns = *p50_ns;
    }
    n->probe_p50_ns = *p50_ns;
    n->probe_p99_ns = p99_ns;
    if (*p50_ns < n->probe_p50_min_ns)
        n->probe_p50_min_ns = *p50_ns;
    if (*p50_ns > n->probe_p50_max_ns)
        n->probe_p50_max_ns = *p50_ns;
    return 0;
}

int vtb_backend_run_begin(struct vtb_backend_run *br, const struct vtb_scenario *s,
                          volatile sig_atomic_t *stop, struct vtb_error *err)
{
    memset(br, 0, sizeof(*br));
    br->note.probe_p50_ns = br->note.probe_p99_ns = NAN;
    br->note.probe_p50_min_ns = br->note.probe_p50_max_ns = NAN;
    bool any_server = false, want_probe = false;
    int rc = survey(s, &br->key_space, &any_server, &want_probe, err);
    if (rc != 0)
        return rc;
    if (!any_server && !want_probe)
        return 0;
    br->active = true;
    snprintf(br->note.kind, sizeof(br->note.kind), "%s", vtb_backend_kind_name(VTB_BACKEND_REDIS));
    vtb_redis_run_prefix(br->prefix, sizeof(br->prefix));
    snprintf(br->note.key_prefix, sizeof(br->note.key_prefix), "%s", br->prefix);
    br->note.timeout_ns = s->settings.backend_timeout;
    rc = find_server(br, &s->settings, stop, err);
    if (rc == 0) {
        uint64_t start = vtb_clock_monotonic_ns();
        br->loaded = true; /* a partial load is deleted too */
        rc = vtb_redis_admin_load(br->url, br->prefix, br->key_space, stop, err);
        br->note.load_seconds = (double)(vtb_clock_monotonic_ns() - start) / 1e9;
        if (rc == 0)
            br->note.keys_loaded = br->key_space;
    }
    if (rc == 0)
        rc = vtb_redis_admin_info(br->url, &br->note, err);
    if (rc == 0 && want_probe) {
        /* Fails early when the server cannot be probed; each measured cell
         * probes again right before it runs. */
        double p50_ns;
        rc = probe_noted(br, stop, &p50_ns, err);
    }
    return rc;
}

void vtb_backend_run_settings(const struct vtb_backend_run *br, const struct vtb_settings *s,
                              struct vtb_settings *out)
{
    *out = *s;
    if (br->active)
        out->backend_url = (char *)br->url;
}

int vtb_backend_run_resolve(struct vtb_backend_run *br, struct vtb_cell *cell,
                            volatile sig_atomic_t *stop, struct vtb_error *err)
{
    if (cell->miss_latency.kind != VTB_LATENCY_MEASURED || !br->active)
        return 0;
    /* A server cell does not use it: it shows the latest median. */
    double p50_ns = br->note.probe_p50_ns;
    int rc = cell->backend == VTB_BACKEND_SIM ? probe_noted(br, stop, &p50_ns, err) : 0;
    if (rc == 0)
        cell->miss_latency.a_ns = (uint64_t)llround(p50_ns);
    return rc;
}

/* How long the clean-up waits for a server that does not answer: the
 * run's backend_timeout (a server that answered the run's GETs in time
 * answers a DEL in time), and after a stop no more than a user waiting on
 * ^C should notice. */
#define CLEANUP_AFTER_STOP_NS (UINT64_C(100) * 1000000u)

int vtb_backend_run_end(struct vtb_backend_run *br, volatile sig_atomic_t *stop,
                        struct vtb_error *err)
{
    int rc = 0;
    if (br->loaded && !br->own_server) {
        /* Never a flush: exactly the keys this run wrote. */
        uint64_t timeout_ns = br->note.timeout_ns > 0 ? br->note.timeout_ns
                                                      : VTB_REDIS_ADMIN_TIMEOUT_NS;
        if (stop != NULL && *stop && timeout_ns > CLEANUP_AFTER_STOP_NS)
            timeout_ns = CLEANUP_AFTER_STOP_NS;
        struct vtb_error why;
        vtb_error_clear(&why);
        rc = vtb_redis_admin_delete(br->url, br->prefix, br->key_space, timeout_ns,
                                    &br->note.keys_deleted, &why);
        if (rc != 0)
            /* Said in every case, also after a failed or stopped run: keys
             * left behind in someone's server must not go unmentioned. */
            vtb_error_set(err, rc,
                          "backend redis: up to %llu keys under the prefix '%s' may be left in "
                          "%s: deleting them did not complete: %s",
                          (unsigned long long)br->key_space, br->prefix, br->url, why.message);
        br->loaded = false;
    }
    if (br->own_server) {
        struct vtb_error stop_err;
        int stop_rc = stop != NULL && *stop ? vtb_redis_server_kill(&br->server, &stop_err)
                                            : vtb_redis_server_stop(&br->server, &stop_err);
        if (stop_rc != 0 && rc == 0) {
            rc = stop_rc;
            if (err != NULL)
                *err = stop_err;
        }
        br->own_server = false;
    }
    return rc;
}
