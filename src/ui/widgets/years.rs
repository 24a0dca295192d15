//! [`OpenYears`]: the years open in the file (开启的年度), read once by the session and
//! handed to the screens that show one year, so that no screen guesses a year of its own.
//! A file with no open year, or a read that failed, is a state the session shows
//! ([`year_gate`]) instead of the screen.

use std::sync::Arc;

use crate::store::{Store, StoreError};

/// The file's open years, in order; never empty (the latest is where screens start).
/// Cheap to clone: the session hands it to a screen each frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenYears {
    years: Arc<[i32]>,
}

impl OpenYears {
    /// The years of `years` (sorted, without repeats); `None` when there are none.
    pub fn new(mut years: Vec<i32>) -> Option<OpenYears> {
        years.sort_unstable();
        years.dedup();
        (!years.is_empty()).then(|| OpenYears {
            years: years.into(),
        })
    }

    /// Reads the file's open years; `Ok(None)` when it has none yet.
    pub fn read(store: &Store) -> Result<Option<OpenYears>, StoreError> {
        Ok(OpenYears::new(store.years()?))
    }

    /// The latest open year: where a screen starts.
    pub fn latest(&self) -> i32 {
        self.years[self.years.len() - 1]
    }

    pub fn all(&self) -> &[i32] {
        &self.years
    }
}

/// What the session knows of the file's years: read at sign-in and after a change.
pub type YearsRead = Result<Option<OpenYears>, String>;

/// Reads the years for the session, keeping a failure as its Chinese message.
pub fn read_years(store: &Store) -> YearsRead {
    OpenYears::read(store).map_err(|e| format!("无法读取数据文件中的年度：{e}"))
}

/// The open years, or `None` after drawing why there are none (no year opened yet, or
/// the read failed). `retry` is set when the user asks to read again.
pub fn year_gate<'a>(
    ui: &mut egui::Ui,
    years: &'a YearsRead,
    retry: &mut bool,
) -> Option<&'a OpenYears> {
    match years {
        Ok(Some(y)) => Some(y),
        Ok(None) => {
            ui.heading("尚未开启任何年度");
            ui.label(
                "这个数据文件还没有开启年度，没有可填报或汇总的指标。\
                 请用命令 nianbao year --db 文件 --open 年份 开启一个年度（指标目录从上一年复制，\
                 或建立国家统计表的指标），然后重新打开文件。",
            );
            *retry |= ui.button("重新读取").clicked();
            None
        }
        Err(e) => {
            super::error_line(ui, Some(e));
            ui.label("数据文件可能已损坏或正被其他程序修改；可以重新读取，或关闭后从备份恢复。");
            *retry |= ui.button("重新读取").clicked();
            None
        }
    }
}
