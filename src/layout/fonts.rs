//! Fonts (字体): finding, parsing and choosing the faces every output draws with.
//!
//! Owns the [`FontSet`]: the parsed faces for each [`TextRole`], in the order they are
//! tried for a character. On Windows the families named in [`FontNames`] are looked up in
//! the system font folder (仿宋 → `simfang.ttf`, 黑体 → `simhei.ttf`, 楷体 → `simkai.ttf`,
//! 宋体 → `simsun.ttc`, 方正小标宋简体 → `FZXBSJW.TTF`, …); a family that is not installed,
//! and every other platform, gets the OFL faces bundled in `assets/fonts/` (compiled into
//! the binary). A character missing from the chosen face falls back to the bundled face
//! of the same kind, then to the bundled serif, instead of vanishing.
//!
//! Faces are read with `ttf-parser`, which parses nothing up front but the table
//! directory and the cmap subtables (looked up in place, per character) and copies
//! nothing: the bundled faces are read where the binary holds them, a system font from
//! the one buffer it was read into (`owned_ttf_parser` keeps that buffer and its face
//! together). Before, printpdf's parser decoded every face whole when the set was built,
//! 5–7 ms of every export for the three bundled faces. A `FontSet` is still built once
//! and kept by the caller (the app, the CLI, a benchmark) and lent to `layout` and
//! `export::pdf`.
//!
//! Must never: lay out text, decide line breaks or read the document. Metrics come from
//! the same parsed face `export::pdf` writes the widths from, so layout and PDF cannot
//! disagree about advances.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use owned_ttf_parser::{AsFaceRef, OwnedFace, PreParsedSubtables};
use serde::{Deserialize, Serialize};

use crate::style::{FontNames, TextRole};

/// Noto Serif CJK SC, subset (see `scripts/subset-fonts.sh`): 宋体/仿宋 substitute.
static BUNDLED_SERIF: &[u8] =
    include_bytes!("../../assets/fonts/NotoSerifCJKsc-Regular.subset.otf");
/// Noto Sans CJK SC, subset: 黑体 substitute.
static BUNDLED_SANS: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular.subset.otf");
/// LXGW WenKai, subset and renamed "Nianbao Kai": 楷体 substitute.
static BUNDLED_KAI: &[u8] = include_bytes!("../../assets/fonts/NianbaoKai-Regular.subset.ttf");

/// Index of a face in its [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FaceId(pub u16);

/// The bundled faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bundled {
    Serif,
    Sans,
    Kai,
}

impl Bundled {
    /// The face's file bytes, compiled into the binary (the app hands them to egui).
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Bundled::Serif => BUNDLED_SERIF,
            Bundled::Sans => BUNDLED_SANS,
            Bundled::Kai => BUNDLED_KAI,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Bundled::Serif => "Noto Serif CJK SC",
            Bundled::Sans => "Noto Sans CJK SC",
            Bundled::Kai => "Nianbao Kai (LXGW WenKai)",
        }
    }

    /// The bundled stand-in for a role.
    fn for_role(role: TextRole) -> Bundled {
        match role {
            TextRole::Heading1 => Bundled::Sans,
            TextRole::Heading2 => Bundled::Kai,
            _ => Bundled::Serif,
        }
    }
}

/// Where a face came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaceOrigin {
    Bundled(Bundled),
    /// A font file on this machine, and the face index inside it (for `.ttc`).
    File {
        path: PathBuf,
        index: u32,
    },
}

/// One parsed face.
pub struct Face {
    /// Human-readable name, e.g. `仿宋 (C:\Windows\Fonts\simfang.ttf)`.
    pub name: String,
    pub origin: FaceOrigin,
    parsed: Parsed,
    index: u32,
    units_per_em: f32,
}

/// A face with its cmap subtables found once, over bytes it borrows for good (bundled)
/// or owns (read from a file).
enum Parsed {
    Bundled {
        bytes: &'static [u8],
        face: Box<PreParsedSubtables<'static, ttf_parser::Face<'static>>>,
    },
    File(PreParsedSubtables<'static, OwnedFace>),
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("name", &self.name)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Face {
    fn bundled(b: Bundled) -> Result<Face, FontError> {
        let bytes = b.bytes();
        let face = ttf_parser::Face::parse(bytes, 0).map_err(|_| FontError::Parse {
            name: b.name().to_string(),
        })?;
        Ok(Face::new(
            b.name().to_string(),
            FaceOrigin::Bundled(b),
            Parsed::Bundled {
                bytes,
                face: Box::new(face.into()),
            },
            0,
        ))
    }

    fn file(
        name: String,
        origin: FaceOrigin,
        bytes: Vec<u8>,
        index: u32,
    ) -> Result<Face, FontError> {
        let face = OwnedFace::from_vec(bytes, index)
            .map_err(|_| FontError::Parse { name: name.clone() })?;
        Ok(Face::new(name, origin, Parsed::File(face.into()), index))
    }

    fn new(name: String, origin: FaceOrigin, parsed: Parsed, index: u32) -> Face {
        let mut face = Face {
            name,
            origin,
            parsed,
            index,
            units_per_em: 1.0,
        };
        face.units_per_em = f32::from(face.ttf().units_per_em().max(1));
        face
    }

    /// The face's tables.
    pub fn ttf(&self) -> &ttf_parser::Face<'_> {
        match &self.parsed {
            Parsed::Bundled { face, .. } => &face.face,
            Parsed::File(face) => face.face.as_face_ref(),
        }
    }

    /// The font file's bytes (what `export::pdf` subsets, and the preview hands to egui).
    pub fn bytes(&self) -> &[u8] {
        match &self.parsed {
            Parsed::Bundled { bytes, .. } => bytes,
            Parsed::File(face) => face.face.as_slice(),
        }
    }

    /// Face index inside a collection (`.ttc`), 0 for a single face.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Glyph for a character, `None` when the face lacks it.
    pub fn glyph(&self, ch: char) -> Option<u16> {
        let id = match &self.parsed {
            Parsed::Bundled { face, .. } => face.glyph_index(ch),
            Parsed::File(face) => face.glyph_index(ch),
        };
        id.map(|g| g.0).filter(|&g| g != 0)
    }

    /// Horizontal advance of a glyph in em.
    pub fn advance_em(&self, gid: u16) -> f32 {
        let advance = self
            .ttf()
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        f32::from(advance) / self.units_per_em
    }
}

/// Errors while loading fonts. A family that is simply not installed is not an error
/// (the bundled face stands in); a file that exists but cannot be used is.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("无法读取字体文件 {path}（{source}）")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "字体 {name} 无法使用：不是 TrueType/OpenType 字体，或文件已损坏；请重新安装该字体或在设置中换一种字体"
    )]
    Parse { name: String },
}

/// The faces tried for one role, first to last.
#[derive(Debug, Clone)]
struct RoleFaces {
    chain: Vec<FaceId>,
    /// Draw with a synthetic bold (the title when no real 小标宋 is installed).
    synthetic_bold: bool,
}

/// Every face the report uses, parsed once. See the module doc.
#[derive(Debug)]
pub struct FontSet {
    faces: Vec<Face>,
    roles: HashMap<TextRole, RoleFaces>,
}

const ROLES: [TextRole; 8] = [
    TextRole::Title,
    TextRole::Heading1,
    TextRole::Heading2,
    TextRole::Heading3,
    TextRole::Body,
    TextRole::Table,
    TextRole::Closing,
    TextRole::PageNumber,
];

impl FontSet {
    /// Only the bundled faces (what every non-Windows machine gets).
    pub fn bundled() -> Result<FontSet, FontError> {
        FontSet::load(&FontNames::default(), &[])
    }

    /// The families of `names`, looked up in the platform's font folders (Windows'
    /// `Fonts` folders; none elsewhere), bundled faces for the rest.
    pub fn system(names: &FontNames) -> Result<FontSet, FontError> {
        FontSet::load(names, &system_font_dirs())
    }

    /// The families of `names`, looked up in `dirs`. A family may also be a path to a
    /// `.ttf`/`.otf`/`.ttc` file.
    pub fn load(names: &FontNames, dirs: &[PathBuf]) -> Result<FontSet, FontError> {
        let mut set = FontSet {
            faces: Vec::new(),
            roles: HashMap::new(),
        };
        let mut by_origin: HashMap<FaceOrigin, FaceId> = HashMap::new();
        for role in ROLES {
            let bundled = Bundled::for_role(role);
            let mut chain = Vec::new();
            let found = find_family(names.family(role), dirs);
            let system_found = found.is_some();
            if let Some((path, index)) = found {
                let origin = FaceOrigin::File {
                    path: path.clone(),
                    index,
                };
                let id = match by_origin.get(&origin) {
                    Some(&id) => id,
                    None => {
                        let bytes = std::fs::read(&path).map_err(|source| FontError::Read {
                            path: path.clone(),
                            source,
                        })?;
                        let name = format!("{} ({})", names.family(role), path.display());
                        let id = set.push(Face::file(name, origin.clone(), bytes, index)?);
                        by_origin.insert(origin, id);
                        id
                    }
                };
                chain.push(id);
            }
            for b in [bundled, Bundled::Serif] {
                let origin = FaceOrigin::Bundled(b);
                let id = match by_origin.get(&origin) {
                    Some(&id) => id,
                    None => {
                        let id = set.push(Face::bundled(b)?);
                        by_origin.insert(origin, id);
                        id
                    }
                };
                if !chain.contains(&id) {
                    chain.push(id);
                }
            }
            let synthetic_bold = role == TextRole::Title && !system_found;
            set.roles.insert(
                role,
                RoleFaces {
                    chain,
                    synthetic_bold,
                },
            );
        }
        Ok(set)
    }

    fn push(&mut self, face: Face) -> FaceId {
        self.faces.push(face);
        FaceId((self.faces.len() - 1) as u16)
    }

    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[usize::from(id.0)]
    }

    pub fn faces(&self) -> impl Iterator<Item = (FaceId, &Face)> {
        self.faces
            .iter()
            .enumerate()
            .map(|(i, f)| (FaceId(i as u16), f))
    }

    /// The face a role is set in (its first choice).
    pub fn primary(&self, role: TextRole) -> FaceId {
        self.roles[&role].chain[0]
    }

    /// Whether text of this role is drawn with a synthetic bold.
    pub fn synthetic_bold(&self, role: TextRole) -> bool {
        self.roles[&role].synthetic_bold
    }

    /// The face and glyph that show `ch` in `role`: the first face of the role's chain
    /// that has the character; `.notdef` (glyph 0) of the primary face when none has.
    pub fn resolve(&self, role: TextRole, ch: char) -> (FaceId, u16) {
        let chain = &self.roles[&role].chain;
        for &id in chain {
            if let Some(g) = self.face(id).glyph(ch) {
                return (id, g);
            }
        }
        (chain[0], 0)
    }

    /// Advance of a glyph in em.
    pub fn advance_em(&self, face: FaceId, gid: u16) -> f32 {
        self.face(face).advance_em(gid)
    }
}

/// The folders a Windows machine keeps fonts in; empty elsewhere.
pub fn system_font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if cfg!(windows) {
        let windir = std::env::var_os("WINDIR")
            .or_else(|| std::env::var_os("SystemRoot"))
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\Windows"));
        dirs.push(windir.join("Fonts"));
        if let Some(local) = std::env::var_os("LOCALAPPDATA") {
            dirs.push(PathBuf::from(local).join(r"Microsoft\Windows\Fonts"));
        }
    }
    dirs
}

/// File names (and face index) under which Windows and the common Chinese font packages
/// install a family.
fn candidates(family: &str) -> &'static [(&'static str, u32)] {
    let f = family.trim().to_lowercase();
    match f.as_str() {
        "仿宋" | "fangsong" | "仿宋_gb2312" | "fangsong_gb2312" => &[
            ("simfang.ttf", 0),
            ("仿宋_GB2312.ttf", 0),
            ("FS_GB2312.ttf", 0),
        ],
        "黑体" | "simhei" => &[("simhei.ttf", 0)],
        "楷体" | "kaiti" | "楷体_gb2312" | "kaiti_gb2312" => {
            &[("simkai.ttf", 0), ("楷体_GB2312.ttf", 0)]
        }
        "宋体" | "simsun" => &[("simsun.ttc", 0), ("simsun.ttf", 0)],
        "方正小标宋简体" | "方正小标宋_gbk" | "fzxiaobiaosong-b05s" | "小标宋" => &[
            ("FZXBSJW.TTF", 0),
            ("方正小标宋简体.ttf", 0),
            ("FZXBSK.TTF", 0),
            ("方正小标宋_GBK.ttf", 0),
        ],
        _ => &[],
    }
}

/// Finds a family's file: a path given directly, or a known file name in one of `dirs`
/// (compared case-insensitively, as Windows does).
fn find_family(family: &str, dirs: &[PathBuf]) -> Option<(PathBuf, u32)> {
    let direct = Path::new(family.trim());
    let is_font_file = direct
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        });
    if is_font_file && direct.is_file() {
        return Some((direct.to_path_buf(), 0));
    }
    let wanted = candidates(family);
    if wanted.is_empty() {
        return None;
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        for (name, index) in wanted {
            let hit = files.iter().find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
            if let Some(p) = hit {
                return Some((p.clone(), *index));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_faces_cover_rare_name_characters_and_fall_back() {
        let fonts = FontSet::bundled().unwrap();
        assert_eq!(
            fonts.faces().count(),
            3,
            "serif, sans and kai, each parsed once"
        );
        for role in ROLES {
            for ch in ['璟', '喆', '堃', '，', 'A', '1'] {
                let (_, g) = fonts.resolve(role, ch);
                assert_ne!(g, 0, "{ch} in {role:?}");
            }
        }
        assert!(fonts.synthetic_bold(TextRole::Title));
        assert!(
            (fonts
                .face(fonts.primary(TextRole::Body))
                .advance_em(fonts.resolve(TextRole::Body, '国').1)
                - 1.0)
                .abs()
                < 1e-3
        );
    }

    #[test]
    fn a_family_is_found_in_a_font_folder_case_insensitively() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("SIMKAI.TTF"), BUNDLED_KAI).unwrap();
        let fonts = FontSet::load(&FontNames::default(), &[dir.path().to_path_buf()]).unwrap();
        let kai = fonts.face(fonts.primary(TextRole::Heading2));
        assert!(matches!(kai.origin, FaceOrigin::File { .. }), "{kai:?}");
        // a damaged file that is named like a system font is an error the user can act on
        std::fs::write(dir.path().join("simhei.ttf"), b"not a font").unwrap();
        let err = FontSet::load(&FontNames::default(), &[dir.path().to_path_buf()]).unwrap_err();
        assert!(matches!(err, FontError::Parse { .. }), "{err}");
    }
}
