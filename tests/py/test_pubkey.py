#!/usr/bin/python3
"""
Independent re-computation of the pubkey calculators with Debian's python3 and
python3-cryptography (OpenSSL underneath): OAEP interoperability in both directions,
ISO/IEC 9796-2 representatives opened with pow() (also for moduli whose bit length is not a
multiple of 8), raw RSA and MTProto DH against pow(). Usage: test_pubkey.py PATH/TO/e2ekit
"""
import hashlib
import os
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

E2EKIT = sys.argv[1] if len(sys.argv) > 1 else "e2ekit"
passed = failed = 0
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


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


def der_private(key):
    return key.private_bytes(serialization.Encoding.DER,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).hex()


def der_public(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.PKCS1).hex()


def e2ekit_key(bits, seed):
    _, out = calc("rsa-keygen", "--bits", str(bits), "--seed", seed.hex())
    key = serialization.load_der_private_key(bytes.fromhex(out[0]), None)
    assert "%x" % key.private_numbers().public_numbers.n == out[1]
    return key


def test_oaep_interop():
    key = e2ekit_key(2048, b"oaep interop")
    for n in (0, 1, 32, 190):
        msg = os.urandom(n)
        ct = key.public_key().encrypt(msg, OAEP)  # OpenSSL's seed
        _, out = calc("rsa-oaep-decrypt", "--key-der", der_private(key), "--ciphertext", ct.hex())
        assert out[0] == msg.hex(), n
        _, out = calc("rsa-oaep-encrypt", "--public-der", der_public(key), "--message", msg.hex(),
                      "--seed", os.urandom(32).hex())
        assert key.decrypt(bytes.fromhex(out[0]), OAEP) == msg, n
    bad = bytearray(key.public_key().encrypt(b"x", OAEP))
    bad[5] ^= 0x10
    rc, out = calc("rsa-oaep-decrypt", "--key-der", der_private(key), "--ciphertext", bad.hex(),
                   check=False)
    assert rc == 6 and out[0] == "invalid"


def iso_check(key, msg):
    """Sign with e2ekit, open the signature with pow() and check the scheme 1 layout."""
    nums = key.private_numbers().public_numbers
    k = nums.n.bit_length()
    L, B = (k + 7) // 8, k // 8
    _, out = calc("iso9796-sign", "--key-der", der_private(key), "--message", msg.hex())
    sig, rec, m2 = bytes.fromhex(out[0]), int(out[1]), bytes.fromhex(out[2])
    f = pow(int.from_bytes(sig, "big"), nums.e, nums.n).to_bytes(L, "big")
    assert f[: L - B] == b"\x00" * (L - B)
    f = f[L - B:]
    cap = B - 22
    assert f[-1] == 0xBC and f[-21:-1] == hashlib.sha1(msg).digest()
    if len(msg) > cap:
        assert f[0] == 0x6A and rec == cap and f[1:1 + cap] == msg[:cap] and m2 == msg[cap:]
    else:
        pad = B - 21 - len(msg)
        head = b"\x4a" if pad == 1 else b"\x4b" + b"\xbb" * (pad - 2) + b"\xba"
        assert f[:pad] == head and f[pad:pad + len(msg)] == msg and rec == len(msg)
    _, out = calc("iso9796-verify", "--public-der", der_public(key), "--signature", sig.hex(),
                  "--m2", m2.hex())
    assert out[0] == "valid" and out[1] == msg[:rec].hex()


def test_iso9796_layout():
    key = e2ekit_key(1536, b"iso layout")
    for n in (0, 5, 170, 171, 172, 500):
        iso_check(key, os.urandom(n))


def test_iso9796_odd_modulus_sizes():
    # moduli of 1028 and 1030 bits: the representative is one byte shorter than the modulus
    for bits in (1028, 1030):
        key = rsa.generate_private_key(65537, bits)
        assert key.private_numbers().public_numbers.n.bit_length() == bits
        for n in (0, 3, 106, 107, 200):
            iso_check(key, os.urandom(n))


def test_raw_rsa():
    key = rsa.generate_private_key(65537, 2048)
    nums = key.private_numbers()
    n, d = nums.public_numbers.n, nums.d
    x = int.from_bytes(os.urandom(256), "big") % n
    _, out = calc("rsa-private-raw", "--key-der", der_private(key), "--input", "%0512x" % x)
    assert out[0] == "%0512x" % pow(x, d, n)
    _, out = calc("rsa-public-raw", "--modulus", "%x" % n, "--input", "%0512x" % x)
    assert out[0] == "%0512x" % pow(x, 65537, n)


def test_mtproto_dh():
    tg = "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f" \
         "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37" \
         "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64" \
         "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4" \
         "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754" \
         "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4" \
         "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f" \
         "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b"
    p = int(tg, 16)
    for _ in range(3):
        a, b = os.urandom(256), os.urandom(256)
        B = pow(3, int.from_bytes(b, "big"), p)
        _, out = calc("mtproto-dh-public", "--prime", tg, "--g", "3", "--private", a.hex())
        assert out[0] == "%0512x" % pow(3, int.from_bytes(a, "big"), p)
        _, out = calc("mtproto-dh-shared", "--prime", tg, "--g", "3", "--private", a.hex(),
                      "--peer", "%0512x" % B)
        key = pow(B, int.from_bytes(a, "big"), p).to_bytes(256, "big")
        assert out[0] == key.hex() and out[1] == hashlib.sha1(key).digest()[12:20].hex()


for t in (test_oaep_interop, test_iso9796_layout, test_iso9796_odd_modulus_sizes, test_raw_rsa,
          test_mtproto_dh):
    test(t)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
