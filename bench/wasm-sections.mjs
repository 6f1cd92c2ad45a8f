// Reads a WebAssembly binary's sections: the size of each function body
// (code section) and the function names of the `name` custom section, so a
// module's bytes can be attributed to the crates they came from.

function leb(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [result, pos];
  }
}

/** Sections of `buf`: `{ id, name?, start, end }` (payload bounds). */
export function sections(buf) {
  const out = [];
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, p] = leb(buf, pos + 1);
    const s = { id, start: p, end: p + size };
    if (id === 0) {
      const [n, q] = leb(buf, p);
      s.name = buf.subarray(q, q + n).toString('utf8');
      s.payload = q + n;
    }
    out.push(s);
    pos = p + size;
  }
  return out;
}

/**
 * Every defined function: `{ index, name, bytes, body }` (body: its bytes in
 * the code section); plus the data section's size.
 */
export function functions(buf) {
  const secs = sections(buf);
  let imported = 0;
  const imp = secs.find((s) => s.id === 2);
  if (imp) {
    let [n, p] = leb(buf, imp.start);
    for (let i = 0; i < n; i++) {
      let len;
      [len, p] = leb(buf, p); p += len;
      [len, p] = leb(buf, p); p += len;
      const kind = buf[p++];
      if (kind === 0) { imported++; [, p] = leb(buf, p); }
      else if (kind === 1) { p += 1; const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
      else if (kind === 2) { const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
      else if (kind === 3) { p += 2; }
      else if (kind === 4) { p += 1; [, p] = leb(buf, p); }
    }
  }
  const names = new Map();
  const nameSec = secs.find((s) => s.id === 0 && s.name === 'name');
  if (nameSec) {
    let p = nameSec.payload;
    while (p < nameSec.end) {
      const sub = buf[p];
      const [size, q] = leb(buf, p + 1);
      if (sub === 1) {
        let [n, r] = leb(buf, q);
        for (let i = 0; i < n; i++) {
          let idx, len;
          [idx, r] = leb(buf, r);
          [len, r] = leb(buf, r);
          names.set(idx, buf.subarray(r, r + len).toString('utf8'));
          r += len;
        }
      }
      p = q + size;
    }
  }
  const code = secs.find((s) => s.id === 10);
  const fns = [];
  if (code) {
    let [n, p] = leb(buf, code.start);
    for (let i = 0; i < n; i++) {
      const [size, q] = leb(buf, p);
      const index = imported + i;
      fns.push({ index, name: names.get(index) ?? `func${index}`, bytes: q + size - p, body: buf.subarray(q, q + size) });
      p = q + size;
    }
  }
  const data = secs.filter((s) => s.id === 11).reduce((a, s) => a + (s.end - s.start), 0);
  return { fns, data, dataBody: Buffer.concat(secs.filter((s) => s.id === 11).map((s) => buf.subarray(s.start, s.end))), named: names.size };
}

/**
 * The crate a function belongs to, from its symbol as rustc mangles it (v0
 * `_R...` or legacy `_ZN...`): the first crate the path names (for an impl,
 * the crate of the type or trait path it starts with).
 */
export function crateOf(name) {
  if (/^(__wbindgen|__wbg|__externref|__wbg_)/.test(name)) return 'wasm-bindgen';
  // An export as wasm-bindgen wraps it (`createWebhookVerifier externref shim`):
  // our binding code, with whatever the optimizer inlined into it.
  if (/ (externref|multivalue) shim$/.test(name)) return 'kosmos-connect (wasm exports, with code inlined into them)';
  let crate;
  if (name.startsWith('_R')) {
    const m = /C(?:s[0-9A-Za-z]*_)?(\d+)/.exec(name);
    if (m) crate = name.substr(m.index + m[0].length, Number(m[1]));
  } else if (name.startsWith('_ZN')) {
    const m = /^_ZN(\d+)/.exec(name);
    if (m) {
      let seg = name.substr(m[0].length, Number(m[1]));
      // `_$LT$serde_json..de..Foo$u20$as$u20$...`: the type's crate.
      seg = seg.replace(/^_/, '').replace(/^(\$LT\$|\$RF\$|\$u5b\$|mut\$u20\$|\$LP\$|\$BP\$|const\$u20\$|dyn\$u20\$)+/, '');
      crate = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(seg)?.[1];
    }
  } else if (/^[A-Za-z_]\w*$/.test(name) && !/^func\d+$/.test(name)) {
    return '(exports and C symbols)';
  }
  if (!crate) return '(unnamed)';
  if (crate === 'alloc' || crate === 'core' || crate === 'std') return 'core/alloc/std';
  if (/^([A-Z]|[iu](8|16|32|64|128|size)|f32|f64|bool|str|char)$/.test(crate)) return '(impls on generic or primitive types)';
  return crate.replace(/_/g, '-');
}
