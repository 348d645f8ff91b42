/*
 * The server room (harness/backend): a redis-server started in a private
 * directory on a unix socket and on a free loopback port, answering, loaded
 * and cleaned up under a prefix, described (version, settings), and stopped
 * by its PID with its directory removed; a missing program, a program that
 * exits at once, an interrupted start and a load beyond maxmemory are
 * clean errors that leave nothing behind; and a server never outlives the
 * thread that started it, even when that process is killed with SIGKILL.
 *
 * Every server is started under a TMPDIR of the test's own, so "nothing
 * left behind" is checked by that directory being empty. Waiting for a
 * killed process to be gone is bounded (10 s) and asserts nothing about
 * speed. Skipped (77) without redis-server unless VTB_REQUIRE_REDIS=1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "redis_admin.h"
#include "redis_server.h"
#include "test_redis_support.h"
#include "test_support.h"

static char scratch[256];

/* True when the scratch TMPDIR holds nothing. */
static bool scratch_empty(void)
{
    DIR *d = opendir(scratch);
    assert_non_null(d);
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    return empty;
}

static bool pid_gone(pid_t pid)
{
    return kill(pid, 0) != 0 && errno == ESRCH;
}

static void start_or_fail(struct vtb_redis_server *srv, const struct vtb_redis_server_options *o)
{
    struct vtb_error err;
    vtb_error_clear(&err);
    if (vtb_redis_server_start(srv, o, &err) != 0)
        fail_msg("start: %s", err.message);
}

static void test_unix_socket_server(void **state)
{
    (void)state;
    struct vtb_redis_server srv;
    start_or_fail(&srv, NULL);
    assert_true(srv.pid > 0);
    assert_true(vtb_redis_server_running(&srv));
    assert_true(strncmp(srv.url, "unix:", 5) == 0);
    assert_true(strncmp(srv.dir, scratch, strlen(scratch)) == 0);
    struct stat st;
    assert_int_equal(stat(srv.dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    struct vtb_error err;
    assert_int_equal(vtb_redis_admin_ping(srv.url, 1000000000u, &err), 0);

    /* Described: its version and the settings that were asked for. */
    struct vtb_backend_note note;
    memset(&note, 0, sizeof(note));
    assert_int_equal(vtb_redis_admin_info(srv.url, &note, &err), 0);
    assert_true(note.version[0] >= '1' && note.version[0] <= '9');
    bool saw_save = false, saw_aof = false;
    for (size_t i = 0; i < note.setting_count; i++) {
        if (strcmp(note.settings[i].name, "save") == 0) {
            assert_string_equal(note.settings[i].value, "");
            saw_save = true;
        }
        if (strcmp(note.settings[i].name, "appendonly") == 0) {
            assert_string_equal(note.settings[i].value, "no");
            saw_aof = true;
        }
    }
    assert_true(saw_save && saw_aof);

    /* Loaded and deleted under a prefix: exactly its own keys. */
    assert_int_equal(vtb_redis_admin_load(srv.url, "a:", 2500, NULL, &err), 0);
    assert_int_equal(vtb_redis_admin_load(srv.url, "b:", 10, NULL, &err), 0);
    uint64_t deleted = 0;
    assert_int_equal(vtb_redis_admin_delete(srv.url, "a:", 2500, VTB_REDIS_ADMIN_TIMEOUT_NS, &deleted, &err), 0);
    assert_int_equal(deleted, 2500);
    assert_int_equal(vtb_redis_admin_delete(srv.url, "a:", 2500, VTB_REDIS_ADMIN_TIMEOUT_NS, &deleted, &err), 0);
    assert_int_equal(deleted, 0);
    assert_int_equal(vtb_redis_admin_delete(srv.url, "b:", 10, VTB_REDIS_ADMIN_TIMEOUT_NS, &deleted, &err), 0);
    assert_int_equal(deleted, 10);

    pid_t pid = srv.pid;
    char dir[sizeof(srv.dir)];
    snprintf(dir, sizeof(dir), "%s", srv.dir);
    assert_int_equal(vtb_redis_server_stop(&srv, &err), 0);
    assert_int_equal(srv.pid, 0);
    assert_true(pid_gone(pid));
    assert_true(stat(dir, &st) != 0 && errno == ENOENT);
    assert_true(scratch_empty());
    /* Stopping twice is harmless. */
    assert_int_equal(vtb_redis_server_stop(&srv, &err), 0);
}

static void test_tcp_server(void **state)
{
    (void)state;
    struct vtb_redis_server srv;
    struct vtb_redis_server_options o = {.tcp = true};
    start_or_fail(&srv, &o);
    assert_true(strncmp(srv.url, "redis://127.0.0.1:", 18) == 0);
    struct vtb_error err;
    assert_int_equal(vtb_redis_admin_ping(srv.url, 1000000000u, &err), 0);
    pid_t pid = srv.pid;
    assert_int_equal(vtb_redis_server_stop(&srv, &err), 0);
    assert_true(pid_gone(pid));
    assert_true(scratch_empty());
    /* Nothing answers there any more. */
    assert_int_equal(vtb_redis_admin_ping(srv.url, 200000000u, &err), VTB_EBACKEND);
}

static void test_missing_program(void **state)
{
    (void)state;
    struct vtb_redis_server srv;
    struct vtb_redis_server_options o = {.executable = "vtbench-no-such-redis-server"};
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_redis_server_start(&srv, &o, &err), VTB_ENOTFOUND);
    assert_non_null(strstr(err.message, "not found"));
    assert_int_equal(srv.pid, 0);
    assert_true(scratch_empty());
}

static void test_program_that_exits(void **state)
{
    (void)state;
    struct vtb_redis_server srv;
    struct vtb_redis_server_options o = {.executable = "/bin/false"};
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_redis_server_start(&srv, &o, &err), VTB_EIO);
    assert_non_null(strstr(err.message, "exited at start"));
    assert_int_equal(srv.pid, 0);
    assert_true(scratch_empty());
}

static void test_interrupted_start(void **state)
{
    (void)state;
    volatile sig_atomic_t stop = 1;
    struct vtb_redis_server srv;
    struct vtb_redis_server_options o = {.stop = &stop};
    struct vtb_error err;
    int rc = vtb_redis_server_start(&srv, &o, &err);
    /* It may have answered before the flag was looked at; then it is a
     * server like any other. */
    if (rc == 0)
        assert_int_equal(vtb_redis_server_stop(&srv, &err), 0);
    else
        assert_int_equal(rc, VTB_EINTR);
    assert_int_equal(srv.pid, 0);
    assert_true(scratch_empty());
}

static void test_load_beyond_maxmemory(void **state)
{
    (void)state;
    struct vtb_redis_server srv;
    struct vtb_redis_server_options o = {.maxmemory_bytes = 2u << 20};
    start_or_fail(&srv, &o);
    struct vtb_error err;
    vtb_error_clear(&err);
    assert_int_equal(vtb_redis_admin_load(srv.url, "m:", 200000, NULL, &err), VTB_EBACKEND);
    assert_non_null(strstr(err.message, "OOM"));
    assert_int_equal(vtb_redis_server_stop(&srv, &err), 0);
    assert_true(scratch_empty());
}

/* A process starts a server and is killed with SIGKILL: the server dies
 * with it. The test is a subreaper, so the orphaned server becomes its
 * child and is reaped here. */
static void test_server_dies_with_its_starter(void **state)
{
    (void)state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t starter = fork();
    assert_true(starter >= 0);
    if (starter == 0) {
        struct vtb_redis_server srv;
        int32_t pid = vtb_redis_server_start(&srv, NULL, NULL) == 0 ? (int32_t)srv.pid : -1;
        ssize_t ignored = write(fds[1], &pid, sizeof(pid));
        (void)ignored;
        for (;;)
            pause(); /* killed below */
    }
    int32_t server = 0;
    assert_int_equal(read(fds[0], &server, sizeof(server)), (ssize_t)sizeof(server));
    close(fds[0]);
    close(fds[1]);
    assert_true(server > 0);
    assert_int_equal(kill(starter, SIGKILL), 0);
    assert_int_equal(waitpid(starter, NULL, 0), starter);
    /* Bounded wait for the kernel's parent-death signal. */
    bool reaped = false;
    for (int i = 0; i < 1000 && !reaped; i++) {
        reaped = waitpid(server, NULL, WNOHANG) == server || pid_gone(server);
        if (!reaped)
            vtbt_sleep_ms(10);
    }
    assert_true(reaped);
    assert_true(pid_gone(server));
    /* Its directory is the one thing a SIGKILL leaves; remove it. */
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'/vtb-redis.*", scratch);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

static void test_run_prefix(void **state)
{
    (void)state;
    char buf[64], expected[64];
    snprintf(expected, sizeof(expected), "vtb:%ld:", (long)getpid());
    assert_string_equal(vtb_redis_run_prefix(buf, sizeof(buf)), expected);
}

int main(void)
{
    int gate = vtb_test_redis_gate();
    if (gate != 0)
        return gate;
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof(scratch), "%s/vtbt-redis.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(scratch) == NULL)
        return 1;
    setenv("TMPDIR", scratch, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unix_socket_server),
        cmocka_unit_test(test_tcp_server),
        cmocka_unit_test(test_missing_program),
        cmocka_unit_test(test_program_that_exits),
        cmocka_unit_test(test_interrupted_start),
        cmocka_unit_test(test_load_beyond_maxmemory),
        cmocka_unit_test(test_server_dies_with_its_starter),
        cmocka_unit_test(test_run_prefix),
    };
    int failed = cmocka_run_group_tests_name("redis server", tests, NULL, NULL);
    rmdir(scratch);
    return failed;
}
