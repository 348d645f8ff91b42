/*
 * The public API from C++17: every installed header is included here, and
 * the program does what a user of a plugin or of Google Benchmark does,
 * through nothing but those headers. It creates a service and a worker on
 * this thread, finds a built-in implementation (value-task) by name, and
 * runs it through a miss (registering a continuation and running the
 * worker's loop until it fires) and a hit, checking every value, the
 * worker's counters and the library's allocation counts; then the same miss
 * through a completion thread, and a plugin's entry point as the loader
 * will call it. ctest runs it as test_cxx_headers; exit 0 means every check
 * held, and each failed check prints its line.
 */
#include <vtb/alloc_count.h>
#include <vtb/backend.h>
#include <vtb/cache.h>
#include <vtb/config.h>
#include <vtb/error.h>
#include <vtb/impl.h>
#include <vtb/loop.h>
#include <vtb/pool.h>
#include <vtb/result.h>
#include <vtb/service.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

namespace {

int failures = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static_assert(sizeof(vtb_vresult) == 16, "a value result is two registers");
static_assert(std::is_standard_layout<vtb_vresult>::value, "a value result is plain data");
static_assert(std::is_trivially_copyable<vtb_worker_counters>::value, "counters are plain data");
static_assert(VTB_IMPL_OPS_VERSION >= 1, "the ops ABI is versioned");

// A continuation that records that it ran, and where.
struct Waiter {
    int runs = 0;
    vtb_loop *ran_on = nullptr;
};

extern "C" void waiter_fn(void *state)
{
    Waiter *w = static_cast<Waiter *>(state);
    w->runs++;
    w->ran_on = vtb_loop_current();
}

// One get of key through ops; when the result is pending, registers the
// waiter and runs the worker's loop until it fired. Returns the consuming
// call's code, the value in *value, and whether it had to wait in *waited.
int get_and_await(const vtb_impl_ops *ops, vtb_worker *worker, uint64_t key, uint64_t *value,
                  bool *waited)
{
    vtb_vresult r = ops->get(nullptr, worker, key);
    *waited = !vtb_vresult_is_completed(&r);
    if (*waited) {
        vtb_status status;
        CHECK(vtb_vresult_status(&r, &status) == 0 && status == VTB_STATUS_PENDING);
        Waiter w;
        int rc = vtb_vresult_on_completed(&r, waiter_fn, &w);
        if (rc != 0)
            return rc;
        CHECK(vtb_vresult_on_completed(&r, waiter_fn, &w) == VTB_ECONTINUATION);
        CHECK(vtb_vresult_get(&r, value) == VTB_ENOTREADY);
        while (w.runs == 0)
            vtb_loop_run(vtb_worker_loop(worker), VTB_LOOP_ONCE);
        CHECK(w.runs == 1);
        // Posted continuations run on the loop of the registering thread.
        CHECK(w.ran_on == vtb_worker_loop(worker));
        CHECK(vtb_vresult_is_completed(&r));
    }
    int rc = vtb_vresult_get(&r, value);
    CHECK(vtb_vresult_kind(&r) == VTB_VRESULT_CONSUMED);
    uint64_t again;
    CHECK(vtb_vresult_get(&r, &again) == VTB_ESTALE);
    return rc;
}

vtb_service *new_service(vtb_completion_mode completion, uint64_t latency_ns)
{
    vtb_service_config config;
    vtb_service_config_default(&config);
    config.backend.completion = completion;
    config.backend.latency.a_ns = latency_ns;
    vtb_service *svc = nullptr;
    vtb_error err;
    int rc = vtb_service_new(&config, &svc, &err);
    if (rc != 0) {
        std::fprintf(stderr, "vtb_service_new: %s (%s)\n", err.message, vtb_err_name(rc));
        return nullptr;
    }
    return svc;
}

// value-task through a miss and a hit on a service whose fetches complete on
// the worker's own loop: every figure is exact.
void test_value_task_on_loop(const vtb_impl_ops *ops)
{
    vtb_service *svc = new_service(VTB_COMPLETE_ON_LOOP, 0);
    CHECK(svc != nullptr);
    if (svc == nullptr)
        return;
    vtb_worker *worker = nullptr;
    CHECK(vtb_worker_new(svc, 7, &worker) == 0);
    if (worker == nullptr) {
        vtb_service_free(svc);
        return;
    }
    CHECK(vtb_worker_current() == worker);
    CHECK(vtb_worker_service(worker) == svc);
    CHECK(vtb_worker_index(worker) == 7);
    CHECK(vtb_loop_current() == vtb_worker_loop(worker));

    const uint64_t key = 42;
    uint64_t value = 0;
    CHECK(!vtb_worker_lookup(worker, key, &value));

    vtb_alloc_counts before, after, delta;
    vtb_alloc_counts_get(&before);
    bool waited = false;
    CHECK(get_and_await(ops, worker, key, &value, &waited) == 0);
    CHECK(waited);
    CHECK(value == vtb_backend_value(key));
    vtb_alloc_counts_get(&after);
    vtb_alloc_counts_sub(&delta, &after, &before);
    // A miss hands back one heap task, freed when it was consumed.
    CHECK(delta.allocs == 1 && delta.frees == 1);
    CHECK(delta.requested_bytes == delta.freed_bytes);

    vtb_alloc_counts_get(&before);
    value = 0;
    vtb_vresult hit = ops->get(nullptr, worker, key);
    CHECK(vtb_vresult_kind(&hit) == VTB_VRESULT_VALUE);
    vtb_vresult_discard(&hit);
    CHECK(get_and_await(ops, worker, key, &value, &waited) == 0);
    CHECK(!waited);
    CHECK(value == vtb_backend_value(key));
    vtb_alloc_counts_get(&after);
    vtb_alloc_counts_sub(&delta, &after, &before);
    CHECK(delta.allocs == 0 && delta.frees == 0); // a hit allocates nothing

    CHECK(vtb_worker_lookup(worker, key, &value) && value == vtb_backend_value(key));

    vtb_worker_counters c;
    vtb_worker_counters_get(worker, &c);
    CHECK(c.cache.misses == 2); // the lookup before the miss, and the miss
    CHECK(c.cache.hits == 3);   // the two hits, and the lookup after them
    CHECK(c.cache.inserts == 1);
    CHECK(c.fetches_started == 1);
    CHECK(c.fetch_failures == 0);
    CHECK(c.pool.rents == 0);   // value-task never rents a source
    CHECK(c.loop.timers_fired == 1);
    CHECK(c.loop.works_run == 1); // the posted continuation
    vtb_loop_counters lc;
    vtb_loop_counters_get(vtb_worker_loop(worker), &lc);
    CHECK(std::memcmp(&lc, &c.loop, sizeof(lc)) == 0);
    CHECK(!vtb_loop_has_pending(vtb_worker_loop(worker)));

    vtb_worker_free(worker);
    CHECK(vtb_worker_current() == nullptr);
    vtb_service_free(svc);
}

// The same miss when a completion thread completes the fetch: the
// continuation is posted back across threads, and the insert is counted on
// the completion thread, not on this worker.
void test_value_task_on_thread(const vtb_impl_ops *ops)
{
    // Nothing completes on this loop before it runs; the completion thread
    // could, so its fetch takes long enough (200 ms) for the continuation to
    // be registered first.
    vtb_service *svc = new_service(VTB_COMPLETE_ON_THREAD, 200 * UINT64_C(1000000));
    CHECK(svc != nullptr);
    if (svc == nullptr)
        return;
    vtb_worker *worker = nullptr;
    CHECK(vtb_worker_new(svc, 0, &worker) == 0);
    if (worker == nullptr) {
        vtb_service_free(svc);
        return;
    }
    const uint64_t key = 1234567;
    uint64_t value = 0;
    bool waited = false;
    CHECK(get_and_await(ops, worker, key, &value, &waited) == 0);
    CHECK(waited);
    CHECK(value == vtb_backend_value(key));
    CHECK(get_and_await(ops, worker, key, &value, &waited) == 0);
    CHECK(!waited);
    CHECK(value == vtb_backend_value(key));
    vtb_worker_counters c;
    vtb_worker_counters_get(worker, &c);
    CHECK(c.cache.misses == 1 && c.cache.hits == 1 && c.cache.inserts == 0);
    CHECK(c.fetches_started == 1);
    CHECK(c.loop.posts_received >= 1);
    vtb_worker_free(worker);
    vtb_service_free(svc);
}

// A plugin's entry point, as the harness's loader will call it.
vtb_vresult plugin_get(void *state, vtb_worker *worker, uint64_t key)
{
    (void)state;
    uint64_t value;
    if (vtb_worker_lookup(worker, key, &value))
        return vtb_vresult_from_value(value);
    return vtb_service_start_task_miss(worker, key);
}

vtb_impl_ops make_plugin_ops()
{
    vtb_impl_ops ops{};
    ops.version = VTB_IMPL_OPS_VERSION;
    ops.name = "cxx-plugin";
    ops.summary = "value-task, written against the public API in C++";
    ops.get = plugin_get;
    return ops;
}

const vtb_impl_ops plugin_ops = make_plugin_ops();

extern "C" const vtb_impl_ops *const *cxx_plugin_impls(void)
{
    static const vtb_impl_ops *const list[] = {&plugin_ops, nullptr};
    return list;
}

void test_plugin_contract()
{
    vtb_plugin_impls_fn entry = cxx_plugin_impls;
    CHECK(std::strcmp(VTB_PLUGIN_IMPLS_SYMBOL, "vtb_plugin_impls") == 0);
    size_t n = 0;
    for (const vtb_impl_ops *const *p = entry(); *p != nullptr; p++, n++) {
        CHECK((*p)->version == VTB_IMPL_OPS_VERSION);
        CHECK(vtb_impl_validate(*p) == 0);
    }
    CHECK(n == 1);
    vtb_impl_ops bad = make_plugin_ops();
    bad.version = VTB_IMPL_OPS_VERSION + 1;
    CHECK(vtb_impl_validate(&bad) == VTB_EINVAL);
    CHECK(vtb_impl_validate(nullptr) == VTB_EINVAL);
    test_value_task_on_loop(&plugin_ops);
}

// The plain-data parts: names, sizes, errors, the footprint estimate.
void test_plain_data()
{
    CHECK(std::strcmp(vtb_cache_lock_name(VTB_CACHE_LOCK_SEQLOCK), "seqlock") == 0);
    CHECK(std::strcmp(vtb_completion_mode_name(VTB_COMPLETE_ON_THREAD), "thread") == 0);
    CHECK(std::strcmp(vtb_continuation_mode_name(VTB_CONTINUE_POSTED), "posted") == 0);
    CHECK(vtb_cache_shared_writes_per_hit(VTB_CACHE_LOCK_SEQLOCK) == 0);
    vtb_cache_config cache{};
    cache.capacity = 1024;
    cache.lock = VTB_CACHE_LOCK_SEQLOCK;
    size_t bytes = 0;
    CHECK(vtb_cache_footprint(&cache, &bytes) == 0 && bytes > 0);
    vtb_object_sizes sizes;
    vtb_object_sizes_get(&sizes);
    CHECK(sizes.vresult == sizeof(vtb_vresult));
    CHECK(sizes.task > 0 && sizes.task_pending > sizes.task && sizes.source > 0);
    CHECK(std::strcmp(vtb_err_name(VTB_ESTALE), "VTB_ESTALE") == 0);
    vtb_error err;
    CHECK(vtb_error_set(&err, VTB_EINVAL, "bad %s", "thing") == VTB_EINVAL);
    CHECK(std::strcmp(err.message, "bad thing") == 0);
    vtb_vresult failed = vtb_vresult_from_error(VTB_ENOMEM);
    CHECK(vtb_vresult_is_completed(&failed));
    uint64_t value;
    CHECK(vtb_vresult_get(&failed, &value) == VTB_ENOMEM);
    CHECK(std::strcmp(VTB_VERSION_STRING, "") != 0);
    CHECK(VTB_TOKEN_BITS == 16 || VTB_TOKEN_BITS == 32);
    vtb_pool_counters a{}, b{};
    b.rents = 3;
    b.high_water = 5;
    vtb_pool_counters_add(&a, &b);
    CHECK(a.rents == 3 && a.high_water == 5);
    vtb_cache_counters ca{}, cb{};
    cb.hits = 2;
    vtb_cache_counters_add(&ca, &cb);
    CHECK(ca.hits == 2);
    CHECK(vtb_monotonic_ns() > 0);
}

} // namespace

int main()
{
    CHECK(vtb_impl_count() >= 3);
    for (size_t i = 0; i < vtb_impl_count(); i++)
        CHECK(vtb_impl_validate(vtb_impl_at(i)) == 0);
    CHECK(vtb_impl_at(vtb_impl_count()) == nullptr);
    CHECK(vtb_impl_find("no-such-implementation") == nullptr);
    const vtb_impl_ops *value_task = vtb_impl_find("value-task");
    CHECK(value_task != nullptr);
    if (value_task != nullptr) {
        test_value_task_on_loop(value_task);
        test_value_task_on_thread(value_task);
    }
    test_plugin_contract();
    test_plain_data();
    std::printf("public headers from C++: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
