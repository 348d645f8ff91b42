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
 */
#include "vtb/loop_internal.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
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
    return 0;
}

void vtb_loop_fini(struct vtb_loop *loop)
{
    if (loop == NULL)
        return;
    free(loop->heap);
    loop->heap = NULL;
    loop->heap_len = loop->heap_cap = 0;
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

static void wake_if_sleeping(struct vtb_loop *loop)
{
    if (atomic_load_explicit(&loop->sleeping, memory_order_seq_cst)) {
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
            cpu_relax();
            continue;
        }
        uint32_t seq = atomic_load_explicit(&loop->wake_seq, memory_order_seq_cst);
        atomic_store_explicit(&loop->sleeping, 1, memory_order_seq_cst);
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
    ran += run_queued(loop);
    if (ran > 0)
        loop->counters.turns++;
    return ran;
}
