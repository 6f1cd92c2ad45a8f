// Regenerates the JavaScript-derived parts of tests/vectors/webhooks.json:
// every expected string is what Node's own JSON.parse / JSON.stringify /
// String(number) / createHmac produce, never a hand-written answer.
// The `interop` cases are signed by the npm `standardwebhooks` and `svix`
// libraries (devDependencies); tests/js/webhook-interop.test.js checks that
// they still sign the same way.
// Usage: node tests/vectors/gen/webhooks-js.mjs   (rewrites the file in place)
import { createHmac } from "node:crypto";
import { interopCases } from "./interop.mjs";
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../webhooks.json", import.meta.url);
const vectors = JSON.parse(readFileSync(path, "utf8"));

// JSON texts whose JSON.stringify(JSON.parse(text)) differs from a naive
// re-serialization. `body_hex` cases are raw bytes (BOM, invalid UTF-8),
// decoded as a JS host would (TextDecoder: BOM dropped, U+FFFD for bad bytes).
const texts = [
  '{"n":1e21}', '{"n":1E21}', "[1e20,1e21,123e18,-1e21]", "-0", "[-0,0.0,-0.0e5,0e-5]", "0.1",
  "5e-7", "[1e-6,1e-7,0.000001,0.0000001]", "1.5e300", "[1E3,1e+3,100e-2,2.5e-5,123.456e-2]",
  "12345678901234567890", "9007199254740993", "[9007199254740992,9007199254740993,9007199254740995]",
  "-12345678901234567890123", "[1e400,-1e400,1e-400,-1e-400]", "4.9e-324", "2e-324",
  "1.7976931348623157e308", "[0.30000000000000004,0.1e1,1.0,1.50,100]",
  "123456789012345678901234567890", "1e-5", "[5e-324,2.2250738585072014e-308]",
  '"\\u2028\\u2029"', '"\u2028\u2029"', '"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"\\uD83D\\uDE00"',
  '"\\udc00\\ud800"', '"\\ud800\\ud800\\udc00"', '"\ud83d\ude00 raw"', '"\\u0000\\u001f\\u007f\\u0080"',
  '"\\b\\f\\n\\r\\t"', '"\\/ and /"', '"\\u00e9 \u00e9"', '"\\"\\\\"', '"\\u000B\\u001b"', '"\\uFEFF\\uFFFF"',
  '{"b":1,"a":2,"1":3,"0":4,"01":5,"4294967295":6,"4294967294":7,"-1":8,"1.5":9," 2":10}',
  '{"a":1,"b":2,"a":3}', '{"a":1,"b":2,"a":3,"c":4,"b":5,"a":6,"1":7,"1":8}', '{"a":1,"\\u0061":2}', '{"__proto__":1,"a":2}', '{"2":"x","1":{"b":1,"0":2}}',
  ' {\n  "email" : "test@example.com",\n\t"tags" : [ "a" , "b" ] ,\r\n  "n" : 1.0\n} ',
  '{"event":{"type":"user.created","user":{"loginIds":["a@b.c"],"createdTime":1.7e9,"verified":true,"x":null}}}',
  "[[[[[]]]],{},[{}]]", "true", "null", '""',
];
const bodiesHex = [
  Buffer.from('\ufeff{"a":1}', "utf8").toString("hex"),
  Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from('"}')]).toString("hex"),
  Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]).toString("hex"),
];
const decode = (hex) => new TextDecoder().decode(Buffer.from(hex, "hex"));
vectors.js_stringify = [
  ...texts.map((text) => ({ text, expected: JSON.stringify(JSON.parse(text)) })),
  ...bodiesHex.map((body_hex) => ({ body_hex, expected: JSON.stringify(JSON.parse(decode(body_hex))) })),
];
// Texts JSON.parse refuses: no canonical form, only the raw body can match.
const invalid = ["{", "[1,]", '{"a":1,}', "01", "1.", ".5", "+1", "NaN", "'a'", '"\t"', '"\\x"', '"\\u12"', "{a:1}", "[1] x", "\ufeff\ufeff1", "tru", "-", "1e", "[1 2]", '{"a" 1}', "Infinity"];
for (const text of invalid) {
  let threw = false;
  try { JSON.parse(text); } catch { threw = true; }
  if (!threw) throw new Error(`JSON.parse accepted ${JSON.stringify(text)}`);
}
vectors.js_parse_errors = invalid;

// Number::toString over doubles from every range, by bit pattern.
let seed = 0x2545f491;
const rnd = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
const numbers = [];
const view = new DataView(new ArrayBuffer(8));
for (let i = 0; i < 600; i++) {
  let x;
  if (i < 200) {
    view.setUint32(0, Math.floor(rnd() * 2 ** 32));
    view.setUint32(4, Math.floor(rnd() * 2 ** 32));
    x = view.getFloat64(0);
    if (!Number.isFinite(x)) continue;
  } else if (i < 300) x = Math.round(rnd() * 10 ** Math.floor(rnd() * 25)) / 10 ** Math.floor(rnd() * 12);
  else if (i < 400) x = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30);
  else if (i < 500) x = Math.floor(rnd() * 2 ** 64) * (rnd() < 0.5 ? -1 : 1);
  else x = Number((rnd() * 1000).toFixed(Math.floor(rnd() * 6)));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0).toString(16).padStart(16, "0");
  numbers.push([bits, String(x)]);
}
for (const x of [1e21, 1e-7, 1e-6, 0.1, 0.2 + 0.1, 5e-324, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, 1 / 3, 100, 1e100, 123e-20]) {
  view.setFloat64(0, x);
  numbers.push([view.getBigUint64(0).toString(16).padStart(16, "0"), String(x)]);
}
vectors.js_numbers = numbers;

// Descope signs JSON.stringify(payload); the receiver gets some other text of it.
const descopeSecret = "descope-connector-hmac-secret";
vectors.descope = [
  ' {\n  "email" : "test@example.com",\n  "amount": 1.50e2,\n  "note": "\\u2028 \\u00e9"\n}',
  '{"b":1,"a":2,"1":3,"0":4}',
  '{"big":12345678901234567890,"small":5e-7,"neg":-0}',
  '{"action":"step_up","user":{"id":"U2","ial":2}}',
].map((body) => ({
  secret: descopeSecret,
  body,
  signature: createHmac("sha256", descopeSecret).update(JSON.stringify(JSON.parse(body))).digest("base64"),
  raw_matches: JSON.stringify(JSON.parse(body)) === body,
}));

// A t=<unix>,v1=<hex> scheme over "{t}.{body}" (the Stripe layout), made with Node's HMAC.
const tsSecret = "whsec_stripe_style_secret_is_used_as_utf8";
const tsBody = '{"id":"evt_1","type":"verification.completed"}';
const t = 1700000000;
vectors.timestamped_hex = [
  { secret: tsSecret, header: "x-kosmos-signature", template: "{t}.{body}", timestamp: t, body: tsBody,
    value: `t=${t},v1=${createHmac("sha256", tsSecret).update(`${t}.${tsBody}`).digest("hex")}` },
  { secret: tsSecret, header: "x-kosmos-signature", template: "v0:{t}:{body}", timestamp: t, body: tsBody,
    value: `t=${t},v1=${createHmac("sha256", "other").update("x").digest("hex")},v1=${createHmac("sha256", tsSecret).update(`v0:${t}:${tsBody}`).digest("hex")}` },
];

vectors.interop = interopCases();

writeFileSync(path, JSON.stringify(vectors, null, 1) + "\n");
console.log(`js_stringify ${vectors.js_stringify.length}, js_numbers ${numbers.length}, descope ${vectors.descope.length}`);
