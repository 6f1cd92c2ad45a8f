"""RFC 9421 with PyPI http-message-signatures (an implementation independent
of kosmos-connect), for tests/js/httpsig-interop.test.js and the bench.

Reads one JSON request per line on stdin, answers one JSON line on stdout:
  {"op": "sign", "alg", "keyid", "key", "message": {method, url, headers}, "body",
   "components", "created", "expires", "nonce"}       -> {"headers": {...}}
  {"op": "verify", "alg", "keyid", "key", "message", "body", "max_age_s"}
                                                       -> {"ok": true, "components": [...]} | {"ok": false, "error"}
  {"op": "bench", ...verify request..., "n"}           -> {"ns_per_op"}
`key`: PEM text for asymmetric algorithms, base64 for hmac-sha256.
"""
import base64
import datetime
import json
import sys
import time

import http_message_signatures as hms
from http_message_signatures import algorithms
from http_message_signatures.structures import CaseInsensitiveDict

ALGS = {
    "ed25519": algorithms.ED25519,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "hmac-sha256": algorithms.HMAC_SHA256,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
    "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
}


class Message:
    def __init__(self, m):
        self.method = m["method"].upper()
        self.url = m["url"]
        self.headers = CaseInsensitiveDict(m.get("headers", {}))


def key_bytes(req):
    if req["alg"] == "hmac-sha256":
        return base64.b64decode(req["key"])
    return req["key"].encode()


def resolver(req):
    k = key_bytes(req)
    return hms.MappingKeyResolver(public_keys={req["keyid"]: k}, private_keys={req["keyid"]: k})


def ts(s):
    return None if s is None else datetime.datetime.fromtimestamp(s, tz=datetime.timezone.utc)


def sign(req):
    msg = Message(req["message"])
    signer = hms.HTTPMessageSigner(signature_algorithm=ALGS[req["alg"]], key_resolver=resolver(req))
    body = req.get("body")
    signer.sign(
        msg,
        key_id=req["keyid"],
        created=ts(req.get("created")),
        expires=ts(req.get("expires")),
        nonce=req.get("nonce"),
        label=req.get("label", "sig1"),
        include_alg=req.get("include_alg", False),
        covered_component_ids=req["components"],
        body=None if body is None else body.encode(),
    )
    return {"headers": {k.lower(): v for k, v in msg.headers.items()}}


def verify(req):
    msg = Message(req["message"])
    verifier = hms.HTTPMessageVerifier(signature_algorithm=ALGS[req["alg"]], key_resolver=resolver(req))
    body = req.get("body")
    try:
        results = verifier.verify(
            msg,
            max_age=datetime.timedelta(seconds=req.get("max_age_s", 300)),
            body=None if body is None else body.encode(),
        )
    except Exception as e:  # noqa: BLE001 - the test wants the refusal, whatever its class
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    return {"ok": True, "components": list(results[0].covered_components.keys())}


def bench(req):
    n = req.get("n", 2000)
    verify(req)
    t0 = time.perf_counter_ns()
    for _ in range(n):
        verify(req)
    return {"ns_per_op": (time.perf_counter_ns() - t0) / n}


for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    try:
        out = {"sign": sign, "verify": verify, "bench": bench}[r["op"]](r)
    except Exception as e:  # noqa: BLE001
        out = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
