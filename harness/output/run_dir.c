/*
 * Creating a run directory (see run_dir.h).
 */
#include "run_dir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "atomic_file.h"
#include "fileio.h"

int vtb_run_dir_create(const char *root, const char *name, char *out, size_t size,
                       struct vtb_error *err)
{
    char brief[VTB_PATH_BRIEF_MAX];
    vtb_path_brief(root, brief, sizeof(brief));
    if (mkdir(root, 0777) != 0 && errno != EEXIST)
        return vtb_error_set(err, VTB_EIO, "%s: cannot create results directory: %s", brief,
                             strerror(errno));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    for (unsigned attempt = 1; attempt < 1000; attempt++) {
        int n = attempt == 1 ? snprintf(out, size, "%s/%s-%s", root, stamp, name)
                             : snprintf(out, size, "%s/%s-%s-%u", root, stamp, name, attempt);
        if (n < 0 || (size_t)n >= size)
            return vtb_error_set(err, VTB_ERANGE, "%s: run directory path too long", brief);
        /* mkdir fails on an existing directory: an earlier run is never
         * overwritten, not even by a run started in the same second. */
        if (mkdir(out, 0777) == 0)
            return 0;
        if (errno != EEXIST)
            return vtb_error_set(err, VTB_EIO, "%s: cannot create run directory: %s",
                                 vtb_path_brief(out, brief, sizeof(brief)), strerror(errno));
    }
    return vtb_error_set(err, VTB_EEXIST, "%s: too many runs named %s-%s", brief, stamp, name);
}

int vtb_run_dir_write_scenario(const char *run_dir, const struct vtb_scenario *s,
                               const char *header, struct vtb_error *err)
{
    struct vtb_atomic_file file = {0};
    int rc = vtb_atomic_file_open(&file, run_dir, VTB_SCENARIO_INI_NAME, err);
    if (rc != 0)
        return rc;
    rc = vtb_scenario_write_ini(s, header, file.fp);
    if (rc != 0) {
        vtb_atomic_file_abort(&file);
        return vtb_error_set(err, rc, "%s: cannot write", file.path);
    }
    return vtb_atomic_file_commit(&file, err);
}
