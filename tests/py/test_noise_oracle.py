#!/usr/bin/python3
"""Cross-check of e2ekit's Noise against an independent implementation.

Oracle: Debian's python3-dissononce (Noise revision 33/34 processing rules, AESGCM, SHA256,
X25519 via python3-cryptography, the `fallback` modifier). This script makes cacophony-format
vectors with dissononce -- random keys, prologues and payloads, fixed ephemerals -- for every
fundamental pattern e2ekit supports and for IK -> XXfallback in noise-c's fallback form, writes
them to a temporary file and runs `e2ekit calc noise-vectors FILE` on it: every vector must pass.

Transport direction after XXfallback: dissononce returns Split() as (c1, c2) without saying who
sends with which; this oracle follows the Noise spec (section 10.2: the fallback pattern is
Bob-initiated, so Bob -- the relay -- sends with c1), which is also noise-c's role reversal.

Usage: test_noise_oracle.py PATH_TO_e2ekit. Exits 77 (skip) when dissononce is not installed.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

try:
    from dissononce.extras.meta.protocol.factory import NoiseProtocolFactory
    from dissononce.dh.x25519.x25519 import X25519DH
    from dissononce.dh.x25519.private import PrivateKey
    from dissononce.dh.x25519.public import PublicKey
    from dissononce.dh.keypair import KeyPair
    from dissononce.processing.handshakepatterns.interactive.IK import IKHandshakePattern
except ImportError:
    print("SKIP: python3-dissononce is not installed (apt-get install python3-dissononce)")
    sys.exit(77)

SUITE = "_25519_AESGCM_SHA256"
PATTERNS = ["N", "K", "X", "NN", "NK", "NX", "XN", "XK", "XX", "KN", "KK", "KX", "IN", "IK", "IX"]
RNG = random.Random(20261126)


def rbytes(n):
    return bytes(RNG.getrandbits(8) for _ in range(n))


def keypair(priv):
    return X25519DH().generate_keypair(PrivateKey(priv))


class FixedEphemeral(X25519DH):
    """X25519 whose GENERATE_KEYPAIR returns the vector's fixed ephemeral."""

    def __init__(self, priv):
        super().__init__()
        self._priv = priv

    def generate_keypair(self, privatekey=None):
        return keypair(self._priv)


def handshakestate(protocol, eph):
    hs = protocol.create_handshakestate()
    hs._dh = FixedEphemeral(eph)
    return hs


def pre_keys(name):
    """(initiator's static known to the responder, responder's static known to the initiator)"""
    return name[0] == "K", len(name) == 1 or name[1] == "K"


def make_vector(name):
    protocol = NoiseProtocolFactory().get_noise_protocol("Noise_" + name + SUITE)
    si, sr, ei, er = rbytes(32), rbytes(32), rbytes(32), rbytes(32)
    prologue = rbytes(RNG.randrange(0, 40))
    init_pre, resp_pre = pre_keys(name)
    kp_i, kp_r = keypair(si), keypair(sr)
    hi, hr = handshakestate(protocol, ei), handshakestate(protocol, er)
    hi.initialize(protocol.pattern, True, prologue, s=kp_i, rs=kp_r.public if resp_pre else None)
    hr.initialize(protocol.pattern, False, prologue, s=kp_r, rs=kp_i.public if init_pre else None)
    vec = {"protocol_name": "Noise_" + name + SUITE,
           "init_prologue": prologue.hex(), "resp_prologue": prologue.hex(),
           "init_static": si.hex(), "resp_static": sr.hex(),
           "init_ephemeral": ei.hex(), "resp_ephemeral": er.hex(), "messages": []}
    if resp_pre:
        vec["init_remote_static"] = kp_r.public.data.hex()
    if init_pre:
        vec["resp_remote_static"] = kp_i.public.data.hex()
    sides, cs, i = [hi, hr], None, 0
    while cs is None:
        payload = rbytes(RNG.randrange(0, 30))
        buf, back = bytearray(), bytearray()
        cs = sides[i % 2].write_message(payload, buf)
        cs_peer = sides[(i + 1) % 2].read_message(bytes(buf), back)
        assert bytes(back) == payload
        vec["messages"].append({"payload": payload.hex(), "ciphertext": bytes(buf).hex()})
        i += 1
    vec["handshake_hash"] = hi.symmetricstate.get_handshake_hash().hex()
    one_way = len(name) == 1
    add_transport(vec, cs, cs_peer, i, one_way, initiator_sends_c1=True)
    return vec


def add_transport(vec, cs_a, cs_b, start, one_way, initiator_sends_c1):
    """Transport messages after the handshake: senders keep alternating (first pattern's
    initiator on even indices); the Noise initiator sends with c1."""
    c1, c2 = cs_a
    for i in range(start, start + 6):
        payload = rbytes(RNG.randrange(0, 40))
        sender_is_first_initiator = one_way or i % 2 == 0
        use_c1 = sender_is_first_initiator == initiator_sends_c1
        ct = (c1 if use_c1 else c2).encrypt_with_ad(b"", payload)
        vec["messages"].append({"payload": payload.hex(), "ciphertext": ct.hex()})


def make_fallback_vector():
    """noise-c's form: an IK first message under a stale relay key, then XXfallback."""
    ik = NoiseProtocolFactory().get_noise_protocol("Noise_IK" + SUITE)
    fb = NoiseProtocolFactory().get_noise_protocol("Noise_XXfallback" + SUITE)
    si, sr, ei, er, stale = rbytes(32), rbytes(32), rbytes(32), rbytes(32), rbytes(32)
    prologue = rbytes(RNG.randrange(1, 40))
    kp_i, kp_r, kp_stale = keypair(si), keypair(sr), keypair(stale)
    alice = handshakestate(ik, ei)
    alice.initialize(IKHandshakePattern(), True, prologue, s=kp_i, rs=kp_stale.public)
    payload0 = rbytes(12)
    m0 = bytearray()
    alice.write_message(payload0, m0)
    e_alice = keypair(ei)
    vec = {"name": "Noise_XXfallback" + SUITE, "pattern": "IK", "dh": "25519",
           "cipher": "AESGCM", "hash": "SHA256", "fallback": True,
           "init_prologue": prologue.hex(), "resp_prologue": prologue.hex(),
           "init_static": si.hex(), "resp_static": sr.hex(),
           "init_ephemeral": ei.hex(), "resp_ephemeral": er.hex(),
           "init_remote_static": kp_stale.public.data.hex(),
           "messages": [{"payload": payload0.hex(), "ciphertext": bytes(m0).hex()}]}
    # XXfallback in dissononce keeps Alice/Bob: Alice passes initiator=True and her e.
    a = handshakestate(fb, ei)
    b = handshakestate(fb, er)
    a.initialize(fb.pattern, True, prologue, s=kp_i, e=e_alice)
    b.initialize(fb.pattern, False, prologue, s=kp_r, re=e_alice.public)
    order, cs = [b, a], None
    for k in range(2):
        payload = rbytes(RNG.randrange(0, 30))
        buf, back = bytearray(), bytearray()
        cs = order[k].write_message(payload, buf)
        order[(k + 1) % 2].read_message(bytes(buf), back)
        assert bytes(back) == payload
        vec["messages"].append({"payload": payload.hex(), "ciphertext": bytes(buf).hex()})
    vec["handshake_hash"] = a.symmetricstate.get_handshake_hash().hex()
    # Even indices are Alice's; Bob is the XXfallback initiator and sends with c1 (spec 10.2).
    add_transport(vec, cs, None, 3, False, initiator_sends_c1=False)
    return vec


def main():
    if len(sys.argv) != 2:
        print("usage: test_noise_oracle.py PATH_TO_e2ekit")
        return 2
    vectors = []
    for name in PATTERNS:
        for _ in range(3):
            vectors.append(make_vector(name))
    for _ in range(10):
        vectors.append(make_fallback_vector())
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"vectors": vectors}, f, indent=1)
        path = f.name
    try:
        run = subprocess.run([sys.argv[1], "calc", "noise-vectors", path],
                             capture_output=True, text=True, check=False)
    finally:
        os.unlink(path)
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    want = "%d passed, 0 failed" % len(vectors)
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    if run.returncode != 0 or last != want:
        print("FAIL: expected '%s' and exit 0, got '%s' and exit %d" % (want, last, run.returncode))
        return 1
    print("ok: %d dissononce vectors (15 patterns, IK -> XXfallback) reproduced" % len(vectors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
