/*
 * Write-to-temporary-then-rename output files (see atomic_file.h).
 *
 * The FILE* is a glibc cookie stream over our own file descriptor rather
 * than fdopen's, for two reasons: the first errno of a failed write is kept
 * here (stdio only keeps a sticky error flag, and errno is long overwritten
 * by the time a report is finished), and a test can make writes fail at an
 * exact byte without filling a real disk.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The descriptor behind one stream and what went wrong with it. */
struct vtb__atomic_sink {
    int fd;
    int errno_value;      /* first failure, 0 if none */
    bool injected;        /* opened while failure injection was on */
};

/*
 * Failure injection: like a real disk, one budget of bytes shared by every
 * file opened while it is on, so that a test can let the first files of a
 * reporter succeed and a later one fail. Files opened before it was turned
 * on are not affected.
 */
static bool inject_on;
static long long inject_remaining;
static int inject_errno;

void vtb_atomic_file_inject_failure(long long after_bytes, int errno_value)
{
    inject_on = after_bytes >= 0;
    inject_remaining = after_bytes;
    inject_errno = errno_value != 0 ? errno_value : EIO;
}

static int error_from_errno(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
        return VTB_ENOSPC;
    case ENOMEM:
        return VTB_ENOMEM;
    case EEXIST:
        return VTB_EEXIST;
    case ENAMETOOLONG:
        return VTB_ERANGE;
    default:
        return VTB_EIO;
    }
}

/*
 * stdio's write callback. A short count makes glibc set the stream's error
 * flag, so a failure is seen by ferror as well as recorded here. Writes keep
 * failing once one has: a file with a hole in the middle is worse than a
 * truncated one, and it will be removed anyway.
 */
static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
    struct vtb__atomic_sink *s = cookie;
    size_t done = 0;

    while (done < size && s->errno_value == 0) {
        size_t chunk = size - done;
        ssize_t n;

        if (s->injected) {
            if (inject_remaining <= 0) {
                s->errno_value = inject_errno;
                break;
            }
            if ((unsigned long long)inject_remaining < chunk)
                chunk = (size_t)inject_remaining;
        }
        n = write(s->fd, buf + done, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* A regular file never accepts 0 bytes of a non-empty write
             * without an error; treat it as one rather than loop. */
            s->errno_value = n < 0 ? errno : EIO;
            break;
        }
        done += (size_t)n;
        if (s->injected)
            inject_remaining -= n;
    }
    if (s->errno_value != 0)
        errno = s->errno_value;
    return (ssize_t)done;
}

static int sink_close(void *cookie)
{
    struct vtb__atomic_sink *s = cookie;

    /* Linux releases the descriptor even when close reports an error (NFS
     * can report a deferred write failure here), so it is never retried. */
    if (close(s->fd) != 0 && s->errno_value == 0)
        s->errno_value = errno;
    s->fd = -1;
    return s->errno_value != 0 ? -1 : 0;
}

static int set_path(char *out, const char *dir, const char *name, const char *suffix)
{
    size_t len = strlen(dir);
    const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
    int n = snprintf(out, VTB_ATOMIC_FILE_PATH_MAX, "%s%s%s%s", dir, sep, name, suffix);
    return n < 0 || n >= VTB_ATOMIC_FILE_PATH_MAX ? VTB_ERANGE : 0;
}

int vtb_atomic_file_open(struct vtb_atomic_file *af, const char *dir, const char *name,
                         struct vtb_error *err)
{
    static const cookie_io_functions_t io = {
        .read = NULL,
        .write = sink_write,
        .seek = NULL,
        .close = sink_close,
    };
    struct vtb__atomic_sink *sink;
    int rc;

    if (af == NULL || dir == NULL || name == NULL || dir[0] == '\0' || name[0] == '\0' ||
        strchr(name, '/') != NULL)
        return vtb_error_set(err, VTB_EINVAL, "atomic file: bad directory or file name");
    memset(af, 0, sizeof(*af));
    if (set_path(af->path, dir, name, "") != 0 || set_path(af->tmp_path, dir, name, ".tmp") != 0)
        return vtb_error_set(err, VTB_ERANGE, "%s/%s: path too long", dir, name);

    sink = calloc(1, sizeof(*sink));
    if (sink == NULL)
        return vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", af->path);
    sink->injected = inject_on;

    sink->fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (sink->fd < 0) {
        int e = errno;
        rc = vtb_error_set(err, error_from_errno(e), "%s: cannot create: %s", af->tmp_path,
                           strerror(e));
        goto out_free_sink;
    }
    af->tmp_exists = true;

    af->fp = fopencookie(sink, "w", io);
    if (af->fp == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, "%s: cannot open a stream: out of memory",
                           af->tmp_path);
        goto out_unlink;
    }
    af->sink = sink;
    return 0;

out_unlink:
    close(sink->fd);
    unlink(af->tmp_path);
    af->tmp_exists = false;
out_free_sink:
    free(sink);
    return rc;
}

static int write_error(const struct vtb_atomic_file *af, int e, struct vtb_error *err)
{
    return vtb_error_set(err, error_from_errno(e), "%s: write failed: %s", af->path,
                         strerror(e));
}

int vtb_atomic_file_check(struct vtb_atomic_file *af, struct vtb_error *err)
{
    if (af == NULL || af->fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "atomic file: not open");
    if (af->sink->errno_value != 0)
        return write_error(af, af->sink->errno_value, err);
    if (ferror(af->fp))
        return write_error(af, EIO, err);
    return 0;
}

int vtb_atomic_file_close(struct vtb_atomic_file *af, struct vtb_error *err)
{
    struct vtb__atomic_sink *sink;
    int e = 0;

    if (af == NULL || af->fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "atomic file: not open");
    sink = af->sink;

    /* Data only reaches the sink on a flush, so check after it; an error
     * flag without a recorded errno (a stdio-level failure) counts as EIO. */
    if (fflush(af->fp) != 0 || ferror(af->fp))
        e = sink->errno_value != 0 ? sink->errno_value : EIO;
    /* Without fsync a crash after the rename could publish an empty file:
     * the rename may reach the disk before the data does. */
    if (e == 0 && fsync(sink->fd) != 0)
        e = errno;
    if (fclose(af->fp) != 0 && e == 0)
        e = sink->errno_value != 0 ? sink->errno_value : EIO;
    af->fp = NULL;
    af->sink = NULL;
    free(sink);

    if (e != 0) {
        int rc = write_error(af, e, err);
        vtb_atomic_file_abort(af);
        return rc;
    }
    return 0;
}

/* fsyncs the directory holding path; EINVAL means the file system cannot
 * sync directories, which is not a failure of ours. */
static int sync_parent_dir(const char *path)
{
    char dir[VTB_ATOMIC_FILE_PATH_MAX];
    const char *slash = strrchr(path, '/');
    int fd, e = 0;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    if (fsync(fd) != 0 && errno != EINVAL)
        e = errno;
    close(fd);
    return e;
}

int vtb_atomic_file_rename(struct vtb_atomic_file *af, struct vtb_error *err)
{
    if (af == NULL || af->fp != NULL || !af->tmp_exists)
        return vtb_error_set(err, VTB_ESTATE, "atomic file: not closed");
    if (rename(af->tmp_path, af->path) != 0) {
        int e = errno;
        vtb_atomic_file_abort(af);
        return vtb_error_set(err, error_from_errno(e), "%s: cannot rename into place: %s",
                             af->path, strerror(e));
    }
    af->tmp_exists = false;
    return 0;
}

int vtb_atomic_dir_sync(const char *path_in_dir, struct vtb_error *err)
{
    int e = sync_parent_dir(path_in_dir);
    if (e != 0)
        return vtb_error_set(err, error_from_errno(e), "%s: cannot sync its directory: %s",
                             path_in_dir, strerror(e));
    return 0;
}

int vtb_atomic_file_publish(struct vtb_atomic_file *af, struct vtb_error *err)
{
    int rc = vtb_atomic_file_rename(af, err);
    if (rc != 0)
        return rc;
    rc = vtb_atomic_dir_sync(af->path, err);
    if (rc != 0) {
        /* All or nothing: a file whose rename may not survive a crash is
         * withdrawn, like one whose data failed to reach the disk. */
        unlink(af->path);
    }
    return rc;
}

int vtb_atomic_file_commit(struct vtb_atomic_file *af, struct vtb_error *err)
{
    int rc = vtb_atomic_file_close(af, err);
    return rc != 0 ? rc : vtb_atomic_file_publish(af, err);
}

void vtb_atomic_file_abort(struct vtb_atomic_file *af)
{
    if (af == NULL)
        return;
    if (af->fp != NULL) {
        fclose(af->fp); /* errors are moot: the file is being discarded */
        af->fp = NULL;
        free(af->sink);
        af->sink = NULL;
    }
    if (af->tmp_exists) {
        unlink(af->tmp_path);
        af->tmp_exists = false;
    }
}
