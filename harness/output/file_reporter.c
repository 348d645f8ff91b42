/*
 * The shared lifecycle of one-file reporters (see file_reporter.h).
 */
#include "file_reporter.h"

static int checked(struct vtb_file_reporter *r, int rc, struct vtb_error *err)
{
    if (rc == 0)
        rc = vtb_atomic_file_check(&r->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&r->file);
    return rc;
}

int vtb_file_reporter_begin(void *state, const struct vtb_file_format *format,
                            const struct vtb_run_info *info, struct vtb_error *err)
{
    struct vtb_file_reporter *r = state;
    r->format = format;
    int rc = vtb_atomic_file_open(&r->file, info->run_dir, format->file_name, err);
    if (rc != 0)
        return rc;
    if (format->header != NULL)
        rc = format->header(state, r->file.fp, info, err);
    return checked(r, rc, err);
}

int vtb_file_reporter_cell(void *state, const struct vtb_run_info *info,
                           const struct vtb_record *records, size_t count, struct vtb_error *err)
{
    struct vtb_file_reporter *r = state;
    (void)info;
    if (r->file.fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "%s: not open", r->format->file_name);
    return checked(r, r->format->cell(state, r->file.fp, records, count, err), err);
}

int vtb_file_reporter_finish(void *state, const struct vtb_run_info *info,
                             struct vtb_error *err)
{
    struct vtb_file_reporter *r = state;
    if (r->file.fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "%s: not open", r->format->file_name);
    int rc = r->format->footer != NULL ? r->format->footer(state, r->file.fp, info, err) : 0;
    rc = checked(r, rc, err);
    return rc != 0 ? rc : vtb_atomic_file_close(&r->file, err);
}

int vtb_file_reporter_publish(void *state, struct vtb_error *err)
{
    struct vtb_file_reporter *r = state;
    return vtb_atomic_file_publish(&r->file, err);
}

void vtb_file_reporter_abort(void *state)
{
    struct vtb_file_reporter *r = state;
    vtb_atomic_file_abort(&r->file);
}
