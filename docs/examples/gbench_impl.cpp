/*
 * vtbench's implementations under Google Benchmark, against the installed
 * library (see docs/google-benchmark.md):
 *
 *   c++ -std=c++17 -O2 gbench_impl.cpp -o gbench_impl \
 *       $(pkg-config --cflags --libs vtb benchmark)
 *   ./gbench_impl
 *
 * Each benchmark measures one implementation's cache hit: its get through
 * the ops table, the completion test and the consumption, over a hot set of
 * keys that all stay cached. The service and the worker are created on the
 * benchmark's thread before the timed loop, every key is fetched once (a
 * miss, awaited on the worker's loop) to fill the cache, and the counters
 * after the loop report what the hits cost besides time: library
 * allocations per operation (0 for value-task, 1 for alloc-task) and the
 * cache's hit ratio.
 */
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include <vtb/alloc_count.h>
#include <vtb/impl.h>

namespace {

constexpr uint64_t kKeys = 1024; // the hot set, a power of two

extern "C" void mark_done(void *state)
{
    *static_cast<bool *>(state) = true;
}

// Consumes r, first running the worker's loop until it completed when it
// was pending (a miss). Returns what vtb_vresult_get returns.
int await_result(vtb_worker *worker, vtb_vresult *r, uint64_t *value)
{
    if (!vtb_vresult_is_completed(r)) {
        bool done = false;
        int rc = vtb_vresult_on_completed(r, mark_done, &done);
        if (rc != 0)
            return rc;
        while (!done)
            vtb_loop_run(vtb_worker_loop(worker), VTB_LOOP_ONCE);
    }
    return vtb_vresult_get(r, value);
}

// A service with room for every key, and a worker on the calling thread.
// Owning both in one object frees them on every path out of the benchmark.
class Session {
public:
    Session()
    {
        vtb_service_config config;
        vtb_service_config_default(&config);
        config.cache.capacity = 4 * kKeys;
        vtb_error err;
        if (vtb_service_new(&config, &svc_, &err) != 0) {
            error_ = err.message;
            return;
        }
        if (vtb_worker_new(svc_, 0, &worker_) != 0)
            error_ = "cannot create the worker";
    }
    ~Session()
    {
        vtb_worker_free(worker_);
        vtb_service_free(svc_);
    }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    const std::string &error() const { return error_; }
    vtb_worker *worker() const { return worker_; }

private:
    vtb_service *svc_ = nullptr;
    vtb_worker *worker_ = nullptr;
    std::string error_;
};

void BM_get_hit(benchmark::State &state, const char *impl_name)
{
    const vtb_impl_ops *ops = vtb_impl_find(impl_name);
    if (ops == nullptr) {
        state.SkipWithError("no such implementation");
        return;
    }
    Session session;
    if (!session.error().empty()) {
        state.SkipWithError(session.error().c_str());
        return;
    }
    vtb_worker *worker = session.worker();

    // Warm-up: every key misses once, and its fetch puts it in the cache.
    for (uint64_t key = 0; key < kKeys; key++) {
        vtb_vresult r = ops->get(nullptr, worker, key);
        uint64_t value = 0;
        if (await_result(worker, &r, &value) != 0 || value != vtb_backend_value(key)) {
            state.SkipWithError("wrong value during warm-up");
            return;
        }
    }

    vtb_worker_counters before, after;
    vtb_alloc_counts allocs_before, allocs_after, allocs;
    vtb_worker_counters_get(worker, &before);
    vtb_alloc_counts_get(&allocs_before);
    uint64_t key = 0;
    int64_t failures = 0;
    for (auto _ : state) {
        vtb_vresult r = ops->get(nullptr, worker, key);
        uint64_t value;
        failures += await_result(worker, &r, &value) != 0;
        benchmark::DoNotOptimize(value);
        key = (key + 1) & (kKeys - 1);
    }
    vtb_alloc_counts_get(&allocs_after);
    vtb_worker_counters_get(worker, &after);
    vtb_alloc_counts_sub(&allocs, &allocs_after, &allocs_before);

    if (failures != 0)
        state.SkipWithError("a get failed");
    uint64_t hits = after.cache.hits - before.cache.hits;
    uint64_t lookups = hits + (after.cache.misses - before.cache.misses);
    state.counters["allocs_per_op"] =
        benchmark::Counter(static_cast<double>(allocs.allocs), benchmark::Counter::kAvgIterations);
    state.counters["hit_ratio"] = lookups == 0 ? 0.0 : static_cast<double>(hits) / lookups;
}

} // namespace

BENCHMARK_CAPTURE(BM_get_hit, value_task, "value-task");
BENCHMARK_CAPTURE(BM_get_hit, alloc_task, "alloc-task");

BENCHMARK_MAIN();
