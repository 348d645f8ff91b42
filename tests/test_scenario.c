/*
 * Tests of scenario files and the unit parsers beneath them.
 *
 * Good files check the defaults, sweeps (cell count and cell order) and that
 * line numbers survive comments, blank lines, CRLF and a BOM. Bad files are
 * one table: every entry gives the input, the error code and the exact full
 * message, because the message is the user interface of a config file and
 * "FILE:LINE: KEY: what is wrong" is a promise. Inputs go through
 * vtb_scenario_parse_buffer (which takes NUL bytes), fmemopen streams and a
 * real temporary file, so all three entry points report the same thing.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ini.h>

#include "scenario.h"
#include "types.h"
#include "units.h"
#include "vtb/rng.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const known_impls[] = {"alloc-task", "value-task", "pooled", NULL};
static const struct vtb_scenario_options options = {.known_impls = known_impls, .nproc = 8};

/* The line limit in the messages below is inih's buffer less the NUL. */
_Static_assert(INI_MAX_LINE == 200, "update the expected line-length messages");

static int parse_text(struct vtb_scenario *s, const char *text, struct vtb_error *err)
{
    return vtb_scenario_parse_buffer(s, text, strlen(text), "t.ini", &options, err);
}

static void parse_ok(struct vtb_scenario *s, const char *text)
{
    struct vtb_error err = {0};
    int rc = parse_text(s, text, &err);
    if (rc != 0)
        print_error("unexpected error: %s\n", err.message);
    assert_int_equal(rc, 0);
}

static void test_defaults(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    parse_ok(&s, "[scenario]\nname = defaults\n");

    assert_string_equal(s.settings.name, "defaults");
    assert_string_equal(s.settings.description, "");
    assert_string_equal(s.source, "t.ini");
    assert_int_equal(s.settings.impls.count, 3);
    assert_string_equal(s.settings.impls.names[0], "alloc-task");
    assert_string_equal(s.settings.impls.names[1], "value-task");
    assert_string_equal(s.settings.impls.names[2], "pooled");
    assert_int_equal(s.settings.ops, 1000000);
    assert_int_equal(s.settings.duration, 0);
    assert_int_equal(s.settings.warmup.ops, 100000);
    assert_int_equal(s.settings.warmup.ns, 0);
    assert_false(s.settings.warmup.explicit_value);
    assert_int_equal(s.settings.repetitions, 5);
    assert_int_equal(s.settings.seed, 1);
    assert_int_equal(s.settings.latency_sample, 128);
    assert_false(s.settings.pin_threads);
    assert_int_equal(s.axes[VTB_AXIS_hit_ratio].count, 0);
    assert_int_equal(s.axes[VTB_AXIS_capacity].count, 0);

    assert_int_equal(vtb_scenario_cell_count(&s), 1);
    assert_int_equal(vtb_scenario_cell(&s, 0, &c), 0);
    assert_int_equal(c.index, 0);
    assert_true(isnan(c.hit_ratio));
    assert_int_equal(c.keys, 1024);
    assert_int_equal(c.capacity, 1024);
    assert_int_equal(c.ttl_ms, 0);
    assert_int_equal(c.key_dist.kind, VTB_KEY_DIST_UNIFORM);
    assert_int_equal(c.threads, 1);
    assert_int_equal(c.concurrency, 1);
    assert_int_equal(c.miss_latency.kind, VTB_LATENCY_FIXED);
    assert_int_equal(c.miss_latency.a_ns, 0);
    assert_int_equal(c.completion, VTB_COMPLETE_ON_LOOP);
    assert_int_equal(c.continuation, VTB_CONTINUE_POSTED);
    assert_int_equal(c.cache_lock, VTB_CACHE_LOCK_SEQLOCK);
    assert_int_equal(c.load.kind, VTB_LOAD_CLOSED);
    assert_int_equal(vtb_scenario_cell(&s, 1, &c), VTB_ERANGE);

    char buf[VTB_AXIS_TEXT_MAX];
    assert_string_equal(vtb_cell_format(&c, VTB_AXIS_hit_ratio, buf, sizeof(buf)),
                        "emergent");
    vtb_scenario_fini(&s);
    vtb_scenario_fini(&s); /* harmless twice */
}

static void test_every_key(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    char buf[VTB_AXIS_TEXT_MAX];
    parse_ok(&s, "# all keys, each with one value\n"
                 "[scenario]\n"
                 "name = every-key.v1\n"
                 "description = Every key, once; with a comma\n"
                 "impls = pooled, alloc-task\n"
                 "hit_ratio = 0.8\n"
                 "keys = 10k\n"
                 "capacity = 4096\n"
                 "ttl_ms = 250\n"
                 "key_dist = zipf:0.99\n"
                 "threads = nproc\n"
                 "concurrency = 16\n"
                 "miss_latency = uniform:10us:100us\n"
                 "completion = thread\n"
                 "continuation = inline\n"
                 "cache_lock = sharded\n"
                 "load = open:2.5k\n"
                 "backend = redis\n"
                 "backend_url = redis://127.0.0.1:6379\n"
                 "backend_timeout = 250ms\n"
                 "duration = 1.5s\n"
                 "repetitions = 3\n"
                 "warmup = 100ms\n"
                 "seed = 0xDEADBEEF\n"
                 "latency_sample = 0\n"
                 "pin_threads = yes\n");
    assert_string_equal(s.settings.name, "every-key.v1");
    assert_string_equal(s.settings.description, "Every key, once; with a comma");
    assert_int_equal(s.settings.impls.count, 2);
    assert_string_equal(s.settings.impls.names[0], "pooled");
    assert_string_equal(s.settings.impls.names[1], "alloc-task");
    assert_int_equal(s.settings.ops, 0);
    assert_int_equal(s.settings.duration, UINT64_C(1500000000));
    assert_int_equal(s.settings.warmup.ns, UINT64_C(100000000));
    assert_int_equal(s.settings.warmup.ops, 0);
    assert_true(s.settings.warmup.explicit_value);
    assert_int_equal(s.settings.repetitions, 3);
    assert_int_equal(s.settings.seed, UINT64_C(0xDEADBEEF));
    assert_int_equal(s.settings.latency_sample, 0);
    assert_true(s.settings.pin_threads);
    assert_string_equal(s.settings.backend_url, "redis://127.0.0.1:6379");
    assert_int_equal(s.settings.backend_timeout, UINT64_C(250000000));

    assert_int_equal(vtb_scenario_cell_count(&s), 1);
    assert_int_equal(vtb_scenario_cell(&s, 0, &c), 0);
    assert_false(isnan(c.hit_ratio));
    assert_true(c.hit_ratio == 0.8);
    assert_int_equal(c.keys, 10000);
    assert_int_equal(c.capacity, 4096);
    assert_int_equal(c.ttl_ms, 250);
    assert_int_equal(c.key_dist.kind, VTB_KEY_DIST_ZIPF);
    assert_true(c.key_dist.theta == 0.99);
    assert_int_equal(c.threads, 8); /* options.nproc */
    assert_int_equal(c.concurrency, 16);
    assert_int_equal(c.miss_latency.kind, VTB_LATENCY_UNIFORM);
    assert_int_equal(c.miss_latency.a_ns, 10000);
    assert_int_equal(c.miss_latency.b_ns, 100000);
    assert_int_equal(c.completion, VTB_COMPLETE_ON_THREAD);
    assert_int_equal(c.continuation, VTB_CONTINUE_INLINE);
    assert_int_equal(c.cache_lock, VTB_CACHE_LOCK_SHARDED);
    assert_int_equal(c.load.kind, VTB_LOAD_OPEN);
    assert_true(c.load.rate_per_s == 2500.0);
    assert_int_equal(c.backend, VTB_BACKEND_REDIS);

    static const char *const expected[VTB_AXIS_COUNT] = {
        "0.8", "10000", "4096", "250", "zipf:0.99", "8", "16", "uniform:10us:100us",
        "thread", "inline", "sharded", "open:2500", "redis",
    };
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        assert_string_equal(vtb_cell_format(&c, (enum vtb_axis)a, buf, sizeof(buf)),
                            expected[a]);
    vtb_scenario_fini(&s);
}

static void test_sweep_order(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    /* Written in another order than the axes: the cell order follows enum
     * vtb_axis (hit_ratio slowest, then key_dist, then threads). */
    parse_ok(&s, "[scenario]\n"
                 "name = sweep\n"
                 "threads = 1, 2, 4\n"
                 "key_dist = uniform, zipf:0.99\n"
                 "hit_ratio = 0.5,0.9\n"
                 "impls = pooled, value-task\n");
    assert_int_equal(vtb_scenario_cell_count(&s), 12);
    assert_true(vtb_scenario_axis_swept(&s, VTB_AXIS_threads));
    assert_true(vtb_scenario_axis_swept(&s, VTB_AXIS_hit_ratio));
    assert_false(vtb_scenario_axis_swept(&s, VTB_AXIS_keys));
    static const double hits[] = {0.5, 0.9};
    static const unsigned threads[] = {1, 2, 4};
    for (size_t i = 0; i < 12; i++) {
        assert_int_equal(vtb_scenario_cell(&s, i, &c), 0);
        assert_int_equal(c.index, i);
        assert_false(isnan(c.hit_ratio));
        assert_true(c.hit_ratio == hits[i / 6]);
        assert_int_equal(c.key_dist.kind,
                         (i / 3) % 2 == 0 ? VTB_KEY_DIST_UNIFORM : VTB_KEY_DIST_ZIPF);
        assert_int_equal(c.threads, threads[i % 3]);
        assert_int_equal(c.keys, 1024);
    }
    assert_int_equal(vtb_scenario_cell(&s, 12, &c), VTB_ERANGE);
    assert_string_equal(vtb_axis_key(VTB_AXIS_key_dist)->name, "key_dist");
    assert_null(vtb_axis_key(VTB_AXIS_COUNT));
    vtb_scenario_fini(&s);
}

static void test_capacity_follows_keys(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    parse_ok(&s, "[scenario]\nname = cap\nkeys = 100, 1M\n");
    assert_int_equal(vtb_scenario_cell_count(&s), 2);
    assert_int_equal(vtb_scenario_cell(&s, 0, &c), 0);
    assert_int_equal(c.capacity, 100);
    assert_int_equal(vtb_scenario_cell(&s, 1, &c), 0);
    assert_int_equal(c.keys, 1000000);
    assert_int_equal(c.capacity, 1000000);
    vtb_scenario_fini(&s);
}

static void test_nproc(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    /* nproc resolving to a number also listed is dropped, not an error. */
    parse_ok(&s, "[scenario]\nname = n\nthreads = 1, 8, nproc\n");
    assert_int_equal(vtb_scenario_cell_count(&s), 2);
    vtb_scenario_fini(&s);

    /* Without options, nproc is the number of online CPUs. */
    const char *text = "[scenario]\nname = n\nthreads = nproc\n";
    assert_int_equal(vtb_scenario_parse_buffer(&s, text, strlen(text), "n.ini", NULL, NULL), 0);
    assert_int_equal(vtb_scenario_cell(&s, 0, &c), 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(c.threads, cpus > 1024 ? 1024 : cpus);
    vtb_scenario_fini(&s);

    /* Without a list of known implementations any well-formed name goes. */
    text = "[scenario]\nname = n\nimpls = future-impl\n";
    assert_int_equal(vtb_scenario_parse_buffer(&s, text, strlen(text), "n.ini", NULL, NULL), 0);
    assert_string_equal(s.settings.impls.names[0], "future-impl");
    vtb_scenario_fini(&s);
}

static void test_syntax_variants(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    /* BOM, CRLF, comments of both kinds, inline comments, indentation,
     * `key: value`, a commented section header. */
    parse_ok(&s, "\xEF\xBB\xBF; leading comment\r\n"
                 "\r\n"
                 "[scenario] ; the only section\r\n"
                 "  name = variants ; trailing comment\r\n"
                 "# hash comment\r\n"
                 "\tkeys: 64\r\n"
                 "description =\r\n"
                 "warmup = 0\r\n");
    assert_string_equal(s.settings.name, "variants");
    assert_string_equal(s.settings.description, "");
    assert_int_equal(s.settings.warmup.ops, 0);
    assert_int_equal(s.settings.warmup.ns, 0);
    assert_true(s.settings.warmup.explicit_value);
    assert_int_equal(vtb_scenario_cell(&s, 0, &c), 0);
    assert_int_equal(c.keys, 64);
    vtb_scenario_fini(&s);

    /* Line numbers count CRLF lines and a BOM line like any other. */
    struct vtb_error err = {0};
    assert_int_equal(parse_text(&s, "\xEF\xBB\xBF[scenario]\r\nname = x\r\n\r\nthreads = 0\r\n",
                                &err),
                     VTB_ERANGE);
    assert_string_equal(err.message, "t.ini:4: threads: must be in [1,1024] or nproc, got 0");
}

static void test_stream_and_file(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_error err = {0};
    static const char bad[] = "[scenario]\nname = io\n\n; comment\nhit_ratio = 0.5, 1.5\n";

    FILE *f = fmemopen((void *)bad, strlen(bad), "r");
    assert_non_null(f);
    assert_int_equal(vtb_scenario_parse_file(&s, f, "scenarios/x.ini", &options, &err),
                     VTB_ERANGE);
    fclose(f);
    assert_string_equal(err.message, "scenarios/x.ini:5: hit_ratio: must be in [0,1], got 1.5");

    char path[] = "/tmp/vtb_test_scenario_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    assert_int_equal(vtb_scenario_load(&s, path, &options, &err), VTB_ERANGE);
    char expected[256];
    snprintf(expected, sizeof(expected), "%s:5: hit_ratio: must be in [0,1], got 1.5", path);
    assert_string_equal(err.message, expected);

    static const char good[] = "[scenario]\nname = io\n";
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(good, f);
    fclose(f);
    assert_int_equal(vtb_scenario_load(&s, path, &options, &err), 0);
    assert_string_equal(s.source, path);
    assert_int_equal(err.code, 0);
    vtb_scenario_fini(&s);
    unlink(path);

    assert_int_equal(vtb_scenario_load(&s, "/nonexistent/dir/x.ini", &options, &err),
                     VTB_ENOTFOUND);
    assert_string_equal(err.message,
                        "/nonexistent/dir/x.ini:0: cannot open: No such file or directory");
    assert_null(s.settings.name);
    vtb_scenario_fini(&s);

    /* A directory opens but cannot be read. */
    assert_int_equal(vtb_scenario_load(&s, "/tmp", &options, &err), VTB_EIO);
    assert_string_equal(err.message, "/tmp:0: cannot read: Is a directory");
}

struct bad_case {
    const char *text;
    size_t size; /* 0 = strlen(text) */
    int code;
    const char *message;
};

/* Builds "[scenario]\nname = x\n" + rest, for the cases below. */
#define WITH_NAME(rest) "[scenario]\nname = x\n" rest

static const char line_300[] =
    WITH_NAME("description = "
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");

#define LIST_50 "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30," \
                "31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50"

static const struct bad_case bad_cases[] = {
    /* Whole-file problems. */
    {"", 0, VTB_EINVAL, "t.ini:0: empty file; expected a [scenario] section"},
    {"; only a comment\n\n   \n", 0, VTB_EINVAL,
     "t.ini:0: empty file; expected a [scenario] section"},
    {"\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16, VTB_ESYNTAX,
     "t.ini:1: binary data (byte 0x7f at column 1); a scenario file is text"},
    {"[scenario]\nname = a\0b\n", 22, VTB_ESYNTAX,
     "t.ini:2: binary data (byte 0x00 at column 9); a scenario file is text"},
    {"[scenario]\nname = x\x1b[31m\n", 0, VTB_ESYNTAX,
     "t.ini:2: name: control character (byte 0x1b at column 9); a value is text on one line"},
    {"[scenario]\nnot a key = x\x1b[31m\n", 0, VTB_ESYNTAX,
     "t.ini:2: binary data (byte 0x1b at column 14); a scenario file is text"},
    {line_300, 0, VTB_ESYNTAX, "t.ini:3: line too long (300 bytes, at most 199)"},
    {"[scenario]\n", 0, VTB_EINVAL, "t.ini:1: name: missing; every scenario needs `name = ...`"},
    {"\n; c\n[scenario]\nkeys = 5\n", 0, VTB_EINVAL,
     "t.ini:3: name: missing; every scenario needs `name = ...`"},
    /* Lines and sections. */
    {"name = x\n[scenario]\n", 0, VTB_EINVAL,
     "t.ini:1: name: key outside the [scenario] section"},
    {WITH_NAME("[other]\nkeys = 1\n"), 0, VTB_EINVAL,
     "t.ini:3: [other]: unknown section; a scenario file has one [scenario] section"},
    {WITH_NAME("  [Scenario]\n"), 0, VTB_EINVAL,
     "t.ini:3: [Scenario]: unknown section; a scenario file has one [scenario] section"},
    {WITH_NAME("[scenario]\n"), 0, VTB_EINVAL,
     "t.ini:3: [scenario]: duplicate section (first on line 1)"},
    {"[scenario\nname = x\n", 0, VTB_ESYNTAX, "t.ini:1: section header without `]`"},
    {"[scenario] x\nname = x\n", 0, VTB_ESYNTAX, "t.ini:1: unexpected text after `]`"},
    {WITH_NAME("threads 4\n"), 0, VTB_ESYNTAX,
     "t.ini:3: expected `key = value`, a [section] header or a comment"},
    {WITH_NAME("keys = 5\n    more\n"), 0, VTB_ESYNTAX,
     "t.ini:4: expected `key = value`, a [section] header or a comment"},
    {WITH_NAME("= 5\n"), 0, VTB_ESYNTAX, "t.ini:3: missing key before `=`"},
    /* Keys. */
    {WITH_NAME("hit_ration = 0.5\n"), 0, VTB_EINVAL,
     "t.ini:3: hit_ration: unknown key; did you mean `hit_ratio`?"},
    {WITH_NAME("thread = 4\n"), 0, VTB_EINVAL,
     "t.ini:3: thread: unknown key; did you mean `threads`?"},
    {WITH_NAME("Seed = 4\n"), 0, VTB_EINVAL, "t.ini:3: Seed: unknown key; did you mean `seed`?"},
    {WITH_NAME("frobnicate = 1\n"), 0, VTB_EINVAL, "t.ini:3: frobnicate: unknown key"},
    {WITH_NAME("threads = 4\n; comment\nthreads = 8\n"), 0, VTB_EINVAL,
     "t.ini:5: threads: duplicate key (first set on line 3)"},
    {"[scenario]\nname = x\nname = y\n", 0, VTB_EINVAL,
     "t.ini:3: name: duplicate key (first set on line 2)"},
    {WITH_NAME("ops = 5\nduration = 2s\n"), 0, VTB_EINVAL,
     "t.ini:4: duration: cannot be combined with `ops` (line 3); set one of them"},
    {WITH_NAME("duration = 2s\nops = 5\n"), 0, VTB_EINVAL,
     "t.ini:4: ops: cannot be combined with `duration` (line 3); set one of them"},
    /* Values. */
    {WITH_NAME("threads =\n"), 0, VTB_ESYNTAX, "t.ini:3: threads: empty value"},
    {WITH_NAME("hit_ratio = 1.5\n"), 0, VTB_ERANGE, "t.ini:3: hit_ratio: must be in [0,1], got 1.5"},
    {WITH_NAME("hit_ratio = 0.5, 1.5\n"), 0, VTB_ERANGE,
     "t.ini:3: hit_ratio: must be in [0,1], got 1.5"},
    {WITH_NAME("hit_ratio = -0.1\n"), 0, VTB_ERANGE,
     "t.ini:3: hit_ratio: must be in [0,1], got -0.1"},
    {WITH_NAME("hit_ratio = abc\n"), 0, VTB_ESYNTAX,
     "t.ini:3: hit_ratio: expected a number, got `abc`"},
    {WITH_NAME("hit_ratio = nan\n"), 0, VTB_ESYNTAX,
     "t.ini:3: hit_ratio: expected a number, got `nan`"},
    {WITH_NAME("hit_ratio = 0.5,,0.7\n"), 0, VTB_ESYNTAX,
     "t.ini:3: hit_ratio: empty value at position 2 of the list"},
    {WITH_NAME("hit_ratio = 0.5, 0.50\n"), 0, VTB_EINVAL,
     "t.ini:3: hit_ratio: duplicate value 0.50 in list"},
    {WITH_NAME("keys = 0\n"), 0, VTB_ERANGE, "t.ini:3: keys: must be in [1,4294967296], got 0"},
    {WITH_NAME("keys = -5\n"), 0, VTB_ERANGE, "t.ini:3: keys: must be in [1,4294967296], got -5"},
    {WITH_NAME("keys = 99999999999999999999999\n"), 0, VTB_ERANGE,
     "t.ini:3: keys: must be in [1,4294967296], got 99999999999999999999999"},
    {WITH_NAME("keys = 18446744073709551616\n"), 0, VTB_ERANGE,
     "t.ini:3: keys: must be in [1,4294967296], got 18446744073709551616"},
    {WITH_NAME("keys = 5G\n"), 0, VTB_ERANGE, "t.ini:3: keys: must be in [1,4294967296], got 5G"},
    {WITH_NAME("keys = 1e6\n"), 0, VTB_ESYNTAX,
     "t.ini:3: keys: expected a whole number such as `1000`, `10k` or `1M`, got `1e6`"},
    {WITH_NAME("keys = 1.5\n"), 0, VTB_ESYNTAX,
     "t.ini:3: keys: expected a whole number such as `1000`, `10k` or `1M`, got `1.5`"},
    {WITH_NAME("capacity = 10m\n"), 0, VTB_ESYNTAX,
     "t.ini:3: capacity: expected a whole number such as `1000`, `10k` or `1M`, got `10m`"},
    {WITH_NAME("threads = 0\n"), 0, VTB_ERANGE,
     "t.ini:3: threads: must be in [1,1024] or nproc, got 0"},
    {WITH_NAME("threads = 2000\n"), 0, VTB_ERANGE,
     "t.ini:3: threads: must be in [1,1024] or nproc, got 2000"},
    {WITH_NAME("threads = -1\n"), 0, VTB_ERANGE,
     "t.ini:3: threads: must be in [1,1024] or nproc, got -1"},
    {WITH_NAME("threads = many\n"), 0, VTB_ESYNTAX,
     "t.ini:3: threads: expected a whole number or nproc, got `many`"},
    {WITH_NAME("threads = 4, 4\n"), 0, VTB_EINVAL, "t.ini:3: threads: duplicate value 4 in list"},
    {WITH_NAME("concurrency = 5000\n"), 0, VTB_ERANGE,
     "t.ini:3: concurrency: must be in [1,4096], got 5000"},
    {WITH_NAME("ttl_ms = -1\n"), 0, VTB_ERANGE, "t.ini:3: ttl_ms: must be in [0,86400000], got -1"},
    {WITH_NAME("key_dist = pareto:1.5\n"), 0, VTB_EINVAL,
     "t.ini:3: key_dist: unknown distribution `pareto`; expected uniform, zipf:THETA or "
     "hotspot:HOT_FRACTION:HOT_PROBABILITY"},
    {WITH_NAME("key_dist = zipf\n"), 0, VTB_ESYNTAX,
     "t.ini:3: key_dist: zipf takes one exponent, e.g. `zipf:0.99`, got `zipf`"},
    {WITH_NAME("key_dist = zipf:0\n"), 0, VTB_ERANGE,
     "t.ini:3: key_dist: zipf exponent must be in (0,10], got 0"},
    {WITH_NAME("key_dist = hotspot:1.5:0.9\n"), 0, VTB_ERANGE,
     "t.ini:3: key_dist: hotspot fraction must be in (0,1), got 1.5"},
    {WITH_NAME("miss_latency = 50\n"), 0, VTB_ESYNTAX,
     "t.ini:3: miss_latency: missing unit in `50`; use ns, us, ms, s, min or h"},
    {WITH_NAME("miss_latency = 5 us\n"), 0, VTB_ESYNTAX,
     "t.ini:3: miss_latency: expected a duration such as `50us`, `2ms` or `1.5s`, got `5 us`"},
    {WITH_NAME("miss_latency = uniform:100us:10us\n"), 0, VTB_ERANGE,
     "t.ini:3: miss_latency: uniform bounds are reversed: `100us` > `10us`"},
    {WITH_NAME("miss_latency = uniform:10us\n"), 0, VTB_ESYNTAX,
     "t.ini:3: miss_latency: uniform needs LO:HI, e.g. `uniform:10us:100us`, got `uniform:10us`"},
    {WITH_NAME("miss_latency = exp:0\n"), 0, VTB_ERANGE,
     "t.ini:3: miss_latency: exp mean must be > 0, got `exp:0`"},
    {WITH_NAME("miss_latency = gamma:2us\n"), 0, VTB_ESYNTAX,
     "t.ini:3: miss_latency: unknown latency `gamma:2us`; expected DURATION, "
     "fixed:DURATION, uniform:LO:HI or exp:MEAN"},
    {WITH_NAME("miss_latency = 2min\n"), 0, VTB_ERANGE,
     "t.ini:3: miss_latency: latency must be at most 60s, got `2min`"},
    {WITH_NAME("completion = fast\n"), 0, VTB_EINVAL,
     "t.ini:3: completion: must be loop or thread, got fast"},
    {WITH_NAME("continuation = deferred\n"), 0, VTB_EINVAL,
     "t.ini:3: continuation: must be inline or posted, got deferred"},
    {WITH_NAME("cache_lock = rwlock\n"), 0, VTB_EINVAL,
     "t.ini:3: cache_lock: must be global, sharded or seqlock, got rwlock"},
    {WITH_NAME("load = poisson\n"), 0, VTB_EINVAL,
     "t.ini:3: load: must be closed or open:RATE, got poisson"},
    {WITH_NAME("backend = memcached\n"), 0, VTB_EINVAL,
     "t.ini:3: backend: must be sim or redis, got memcached"},
    {WITH_NAME("backend_url = http://127.0.0.1:80\n"), 0, VTB_ESYNTAX,
     "t.ini:3: backend_url: expected redis://HOST:PORT or unix:PATH, got `http://127.0.0.1:80`"},
    {WITH_NAME("backend_url = redis://127.0.0.1:99999\n"), 0, VTB_ERANGE,
     "t.ini:3: backend_url: the port of `redis://127.0.0.1:99999` must be in [1,65535]"},
    {WITH_NAME("backend_url = unix:redis.sock\n"), 0, VTB_ESYNTAX,
     "t.ini:3: backend_url: the socket path of `unix:redis.sock` must be absolute"},
    {WITH_NAME("backend_timeout = 2h\n"), 0, VTB_ERANGE,
     "t.ini:3: backend_timeout: must be in (0,1h], got 2h"},
    {WITH_NAME("load = open:0\n"), 0, VTB_ERANGE,
     "t.ini:3: load: open rate must be in (0,1e9] ops/s, got 0"},
    {WITH_NAME("load = open:fast\n"), 0, VTB_ESYNTAX,
     "t.ini:3: load: open rate: expected a number such as `1000` or `10k`, got `fast`"},
    {WITH_NAME("ops = 0\n"), 0, VTB_ERANGE, "t.ini:3: ops: must be in [1,1099511627776], got 0"},
    {WITH_NAME("ops = 2T\n"), 0, VTB_ERANGE, "t.ini:3: ops: must be in [1,1099511627776], got 2T"},
    {WITH_NAME("duration = 2\n"), 0, VTB_ESYNTAX,
     "t.ini:3: duration: missing unit in `2`; use ns, us, ms, s, min or h"},
    {WITH_NAME("duration = 0\n"), 0, VTB_ERANGE, "t.ini:3: duration: must be in (0,24h], got 0"},
    {WITH_NAME("duration = 25h\n"), 0, VTB_ERANGE,
     "t.ini:3: duration: must be in (0,24h], got 25h"},
    {WITH_NAME("duration = 0.5ns\n"), 0, VTB_ESYNTAX,
     "t.ini:3: duration: `0.5ns` is not a whole number of nanoseconds"},
    {WITH_NAME("repetitions = 0\n"), 0, VTB_ERANGE,
     "t.ini:3: repetitions: must be in [1,1000] or auto, got 0"},
    {WITH_NAME("repetitions = 1, 2\n"), 0, VTB_ESYNTAX,
     "t.ini:3: repetitions: takes one value, not a list"},
    {WITH_NAME("warmup = 10 parsecs\n"), 0, VTB_ESYNTAX,
     "t.ini:3: warmup: expected a count such as `100000` or a duration such as `1s`, got "
     "`10 parsecs`"},
    {WITH_NAME("warmup = 48h\n"), 0, VTB_ERANGE,
     "t.ini:3: warmup: a duration must be at most 24h, got 48h"},
    {WITH_NAME("seed = -1\n"), 0, VTB_ERANGE,
     "t.ini:3: seed: must be in [0,18446744073709551615], got -1"},
    {WITH_NAME("seed = 18446744073709551616\n"), 0, VTB_ERANGE,
     "t.ini:3: seed: must be in [0,18446744073709551615], got 18446744073709551616"},
    {WITH_NAME("seed = 0xZZ\n"), 0, VTB_ESYNTAX,
     "t.ini:3: seed: expected a whole number (decimal or 0x hex), got `0xZZ`"},
    {WITH_NAME("latency_sample = 2000000\n"), 0, VTB_ERANGE,
     "t.ini:3: latency_sample: must be in [0,1000000], got 2000000"},
    {WITH_NAME("pin_threads = maybe\n"), 0, VTB_ESYNTAX,
     "t.ini:3: pin_threads: expected true or false, got `maybe`"},
    {"[scenario]\nname = my scenario\n", 0, VTB_EINVAL,
     "t.ini:2: name: must be 1 to 64 characters of A-Z a-z 0-9 . _ -, got my scenario"},
    {"[scenario]\nname = a,b\n", 0, VTB_ESYNTAX, "t.ini:2: name: takes one value, not a list"},
    {WITH_NAME("impls = alloc-task, pooled2\n"), 0, VTB_EINVAL,
     "t.ini:3: impls: unknown implementation `pooled2`; did you mean `pooled`?"},
    {WITH_NAME("impls = futures\n"), 0, VTB_EINVAL,
     "t.ini:3: impls: unknown implementation `futures`; known: alloc-task, value-task, pooled"},
    {WITH_NAME("impls = value-task, value-task\n"), 0, VTB_EINVAL,
     "t.ini:3: impls: duplicate value value-task in list"},
    {WITH_NAME("impls = pooled/2\n"), 0, VTB_EINVAL,
     "t.ini:3: impls: must be names of 1 to 64 characters of A-Z a-z 0-9 . _ -, got pooled/2"},
    /* Sweeps too large: 50 x 50 x 50 cells. A list of more than 256 values
     * does not fit a line; the override tests cover it. */
    {WITH_NAME("keys = " LIST_50 "\nconcurrency = " LIST_50 "\nttl_ms = " LIST_50 "\n"), 0,
     VTB_ERANGE, "t.ini:5: ttl_ms: sweep makes 125000 cells, at most 100000"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        const struct bad_case *bc = &bad_cases[i];
        struct vtb_scenario s;
        struct vtb_error err = {0};
        size_t size = bc->size != 0 ? bc->size : strlen(bc->text);
        int rc = vtb_scenario_parse_buffer(&s, bc->text, size, "t.ini", &options, &err);
        if (rc != bc->code || strcmp(err.message, bc->message) != 0) {
            print_error("case %zu:\n  want %s \"%s\"\n  got  %s \"%s\"\n", i,
                        vtb_err_name(bc->code), bc->message, vtb_err_name(rc), err.message);
            failures++;
        }
        assert_int_equal(err.code, rc);
        /* A failed parse leaves nothing to free. */
        assert_null(s.settings.name);
        assert_null(s.settings.impls.names);
        vtb_scenario_fini(&s);

        /* The same bytes through a stream report the same. */
        if (size > 0) {
            FILE *f = fmemopen((void *)bc->text, size, "r");
            assert_non_null(f);
            struct vtb_error err2 = {0};
            assert_int_equal(vtb_scenario_parse_file(&s, f, "t.ini", &options, &err2), rc);
            assert_string_equal(err2.message, err.message);
            fclose(f);
        }
    }
    print_message("%zu bad inputs\n", ARRAY_SIZE(bad_cases));
    assert_int_equal(failures, 0);
}

/* Random bytes, and random mutations of a good file, must give an error or
 * a scenario, never a crash or a leak (run it under ASan). */
static void test_garbage_does_not_crash(void **state)
{
    (void)state;
    static const char good[] = "[scenario]\nname = g\nhit_ratio = 0.5, 0.9\nthreads = 1, 2\n"
                               "key_dist = zipf:0.99\nmiss_latency = exp:20us\n";
    struct vtb_rng rng;
    char buf[512];
    vtb_rng_seed(&rng, 42, 0);
    for (int i = 0; i < 4000; i++) {
        size_t size;
        if (i % 2 == 0) {
            size = (size_t)vtb_rng_below(&rng, sizeof(buf));
            for (size_t j = 0; j < size; j++)
                buf[j] = (char)vtb_rng_next(&rng);
        } else {
            size = sizeof(good) - 1;
            memcpy(buf, good, size);
            for (int m = 0; m < 3; m++)
                buf[vtb_rng_below(&rng, size)] = (char)(32 + vtb_rng_below(&rng, 95));
        }
        struct vtb_scenario s;
        struct vtb_error err = {0};
        int rc = vtb_scenario_parse_buffer(&s, buf, size, "g.ini", &options, &err);
        if (rc == 0) {
            assert_non_null(s.settings.name);
            assert_true(vtb_scenario_cell_count(&s) >= 1);
        } else {
            assert_int_equal(err.code, rc);
            assert_int_equal(strncmp(err.message, "g.ini:", 6), 0);
        }
        vtb_scenario_fini(&s);
    }
}

static void test_overrides(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_error err = {0};
    struct vtb_cell c;
    parse_ok(&s, "[scenario]\nname = o\nops = 5000\nhit_ratio = 0.5\n");
    assert_int_equal(s.settings.warmup.ops, 500);

    assert_int_equal(vtb_scenario_override(&s, " hit_ratio = 0.7, 0.8 ", &err), 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(vtb_scenario_cell_count(&s), 2);
    assert_int_equal(vtb_scenario_cell(&s, 1, &c), 0);
    assert_true(c.hit_ratio == 0.8);

    /* duration replaces ops (and the derived warm-up follows), and back. */
    assert_int_equal(vtb_scenario_override(&s, "duration=2s", &err), 0);
    assert_int_equal(s.settings.ops, 0);
    assert_int_equal(s.settings.duration, UINT64_C(2000000000));
    assert_int_equal(s.settings.warmup.ops, 0);
    assert_int_equal(s.settings.warmup.ns, UINT64_C(200000000));
    assert_int_equal(vtb_scenario_override(&s, "ops=1M", &err), 0);
    assert_int_equal(s.settings.ops, 1000000);
    assert_int_equal(s.settings.duration, 0);
    assert_int_equal(s.settings.warmup.ops, 100000);
    assert_int_equal(vtb_scenario_override(&s, "warmup=5k", &err), 0);
    assert_int_equal(vtb_scenario_override(&s, "ops=100", &err), 0);
    assert_int_equal(s.settings.warmup.ops, 5000); /* explicit: no longer derived */
    assert_int_equal(vtb_scenario_override(&s, "name=renamed", &err), 0);
    assert_string_equal(s.settings.name, "renamed");
    assert_int_equal(vtb_scenario_override(&s, "description=", &err), 0);
    assert_string_equal(s.settings.description, "");
    assert_int_equal(vtb_scenario_override(&s, "threads=1,2", &err), 0);
    assert_int_equal(vtb_scenario_override(&s, "threads=4", &err), 0);
    assert_int_equal(vtb_scenario_cell_count(&s), 2);

    static const struct {
        const char *assignment;
        int code;
        const char *message;
    } bad[] = {
        {"hit_ratio=1.5", VTB_ERANGE, "--set: hit_ratio: must be in [0,1], got 1.5"},
        {"hit_ratio", VTB_ESYNTAX, "--set: expected KEY=VALUE, got `hit_ratio`"},
        {"=5", VTB_ESYNTAX, "--set: expected KEY=VALUE, got `=5`"},
        {"hit_ration=0.5", VTB_EINVAL, "--set: hit_ration: unknown key; did you mean `hit_ratio`?"},
        {"threads=", VTB_ESYNTAX, "--set: threads: empty value"},
        {"impls=pooled,nope", VTB_EINVAL,
         "--set: impls: unknown implementation `nope`; known: alloc-task, value-task, pooled"},
        {"key_dist=zipf:-1", VTB_ERANGE, "--set: key_dist: zipf exponent must be in (0,10], got -1"},
        {"seed=1,2", VTB_ESYNTAX, "--set: seed: takes one value, not a list"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(vtb_scenario_override(&s, bad[i].assignment, &err), bad[i].code);
        assert_string_equal(err.message, bad[i].message);
    }

    /* Lists longer than a file line allows, and too many cells. */
    char list[4096];
    size_t used = 0;
    used += (size_t)snprintf(list + used, sizeof(list) - used, "keys=");
    for (int i = 1; i <= 300; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%d", i > 1 ? "," : "", i);
    assert_int_equal(vtb_scenario_override(&s, list, &err), VTB_ERANGE);
    assert_string_equal(err.message, "--set: keys: list has 300 values, at most 256");

    used = (size_t)snprintf(list, sizeof(list), "keys=");
    for (int i = 1; i <= 256; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%d", i > 1 ? "," : "", i);
    assert_int_equal(vtb_scenario_override(&s, list, &err), 0); /* 2 x 256 cells */
    assert_int_equal(vtb_scenario_override(&s, "concurrency=1,2,3,4,5,6,7,8,9,10,11,12,13,14,"
                                               "15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,"
                                               "30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,"
                                               "45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,"
                                               "60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,"
                                               "75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,"
                                               "90,91,92,93,94,95,96,97,98,99,100,101,102,103,"
                                               "104,105,106,107,108,109,110,111,112,113,114,115,"
                                               "116,117,118,119,120,121,122,123,124,125,126,127,"
                                               "128,129,130,131,132,133,134,135,136,137,138,139,"
                                               "140,141,142,143,144,145,146,147,148,149,150,151,"
                                               "152,153,154,155,156,157,158,159,160,161,162,163,"
                                               "164,165,166,167,168,169,170,171,172,173,174,175,"
                                               "176,177,178,179,180,181,182,183,184,185,186,187,"
                                               "188,189,190,191,192,193,194,195,196,197,198,199,"
                                               "200",
                                           &err),
                     VTB_ERANGE);
    assert_string_equal(err.message, "--set: concurrency: sweep makes 102400 cells, at most 100000");

    /* A failed override changes nothing. */
    assert_int_equal(vtb_scenario_cell_count(&s), 2 * 256);
    assert_int_equal(s.settings.seed, 1);
    assert_string_equal(s.settings.name, "renamed");
    assert_int_equal(s.settings.impls.count, 3);
    vtb_scenario_fini(&s);

    /* A scenario built from defaults and overrides alone. */
    assert_int_equal(vtb_scenario_init(&s, &options), 0);
    assert_null(s.settings.name);
    assert_int_equal(vtb_scenario_override(&s, "name=cli", &err), 0);
    assert_int_equal(vtb_scenario_cell_count(&s), 1);
    vtb_scenario_fini(&s);
}

/* The key table: every key documented, the axes in cell order, every
 * default parses, and every stated range is the one enforced. */
static void test_key_table(void **state)
{
    (void)state;
    size_t axes = 0;
    for (size_t i = 0; i < VTB_KEY_COUNT; i++) {
        const struct vtb_key *k = &vtb_scenario_keys[i];
        char range[256];
        assert_non_null(k->name);
        assert_ptr_equal(vtb_key_find(k->name), k);
        assert_true(k->help[0] != '\0');
        assert_true(k->type->range(k, range, sizeof(range))[0] != '\0');
        assert_true(k->default_text != NULL || k->doc_default != NULL);
        if (k->axis) {
            assert_ptr_equal(vtb_axis_key((enum vtb_axis)axes), k);
            assert_int_equal(vtb_key_axis(k), (int)axes);
            assert_non_null(k->column);
            axes++;
        } else {
            assert_int_equal(vtb_key_axis(k), -1);
            assert_null(k->column);
        }
    }
    assert_int_equal(axes, VTB_AXIS_COUNT);
    assert_null(vtb_key_find("nope"));
    /* The message of a range error is the range the docs state. */
    const struct vtb_key *conc = vtb_key_find("concurrency");
    char range[64];
    assert_string_equal(conc->type->range(conc, range, sizeof(range)), "in [1,4096]");
}

/* The resolved INI of a scenario parses back to the same scenario, for
 * every kind of key. */
static void test_write_ini(void **state)
{
    (void)state;
    struct vtb_scenario s, back;
    parse_ok(&s, "[scenario]\nname = round-trip\ndescription = a, b\nimpls = pooled, value-task\n"
                 "hit_ratio = 0.5, 1\nkeys = 10k\nttl_ms = 250\nkey_dist = zipf:0.99\n"
                 "threads = 1, nproc\nconcurrency = 16\nmiss_latency = exp:20us\n"
                 "completion = thread\ncontinuation = inline\ncache_lock = global, sharded\n"
                 "load = open:2.5k:poisson\nduration = 1.5s\nrepetitions = 3\nseed = 0xBEEF\n"
                 "latency_sample = 0\npin_threads = yes\nbackend = sim, redis\n"
                 "backend_url = unix:/tmp/r.sock\nbackend_timeout = 2s\n");
    assert_int_equal(vtb_scenario_override(&s, "miss_latency=exp:20us, measured", NULL), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_int_equal(vtb_scenario_write_ini(&s, "header line 1\nline 2", out), 0);
    fclose(out);
    struct vtb_error err = {0};
    int rc = vtb_scenario_parse_buffer(&back, text, size, "back.ini", &options, &err);
    if (rc != 0)
        print_error("%s\n%s\n", err.message, text);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, "; header line 1\n; line 2\n[scenario]\n"));
    assert_non_null(strstr(text, "\n; capacity: absent"));
    assert_non_null(strstr(text, "\nwarmup = 150ms\n")); /* derived, written explicitly */
    assert_int_equal(vtb_scenario_cell_count(&back), vtb_scenario_cell_count(&s));
    for (size_t i = 0; i < vtb_scenario_cell_count(&s); i++) {
        struct vtb_cell a, b;
        vtb_scenario_cell(&s, i, &a);
        vtb_scenario_cell(&back, i, &b);
        for (int ax = 0; ax < VTB_AXIS_COUNT; ax++) {
            char ta[VTB_AXIS_TEXT_MAX], tb[VTB_AXIS_TEXT_MAX];
            assert_string_equal(vtb_cell_format(&a, (enum vtb_axis)ax, ta, sizeof(ta)),
                                vtb_cell_format(&b, (enum vtb_axis)ax, tb, sizeof(tb)));
        }
    }
    assert_string_equal(back.settings.description, "a, b");
    assert_int_equal(back.settings.duration, s.settings.duration);
    assert_int_equal(back.settings.warmup.ns, s.settings.warmup.ns);
    assert_int_equal(back.settings.seed, 0xBEEF);
    assert_true(back.settings.pin_threads);
    assert_string_equal(back.settings.backend_url, "unix:/tmp/r.sock");
    assert_int_equal(back.settings.backend_timeout, UINT64_C(2000000000));
    assert_non_null(strstr(text, "\nmiss_latency = exp:20us, measured\n"));
    assert_non_null(strstr(text, "\nbackend = sim, redis\n"));
    free(text);
    vtb_scenario_fini(&back);
    vtb_scenario_fini(&s);
}

/* `emergent` sets an absent hit ratio explicitly, from a file or --set. */
static void test_emergent(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_cell c;
    struct vtb_error err = {0};
    parse_ok(&s, "[scenario]\nname = e\nhit_ratio = 0.5\n");
    assert_int_equal(vtb_scenario_override(&s, "hit_ratio=emergent", &err), 0);
    vtb_scenario_cell(&s, 0, &c);
    assert_true(isnan(c.hit_ratio));
    assert_true(vtb_cell_absent(&c, VTB_AXIS_hit_ratio));
    assert_true(isnan(vtb_cell_number(&c, VTB_AXIS_hit_ratio)));
    assert_true(vtb_cell_number(&c, VTB_AXIS_keys) == 1024);
    vtb_scenario_fini(&s);
}

/* Files are read within a bound: a file that is too large, or a line that
 * never ends, is refused at it; a CRLF line of exactly the limit is not
 * too long. */
static void test_bounded_input(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_error err = {0};
    char path[] = "/tmp/vtb_test_big_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static char chunk[65536];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 17; i++)
        assert_int_equal(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
    close(fd);
    assert_int_equal(vtb_scenario_load(&s, path, &options, &err), VTB_ERANGE);
    char expected[256];
    snprintf(expected, sizeof(expected),
             "%s:0: larger than 1048576 bytes; a scenario file is a few hundred bytes of text", path);
    assert_string_equal(err.message, expected);
    unlink(path);

    /* 199 bytes of line before a CRLF: exactly inih's limit. */
    char text[512];
    int n = snprintf(text, sizeof(text), "[scenario]\r\nname = crlf\r\ndescription = ");
    while (n < (int)strlen("[scenario]\r\nname = crlf\r\n") + 199)
        text[n++] = 'd';
    memcpy(text + n, "\r\n", 3);
    parse_ok(&s, text);
    vtb_scenario_fini(&s);
    /* One byte more is too long, and says so with the right length. */
    memmove(text + n + 1, text + n, 3);
    text[n] = 'd';
    assert_int_equal(parse_text(&s, text, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.ini:3: line too long (200 bytes, at most 199)");
}

static void test_units_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t ns;
        const char *canonical;
    } good[] = {
        {"0", 0, "0"},         {"0.0", 0, "0"},
        {"0s", 0, "0"},        {"1ns", 1, "1ns"},
        {"50us", 50000, "50us"}, {"2ms", 2000000, "2ms"},
        {"1.5s", 1500000000, "1500ms"}, {"1.1s", 1100000000, "1100ms"},
        {".5ms", 500000, "500us"}, {"2min", UINT64_C(120000000000), "120s"},
        {"1h", UINT64_C(3600000000000), "3600s"},
        {"18446744073709551615ns", UINT64_MAX, "18446744073709551615ns"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        uint64_t ns = 1;
        char buf[VTB_UNITS_DURATION_TEXT_MAX];
        assert_int_equal(vtb_units_parse_duration_ns(good[i].text, &ns, NULL), 0);
        assert_int_equal(ns, good[i].ns);
        assert_string_equal(vtb_units_format_duration(ns, buf, sizeof(buf)), good[i].canonical);
        assert_int_equal(vtb_units_parse_duration_ns(buf, &ns, NULL), 0);
        assert_int_equal(ns, good[i].ns);
    }
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"", VTB_ESYNTAX},       {"s", VTB_ESYNTAX},     {"5", VTB_ESYNTAX},
        {"5 s", VTB_ESYNTAX},    {" 5s", VTB_ESYNTAX},   {"5S", VTB_ESYNTAX},
        {"5sec", VTB_ESYNTAX},   {"1.5.2s", VTB_ESYNTAX}, {"0.1ns", VTB_ESYNTAX},
        {"-5ms", VTB_ERANGE},    {"18446744073709551616ns", VTB_ERANGE},
        {"300000000000h", VTB_ERANGE},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t ns = 7;
        assert_int_equal(vtb_units_parse_duration_ns(bad[i].text, &ns, NULL), bad[i].code);
        assert_int_equal(ns, 7);
    }
    assert_true(vtb_units_has_duration_unit("10ms"));
    assert_true(vtb_units_has_duration_unit("1h"));
    assert_false(vtb_units_has_duration_unit("10k"));
    assert_false(vtb_units_has_duration_unit("10"));
    assert_false(vtb_units_has_duration_unit(""));
}

static void test_units_counts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t value;
    } good[] = {
        {"0", 0}, {"1000000", 1000000}, {"1M", 1000000}, {"10k", 10000}, {"10K", 10000},
        {"1.5k", 1500}, {"2G", UINT64_C(2000000000)}, {"1T", UINT64_C(1000000000000)},
        {"18446744073709551615", UINT64_MAX}, {"18.446744073G", UINT64_C(18446744073)},
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        uint64_t v = 1;
        int rc = vtb_units_parse_count(good[i].text, &v, NULL);
        assert_int_equal(rc, 0);
        assert_int_equal(v, good[i].value);
    }
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"", VTB_ESYNTAX}, {"k", VTB_ESYNTAX}, {"1.5", VTB_ESYNTAX}, {"10m", VTB_ESYNTAX},
        {"1e6", VTB_ESYNTAX}, {"+5", VTB_ESYNTAX}, {"5 ", VTB_ESYNTAX}, {"0x10", VTB_ESYNTAX},
        {"1.0001k", VTB_ESYNTAX}, /* 1000.1 is not a whole number */
        {"-1", VTB_ERANGE}, {"18446744073709551616", VTB_ERANGE}, {"20000000T", VTB_ERANGE},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t v = 7;
        struct vtb_error err = {0};
        assert_int_equal(vtb_units_parse_count(bad[i].text, &v, &err), bad[i].code);
        assert_int_equal(err.code, bad[i].code);
        assert_int_equal(v, 7);
    }

    uint64_t v = 0;
    assert_int_equal(vtb_units_parse_u64("0xffffffffffffffff", &v, NULL), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(vtb_units_parse_u64("42", &v, NULL), 0);
    assert_int_equal(v, 42);
    assert_int_equal(vtb_units_parse_u64("0x", &v, NULL), VTB_ESYNTAX);
    assert_int_equal(vtb_units_parse_u64("0x1ffffffffffffffff", &v, NULL), VTB_ERANGE);
    assert_int_equal(vtb_units_parse_u64("1k", &v, NULL), VTB_ESYNTAX);
}

static void test_units_numbers(void **state)
{
    (void)state;
    double x = 0;
    char buf[VTB_UNITS_DOUBLE_TEXT_MAX];
    assert_int_equal(vtb_units_parse_double("0.99", &x, NULL), 0);
    assert_string_equal(vtb_units_format_double(x, buf, sizeof(buf)), "0.99");
    assert_int_equal(vtb_units_parse_double("1e-5", &x, NULL), 0);
    assert_string_equal(vtb_units_format_double(x, buf, sizeof(buf)), "1e-05");
    assert_int_equal(vtb_units_parse_double("-.5", &x, NULL), 0);
    assert_true(x == -0.5);
    assert_int_equal(vtb_units_parse_double("1e-400", &x, NULL), 0); /* underflow is fine */
    assert_int_equal(vtb_units_parse_double("1e400", &x, NULL), VTB_ERANGE);
    assert_int_equal(vtb_units_parse_double("inf", &x, NULL), VTB_ESYNTAX);
    assert_int_equal(vtb_units_parse_double("0x1p3", &x, NULL), VTB_ESYNTAX);
    assert_int_equal(vtb_units_parse_double(" 1", &x, NULL), VTB_ESYNTAX);
    assert_int_equal(vtb_units_parse_double("1 ", &x, NULL), VTB_ESYNTAX);
    assert_int_equal(vtb_units_parse_double("", &x, NULL), VTB_ESYNTAX);

    bool b = false;
    assert_int_equal(vtb_units_parse_bool("on", &b, NULL), 0);
    assert_true(b);
    assert_int_equal(vtb_units_parse_bool("0", &b, NULL), 0);
    assert_false(b);
    assert_int_equal(vtb_units_parse_bool("TRUE", &b, NULL), VTB_ESYNTAX);
}

static void test_units_latency(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum vtb_latency_kind kind;
        uint64_t a_ns, b_ns;
        const char *canonical;
    } good[] = {
        {"0", VTB_LATENCY_FIXED, 0, 0, "0"},
        {"50us", VTB_LATENCY_FIXED, 50000, 0, "50us"},
        {"fixed:2ms", VTB_LATENCY_FIXED, 2000000, 0, "2ms"},
        {"exp:20us", VTB_LATENCY_EXP, 20000, 0, "exp:20us"},
        {"uniform:10us:100us", VTB_LATENCY_UNIFORM, 10000, 100000, "uniform:10us:100us"},
        {"uniform:5us:5us", VTB_LATENCY_UNIFORM, 5000, 5000, "uniform:5us:5us"},
        {"60s", VTB_LATENCY_FIXED, UINT64_C(60000000000), 0, "60s"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        struct vtb_latency l, again;
        char buf[VTB_UNITS_LATENCY_TEXT_MAX];
        assert_int_equal(vtb_units_parse_latency(good[i].text, &l, NULL), 0);
        assert_int_equal(l.kind, good[i].kind);
        assert_int_equal(l.a_ns, good[i].a_ns);
        assert_int_equal(l.b_ns, good[i].b_ns);
        assert_string_equal(vtb_units_format_latency(&l, buf, sizeof(buf)), good[i].canonical);
        assert_int_equal(vtb_units_parse_latency(buf, &again, NULL), 0);
        assert_int_equal(again.kind, l.kind);
        assert_int_equal(again.a_ns, l.a_ns);
        assert_int_equal(again.b_ns, l.b_ns);
    }
    static const struct {
        const char *text;
        int code;
        const char *message;
    } bad[] = {
        {"", VTB_ESYNTAX, "expected a duration such as `50us`, `2ms` or `1.5s`, got ``"},
        {"exp:", VTB_ESYNTAX, "expected a duration such as `50us`, `2ms` or `1.5s`, got ``"},
        {"exp:1us:2us", VTB_ESYNTAX, "exp takes one duration, got `exp:1us:2us`"},
        {"fixed:60001ms", VTB_ERANGE, "latency must be at most 60s, got `60001ms`"},
        {"uniform:1us:2us:3us", VTB_ESYNTAX,
         "uniform needs LO:HI, e.g. `uniform:10us:100us`, got `uniform:1us:2us:3us`"},
        {"uniform:-1us:2us", VTB_ERANGE, "a latency cannot be negative, got `-1us`"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct vtb_latency l;
        struct vtb_error err = {0};
        assert_int_equal(vtb_units_parse_latency(bad[i].text, &l, &err), bad[i].code);
        assert_string_equal(err.message, bad[i].message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_sweep_order),
        cmocka_unit_test(test_capacity_follows_keys),
        cmocka_unit_test(test_nproc),
        cmocka_unit_test(test_syntax_variants),
        cmocka_unit_test(test_stream_and_file),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_garbage_does_not_crash),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_key_table),
        cmocka_unit_test(test_write_ini),
        cmocka_unit_test(test_emergent),
        cmocka_unit_test(test_bounded_input),
        cmocka_unit_test(test_units_durations),
        cmocka_unit_test(test_units_counts),
        cmocka_unit_test(test_units_numbers),
        cmocka_unit_test(test_units_latency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
