/*
 * The per-message paths allocate nothing: steady one-direction traffic, ping-pong with a DH
 * ratchet step on every message, sender-key traffic, and in-order messages on a chain that
 * holds 1,500 skipped keys. Allocations are counted by interposing malloc (optimised build)
 * or through the sanitizer's allocator hooks (ASan build).
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>

#include "pair.h"
#include "test.h"

static volatile unsigned long allocations;

#ifdef E2E_SANITIZE
/* The sanitizer runtime's hook API (compiler-rt's sanitizer/allocator_interface.h, which gcc's
 * packages do not install). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));

static void
on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    allocations++;
}

static void
on_free(const volatile void *p)
{
    (void)p;
}

static void
install(void)
{
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);

void *
malloc(size_t n)
{
    allocations++;
    return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
    allocations++;
    return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
    allocations++;
    return __libc_realloc(p, n);
}

static void
install(void)
{
}
#endif

static uint8_t msg[2048], pt[2048], payload[1024];

/* Allocations made by `rounds` messages from a to b (alternating directions when ping_pong). */
static unsigned long
count_messages(struct us *a, struct us *b, int rounds, int ping_pong)
{
    unsigned long before = allocations;
    for (int i = 0; i < rounds; i++) {
        struct us *from = ping_pong && (i & 1) ? b : a, *to = from == a ? b : a;
        size_t n, got;
        int type;
        CHECK_OK(e2e_signal_session_encrypt(from->s, from->t.ctx, payload, sizeof payload, msg,
                                            sizeof msg, &n, &type));
        CHECK_OK(e2e_signal_session_decrypt(to->s, to->t.ctx, msg, n, pt, sizeof pt, &got, NULL));
    }
    return allocations - before;
}

/* The counter itself works: a session allocates when it is made. */
static void
test_counter_counts(void)
{
    unsigned long before = allocations;
    e2e_signal_session *s;
    CHECK_OK(e2e_signal_session_new(&s));
    CHECK(allocations > before);
    e2e_signal_session_free(s);
}

static void
test_sessions(void)
{
    struct us a, b;
    us_init(&a, 1);
    us_init(&b, 2);
    pair_setup(&a, &b, 1, 1);
    count_messages(&a, &b, 10, 1); /* warm: every receiving-chain slot used once */
    CHECK_EQ(count_messages(&a, &b, 500, 0), 0);
    CHECK_EQ(count_messages(&a, &b, 500, 1), 0);
    /* 1,500 messages skipped, then in order: the stored keys cost nothing per message */
    size_t n;
    int type;
    for (int i = 0; i < 1500; i++)
        CHECK_OK(e2e_signal_session_encrypt(a.s, a.t.ctx, payload, 16, msg, sizeof msg, &n, &type));
    CHECK_OK(us_send(&a, &b, "gap", 3)); /* this one allocates: room for the 1,500 keys */
    CHECK_EQ(count_messages(&a, &b, 500, 0), 0);
    us_free(&a);
    us_free(&b);
}

static void
test_groups(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 3);
    e2e_signal_group *s, *r;
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX];
    size_t sn, n, got;
    CHECK_OK(e2e_signal_group_new(&s));
    CHECK_OK(e2e_signal_group_new(&r));
    CHECK_OK(e2e_signal_group_create_distribution(s, t.ctx, skdm, sizeof skdm, &sn));
    CHECK_OK(e2e_signal_group_process_distribution(r, skdm, sn, NULL));
    unsigned long before = allocations;
    for (int i = 0; i < 200; i++) {
        CHECK_OK(e2e_signal_group_encrypt(s, t.ctx, payload, sizeof payload, msg, sizeof msg, &n));
        CHECK_OK(e2e_signal_group_decrypt(r, t.ctx, msg, n, pt, sizeof pt, &got, NULL));
    }
    CHECK_EQ(allocations - before, 0);
    e2e_signal_group_free(s);
    e2e_signal_group_free(r);
    test_ctx_free(&t);
}

int
main(void)
{
    install();
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    RUN(test_counter_counts);
    RUN(test_sessions);
    RUN(test_groups);
    return test_finish();
}
