//! What users hand us, read defensively: files read with a size cap, text decoded on
//! evidence (never guessed into mojibake), and user text quoted back in messages cut to a
//! readable length.
//!
//! Owns: the size limits of every input (a real report or sheet is a few MB, so the caps
//! are far above real files and far below what would exhaust memory), [`read_capped`],
//! [`decode_text`], [`excerpt`], and opening and reading `.xlsx` files cell by cell
//! ([`xlsx`]). Never: interprets the content (that is `import` and
//! `read`), or touches the store.
//!
//! Decoding, on evidence ([`decode_text`]):
//! - a UTF-16 or UTF-32 file (by its byte-order mark, or by the NUL bytes every other
//!   character of ASCII text has in them) is refused with its encoding named and how to
//!   save it as UTF-8 or GB18030, instead of being read as garbage;
//! - valid UTF-8 (with or without BOM) is UTF-8;
//! - otherwise GB18030 (what Excel and Notepad on a Chinese Windows save), but only when
//!   the whole file decodes cleanly as GB18030;
//! - otherwise the file is refused with the line and byte offset of the first byte that
//!   is not valid UTF-8: one bad byte in a UTF-8 file must not turn every Chinese
//!   character into mojibake (信用备注 → 淇＄敤澶囨敞).

use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub mod xlsx;

/// A sheet to import (`.csv`, `.xlsx` once decompressed, one part of it).
pub const MAX_SHEET_BYTES: u64 = 64 * 1024 * 1024;
/// A report or prose text (`.txt`, `.html`, one decompressed part of a `.docx`).
pub const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;
/// Characters of user input quoted back in a message.
pub const EXCERPT_CHARS: usize = 40;

/// Why an input could not be read.
#[derive(Debug, Error)]
pub enum InputError {
    #[error("不是有效的 Excel 文件（{0}）")]
    NotExcel(String),
    #[error("Excel 文件中的部件“{part}”解压后超过 {} MB（{what}一般只有几 MB），未读取", .limit / (1024 * 1024))]
    PartTooLarge {
        part: String,
        limit: u64,
        what: &'static str,
    },
    #[error("无法读取文件 {path}：{}", io_reason(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("文件过大：{path}（超过 {} MB；{what}一般只有几 MB，请确认选对了文件）", .limit / (1024 * 1024))]
    TooLarge {
        path: PathBuf,
        limit: u64,
        what: &'static str,
    },
    #[error(transparent)]
    Encoding(#[from] EncodingError),
}

/// An operating-system error in plain Chinese for a message, the system's own text kept
/// in brackets for whoever helps the user (it is English or the system's language).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let plain = match e.kind() {
        NotFound => "文件或文件夹不存在",
        PermissionDenied => "没有访问权限（文件可能正被其他程序打开，或需要管理员开放权限）",
        AlreadyExists => "同名文件已存在",
        IsADirectory => "这是一个文件夹，不是文件",
        NotADirectory => "路径中有一段不是文件夹",
        ReadOnlyFilesystem => "磁盘或文件夹是只读的",
        StorageFull | QuotaExceeded => "磁盘空间不足",
        InvalidFilename => "文件名无效",
        TimedOut => "操作超时（网络盘可能断开）",
        _ => "系统错误",
    };
    format!("{plain}（{e}）")
}

/// Why a text file's bytes are not text we can read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodingError {
    #[error(
        "文件是 {0} 编码，无法读取：请在记事本或 Excel 中“另存为”UTF-8（或 GB18030/ANSI）编码后再试"
    )]
    Unsupported(&'static str),
    #[error(
        "文件既不是有效的 UTF-8 也不是 GB18030 编码：第 {line} 行（第 {offset} 字节）有无效字节 0x{byte:02X}；请另存为 UTF-8 编码后再试，未读取任何内容"
    )]
    Invalid {
        line: usize,
        offset: usize,
        byte: u8,
    },
}

/// Reads a whole file, refusing one larger than `limit` bytes without reading past the
/// limit (a path to `/dev/zero` or a named pipe stops there too). `what` names the kind
/// of file for the message (e.g. "导入表", "报告").
pub fn read_capped(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    read_capped_from(file, limit)
        .map_err(io)?
        .ok_or_else(|| InputError::TooLarge {
            path: path.to_path_buf(),
            limit,
            what,
        })
}

/// Reads at most `limit` bytes of `reader`: `Ok(None)` when there is more. Also for the
/// parts of a zip file (`.docx`, `.xlsx`), whose declared sizes may lie.
pub fn read_capped_from(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Decodes a text file's bytes on evidence (see the module doc).
pub fn decode_text(bytes: &[u8]) -> Result<String, EncodingError> {
    if let Some(name) = wide_encoding(bytes) {
        return Err(EncodingError::Unsupported(name));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8_error = match std::str::from_utf8(body) {
        Ok(text) => return Ok(text.to_string()),
        Err(e) => e,
    };
    if let Some(text) =
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body)
    {
        return Ok(text.into_owned());
    }
    let offset = utf8_error.valid_up_to();
    let bom = bytes.len() - body.len();
    Err(EncodingError::Invalid {
        line: 1 + body[..offset].iter().filter(|&&b| b == b'\n').count(),
        offset: bom + offset,
        byte: body[offset],
    })
}

/// UTF-32 or UTF-16, by byte-order mark or by the NULs of ASCII text in them.
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE\0\0") {
        return Some("UTF-32 LE");
    }
    if bytes.starts_with(b"\0\0\xFE\xFF") {
        return Some("UTF-32 BE");
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return Some("UTF-16 LE");
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 BE");
    }
    // Without a BOM: ASCII characters leave NULs in the other bytes of each unit (three
    // of four in UTF-32, one of two in UTF-16); UTF-8 and GB18030 text has no such NULs.
    let head = &bytes[..bytes.len().min(64) & !3];
    if head.is_empty() {
        return None;
    }
    let nul_at = |phases: &[usize], step: usize| {
        phases.iter().all(|&phase| {
            let nuls = head.iter().skip(phase).step_by(step).filter(|&&b| b == 0);
            nuls.count() * step * 4 >= head.len() * 3
        })
    };
    if nul_at(&[1, 2, 3], 4) {
        return Some("UTF-32 LE");
    }
    if nul_at(&[0, 1, 2], 4) {
        return Some("UTF-32 BE");
    }
    if nul_at(&[1], 2) {
        return Some("UTF-16 LE");
    }
    if nul_at(&[0], 2) {
        return Some("UTF-16 BE");
    }
    None
}

/// User text as quoted back in a message: trimmed, control characters shown as `�`, and
/// cut after [`EXCERPT_CHARS`] characters with the length said (a 50 MB "number" must not
/// come back as 50 MB of error message).
pub fn excerpt(text: &str) -> String {
    let text = text.trim();
    let total = text.chars().count();
    let shown: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { '�' } else { c })
        .collect();
    if total > EXCERPT_CHARS {
        format!("{shown}…（共 {total} 个字符）")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_said_in_chinese() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_capped(&dir.path().join("没有.csv"), 10, "导入表").unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("文件或文件夹不存在"), "{shown}");
    }

    #[test]
    fn utf8_and_clean_gb18030_decode() {
        assert_eq!(decode_text("备注,1".as_bytes()).unwrap(), "备注,1");
        assert_eq!(decode_text("\u{feff}备注".as_bytes()).unwrap(), "备注");
        let (gb, _, _) = encoding_rs::GB18030.encode("信用备注,1725\n");
        assert_eq!(decode_text(&gb).unwrap(), "信用备注,1725\n");
    }

    #[test]
    fn one_bad_byte_in_utf8_is_refused_with_its_line_and_offset() {
        let mut bytes = "a,b\n信用备注,1\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"x\xFF\n");
        let err = decode_text(&bytes).unwrap_err();
        assert_eq!(
            err,
            EncodingError::Invalid {
                line: 3,
                offset: bytes.len() - 2,
                byte: 0xFF
            }
        );
        assert!(err.to_string().contains("第 3 行"), "{err}");
    }

    #[test]
    fn utf16_and_utf32_are_named() {
        let text = "year,month,division\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let be32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let with_bom = [b"\xFF\xFE".as_slice(), &le].concat();
        for (bytes, name) in [
            (&le, "UTF-16 LE"),
            (&be, "UTF-16 BE"),
            (&with_bom, "UTF-16 LE"),
            (&le32, "UTF-32 LE"),
            (&be32, "UTF-32 BE"),
        ] {
            assert_eq!(
                decode_text(bytes),
                Err(EncodingError::Unsupported(name)),
                "{name}"
            );
        }
    }

    #[test]
    fn reading_stops_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, vec![b'1'; 11]).unwrap();
        assert_eq!(read_capped(&path, 11, "导入表").unwrap().len(), 11);
        let err = read_capped(&path, 10, "导入表").unwrap_err();
        assert!(
            matches!(err, InputError::TooLarge { limit: 10, .. }),
            "{err}"
        );
        #[cfg(unix)]
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 1 << 20, "导入表"),
            Err(InputError::TooLarge { .. })
        ));
    }

    #[test]
    fn excerpts_are_short_and_say_the_length() {
        assert_eq!(excerpt(" 约800 "), "约800");
        let long = "1".repeat(50_000_000);
        let shown = excerpt(&long);
        assert!(shown.len() < 100, "{shown}");
        assert!(shown.ends_with("…（共 50000000 个字符）"));
        assert_eq!(excerpt("a\0b"), "a�b");
    }
}
