/*
 * Session records (reference/signal.md 7): the current state and up to 40 archived states,
 * newest first, as libsignal-protocol-c's session_record keeps them. States are separate heap
 * objects so that archiving and promotion move pointers, not bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "signal/internal.h"

struct e2e__state *
e2e__state_new(void)
{
    return calloc(1, sizeof(struct e2e__state));
}

void
e2e__state_free(struct e2e__state *st)
{
    if (!st)
        return;
    for (uint32_t i = 0; i < st->n_recv; i++)
        e2e__skip_free(&st->recv[i].skipped);
    e2e_wipe(st, sizeof *st);
    free(st);
}

void
e2e__session_push(e2e_signal_session *s, struct e2e__state *st)
{
    if (s->n > 0 && !s->st[0]->live && st->live) {
        e2e__state_free(s->st[0]);
        s->st[0] = st;
        return;
    }
    if (s->n == E2E__MAX_STATES) {
        e2e__state_free(s->st[E2E__MAX_STATES - 1]);
        s->n--;
    }
    memmove(&s->st[1], &s->st[0], s->n * sizeof s->st[0]);
    s->st[0] = st;
    s->n++;
}

void
e2e__session_promote(e2e_signal_session *s, uint32_t i)
{
    struct e2e__state *st = s->st[i];
    memmove(&s->st[1], &s->st[0], i * sizeof s->st[0]);
    s->st[0] = st;
}

void
e2e__state_add_recv(struct e2e__state *st, const uint8_t ratchet_key[32],
                    const uint8_t chain_key[32], uint32_t index, struct e2e__skip_list *skipped)
{
    if (st->n_recv == E2E_SIGNAL_MAX_RECV_CHAINS) {
        /* the oldest chain goes, with its skipped keys (libsignal: "count > 5") */
        e2e__skip_free(&st->recv[0].skipped);
        memmove(&st->recv[0], &st->recv[1], (st->n_recv - 1) * sizeof st->recv[0]);
        st->n_recv--;
    }
    struct e2e__recv_chain *c = &st->recv[st->n_recv++];
    memcpy(c->ratchet_key, ratchet_key, 32);
    memcpy(c->chain_key, chain_key, 32);
    c->index = index;
    c->skipped = *skipped;
    memset(skipped, 0, sizeof *skipped);
}

long
e2e__state_find_recv(const struct e2e__state *st, const uint8_t ratchet_key[32])
{
    for (uint32_t i = 0; i < st->n_recv; i++)
        if (e2e__key_eq(st->recv[i].ratchet_key, ratchet_key))
            return (long)i;
    return -1;
}

/* ---- the object ------------------------------------------------------------------------------ */

int
e2e_signal_session_new(e2e_signal_session **out)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return E2E_ERR_NOMEM;
    e2e__zero_salt_init(&(*out)->zero_salt);
    return E2E_OK;
}

void
e2e_signal_session_free(e2e_signal_session *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n; i++)
        e2e__state_free(s->st[i]);
    e2e_wipe(s, sizeof *s);
    free(s);
}

int
e2e_signal_session_has_current(const e2e_signal_session *s)
{
    return s && s->n > 0 && s->st[0]->live;
}

int
e2e_signal_session_remote_identity(const e2e_signal_session *s, uint8_t out[32])
{
    if (!e2e_signal_session_has_current(s))
        return E2E_ERR_NO_SESSION;
    memcpy(out, s->st[0]->remote_identity + 1, 32);
    return E2E_OK;
}

int
e2e_signal_session_remote_registration_id(const e2e_signal_session *s, uint32_t *out)
{
    if (!e2e_signal_session_has_current(s))
        return E2E_ERR_NO_SESSION;
    *out = s->st[0]->remote_registration_id;
    return E2E_OK;
}

int
e2e_signal_session_pending_prekey(const e2e_signal_session *s)
{
    return e2e_signal_session_has_current(s) && s->st[0]->pending_prekey;
}

unsigned
e2e_signal_session_archived(const e2e_signal_session *s)
{
    return s && s->n > 0 ? s->n - 1 : 0;
}

unsigned
e2e_signal_session_states(const e2e_signal_session *s)
{
    return s ? s->n : 0;
}

int
e2e_signal_session_archive_current(e2e_signal_session *s)
{
    /* as libsignal does: an empty state becomes current and the old one the newest archived */
    if (!e2e_signal_session_has_current(s))
        return E2E_OK;
    struct e2e__state *fresh = e2e__state_new();
    if (!fresh)
        return E2E_ERR_NOMEM;
    e2e__session_push(s, fresh);
    return E2E_OK;
}
