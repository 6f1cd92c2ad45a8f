//! The error-code table (src/codes.rs) is the only list of codes:
//! - `pkg/codes.js` and `pkg/codes.d.ts` are generated from it (this test
//!   fails on drift; `UPDATE_CODES=1 cargo test --test codes_table` rewrites them);
//! - every code the core's errors return (`fn code` bodies, the 1Kosmos
//!   status table in `src/kosmos/wire.rs`) and every code the JS shim throws
//!   (`new KosmosError('...'`) is in the table.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test helpers: a failed unwrap is a failed test"
)]
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kosmos_connect::{code_info, CODES};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const BANNER: &str =
    "// GENERATED from src/codes.rs by tests/codes_table.rs (UPDATE_CODES=1 cargo test --test codes_table). Do not edit.\n";

fn codes_js() -> String {
    let mut out = String::from(BANNER);
    out.push_str("// Every stable error code: [class, HTTP status a server answers].\n");
    out.push_str("export const CODES = Object.freeze({\n");
    for c in CODES {
        writeln!(
            out,
            "  {}: ['{}', {}],",
            c.code,
            c.class.as_str(),
            c.http_status
        )
        .unwrap();
    }
    out.push_str("});\n\n");
    out.push_str("/** `{ code, class, http_status }` of a code, or undefined for a code not in the table. */\n");
    out.push_str("export function codeInfo(code) {\n");
    out.push_str("  const row = Object.hasOwn(CODES, code) ? CODES[code] : undefined;\n");
    out.push_str("  return row && { code, class: row[0], http_status: row[1] };\n");
    out.push_str("}\n");
    out
}

fn codes_dts() -> String {
    let mut out = String::from(BANNER);
    out.push_str(
        "/** Every stable error code the package throws. */\nexport type KosmosErrorCode =\n",
    );
    for c in CODES {
        writeln!(out, "  | '{}'", c.code).unwrap();
    }
    out.push_str("  ;\n");
    out.push_str("/** What kind of failure a code is. */\n");
    out.push_str("export type KosmosErrorClass = 'bad_input' | 'not_authentic' | 'upstream' | 'configuration' | 'internal';\n");
    out.push_str("/** Every code: [class, HTTP status a server answers]. */\n");
    out.push_str("export declare const CODES: Readonly<Record<KosmosErrorCode, readonly [KosmosErrorClass, number]>>;\n");
    out.push_str("/** The row of a code; undefined for a code not in the table. */\n");
    out.push_str("export function codeInfo(code: string): { code: KosmosErrorCode; class: KosmosErrorClass; http_status: number } | undefined;\n");
    out
}

#[test]
fn generated_files_match_the_table() {
    for (path, want) in [
        ("pkg/codes.js", codes_js()),
        ("pkg/codes.d.ts", codes_dts()),
    ] {
        let p = root().join(path);
        if std::env::var_os("UPDATE_CODES").is_some() {
            std::fs::write(&p, &want).unwrap();
        }
        let got = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(
            got == want,
            "{path} is not what src/codes.rs generates: run `UPDATE_CODES=1 cargo test --test codes_table`"
        );
    }
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().unwrap() != "gen" {
                files(&p, ext, out);
            }
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// The snake_case string literals of `text`.
fn literals_in(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(i) = rest.find('"') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find('"') else { break };
        let lit = &rest[..j];
        if !lit.is_empty() && lit.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            out.insert(lit.to_owned());
        }
        rest = &rest[j + 1..];
    }
}

/// Codes the core can emit: the bodies of `fn code(&self)` in src/, and the
/// `404 => "code",` rows of the 1Kosmos status table.
fn core_codes() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rs = Vec::new();
    files(&root().join("src"), "rs", &mut rs);
    for p in rs {
        let text = std::fs::read_to_string(&p).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("fn code(&self) -> &'static str {") {
            rest = &rest[i..];
            let end = rest.find("\n    }\n").unwrap();
            literals_in(&rest[..end], &mut out);
            rest = &rest[end..];
        }
        for line in text.lines() {
            let t = line.trim();
            // The 1Kosmos status table: `404 => "not_found",`.
            if t.starts_with(|c: char| c.is_ascii_digit()) && t.contains("=> \"") {
                literals_in(t, &mut out);
            }
        }
    }
    out
}

/// Codes the JS shim throws.
fn shim_codes() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut js = Vec::new();
    files(&root().join("pkg"), "js", &mut js);
    for p in js {
        let text = std::fs::read_to_string(&p).unwrap();
        for part in text.split("new KosmosError('").skip(1) {
            out.insert(part.split('\'').next().unwrap().to_owned());
        }
    }
    out
}

#[test]
fn every_emitted_code_is_in_the_table() {
    let core = core_codes();
    let shim = shim_codes();
    // The enumeration itself must see the codes it is about.
    for must in [
        "bad_format",
        "invalid_policy",
        "rate_limited",
        "hash_mismatch",
        "invalid_argument",
    ] {
        assert!(
            core.contains(must),
            "the scan of src/ missed `{must}`: {core:?}"
        );
    }
    assert!(
        shim.contains("not_initialized") && shim.contains("network_error"),
        "{shim:?}"
    );
    let missing: Vec<_> = core
        .iter()
        .chain(&shim)
        .filter(|c| code_info(c).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "codes emitted but not in src/codes.rs: {missing:?}"
    );
}
