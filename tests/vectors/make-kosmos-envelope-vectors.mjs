// Makes envelope.json with Node's own crypto (an implementation independent
// of the Rust core): ECDH on secp256k1 / prime256v1, the shared x-coordinate
// as AES-256-GCM key, a 16-byte IV, base64(iv || ciphertext || tag).
// Run: node tests/vectors/make-kosmos-envelope-vectors.mjs > tests/vectors/kosmos-envelope.json
import { createECDH, createCipheriv, createHash } from "node:crypto";

// Deterministic private keys so the file is reproducible: sha256 of a label.
const scalar = (label) => createHash("sha256").update(label).digest();
const iv = (label) => createHash("sha256").update(label).digest().subarray(0, 16);

function party(curve, label) {
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(scalar(label));
  return {
    ecdh,
    private_key: ecdh.getPrivateKey().toString("base64"),
    // The 1Kosmos form: uncompressed point without the leading 0x04.
    public_key: ecdh.getPublicKey().subarray(1).toString("base64"),
  };
}

function seal(key, ivBytes, text) {
  const c = createCipheriv("aes-256-gcm", key, ivBytes);
  const ct = Buffer.concat([c.update(text, "utf8"), c.final()]);
  return Buffer.concat([ivBytes, ct, c.getAuthTag()]).toString("base64");
}

const cases = [];
for (const [curve, name] of [["secp256k1", "secp256k1"], ["prime256v1", "p256"]]) {
  const caller = party(curve, `kosmos-connect caller ${curve}`);
  const service = party(curve, `kosmos-connect service ${curve}`);
  const shared = caller.ecdh.computeSecret(service.ecdh.getPublicKey());
  const messages = [
    "",
    "lic-0123456789",
    JSON.stringify({ ts: 1700000000, appid: "app-1", uuid: "0b7c1d8e-4f1a-4c2b-9d3e-5a6b7c8d9e0f" }),
    JSON.stringify({ responseStatus: "SUCCESS", dl_object: { firstName: "Ada", lastName: "Lovelace", dob: "18151210" } }),
    "unicode: \u00e9\u00e8 \u{1F600}",
  ].map((plaintext, i) => ({
    plaintext,
    iv: iv(`${curve} iv ${i}`).toString("base64"),
    sealed: seal(shared, iv(`${curve} iv ${i}`), plaintext),
  }));
  cases.push({
    curve: name,
    caller_private_key: caller.private_key,
    caller_public_key: caller.public_key,
    service_private_key: service.private_key,
    service_public_key: service.public_key,
    shared_key_hex: shared.toString("hex"),
    messages,
  });
}
process.stdout.write(JSON.stringify({
  description: "blockid-tenant envelope vectors made with Node's crypto (createECDH + aes-256-gcm, 16-byte IV)",
  generator: "tests/vectors/make-kosmos-envelope-vectors.mjs",
  cases,
}, null, 2) + "\n");
