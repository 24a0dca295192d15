//! CSV reading: UTF-8 (with or without BOM) or GB18030 (what Excel on a Chinese Windows
//! saves), via the `csv` crate. A file that is not valid UTF-8 is decoded as GB18030;
//! GB18030 covers every Unicode code point, so nothing is lost in the decoding.

use super::{Columns, ImportError, RawRow};

/// Decodes the bytes and splits them into raw rows; the first row is the header.
pub fn read(bytes: &[u8]) -> Result<Vec<RawRow>, ImportError> {
    let text = decode(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(String::from).collect(),
        Some(Err(e)) => return Err(ImportError::Malformed(e.to_string())),
        None => return Err(ImportError::BadHeader("文件是空的".into())),
    };
    let columns = Columns::from_header(&header)?;
    let mut rows = Vec::new();
    // Lines are counted as a spreadsheet shows them: the csv crate skips blank lines
    // without counting them, so count newlines up to each record's byte offset, carrying
    // the count forward from the previous record.
    let bytes = text.as_bytes();
    let (mut counted_to, mut line) = (0usize, 1usize);
    for record in records {
        let record = record.map_err(|e| ImportError::Malformed(e.to_string()))?;
        let offset = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        line += newlines(&bytes[counted_to..offset]);
        counted_to = offset;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // A record's offset may point at the blank lines before it.
        let blank = bytes[offset..]
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .filter(|&&b| b == b'\n')
            .count();
        let cells: Vec<String> = record.iter().map(String::from).collect();
        rows.push(columns.row(line + blank, &cells));
    }
    Ok(rows)
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// UTF-8 (a BOM dropped), else GB18030. Also used for the text files of `check --prose`.
pub(crate) fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_bom_and_gb18030() {
        let utf8 = "\u{feff}year,month,division,metric,value,note\n2019,1,新闻宣传处,news.weibo,\"1,725\",备注\n";
        let rows = read(utf8.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].division, "新闻宣传处");
        assert_eq!(rows[0].value, "1,725");
        assert_eq!(rows[0].note, "备注");
        let (gb, _, _) = encoding_rs::GB18030.encode(utf8.trim_start_matches('\u{feff}'));
        assert_eq!(read(&gb).unwrap(), rows);
    }

    #[test]
    fn chinese_headers_and_blank_lines() {
        let text = "年份,月份,处室,指标,数值\n\n2019,2,news,news.weibo,3\n";
        let rows = read(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 3);
        assert!(matches!(
            read(b"a,b,c\n1,2,3\n"),
            Err(ImportError::BadHeader(_))
        ));
    }
}
