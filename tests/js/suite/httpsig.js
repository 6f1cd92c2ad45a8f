// RFC 9421 HTTP Message Signatures through the JS API, the same in Node,
// workerd and Chromium: the RFC's Appendix B vectors (tests/vectors/rfc9421.json)
// verify, the deterministic ones (HMAC, Ed25519) re-sign byte for byte,
// a changed covered component or body is refused, Content-Digest is RFC 9530's.
import { equal, ok, throwsCode } from './assert.js';

function message(v, c) {
  const m = v.messages[c.message];
  const out = { headers: [...m.headers, ['Signature-Input', c.signature_input], ['Signature', c.signature]] };
  for (const f of ['method', 'url', 'status', 'request']) if (m[f] !== undefined) out[f] = m[f];
  return { msg: out, body: m.body };
}

const verifierFor = (k, v, c) => k.createHttpSignatureVerifier({ keys: [v.keys[c.key].public], required_components: [], max_age_s: 300 });

export default [
  {
    name: 'httpsig: the RFC 9421 Appendix B vectors verify (RSA-PSS, ECDSA P-256, HMAC, Ed25519, responses, req)',
    run(k, env) {
      const v = env.vectors.rfc9421;
      const seen = [];
      for (const c of v.cases) {
        const { msg, body } = message(v, c);
        const r = verifierFor(k, v, c).verify(msg, body, c.now ?? v.now);
        equal(r.keyid, c.key, c.name);
        seen.push(r.alg);
      }
      equal(seen.length, 8);
      ok(['rsa-pss-sha512', 'ecdsa-p256-sha256', 'hmac-sha256', 'ed25519'].every((a) => seen.includes(a)), seen.join());
      return seen;
    },
  },
  {
    name: 'httpsig: the deterministic vectors (B.2.5 HMAC, B.2.6 Ed25519) re-sign to the RFC\'s bytes',
    run(k, env) {
      const v = env.vectors.rfc9421;
      const out = [];
      for (const c of v.cases.filter((x) => x.deterministic)) {
        const { msg, body } = message(v, c);
        const r = verifierFor(k, v, c).verify(msg, body, v.now);
        const signer = k.createHttpSignatureVerifier({ keys: [v.keys[c.key].private], required_components: [] });
        const unsigned = { ...msg, headers: msg.headers.slice(0, -2) };
        const components = r.components.map((s) => (s.includes(';') ? s : s.slice(1, -1)));
        const req = { keyid: r.keyid, components, created: r.created, label: r.label };
        if (r.nonce !== null) req.nonce = r.nonce;
        if (r.tag !== null) req.tag = r.tag;
        const s = signer.sign(unsigned, req, v.now);
        equal(s.signature_input, c.signature_input, c.name);
        equal(s.signature, c.signature, c.name);
        equal(s.base, c.base, c.name);
        out.push(c.name);
      }
      equal(out.length, 2);
      return out;
    },
  },
  {
    name: 'httpsig: a changed covered field, method or body is refused with the core\'s codes',
    run(k, env) {
      const v = env.vectors.rfc9421;
      const c = v.cases.find((x) => x.name.startsWith('B.2.6'));
      const { msg, body } = message(v, c);
      const ver = verifierFor(k, v, c);
      const swap = (name, value) => ({ ...msg, headers: msg.headers.map(([n, x]) => [n, n.toLowerCase() === name ? value : x]) });
      throwsCode(() => ver.verify(swap('content-type', 'text/plain'), body, v.now), 'bad_signature');
      throwsCode(() => ver.verify({ ...msg, method: 'PUT' }, body, v.now), 'bad_signature');
      throwsCode(() => ver.verify({ ...msg, headers: msg.headers.slice(0, -1) }, body, v.now), 'missing_header');
      throwsCode(() => ver.verify(msg, body, v.now + 3600), 'timestamp_too_old');
      const digest = v.cases.find((x) => x.name.startsWith('B.2.2'));
      const d = message(v, digest);
      const dv = verifierFor(k, v, digest);
      throwsCode(() => dv.verify(d.msg, `${d.body} `, v.now), 'digest_mismatch');
      return 'refused';
    },
  },
  {
    name: 'httpsig: Content-Digest (RFC 9530) of the RFC\'s request body',
    run(k, env) {
      const v = env.vectors.rfc9421;
      const m = v.messages.request;
      const given = m.headers.find(([n]) => n.toLowerCase() === 'content-digest')[1];
      equal(k.contentDigest(m.body, ['sha-512']), given);
      ok(/^sha-256=:[A-Za-z0-9+/]{43}=:$/.test(k.contentDigest(new TextEncoder().encode(m.body))));
      return given;
    },
  },
];
