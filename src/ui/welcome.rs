//! 欢迎: no file is open. Create a new data file, open one, open the demo (created in
//! the user's data folder on first use, as a background job), or connect to a database
//! server shared by many desktops (the address remembered, the password typed each time).

use std::path::PathBuf;
use std::sync::Arc;

use crate::jobs::{Job, JobError};
use crate::store::{ServerAddress, Store, StoreError, TlsMode};

use super::settings::demo_path;
use super::widgets;

pub struct Welcome {
    error: Option<String>,
    path_text: String,
    agency: String,
    demo_job: Option<Job<PathBuf, DemoError>>,
    /// Connecting to a server, off the UI thread (an unreachable one takes seconds).
    connect_job: Option<Job<(PathBuf, Store), StoreError>>,
    server: ServerAddress,
    port_text: String,
    /// The root certificate file, as typed or chosen (`sslrootcert`).
    root_text: String,
    password: String,
}

/// Why the demo file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("无法创建文件夹 {}（{source}）", .dir.display())]
    Folder {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the welcome screen asks the app to open.
pub enum Opening {
    /// A file to open.
    Path(PathBuf),
    /// A server, connected in the background.
    Connected(PathBuf, Store),
}

impl Welcome {
    /// The welcome screen; `last_server` (a remembered address) fills in the connection
    /// form.
    pub fn new(error: Option<String>, last_server: Option<&str>) -> Welcome {
        let server = last_server
            .and_then(ServerAddress::parse)
            .unwrap_or_default();
        Welcome {
            error,
            path_text: String::new(),
            agency: String::new(),
            demo_job: None,
            connect_job: None,
            port_text: server.port.to_string(),
            root_text: (server.tls.root_cert.as_ref())
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            server,
            password: String::new(),
        }
    }

    /// Whether a connection to a server is being made.
    pub fn connecting(&self) -> bool {
        self.connect_job.is_some()
    }

    /// 连接数据库服务器: the address and the password, checked, then connected to in
    /// the background; the connected store when it is done.
    fn server_ui(&mut self, ui: &mut egui::Ui) -> Option<Opening> {
        let mut open = None;
        if let Some(job) = &mut self.connect_job {
            match job.poll() {
                Some(Ok((url, store))) => {
                    self.connect_job = None;
                    open = Some(Opening::Connected(url, store));
                }
                Some(Err(e)) => {
                    self.connect_job = None;
                    self.error = Some(e.to_string());
                }
                None => {}
            }
        }
        ui.group(|ui| {
            ui.strong("连接数据库服务器（多台电脑共用一个数据库时）");
            egui::Grid::new("server_form")
                .num_columns(2)
                .show(ui, |ui| {
                    let field = |ui: &mut egui::Ui, label: &str, text: &mut String, secret| {
                        let l = ui.label(label);
                        ui.add(
                            egui::TextEdit::singleline(text)
                                .password(secret)
                                .desired_width(260.0),
                        )
                        .labelled_by(l.id);
                        ui.end_row();
                    };
                    field(ui, "服务器：", &mut self.server.host, false);
                    field(ui, "端口：", &mut self.port_text, false);
                    field(ui, "数据库：", &mut self.server.database, false);
                    field(ui, "用户名：", &mut self.server.user, false);
                    field(ui, "密码：", &mut self.password, true);
                    let l = ui.label("加密连接：");
                    egui::ComboBox::from_id_salt("server_tls")
                        .selected_text(self.server.tls.mode.label())
                        .width(260.0)
                        .show_ui(ui, |ui| {
                            for mode in TlsMode::ALL {
                                ui.selectable_value(&mut self.server.tls.mode, mode, mode.label());
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    if self.server.tls.mode != TlsMode::Disable {
                        let l = ui.label("根证书文件：");
                        ui.horizontal(|ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut self.root_text)
                                    .hint_text("信息中心提供的 .pem 文件；不填则用本机证书库")
                                    .desired_width(200.0),
                            )
                            .labelled_by(l.id);
                            if ui.button("选择…").clicked()
                                && let Some(p) = rfd::FileDialog::new()
                                    .set_title("选择根证书文件")
                                    .add_filter("证书 (PEM)", &["pem", "crt", "cer"])
                                    .pick_file()
                            {
                                self.root_text = p.display().to_string();
                            }
                        });
                        ui.end_row();
                    }
                });
            if self.connect_job.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("正在连接 {}…", self.server.host.trim()));
                });
            } else if ui.button("连接").clicked() {
                match self.server_url() {
                    Ok(url) => {
                        self.error = None;
                        let ctx = ui.ctx().clone();
                        self.connect_job = Some(Job::spawn(
                            "连接数据库服务器",
                            Arc::new(move || ctx.request_repaint()),
                            move |_| {
                                let store = Store::open(&url).map_err(JobError::Failed)?;
                                Ok((url, store))
                            },
                        ));
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            ui.label("服务器地址、数据库和用户名由信息中心提供；密码不会保存在本机。");
        });
        open
    }

    fn server_url(&mut self) -> Result<PathBuf, String> {
        let missing = [
            (&self.server.host, "服务器"),
            (&self.server.database, "数据库"),
            (&self.server.user, "用户名"),
        ]
        .into_iter()
        .filter(|(v, _)| v.trim().is_empty())
        .map(|(_, name)| name)
        .collect::<Vec<_>>();
        if !missing.is_empty() {
            return Err(format!("请填写{}", missing.join("、")));
        }
        self.server.port = self
            .port_text
            .trim()
            .parse()
            .map_err(|_| format!("端口应为 1–65535 的数字：{}", self.port_text.trim()))?;
        let root = self.root_text.trim();
        self.server.tls.root_cert = (self.server.tls.mode != TlsMode::Disable && !root.is_empty())
            .then(|| PathBuf::from(root));
        Ok(self.server.url(&std::mem::take(&mut self.password)))
    }

    /// Returns a file to open, or a server connected to.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Opening> {
        let mut open = None;
        if let Some(job) = &mut self.demo_job {
            match job.poll() {
                Some(Ok(path)) => {
                    self.demo_job = None;
                    open = Some(path);
                }
                Some(Err(e)) => {
                    self.demo_job = None;
                    self.error = Some(e.to_string());
                }
                None => {}
            }
        }
        ui.add_space(24.0);
        ui.vertical_centered(|ui| {
            ui.heading("年报 — 政府信息公开工作年度报告");
            ui.add_space(8.0);
            ui.label("各处室按月填报数据，办公室汇总编制年度报告。请先打开或新建数据文件。");
        });
        ui.add_space(16.0);
        widgets::error_line(ui, self.error.as_deref());
        ui.group(|ui| {
            ui.strong("演示数据");
            ui.label(format!(
                "含 2018、2019 年的演示机关数据，保存在：{}",
                demo_path().display()
            ));
            if let Some(job) = &self.demo_job {
                ui.add(egui::ProgressBar::new(job.progress().fraction()).text("正在创建演示数据…"));
            } else if ui.button("打开演示数据").clicked() {
                let path = demo_path();
                if path.exists() {
                    open = Some(path);
                } else {
                    let ctx = ui.ctx().clone();
                    self.demo_job = Some(Job::spawn(
                        "创建演示数据",
                        Arc::new(move || ctx.request_repaint()),
                        move |r| {
                            r.step(0, 1, "创建演示数据")?;
                            create_demo(&path).map_err(JobError::Failed)?;
                            Ok(path)
                        },
                    ));
                }
            }
        });
        ui.add_space(8.0);
        ui.group(|ui| {
            ui.strong("打开数据文件");
            ui.horizontal(|ui| {
                if ui.button("选择文件…").clicked()
                    && let Some(p) = rfd::FileDialog::new()
                        .set_title("打开年报数据文件")
                        .pick_file()
                {
                    open = Some(p);
                }
                let label = ui.label("或输入路径：");
                ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(420.0))
                    .labelled_by(label.id);
                if ui.button("打开").clicked() && !self.path_text.trim().is_empty() {
                    open = Some(PathBuf::from(self.path_text.trim()));
                }
            });
        });
        ui.add_space(8.0);
        if let Some(connected) = self.server_ui(ui) {
            return Some(connected);
        }
        ui.add_space(8.0);
        ui.group(|ui| {
            ui.strong("新建数据文件");
            ui.horizontal(|ui| {
                let label = ui.label("机关名称：");
                ui.add(
                    egui::TextEdit::singleline(&mut self.agency)
                        .hint_text("如：某某市市场监督管理局")
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
                if ui.button("新建…").clicked() {
                    if self.agency.trim().is_empty() {
                        self.error = Some("请先填写机关名称".into());
                    } else if let Some(p) = rfd::FileDialog::new()
                        .set_title("新建年报数据文件")
                        .set_file_name(format!("{}.nianbao", self.agency.trim()))
                        .save_file()
                    {
                        match create_file(&p, &self.agency) {
                            Ok(()) => open = Some(p),
                            Err(e) => self.error = Some(e.to_string()),
                        }
                    }
                }
            });
            ui.label(
                "新文件含办公室和办公室用户“office”（未设密码），并开启今年的国家统计表指标。",
            );
        });
        open.map(Opening::Path)
    }
}

/// A new file as `nianbao init` makes it: the office, its user `office`, this year.
fn create_file(path: &std::path::Path, agency: &str) -> Result<(), crate::store::StoreError> {
    use chrono::Datelike;
    Store::create_agency(path, agency, chrono::Local::now().year())?;
    Ok(())
}

/// Creates the demo file at `path`, and its folder when missing.
fn create_demo(path: &std::path::Path) -> Result<(), DemoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| DemoError::Folder {
            dir: dir.to_path_buf(),
            source,
        })?;
    }
    crate::demo::create(path)?;
    Ok(())
}
