//! Long lists rendered in parallel and written in order.
//!
//! A large scan has tens of thousands of findings, and their JSON, SARIF or
//! terminal text was the one part of a scan that ran on one core: formatting
//! 90 MB of pretty JSON took as long as reading and checking 8,000 files on
//! two. Here a window of items is split into chunks, each chunk is rendered
//! into its own buffer on the rayon pool, and the buffers are written in
//! order. The bytes are exactly those of the sequential writer (tests below
//! and in the report modules compare them); only the window is held in
//! memory at once.
//!
//! JSON values nested inside a pretty-printed document are written with
//! [`Nested`], a pretty formatter that starts at a given depth, so each
//! element can be formatted on its own and still line up with its parents.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// Items in one parallel task.
const CHUNK: usize = 256;
/// Items rendered before their bytes are written: bounds the memory held.
const WINDOW: usize = 2 * 1024;

/// Render every item into a buffer with `render`, in parallel, and write the
/// buffers to `out` in the items' order.
pub fn write_in_order<T: Sync>(
    items: &[T],
    out: &mut dyn Write,
    render: impl Fn(&T, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    // The buffers are reused from window to window: fresh ones would be
    // new pages, faulted in and zeroed by the kernel every time.
    let mut pool: Vec<Vec<u8>> = Vec::new();
    for window in items.chunks(WINDOW) {
        let chunks = window.len().div_ceil(CHUNK);
        pool.resize_with(pool.len().max(chunks), Vec::new);
        window
            .par_chunks(CHUNK)
            .zip(pool.par_iter_mut())
            .try_for_each(|(chunk, buf)| {
                buf.clear();
                chunk.iter().try_for_each(|item| render(item, buf))
            })?;
        for buf in &pool[..chunks] {
            out.write_all(buf)?;
        }
    }
    Ok(())
}

/// Two spaces per level, as `serde_json::to_writer_pretty` indents.
fn indent(out: &mut Vec<u8>, level: usize) {
    out.extend(std::iter::repeat_n(b' ', 2 * level));
}

/// Write a pretty JSON array whose opening bracket sits on a line indented
/// `level` deep, its elements one level deeper. `each` writes zero or more
/// elements for an item with [`Elements::push`]; the array is `[]` when
/// none is written, as serde_json prints an empty array.
pub fn write_json_array<T: Sync>(
    items: &[T],
    level: usize,
    out: &mut dyn Write,
    each: impl Fn(&T, &mut Elements<'_>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let mut array = JsonArray::begin(out, level)?;
    array.extend(items, each)?;
    array.finish()
}

/// A pretty JSON array written in parts, for callers that work on one
/// window of items at a time (see [`write_json_array`]).
pub struct JsonArray<'a> {
    out: SkipFirstComma<'a>,
    level: usize,
}

impl<'a> JsonArray<'a> {
    pub fn begin(out: &'a mut dyn Write, level: usize) -> io::Result<JsonArray<'a>> {
        out.write_all(b"[")?;
        Ok(JsonArray {
            out: SkipFirstComma {
                inner: out,
                first: true,
            },
            level,
        })
    }

    /// Append the elements of `items`, formatted in parallel.
    pub fn extend<T: Sync>(
        &mut self,
        items: &[T],
        each: impl Fn(&T, &mut Elements<'_>) -> io::Result<()> + Sync,
    ) -> io::Result<()> {
        let level = self.level + 1;
        write_in_order(items, &mut self.out, |item, buf| {
            each(item, &mut Elements { buf, level })
        })
    }

    pub fn finish(self) -> io::Result<()> {
        let SkipFirstComma { inner: out, first } = self.out;
        if first {
            return out.write_all(b"]");
        }
        let mut tail = Vec::with_capacity(2 * self.level + 2);
        tail.push(b'\n');
        indent(&mut tail, self.level);
        tail.push(b']');
        out.write_all(&tail)
    }
}

/// Where [`write_json_array`]'s callback writes its elements.
pub struct Elements<'b> {
    buf: &'b mut Vec<u8>,
    level: usize,
}

impl Elements<'_> {
    /// Append one element, pretty-printed at the array's element depth.
    pub fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> io::Result<()> {
        self.buf.extend_from_slice(b",\n");
        indent(self.buf, self.level);
        let mut ser =
            serde_json::Serializer::with_formatter(&mut *self.buf, Nested::at(self.level));
        value.serialize(&mut ser).map_err(io::Error::other)
    }
}

/// Drops the comma before the first element (every element is written with
/// one, since a chunk does not know whether it comes first).
struct SkipFirstComma<'a> {
    inner: &'a mut dyn Write,
    first: bool,
}

impl Write for SkipFirstComma<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        if self.first {
            self.first = false;
            debug_assert_eq!(buf[0], b',');
            return self.inner.write_all(&buf[1..]);
        }
        self.inner.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// serde_json's pretty layout (two-space indent, `": "` after keys, empty
/// containers as `[]` and `{}`), starting `level` deep instead of at the
/// left margin.
pub struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    pub fn at(level: usize) -> Nested {
        Nested {
            level,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        w.write_all(b"\n")?;
        let mut n = 2 * self.level;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn entry<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }
}

impl Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.entry(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.entry(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes one array of a document spliced by [`splice`].
pub type ArrayWriter<'a> = dyn Fn(&mut dyn Write) -> io::Result<()> + 'a;

/// Write `envelope` (a pretty JSON document whose large arrays were left
/// empty) to `out`, putting each array back where its key stands: for every
/// `(key, depth, write)` the `[]` after `"key": ` on a line indented `depth`
/// deep is replaced by what `write` writes. Keys are found structurally, by
/// the raw line break and indentation before them, which no JSON string can
/// contain; a key that is missing is an error, not silently dropped. The
/// keys must come in the order they appear in the document.
pub fn splice(
    envelope: &[u8],
    arrays: &[(&str, usize, &ArrayWriter<'_>)],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rest = envelope;
    for (key, depth, write) in arrays {
        let mut marker = Vec::with_capacity(key.len() + 2 * depth + 8);
        marker.push(b'\n');
        indent(&mut marker, *depth);
        marker.push(b'"');
        marker.extend_from_slice(key.as_bytes());
        marker.extend_from_slice(b"\": []");
        let Some(at) = find(rest, &marker) else {
            return Err(io::Error::other(format!(
                "internal: no empty \"{key}\" array to fill in the report"
            )));
        };
        let cut = at + marker.len() - 2;
        out.write_all(&rest[..cut])?;
        write(out)?;
        rest = &rest[cut + 2..];
    }
    out.write_all(rest)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(n: usize) -> Vec<serde_json::Value> {
        (0..n)
            .map(|i| {
                json!({
                    "id": i,
                    "name": format!("item \"{i}\"\n<b>"),
                    "empty": [],
                    "nested": {"list": [1, {"a": {}}], "none": null},
                })
            })
            .collect()
    }

    /// The same bytes as serde_json's pretty writer, at every size around
    /// the chunk and window boundaries, nested at the depth of a key.
    #[test]
    fn arrays_match_serde_json_pretty() {
        for n in [0, 1, 2, CHUNK - 1, CHUNK, CHUNK + 1, WINDOW + 3] {
            let items = sample(n);
            let expected =
                serde_json::to_string_pretty(&json!({"head": 1, "items": items, "tail": "x"}))
                    .unwrap();
            let envelope =
                serde_json::to_string_pretty(&json!({"head": 1, "items": [], "tail": "x"}))
                    .unwrap();
            let items = &items;
            let fill = |w: &mut dyn Write| write_json_array(items, 1, w, |v, e| e.push(v));
            let mut got = Vec::new();
            splice(envelope.as_bytes(), &[("items", 1, &fill)], &mut got).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), expected, "n = {n}");
        }
    }

    #[test]
    fn items_may_write_no_element_or_several() {
        let items: Vec<usize> = (0..600).collect();
        let mut got = Vec::new();
        write_json_array(&items, 0, &mut got, |i, e| {
            for k in 0..(i % 3) {
                e.push(&(i * 10 + k))?;
            }
            Ok(())
        })
        .unwrap();
        let expected: Vec<usize> = items
            .iter()
            .flat_map(|i| (0..(i % 3)).map(move |k| i * 10 + k))
            .collect();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
        let mut none = Vec::new();
        write_json_array(&items, 0, &mut none, |_, _| Ok(())).unwrap();
        assert_eq!(none, b"[]");
    }

    #[test]
    fn a_missing_key_is_an_error() {
        let noop = |_: &mut dyn Write| Ok(());
        let err = splice(b"{\n  \"a\": 1\n}", &[("items", 1, &noop)], &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("\"items\""), "{err}");
    }

    /// A string holding the marker's text is escaped (the quote and the line
    /// break), so it is never taken for the key.
    #[test]
    fn a_string_that_looks_like_the_key_is_not_matched() {
        let envelope =
            serde_json::to_string_pretty(&json!({"a": "\n  \"items\": []", "items": []})).unwrap();
        let fill = |w: &mut dyn Write| w.write_all(b"[1]");
        let mut got = Vec::new();
        splice(envelope.as_bytes(), &[("items", 1, &fill)], &mut got).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&got).unwrap();
        assert_eq!(v["items"], json!([1]));
        assert_eq!(v["a"], json!("\n  \"items\": []"));
    }
}
