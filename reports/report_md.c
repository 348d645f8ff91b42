/*
 * report.md (see report_md.h). Every figure and every verdict in it is
 * computed from the run's files here; nothing about the outcome is written
 * in advance. The articles' figures themselves are constants (they are what
 * is being tested), and each claim has an evaluator that picks the cells it
 * needs from the claims slice (hit ratio free, everything else held, one
 * thread when measured) and decides confirmed, refuted or not comparable,
 * or says that the run did not measure it.
 *
 * context.json is read back with a small JSON reader that flattens the
 * document into dotted keys ("context.cpu_model", "object_sizes.task.bytes"):
 * the file is vtbench's own, written by json_writer.c, but the reader still
 * refuses anything malformed instead of trusting it.
 */
#include "report_md.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

/* ---- context.json, flattened ---- */

#define JSON_MAX_DEPTH 16

struct json_kv {
    char key[128];
    char value[512];
};

struct json_flat {
    struct json_kv *items;
    size_t n, cap;
};

struct json_parser {
    const char *p, *end;
    struct json_flat *out;
    const char *error; /* first problem, static text */
};

static void json_skip_ws(struct json_parser *js)
{
    while (js->p < js->end && (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' ||
                               *js->p == '\r'))
        js->p++;
}

static bool json_fail(struct json_parser *js, const char *what)
{
    if (js->error == NULL)
        js->error = what;
    return false;
}

/* Appends code point cp to buf as UTF-8 (truncating silently at size). */
static void utf8_put(char *buf, size_t size, size_t *len, unsigned long cp)
{
    char tmp[4];
    size_t n;

    if (cp < 0x80) {
        tmp[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xc0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xe0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        tmp[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        tmp[0] = (char)(0xf0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        tmp[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (*len + n < size) {
        memcpy(buf + *len, tmp, n);
        *len += n;
    }
}

static bool json_hex4(struct json_parser *js, unsigned long *out)
{
    *out = 0;
    if (js->end - js->p < 4)
        return json_fail(js, "truncated \\u escape");
    for (int k = 0; k < 4; k++) {
        char c = *js->p++;
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return json_fail(js, "bad \\u escape");
        *out = *out * 16 + (unsigned long)v;
    }
    return true;
}

/* Reads a string (at its opening quote) into buf, truncated to size. */
static bool json_string(struct json_parser *js, char *buf, size_t size)
{
    size_t len = 0;

    js->p++;
    while (js->p < js->end && *js->p != '"') {
        unsigned char c = (unsigned char)*js->p++;
        unsigned long cp;

        if (c < 0x20)
            return json_fail(js, "control character in a string");
        if (c != '\\') {
            if (len + 1 < size)
                buf[len++] = (char)c;
            continue;
        }
        if (js->p >= js->end)
            return json_fail(js, "truncated escape");
        c = (unsigned char)*js->p++;
        switch (c) {
        case '"': case '\\': case '/': cp = c; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (!json_hex4(js, &cp))
                return false;
            /* A surrogate pair is one code point; a lone half becomes U+FFFD. */
            if (cp >= 0xd800 && cp < 0xdc00 && js->end - js->p >= 6 && js->p[0] == '\\' &&
                js->p[1] == 'u') {
                unsigned long low;
                js->p += 2;
                if (!json_hex4(js, &low))
                    return false;
                cp = low >= 0xdc00 && low < 0xe000
                         ? 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00)
                         : 0xfffd;
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd;
            }
            break;
        default:
            return json_fail(js, "unknown escape");
        }
        utf8_put(buf, size, &len, cp);
    }
    if (js->p >= js->end)
        return json_fail(js, "unterminated string");
    js->p++;
    buf[size > 0 ? (len < size ? len : size - 1) : 0] = '\0';
    return true;
}

static bool json_store(struct json_parser *js, const char *key, const char *value)
{
    struct json_flat *f = js->out;

    if (f->n == f->cap) {
        size_t cap = f->cap != 0 ? 2 * f->cap : 64;
        struct json_kv *items = realloc(f->items, cap * sizeof(*items));
        if (items == NULL)
            return json_fail(js, "out of memory");
        f->items = items;
        f->cap = cap;
    }
    snprintf(f->items[f->n].key, sizeof(f->items[f->n].key), "%s", key);
    snprintf(f->items[f->n].value, sizeof(f->items[f->n].value), "%s", value);
    f->n++;
    return true;
}

static bool json_value(struct json_parser *js, const char *key, int depth);

static bool json_members(struct json_parser *js, const char *key, int depth, bool object)
{
    char close = object ? '}' : ']';
    unsigned long index = 0;

    js->p++;
    json_skip_ws(js);
    if (js->p < js->end && *js->p == close) {
        js->p++;
        return true;
    }
    for (;;) {
        char name[128], child[256];

        json_skip_ws(js);
        if (object) {
            if (js->p >= js->end || *js->p != '"')
                return json_fail(js, "expected a member name");
            if (!json_string(js, name, sizeof(name)))
                return false;
            json_skip_ws(js);
            if (js->p >= js->end || *js->p != ':')
                return json_fail(js, "expected ':'");
            js->p++;
        } else {
            snprintf(name, sizeof(name), "%lu", index++);
        }
        snprintf(child, sizeof(child), "%s%s%s", key, key[0] != '\0' ? "." : "", name);
        if (!json_value(js, child, depth + 1))
            return false;
        json_skip_ws(js);
        if (js->p < js->end && *js->p == ',') {
            js->p++;
            continue;
        }
        if (js->p < js->end && *js->p == close) {
            js->p++;
            return true;
        }
        return json_fail(js, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool json_value(struct json_parser *js, const char *key, int depth)
{
    char text[512];

    if (depth > JSON_MAX_DEPTH)
        return json_fail(js, "nested too deeply");
    json_skip_ws(js);
    if (js->p >= js->end)
        return json_fail(js, "unexpected end");
    if (*js->p == '{' || *js->p == '[')
        return json_members(js, key, depth, *js->p == '{');
    if (*js->p == '"')
        return json_string(js, text, sizeof(text)) && json_store(js, key, text);
    {
        static const char *const words[] = {"true", "false", "null"};
        for (size_t k = 0; k < 3; k++) {
            size_t n = strlen(words[k]);
            if ((size_t)(js->end - js->p) >= n && memcmp(js->p, words[k], n) == 0) {
                js->p += n;
                /* null is "not known": stored as empty, like an empty CSV field */
                return json_store(js, key, k == 2 ? "" : words[k]);
            }
        }
    }
    {
        size_t n = 0;
        while (js->p + n < js->end && strchr("+-0123456789.eE", js->p[n]) != NULL &&
               n + 1 < sizeof(text)) {
            text[n] = js->p[n];
            n++;
        }
        if (n == 0)
            return json_fail(js, "unexpected character");
        text[n] = '\0';
        js->p += n;
        return json_store(js, key, text);
    }
}

/* Reads path into f; returns NULL or a static description of the problem. */
static const char *json_flat_read(const char *path, struct json_flat *f)
{
    struct json_parser js = {0};
    FILE *in = fopen(path, "rb");
    char *text;
    long size;

    memset(f, 0, sizeof(*f));
    if (in == NULL)
        return "missing";
    if (fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 || size > (1L << 24) ||
        fseek(in, 0, SEEK_SET) != 0) {
        fclose(in);
        return "cannot be read";
    }
    text = malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, in) != (size_t)size) {
        free(text);
        fclose(in);
        return "cannot be read";
    }
    fclose(in);
    js.p = text;
    js.end = text + size;
    js.out = f;
    json_skip_ws(&js);
    if (js.p == js.end || *js.p != '{')
        json_fail(&js, "is not a JSON object");
    else if (json_value(&js, "", 0)) {
        json_skip_ws(&js);
        if (js.p != js.end)
            json_fail(&js, "text after the document");
    }
    free(text);
    return js.error;
}

static const char *ctx_get(const struct json_flat *f, const char *key)
{
    for (size_t k = 0; k < f->n; k++)
        if (strcmp(f->items[k].key, key) == 0)
            return f->items[k].value;
    return NULL;
}

/* The value of key, or fallback when it is absent or empty. */
static const char *ctx_text(const struct json_flat *f, const char *key, const char *fallback)
{
    const char *v = ctx_get(f, key);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

static double ctx_num(const struct json_flat *f, const char *key)
{
    const char *v = ctx_get(f, key);
    char *end;
    double x;

    if (v == NULL || v[0] == '\0')
        return NAN;
    x = strtod(v, &end);
    return *end == '\0' ? x : NAN;
}

/* ---- Markdown helpers ---- */

/* Writes text for a table cell: '|' escaped, line breaks as spaces. */
static void md_cell(FILE *out, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '|')
            fputs("\\|", out);
        else if (*p == '\n' || *p == '\r' || *p == '\t')
            fputc(' ', out);
        else
            fputc(*p, out);
    }
}

/* Formats v with fmt, or "n/a" when it is NaN. */
static const char *num(char *buf, size_t size, const char *fmt, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, fmt, v);
    return buf;
}

/* ---- Sections ---- */

static void write_header(FILE *out, const struct vtb__report_data *d, const struct json_flat *f,
                         const char *ctx_error)
{
    const char *complete = ctx_get(f, "complete");

    fprintf(out, "# vtbench report: %s\n\n", d->scenario);
    fprintf(out, "Run directory `%s`", d->run_dir);
    if (ctx_get(f, "scenario_file") != NULL)
        fprintf(out, ", scenario file `%s`", ctx_text(f, "scenario_file", "?"));
    fprintf(out, ": %zu cell%s x %zu implementation%s", d->ncells, d->ncells == 1 ? "" : "s",
            d->nimpls, d->nimpls == 1 ? "" : "s");
    if (complete != NULL && strcmp(complete, "false") == 0)
        fprintf(out, " (**incomplete run**: %s of %s cells done)",
                ctx_text(f, "cells_done", "?"), ctx_text(f, "cell_count", "?"));
    fprintf(out, ". Generated by `vtbench report` from `results.csv`%s%s; each chart is an "
                 "SVG with a PNG beside it.\n\n",
            d->has_percentiles ? ", `percentiles.csv`" : "",
            ctx_error == NULL ? ", `context.json`" : "");
    if (ctx_error != NULL)
        fprintf(out, "> context.json: %s, so the machine context is unknown.\n\n", ctx_error);
}

/* One "| name | value |" row of the machine table; nothing when the
 * formatted value is empty. */
static void machine_row(FILE *out, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void machine_row(FILE *out, const char *name, const char *fmt, ...)
{
    char value[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    if (value[0] == '\0')
        return;
    fprintf(out, "| %s | ", name);
    md_cell(out, value);
    fputs(" |\n", out);
}

/* "72 B (jemalloc 80 B)" for an object of object_sizes, or "" if absent. */
static const char *object_size(const struct json_flat *f, const char *object, char *buf,
                               size_t size)
{
    char key[96];
    double bytes, usable;

    snprintf(key, sizeof(key), "object_sizes.%s.bytes", object);
    bytes = ctx_num(f, key);
    snprintf(key, sizeof(key), "object_sizes.%s.usable_bytes", object);
    usable = ctx_num(f, key);
    if (!isfinite(bytes))
        buf[0] = '\0';
    else if (isfinite(usable))
        snprintf(buf, size, "%.0f B (jemalloc size class %.0f B)", bytes, usable);
    else
        snprintf(buf, size, "%.0f B", bytes);
    return buf;
}

static void write_machine(FILE *out, const struct json_flat *f)
{
    char a[128], b[128], c[128], e[128];
    double cpus = ctx_num(f, "context.num_cpus"), load1 = ctx_num(f, "context.load_avg_1m");

    if (f->n == 0)
        return;
    fputs("## Machine and build\n\n| | |\n|---|---|\n", out);
    machine_row(out, "date (UTC)", "%s", ctx_text(f, "context.date", ""));
    machine_row(out, "CPU", "%s, %s CPUs at %s MHz, governor %s",
                ctx_text(f, "context.cpu_model", "unknown"), num(a, sizeof(a), "%.0f", cpus),
                num(b, sizeof(b), "%.0f", ctx_num(f, "context.cpu_mhz")),
                ctx_text(f, "context.cpu_governor", "unknown"));
    machine_row(out, "caches", "%s", ctx_text(f, "context.caches", ""));
    machine_row(out, "load average at start", "%s / %s / %s (1, 5, 15 min)",
                num(a, sizeof(a), "%.2f", load1),
                num(b, sizeof(b), "%.2f", ctx_num(f, "context.load_avg_5m")),
                num(c, sizeof(c), "%.2f", ctx_num(f, "context.load_avg_15m")));
    machine_row(out, "kernel", "%s, %s", ctx_text(f, "context.kernel", "unknown"),
                ctx_text(f, "context.arch", "unknown"));
    machine_row(out, "compiler", "%s, flags `%s`, %s build, sanitizer %s, assertions %s",
                ctx_text(f, "context.compiler_id", "unknown"),
                ctx_text(f, "context.c_flags", "unknown"),
                ctx_text(f, "context.build_type", "unknown"),
                ctx_text(f, "context.sanitizer", "unknown"),
                strcmp(ctx_text(f, "context.assertions", "false"), "true") == 0 ? "on" : "off");
    machine_row(out, "vtbench", "%s, git %s", ctx_text(f, "context.vtb_version", "unknown"),
                ctx_text(f, "context.git_revision", "unknown"));
    if (strcmp(ctx_text(f, "context.allocator", ""), "jemalloc") == 0)
        machine_row(out, "allocator", "jemalloc %s, statistics %s, tcache %s",
                    ctx_text(f, "context.jemalloc_version", "?"),
                    strcmp(ctx_text(f, "context.allocator_stats", ""), "true") == 0 ? "on"
                                                                                    : "off",
                    strcmp(ctx_text(f, "context.jemalloc_opt_tcache", ""), "true") == 0
                        ? "on"
                        : "off");
    else
        machine_row(out, "allocator", "%s", ctx_text(f, "context.allocator", "unknown"));
    machine_row(out, "clock", "%s (%s); timer overhead %s ns per measured operation",
                ctx_text(f, "context.clock_source", "unknown"),
                ctx_text(f, "context.clock_note", "no note"),
                num(a, sizeof(a), "%.1f", ctx_num(f, "timer_overhead_ns")));
    machine_row(out, "cost floor", "%s ns per hit (the cache lookup alone, first cell)",
                num(a, sizeof(a), "%.1f", ctx_num(f, "floor_ns_per_hit")));
    machine_row(out, "object sizes", "result %s; task %s; pending task %s; pooled source %s",
                object_size(f, "vresult", a, sizeof(a)), object_size(f, "task", b, sizeof(b)),
                object_size(f, "task_pending", c, sizeof(c)),
                object_size(f, "source", e, sizeof(e)));
    fputs("\n", out);
    /* Timings from a busy machine are noisy; say so where the reader looks. */
    if (isfinite(load1) && isfinite(cpus) && cpus > 0 && load1 > 0.25 * cpus)
        fprintf(out, "> **Noisy machine:** the 1-minute load average was %.2f on %.0f CPUs "
                     "when the run started, so other work competed with it: expect wide "
                     "confidence intervals and treat small differences in time as noise.\n\n",
                load1, cpus);
}

/*
 * The floor (the bare cache lookup) is measured in every cell. When it moves
 * between cells, either the machine changed speed during the run (a VM's
 * host got busy, which no load average inside the VM shows) or the cache's
 * state differs between the cells (misses fill it with entries the hit keys
 * probe past): absolute times of different cells then compare with care,
 * while the ratios between implementations of one cell, measured
 * interleaved, still hold.
 */
static void write_floor_spread(FILE *out, const struct vtb__report_data *d)
{
    double lo = INFINITY, hi = -INFINITY;
    unsigned lo_cell = 0, hi_cell = 0;
    for (size_t r = 0; r < d->nrows; r++) {
        double f = d->rows[r].floor_ns;
        if (!isfinite(f) || f <= 0)
            continue;
        if (f < lo) {
            lo = f;
            lo_cell = d->rows[r].cell;
        }
        if (f > hi) {
            hi = f;
            hi_cell = d->rows[r].cell;
        }
    }
    if (!(hi > 1.3 * lo))
        return;
    fprintf(out,
            "> **The cost floor moved between cells:** the same cache lookup, measured in every "
            "cell, took from %.1f ns (cell %u) to %.1f ns (cell %u), %.2fx. Either the machine "
            "changed speed during the run or the cache's state differs between cells (misses "
            "fill it); compare absolute times of different cells with care. The ratios between "
            "implementations within a cell were measured interleaved and hold either way.\n\n",
            lo, lo_cell, hi, hi_cell, hi / lo);
}

static void write_summary(FILE *out, const struct vtb__report_data *d)
{
    bool varying[VTB__AX_COUNT];

    fputs("## Summary\n\n"
          "One row per cell and implementation. ns/op: mean of the repetitions with its 95% "
          "confidence interval; p50/p99/p99.9: latency of a call from issue to consumption "
          "(all calls); bytes/op: bytes handed out by the allocator (jemalloc usable sizes "
          "when available); allocs/op: allocations at the library's own sites.\n\n| cell |",
          out);
    for (int a = 0; a < VTB__AX_COUNT; a++) {
        varying[a] = vtb__report_axis_distinct(d, a) >= 2;
        if (varying[a])
            fprintf(out, " %s |", vtb__report_axes[a].label);
    }
    fputs(" hits | impl | ns/op | 95% CI | p50 ns | p99 ns | p99.9 ns | bytes/op | allocs/op |\n"
          "|---:|",
          out);
    for (int a = 0; a < VTB__AX_COUNT; a++)
        if (varying[a])
            fputs("---|", out);
    fputs("---:|---|---:|---|---:|---:|---:|---:|---:|\n", out);
    for (size_t r = 0; r < d->nrows; r++) {
        const struct vtb__report_row *row = &d->rows[r];
        char v[9][48];

        fprintf(out, "| %u |", row->cell);
        for (int a = 0; a < VTB__AX_COUNT; a++)
            if (varying[a]) {
                fputc(' ', out);
                md_cell(out, row->axis[a][0] != '\0' ? row->axis[a] : "-");
                fputs(" |", out);
            }
        fprintf(out, " %s%% | ", num(v[0], sizeof(v[0]), "%.1f", 100.0 * row->hit_ratio));
        md_cell(out, row->impl);
        if (row->errors > 0)
            fprintf(out, " (**%.0f errors**)", row->errors);
        fprintf(out, " | %s | [%s, %s] | %s | %s | %s | %s | %s |\n",
                num(v[1], sizeof(v[1]), "%.2f", row->ns),
                num(v[2], sizeof(v[2]), "%.2f", row->ci_low),
                num(v[3], sizeof(v[3]), "%.2f", row->ci_high),
                num(v[4], sizeof(v[4]), "%.0f", row->p50_ns),
                num(v[5], sizeof(v[5]), "%.0f", row->p99_ns),
                num(v[6], sizeof(v[6]), "%.0f", row->p999_ns),
                num(v[7], sizeof(v[7]), "%.1f",
                    isfinite(row->bytes_per_op) ? row->bytes_per_op
                                                : row->requested_bytes_per_op),
                num(v[8], sizeof(v[8]), "%.3f", row->allocs_per_op));
    }
    fputs("\n", out);
}

static void write_charts(FILE *out, const struct vtb_report_outcome *outcome)
{
    fputs("## Charts\n\n", out);
    for (unsigned k = 0; k < outcome->chart_count; k++) {
        const struct vtb_report_chart *c = &outcome->charts[k];

        fprintf(out, "### %s\n\n", c->title);
        if (c->drawn)
            fprintf(out, "![%s](%s.svg)\n\n%s. ([PNG](%s.png))\n\n", c->title, c->name,
                    c->note, c->name);
        else
            fprintf(out, "Skipped: %s.\n\n", c->note);
    }
}

/* ---- The articles' claims ---- */

enum verdict { NOT_MEASURED, CONFIRMED, REFUTED, NOT_COMPARABLE };

struct claim_result {
    enum verdict verdict;
    char measured[384];
    char why[384];
};

struct claim_ctx {
    const struct vtb__report_data *d;
    const struct json_flat *f;
    bool multi_threaded; /* the claims slice has no one-thread cell */
};

static void say(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, 384, fmt, ap);
    va_end(ap);
}

/* The row of impl at hit ratio h, or NULL with the claim marked as not
 * measured (and why). */
static const struct vtb__report_row *need(const struct claim_ctx *cx, const char *impl, double h,
                                          struct claim_result *res)
{
    const struct vtb__report_row *row = vtb__report_claim_row(cx->d, impl, h);
    bool impl_ran = false;

    if (row != NULL)
        return row;
    for (size_t i = 0; i < cx->d->nimpls; i++)
        impl_ran = impl_ran || strcmp(cx->d->impls[i], impl) == 0;
    res->verdict = NOT_MEASURED;
    if (!impl_ran)
        say(res->why, "%s was not run", impl);
    else if (vtb__report_axis_distinct(cx->d, VTB__AX_HIT_RATIO) == 0)
        say(res->why, "this run sets no hit ratio (emergent mode), so there is no cell at "
                      "hit ratio %g", h);
    else
        say(res->why, "no cell at hit ratio %g", h);
    return NULL;
}

static double bytes_of(const struct vtb__report_row *r)
{
    return isfinite(r->bytes_per_op) ? r->bytes_per_op : r->requested_bytes_per_op;
}

/* Megabytes (10^6 bytes) allocated by 1,000,000 calls. */
static double mb_per_million(const struct vtb__report_row *r)
{
    return r->ops > 0 ? r->total_alloc_bytes / r->ops : NAN;
}

static bool ci_overlap(const struct vtb__report_row *a, const struct vtb__report_row *b)
{
    return a->ci_low <= b->ci_high && b->ci_low <= a->ci_high;
}

static bool near(double measured, double claimed, double tolerance)
{
    return fabs(measured - claimed) <= tolerance * claimed;
}

/* Within this fraction of the articles' figure counts as "the same". */
#define CLAIM_TOLERANCE 0.30

static void claim_task_allocates(const struct claim_ctx *cx, struct claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 1.0, res);
    double task = ctx_num(cx->f, "object_sizes.task.bytes");
    double usable = ctx_num(cx->f, "object_sizes.task.usable_bytes");
    char sizes[128] = "";

    if (a == NULL)
        return;
    if (isfinite(task) && isfinite(usable))
        snprintf(sizes, sizeof(sizes), " (%.0f-byte task, %.0f-byte jemalloc size class)", task,
                 usable);
    say(res->measured, "alloc-task allocs/op at hit ratio 1 = %.3f, %.0f bytes/op%s",
        a->allocs_per_op, bytes_of(a), sizes);
    if (a->allocs_per_op < 0.99) {
        res->verdict = REFUTED;
        say(res->why, "a hit allocated only %.3f times per call", a->allocs_per_op);
    } else if (fabs(bytes_of(a) - 32) < 0.5 || fabs(bytes_of(a) - 72) < 0.5) {
        res->verdict = CONFIRMED;
        say(res->why, "every hit allocates one task, of the articles' size (%.0f B)",
            bytes_of(a));
    } else {
        res->verdict = CONFIRMED;
        say(res->why, "every hit allocates one task; the size differs: %.0f B, not 32/72 B",
            bytes_of(a));
    }
}

static void claim_value_task_sync_free(const struct claim_ctx *cx, struct claim_result *res)
{
    const struct vtb__report_row *v = need(cx, "value-task", 1.0, res);
    double result = ctx_num(cx->f, "object_sizes.vresult.bytes");

    if (v == NULL)
        return;
    say(res->measured, "value-task at hit ratio 1: %.3f allocs/op, %.1f bytes/op",
        v->allocs_per_op, bytes_of(v));
    if (v->allocs_per_op < 0.001 && bytes_of(v) < 0.5) {
        res->verdict = CONFIRMED;
        if (isfinite(result))
            say(res->why, "a hit returns the value inside the %.0f-byte result, with no "
                          "allocation", result);
        else
            say(res->why, "a hit returns the value by value, with no allocation");
    } else {
        res->verdict = REFUTED;
        say(res->why, "a synchronous completion still allocated %.3f times per call",
            v->allocs_per_op);
    }
}

static void claim_async_same_alloc(const struct claim_ctx *cx, struct claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 0.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 0.0, res) : NULL;
    double ab, vb;

    if (v == NULL)
        return;
    ab = bytes_of(a);
    vb = bytes_of(v);
    say(res->measured, "at hit ratio 0: value-task %.0f bytes/op (%.3f allocs/op) vs "
                       "alloc-task %.0f bytes/op (%.3f allocs/op)",
        vb, v->allocs_per_op, ab, a->allocs_per_op);
    if (vb >= ab - 0.5 && vb <= ab * 1.15 + 0.5) {
        res->verdict = CONFIRMED;
        if (near(vb, 72, 0.12) || near(vb, 80, 0.12))
            say(res->why, "both allocate one task per miss, of about the articles' size");
        else
            say(res->why, "both allocate one task per miss; the size differs: %.0f B, not "
                          "72/80 B", vb);
    } else {
        res->verdict = REFUTED;
        say(res->why, "value-task allocates %.0f B per miss against alloc-task's %.0f B", vb,
            ab);
    }
}

/* The articles' hit speed-up of value-task over a task: 3x and 10x. */
#define HIT_SPEEDUP_LOW 3.0

static void claim_hit_speed(const struct claim_ctx *cx, struct claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 1.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 1.0, res) : NULL;
    double ratio, lo, hi;

    if (v == NULL)
        return;
    /* The speed-up and the range the two confidence intervals allow. */
    ratio = a->ns / v->ns;
    lo = v->ci_high > 0 ? a->ci_low / v->ci_high : NAN;
    hi = v->ci_low > 0 ? a->ci_high / v->ci_low : INFINITY;
    say(res->measured, "at hit ratio 1: alloc-task %.1f ns [%.1f, %.1f] vs value-task %.1f ns "
                       "[%.1f, %.1f]: %.2fx (%.2fx to %.2fx within the 95%% CIs)",
        a->ns, a->ci_low, a->ci_high, v->ns, v->ci_low, v->ci_high, ratio, lo, hi);
    if (cx->multi_threaded) {
        res->verdict = NOT_COMPARABLE;
        say(res->why, "the articles measured one thread; this run has no one-thread cell");
    } else if (ci_overlap(a, v)) {
        res->verdict = REFUTED;
        say(res->why, "no significant difference: the 95%% confidence intervals overlap");
    } else if (hi >= HIT_SPEEDUP_LOW) {
        res->verdict = CONFIRMED;
        say(res->why, "value-task is %.1fx faster on a hit, within reach of the articles' 3x "
                      "to 10x given the CIs; absolute ns are not comparable across machines "
                      "and runtimes", ratio);
    } else if (ratio > 1) {
        res->verdict = REFUTED;
        say(res->why, "value-task is faster, but by %.1fx (at most %.1fx within the CIs), not "
                      "the articles' 3x to 10x", ratio, hi);
    } else {
        res->verdict = REFUTED;
        say(res->why, "value-task is slower on a hit (%.2fx)", ratio);
    }
}

static void claim_miss_speed(const struct claim_ctx *cx, struct claim_result *res)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", 0.0, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", 0.0, res) : NULL;
    double ratio;

    if (v == NULL)
        return;
    ratio = v->ns / a->ns;
    say(res->measured, "at hit ratio 0: alloc-task %.1f ns [%.1f, %.1f] vs value-task %.1f ns "
                       "[%.1f, %.1f]",
        a->ns, a->ci_low, a->ci_high, v->ns, v->ci_low, v->ci_high);
    if (cx->multi_threaded) {
        res->verdict = NOT_COMPARABLE;
        say(res->why, "the articles measured one thread; this run has no one-thread cell");
    } else if (ci_overlap(a, v) || fabs(ratio - 1) <= 0.10) {
        res->verdict = CONFIRMED;
        say(res->why, "the same cost within noise (value-task/alloc-task %.2f); a miss here "
                      "costs more than 55 ns because it completes on a later loop turn",
            ratio);
    } else {
        res->verdict = REFUTED;
        say(res->why, "value-task is %.0f%% %s than alloc-task on a miss, beyond the noise",
            fabs(ratio - 1) * 100, ratio < 1 ? "cheaper" : "dearer");
    }
}

static void claim_total(const struct claim_ctx *cx, struct claim_result *res, double h,
                        double task_mb, double value_mb)
{
    const struct vtb__report_row *a = need(cx, "alloc-task", h, res);
    const struct vtb__report_row *v = a != NULL ? need(cx, "value-task", h, res) : NULL;
    double am, vm;

    if (v == NULL)
        return;
    am = mb_per_million(a);
    vm = mb_per_million(v);
    if (a->ops == 1e6)
        say(res->measured, "alloc-task %.1f MB, value-task %.1f MB per 1,000,000 calls (one "
                           "repetition is 1,000,000 calls)",
            am, vm);
    else
        say(res->measured, "alloc-task %.1f MB, value-task %.1f MB per 1,000,000 calls (one "
                           "repetition of %.0f calls, scaled x 1,000,000 / %.0f)",
            am, vm, a->ops, a->ops);
    if (near(am, task_mb, CLAIM_TOLERANCE) &&
        (value_mb > 0 ? near(vm, value_mb, CLAIM_TOLERANCE) : vm < 0.05)) {
        res->verdict = CONFIRMED;
        say(res->why, "both totals are within %.0f%% of the articles'", CLAIM_TOLERANCE * 100);
    } else if (value_mb == 0 && vm < 0.05) {
        res->verdict = REFUTED;
        say(res->why, "value-task allocates nothing, as claimed, but alloc-task allocates "
                      "%.1f MB, %.1fx the articles' %.0f MB (%.0f B per call)",
            am, am / task_mb, task_mb, am);
    } else {
        res->verdict = REFUTED;
        say(res->why, "the totals are %.1fx and %.1fx the articles'; value-task saves %.0f%% "
                      "(articles: %.0f%%)",
            am / task_mb, value_mb > 0 ? vm / value_mb : NAN, am > 0 ? 100 * (1 - vm / am) : 0,
            100 * (1 - value_mb / task_mb));
    }
}

static void claim_total_80(const struct claim_ctx *cx, struct claim_result *res)
{
    claim_total(cx, res, 0.8, 25, 6);
}

static void claim_total_100(const struct claim_ctx *cx, struct claim_result *res)
{
    claim_total(cx, res, 1.0, 30, 0);
}

static void claim_pooled_async(const struct claim_ctx *cx, struct claim_result *res)
{
    const struct vtb__report_row *p = need(cx, "pooled", 0.0, res);

    if (p == NULL)
        return;
    say(res->measured, "pooled at hit ratio 0: %.3f allocs/op, %.1f bytes/op",
        p->allocs_per_op, bytes_of(p));
    if (p->allocs_per_op < 0.001 && bytes_of(p) < 0.5) {
        res->verdict = CONFIRMED;
        say(res->why, "every call misses and rents a source from the pool: nothing is "
                      "allocated after warm-up");
    } else {
        res->verdict = REFUTED;
        say(res->why, "the pooled miss path still allocated %.3f times per call",
            p->allocs_per_op);
    }
}

static void claim_break_even(const struct claim_ctx *cx, struct claim_result *res)
{
    unsigned cells[256];
    size_t n = vtb__report_claim_cells(cx->d, cells, 256);
    struct vtb__report_crossings x;
    int nx = vtb__report_crossings(cx->d, cells, n, "alloc-task", "value-task", &x);
    double up = NAN;

    if (nx < 0) {
        res->verdict = NOT_MEASURED;
        say(res->why, "needs at least two hit ratios with alloc-task and value-task");
        return;
    }
    for (int k = 0; k < nx; k++)
        if (x.upward[k])
            up = x.at[k];
    say(res->measured, "cost ratio alloc-task/value-task from %.2f (at hit ratio %g) to %.2f "
                       "(at %g) over %zu hit ratios%s",
        x.min_ratio, x.min_at, x.max_ratio, x.max_at, x.points,
        nx > 0 ? "; crosses 1.0" : "; never crosses 1.0 beyond the noise");
    if (nx > 0) {
        size_t len = strlen(res->measured);
        for (int k = 0; k < nx; k++) {
            int w = snprintf(res->measured + len, sizeof(res->measured) - len, "%s %s at %.2f",
                             k > 0 ? "," : "", x.upward[k] ? "upward" : "downward", x.at[k]);
            if (w < 0 || (size_t)w >= sizeof(res->measured) - len)
                break;
            len += (size_t)w;
        }
    }
    if (cx->multi_threaded) {
        res->verdict = NOT_COMPARABLE;
        say(res->why, "the articles measured one thread; this run has no one-thread cell");
    } else if (isfinite(up) && up >= 0.6 && up <= 0.8) {
        res->verdict = CONFIRMED;
        say(res->why, "value-task becomes the cheaper choice at a hit ratio of %.2f", up);
    } else if (isfinite(up)) {
        res->verdict = REFUTED;
        say(res->why, "value-task becomes the cheaper choice at a hit ratio of %.2f, not 0.7",
            up);
    } else if (x.below == 0) {
        res->verdict = REFUTED;
        say(res->why, "value-task is never slower beyond the noise: cheaper at %zu of %zu hit "
                      "ratios and within the 95%% CIs at the rest, so there is no threshold",
            x.above, x.points);
    } else if (x.above == 0) {
        res->verdict = REFUTED;
        say(res->why, "value-task is not cheaper beyond the noise at any hit ratio measured");
    } else {
        res->verdict = REFUTED;
        say(res->why, "value-task is cheaper at low hit ratios and dearer at high ones, the "
                      "opposite of the rule");
    }
}

static const struct claim {
    const char *text;
    const char *articles;
    void (*eval)(const struct claim_ctx *cx, struct claim_result *res);
} claims[] = {
    {"Task allocates on every call, even a cache hit", "32 B per call in one article, ~72 B "
     "in another", claim_task_allocates},
    {"ValueTask allocates nothing on a synchronous completion", "0 B",
     claim_value_task_sync_free},
    {"On the async path ValueTask costs the same as Task (or slightly more)", "~72 B vs ~80 B",
     claim_async_same_alloc},
    {"Cache hit: Task vs ValueTask", "50 ns vs 5 ns (10x); another article: 12.5 ns / 72 B "
     "vs 4.2 ns / 0 B", claim_hit_speed},
    {"Cache miss: Task vs ValueTask", "55 ns vs 55 ns", claim_miss_speed},
    {"1,000,000 calls at 80% hit rate", "Task ~25 MB, ValueTask ~6 MB allocated",
     claim_total_80},
    {"1,000,000 calls, all hits", "Task ~30 MB, ValueTask 0 MB", claim_total_100},
    {"Pooled IValueTaskSource: zero allocation on the async path too", "0 B",
     claim_pooled_async},
    {"Break-even: use ValueTask when the hit rate is above 70%", "70%", claim_break_even},
};

static const char *verdict_name(enum verdict v)
{
    switch (v) {
    case CONFIRMED:
        return "confirmed";
    case REFUTED:
        return "refuted";
    case NOT_COMPARABLE:
        return "not comparable";
    default:
        return "not measured in this run";
    }
}

static void write_claims(FILE *out, const struct vtb__report_data *d, const struct json_flat *f)
{
    struct vtb__report_slice s;
    struct claim_ctx cx = {d, f, false};
    char held[VTB_REPORT_NOTE_MAX];
    const char *threads = NULL;

    vtb__report_slice_init(d, &s, VTB__AX_HIT_RATIO, -1, false);
    vtb__report_slice_describe(&s, held, sizeof(held));
    threads = s.fixed[VTB__AX_THREADS];
    if (threads == NULL && d->ncells > 0)
        threads = d->rows[d->cells[0].first_row].axis[VTB__AX_THREADS];
    cx.multi_threaded = threads != NULL && threads[0] != '\0' && strtod(threads, NULL) > 1;

    fputs("## The articles' claims\n\n", out);
    fprintf(out, "Each claim of the .NET articles (see `background.md`) against the cells of "
                 "this run at the hit ratio it concerns%s%s. MB = 10^6 bytes; totals for "
                 "1,000,000 calls are total_alloc_bytes of one repetition x 1,000,000 / ops. "
                 "Verdicts are computed from the figures, with a %.0f%% tolerance on sizes "
                 "and totals and the 95%% confidence intervals on times.\n\n",
            held[0] != '\0' ? ", held at " : "", held, CLAIM_TOLERANCE * 100);
    fputs("| claim | articles | measured here | verdict |\n|---|---|---|---|\n", out);
    for (size_t k = 0; k < sizeof(claims) / sizeof(claims[0]); k++) {
        struct claim_result res;

        memset(&res, 0, sizeof(res));
        claims[k].eval(&cx, &res);
        fputs("| ", out);
        md_cell(out, claims[k].text);
        fputs(" | ", out);
        md_cell(out, claims[k].articles);
        fputs(" | ", out);
        md_cell(out, res.verdict == NOT_MEASURED ? "not measured in this run" : res.measured);
        fprintf(out, " | **%s**: ", verdict_name(res.verdict));
        md_cell(out, res.why);
        fputs(" |\n", out);
    }
    fputs("\n", out);
}

int vtb__report_md_write(const struct vtb__report_data *d,
                         const struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    struct vtb_atomic_file af = {0};
    struct json_flat f;
    char path[VTB_REPORT_PATH_MAX + 32];
    const char *ctx_error;
    int rc;

    snprintf(path, sizeof(path), "%s/context.json", d->run_dir);
    ctx_error = json_flat_read(path, &f);
    if (ctx_error != NULL)
        f.n = 0; /* a half-read context is not shown */
    rc = vtb_atomic_file_open(&af, outcome->out_dir, "report.md", err);
    if (rc != 0)
        goto out_free;
    write_header(af.fp, d, &f, ctx_error);
    write_machine(af.fp, &f);
    write_floor_spread(af.fp, d);
    write_summary(af.fp, d);
    write_charts(af.fp, outcome);
    write_claims(af.fp, d, &f);
    rc = vtb_atomic_file_commit(&af, err);

out_free:
    free(f.items);
    return rc;
}
