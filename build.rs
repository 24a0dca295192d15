//! Build script: for Windows targets only, embeds the application icon
//! (`assets/icon/nianbao.ico`, drawn by `scripts/make-icon.py`) and the version
//! information Explorer shows (product 年报, version from Cargo.toml) in `nianbao.exe`,
//! with MinGW's `windres` (or `rc.exe` for MSVC) through the winresource crate.
//! Does nothing for other targets.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon/nianbao.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let mut res = winresource::WindowsResource::new();
    res.set_icon("assets/icon/nianbao.ico")
        .set("ProductName", "年报 Nianbao")
        // Task Manager and "Open with" show the description as the program's name
        .set("FileDescription", "年报")
        .set("Comments", "政府信息公开工作年度报告的填报、汇编与导出")
        .set("OriginalFilename", "nianbao.exe")
        .set("InternalName", "nianbao")
        .set("LegalCopyright", "MIT License")
        .set("ProductVersion", &version)
        .set("FileVersion", &version)
        // 0x0804: Chinese (Simplified, PRC)
        .set_language(0x0804);
    if let Err(e) = res.compile_for("nianbao") {
        panic!(
            "cannot embed the Windows icon and version info (is MinGW's windres installed?): {e}"
        );
    }
}
