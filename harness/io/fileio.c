/*
 * The bounded, interruptible whole-file read behind fileio.h, and the two
 * helpers of messages (a path shortened, a text with its control
 * characters escaped).
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often a wait for input looks at the stop flag. */
#define POLL_INTERVAL_MS 50

/* vtb_file_set_stop_flag's flag, for vtb_file_read_all. */
static volatile sig_atomic_t *process_stop;

void vtb_file_set_stop_flag(volatile sig_atomic_t *stop)
{
    process_stop = stop;
}

static bool stopped(volatile sig_atomic_t *stop)
{
    return stop != NULL && *stop != 0;
}

/* Opens path for reading. A FIFO without a writer blocks in open(2); a
 * signal (the run's handlers do not restart calls) ends that with EINTR. */
static int open_input(const char *path, volatile sig_atomic_t *stop, int *fd, int *os_errno)
{
    for (;;) {
        if (stopped(stop))
            return VTB_EINTR;
        *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (*fd >= 0)
            return 0;
        *os_errno = errno;
        if (errno == EINTR)
            return stop != NULL ? VTB_EINTR : VTB_EIO;
        return errno == ENOENT ? VTB_ENOTFOUND : VTB_EIO;
    }
}

/* Waits until fd has input, polling the stop flag. */
static int wait_readable(int fd, volatile sig_atomic_t *stop, int *os_errno)
{
    for (;;) {
        if (stopped(stop))
            return VTB_EINTR;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, stop != NULL ? POLL_INTERVAL_MS : -1);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR) {
            *os_errno = errno;
            return VTB_EIO;
        }
    }
}

static int read_fd(int fd, size_t max_bytes, volatile sig_atomic_t *stop, char **out,
                   size_t *size, int *os_errno)
{
    struct stat st;
    /* Regular files and directories never block; waiting is for FIFOs,
     * sockets and terminals. */
    bool may_block = fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        /* A large regular file takes a while too. */
        if (stopped(stop)) {
            free(data);
            return VTB_EINTR;
        }
        if (len + 1 >= cap) {
            if (cap > max_bytes) {
                free(data);
                return VTB_ERANGE;
            }
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(data, cap);
            if (grown == NULL) {
                free(data);
                return VTB_ENOMEM;
            }
            data = grown;
        }
        int rc = may_block ? wait_readable(fd, stop, os_errno) : 0;
        ssize_t n = rc == 0 ? read(fd, data + len, cap - len - 1) : -1;
        if (n < 0 && rc == 0 && errno == EINTR)
            rc = stopped(stop) ? VTB_EINTR : 0;
        else if (n < 0 && rc == 0) {
            *os_errno = errno;
            rc = VTB_EIO;
        }
        if (rc != 0) {
            free(data);
            return rc;
        }
        if (n == 0)
            break;
        if (n > 0)
            len += (size_t)n;
        if (len > max_bytes) {
            free(data);
            return VTB_ERANGE;
        }
    }
    data[len] = '\0';
    *out = data;
    *size = len;
    return 0;
}

int vtb_file_read_bounded(const char *path, size_t max_bytes, volatile sig_atomic_t *stop,
                          char **out, size_t *size, int *os_errno)
{
    int fd = -1, ignored = 0;
    if (os_errno == NULL)
        os_errno = &ignored;
    *os_errno = 0;
    int rc = open_input(path, stop, &fd, os_errno);
    if (rc != 0)
        return rc;
    rc = read_fd(fd, max_bytes, stop, out, size, os_errno);
    close(fd);
    return rc;
}

int vtb_file_read_all(const char *path, size_t max_bytes, char **out, size_t *size,
                      struct vtb_error *err)
{
    int fd = -1, e = 0;
    char brief[VTB_PATH_BRIEF_MAX];
    vtb_path_brief(path, brief, sizeof(brief));
    int rc = open_input(path, process_stop, &fd, &e);
    if (rc == 0) {
        rc = read_fd(fd, max_bytes, process_stop, out, size, &e);
        close(fd);
    } else if (rc != VTB_EINTR) {
        return vtb_error_set(err, VTB_EIO, "%s: cannot open: %s", brief, strerror(e));
    }
    switch (rc) {
    case 0:
        return 0;
    case VTB_EINTR:
        return vtb_error_set(err, rc, "%s: interrupted", brief);
    case VTB_ERANGE:
        return vtb_error_set(err, rc, "%s: larger than %zu bytes", brief, max_bytes);
    case VTB_ENOMEM:
        return vtb_error_set(err, rc, "%s: out of memory reading it", brief);
    default:
        return vtb_error_set(err, VTB_EIO, "%s: read error%s%s", brief, e != 0 ? ": " : "",
                             e != 0 ? strerror(e) : "");
    }
}

const char *vtb_path_brief(const char *path, char *buf, size_t size)
{
    size_t len = strlen(path);
    if (size == 0)
        return buf;
    if (len < size) {
        memcpy(buf, path, len + 1);
        return buf;
    }
    /* Keep a third of the room for the start and the rest for the end,
     * which holds the file name. */
    size_t head = (size - 4) / 3, tail = size - 4 - head;
    snprintf(buf, size, "%.*s...%s", (int)head, path, path + len - tail);
    return buf;
}

const char *vtb_text_escape(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        bool control = *p < 0x20 || *p == 0x7f;
        size_t need = control ? 4 : 1;
        if (used + need >= size)
            break;
        if (control)
            used += (size_t)snprintf(buf + used, size - used, "\\x%02x", *p);
        else
            buf[used++] = (char)*p;
    }
    buf[used] = '\0';
    return buf;
}
