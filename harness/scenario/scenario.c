/*
 * Scenario files: reading, checking, overriding and expanding into cells.
 *
 * The INI syntax is left to inih, driven through ini_parse_stream with a
 * reader of our own. inih's handler is not told the line number unless the
 * library was built with INI_HANDLER_LINENO, which distribution builds are
 * not, and its return value only names the first line it disliked. inih
 * calls the reader for exactly one line and then the handler for that line
 * before reading the next, so the reader's own line counter is the handler's
 * line number. The reader also does what inih cannot report precisely:
 *   - bytes that do not belong in text (NUL, control characters) are
 *     refused as binary data, instead of being cut at the NUL by an fgets
 *     and parsed as something else;
 *   - lines longer than inih's buffer are refused, where inih would split
 *     them and parse the tail as a line of its own;
 *   - leading blanks are stripped, so an indented line is never taken as a
 *     multi-line continuation of the previous value (a silent append);
 *   - section headers are checked at their own line (inih does not call the
 *     handler for a section, so an unknown section with no keys would pass).
 * Once any error is recorded the reader reports end of input, so the first
 * error is the one the user sees and nothing runs past it.
 *
 * One table describes every key: its reference text (also served to
 * `vtbench list` and written to docs/scenarios.md), its bounds and its
 * parser. Defaults are set by parsing the reference's default text, so the
 * documentation and the behaviour cannot disagree.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "units.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KEYS_MAX (UINT64_C(1) << 32)
#define TTL_MS_MAX UINT64_C(86400000)
#define OPS_MAX (UINT64_C(1) << 40)
#define DURATION_MAX_NS (UINT64_C(86400) * 1000000000)
#define REPETITIONS_MAX 1000
#define LATENCY_SAMPLE_MAX 1000000
#define OPEN_RATE_MAX 1e9

/* Key identifiers, in reference order. The axes are contiguous and in the
 * order of enum vtb_axis, so that axis = id - K_HIT_RATIO. */
enum key_id {
    K_NAME,
    K_DESCRIPTION,
    K_IMPLS,
    K_HIT_RATIO,
    K_KEYS,
    K_CAPACITY,
    K_TTL_MS,
    K_KEY_DIST,
    K_THREADS,
    K_CONCURRENCY,
    K_MISS_LATENCY,
    K_COMPLETION,
    K_CONTINUATION,
    K_CACHE_LOCK,
    K_LOAD,
    K_OPS,
    K_DURATION,
    K_REPETITIONS,
    K_WARMUP,
    K_SEED,
    K_LATENCY_SAMPLE,
    K_PIN_THREADS,
    K_COUNT
};

_Static_assert(K_LOAD - K_HIT_RATIO + 1 == VTB_AXIS_COUNT, "axis keys must match enum vtb_axis");

static const struct vtb_scenario_key_doc key_docs[K_COUNT] = {
    [K_NAME] = {"name", "(required)", "1 to 64 characters of A-Z a-z 0-9 . _ -", false,
                "Names the scenario in reports and result files."},
    [K_DESCRIPTION] = {"description", "(empty)", "any text on one line", false,
                       "Free text shown in reports."},
    [K_IMPLS] = {"impls", "alloc-task,value-task,pooled",
                 "registered implementation names, each at most once", false,
                 "Implementations measured in every cell, interleaved. A list, but not an "
                 "axis: every cell runs all of them."},
    [K_HIT_RATIO] = {"hit_ratio", "(absent)", "0 to 1", true,
                     "Exact mode: the share of operations that hit, enforced by the runner. "
                     "Absent: emergent mode, where hits follow from keys, capacity, ttl_ms "
                     "and key_dist."},
    [K_KEYS] = {"keys", "1024", "1 to 4294967296 (2^32); suffix k, M, G", true,
                "Size of the key space."},
    [K_CAPACITY] = {"capacity", "(keys)", "1 to 4294967296 (2^32); suffix k, M, G", true,
                    "Cache capacity in entries. Absent: the cell's keys, so every key fits."},
    [K_TTL_MS] = {"ttl_ms", "0", "0 to 86400000 (one day)", true,
                  "Entry lifetime in milliseconds; 0 = entries never expire."},
    [K_KEY_DIST] = {"key_dist", "uniform",
                    "uniform; zipf:THETA, 0 < THETA <= 10; hotspot:FRACTION:PROBABILITY, "
                    "0 < FRACTION < 1, 0 <= PROBABILITY <= 1",
                    true,
                    "Distribution of the keys asked for. Zipf and hotspot ranks map to keys "
                    "through a fixed scramble, so popular keys are spread over the cache."},
    [K_THREADS] = {"threads", "1", "1 to 1024, or nproc (the online CPUs)", true,
                   "Worker threads."},
    [K_CONCURRENCY] = {"concurrency", "1", "1 to 4096", true,
                       "Operations in flight per worker thread."},
    [K_MISS_LATENCY] = {"miss_latency", "0",
                        "DURATION, fixed:DURATION, uniform:LO:HI or exp:MEAN; units ns, us, "
                        "ms, s, min, h; each at most 60s",
                        true,
                        "Backend latency of a miss; 0 completes on the next loop turn."},
    [K_COMPLETION] = {"completion", "loop", "loop or thread", true,
                      "Where a miss completes: a timer on the worker's own loop, or a "
                      "separate completion thread."},
    [K_CONTINUATION] = {"continuation", "posted", "inline or posted", true,
                        "Whether a continuation runs inline in the completing call or is "
                        "posted back to the worker's loop."},
    [K_CACHE_LOCK] = {"cache_lock", "seqlock", "global, sharded or seqlock", true,
                      "Locking design of the cache."},
    [K_LOAD] = {"load", "closed",
                "closed, or open:RATE or open:RATE:poisson with 0 < RATE <= 1e9 (suffix k, M, "
                "G)",
                true,
                "closed: a thread issues an operation when one completes. open:RATE: "
                "operations are issued at RATE per second per thread, evenly spaced (with "
                ":poisson, exponential gaps), and latency is measured from the intended "
                "start."},
    [K_OPS] = {"ops", "1000000", "1 to 1099511627776 (2^40); suffix k, M, G, T", false,
               "Measured operations per thread per repetition. Not together with duration."},
    [K_DURATION] = {"duration", "(absent)", "more than 0, at most 24h; e.g. 500ms, 2s", false,
                    "Measured time per repetition, instead of ops. Not together with ops."},
    [K_REPETITIONS] = {"repetitions", "5", "1 to 1000", false,
                       "Measured repetitions of every cell and implementation."},
    [K_WARMUP] = {"warmup", "(10% of ops, or of duration)",
                  "0 to 2^40 operations, or a duration of at most 24h", false,
                  "Unmeasured operations (or time) per thread before each repetition."},
    [K_SEED] = {"seed", "1", "0 to 2^64-1, decimal or 0x hex", false,
                "Seed of every random sequence; each thread draws its own stream."},
    [K_LATENCY_SAMPLE] = {"latency_sample", "128", "0 to 1000000", false,
                          "Record the latency of every k-th hit; 0 = no hits. Misses are "
                          "always recorded."},
    [K_PIN_THREADS] = {"pin_threads", "false", "true or false (also yes/no, on/off, 1/0)",
                       false, "Pin worker threads to CPUs."},
};

const struct vtb_scenario_key_doc *vtb_scenario_key_docs(size_t *count)
{
    if (count != NULL)
        *count = K_COUNT;
    return key_docs;
}

/* The words an enumerated axis accepts, NULL-terminated. */
struct word {
    const char *text;
    int value;
};

static const struct word completion_words[] = {
    {"loop", VTB_COMPLETE_ON_LOOP}, {"thread", VTB_COMPLETE_ON_THREAD}, {NULL, 0}};
static const struct word continuation_words[] = {
    {"inline", VTB_CONTINUE_INLINE}, {"posted", VTB_CONTINUE_POSTED}, {NULL, 0}};
static const struct word cache_lock_words[] = {{"global", VTB_CACHE_LOCK_GLOBAL},
                                               {"sharded", VTB_CACHE_LOCK_SHARDED},
                                               {"seqlock", VTB_CACHE_LOCK_SEQLOCK},
                                               {NULL, 0}};

struct key_def;

/* Parses one list item of an axis. */
typedef int (*item_fn)(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                       union vtb_axis_value *out, struct vtb_error *err);
/* Sets a key that is not an axis. On error, s is unchanged. */
typedef int (*set_fn)(const struct key_def *k, struct vtb_scenario *s, const char *value,
                      struct vtb_error *err);

/* How a key is parsed. Messages complete "must be <must>, got <text>". */
struct key_def {
    item_fn parse_item; /* axes */
    set_fn set;         /* other keys */
    uint64_t min, max;  /* bounds of integer values */
    const char *must;
    const struct word *words;
};

static int axis_of(enum key_id id)
{
    return id >= K_HIT_RATIO && id <= K_LOAD ? (int)(id - K_HIT_RATIO) : -1;
}

static int must_error(const struct key_def *k, const char *text, struct vtb_error *err, int code)
{
    return vtb_error_set(err, code, "must be %s, got %s", k->must, text);
}

/* A count within [k->min, k->max]. A malformed number keeps the units
 * message; a negative or overflowing one gets the key's range, which is
 * what the user needs to fix it. */
static int parse_bounded_count(const struct key_def *k, const char *text, uint64_t *out,
                               struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = vtb_units_parse_count(text, &v, err);
    if (rc == VTB_ESYNTAX)
        return rc;
    if (rc != 0 || v < k->min || v > k->max)
        return must_error(k, text, err, VTB_ERANGE);
    *out = v;
    return 0;
}

static int item_count(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                      union vtb_axis_value *out, struct vtb_error *err)
{
    (void)s;
    return parse_bounded_count(k, text, &out->u64, err);
}

static unsigned resolve_nproc(const struct vtb_scenario_options *options)
{
    long n = options->nproc != 0 ? (long)options->nproc : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > VTB_SCENARIO_THREADS_MAX)
        n = VTB_SCENARIO_THREADS_MAX;
    return (unsigned)n;
}

static int item_threads(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                        union vtb_axis_value *out, struct vtb_error *err)
{
    if (strcmp(text, "nproc") == 0) {
        out->u64 = resolve_nproc(&s->options);
        return 0;
    }
    int rc = parse_bounded_count(k, text, &out->u64, err);
    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "expected a whole number or nproc, got `%s`", text);
    return rc;
}

static int item_ratio(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                      union vtb_axis_value *out, struct vtb_error *err)
{
    double x = 0.0;
    int rc = vtb_units_parse_double(text, &x, err);
    (void)s;
    if (rc == VTB_ESYNTAX)
        return rc;
    if (rc != 0 || !(x >= 0.0 && x <= 1.0))
        return must_error(k, text, err, VTB_ERANGE);
    out->f64 = x + 0.0; /* turns -0 into 0, which prints as "0" */
    return 0;
}

static int item_key_dist(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                         union vtb_axis_value *out, struct vtb_error *err)
{
    (void)k;
    (void)s;
    return vtb_key_dist_parse(text, &out->key_dist, err);
}

static int item_latency(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                        union vtb_axis_value *out, struct vtb_error *err)
{
    (void)k;
    (void)s;
    return vtb_units_parse_latency(text, &out->latency, err);
}

static const struct word *find_word(const struct word *words, const char *text)
{
    for (; words->text != NULL; words++)
        if (strcmp(words->text, text) == 0)
            return words;
    return NULL;
}

static const char *word_text(const struct word *words, int value)
{
    for (; words->text != NULL; words++)
        if (words->value == value)
            return words->text;
    return "?";
}

static int item_word(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                     union vtb_axis_value *out, struct vtb_error *err)
{
    const struct word *w = find_word(k->words, text);
    (void)s;
    if (w == NULL)
        return must_error(k, text, err, VTB_EINVAL);
    out->e = w->value;
    return 0;
}

/* open:RATE or open:RATE:poisson, where RATE is a number with an optional
 * k, M or G; plain open:RATE spaces operations evenly. */
static int item_load(const struct key_def *k, const struct vtb_scenario *s, const char *text,
                     union vtb_axis_value *out, struct vtb_error *err)
{
    char rate_text[64];
    double mult = 1.0, rate = 0.0;
    bool poisson = false;
    (void)s;

    if (strcmp(text, "closed") == 0) {
        out->load = (struct vtb_load){.kind = VTB_LOAD_CLOSED, .rate_per_s = 0.0};
        return 0;
    }
    if (strncmp(text, "open:", 5) != 0)
        return must_error(k, text, err, VTB_EINVAL);
    size_t len = strlen(text + 5);
    if (len == 0 || len >= sizeof(rate_text))
        return vtb_error_set(err, VTB_ESYNTAX, "open needs a rate, e.g. `open:100k`, got `%s`",
                             text);
    memcpy(rate_text, text + 5, len + 1);
    char *arrival = strchr(rate_text, ':');
    if (arrival != NULL) {
        if (strcmp(arrival, ":poisson") != 0)
            return vtb_error_set(err, VTB_EINVAL,
                                 "open: arrivals must be `poisson` (open:RATE:poisson) or left "
                                 "out for even spacing, got `%s`",
                                 text);
        poisson = true;
        *arrival = '\0';
        len = strlen(rate_text);
        if (len == 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "open needs a rate, e.g. `open:100k`, got `%s`", text);
    }
    switch (rate_text[len - 1]) {
    case 'k':
    case 'K':
        mult = 1e3;
        break;
    case 'M':
        mult = 1e6;
        break;
    case 'G':
        mult = 1e9;
        break;
    }
    if (mult != 1.0)
        rate_text[len - 1] = '\0';
    struct vtb_error inner;
    int rc = vtb_units_parse_double(rate_text, &rate, &inner);
    if (rc == VTB_ESYNTAX)
        return vtb_error_set(err, rc, "open rate: expected a number such as `1000` or `10k`, "
                                      "got `%s`",
                             text + 5);
    rate *= mult;
    if (rc != 0 || !(rate > 0.0 && rate <= OPEN_RATE_MAX))
        return vtb_error_set(err, VTB_ERANGE, "open rate must be in (0,1e9] ops/s, got %s",
                             text + 5);
    out->load = (struct vtb_load){.kind = VTB_LOAD_OPEN, .rate_per_s = rate, .poisson = poisson};
    return 0;
}

static const char *format_value(enum vtb_axis axis, const union vtb_axis_value *v, char *buf,
                                size_t size)
{
    char rate[VTB_UNITS_DOUBLE_TEXT_MAX];

    switch (axis) {
    case VTB_AXIS_HIT_RATIO:
        return vtb_units_format_double(v->f64, buf, size);
    case VTB_AXIS_KEYS:
    case VTB_AXIS_CAPACITY:
    case VTB_AXIS_TTL_MS:
    case VTB_AXIS_THREADS:
    case VTB_AXIS_CONCURRENCY:
        snprintf(buf, size, "%" PRIu64, v->u64);
        return buf;
    case VTB_AXIS_KEY_DIST:
        return vtb_key_dist_format(&v->key_dist, buf, size);
    case VTB_AXIS_MISS_LATENCY:
        return vtb_units_format_latency(&v->latency, buf, size);
    case VTB_AXIS_COMPLETION:
        snprintf(buf, size, "%s", word_text(completion_words, v->e));
        return buf;
    case VTB_AXIS_CONTINUATION:
        snprintf(buf, size, "%s", word_text(continuation_words, v->e));
        return buf;
    case VTB_AXIS_CACHE_LOCK:
        snprintf(buf, size, "%s", word_text(cache_lock_words, v->e));
        return buf;
    case VTB_AXIS_LOAD:
        if (v->load.kind == VTB_LOAD_OPEN)
            snprintf(buf, size, "open:%s%s",
                     vtb_units_format_double(v->load.rate_per_s, rate, sizeof(rate)),
                     v->load.poisson ? ":poisson" : "");
        else
            snprintf(buf, size, "closed");
        return buf;
    case VTB_AXIS_COUNT:
        break;
    }
    snprintf(buf, size, "?");
    return buf;
}

static char *trim(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return p;
}

/* Splits copy in place at commas into trimmed, non-empty tokens. */
static int split_list(char *copy, char **tokens, size_t *count, struct vtb_error *err)
{
    size_t n = 1;
    for (const char *p = copy; *p != '\0'; p++)
        n += (*p == ',');
    if (n > VTB_SCENARIO_LIST_MAX)
        return vtb_error_set(err, VTB_ERANGE, "list has %zu values, at most %d", n,
                             VTB_SCENARIO_LIST_MAX);
    char *p = copy;
    for (size_t i = 0; i < n; i++) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        tokens[i] = trim(p);
        if (tokens[i][0] == '\0')
            return n == 1 ? vtb_error_set(err, VTB_ESYNTAX, "empty value")
                          : vtb_error_set(err, VTB_ESYNTAX,
                                          "empty value at position %zu of the list", i + 1);
        if (comma != NULL)
            p = comma + 1;
    }
    *count = n;
    return 0;
}

static int set_axis(const struct key_def *k, enum vtb_axis axis, struct vtb_scenario *s,
                    const char *value, struct vtb_error *err)
{
    char *tokens[VTB_SCENARIO_LIST_MAX];
    const char *kept_tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, kept = 0;
    union vtb_axis_value *values = NULL;
    char (*texts)[VTB_CELL_TEXT_MAX] = NULL;
    char *copy = strdup(value);
    int rc;

    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    rc = split_list(copy, tokens, &n, err);
    if (rc != 0)
        goto out;
    values = calloc(n, sizeof(*values));
    texts = calloc(n, sizeof(*texts));
    if (values == NULL || texts == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        union vtb_axis_value v;
        memset(&v, 0, sizeof(v));
        rc = k->parse_item(k, s, tokens[i], &v, err);
        if (rc != 0)
            goto out;
        /* Duplicates are compared by canonical text, so 0.5 and 0.50 are the
         * same value. A duplicate that only arises because `nproc` resolved
         * to a number also listed is this machine's accident, not a mistake
         * in the file, and is dropped. */
        format_value(axis, &v, texts[kept], sizeof(texts[kept]));
        size_t j = 0;
        while (j < kept && strcmp(texts[j], texts[kept]) != 0)
            j++;
        if (j < kept) {
            if (strcmp(tokens[i], "nproc") == 0 || strcmp(kept_tokens[j], "nproc") == 0)
                continue;
            rc = vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", tokens[i]);
            goto out;
        }
        kept_tokens[kept] = tokens[i];
        values[kept++] = v;
    }
    /* Other axes already multiply to at most VTB_SCENARIO_CELLS_MAX and a
     * list has at most VTB_SCENARIO_LIST_MAX values, so this cannot wrap. */
    uint64_t cells = kept;
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (a != (int)axis && s->axes[a].count > 1)
            cells *= s->axes[a].count;
    if (cells > VTB_SCENARIO_CELLS_MAX) {
        rc = vtb_error_set(err, VTB_ERANGE, "sweep makes %" PRIu64 " cells, at most %d", cells,
                           VTB_SCENARIO_CELLS_MAX);
        goto out;
    }
    free(s->axes[axis].values);
    s->axes[axis].values = values;
    s->axes[axis].count = kept;
    values = NULL;
out:
    free(texts);
    free(values);
    free(copy);
    return rc;
}

/* The distance between a and b counting insertions, deletions,
 * substitutions and swaps of neighbours (optimal string alignment), for
 * "did you mean" suggestions. Long words are not worth comparing. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    size_t d[MAXLEN + 1][MAXLEN + 1];

    if (la > MAXLEN || lb > MAXLEN)
        return SIZE_MAX;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* Keeps candidate in *best when it is closer to word than the best so far
 * and close enough to be a plausible typo: a third of its length, at least
 * one edit. */
static void consider(const char *word, const char *candidate, const char **best,
                     size_t *best_distance)
{
    size_t d = edit_distance(word, candidate);
    size_t limit = strlen(candidate) / 3;
    if (limit < 1)
        limit = 1;
    if (d <= limit && d < *best_distance) {
        *best = candidate;
        *best_distance = d;
    }
}

static bool valid_name(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len == 0 || len > max)
        return false;
    for (const char *p = text; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return false;
    return true;
}

static int set_name(const struct key_def *k, struct vtb_scenario *s, const char *value,
                    struct vtb_error *err)
{
    if (!valid_name(value, VTB_SCENARIO_NAME_MAX))
        return must_error(k, value, err, VTB_EINVAL);
    char *copy = strdup(value);
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    free(s->name);
    s->name = copy;
    return 0;
}

static int set_description(const struct key_def *k, struct vtb_scenario *s, const char *value,
                           struct vtb_error *err)
{
    (void)k;
    char *copy = strdup(value);
    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    free(s->description);
    s->description = copy;
    return 0;
}

static void free_names(char **names, size_t count)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int unknown_impl(const struct vtb_scenario *s, const char *name, struct vtb_error *err)
{
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (const char *const *p = s->options.known_impls; *p != NULL; p++)
        consider(name, *p, &best, &best_distance);
    if (best != NULL)
        return vtb_error_set(err, VTB_EINVAL, "unknown implementation `%s`; did you mean `%s`?",
                             name, best);
    char known[VTB_ERROR_MESSAGE_MAX] = "";
    size_t used = 0;
    for (const char *const *p = s->options.known_impls; *p != NULL && used < sizeof(known); p++) {
        int n = snprintf(known + used, sizeof(known) - used, "%s%s",
                         p == s->options.known_impls ? "" : ", ", *p);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return vtb_error_set(err, VTB_EINVAL, "unknown implementation `%s`; known: %s", name, known);
}

static int set_impls(const struct key_def *k, struct vtb_scenario *s, const char *value,
                     struct vtb_error *err)
{
    char *tokens[VTB_SCENARIO_LIST_MAX];
    size_t n = 0, done = 0;
    char **names = NULL;
    char *copy = strdup(value);
    int rc;

    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    rc = split_list(copy, tokens, &n, err);
    if (rc != 0)
        goto out;
    names = calloc(n, sizeof(*names));
    if (names == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out;
    }
    for (; done < n; done++) {
        const char *name = tokens[done];
        if (!valid_name(name, VTB_SCENARIO_NAME_MAX)) {
            rc = must_error(k, name, err, VTB_EINVAL);
            goto out;
        }
        bool known = s->options.known_impls == NULL;
        for (const char *const *p = s->options.known_impls; !known && *p != NULL; p++)
            known = strcmp(*p, name) == 0;
        if (!known) {
            rc = unknown_impl(s, name, err);
            goto out;
        }
        for (size_t j = 0; j < done; j++) {
            if (strcmp(names[j], name) == 0) {
                rc = vtb_error_set(err, VTB_EINVAL, "duplicate value %s in list", name);
                goto out;
            }
        }
        names[done] = strdup(name);
        if (names[done] == NULL) {
            rc = vtb_error_set(err, VTB_ENOMEM, NULL);
            goto out;
        }
    }
    free_names(s->impls, s->impl_count);
    s->impls = names;
    s->impl_count = n;
    names = NULL;
out:
    free_names(names, done);
    free(copy);
    return rc;
}

static int set_ops(const struct key_def *k, struct vtb_scenario *s, const char *value,
                   struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = parse_bounded_count(k, value, &v, err);
    if (rc != 0)
        return rc;
    s->ops = v;
    s->duration_ns = 0;
    return 0;
}

/* A duration within [k->min, k->max] ns; see parse_bounded_count. */
static int parse_bounded_duration(const struct key_def *k, const char *text, uint64_t *out,
                                  struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = vtb_units_parse_duration_ns(text, &v, err);
    if (rc == VTB_ESYNTAX)
        return rc;
    if (rc != 0 || v < k->min || v > k->max)
        return must_error(k, text, err, VTB_ERANGE);
    *out = v;
    return 0;
}

static int set_duration(const struct key_def *k, struct vtb_scenario *s, const char *value,
                        struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = parse_bounded_duration(k, value, &v, err);
    if (rc != 0)
        return rc;
    s->duration_ns = v;
    s->ops = 0;
    return 0;
}

static int set_repetitions(const struct key_def *k, struct vtb_scenario *s, const char *value,
                           struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = parse_bounded_count(k, value, &v, err);
    if (rc == 0)
        s->repetitions = (unsigned)v;
    return rc;
}

static int set_latency_sample(const struct key_def *k, struct vtb_scenario *s,
                              const char *value, struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = parse_bounded_count(k, value, &v, err);
    if (rc == 0)
        s->latency_sample = (unsigned)v;
    return rc;
}

static int set_warmup(const struct key_def *k, struct vtb_scenario *s, const char *value,
                      struct vtb_error *err)
{
    /* The warm-up is a count or a duration; the unit tells which. Both
     * share the key's bounds description, so check each by hand. */
    uint64_t v = 0;
    int rc;
    if (vtb_units_has_duration_unit(value)) {
        rc = vtb_units_parse_duration_ns(value, &v, err);
        if (rc == VTB_ESYNTAX)
            return rc;
        if (rc != 0 || v > DURATION_MAX_NS)
            return vtb_error_set(err, VTB_ERANGE, "a duration must be at most 24h, got %s",
                                 value);
        s->warmup_ns = v;
        s->warmup_ops = 0;
    } else {
        rc = vtb_units_parse_count(value, &v, err);
        if (rc == VTB_ESYNTAX)
            return vtb_error_set(err, rc,
                                 "expected a count such as `100000` or a duration such as "
                                 "`1s`, got `%s`",
                                 value);
        if (rc != 0 || v > k->max)
            return must_error(k, value, err, VTB_ERANGE);
        s->warmup_ops = v;
        s->warmup_ns = 0;
    }
    s->warmup_explicit = true;
    return 0;
}

static int set_seed(const struct key_def *k, struct vtb_scenario *s, const char *value,
                    struct vtb_error *err)
{
    uint64_t v = 0;
    int rc = vtb_units_parse_u64(value, &v, err);
    if (rc == VTB_ERANGE)
        return must_error(k, value, err, rc);
    if (rc == 0)
        s->seed = v;
    return rc;
}

static int set_pin_threads(const struct key_def *k, struct vtb_scenario *s, const char *value,
                           struct vtb_error *err)
{
    bool v = false;
    int rc = vtb_units_parse_bool(value, &v, err);
    (void)k;
    if (rc == 0)
        s->pin_threads = v;
    return rc;
}

static const struct key_def key_defs[K_COUNT] = {
    [K_NAME] = {.set = set_name, .must = "1 to 64 characters of A-Z a-z 0-9 . _ -"},
    [K_DESCRIPTION] = {.set = set_description},
    [K_IMPLS] = {.set = set_impls, .must = "names of 1 to 64 characters of A-Z a-z 0-9 . _ -"},
    [K_HIT_RATIO] = {.parse_item = item_ratio, .must = "in [0,1]"},
    [K_KEYS] = {.parse_item = item_count, .min = 1, .max = KEYS_MAX, .must = "in [1,4294967296]"},
    [K_CAPACITY] = {.parse_item = item_count, .min = 1, .max = KEYS_MAX,
                    .must = "in [1,4294967296]"},
    [K_TTL_MS] = {.parse_item = item_count, .min = 0, .max = TTL_MS_MAX,
                  .must = "in [0,86400000]"},
    [K_KEY_DIST] = {.parse_item = item_key_dist},
    [K_THREADS] = {.parse_item = item_threads, .min = 1, .max = VTB_SCENARIO_THREADS_MAX,
                   .must = "in [1,1024] or nproc"},
    [K_CONCURRENCY] = {.parse_item = item_count, .min = 1, .max = VTB_SCENARIO_CONCURRENCY_MAX,
                       .must = "in [1,4096]"},
    [K_MISS_LATENCY] = {.parse_item = item_latency},
    [K_COMPLETION] = {.parse_item = item_word, .words = completion_words,
                      .must = "loop or thread"},
    [K_CONTINUATION] = {.parse_item = item_word, .words = continuation_words,
                        .must = "inline or posted"},
    [K_CACHE_LOCK] = {.parse_item = item_word, .words = cache_lock_words,
                      .must = "global, sharded or seqlock"},
    [K_LOAD] = {.parse_item = item_load, .must = "closed or open:RATE"},
    [K_OPS] = {.set = set_ops, .min = 1, .max = OPS_MAX, .must = "in [1,1099511627776]"},
    [K_DURATION] = {.set = set_duration, .min = 1, .max = DURATION_MAX_NS, .must = "in (0,24h]"},
    [K_REPETITIONS] = {.set = set_repetitions, .min = 1, .max = REPETITIONS_MAX,
                       .must = "in [1,1000]"},
    [K_WARMUP] = {.set = set_warmup, .min = 0, .max = OPS_MAX, .must = "in [0,1099511627776]"},
    [K_SEED] = {.set = set_seed, .must = "in [0,18446744073709551615]"},
    [K_LATENCY_SAMPLE] = {.set = set_latency_sample, .min = 0, .max = LATENCY_SAMPLE_MAX,
                          .must = "in [0,1000000]"},
    [K_PIN_THREADS] = {.set = set_pin_threads},
};

static int find_key(const char *name)
{
    for (int id = 0; id < K_COUNT; id++)
        if (strcmp(key_docs[id].key, name) == 0)
            return id;
    return -1;
}

/* "unknown key", with the nearest known key when one is close. */
static int unknown_key(const char *name, struct vtb_error *err)
{
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (int id = 0; id < K_COUNT; id++)
        consider(name, key_docs[id].key, &best, &best_distance);
    if (best != NULL)
        return vtb_error_set(err, VTB_EINVAL, "unknown key; did you mean `%s`?", best);
    return vtb_error_set(err, VTB_EINVAL, "unknown key");
}

/* Sets key id from value: the one path shared by the file, the defaults and
 * --set. The message in err has no prefix. */
static int apply(struct vtb_scenario *s, enum key_id id, const char *value,
                 struct vtb_error *err)
{
    const struct key_def *k = &key_defs[id];
    int axis = axis_of(id);

    if (value[0] == '\0' && id != K_DESCRIPTION)
        return vtb_error_set(err, VTB_ESYNTAX, "empty value");
    if (axis >= 0)
        return set_axis(k, (enum vtb_axis)axis, s, value, err);
    if (id != K_IMPLS && id != K_DESCRIPTION && strchr(value, ',') != NULL)
        return vtb_error_set(err, VTB_ESYNTAX, "takes one value, not a list");
    return k->set(k, s, value, err);
}

/* Recomputes what derives from other keys. */
static void resolve(struct vtb_scenario *s)
{
    if (s->warmup_explicit)
        return;
    s->warmup_ops = s->ops / 10;
    s->warmup_ns = s->duration_ns / 10;
}

void vtb_scenario_fini(struct vtb_scenario *s)
{
    if (s == NULL)
        return;
    free(s->name);
    free(s->description);
    free(s->source);
    free_names(s->impls, s->impl_count);
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        free(s->axes[a].values);
    memset(s, 0, sizeof(*s));
}

int vtb_scenario_init(struct vtb_scenario *s, const struct vtb_scenario_options *options)
{
    memset(s, 0, sizeof(*s));
    if (options != NULL)
        s->options = *options;
    s->description = strdup("");
    s->source = strdup("");
    if (s->description == NULL || s->source == NULL)
        goto nomem;
    for (int id = 0; id < K_COUNT; id++) {
        /* Defaults written "(...)" are absent or derived; all others are
         * scenario text, parsed like a file's. They cannot fail but for
         * memory, unless the table itself is wrong. */
        const char *text = key_docs[id].default_value;
        if (text[0] == '(')
            continue;
        int rc = apply(s, (enum key_id)id, text, NULL);
        if (rc != 0)
            goto nomem;
    }
    resolve(s);
    return 0;
nomem:
    vtb_scenario_fini(s);
    return VTB_ENOMEM;
}

/* State of one file parse, shared by the reader and the handler. */
struct parse_ctx {
    struct vtb_scenario *s;
    const char *filename;
    FILE *file;                /* either a stream ... */
    const unsigned char *data; /* ... or a buffer */
    size_t size;
    size_t pos;
    unsigned lineno;       /* the line last handed to inih */
    unsigned section_line; /* where [scenario] is, 0 = not yet */
    bool any_content;      /* a line that is not blank or a comment */
    unsigned key_line[K_COUNT];
    int code; /* first error, 0 = none */
    unsigned err_line;
    struct vtb_error error;
};

static int fail(struct parse_ctx *c, unsigned line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the first error as "FILE:LINE: " + the formatted text. */
static int fail(struct parse_ctx *c, unsigned line, int code, const char *fmt, ...)
{
    char what[VTB_ERROR_MESSAGE_MAX];
    va_list ap;

    if (c->code != 0)
        return c->code;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    c->code = code;
    c->err_line = line;
    return vtb_error_set(&c->error, code, "%s:%u: %s", c->filename, line, what);
}

static int next_byte(struct parse_ctx *c)
{
    if (c->file != NULL)
        return getc(c->file);
    return c->pos < c->size ? c->data[c->pos++] : EOF;
}

static void check_section(struct parse_ctx *c, const char *line)
{
    const char *close = strchr(line, ']');
    if (close == NULL) {
        fail(c, c->lineno, VTB_ESYNTAX, "section header without `]`");
        return;
    }
    const char *after = close + 1;
    while (isspace((unsigned char)*after))
        after++;
    if (*after != '\0' && *after != ';' && *after != '#') {
        fail(c, c->lineno, VTB_ESYNTAX, "unexpected text after `]`");
        return;
    }
    int len = (int)(close - line - 1);
    if (len != (int)strlen("scenario") || strncmp(line + 1, "scenario", (size_t)len) != 0) {
        fail(c, c->lineno, VTB_EINVAL,
             "[%.*s]: unknown section; a scenario file has one [scenario] section", len,
             line + 1);
        return;
    }
    if (c->section_line != 0) {
        fail(c, c->lineno, VTB_EINVAL, "[scenario]: duplicate section (first on line %u)",
             c->section_line);
        return;
    }
    c->section_line = c->lineno;
}

/* inih's reader: one physical line per call, checked (see the top). */
static char *read_line(char *buf, int num, void *stream)
{
    struct parse_ctx *c = stream;
    size_t cap = (size_t)num - 1, len = 0, total = 0, bad_column = 0;
    int ch, bad_byte = -1;
    bool any = false;

    if (c->code != 0)
        return NULL;
    while ((ch = next_byte(c)) != EOF) {
        any = true;
        if (ch == '\n')
            break;
        total++;
        if (bad_byte < 0 && (ch == '\0' || ch == 0x7f || (ch < 0x20 && ch != '\t' && ch != '\r'))) {
            bad_byte = ch;
            bad_column = total;
        }
        if (len < cap)
            buf[len++] = (char)ch;
    }
    if (!any)
        return NULL;
    c->lineno++;
    if (bad_byte >= 0) {
        fail(c, c->lineno, VTB_ESYNTAX, "binary data (byte 0x%02x at column %zu); a scenario "
                                        "file is text",
             (unsigned)bad_byte, bad_column);
        return NULL;
    }
    if (total > cap) {
        fail(c, c->lineno, VTB_ESYNTAX, "line too long (%zu bytes, at most %zu)", total, cap);
        return NULL;
    }
    buf[len] = '\0';

    char *p = buf;
    if (c->lineno == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (isspace((unsigned char)*p))
        p++;
    memmove(buf, p, strlen(p) + 1);
    if (buf[0] == '\0' || buf[0] == ';' || buf[0] == '#')
        return buf;
    c->any_content = true;
    if (buf[0] == '[') {
        check_section(c, buf);
        if (c->code != 0)
            return NULL;
    }
    return buf;
}

/* inih's handler, called for each key = value at line c->lineno. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *c = user;
    unsigned line = c->lineno;
    struct vtb_error inner;

    if (c->code != 0)
        return 0;
    if (name[0] == '\0') {
        fail(c, line, VTB_ESYNTAX, "missing key before `=`");
        return 0;
    }
    if (section[0] == '\0') {
        fail(c, line, VTB_EINVAL, "%s: key outside the [scenario] section", name);
        return 0;
    }
    int id = find_key(name);
    if (id < 0) {
        unknown_key(name, &inner);
        fail(c, line, inner.code, "%s: %s", name, inner.message);
        return 0;
    }
    if (c->key_line[id] != 0) {
        fail(c, line, VTB_EINVAL, "%s: duplicate key (first set on line %u)", name,
             c->key_line[id]);
        return 0;
    }
    int other = id == K_OPS ? K_DURATION : id == K_DURATION ? K_OPS : -1;
    if (other >= 0 && c->key_line[other] != 0) {
        fail(c, line, VTB_EINVAL, "%s: cannot be combined with `%s` (line %u); set one of them",
             name, key_docs[other].key, c->key_line[other]);
        return 0;
    }
    int rc = apply(c->s, (enum key_id)id, value, &inner);
    if (rc != 0) {
        fail(c, line, rc, "%s: %s", name, inner.message);
        return 0;
    }
    c->key_line[id] = line;
    return 1;
}

static int parse(struct parse_ctx *c, struct vtb_scenario *s, const char *filename,
                 const struct vtb_scenario_options *options, struct vtb_error *err)
{
    c->s = s;
    c->filename = filename;
    int rc = vtb_scenario_init(s, options);
    if (rc != 0)
        return vtb_error_set(err, rc, "%s:0: out of memory", filename);
    free(s->source);
    s->source = strdup(filename);
    if (s->source == NULL) {
        vtb_scenario_fini(s);
        return vtb_error_set(err, VTB_ENOMEM, "%s:0: out of memory", filename);
    }

    int ret = ini_parse_stream(read_line, c, on_pair, c);
    if (ret > 0 && (c->code == 0 || (unsigned)ret < c->err_line)) {
        /* inih refused a line before any error of ours: a line that is not
         * a comment, a section or a key = value pair. */
        c->code = 0;
        fail(c, (unsigned)ret, VTB_ESYNTAX,
             "expected `key = value`, a [section] header or a comment");
    } else if (ret == -2) {
        c->code = 0;
        fail(c, 0, VTB_ENOMEM, "out of memory");
    }
    if (c->code == 0 && c->file != NULL && ferror(c->file))
        fail(c, c->lineno + 1, VTB_EIO, "read error: %s", strerror(errno));
    if (c->code == 0 && !c->any_content)
        fail(c, 0, VTB_EINVAL, "empty file; expected a [scenario] section");
    if (c->code == 0 && s->name == NULL)
        fail(c, c->section_line, VTB_EINVAL, "name: missing; every scenario needs `name = ...`");
    if (c->code != 0) {
        vtb_scenario_fini(s);
        if (err != NULL)
            *err = c->error;
        return c->code;
    }
    resolve(s);
    vtb_error_clear(err);
    return 0;
}

int vtb_scenario_parse_file(struct vtb_scenario *s, FILE *file, const char *filename,
                            const struct vtb_scenario_options *options, struct vtb_error *err)
{
    struct parse_ctx c;
    memset(&c, 0, sizeof(c));
    c.file = file;
    return parse(&c, s, filename, options, err);
}

int vtb_scenario_parse_buffer(struct vtb_scenario *s, const char *data, size_t size,
                              const char *filename, const struct vtb_scenario_options *options,
                              struct vtb_error *err)
{
    struct parse_ctx c;
    memset(&c, 0, sizeof(c));
    c.data = (const unsigned char *)data;
    c.size = size;
    return parse(&c, s, filename, options, err);
}

int vtb_scenario_load(struct vtb_scenario *s, const char *path,
                      const struct vtb_scenario_options *options, struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        int e = errno;
        return vtb_error_set(err, e == ENOENT ? VTB_ENOTFOUND : VTB_EIO, "%s:0: cannot open: %s",
                             path, strerror(e));
    }
    int rc = vtb_scenario_parse_file(s, file, path, options, err);
    fclose(file);
    return rc;
}

int vtb_scenario_override(struct vtb_scenario *s, const char *assignment, struct vtb_error *err)
{
    struct vtb_error inner;
    const char *eq = strchr(assignment, '=');
    char *copy = strdup(assignment);
    int rc = 0;

    if (copy == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "--set: out of memory");
    if (eq == NULL) {
        rc = vtb_error_set(err, VTB_ESYNTAX, "--set: expected KEY=VALUE, got `%s`", assignment);
        goto out;
    }
    copy[eq - assignment] = '\0';
    char *key = trim(copy);
    char *value = trim(copy + (eq - assignment) + 1);
    if (key[0] == '\0') {
        rc = vtb_error_set(err, VTB_ESYNTAX, "--set: expected KEY=VALUE, got `%s`", assignment);
        goto out;
    }
    int id = find_key(key);
    if (id < 0) {
        unknown_key(key, &inner);
        rc = vtb_error_set(err, inner.code, "--set: %s: %s", key, inner.message);
        goto out;
    }
    rc = apply(s, (enum key_id)id, value, &inner);
    if (rc != 0) {
        vtb_error_set(err, rc, "--set: %s: %s", key, inner.message);
        goto out;
    }
    resolve(s);
    vtb_error_clear(err);
out:
    free(copy);
    return rc;
}

size_t vtb_scenario_cell_count(const struct vtb_scenario *s)
{
    size_t cells = 1;
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (s->axes[a].count > 1)
            cells *= s->axes[a].count;
    return cells;
}

/* Which member of struct vtb_cell and which field of union vtb_axis_value
 * each axis maps to: one list, read in both directions below. */
#define VTB__CELL_AXES(XX)                                \
    XX(VTB_AXIS_HIT_RATIO, hit_ratio, f64)                \
    XX(VTB_AXIS_KEYS, keys, u64)                          \
    XX(VTB_AXIS_CAPACITY, capacity, u64)                  \
    XX(VTB_AXIS_TTL_MS, ttl_ms, u64)                      \
    XX(VTB_AXIS_KEY_DIST, key_dist, key_dist)             \
    XX(VTB_AXIS_THREADS, threads, u64)                    \
    XX(VTB_AXIS_CONCURRENCY, concurrency, u64)            \
    XX(VTB_AXIS_MISS_LATENCY, miss_latency, latency)      \
    XX(VTB_AXIS_COMPLETION, completion, e)                \
    XX(VTB_AXIS_CONTINUATION, continuation, e)            \
    XX(VTB_AXIS_CACHE_LOCK, cache_lock, e)                \
    XX(VTB_AXIS_LOAD, load, load)

static void cell_set(struct vtb_cell *c, enum vtb_axis axis, const union vtb_axis_value *v)
{
    switch (axis) {
#define VTB__CELL_SET(ax, member, field) \
    case ax:                             \
        c->member = v->field;            \
        break;
        VTB__CELL_AXES(VTB__CELL_SET)
#undef VTB__CELL_SET
    case VTB_AXIS_COUNT:
        break;
    }
    /* A hit_ratio value, even from a one-value list, selects exact mode. */
    if (axis == VTB_AXIS_HIT_RATIO)
        c->exact_hit_ratio = true;
}

static void cell_get(const struct vtb_cell *c, enum vtb_axis axis, union vtb_axis_value *v)
{
    memset(v, 0, sizeof(*v));
    switch (axis) {
#define VTB__CELL_GET(ax, member, field) \
    case ax:                             \
        v->field = c->member;            \
        break;
        VTB__CELL_AXES(VTB__CELL_GET)
#undef VTB__CELL_GET
    case VTB_AXIS_COUNT:
        break;
    }
}

int vtb_scenario_cell(const struct vtb_scenario *s, size_t index, struct vtb_cell *out)
{
    if (index >= vtb_scenario_cell_count(s))
        return VTB_ERANGE;
    memset(out, 0, sizeof(*out));
    out->index = index;
    /* Mixed-radix digits of index, the last axis being the fastest. */
    size_t rest = index;
    for (int a = VTB_AXIS_COUNT - 1; a >= 0; a--) {
        size_t n = s->axes[a].count;
        if (n == 0)
            continue;
        cell_set(out, (enum vtb_axis)a, &s->axes[a].values[rest % n]);
        rest /= n;
    }
    if (s->axes[VTB_AXIS_CAPACITY].count == 0)
        out->capacity = out->keys;
    return 0;
}

bool vtb_scenario_axis_swept(const struct vtb_scenario *s, enum vtb_axis axis)
{
    return axis < VTB_AXIS_COUNT && s->axes[axis].count > 1;
}

const char *vtb_scenario_axis_name(enum vtb_axis axis)
{
    if (axis >= VTB_AXIS_COUNT)
        return NULL;
    return key_docs[K_HIT_RATIO + (int)axis].key;
}

const char *vtb_cell_format_axis(const struct vtb_cell *cell, enum vtb_axis axis, char *buf,
                                 size_t size)
{
    union vtb_axis_value v;
    if (axis == VTB_AXIS_HIT_RATIO && !cell->exact_hit_ratio) {
        snprintf(buf, size, "emergent");
        return buf;
    }
    cell_get(cell, axis, &v);
    return format_value(axis, &v, buf, size);
}
