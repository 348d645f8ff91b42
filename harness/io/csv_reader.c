/*
 * The RFC 4180 reader behind csv_reader.h. A first pass counts the commas
 * and line feeds, which bounds the number of fields and rows, so the index
 * is allocated once. The second decodes the bytes in place: unquoting
 * only ever shrinks text (a quote pair becomes one quote, the enclosing
 * quotes and the CR of a CRLF vanish, a delimiter becomes the field's
 * NUL), so the decoded text is written behind the read position in the
 * same buffer and no field needs an allocation of its own. Runs of plain
 * bytes are found with a lookup table and moved at once.
 */
#include "csv_reader.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

_Static_assert(VTB_CSV_MAX_BYTES < UINT32_MAX, "field offsets into the text are 32-bit");

/* The bytes that end a run of plain text outside quotes (the delimiters, a
 * CR that may start a CRLF, a quote, NUL) and inside quotes (a quote that
 * may close the field, a LF that moves the line count on, NUL). */
static const unsigned char stop_plain[256] = {['\0'] = 1, [','] = 1, ['\n'] = 1, ['\r'] = 1,
                                              ['"'] = 1};
static const unsigned char stop_quoted[256] = {['\0'] = 1, ['\n'] = 1, ['"'] = 1};

/* A UTF-8 byte-order mark: a spreadsheet's "CSV UTF-8" export starts with
 * one, and read as text it would become part of the first column's name. */
static const char utf8_bom[3] = {'\xEF', '\xBB', '\xBF'};

struct parser {
    char *buf;          /* the file's bytes; decoded text is written over them */
    size_t w;           /* end of the decoded text; never past the read position */
    size_t field_start; /* where the current field's decoded text starts */
    uint32_t *fields;   /* offsets of the finished fields, all records in order */
    size_t count;
    size_t *lines; /* the line each data record starts on */
    size_t line_count;
    size_t records, width; /* width: the header's, once it has ended */
    size_t col;            /* fields of the current record so far */
    const char *const *wanted; /* NULL: every column; else the names to keep */
    unsigned char *keep;       /* per column of the header: kept (after the header) */
    const char *name;
    struct vtb_error *err;
};

/* The bytes of a word equal to the byte repeated in pattern, as 1 in the
 * low bit of each such byte: in x with those bytes made zero, the mask has
 * the high bit set in exactly the zero bytes (no carry crosses a byte). */
static uint64_t bytes_equal(uint64_t word, uint64_t pattern)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;
    uint64_t x = word ^ pattern;
    return ~(((x & low7) + low7) | x | low7) >> 7;
}

/* Counts the commas and line feeds of data[0, n), eight bytes at a time
 * (one multiplication adds a word's ones up). The arrays are sized before
 * the parse, so this pass is paid on every file. */
static void count_ends(const char *data, size_t n, size_t *commas, size_t *lfs)
{
    const uint64_t ones = 0x0101010101010101u, comma = ones * ',', lf = ones * '\n';
    size_t c = 0, l = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, data + i, sizeof(word));
        c += (size_t)((bytes_equal(word, comma) * ones) >> 56);
        l += (size_t)((bytes_equal(word, lf) * ones) >> 56);
    }
    for (; i < n; i++) {
        c += data[i] == ',';
        l += data[i] == '\n';
    }
    *commas = c;
    *lfs = l;
}

/*
 * Sizes the arrays of offsets and lines once, for the most fields and
 * records the text can hold: a field ends at a comma or a LF, a record at
 * a LF (those inside quotes only make the bound loose), and the last of
 * each may end at the end of the text instead. Growing them by doubling
 * would copy them several times and leave the old copies to the allocator:
 * for a large results file, tens of megabytes more at the peak.
 */
static int size_arrays(struct parser *p, size_t begin, size_t size)
{
    size_t commas, lfs;
    count_ends(p->buf + begin, size - begin, &commas, &lfs);
    p->fields = malloc((commas + lfs + 1) * sizeof(*p->fields));
    p->lines = malloc((lfs + 1) * sizeof(*p->lines));
    if (p->fields == NULL || p->lines == NULL)
        return vtb_error_set(p->err, VTB_ENOMEM, "%s: out of memory", p->name);
    return 0;
}

/* Ends the current field: its NUL goes where its delimiter was. A field
 * of a column the caller did not ask for is dropped: its decoded text is
 * given back and no offset is kept, so a projected table costs what its
 * columns hold. */
static void end_field(struct parser *p)
{
    bool keep = p->keep == NULL || (p->col < p->width && p->keep[p->col]);
    if (keep) {
        p->buf[p->w++] = '\0';
        p->fields[p->count++] = (uint32_t)p->field_start;
    } else {
        p->w = p->field_start;
    }
    p->field_start = p->w;
    p->col++;
}

static bool is_wanted(const struct parser *p, const char *name)
{
    for (size_t i = 0; p->wanted[i] != NULL; i++)
        if (strcmp(p->wanted[i], name) == 0)
            return true;
    return false;
}

/* After the header: which of its columns to keep, and the header itself
 * cut down to them. */
static int project_header(struct parser *p)
{
    p->keep = calloc(p->width > 0 ? p->width : 1, 1);
    if (p->keep == NULL)
        return vtb_error_set(p->err, VTB_ENOMEM, "%s: out of memory", p->name);
    size_t kept = 0;
    for (size_t c = 0; c < p->width; c++)
        if ((p->keep[c] = is_wanted(p, p->buf + p->fields[c])) != 0)
            p->fields[kept++] = p->fields[c];
    p->count = kept;
    return 0;
}

/* Ends a record that started at field first on line: checks its width
 * against the header's. */
static int end_record(struct parser *p, size_t first, size_t line)
{
    size_t n = p->col;
    (void)first;
    p->col = 0;
    if (p->records == 0) {
        if (n > VTB_CSV_MAX_COLUMNS)
            return vtb_error_set(p->err, VTB_ERANGE, "%s:%zu: more than %u columns", p->name,
                                 line, VTB_CSV_MAX_COLUMNS);
        p->width = n;
        if (p->wanted != NULL) {
            int rc = project_header(p);
            if (rc != 0)
                return rc;
        }
    } else {
        if (n != p->width)
            return vtb_error_set(p->err, VTB_ESYNTAX,
                                 "%s:%zu: row has %zu fields, the header has %zu", p->name, line,
                                 n, p->width);
        p->lines[p->line_count++] = line;
    }
    p->records++;
    return 0;
}

/* Moves the plain bytes [from, to) of the input to the end of the text,
 * which is never after from. Most runs are a field of a few bytes, cheaper
 * to move by hand than by a call; copying forward is safe because the
 * text ends before the run starts. */
static void copy_run(struct parser *p, size_t from, size_t to)
{
    size_t n = to - from;
    if (p->w != from) {
        if (n <= 16)
            for (size_t k = 0; k < n; k++)
                p->buf[p->w + k] = p->buf[from + k];
        else
            memmove(p->buf + p->w, p->buf + from, n);
    }
    p->w += n;
}

/* Decodes buf[begin, size) in place; buf has room for size + 1 bytes (the
 * NUL of a last field without a line end). */
static int decode(struct parser *p, size_t begin, size_t size)
{
    char *buf = p->buf;
    size_t i = begin, line = 1, record_line = 1, record_first = 0;
    bool in_quotes = false, after_quote = false, field_started = false;
    int rc;
    while (i < size) {
        size_t run = i;
        if (in_quotes) {
            while (i < size && !stop_quoted[(unsigned char)buf[i]])
                i++;
            copy_run(p, run, i);
            if (i == size)
                break;
            if (buf[i] == '\0')
                return vtb_error_set(p->err, VTB_ESYNTAX, "%s:%zu: NUL byte (not a text file)",
                                     p->name, line);
            if (buf[i] == '\n') {
                line++;
                buf[p->w++] = buf[i++];
            } else if (i + 1 < size && buf[i + 1] == '"') {
                buf[p->w++] = '"'; /* a doubled quote is one quote */
                i += 2;
            } else {
                in_quotes = false;
                after_quote = true;
                i++;
            }
            continue;
        }
        while (i < size && !stop_plain[(unsigned char)buf[i]])
            i++;
        if (i > run) {
            if (after_quote)
                goto out_after_quote;
            copy_run(p, run, i);
            field_started = true;
            if (i == size)
                break;
        }
        switch (buf[i]) {
        case '\0':
            return vtb_error_set(p->err, VTB_ESYNTAX, "%s:%zu: NUL byte (not a text file)",
                                 p->name, line);
        case ',':
            end_field(p);
            after_quote = false;
            field_started = true;
            i++;
            break;
        case '\r':
            if (i + 1 < size && buf[i + 1] == '\n') {
                i++; /* CRLF: the LF ends the record */
                break;
            }
            /* A lone CR is data. */
            if (after_quote)
                goto out_after_quote;
            buf[p->w++] = buf[i++];
            field_started = true;
            break;
        case '\n':
            end_field(p);
            if ((rc = end_record(p, record_first, record_line)) != 0)
                return rc;
            record_first = p->count;
            after_quote = false;
            field_started = false;
            line++;
            record_line = line;
            i++;
            break;
        default: /* a quote */
            if (after_quote)
                goto out_after_quote;
            if (p->w > p->field_start)
                return vtb_error_set(p->err, VTB_ESYNTAX,
                                     "%s:%zu: quote inside an unquoted field", p->name, line);
            in_quotes = true;
            field_started = true;
            i++;
            break;
        }
    }
    if (in_quotes)
        return vtb_error_set(p->err, VTB_ESYNTAX,
                             "%s:%zu: unterminated quoted field (opened on line %zu)", p->name,
                             line, record_line);
    if (p->w > p->field_start || field_started || after_quote) {
        /* The last record had no line end. */
        end_field(p);
        if ((rc = end_record(p, record_first, record_line)) != 0)
            return rc;
    }
    if (p->records == 0)
        return vtb_error_set(p->err, VTB_ESYNTAX, "%s:1: no header row", p->name);
    return 0;

out_after_quote:
    return vtb_error_set(p->err, VTB_ESYNTAX,
                         "%s:%zu: text after a closing quote (quote the whole field)", p->name,
                         line);
}

/* FNV-1a: column names are short and few. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of name in the table's name hash: where it is, or the free
 * slot where it would go. */
static size_t name_slot(const struct vtb_csv_table *t, const char *name)
{
    size_t i = name_hash(name) & t->names_mask;
    while (t->names[i] != 0 && strcmp(t->text + t->fields[t->names[i] - 1], name) != 0)
        i = (i + 1) & t->names_mask;
    return i;
}

/* Builds the hash of the header's names, refusing a name given twice: a
 * lookup by name must have one answer. */
static int index_names(struct vtb_csv_table *t, const char *name, struct vtb_error *err)
{
    size_t slots = 2;
    while (slots < 2 * t->columns)
        slots *= 2;
    t->names = calloc(slots, sizeof(*t->names));
    if (t->names == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", name);
    t->names_mask = slots - 1;
    for (size_t c = 0; c < t->columns; c++) {
        const char *column = t->text + t->fields[c];
        size_t slot = name_slot(t, column);
        if (t->names[slot] != 0)
            return vtb_error_set(err, VTB_ESYNTAX, "%s:1: duplicate column '%s'", name, column);
        t->names[slot] = (uint32_t)(c + 1);
    }
    return 0;
}

/* Returns memory a block no longer needs; keeps the block when the system
 * will not shrink it. */
static void *shrink(void *block, size_t bytes)
{
    void *smaller = realloc(block, bytes > 0 ? bytes : 1);
    return smaller != NULL ? smaller : block;
}

/* Parses size bytes at buf (which has room for size + 1) into table, taking
 * buf over: it becomes the table's text, or is freed on error. wanted: the
 * columns to keep (NULL: all). */
static int parse_owned(char *buf, size_t size, const char *name, const char *const *wanted,
                       struct vtb_csv_table *table, struct vtb_error *err)
{
    memset(table, 0, sizeof(*table));
    size_t begin = size >= sizeof(utf8_bom) && memcmp(buf, utf8_bom, sizeof(utf8_bom)) == 0
                       ? sizeof(utf8_bom)
                       : 0;
    if (size == begin) {
        free(buf);
        return vtb_error_set(err, VTB_ESYNTAX, "%s:1: empty file (expected a header row)", name);
    }
    struct parser p = {.buf = buf, .name = name, .err = err, .wanted = wanted};
    int rc = size_arrays(&p, begin, size);
    if (rc == 0)
        rc = decode(&p, begin, size);
    free(p.keep);
    if (rc != 0)
        goto out_error;
    table->columns = p.count / (p.records > 0 ? p.records : 1);
    table->rows = p.records - 1;
    table->text = shrink(p.buf, p.w);
    table->fields = shrink(p.fields, p.count * sizeof(*p.fields));
    table->row_lines = shrink(p.lines, p.line_count * sizeof(*p.lines));
    table->source = strdup(name);
    if (table->source == NULL) {
        vtb_csv_free(table);
        return vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", name);
    }
    if ((rc = index_names(table, name, err)) != 0) {
        vtb_csv_free(table);
        return rc;
    }
    return 0;

out_error:
    free(p.buf);
    free(p.fields);
    free(p.lines);
    memset(table, 0, sizeof(*table));
    return rc;
}

int vtb_csv_parse(const char *data, size_t size, const char *name, struct vtb_csv_table *table,
                  struct vtb_error *err)
{
    memset(table, 0, sizeof(*table));
    if (size > VTB_CSV_MAX_BYTES)
        return vtb_error_set(err, VTB_ERANGE, "%s: larger than %u bytes", name, VTB_CSV_MAX_BYTES);
    if (size == 0)
        return vtb_error_set(err, VTB_ESYNTAX, "%s:1: empty file (expected a header row)", name);
    char *buf = malloc(size + 1);
    if (buf == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", name);
    memcpy(buf, data, size);
    return parse_owned(buf, size, name, NULL, table, err);
}

int vtb_csv_read_columns(const char *path, const char *const *columns,
                         struct vtb_csv_table *table, struct vtb_error *err)
{
    memset(table, 0, sizeof(*table));
    char *data = NULL;
    size_t len = 0;
    /* The buffer read has room for a NUL after the last byte, which is all
     * an in-place parse needs: the file is never copied. */
    int rc = vtb_file_read_all(path, VTB_CSV_MAX_BYTES, &data, &len, err);
    if (rc != 0)
        return rc;
    return parse_owned(data, len, path, columns, table, err);
}

int vtb_csv_read(const char *path, struct vtb_csv_table *table, struct vtb_error *err)
{
    return vtb_csv_read_columns(path, NULL, table, err);
}

void vtb_csv_free(struct vtb_csv_table *table)
{
    free(table->text);
    free(table->fields);
    free(table->names);
    free(table->row_lines);
    free(table->source);
    memset(table, 0, sizeof(*table));
}

long vtb_csv_column(const struct vtb_csv_table *table, const char *name)
{
    if (table->names == NULL)
        return -1;
    uint32_t found = table->names[name_slot(table, name)];
    return found != 0 ? (long)found - 1 : -1;
}

const char *vtb_csv_header(const struct vtb_csv_table *table, size_t column)
{
    return column < table->columns ? table->text + table->fields[column] : NULL;
}

const char *vtb_csv_cell(const struct vtb_csv_table *table, size_t row, size_t column)
{
    if (row >= table->rows || column >= table->columns)
        return "";
    return table->text + table->fields[(row + 1) * table->columns + column];
}

/*
 * Reads the numbers vtbench writes most ("20000", "303.517": digits, maybe
 * a point and more digits, at most 15 digits in all) without strtod, which
 * costs several times more. The result is strtod's to the last bit: the
 * digits make an integer below 2^53 and the power of ten is exact, so the
 * one division rounds correctly (Clinger's fast path). Anything else
 * (a sign, an exponent, more digits) is left to strtod.
 */
static bool simple_decimal(const char *text, double *out)
{
    static const double powers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    uint64_t mantissa = 0;
    size_t digits = 0, fraction = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        mantissa = mantissa * 10 + (uint64_t)(*p - '0');
    if (digits == 0)
        return false;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, fraction++)
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
    if (*p != '\0' || digits > 15)
        return false;
    *out = (double)mantissa / powers[fraction];
    return true;
}

int vtb_csv_real(const struct vtb_csv_table *table, size_t row, size_t column, double *out,
                 struct vtb_error *err)
{
    const char *text = vtb_csv_cell(table, row, column);
    if (text[0] == '\0') {
        *out = NAN;
        return 0;
    }
    if (simple_decimal(text, out))
        return 0;
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE) {
        const char *header = vtb_csv_header(table, column);
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: %s: not a number: '%.40s'", table->source,
                             row < table->rows ? table->row_lines[row] : 0,
                             header != NULL ? header : "?", text);
    }
    *out = value;
    return 0;
}

int vtb_csv_require(const struct vtb_csv_table *table, const char *const *required,
                    struct vtb_error *err)
{
    for (size_t i = 0; required[i] != NULL; i++)
        if (vtb_csv_column(table, required[i]) < 0)
            return vtb_error_set(err, VTB_ESYNTAX, "%s:1: missing column '%s'", table->source,
                                 required[i]);
    return 0;
}
