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
/// (`\\server\share\…`, `//server/share/…`) and, on Windows, mapped network drives.
pub fn journal_mode_for(path: &Path) -> JournalMode {
    if is_network_path(path) {
        JournalMode::Delete
    } else {
        JournalMode::Wal
    }
}

fn is_network_path(path: &Path) -> bool {
    let text = path.to_string_lossy();
    let unc = text.starts_with(r"\\") || text.starts_with("//");
    // `\\?\UNC\server\share` is UNC too; `\\?\C:\…` and `\\.\…` are local.
    let verbatim_local = (text.starts_with(r"\\?\") || text.starts_with(r"\\.\"))
        && !text[4..].to_ascii_uppercase().starts_with("UNC");
    (unc && !verbatim_local) || windows::is_network_drive(path)
}

#[cfg(windows)]
mod windows {
    use std::path::{Component, Path, Prefix};

    unsafe extern "system" {
        fn GetDriveTypeW(root: *const u16) -> u32;
    }
    const DRIVE_REMOTE: u32 = 4;

    /// True for a path on a mapped network drive (`Z:\…` mapped to a share).
    pub fn is_network_drive(path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let Some(Component::Prefix(prefix)) = absolute.components().next() else {
            return false;
        };
        let letter = match prefix.kind() {
            Prefix::Disk(l) | Prefix::VerbatimDisk(l) => l,
            _ => return false,
        };
        let root: Vec<u16> = format!("{}:\\", letter as char)
            .encode_utf16()
            .chain([0])
            .collect();
        // SAFETY: `root` is a NUL-terminated UTF-16 string that outlives the call.
        unsafe { GetDriveTypeW(root.as_ptr()) == DRIVE_REMOTE }
    }
}

#[cfg(not(windows))]
mod windows {
    pub fn is_network_drive(_: &std::path::Path) -> bool {
        false
    }
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
        for p in [
            r"\\fileserver\年报\2019.db",
            "//fileserver/share/data.db",
            r"\\?\UNC\server\share\x.db",
        ] {
            assert_eq!(journal_mode_for(Path::new(p)), JournalMode::Delete, "{p}");
        }
        for p in [
            "/home/user/年报 数据/2019.db",
            r"C:\Users\王璟\AppData\nianbao.db",
            r"\\?\C:\data\x.db",
            "relative.db",
        ] {
            assert_eq!(journal_mode_for(Path::new(p)), JournalMode::Wal, "{p}");
        }
    }
}
