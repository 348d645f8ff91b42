/*
 * The run directory's writer (see run_writer.h).
 */
#include "run_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vtb_run_writer_init(struct vtb_run_writer *w, int argc, char *const *argv, bool journal)
{
    memset(w, 0, sizeof(*w));
    w->argc = argc;
    w->argv = argv;
    w->journaling = journal;
    w->journal.fd = -1;
}

int vtb_run_writer_add(struct vtb_run_writer *w, const struct vtb_reporter_ops *ops,
                       const void *config, struct vtb_error *err)
{
    struct vtb_reporter_slot *grown = realloc(w->slots, (w->count + 1) * sizeof(*grown));
    if (grown == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    w->slots = grown;
    struct vtb_reporter_slot *slot = &w->slots[w->count];
    memset(slot, 0, sizeof(*slot));
    slot->ops = ops;
    slot->config = config;
    if (ops->state_size > 0 && (slot->state = calloc(1, ops->state_size)) == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    w->count++;
    return 0;
}

static bool is_file(const struct vtb_reporter_slot *slot)
{
    return slot->ops->kind == VTB_REPORTER_FILE;
}

/* A reporter that failed: its output is discarded; a display's failure is
 * remembered for the caller to report once. */
static void slot_failed(struct vtb_run_writer *w, struct vtb_reporter_slot *slot,
                        const struct vtb_error *error)
{
    slot->failed = true;
    slot->error = *error;
    if (slot->ops->abort != NULL)
        slot->ops->abort(slot->state);
    if (!is_file(slot) && !w->display_failed) {
        w->display_failed = true;
        w->display_error = *error;
    }
}

static int writer_begin(void *ctx, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct vtb_run_writer *w = ctx;
    if (w->journaling) {
        int rc = vtb_journal_create(&w->journal, info->run_dir, err);
        if (rc != 0) {
            w->journal_failed = true;
            return rc;
        }
        w->journal_open = true;
        w->journal_created = true;
    }
    for (size_t i = 0; i < w->count; i++) {
        struct vtb_reporter_slot *slot = &w->slots[i];
        struct vtb_error e;
        vtb_error_clear(&e);
        int rc = slot->ops->begin(slot->state, slot->config, info, &e);
        if (rc != 0) {
            slot_failed(w, slot, &e);
            if (is_file(slot)) {
                if (err != NULL)
                    *err = e;
                return rc;
            }
            continue;
        }
        slot->begun = true;
    }
    return 0;
}

static int note_cell(struct vtb_run_writer *w, const struct vtb_record *records, size_t count)
{
    if (count == 0)
        return 0;
    if (w->cell_count == w->cell_capacity) {
        size_t cap = w->cell_capacity ? 2 * w->cell_capacity : 64;
        struct vtb_cell_note *grown = realloc(w->cells, cap * sizeof(*grown));
        if (grown == NULL)
            return VTB_ENOMEM;
        w->cells = grown;
        w->cell_capacity = cap;
    }
    vtb_cell_note_from(&w->cells[w->cell_count++], &records[0]);
    return 0;
}

/* The journal first: once a cell is in it, a crash cannot lose it. */
static int writer_cell(void *ctx, const struct vtb_run_info *info,
                       const struct vtb_record *records, size_t count, struct vtb_error *err)
{
    struct vtb_run_writer *w = ctx;
    if (w->journal_open) {
        int rc = vtb_journal_append(&w->journal, records, count, err);
        if (rc != 0) {
            w->journal_open = false;
            w->journal_failed = true;
            w->cell_failed = true;
            return rc;
        }
        w->cells_journaled++;
    }
    if (note_cell(w, records, count) != 0) {
        w->cell_failed = true;
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    for (size_t i = 0; i < w->count; i++) {
        struct vtb_reporter_slot *slot = &w->slots[i];
        if (!slot->begun || slot->failed)
            continue;
        struct vtb_error e;
        vtb_error_clear(&e);
        int rc = slot->ops->cell(slot->state, info, records, count, &e);
        if (rc == 0)
            continue;
        slot_failed(w, slot, &e);
        if (is_file(slot)) {
            w->cell_failed = true;
            if (err != NULL)
                *err = e;
            return rc;
        }
    }
    w->cells_written++;
    return 0;
}

/* Finishes, then publishes, every file reporter that is still good. */
static void finish_files(struct vtb_run_writer *w, const struct vtb_run_info *info)
{
    for (int publish = 0; publish < 2; publish++) {
        for (size_t i = 0; i < w->count; i++) {
            struct vtb_reporter_slot *slot = &w->slots[i];
            if (!is_file(slot) || !slot->begun || slot->failed)
                continue;
            struct vtb_error e;
            vtb_error_clear(&e);
            int rc = publish ? slot->ops->publish(slot->state, &e)
                             : slot->ops->finish(slot->state, info, &e);
            if (rc != 0)
                slot_failed(w, slot, &e);
        }
    }
}

/* What context.json says about each file reporter; returns the number of
 * failures and the first one's message in *first. */
static size_t output_statuses(const struct vtb_run_writer *w, struct vtb_output_status *out,
                              const char **first)
{
    size_t failures = 0;
    *first = NULL;
    for (size_t i = 0, n = 0; i < w->count; i++) {
        const struct vtb_reporter_slot *slot = &w->slots[i];
        if (!is_file(slot))
            continue;
        out[n].reporter = slot->ops->name;
        out[n].ok = slot->begun && !slot->failed;
        snprintf(out[n].error, sizeof(out[n].error), "%s",
                 slot->failed ? slot->error.message : out[n].ok ? "" : "never started");
        if (!out[n].ok && failures++ == 0)
            *first = out[n].error;
        n++;
    }
    return failures;
}

static size_t file_count(const struct vtb_run_writer *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->count; i++)
        n += is_file(&w->slots[i]);
    return n;
}

/* context.json, last: complete only when the run and every file are. */
static int write_context(struct vtb_run_writer *w, const struct vtb_run_info *info,
                         struct vtb_error *err)
{
    struct vtb_output_status *outputs = calloc(file_count(w) + 1, sizeof(*outputs));
    if (outputs == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    const char *first_failure;
    size_t failures = output_statuses(w, outputs, &first_failure);
    char reason[VTB_ERROR_MESSAGE_MAX * 2];
    struct vtb_context_status st = {
        .complete = info->complete && failures == 0 && !w->journal_failed,
        .outputs = outputs,
        .output_count = file_count(w),
        .argc = w->argc,
        .argv = w->argv,
        .cells = w->cells,
        .cell_count = w->cell_count,
    };
    if (!info->complete) {
        st.status = strstr(info->status_note, "interrupted") != NULL ? "interrupted" : "failed";
        snprintf(reason, sizeof(reason), "%u of %u cells done: %s", info->cells_done,
                 info->cell_count, info->status_note);
    } else if (failures > 0 || w->journal_failed) {
        st.status = "outputs failed";
        snprintf(reason, sizeof(reason), "%zu output file(s) not written: %s", failures,
                 first_failure != NULL ? first_failure : "the journal failed");
    } else {
        st.status = "complete";
    }
    st.reason = st.complete ? NULL : reason;
    st.journal_kept = !st.complete && w->journaling && !w->journal_failed;
    int rc = vtb_context_json_write(info, &st, err);
    w->context_written = rc == 0;
    if (rc != 0 && err != NULL)
        w->context_error = *err;
    else if (rc != 0)
        vtb_error_set(&w->context_error, rc, "%s", vtb_strerror(rc));
    w->complete = rc == 0 && st.complete;
    /* The first failure's text lives in outputs: report it before freeing. */
    if (rc == 0 && failures > 0)
        rc = vtb_error_set(err, VTB_EIO, "%s", first_failure);
    free(outputs);
    return rc;
}

static void finish_displays(struct vtb_run_writer *w, const struct vtb_run_info *info)
{
    for (size_t i = 0; i < w->count; i++) {
        struct vtb_reporter_slot *slot = &w->slots[i];
        if (is_file(slot) || !slot->begun || slot->failed)
            continue;
        struct vtb_error e;
        vtb_error_clear(&e);
        if (slot->ops->finish(slot->state, info, &e) != 0)
            slot_failed(w, slot, &e);
        else
            slot->finished = true;
    }
}

static int writer_end(void *ctx, const struct vtb_run_info *run_info, struct vtb_error *err)
{
    struct vtb_run_writer *w = ctx;
    /* The cells done are the cells the outputs hold: one the run finished
     * but the journal or a file could not take is not among them. */
    struct vtb_run_info held = *run_info;
    const struct vtb_run_info *info = &held;
    if (w->cell_failed && w->cells_written < held.cells_done)
        held.cells_done = w->cells_written;
    finish_files(w, info);
    int rc = write_context(w, info, err);
    if (w->journal_open) {
        vtb_journal_close(&w->journal, w->complete);
        w->journal_open = false;
    }
    /* The summary last, once the files are safe. */
    finish_displays(w, info);
    return rc;
}

void vtb_run_writer_sink(struct vtb_run_writer *w, struct vtb_record_sink *sink)
{
    sink->begin = writer_begin;
    sink->cell = writer_cell;
    sink->end = writer_end;
    sink->ctx = w;
}

void vtb_run_writer_fini(struct vtb_run_writer *w)
{
    for (size_t i = 0; i < w->count; i++) {
        struct vtb_reporter_slot *slot = &w->slots[i];
        if (slot->ops->abort != NULL && slot->state != NULL)
            slot->ops->abort(slot->state);
        free(slot->state);
    }
    if (w->journal_open)
        vtb_journal_close(&w->journal, false);
    free(w->slots);
    free(w->cells);
    memset(w, 0, sizeof(*w));
}
