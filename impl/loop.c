/*
 * The per-thread event loop behind vtb/loop.h and vtb/loop_internal.h.
 *
 * The inbox is a Treiber stack: producers push with one compare-and-swap and
 * the owner takes the whole stack with one exchange, then reverses it so
 * posted items run in the order they were posted. The timer heap is a binary
 * min-heap on (due_ns, seq) kept in an array of node pointers; each node
 * remembers its index so it can be removed in O(log n).
 *
 * Sleeping uses a futex on wake_seq with the usual Dekker handshake: the owner
 * announces `sleeping` and then re-checks the inbox, a poster pushes and then
 * checks `sleeping`; with sequentially consistent accesses on both sides at
 * least one of them sees the other, so a wake-up is never lost, and a busy
 * owner costs a poster no system call.
 *
 * Descriptors: once a watcher starts, the loop has an epoll set holding the
 * watched descriptors and an eventfd. It then sleeps in epoll_pwait2 rather
 * than on the futex, announcing VTB_LOOP_SLEEP_EPOLL in `sleeping` with the
 * same handshake, and a poster that sees it writes the eventfd instead of
 * waking the futex. While it spins before sleeping it polls the set without
 * blocking, and a loop kept busy by posted work still polls it every few
 * passes, so a socket is never starved. Readiness is collected into
 * io_ready and dispatched in the pass, after the timers and before the
 * queued work, so a continuation queued by a reply runs in the same pass,
 * as one queued by a timer does. A loop without watchers runs exactly the
 * code it ran before descriptors existed, apart from one test per pass.
 */
#include "vtb/loop_internal.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vtb/error.h"

#define VTB_LOOP_DEFAULT_SPIN_NS 20000u

static __thread struct vtb_loop *current_loop;

uint64_t vtb_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct vtb_loop *vtb_loop_current(void)
{
    return current_loop;
}

void vtb_loop_set_current(struct vtb_loop *loop)
{
    current_loop = loop;
}

int vtb_loop_init(struct vtb_loop *loop, uint32_t timer_capacity)
{
    if (loop == NULL)
        return VTB_EINVAL;
    if (timer_capacity == 0)
        timer_capacity = 16;
    loop->runq_head = NULL;
    loop->runq_tail = &loop->runq_head;
    loop->heap = malloc(sizeof(*loop->heap) * timer_capacity);
    if (loop->heap == NULL)
        return VTB_ENOMEM;
    loop->heap_len = 0;
    loop->heap_cap = timer_capacity;
    loop->timer_seq = 0;
    loop->now_ns = vtb_monotonic_ns();
    loop->spin_ns = VTB_LOOP_DEFAULT_SPIN_NS;
    loop->counters = (struct vtb_loop_counters){0};
    atomic_init(&loop->inbox, NULL);
    atomic_init(&loop->wake_seq, 0);
    atomic_init(&loop->sleeping, 0);
    atomic_init(&loop->wake_requested, 0);
    loop->epoll_fd = -1;
    loop->wake_fd = -1;
    loop->io_watchers = 0;
    loop->io_ready_len = 0;
    loop->passes_unpolled = 0;
    return 0;
}

void vtb_loop_fini(struct vtb_loop *loop)
{
    if (loop == NULL)
        return;
    free(loop->heap);
    loop->heap = NULL;
    loop->heap_len = loop->heap_cap = 0;
    if (loop->epoll_fd >= 0)
        close(loop->epoll_fd);
    if (loop->wake_fd >= 0)
        close(loop->wake_fd);
    loop->epoll_fd = loop->wake_fd = -1;
    loop->io_watchers = loop->io_ready_len = 0;
    if (current_loop == loop)
        current_loop = NULL;
}

void vtb_timer_init(struct vtb_timer *timer, vtb_work_fn fn)
{
    timer->work.next = NULL;
    timer->work.fn = fn;
    timer->due_ns = 0;
    timer->seq = 0;
    timer->heap_index = VTB_TIMER_INACTIVE;
}

void vtb_loop_queue(struct vtb_loop *loop, struct vtb_work *work)
{
    work->next = NULL;
    *loop->runq_tail = work;
    loop->runq_tail = &work->next;
}

static void futex_wake_one(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Wakes an owner asleep in epoll. wake_fd was created before the owner
 * announced the epoll sleep, which the caller has seen. */
static void eventfd_wake(struct vtb_loop *loop)
{
    uint64_t one = 1;
    ssize_t ignored = write(loop->wake_fd, &one, sizeof(one));
    (void)ignored; /* EAGAIN: the counter is already non-zero, it wakes */
}

static void wake_if_sleeping(struct vtb_loop *loop)
{
    uint32_t sleeping = atomic_load_explicit(&loop->sleeping, memory_order_seq_cst);
    if (sleeping) {
        if (sleeping == VTB_LOOP_SLEEP_EPOLL) {
            eventfd_wake(loop);
            return;
        }
        atomic_fetch_add_explicit(&loop->wake_seq, 1, memory_order_seq_cst);
        futex_wake_one(&loop->wake_seq);
    }
}

void vtb_loop_post(struct vtb_loop *loop, struct vtb_work *work)
{
    struct vtb_work *head = atomic_load_explicit(&loop->inbox, memory_order_relaxed);
    do {
        work->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&loop->inbox, &head, work,
                                                    memory_order_seq_cst,
                                                    memory_order_relaxed));
    wake_if_sleeping(loop);
}

void vtb_loop_wake(struct vtb_loop *loop)
{
    /* The flag, not the futex word, carries the request: a wake that lands
     * before the owner reads wake_seq must still end its wait. */
    atomic_store_explicit(&loop->wake_requested, 1, memory_order_seq_cst);
    atomic_fetch_add_explicit(&loop->wake_seq, 1, memory_order_seq_cst);
    futex_wake_one(&loop->wake_seq);
    if (atomic_load_explicit(&loop->sleeping, memory_order_seq_cst) == VTB_LOOP_SLEEP_EPOLL)
        eventfd_wake(loop);
}

/* Heap order: earlier deadline first, insertion order among equals. */
static bool timer_before(const struct vtb_timer *a, const struct vtb_timer *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_place(struct vtb_loop *loop, uint32_t index, struct vtb_timer *timer)
{
    loop->heap[index] = timer;
    timer->heap_index = index;
}

static void heap_sift_up(struct vtb_loop *loop, uint32_t index)
{
    struct vtb_timer *timer = loop->heap[index];
    while (index > 0) {
        uint32_t parent = (index - 1) / 2;
        if (!timer_before(timer, loop->heap[parent]))
            break;
        heap_place(loop, index, loop->heap[parent]);
        index = parent;
    }
    heap_place(loop, index, timer);
}

static void heap_sift_down(struct vtb_loop *loop, uint32_t index)
{
    struct vtb_timer *timer = loop->heap[index];
    for (;;) {
        uint32_t child = 2 * index + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len && timer_before(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!timer_before(loop->heap[child], timer))
            break;
        heap_place(loop, index, loop->heap[child]);
        index = child;
    }
    heap_place(loop, index, timer);
}

static void heap_remove_at(struct vtb_loop *loop, uint32_t index)
{
    struct vtb_timer *removed = loop->heap[index];
    removed->heap_index = VTB_TIMER_INACTIVE;
    loop->heap_len--;
    if (index == loop->heap_len)
        return;
    heap_place(loop, index, loop->heap[loop->heap_len]);
    if (index > 0 && timer_before(loop->heap[index], loop->heap[(index - 1) / 2]))
        heap_sift_up(loop, index);
    else
        heap_sift_down(loop, index);
}

int vtb_loop_timer_start(struct vtb_loop *loop, struct vtb_timer *timer, uint64_t due_ns)
{
    if (timer->heap_index != VTB_TIMER_INACTIVE)
        return VTB_ESTATE;
    if (loop->heap_len == loop->heap_cap) {
        /* Growth happens only when more timers are pending than ever before,
         * i.e. during warm-up, never in steady state. */
        uint32_t new_cap = loop->heap_cap * 2;
        struct vtb_timer **grown = realloc(loop->heap, sizeof(*grown) * new_cap);
        if (grown == NULL)
            return VTB_ENOMEM;
        loop->heap = grown;
        loop->heap_cap = new_cap;
    }
    timer->due_ns = due_ns;
    timer->seq = loop->timer_seq++;
    loop->heap[loop->heap_len] = timer;
    timer->heap_index = loop->heap_len;
    loop->heap_len++;
    heap_sift_up(loop, timer->heap_index);
    return 0;
}

bool vtb_loop_timer_stop(struct vtb_loop *loop, struct vtb_timer *timer)
{
    if (timer->heap_index == VTB_TIMER_INACTIVE)
        return false;
    heap_remove_at(loop, timer->heap_index);
    return true;
}

void vtb_loop_expire_timers(struct vtb_loop *loop)
{
    /* Every timer due at once; with all deadlines equal the heap orders by
     * insertion sequence, so it is rebuilt bottom-up. */
    for (uint32_t i = 0; i < loop->heap_len; i++)
        loop->heap[i]->due_ns = 0;
    for (uint32_t i = loop->heap_len / 2; i-- > 0;)
        heap_sift_down(loop, i);
}

void vtb_loop_counters_get(const struct vtb_loop *loop, struct vtb_loop_counters *out)
{
    *out = loop->counters;
}

bool vtb_loop_has_pending(const struct vtb_loop *loop)
{
    return loop->heap_len > 0 || loop->runq_head != NULL ||
           atomic_load_explicit(&loop->inbox, memory_order_relaxed) != NULL;
}

/* ---- Descriptors ---- */

void vtb_io_init(struct vtb_io *io, int fd, vtb_io_fn fn)
{
    io->fd = fd;
    io->interest = 0;
    io->fn = fn;
}

/* The epoll set and its eventfd, made when the first watcher starts. The
 * eventfd's entry carries a NULL pointer, which no watcher has. */
static int io_setup(struct vtb_loop *loop)
{
    if (loop->epoll_fd >= 0)
        return 0;
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0)
        return VTB_ENOMEM;
    int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (wake_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev) != 0) {
        if (wake_fd >= 0)
            close(wake_fd);
        close(epoll_fd);
        return VTB_ENOMEM;
    }
    loop->epoll_fd = epoll_fd;
    loop->wake_fd = wake_fd;
    return 0;
}

static uint32_t epoll_events_of(unsigned interest)
{
    return ((interest & VTB_IO_READ) ? EPOLLIN : 0u) | ((interest & VTB_IO_WRITE) ? EPOLLOUT : 0u);
}

int vtb_loop_io_watch(struct vtb_loop *loop, struct vtb_io *io, unsigned interest)
{
    interest &= VTB_IO_READ | VTB_IO_WRITE;
    if (interest == io->interest)
        return 0;
    if (interest == 0) {
        vtb_loop_io_stop(loop, io);
        return 0;
    }
    int rc = io_setup(loop);
    if (rc != 0)
        return rc;
    struct epoll_event ev = {.events = epoll_events_of(interest), .data.ptr = io};
    int op = io->interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(loop->epoll_fd, op, io->fd, &ev) != 0)
        return errno == ENOMEM || errno == ENOSPC ? VTB_ENOMEM : VTB_EIO;
    if (io->interest == 0)
        loop->io_watchers++;
    io->interest = interest;
    return 0;
}

void vtb_loop_io_stop(struct vtb_loop *loop, struct vtb_io *io)
{
    if (io->interest != 0) {
        /* The descriptor may be closed already (a library that closes
         * before it says so): the kernel then dropped it from the set. */
        epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, io->fd, NULL);
        io->interest = 0;
        loop->io_watchers--;
    }
    for (unsigned i = 0; i < loop->io_ready_len; i++)
        if (loop->io_ready[i].data.ptr == io)
            loop->io_ready[i].data.ptr = NULL;
}

/* Waits up to timeout_ns (0: not at all) for readiness and keeps what it
 * finds in io_ready (when the previous batch was dispatched). Returns the
 * number of watcher events kept; a wake-up through the eventfd is consumed
 * here and counts as none, but ends the wait. */
static int io_poll(struct vtb_loop *loop, uint64_t timeout_ns)
{
    if (loop->io_ready_len > 0)
        return (int)loop->io_ready_len;
    struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
    int n = epoll_pwait2(loop->epoll_fd, loop->io_ready, VTB_LOOP_IO_BATCH,
                         timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
    if (n < 0 && errno == ENOSYS) {
        /* Kernels before 5.11: milliseconds, rounded up. */
        int ms = timeout_ns == UINT64_MAX ? -1
                 : timeout_ns > (uint64_t)1 << 40 ? 1 << 30
                                                  : (int)((timeout_ns + 999999) / 1000000);
        n = epoll_wait(loop->epoll_fd, loop->io_ready, VTB_LOOP_IO_BATCH, ms);
    }
    loop->passes_unpolled = 0;
    if (n <= 0)
        return 0;
    unsigned kept = 0;
    for (int i = 0; i < n; i++) {
        if (loop->io_ready[i].data.ptr == NULL) {
            uint64_t count;
            ssize_t ignored = read(loop->wake_fd, &count, sizeof(count));
            (void)ignored;
            continue;
        }
        loop->io_ready[kept++] = loop->io_ready[i];
    }
    loop->io_ready_len = kept;
    return (int)kept;
}

/* Runs the watchers' callbacks for the readiness collected. A callback may
 * stop any watcher; vtb_loop_io_stop clears its entries still to come. */
static size_t dispatch_io(struct vtb_loop *loop)
{
    size_t ran = 0;
    for (unsigned i = 0; i < loop->io_ready_len; i++) {
        struct vtb_io *io = loop->io_ready[i].data.ptr;
        if (io == NULL)
            continue;
        uint32_t ev = loop->io_ready[i].events;
        unsigned ready = ((ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) ? VTB_IO_READ : 0u) |
                         ((ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ? VTB_IO_WRITE : 0u);
        ready &= io->interest;
        if (ready == 0)
            continue;
        io->fn(io, ready);
        ran++;
    }
    loop->io_ready_len = 0;
    loop->counters.io_events += ran;
    return ran;
}

/* Moves posted items to the run queue in posting order. */
static void drain_inbox(struct vtb_loop *loop)
{
    if (atomic_load_explicit(&loop->inbox, memory_order_relaxed) == NULL)
        return;
    struct vtb_work *stack = atomic_exchange_explicit(&loop->inbox, NULL, memory_order_acquire);
    struct vtb_work *reversed = NULL;
    while (stack != NULL) {
        struct vtb_work *next = stack->next;
        stack->next = reversed;
        reversed = stack;
        stack = next;
        loop->counters.posts_received++;
    }
    while (reversed != NULL) {
        struct vtb_work *next = reversed->next;
        vtb_loop_queue(loop, reversed);
        reversed = next;
    }
}

static size_t fire_due_timers(struct vtb_loop *loop)
{
    size_t fired = 0;
    while (loop->heap_len > 0 && loop->heap[0]->due_ns <= loop->now_ns) {
        struct vtb_timer *timer = loop->heap[0];
        heap_remove_at(loop, 0);
        fired++;
        loop->counters.timers_fired++;
        timer->work.fn(&timer->work);
    }
    return fired;
}

static size_t run_queued(struct vtb_loop *loop)
{
    /* Detach the queue first: what these items queue runs on the next pass. */
    struct vtb_work *item = loop->runq_head;
    loop->runq_head = NULL;
    loop->runq_tail = &loop->runq_head;
    size_t ran = 0;
    while (item != NULL) {
        struct vtb_work *next = item->next;
        item->fn(item);
        item = next;
        ran++;
    }
    loop->counters.works_run += ran;
    return ran;
}

static bool ready_now(struct vtb_loop *loop)
{
    return loop->runq_head != NULL ||
           atomic_load_explicit(&loop->inbox, memory_order_relaxed) != NULL ||
           (loop->heap_len > 0 && loop->heap[0]->due_ns <= loop->now_ns);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Sleeps in epoll for up to wait_ns (UINT64_MAX: no timer), with the same
 * handshake as the futex sleep. Returns true when readiness was collected. */
static bool io_sleep(struct vtb_loop *loop, uint64_t wait_ns)
{
    atomic_store_explicit(&loop->sleeping, VTB_LOOP_SLEEP_EPOLL, memory_order_seq_cst);
    if (atomic_load_explicit(&loop->inbox, memory_order_seq_cst) != NULL ||
        atomic_load_explicit(&loop->wake_requested, memory_order_seq_cst)) {
        atomic_store_explicit(&loop->sleeping, VTB_LOOP_AWAKE, memory_order_relaxed);
        return false;
    }
    /* Wake a little early and spin the rest, as the futex sleep does. */
    uint64_t sleep_ns = wait_ns == UINT64_MAX ? UINT64_MAX : wait_ns - loop->spin_ns / 2;
    loop->counters.sleeps++;
    int kept = io_poll(loop, sleep_ns);
    atomic_store_explicit(&loop->sleeping, VTB_LOOP_AWAKE, memory_order_relaxed);
    return kept > 0;
}

/* Blocks until work is posted, a timer is due, or someone calls wake.
 * Like production event loops it spins for up to spin_ns before sleeping in
 * the kernel: a futex wake-up costs microseconds on a VM, far more than the
 * completions it would wait for. */
static void wait_for_work(struct vtb_loop *loop)
{
    uint64_t spin_until = 0;
    for (;;) {
        loop->now_ns = vtb_monotonic_ns();
        if (ready_now(loop))
            return;
        if (atomic_load_explicit(&loop->wake_requested, memory_order_seq_cst) &&
            atomic_exchange_explicit(&loop->wake_requested, 0, memory_order_seq_cst))
            return; /* a bare vtb_loop_wake: let the caller check its flags */
        uint64_t wait_ns = UINT64_MAX;
        if (loop->heap_len > 0)
            wait_ns = loop->heap[0]->due_ns - loop->now_ns;
        if (spin_until == 0)
            spin_until = loop->now_ns + loop->spin_ns;
        if (wait_ns <= loop->spin_ns || loop->now_ns < spin_until) {
            /* Short waits spin: a kernel sleep would add tens of microseconds
             * of wake-up latency to a backend latency of a few. */
            if (loop->io_watchers > 0 && io_poll(loop, 0) > 0)
                return;
            cpu_relax();
            continue;
        }
        if (loop->io_watchers > 0) {
            if (io_sleep(loop, wait_ns))
                return;
            continue;
        }
        uint32_t seq = atomic_load_explicit(&loop->wake_seq, memory_order_seq_cst);
        atomic_store_explicit(&loop->sleeping, VTB_LOOP_SLEEP_FUTEX, memory_order_seq_cst);
        if (atomic_load_explicit(&loop->inbox, memory_order_seq_cst) != NULL ||
            atomic_load_explicit(&loop->wake_requested, memory_order_seq_cst)) {
            atomic_store_explicit(&loop->sleeping, 0, memory_order_relaxed);
            continue;
        }
        struct timespec timeout;
        struct timespec *timeout_ptr = NULL;
        if (wait_ns != UINT64_MAX) {
            /* Wake a little early and spin the rest, for the same reason. */
            uint64_t sleep_ns = wait_ns - loop->spin_ns / 2;
            timeout.tv_sec = (time_t)(sleep_ns / 1000000000u);
            timeout.tv_nsec = (long)(sleep_ns % 1000000000u);
            timeout_ptr = &timeout;
        }
        loop->counters.sleeps++;
        syscall(SYS_futex, (uint32_t *)&loop->wake_seq, FUTEX_WAIT_PRIVATE, seq, timeout_ptr,
                NULL, 0);
        atomic_store_explicit(&loop->sleeping, 0, memory_order_relaxed);
    }
}

size_t vtb_loop_run(struct vtb_loop *loop, enum vtb_loop_run_mode mode)
{
    if (mode == VTB_LOOP_ONCE)
        wait_for_work(loop);
    else
        loop->now_ns = vtb_monotonic_ns();
    drain_inbox(loop);
    size_t ran = fire_due_timers(loop);
    if (loop->io_watchers > 0 || loop->io_ready_len > 0) {
        /* Readiness the wait collected, or a look at the descriptors when
         * the loop has not slept for a while. */
        if (loop->io_ready_len == 0 && ++loop->passes_unpolled >= VTB_LOOP_IO_POLL_PASSES)
            io_poll(loop, 0);
        ran += dispatch_io(loop);
    }
    ran += run_queued(loop);
    if (ran > 0)
        loop->counters.turns++;
    return ran;
}
