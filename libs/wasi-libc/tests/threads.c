// POSIX threads on the threads sysroot (wasi-threads): mutexes, condition variables, __thread,
// join values, detached threads, keys with destructors, C11 threads, and many threads one after
// another (their memory reused). Only the main thread prints, so the output is the same on
// every run; a failed check exits with 1 and says which.
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#define CHECK(cond, ...)                                 \
    do {                                                 \
        if (!(cond)) {                                   \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                \
            fputc('\n', stderr);                         \
            exit(1);                                     \
        }                                                \
    } while (0)

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    int rc = pthread_create(t, NULL, fn, arg);
    CHECK(rc == 0, "pthread_create: %s", strerror(rc));
}

static void *join(pthread_t t)
{
    void *result;
    int rc = pthread_join(t, &result);
    CHECK(rc == 0, "pthread_join: %s", strerror(rc));
    return result;
}

// --- mutex: a counter no increment of which is lost ---
enum { COUNTERS = 16, INCREMENTS = 10000 };
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        pthread_mutex_lock(&counter_lock);
        long seen = counter;
        // Give another thread the chance to run between the read and the write.
        if (i % 1000 == 0) sched_yield();
        counter = seen + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

// --- condition variables: a bounded queue between producers and consumers ---
enum { SLOTS = 4, ITEMS = 1000, PRODUCERS = 2, CONSUMERS = 2 };
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], queue_len, queue_head, produced, consumed;
static long consumed_sum;

static void *produce(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (queue_len == SLOTS && produced < ITEMS) pthread_cond_wait(&not_full, &queue_lock);
        if (produced == ITEMS) {
            pthread_mutex_unlock(&queue_lock);
            return NULL;
        }
        queue[(queue_head + queue_len++) % SLOTS] = produced++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&queue_lock);
    }
}

static void *consume(void *arg)
{
    (void)arg;
    long sum = 0;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (queue_len == 0 && consumed < ITEMS) pthread_cond_wait(&not_empty, &queue_lock);
        if (consumed == ITEMS) {
            // Wake the other consumers still waiting: there is nothing more to take.
            pthread_cond_broadcast(&not_empty);
            pthread_mutex_unlock(&queue_lock);
            return (void *)(intptr_t)sum;
        }
        int item = queue[queue_head];
        queue_head = (queue_head + 1) % SLOTS;
        queue_len--;
        consumed++;
        sum += item;
        consumed_sum += item;
        pthread_cond_signal(&not_full);
        if (consumed == ITEMS) pthread_cond_broadcast(&not_empty);
        pthread_mutex_unlock(&queue_lock);
    }
}

// --- __thread: each thread its own copy, initialised from the image ---
enum { TLS_THREADS = 8 };
static __thread int tls_value = 7;
static __thread char tls_buffer[64];
static pthread_barrier_t tls_barrier;

static void *use_tls(void *arg)
{
    int id = (int)(intptr_t)arg;
    int fresh = tls_value == 7 && tls_buffer[0] == 0;
    tls_value = 100 + id;
    snprintf(tls_buffer, sizeof tls_buffer, "thread %d", id);
    errno = 1000 + id;
    // Everyone has written their own copy before anyone checks.
    pthread_barrier_wait(&tls_barrier);
    char expected[64];
    snprintf(expected, sizeof expected, "thread %d", id);
    int ok = fresh && tls_value == 100 + id && strcmp(tls_buffer, expected) == 0 && errno == 1000 + id;
    return (void *)(intptr_t)ok;
}

// --- join values ---
static void *square(void *arg)
{
    intptr_t i = (intptr_t)arg;
    return (void *)(i * i);
}

// --- detached threads, counted down under a condition variable ---
enum { DETACHED = 32 };
static pthread_mutex_t detached_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t detached_done = PTHREAD_COND_INITIALIZER;
static int detached_left = DETACHED;

static void *detached(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&detached_lock);
    if (--detached_left == 0) pthread_cond_signal(&detached_done);
    pthread_mutex_unlock(&detached_lock);
    return NULL;
}

// --- keys: a value per thread, its destructor run when the thread ends ---
enum { KEY_THREADS = 8 };
static pthread_key_t key;
static int destructor_calls;
static pthread_mutex_t destructor_lock = PTHREAD_MUTEX_INITIALIZER;

static void destroy(void *value)
{
    free(value);
    pthread_mutex_lock(&destructor_lock);
    destructor_calls++;
    pthread_mutex_unlock(&destructor_lock);
}

static void *set_key(void *arg)
{
    int *mine = malloc(sizeof *mine);
    *mine = (int)(intptr_t)arg;
    pthread_setspecific(key, mine);
    int *back = pthread_getspecific(key);
    return (void *)(intptr_t)(back == mine && *back == (int)(intptr_t)arg);
}

// --- pthread_once ---
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_calls;
static void once_init(void) { once_calls++; }
static void *call_once_fn(void *arg)
{
    (void)arg;
    pthread_once(&once, once_init);
    return NULL;
}

// --- C11 threads ---
static mtx_t c11_lock;
static int c11_start(void *arg)
{
    mtx_lock(&c11_lock);
    int v = *(int *)arg;
    mtx_unlock(&c11_lock);
    return v * 2;
}

int main(int argc, char **argv)
{
    int many = argc > 1 ? atoi(argv[1]) : 200;

    pthread_t t[COUNTERS];
    for (int i = 0; i < COUNTERS; i++) start(&t[i], increment, NULL);
    for (int i = 0; i < COUNTERS; i++) join(t[i]);
    CHECK(counter == (long)COUNTERS * INCREMENTS, "counter %ld", counter);
    printf("mutex: %d threads x %d increments = %ld\n", COUNTERS, INCREMENTS, counter);

    pthread_t producers[PRODUCERS], consumers[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) start(&consumers[i], consume, NULL);
    for (int i = 0; i < PRODUCERS; i++) start(&producers[i], produce, NULL);
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_mutex_lock(&queue_lock);
        pthread_cond_broadcast(&not_full);
        pthread_mutex_unlock(&queue_lock);
        join(producers[i]);
    }
    long sums = 0;
    for (int i = 0; i < CONSUMERS; i++) sums += (long)(intptr_t)join(consumers[i]);
    CHECK(sums == consumed_sum && consumed == ITEMS, "consumed %d, sum %ld vs %ld", consumed, sums, consumed_sum);
    printf("cond: %d items through a %d-slot queue, %d producers to %d consumers, sum %ld\n", ITEMS, SLOTS, PRODUCERS, CONSUMERS, sums);

    pthread_barrier_init(&tls_barrier, NULL, TLS_THREADS);
    tls_value = 8;
    strcpy(tls_buffer, "main");
    errno = 0;
    pthread_t tt[TLS_THREADS];
    for (int i = 0; i < TLS_THREADS; i++) start(&tt[i], use_tls, (void *)(intptr_t)i);
    int tls_ok = 0;
    for (int i = 0; i < TLS_THREADS; i++) tls_ok += (int)(intptr_t)join(tt[i]);
    CHECK(tls_ok == TLS_THREADS, "%d of %d threads saw their own __thread values", tls_ok, TLS_THREADS);
    CHECK(tls_value == 8 && strcmp(tls_buffer, "main") == 0 && errno == 0, "main's __thread values changed");
    pthread_barrier_destroy(&tls_barrier);
    printf("tls: %d threads each saw only their own __thread values and errno; main's kept\n", TLS_THREADS);

    pthread_t sq[16];
    for (int i = 0; i < 16; i++) start(&sq[i], square, (void *)(intptr_t)i);
    long squares = 0;
    for (int i = 0; i < 16; i++) squares += (long)(intptr_t)join(sq[i]);
    printf("join: the return values of 16 threads sum to %ld\n", squares);

    for (int round = 0; round < many / 4; round++) {
        pthread_t batch[4];
        for (int i = 0; i < 4; i++) start(&batch[i], square, (void *)(intptr_t)i);
        for (int i = 0; i < 4; i++) CHECK((intptr_t)join(batch[i]) == i * i, "round %d thread %d", round, i);
    }
    printf("many: %d threads created and joined, 4 at a time\n", many / 4 * 4);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < DETACHED; i++) {
        pthread_t d;
        int rc = pthread_create(&d, &attr, detached, NULL);
        CHECK(rc == 0, "pthread_create detached: %s", strerror(rc));
    }
    pthread_attr_destroy(&attr);
    pthread_mutex_lock(&detached_lock);
    while (detached_left) pthread_cond_wait(&detached_done, &detached_lock);
    pthread_mutex_unlock(&detached_lock);
    // And one detached after it started.
    pthread_t late;
    start(&late, square, (void *)(intptr_t)3);
    CHECK(pthread_detach(late) == 0, "pthread_detach");
    printf("detached: %d detached threads finished, one more detached while running\n", DETACHED);

    CHECK(pthread_key_create(&key, destroy) == 0, "pthread_key_create");
    pthread_t kt[KEY_THREADS];
    for (int i = 0; i < KEY_THREADS; i++) start(&kt[i], set_key, (void *)(intptr_t)i);
    int key_ok = 0;
    for (int i = 0; i < KEY_THREADS; i++) key_ok += (int)(intptr_t)join(kt[i]);
    CHECK(key_ok == KEY_THREADS && destructor_calls == KEY_THREADS, "keys %d, destructors %d", key_ok, destructor_calls);
    printf("keys: %d threads each kept their own value; %d destructor calls\n", key_ok, destructor_calls);

    pthread_t ot[8];
    for (int i = 0; i < 8; i++) start(&ot[i], call_once_fn, NULL);
    for (int i = 0; i < 8; i++) join(ot[i]);
    printf("once: 8 threads, %d call\n", once_calls);

    mtx_init(&c11_lock, mtx_plain);
    thrd_t ct;
    int input = 21, result = 0;
    CHECK(thrd_create(&ct, c11_start, &input) == thrd_success, "thrd_create");
    CHECK(thrd_join(ct, &result) == thrd_success, "thrd_join");
    mtx_destroy(&c11_lock);
    printf("c11: thrd_join gave %d\n", result);
    return 0;
}
