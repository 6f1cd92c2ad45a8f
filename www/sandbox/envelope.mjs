// The BlockID tenant envelope with node:crypto alone, written from the wire
// format (not from the package), so the stand-ins check the core against an
// independent implementation:
//   - keys: a 32-byte private scalar; a public key is the uncompressed point
//     without its leading 0x04 (x || y, 64 bytes), base64;
//   - ECDH (secp256k1 by default, P-256 as `p256`) between our private key and
//     the peer's public key; the raw 32-byte shared x-coordinate is the
//     AES-256-GCM key;
//   - a message is base64(iv[16] || ciphertext || tag[16]), iv random.
import { createCipheriv, createDecipheriv, createECDH, randomBytes } from 'node:crypto';

const IV_BYTES = 16;
const TAG_BYTES = 16;

function ecdhFor(curve) {
  if (curve === 'secp256k1') return createECDH('secp256k1');
  if (curve === 'p256') return createECDH('prime256v1');
  throw new Error(`unsupported curve ${curve}`);
}

/** A fresh key pair: `{ curve, privateKey (base64, 32 bytes), publicKey (base64, 64 bytes) }`. */
export function envelopeKeyPair(curve = 'secp256k1') {
  const ecdh = ecdhFor(curve);
  ecdh.generateKeys();
  return {
    curve,
    privateKey: ecdh.getPrivateKey().toString('base64'),
    publicKey: ecdh.getPublicKey(null, 'uncompressed').subarray(1).toString('base64'),
  };
}

/**
 * The envelope between our private key (base64) and a peer's public key
 * (base64, 64 bytes x || y): `seal(text) -> base64`, `open(base64) -> text`;
 * `open` throws on anything that does not authenticate.
 */
export function envelope(curve, privateKeyB64, peerPublicKeyB64) {
  const ecdh = ecdhFor(curve);
  ecdh.setPrivateKey(Buffer.from(privateKeyB64, 'base64'));
  const peer = Buffer.from(String(peerPublicKeyB64), 'base64');
  if (peer.length !== 64) throw new Error('the peer public key is not 64 bytes (x || y)');
  // computeSecret checks the point is on the curve and returns the x-coordinate.
  const key = ecdh.computeSecret(Buffer.concat([Buffer.from([0x04]), peer]));
  return {
    seal(text) {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const ct = Buffer.concat([c.update(String(text), 'utf8'), c.final()]);
      return Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64');
    },
    open(b64) {
      const raw = Buffer.from(String(b64), 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('the message is shorter than iv and tag');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([d.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), d.final()]).toString('utf8');
    },
  };
}
