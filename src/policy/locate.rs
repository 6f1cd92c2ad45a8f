//! Where a JSON path is in the source text: line and column (1-based,
//! columns in characters), for the author's tools.
//!
//! A small scanner walks the text once and records the start of every value
//! (for an object member: the start of its key) under the path the compiler
//! writes (`rules[2].when.all[0]`, `ip_lists["a b"]`). The text has already
//! parsed as JSON when this runs; on anything unexpected the scanner stops
//! and the paths seen so far still answer.

use super::compile::join;

/// A position: line and column, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    pub(super) line: usize,
    pub(super) column: usize,
}

/// Every path of a JSON text, with its position.
pub(super) struct Index {
    paths: Vec<(String, Pos)>,
}

struct Scan<'a> {
    text: &'a str,
    at: usize,
    line: usize,
    /// Byte offset where the current line starts.
    line_start: usize,
    out: Vec<(String, Pos)>,
}

impl Index {
    pub(super) fn new(text: &str) -> Self {
        let mut s = Scan {
            text,
            at: 0,
            line: 1,
            line_start: 0,
            out: Vec::new(),
        };
        s.ws();
        let start = s.pos();
        s.out.push(("$".to_owned(), start));
        s.value("$", 0);
        Self { paths: s.out }
    }

    /// The position of `path`, or of its nearest ancestor that exists (a
    /// missing key points at the object that lacks it).
    pub(super) fn find(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some((_, pos)) = self.paths.iter().find(|(k, _)| k == p) {
                return *pos;
            }
            match parent(p) {
                Some(up) => p = up,
                None => return Pos { line: 1, column: 1 },
            }
        }
    }
}

/// `a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> `$`.
fn parent(path: &str) -> Option<&str> {
    if path == "$" {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    if cut == 0 {
        return Some("$");
    }
    path.get(..cut)
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn pos(&self) -> Pos {
        let col = self
            .text
            .get(self.line_start..self.at)
            .map_or(0, |s| s.chars().count());
        Pos {
            line: self.line,
            column: col + 1,
        }
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
            self.line_start = self.at + 1;
        }
        self.at += 1;
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.bump();
        }
    }

    /// A string's decoded text (escapes through serde_json), the scanner after it.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.bump();
        loop {
            match self.peek()? {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b'"' => {
                    self.bump();
                    break;
                }
                _ => self.bump(),
            }
        }
        serde_json::from_str(self.text.get(start..self.at)?).ok()
    }

    fn value(&mut self, path: &str, depth: usize) -> Option<()> {
        if depth > 64 {
            return None;
        }
        match self.peek()? {
            b'{' => {
                self.bump();
                loop {
                    self.ws();
                    match self.peek()? {
                        b'}' => {
                            self.bump();
                            return Some(());
                        }
                        b',' => self.bump(),
                        b'"' => {
                            let pos = self.pos();
                            let key = self.string()?;
                            let child = join(path, &key);
                            self.out.push((child.clone(), pos));
                            self.ws();
                            (self.peek()? == b':').then_some(())?;
                            self.bump();
                            self.ws();
                            self.value(&child, depth + 1)?;
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.bump();
                let mut i = 0;
                loop {
                    self.ws();
                    match self.peek()? {
                        b']' => {
                            self.bump();
                            return Some(());
                        }
                        b',' => self.bump(),
                        _ => {
                            let child = if path == "$" {
                                format!("[{i}]")
                            } else {
                                format!("{path}[{i}]")
                            };
                            let pos = self.pos();
                            self.out.push((child.clone(), pos));
                            self.value(&child, depth + 1)?;
                            i += 1;
                        }
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
                {
                    self.bump();
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_items_and_ancestors() {
        let text = "{\n  \"rules\": [\n    {\"id\": \"a\", \"when\": {\"all\": [ {\"dévice\": 1}, {\"x y\": 2} ]}}\n  ]\n}";
        let ix = Index::new(text);
        assert_eq!(ix.find("rules"), Pos { line: 2, column: 3 });
        assert_eq!(ix.find("rules[0]"), Pos { line: 3, column: 5 });
        assert_eq!(
            ix.find("rules[0].when"),
            Pos {
                line: 3,
                column: 17
            }
        );
        assert_eq!(
            ix.find("rules[0].when.all[1]"),
            Pos {
                line: 3,
                column: 50
            }
        );
        assert_eq!(
            ix.find("rules[0].when.all[1][\"x y\"]"),
            Pos {
                line: 3,
                column: 51
            }
        );
        // A missing key points at its object.
        assert_eq!(ix.find("rules[0].then"), Pos { line: 3, column: 5 });
        assert_eq!(ix.find("version"), Pos { line: 1, column: 1 });
    }
}
