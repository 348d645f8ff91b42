/*
 * The plan of a run, before anything runs: its cells, its estimated wall
 * time, the memory its largest cell needs and the files it will write
 * (`vtbench run --dry-run`, and the start of every run). A run predicted
 * to take more than a day, to need more than 75% of the machine's memory,
 * or to write more than 100,000 files is refused before its directory
 * exists, naming the largest factor, unless the user insists.
 *
 * The time is a model, not a measurement: per operation, a hit costs
 * VTB_PLAN_HIT_NS, a miss VTB_PLAN_MISS_NS of CPU (more when it completes on
 * another thread) or its backend latency divided by the operations in
 * flight, whichever is longer (with backend = redis, or miss_latency =
 * measured, the latency is VTB_PLAN_REDIS_MISS_NS, a round trip to the
 * server; the run also pays once for starting the server and loading its
 * keys); threads beyond the CPUs share them; an
 * open-loop run lasts as long as its schedule; every implementation and the
 * floor run the warm-up and every repetition. It is meant to be right
 * within a factor of two, which is what deciding "minutes or years" needs.
 * Memory is exact where it is large (the cache, sized as vtb_cache_new
 * sizes it; the histograms; the key buffers) and bounded elsewhere.
 */
#ifndef VTB_PLAN_H
#define VTB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "vtb/error.h"

/* Per-operation costs of the model, in ns, measured on the 2-vCPU VM this
 * project is developed on (value-task/pooled hits cost 11-15 ns and
 * alloc-task hits 27-37 ns; a miss that completes on the next loop turn
 * about 0.3-0.5 us). */
#define VTB_PLAN_HIT_NS 25.0
#define VTB_PLAN_MISS_NS 400.0
#define VTB_PLAN_THREAD_MISS_NS 4000.0
/* A miss answered by Redis (backend = redis, or the round trip that
 * miss_latency = measured stands for): one GET over the unix socket of
 * vtbench's own server. scripts/bench-redis.sh measured a p50 of 22-61 us
 * on this project's 2-vCPU VM (the blocking hiredis loop and vtbench's
 * miss path alike), and a run under load saw about 90 us; 50 us is the
 * middle of that range. Requests in flight (concurrency) are assumed to
 * overlap as a sim backend's do. */
#define VTB_PLAN_REDIS_MISS_NS 50000.0
/* The run's own redis-server: starting it and waiting for it to answer
 * (about 0.1-0.3 s), and loading the key space, pipelined (200,000 keys
 * took 0.78 s on the same VM: about 4 us a key). Keys of a backend_url
 * server are deleted at the end too, at about the same cost. */
#define VTB_PLAN_REDIS_START_S 0.3
#define VTB_PLAN_REDIS_LOAD_NS_PER_KEY 4000.0
/* Rounds a cell with repetitions = auto typically needs at 2% on this
 * project's VM: default.ini ran in 11 s on a quiet machine (about 10 rounds
 * a cell) and in 30 s with other jobs running (20 to 40). */
#define VTB_PLAN_AUTO_ROUNDS 12
/* A hit's wait for a contended lock, per other thread (plan.c). */
#define VTB_PLAN_GLOBAL_LOCK_NS 45.0
#define VTB_PLAN_SHARDED_LOCK_NS 6.0

/* The limits beyond which a run is refused without --force. */
#define VTB_PLAN_MAX_SECONDS (24.0 * 3600.0)
#define VTB_PLAN_MAX_MEMORY_SHARE 0.75
#define VTB_PLAN_MAX_FILES 100000u

/* What the caller's outputs write: files per record (the .hgrm
 * histograms) and per run (results.csv, context.json, ...). */
struct vtb_plan_outputs {
    unsigned files_per_record;
    unsigned files_per_run;
};

/* The cell that contributes most to the time, and why. */
struct vtb_plan_slowest {
    size_t cell;
    double seconds;         /* this cell's share of the estimate */
    uint64_t ops_per_run;   /* per thread; from duration or rate when given as such */
    unsigned runs;          /* warm-up and measured runs of every implementation */
    double per_op_ns;       /* the model's time per operation */
    bool latency_bound;     /* misses wait out their latency */
    double miss_latency_ns; /* mean */
    bool redis;             /* that latency is a Redis round trip (VTB_PLAN_REDIS_MISS_NS) */
    unsigned concurrency;
    bool open_loop;
};

/* The cell that needs the most memory, and what for. */
struct vtb_plan_biggest {
    size_t cell;
    uint64_t cache_bytes;
    uint64_t cache_entries;
    uint64_t histogram_bytes; /* every thread's and every implementation's */
    uint64_t key_bytes;       /* the pre-drawn keys of every thread */
};

struct vtb_plan {
    size_t cells;
    size_t impls;
    double seconds;          /* estimated wall time of the whole run */
    double seconds_most;     /* at worst (repetitions = auto spending max_time) */
    double server_seconds;   /* of seconds: the Redis server's start and key loading */
    uint64_t memory_bytes;   /* the largest cell's need */
    uint64_t physical_bytes; /* the machine's memory (0: unknown) */
    uint64_t files;          /* files the run directory will hold */
    bool too_long, too_big, too_many_files;
    struct vtb_plan_slowest slowest;
    struct vtb_plan_biggest biggest;
};

/*
 * Plans scenario s with impl_count implementations (plus the floor) and
 * the caller's outputs; instructions: the run is under callgrind, about 50
 * times slower. Returns 0, or VTB_ERANGE/VTB_EINVAL when a cell cannot be
 * sized (a cache beyond the address space), with a message in err.
 */
int vtb_plan_run(const struct vtb_scenario *s, size_t impl_count,
                 const struct vtb_plan_outputs *outputs, bool instructions, struct vtb_plan *out,
                 struct vtb_error *err);

#endif /* VTB_PLAN_H */
