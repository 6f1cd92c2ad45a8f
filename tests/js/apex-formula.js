// The External Credential Kosmos_Worker signs every callout with a custom
// header whose value is a Named Credential formula. This evaluates that
// formula the way the org does, with the few functions it uses
// (BASE64ENCODE, HMAC, BLOB) over `$Credential.Kosmos_Worker.Body` (the
// request body) and the principal's secret, so the tests can send what
// the org sends.
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { forceApp, readMetadata } from './salesforce-metadata.js';

const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The External Credential's metadata and its signature header formula. */
export function signatureFormula() {
  const ec = readMetadata(join(forceApp, 'externalCredentials', 'Kosmos_Worker.externalCredential-meta.xml'));
  const header = asList(ec.externalCredentialParameters).find((p) => p.parameterType === 'AuthHeader' && p.parameterName === 'x-descope-webhook-s256');
  if (!header) throw new Error('the External Credential has no x-descope-webhook-s256 AuthHeader parameter');
  return { ec, formula: header.parameterValue };
}

function tokenize(src) {
  const out = [];
  const re = /\s*(?:([A-Z0-9_]+)\s*\(|('(?:[^'\\]|\\.)*')|(\$Credential\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+)|(,)|(\)))/y;
  let m;
  while (re.lastIndex < src.length && (m = re.exec(src))) {
    if (m[1]) out.push({ fn: m[1] });
    else if (m[2]) out.push({ str: m[2].slice(1, -1) });
    else if (m[3]) out.push({ ref: m[3] });
    else if (m[4]) out.push({ comma: true });
    else out.push({ close: true });
  }
  if (re.lastIndex !== src.length && src.slice(re.lastIndex).trim() !== '') throw new Error(`cannot read the formula at \`${src.slice(re.lastIndex, re.lastIndex + 20)}\``);
  return out;
}

/** Evaluates a `{!...}` header formula with `refs` for the `$Credential...` names. */
export function evaluate(formula, refs) {
  const m = /^\{!(.*)\}$/s.exec(formula.trim());
  if (!m) throw new Error('a header formula is written {!...}');
  const toks = tokenize(m[1]);
  let i = 0;
  const expr = () => {
    const t = toks[i++];
    if (!t) throw new Error('the formula ends early');
    if (t.str !== undefined) return t.str;
    if (t.ref) {
      if (!(t.ref in refs)) throw new Error(`unknown reference ${t.ref}`);
      return refs[t.ref];
    }
    if (!t.fn) throw new Error('unexpected token');
    const args = [];
    while (toks[i] && !toks[i].close) {
      args.push(expr());
      if (toks[i]?.comma) i++;
    }
    i++;
    const toBuf = (v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));
    switch (t.fn) {
      case 'BLOB':
        return toBuf(args[0]);
      case 'BASE64ENCODE':
        return toBuf(args[0]).toString('base64');
      case 'HMAC': {
        const alg = { HMACSHA256: 'sha256', SHA256: 'sha256' }[String(args[0]).toUpperCase()];
        if (!alg) throw new Error(`unsupported HMAC algorithm ${args[0]}`);
        return createHmac(alg, toBuf(args[2])).update(toBuf(args[1])).digest();
      }
      default:
        throw new Error(`unsupported formula function ${t.fn}`);
    }
  };
  const v = expr();
  if (i !== toks.length) throw new Error('text after the formula');
  return String(v);
}

/** The header value the org sends for `body` when the principal's secret is `secret`. */
export function signatureHeader(body, secret) {
  const { formula } = signatureFormula();
  return evaluate(formula, { '$Credential.Kosmos_Worker.Body': Buffer.from(body, 'utf8'), '$Credential.Kosmos_Worker.HmacSecret': secret });
}
