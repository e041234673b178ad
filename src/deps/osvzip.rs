//! OSV `all.zip` exports: one JSON record per entry.

use std::io::{Cursor, Read};

/// Cap on one entry's uncompressed size: OSV records are small, and a zip
/// bomb must not exhaust memory.
const MAX_ENTRY: u64 = 16 * 1024 * 1024;

/// The `*.json` entries of a zip archive, as `(name, bytes)`, where `name`
/// is `ARCHIVE!ENTRY` for error messages.
pub fn read_json_entries(bytes: &[u8], archive: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut z = ::zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("{archive}: not a readable zip archive: {e}"))?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| format!("{archive}: entry {i}: {e}"))?;
        let entry = f
            .name()
            .map_err(|e| format!("{archive}: entry {i} has an unreadable name: {e}"))?
            .to_string();
        if !f.is_file() || !entry.ends_with(".json") {
            continue;
        }
        let name = format!("{archive}!{entry}");
        if f.size() > MAX_ENTRY {
            return Err(format!("{name}: entry of {} bytes is too large", f.size()));
        }
        let mut buf = Vec::with_capacity(f.size() as usize);
        (&mut f)
            .take(MAX_ENTRY + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("{name}: {e}"))?;
        if buf.len() as u64 > MAX_ENTRY {
            return Err(format!("{name}: entry is too large"));
        }
        out.push((name, buf));
    }
    Ok(out)
}
