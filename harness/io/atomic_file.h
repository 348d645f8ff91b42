/*
 * Write-to-temporary-then-rename output files, used by every file reporter.
 *
 * A reader of a run directory (a plotting script, `vtbench compare`, a CI
 * upload) must never see half a file: a crash, a full disk or an interrupted
 * run either leaves the complete file under its final name or nothing at
 * all. So a file is written as DIR/NAME.tmp (created exclusively, never
 * clobbering anything), and only once every byte has been written, flushed
 * and fsync'ed is it renamed to DIR/NAME. Any write error, including one that
 * only surfaces at the final flush, is reported with the file's name and the
 * temporary is removed.
 *
 * The stream handed out is a stdio FILE* (so that formatters such as
 * vtb_hgrm_write work unchanged) whose writes go through this module, which
 * is what lets a test inject a full disk at an exact byte: see
 * vtb_atomic_file_inject_failure. Linux/glibc only (fopencookie).
 */
#ifndef VTB_ATOMIC_FILE_H
#define VTB_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "vtb/error.h"

/* Room for a run directory (struct vtb_run_info.run_dir is 512 bytes), a
 * slash, a file name and the ".tmp" suffix. */
#define VTB_ATOMIC_FILE_PATH_MAX 1024

struct vtb__atomic_sink;

/*
 * One output file. Caller-owned; zero it (or use = {0}) before use. After
 * open, write to fp with stdio; fp is NULL before open and after commit,
 * close or abort.
 */
struct vtb_atomic_file {
    FILE *fp;
    char path[VTB_ATOMIC_FILE_PATH_MAX];     /* final name, DIR/NAME */
    char tmp_path[VTB_ATOMIC_FILE_PATH_MAX]; /* DIR/NAME.tmp */
    struct vtb__atomic_sink *sink;           /* private: the fd and error state */
    bool tmp_exists;                         /* tmp_path is ours to rename or remove */
};

/*
 * Creates DIR/NAME.tmp exclusively (O_CREAT|O_EXCL, mode 0644 before umask)
 * and opens af->fp on it for writing. name must not contain '/'. af must
 * not be open (zeroed, committed or aborted); it is reset here.
 * Returns 0; VTB_EINVAL (NULL argument, empty or slashed name); VTB_ERANGE
 * (path too long); VTB_EEXIST (the temporary already exists: another
 * writer, or debris of a crashed run); VTB_ENOSPC; VTB_ENOMEM; VTB_EIO
 * (anything else the OS refused). The message in err names the file.
 */
int vtb_atomic_file_open(struct vtb_atomic_file *af, const char *dir, const char *name,
                         struct vtb_error *err);

/*
 * Returns the error of the first write that failed so far (VTB_ENOSPC or
 * VTB_EIO, with the file's name in err), or 0. Does not flush: it lets a
 * reporter stop early instead of formatting a long run into a full disk;
 * data still buffered is checked by close/commit.
 */
int vtb_atomic_file_check(struct vtb_atomic_file *af, struct vtb_error *err);

/*
 * Finishes writing without publishing: flushes, checks every earlier write,
 * fsyncs and closes the temporary, which stays under its .tmp name until
 * vtb_atomic_file_publish (or is removed by vtb_atomic_file_abort). For
 * reporters that write many files and publish them together at the end.
 * On failure the temporary is removed. Returns 0, VTB_ENOSPC or VTB_EIO.
 */
int vtb_atomic_file_close(struct vtb_atomic_file *af, struct vtb_error *err);

/*
 * Renames a closed temporary to its final name (then fsyncs the directory
 * so that the rename itself survives a crash). rename(2) replaces an
 * existing file of the final name; reporters only write into a fresh run
 * directory, and the exclusive temporary already keeps two writers apart.
 * On failure the temporary is removed. Returns 0, VTB_ESTATE (not closed)
 * or VTB_EIO.
 */
int vtb_atomic_file_publish(struct vtb_atomic_file *af, struct vtb_error *err);

/*
 * The rename of vtb_atomic_file_publish without the directory sync, for a
 * writer that publishes many files and then syncs their directory once
 * with vtb_atomic_dir_sync. Returns 0, VTB_ESTATE or VTB_EIO.
 */
int vtb_atomic_file_rename(struct vtb_atomic_file *af, struct vtb_error *err);

/* fsyncs the directory that holds path_in_dir (so that renames into it
 * survive a crash). Returns 0 or VTB_EIO with the path in err. */
int vtb_atomic_dir_sync(const char *path_in_dir, struct vtb_error *err);

/* vtb_atomic_file_close followed by vtb_atomic_file_publish. */
int vtb_atomic_file_commit(struct vtb_atomic_file *af, struct vtb_error *err);

/*
 * Discards the file: closes the stream if open and removes the temporary.
 * A published file is left alone. Safe on a zeroed, aborted or committed
 * struct, so cleanup paths can call it unconditionally.
 */
void vtb_atomic_file_abort(struct vtb_atomic_file *af);

/*
 * Test hook: simulates a disk with after_bytes bytes left. Atomic files
 * opened after this call share that budget; a write beyond it fails with
 * errno_value (ENOSPC for a full disk, EIO for a device error), after the
 * bytes that still fit were written. A negative after_bytes switches
 * injection off (the default). Process-wide and not thread-safe: for
 * single-threaded tests only.
 */
void vtb_atomic_file_inject_failure(long long after_bytes, int errno_value);

#endif /* VTB_ATOMIC_FILE_H */
