//! Facts about the file itself, checked before SQLite touches it: is it an SQLite
//! database at all, is it complete, and is it on a network share (where WAL is unsafe).

use std::io::Read;
use std::path::Path;

use super::StoreError;

/// The journal mode a file is opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalMode {
    /// Write-ahead log: readers never block the writer. Local disks only.
    Wal,
    /// Rollback journal: safe on network file systems, where WAL's shared memory is not
    /// (https://www.sqlite.org/wal.html, "WAL does not work over a network filesystem").
    Delete,
}

impl JournalMode {
    pub fn pragma(self) -> &'static str {
        match self {
            JournalMode::Wal => "WAL",
            JournalMode::Delete => "DELETE",
        }
    }
}

/// WAL on local disks; the rollback journal for files on a network share: UNC paths
/// (`\\server\share\…`, `//server/share/…`, `\\?\UNC\server\share\…`) and, on Windows,
/// mapped network drives (asked of `GetDriveTypeW`).
pub fn journal_mode_for(path: &Path) -> JournalMode {
    // on Windows a relative path is on the current directory's drive
    if cfg!(windows)
        && let Ok(absolute) = std::path::absolute(path)
    {
        return journal_mode_with(&absolute, drive_is_remote);
    }
    journal_mode_with(path, drive_is_remote)
}

/// The decision behind [`journal_mode_for`], with the drive lookup passed in:
/// `drive_is_remote('Z')` says whether drive `Z:` is a mapped network drive. Paths are
/// read as Windows paths on every platform, so the tests run on Linux too.
fn journal_mode_with(path: &Path, drive_is_remote: impl Fn(char) -> bool) -> JournalMode {
    let text = path.to_string_lossy();
    let network = match windows_prefix(&text) {
        WindowsPrefix::Unc => true,
        WindowsPrefix::Drive(letter) => drive_is_remote(letter),
        WindowsPrefix::None => false,
    };
    if network {
        JournalMode::Delete
    } else {
        JournalMode::Wal
    }
}

/// How a Windows path begins.
#[derive(Debug, PartialEq, Eq)]
enum WindowsPrefix {
    /// `\\server\share`, `//server/share`, `\\?\UNC\server\share`.
    Unc,
    /// `C:`, `\\?\C:`, `\\.\C:`.
    Drive(char),
    /// Anything else (a Unix path, a relative path, another device).
    None,
}

fn windows_prefix(text: &str) -> WindowsPrefix {
    let c: Vec<char> = text.chars().take(8).collect();
    let sep = |i: usize| matches!(c.get(i), Some('\\' | '/'));
    let drive = |i: usize| match (c.get(i), c.get(i + 1)) {
        (Some(l), Some(':')) if l.is_ascii_alphabetic() => {
            WindowsPrefix::Drive(l.to_ascii_uppercase())
        }
        _ => WindowsPrefix::None,
    };
    if !(sep(0) && sep(1)) {
        return drive(0);
    }
    // `\\?\…` (verbatim) and `\\.\…` (device): UNC only as `\\?\UNC\…`
    if matches!(c.get(2), Some('?' | '.')) && sep(3) {
        let unc = sep(7)
            && c[4..7]
                .iter()
                .collect::<String>()
                .eq_ignore_ascii_case("UNC");
        return if unc { WindowsPrefix::Unc } else { drive(4) };
    }
    WindowsPrefix::Unc
}

/// Whether drive `letter:` is a network drive (`DRIVE_REMOTE`).
#[cfg(windows)]
fn drive_is_remote(letter: char) -> bool {
    use windows_sys::Win32::Storage::FileSystem::GetDriveTypeW;
    use windows_sys::Win32::System::WindowsProgramming::DRIVE_REMOTE;
    let root: Vec<u16> = format!("{letter}:\\").encode_utf16().chain([0]).collect();
    // SAFETY: `root` is a NUL-terminated UTF-16 string that outlives the call.
    unsafe { GetDriveTypeW(root.as_ptr()) == DRIVE_REMOTE }
}

/// No drive letters outside Windows.
#[cfg(not(windows))]
fn drive_is_remote(_letter: char) -> bool {
    false
}

/// A `file:` URI opening `path` read-only and immutable, with the characters URIs
/// reserve percent-encoded (a folder named `报告#1` or `50%` must still open).
pub fn immutable_uri(path: &Path) -> Result<String, StoreError> {
    let absolute = std::path::absolute(path)?;
    let text = absolute.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file:");
    if !text.starts_with('/') {
        uri.push('/'); // `C:/…` → `file:/C:/…`
    }
    for c in text.chars() {
        match c {
            '?' | '#' | '%' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    Ok(uri)
}

/// Reads the 100-byte SQLite header and refuses a file that is missing, not SQLite, or
/// shorter than its header says (truncated). Reads only; never writes.
pub fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        Err(e) => return Err(e.into()),
    };
    let actual = file.metadata()?.len();
    let mut header = [0u8; 100];
    if actual < 100 || file.read_exact(&mut header).is_err() {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        _ => return Err(StoreError::NotADatabase(path.to_path_buf())),
    };
    let be32 =
        |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let pages = u64::from(be32(28));
    // The in-header size is valid only when "version-valid-for" equals the change counter.
    if be32(92) == be32(24) && pages > 0 && actual < pages * page_size {
        return Err(StoreError::Truncated {
            path: path.to_path_buf(),
            expected: pages * page_size,
            actual,
        });
    }
    if actual % page_size != 0 {
        return Err(StoreError::Truncated {
            path: path.to_path_buf(),
            expected: actual.div_ceil(page_size) * page_size,
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_paths_use_the_rollback_journal() {
        // drive Z: is a mapped network drive, every other drive is local
        let z_is_mapped = |letter: char| letter == 'Z';
        for p in [
            r"\\fileserver\年报\2019.db",
            r"\\server\share\x.db",
            "//server/share/data.db",
            r"\\?\UNC\server\share\x.db",
            r"\\?\unc\server\share\x.db",
            r"\\.\UNC\server\share\x.db",
            r"Z:\年报 数据\2019.db",
            "z:/2019.db",
            r"\\?\Z:\2019.db",
        ] {
            assert_eq!(
                journal_mode_with(Path::new(p), z_is_mapped),
                JournalMode::Delete,
                "{p}"
            );
        }
        for p in [
            "/home/user/年报 数据/2019.db",
            r"C:\Users\王璟\AppData\nianbao.db",
            r"D:\共享 文件\2019.db",
            r"\\?\C:\data\x.db",
            r"\\.\C:\data\x.db",
            r"\\?\UNCLE\x.db",
            r"\\?\é\x.db",
            r"\\?\Volume{b75e2c83-0000-0000-0000-602f00000000}\x.db",
            "relative.db",
            "",
        ] {
            assert_eq!(
                journal_mode_with(Path::new(p), z_is_mapped),
                JournalMode::Wal,
                "{p}"
            );
        }
    }

    #[test]
    fn the_drive_lookup_is_asked_only_for_drive_letters() {
        let asked = std::cell::RefCell::new(Vec::new());
        let lookup = |letter: char| {
            asked.borrow_mut().push(letter);
            false
        };
        for p in [
            r"c:\a.db",
            r"\\?\D:\b.db",
            r"\\server\share\c.db",
            "/tmp/d.db",
        ] {
            journal_mode_with(Path::new(p), lookup);
        }
        assert_eq!(*asked.borrow(), ['C', 'D']);
    }

    #[test]
    fn the_real_lookup_keeps_local_files_on_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("年报 数据.db");
        assert_eq!(journal_mode_for(&path), JournalMode::Wal);
        assert_eq!(journal_mode_for(Path::new("relative.db")), JournalMode::Wal);
        assert_eq!(
            journal_mode_for(Path::new(r"\\server\share\x.db")),
            JournalMode::Delete
        );
    }
}
