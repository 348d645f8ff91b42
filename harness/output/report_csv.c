/*
 * The "csv" reporter: results.csv, one row per cell x implementation, the
 * file that gnuplot and `vtbench compare` read. Header and rows both come
 * from the column table of csv_columns.h, which this file also defines,
 * together with the RFC 4180 field writers that samples.csv and
 * percentiles.csv share.
 */
#include "csv_columns.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "csv_files.h"
#include "stats.h"
#include "types.h"

#define VTB__CSV_FIELD(cname, ctype, member, cformat)                                        \
    {                                                                                         \
        .name = #cname,                                                                       \
        .type = VTB_CSV_##ctype,                                                              \
        .offset = offsetof(struct vtb_record, member),                                        \
        .size = sizeof(((const struct vtb_record *)0)->member),                               \
        .format = cformat,                                                                    \
    },
#define VTB__CSV_AXIS(kname, ctype, ktype, kdefault, kmin, kmax, kflags, kcolumn, ...)        \
    {.name = kcolumn, .type = VTB_CSV_AXIS, .key = &vtb_scenario_keys[VTB_KEY_##kname]},
#define VTB__CSV_NONE(...)

const struct vtb_csv_column vtb_csv_columns[VTB_CSV_COLUMN_COUNT] = {
    VTB__CSV_FIELD(scenario, TEXT, scenario, NULL)
    VTB__CSV_FIELD(impl, TEXT, impl, NULL)
    {.name = "cell_index", .type = VTB_CSV_U64, .offset = offsetof(struct vtb_record, cell.index),
     .size = sizeof(size_t)},
    VTB_SCENARIO_KEYS(VTB__CSV_AXIS, VTB__CSV_NONE)
    VTB_CSV_COLUMNS(VTB__CSV_FIELD)
};
#undef VTB__CSV_AXIS
#undef VTB__CSV_NONE

_Static_assert(sizeof(size_t) == sizeof(uint64_t), "cell_index is written as a U64 column");

/*
 * The column types must match the record: a column reads its field through
 * an offset, so a wrong type would read garbage without a compiler warning.
 * _Generic makes the compiler check it instead (a text field decays to
 * char *; WARNINGS is an unsigned bit set; CPUS a pointer to masks).
 */
#define VTB__CSV_FIELD_TYPE(member)                                  \
    _Generic((((struct vtb_record *)0)->member),                     \
             char *: VTB_CSV_TEXT,                                   \
             unsigned: VTB_CSV_UNSIGNED,                             \
             uint64_t: VTB_CSV_U64,                                  \
             double: VTB_CSV_REAL,                                   \
             bool: VTB_CSV_BOOL,                                     \
             const vtb_cpu_mask *: VTB_CSV_CPUS)
#define VTB__CSV_CHECK(cname, ctype, member, cformat)                                    \
    _Static_assert(VTB__CSV_FIELD_TYPE(member) ==                                         \
                       (VTB_CSV_##ctype == VTB_CSV_WARNINGS ? VTB_CSV_UNSIGNED            \
                                                            : VTB_CSV_##ctype),           \
                   "csv column " #cname ": type does not match the record field");
VTB_CSV_COLUMNS(VTB__CSV_CHECK)
#undef VTB__CSV_CHECK
#undef VTB__CSV_FIELD_TYPE
#undef VTB__CSV_FIELD

const struct vtb_csv_column *vtb_csv_column_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++)
        if (strcmp(vtb_csv_columns[i].name, name) == 0)
            return &vtb_csv_columns[i];
    return NULL;
}

static int stream_status(FILE *out)
{
    return ferror(out) ? VTB_EIO : 0;
}

int vtb_csv_write_text(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return stream_status(out);
    }
    fputc('"', out);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
    return stream_status(out);
}

int vtb_csv_write_real(FILE *out, double v, const char *format)
{
    if (isnan(v))
        return stream_status(out);
    if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", out);
    else
        fprintf(out, format, v);
    return stream_status(out);
}

const char *vtb_csv_format_cpus(const struct vtb_record *rec, char *buf, size_t size)
{
    static const char cut[] = "...";
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; rec->worker_cpus != NULL && i < rec->cell.threads; i++) {
        vtb_cpu_mask m = rec->worker_cpus[i];
        char one[256];
        size_t n = 0;
        one[0] = '\0';
        if (m == 0)
            n = (size_t)snprintf(one, sizeof(one), "?"); /* never ran a job */
        for (int cpu = 0; cpu < 64; cpu++)
            if (m & (UINT64_C(1) << cpu))
                n += (size_t)snprintf(one + n, sizeof(one) - n, n == 0 ? "%d" : "+%d", cpu);
        if (len + (i > 0) + n + 1 > size) {
            if (size >= sizeof(cut))
                snprintf(buf + size - sizeof(cut), sizeof(cut), "%s", cut);
            return buf;
        }
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i > 0 ? " " : "", one);
    }
    return buf;
}

static int write_cpus(FILE *out, const struct vtb_record *rec)
{
    char text[1024];
    fputs(vtb_csv_format_cpus(rec, text, sizeof(text)), out);
    return stream_status(out);
}

static int write_axis(FILE *out, const struct vtb_key *k, const struct vtb_record *rec)
{
    const void *value = vtb_key_in_cell_const(k, &rec->cell);
    char text[VTB_AXIS_TEXT_MAX];
    if (k->type->absent != NULL && k->type->absent(value))
        return stream_status(out);
    return vtb_csv_write_text(out, k->type->format(k, value, text, sizeof(text)));
}

int vtb_csv_write_field(FILE *out, const struct vtb_csv_column *col,
                        const struct vtb_record *rec)
{
    const char *field = (const char *)rec + col->offset;

    switch (col->type) {
    case VTB_CSV_TEXT: {
        /* The record's text fields are NUL-terminated within their arrays;
         * bound the read anyway so a corrupt record cannot overrun. */
        char text[VTB_RECORD_TEXT];
        size_t n = strnlen(field, col->size);
        if (n >= sizeof(text))
            n = sizeof(text) - 1;
        memcpy(text, field, n);
        text[n] = '\0';
        return vtb_csv_write_text(out, text);
    }
    case VTB_CSV_UNSIGNED: {
        unsigned v;
        memcpy(&v, field, sizeof(v));
        fprintf(out, "%u", v);
        return stream_status(out);
    }
    case VTB_CSV_U64: {
        uint64_t v;
        memcpy(&v, field, sizeof(v));
        fprintf(out, "%" PRIu64, v);
        return stream_status(out);
    }
    case VTB_CSV_REAL: {
        double v;
        memcpy(&v, field, sizeof(v));
        return vtb_csv_write_real(out, v, col->format);
    }
    case VTB_CSV_BOOL: {
        bool v;
        memcpy(&v, field, sizeof(v));
        fputs(v ? "true" : "false", out);
        return stream_status(out);
    }
    case VTB_CSV_WARNINGS: {
        unsigned bits;
        char text[256];
        memcpy(&bits, field, sizeof(bits));
        /* A truncated description (VTB_ERANGE) is still worth writing. */
        vtb_stats_warnings_describe(bits, text, sizeof(text));
        return vtb_csv_write_text(out, text);
    }
    case VTB_CSV_CPUS:
        return write_cpus(out, rec);
    case VTB_CSV_AXIS:
        return write_axis(out, col->key, rec);
    }
    return VTB_EINVAL;
}

int vtb_csv_write_header(FILE *out)
{
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++) {
        if (i > 0)
            fputc(',', out);
        vtb_csv_write_text(out, vtb_csv_columns[i].name);
    }
    fputs(VTB_CSV_EOL, out);
    return stream_status(out);
}

int vtb_csv_write_row(FILE *out, const struct vtb_record *rec)
{
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++) {
        if (i > 0)
            fputc(',', out);
        vtb_csv_write_field(out, &vtb_csv_columns[i], rec);
    }
    fputs(VTB_CSV_EOL, out);
    return stream_status(out);
}

