//! A small streaming tar reader (POSIX ustar, GNU long names, pax `path`),
//! enough for `docker save` archives and the layer tars inside them. It
//! never seeks and never writes to disk.

use std::io::{self, Read};

/// One archive member's header.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    /// The tar type flag (`b'0'` regular file, `b'5'` directory, …).
    pub kind: u8,
    pub size: u64,
}

impl Entry {
    pub fn is_file(&self) -> bool {
        self.kind == b'0' || self.kind == 0 || self.kind == b'7'
    }
}

pub struct TarReader<R: Read> {
    r: R,
    /// Data bytes of the current entry not yet read.
    left: u64,
    /// Padding after the current entry's data.
    pad: u64,
    finished: bool,
}

fn octal(field: &[u8]) -> io::Result<u64> {
    // GNU base-256 for large values.
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut v: u64 = (field[0] & 0x7f) as u64;
        for &b in &field[1..] {
            v = v
                .checked_mul(256)
                .and_then(|x| x.checked_add(b as u64))
                .ok_or_else(|| bad("size field overflows"))?;
        }
        return Ok(v);
    }
    let s: String = field
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(s, 8).map_err(|_| bad(&format!("bad octal field {s:?}")))
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed tar: {msg}"))
}

fn cstr(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// Does this 512-byte block look like a tar header (valid checksum)?
pub fn is_header(h: &[u8]) -> bool {
    if h.len() < 512 || h.iter().all(|&b| b == 0) {
        return false;
    }
    let Ok(want) = octal(&h[148..156]) else {
        return false;
    };
    let sum: u64 = h[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u64
            }
        })
        .sum();
    sum == want
}

impl<R: Read> TarReader<R> {
    pub fn new(r: R) -> Self {
        TarReader {
            r,
            left: 0,
            pad: 0,
            finished: false,
        }
    }

    fn skip(&mut self, mut n: u64) -> io::Result<()> {
        let mut buf = [0u8; 8192];
        while n > 0 {
            let want = buf.len().min(n as usize);
            let got = self.r.read(&mut buf[..want])?;
            if got == 0 {
                return Err(bad("truncated archive"));
            }
            n -= got as u64;
        }
        Ok(())
    }

    fn read_block(&mut self, buf: &mut [u8; 512]) -> io::Result<bool> {
        let mut got = 0;
        while got < 512 {
            let n = self.r.read(&mut buf[got..])?;
            if n == 0 {
                if got == 0 {
                    return Ok(false); // clean end without the zero blocks
                }
                return Err(bad("truncated header"));
            }
            got += n;
        }
        Ok(true)
    }

    fn read_all_data(&mut self, cap: u64) -> io::Result<Vec<u8>> {
        if self.left > cap {
            return Err(bad("metadata entry too large"));
        }
        let mut v = vec![0u8; self.left as usize];
        self.r.read_exact(&mut v)?;
        self.left = 0;
        Ok(v)
    }

    /// The next entry's header; the previous entry's unread data is skipped.
    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        let mut long_name: Option<String> = None;
        loop {
            if self.finished {
                return Ok(None);
            }
            self.skip(self.left + self.pad)?;
            self.left = 0;
            self.pad = 0;
            let mut h = [0u8; 512];
            if !self.read_block(&mut h)? || h.iter().all(|&b| b == 0) {
                self.finished = true;
                return Ok(None);
            }
            if !is_header(&h) {
                return Err(bad("header checksum mismatch"));
            }
            let size = octal(&h[124..136])?;
            let kind = h[156];
            self.left = size;
            self.pad = (512 - size % 512) % 512;
            match kind {
                b'L' => {
                    let d = self.read_all_data(64 * 1024)?;
                    long_name = Some(cstr(&d));
                    continue;
                }
                b'x' => {
                    let d = self.read_all_data(1024 * 1024)?;
                    if let Some(p) = pax_path(&d) {
                        long_name = Some(p);
                    }
                    continue;
                }
                b'g' | b'K' => continue,
                _ => {}
            }
            let path = match long_name.take() {
                Some(p) => p,
                None => {
                    let name = cstr(&h[0..100]);
                    let prefix = if &h[257..262] == b"ustar" {
                        cstr(&h[345..500])
                    } else {
                        String::new()
                    };
                    if prefix.is_empty() {
                        name
                    } else {
                        format!("{prefix}/{name}")
                    }
                }
            };
            return Ok(Some(Entry { path, kind, size }));
        }
    }

    /// Read the current entry's data, at most `cap` bytes (the rest is
    /// skipped by the next call to `next_entry`).
    pub fn read_data(&mut self, cap: usize) -> io::Result<Vec<u8>> {
        let n = (self.left as usize).min(cap);
        let mut v = vec![0u8; n];
        self.r.read_exact(&mut v)?;
        self.left -= n as u64;
        Ok(v)
    }
}

/// The current entry's data as a reader (for a tar inside a tar).
impl<R: Read> Read for TarReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(self.left as usize);
        let n = self.r.read(&mut buf[..want])?;
        if n == 0 {
            return Err(bad("truncated entry"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn pax_path(d: &[u8]) -> Option<String> {
    let mut rest = d;
    let mut path = None;
    while !rest.is_empty() {
        let sp = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok()?.parse().ok()?;
        if len == 0 || len > rest.len() {
            return path;
        }
        let rec = &rest[sp + 1..len];
        let rec = rec.strip_suffix(b"\n").unwrap_or(rec);
        if let Some(v) = rec.strip_prefix(b"path=") {
            path = Some(String::from_utf8_lossy(v).into_owned());
        }
        rest = &rest[len..];
    }
    path
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Build a ustar archive in memory (test helper shared with image.rs).
    pub fn build(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data) in entries {
            let mut h = [0u8; 512];
            let (kind, name) = match name.strip_suffix('/') {
                Some(n) => (b'5', format!("{n}/")),
                None => (b'0', name.to_string()),
            };
            if name.len() > 100 {
                // GNU long name.
                let mut l = [0u8; 512];
                l[..13].copy_from_slice(b"././@LongLink");
                l[100..107].copy_from_slice(b"0000644");
                l[124..135].copy_from_slice(format!("{:011o}", name.len() + 1).as_bytes());
                l[156] = b'L';
                l[257..263].copy_from_slice(b"ustar ");
                let sum: u32 = l.iter().map(|&b| b as u32).sum::<u32>() + 8 * 32;
                l[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
                out.extend_from_slice(&l);
                let mut d = name.as_bytes().to_vec();
                d.push(0);
                d.resize(d.len().div_ceil(512) * 512, 0);
                out.extend_from_slice(&d);
                h[..100].copy_from_slice(&name.as_bytes()[..100]);
            } else {
                h[..name.len()].copy_from_slice(name.as_bytes());
            }
            h[100..107].copy_from_slice(b"0000644");
            h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
            h[156] = kind;
            h[257..263].copy_from_slice(b"ustar\0");
            h[263..265].copy_from_slice(b"00");
            let sum: u32 = h.iter().map(|&b| b as u32).sum::<u32>() + 8 * 32;
            h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
            out.extend_from_slice(&h);
            let mut d = data.to_vec();
            d.resize(d.len().div_ceil(512) * 512, 0);
            out.extend_from_slice(&d);
        }
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    #[test]
    fn reads_entries_long_names_and_nested_tars() {
        let long = format!("{}/METADATA", "d".repeat(120));
        let inner = build(&[("a/", b""), ("a/METADATA", b"Name: x\n"), (&long, b"L")]);
        let outer = build(&[("x/layer.tar", &inner), ("manifest.json", b"[]")]);
        let mut t = TarReader::new(&outer[..]);
        let e = t.next_entry().unwrap().unwrap();
        assert_eq!(e.path, "x/layer.tar");
        {
            let mut it = TarReader::new(&mut t);
            let names: Vec<String> = std::iter::from_fn(|| it.next_entry().unwrap())
                .map(|e| e.path)
                .collect();
            assert_eq!(
                names,
                vec!["a/".to_string(), "a/METADATA".into(), long.clone()]
            );
        }
        let e = t.next_entry().unwrap().unwrap();
        assert_eq!(e.path, "manifest.json");
        assert_eq!(t.read_data(100).unwrap(), b"[]");
        assert!(t.next_entry().unwrap().is_none());
    }

    #[test]
    fn garbage_is_an_error() {
        let junk = vec![7u8; 1024];
        assert!(TarReader::new(&junk[..]).next_entry().is_err());
    }
}
