//! The official typography (GB/T 9704-2012) as plain settings shared by every output:
//! which font family each role of text uses, at which size. `layout` resolves these
//! family names to font files; `export::docx` writes them as the styles' eastAsia
//! fonts, so Word and WPS pick the same faces on a stock Windows machine.

use serde::{Deserialize, Serialize};

/// A role of text in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextRole {
    /// 标题: 2号 (22 pt) 小标宋, centred.
    Title,
    /// 一级标题: 3号 黑体.
    Heading1,
    /// 二级标题: 3号 楷体.
    Heading2,
    /// 三级标题 and 四级标题: 3号 仿宋 (level 3 usually bold).
    Heading3,
    /// 正文: 3号 (16 pt) 仿宋.
    Body,
    /// 表格: table text, 小四 (12 pt; see [`size_pt`]).
    Table,
    /// 落款: agency and date, body font.
    Closing,
    /// 页码: 4号 (14 pt) 宋体.
    PageNumber,
}

/// The font family names used for each kind of face. Defaults are the faces a stock
/// Chinese Windows has; `title` falls back to 宋体 when 方正小标宋简体 is not installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FontNames {
    /// 小标宋 for the title.
    pub title: String,
    /// 黑体 for level-1 headings.
    pub hei: String,
    /// 楷体 for level-2 headings.
    pub kai: String,
    /// 仿宋 for body, level-3/4 headings and the closing block.
    pub fangsong: String,
    /// 宋体 for page numbers and tables.
    pub song: String,
}

impl Default for FontNames {
    fn default() -> Self {
        FontNames {
            title: "方正小标宋简体".into(),
            hei: "黑体".into(),
            kai: "楷体".into(),
            fangsong: "仿宋".into(),
            song: "宋体".into(),
        }
    }
}

impl FontNames {
    /// The family configured for a role.
    pub fn family(&self, role: TextRole) -> &str {
        match role {
            TextRole::Title => &self.title,
            TextRole::Heading1 => &self.hei,
            TextRole::Heading2 => &self.kai,
            TextRole::Heading3 | TextRole::Body | TextRole::Closing => &self.fangsong,
            TextRole::Table | TextRole::PageNumber => &self.song,
        }
    }
}

/// Font size of a role in points (GB/T 9704: 2号 = 22 pt, 3号 = 16 pt, 4号 = 14 pt).
///
/// Tables use 小四 (12 pt): the national table 3 has ten grid columns (three for its
/// long row labels, seven counts). At 4号 its seven count columns get one character a line
/// (商/业/企/业) and the table runs to two pages; at 小四 they hold two or three
/// characters and the labels wrap less, within the 156 mm text block.
pub fn size_pt(role: TextRole) -> f32 {
    match role {
        TextRole::Title => 22.0,
        TextRole::PageNumber => 14.0,
        TextRole::Table => 12.0,
        _ => 16.0,
    }
}

/// Page geometry per GB/T 9704 §5.2, in millimetres.
pub mod page {
    /// A4.
    pub const WIDTH_MM: f32 = 210.0;
    pub const HEIGHT_MM: f32 = 297.0;
    /// 天头 (top margin) 37 mm.
    pub const TOP_MM: f32 = 37.0;
    /// 订口 (left, binding margin) 28 mm.
    pub const LEFT_MM: f32 = 28.0;
    /// 版心 (text block) 156 × 225 mm.
    pub const BLOCK_WIDTH_MM: f32 = 156.0;
    pub const BLOCK_HEIGHT_MM: f32 = 225.0;
    /// 22 lines of 28 characters.
    pub const LINES: u32 = 22;
    pub const CHARS_PER_LINE: u32 = 28;
}
