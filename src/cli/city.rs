//! `nianbao city …`: what a city office runs over its agencies — the state of each
//! agency's own report, the checks of each agency's national tables and of their sum,
//! and the consolidated report. The agencies are those on the city store's server that
//! its login may read (or the ones named with `--agency`), or the agencies' own files
//! (`--agency-file`); the summing is `crate::city`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{Failure, Outcome, exit, write_outputs};
use crate::check::CheckOptions;
use crate::city::Consolidated;
use crate::model::city::AgencyFigures;
use crate::model::{Severity, has_errors};
use crate::pipeline::{self, Agencies};
use crate::store::{Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum CityCommand {
    /// Each agency's own annual report of the year: not started, draft, under review,
    /// approved (and by whom, when).
    Status {
        #[arg(long)]
        year: i32,
    },
    /// The checks of each agency's national tables and of their sum (exit 1 on errors).
    Check {
        #[command(flatten)]
        which: Which,
    },
    /// The consolidated report (template city-annual-report): tables 2–4 summed over the
    /// agencies, every cell traced to the agencies' figures.
    Export {
        #[command(flatten)]
        which: Which,
        #[arg(long, value_name = "OUT.pdf")]
        pdf: Option<PathBuf>,
        #[arg(long, value_name = "OUT.docx")]
        docx: Option<PathBuf>,
        #[arg(long, value_name = "OUT.txt")]
        text: Option<PathBuf>,
    },
}

/// The year and the agencies summed.
#[derive(Debug, Args)]
pub struct Which {
    #[arg(long)]
    year: i32,
    /// An agency's code on the server (repeat for several); default: those the city
    /// office chose for the year (计入汇总 on 各单位), else every agency the login may read.
    #[arg(long = "agency", value_name = "CODE")]
    agencies: Vec<String>,
    /// An agency's own data file instead (repeat for several).
    #[arg(long = "agency-file", value_name = "FILE", conflicts_with = "agencies")]
    files: Vec<PathBuf>,
}

impl Which {
    fn agencies(&self) -> Agencies<'_> {
        if !self.files.is_empty() {
            Agencies::Files(&self.files)
        } else if !self.agencies.is_empty() {
            Agencies::Server(Some(&self.agencies))
        } else {
            Agencies::Server(None)
        }
    }

    fn consolidate(&self, city: &Store) -> Result<Consolidated, Failure> {
        let options = CheckOptions {
            as_of: Some(chrono::Local::now().date_naive()),
            ..CheckOptions::default()
        };
        Ok(pipeline::consolidate_year(
            city,
            self.year,
            self.agencies(),
            &options,
        )?)
    }
}

pub(super) fn run(city: &Store, command: CityCommand) -> Outcome {
    match command {
        CityCommand::Status { year } => status(city, year),
        CityCommand::Check { which } => {
            let consolidated = which.consolidate(city)?;
            let findings = consolidated.all_findings();
            for f in &findings {
                let tag = match f.severity {
                    Severity::Error => "错误",
                    Severity::Warning => "提示",
                };
                println!("[{tag}] {}：{}", f.code, f.message);
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            println!(
                "{}年 {} 个单位及其合计检查完成：错误 {errors} 项，提示 {} 项。",
                which.year,
                consolidated.agencies.len(),
                findings.len() - errors
            );
            Ok(if has_errors(&findings) {
                ExitCode::from(exit::DATA)
            } else {
                ExitCode::SUCCESS
            })
        }
        CityCommand::Export {
            which,
            pdf,
            docx,
            text,
        } => {
            let outputs = [pdf.as_deref(), docx.as_deref(), text.as_deref()];
            if outputs.iter().all(Option::is_none) {
                return Err(Failure::cannot_run(
                    "请至少指定一个输出：--pdf OUT.pdf、--docx OUT.docx 或 --text OUT.txt",
                ));
            }
            for path in outputs.into_iter().flatten() {
                crate::output::refuse_database(path, city.path())?;
                refuse_agency_file(path, &which.files)?;
            }
            let consolidated = which.consolidate(city)?;
            let compiled = pipeline::compile_consolidated(city, &consolidated)?;
            for w in &compiled.warnings {
                eprintln!("提示：{}", w.message);
            }
            println!(
                "汇总 {} 个单位：{}",
                consolidated.agencies.len(),
                consolidated
                    .agencies
                    .iter()
                    .map(|a| a.report.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            );
            write_outputs(
                city,
                &compiled.document,
                pdf.as_deref(),
                docx.as_deref(),
                text.as_deref(),
            )
        }
    }
}

fn status(city: &Store, year: i32) -> Outcome {
    // A file has no agencies to list: the command cannot run there (exit 2).
    let agencies = match city.agencies_figures(None, year) {
        Err(e @ StoreError::Invalid(_)) => return Err(Failure::cannot_run(e)),
        other => other?,
    };
    let mut approved = 0;
    for AgencyFigures { report, .. } in &agencies {
        approved += usize::from(report.approved.is_some());
        println!("{}\t{}\t{}", report.code, report.name, report.describe());
    }
    println!(
        "{year}年：{} 个单位，{approved} 个的年度报告已审定。",
        agencies.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses an output path that is one of the agencies' files being read.
fn refuse_agency_file(path: &Path, files: &[PathBuf]) -> Result<(), Failure> {
    for file in files {
        crate::output::refuse_database(path, file)?;
    }
    Ok(())
}
