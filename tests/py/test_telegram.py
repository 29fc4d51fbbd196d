#!/usr/bin/python3
"""
Independent re-computation of the telegram calculators with Debian's python3: AES-256-IGE built
here from python3-cryptography's AES-ECB, SHA-1 / SHA-256 / MD5 from hashlib, and the formulas of
reference/telegram.md written again from the reference (MTProto 2.0 msg_key and KDF2, the 1.0
KDF, tgcalls packets with AES-256-CTR, key fingerprint, visualisation, file fingerprint, emoji
indices). Random keys, both x values, every padding length 12..1024 that whole words allow.
Usage: test_telegram.py PATH/TO/e2ekit
"""
import hashlib
import os
import random
import struct
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

E2EKIT = sys.argv[1] if len(sys.argv) > 1 else "e2ekit"
passed = failed = 0
rng = random.Random(0x7e1e)


def calc(*args, check=True):
    r = subprocess.run([E2EKIT, "calc", *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError("e2ekit calc %s: exit %d: %s" % (args[0], r.returncode, r.stderr))
    return r.returncode, r.stdout.split("\n")


def test(fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print("ok   " + fn.__name__)
    except Exception as e:  # report and go on
        failed += 1
        print("FAIL %s: %r" % (fn.__name__, e))


def rbytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


# ---- primitives, from their definitions ----------------------------------------------------


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def ige_encrypt(key, iv, data):
    """c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}; iv = c_{-1} || p_{-1} (OpenSSL's order)."""
    ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    c_prev, p_prev, out = iv[:16], iv[16:], b""
    for i in range(0, len(data), 16):
        p = data[i:i + 16]
        c = xor(ecb.update(xor(p, c_prev)), p_prev)
        out += c
        c_prev, p_prev = c, p
    return out


def ige_decrypt(key, iv, data):
    ecb = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    c_prev, p_prev, out = iv[:16], iv[16:], b""
    for i in range(0, len(data), 16):
        c = data[i:i + 16]
        p = xor(ecb.update(xor(c, p_prev)), c_prev)
        out += p
        c_prev, p_prev = c, p
    return out


def sha256(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


def sha1(*parts):
    return hashlib.sha1(b"".join(parts)).digest()


def kdf2(key, msg_key, x):
    a = sha256(msg_key, key[x:x + 36])
    b = sha256(key[40 + x:40 + x + 36], msg_key)
    return a[:8] + b[8:24] + a[24:32], b[:8] + a[8:24] + b[24:32]


def kdf1(key, msg_key, x):
    a = sha1(msg_key, key[x:x + 32])
    b = sha1(key[32 + x:48 + x], msg_key, key[48 + x:64 + x])
    c = sha1(key[64 + x:96 + x], msg_key)
    d = sha1(msg_key, key[96 + x:128 + x])
    return a[:8] + b[8:20] + c[4:16], a[8:20] + b[:8] + c[16:20] + d[:8]


def key_id(key):
    return sha1(key)[12:20]


def mtproto2_encrypt(key, x, plain):
    msg_key = sha256(key[88 + x:120 + x], plain)[8:24]
    aes_key, aes_iv = kdf2(key, msg_key, x)
    return key_id(key) + msg_key + ige_encrypt(aes_key, aes_iv, plain)


def tgcalls_encrypt(key, x, body):
    msg_key = sha256(key[88 + x:120 + x], body)[8:24]
    a = sha256(msg_key, key[x:x + 36])
    b = sha256(key[40 + x:40 + x + 36], msg_key)
    aes_key = a[:8] + b[8:24] + a[24:32]
    aes_iv = b[:4] + a[8:16] + b[24:28]
    ctr = Cipher(algorithms.AES(aes_key), modes.CTR(aes_iv)).encryptor()
    return msg_key + ctr.update(body) + ctr.finalize()


# ---- tests ---------------------------------------------------------------------------------


def test_ige_matches_the_references_vector():
    # grammers (reference/telegram.md 10.1): key = iv = plaintext = bytes 00..1f
    k = bytes(range(32))
    assert ige_encrypt(k, k, k).hex() == \
        "e28112a53e5c89c7b1ea8071c133699fd4e86b26c4bac9fc5af1ab8ce27a44a4"
    assert ige_decrypt(k, k, ige_encrypt(k, k, k)) == k


def test_mtproto2_every_padding_length():
    """Random key per run, both x, every padding 12..1024 (multiples of 4: the TL is whole
    words), random payload length for each; encrypt and decrypt through the calculators."""
    count = 0
    for x in (0, 8):
        key = rbytes(256)
        for pad in range(12, 1025, 4):
            length = 4 * rng.randrange(0, 40)
            while (4 + length + pad) % 16:
                length += 4
            payload, padding = rbytes(length), rbytes(pad)
            plain = struct.pack("<I", length) + payload + padding
            want = mtproto2_encrypt(key, x, plain)
            _, out = calc("mtproto2-encrypt", "--key", key.hex(), "--x", str(x), "--payload",
                          payload.hex(), "--padding", padding.hex())
            assert out[0] == want.hex(), (x, pad, length)
            _, out = calc("mtproto2-decrypt", "--key", key.hex(), "--x", str(x), "--message",
                          want.hex())
            assert out[0] == payload.hex() and out[1] == padding.hex(), (x, pad)
            count += 1
    assert count == 2 * 254


def test_mtproto2_refusals_agree():
    key = rbytes(256)
    plain = struct.pack("<I", 32) + rbytes(32) + rbytes(28)
    msg = bytearray(mtproto2_encrypt(key, 0, plain))
    rc, _ = calc("mtproto2-decrypt", "--key", key.hex(), "--x", "8", "--message", msg.hex(),
                 check=False)
    assert rc == 6
    msg[30] ^= 1
    rc, _ = calc("mtproto2-decrypt", "--key", key.hex(), "--x", "0", "--message", msg.hex(),
                 check=False)
    assert rc == 6
    # a 13-byte padding cannot be whole words: the calculator refuses to encrypt it
    rc, _ = calc("mtproto2-encrypt", "--key", key.hex(), "--x", "0", "--payload", "00" * 15,
                 "--padding", "00" * 13, check=False)
    assert rc == 1


def test_kdfs():
    for _ in range(20):
        key, mk = rbytes(256), rbytes(16)
        for x in (0, 8):
            k2, i2 = kdf2(key, mk, x)
            _, out = calc("mtproto2-kdf", "--key", key.hex(), "--msg-key", mk.hex(), "--x", str(x))
            assert out[0] == k2.hex() and out[1] == i2.hex()
            k1, i1 = kdf1(key, mk, x)
            _, out = calc("mtproto2-kdf", "--key", key.hex(), "--msg-key", mk.hex(), "--x", str(x),
                          "--v1")
            assert out[0] == k1.hex() and out[1] == i1.hex()


def test_mtproto1_messages():
    key = rbytes(256)
    for pad in range(0, 16, 4):
        length = 4 * rng.randrange(1, 30)
        while (4 + length + pad) % 16:
            length += 4
        payload, padding = rbytes(length), rbytes(pad)
        plain = struct.pack("<I", length) + payload + padding
        msg_key = sha1(plain[:4 + length])[4:20]
        aes_key, aes_iv = kdf1(key, msg_key, 0)
        want = key_id(key) + msg_key + ige_encrypt(aes_key, aes_iv, plain)
        _, out = calc("mtproto2-encrypt", "--v1", "--key", key.hex(), "--x", "0", "--payload",
                      payload.hex(), "--padding", padding.hex())
        assert out[0] == want.hex(), pad
        _, out = calc("mtproto2-decrypt", "--v1", "--key", key.hex(), "--x", "0", "--message",
                      want.hex())
        assert out[0] == payload.hex()


def test_tgcalls_packets():
    for x in (0, 8, 128, 136):
        for _ in range(8):
            key = rbytes(256)
            body = struct.pack(">I", rng.randrange(1, 1 << 30)) + rbytes(rng.randrange(1, 1400))
            want = tgcalls_encrypt(key, x, body)
            _, out = calc("tgcalls-encrypt", "--key", key.hex(), "--x", str(x), "--body",
                          body.hex())
            assert out[0] == want.hex(), x
            _, out = calc("tgcalls-decrypt", "--key", key.hex(), "--x", str(x), "--packet",
                          want.hex())
            assert out[0] == body.hex()
            wrong = x ^ 8
            rc, _ = calc("tgcalls-decrypt", "--key", key.hex(), "--x", str(wrong), "--packet",
                         want.hex(), check=False)
            assert rc == 6


def test_fingerprints_and_visualisation():
    for _ in range(10):
        key = rbytes(256)
        _, out = calc("telegram-fingerprint", "--key", key.hex())
        assert int(out[0]) == struct.unpack("<q", key_id(key))[0]
        assert out[1] == key_id(key).hex()
        _, out = calc("telegram-visualization", "--key", key.hex())
        assert out[0] == (sha1(key)[:16] + sha256(key)[:20]).hex()
        fk, fi = rbytes(32), rbytes(32)
        d = hashlib.md5(fk + fi).digest()
        want = struct.unpack("<i", d[:4])[0] ^ struct.unpack("<i", d[4:8])[0]
        _, out = calc("telegram-file-fingerprint", "--key", fk.hex(), "--iv", fi.hex())
        assert int(out[0]) == want and out[1] == d.hex()


def test_emoji_indices():
    for _ in range(20):
        key, g_a = rbytes(256), rbytes(rng.choice((255, 256)))
        h = sha256(key, g_a)
        want = [(int.from_bytes(h[8 * i:8 * i + 8], "big") & 0x7FFFFFFFFFFFFFFF) % 333
                for i in range(4)]
        _, out = calc("telegram-emoji", "--key", key.hex(), "--g-a", g_a.hex())
        assert [int(v) for v in out[0].split()] == want
        assert len(out[1].split(" ")) == 4


for t in (test_ige_matches_the_references_vector, test_mtproto2_every_padding_length,
          test_mtproto2_refusals_agree, test_kdfs, test_mtproto1_messages, test_tgcalls_packets,
          test_fingerprints_and_visualisation, test_emoji_indices):
    test(t)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
