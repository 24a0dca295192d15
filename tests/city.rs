//! A city's consolidated report of three agencies: its tables equal the sums of the
//! agencies' own figures, each city cell traces to the agencies' figures, the checks run
//! on each agency and on the sum, and each agency's own report is listed with its state.
//! Once over the agencies' own files (SQLite, always), once over one PostgreSQL database
//! holding the three agencies and the city office (`server init --schema`, `server
//! city`), where the server also keeps the agencies' data apart.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};

use nianbao::check::CheckOptions;
use nianbao::city::Consolidated;
use nianbao::compile::Figures;
use nianbao::model::national::national_metrics;
use nianbao::model::{Severity, YearData};
use nianbao::pipeline::{self, Agencies};
use nianbao::store::scratch::test_server;
use nianbao::store::{Store, ValueWrite, url_in_schema};
use rust_decimal::Decimal;

/// The agencies' national figures beside the demo's (agency 甲): 乙 fills every cell,
/// consistently; 丙 too, except that its table 3 new applications' total is not the sum
/// of its columns.
fn fill(store: &mut Store, extra: &[(&str, &str)]) {
    let office = store.actor("office").unwrap();
    let mut writes: Vec<ValueWrite> = national_metrics()
        .iter()
        .map(|m| ValueWrite {
            year: 2019,
            month: 0,
            division: "office".into(),
            metric: m.code.clone(),
            value: Some(Decimal::ZERO),
            note: String::new(),
            seen: None,
        })
        .collect();
    for (code, value) in extra {
        let w = writes.iter_mut().find(|w| w.metric == *code).unwrap();
        w.value = Some(value.parse().unwrap());
    }
    store.write_values(&office, &writes, |_, _| {}).unwrap();
}

const YI: &[(&str, &str)] = &[
    ("t2.license.decisions", "120"),
    ("t2.fees.amount", "1.5"),
    ("t3.new.natural", "5"),
    ("t3.new.total", "5"),
    ("t3.open.natural", "3"),
    ("t3.open.total", "3"),
    ("t3.unable.not_held.natural", "2"),
    ("t3.unable.not_held.total", "2"),
    ("t3.results_total.natural", "5"),
    ("t3.results_total.total", "5"),
];

const BING: &[(&str, &str)] = &[
    ("t2.license.decisions", "7"),
    ("t3.new.natural", "6"),
    ("t3.new.total", "7"),
    ("t3.open.natural", "6"),
    ("t3.open.total", "6"),
    ("t3.results_total.natural", "6"),
    ("t3.results_total.total", "6"),
];

/// What every consolidation of 甲 (the demo), 乙 and 丙 must show.
fn assert_consolidated(c: &Consolidated, agencies: &[YearData]) {
    assert_eq!(c.agencies.len(), 3);
    let city = Figures::new(&c.data);
    let each: Vec<Figures> = agencies.iter().map(Figures::new).collect();
    // Every cell of tables 2–4 is the sum of the agencies' own figures.
    for m in national_metrics() {
        let parts: Vec<Decimal> = each
            .iter()
            .map(|f| f.value(&m.code, 2019, (1, 12), None).unwrap())
            .collect();
        let sum: Decimal = parts.iter().sum();
        assert_eq!(
            city.value(&m.code, 2019, (1, 12), None),
            Some(sum),
            "{}",
            m.code
        );
    }
    assert_eq!(
        city.value("t3.new.total", 2019, (1, 12), None),
        Some(Decimal::from(82 + 5 + 7))
    );
    assert_eq!(
        city.value("t2.fees.amount", 2019, (1, 12), None),
        Some("1731.756108".parse().unwrap())
    );
    // 丙's error is found on 丙 and on the sum; 甲 and 乙 have none.
    let errors = |findings: &[nianbao::model::Finding]| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.code.clone())
            .collect()
    };
    assert_eq!(errors(&c.agencies[0].findings), Vec::<String>::new());
    assert_eq!(errors(&c.agencies[1].findings), Vec::<String>::new());
    assert!(!errors(&c.agencies[2].findings).is_empty());
    assert_eq!(errors(&c.findings), errors(&c.agencies[2].findings));
    assert!(
        c.all_findings()
            .iter()
            .any(|f| f.severity == Severity::Error && f.message.starts_with("丙局：")),
        "{:?}",
        c.all_findings()
    );
    // Only 甲 kept 2018: no 同比 over unlike totals.
    assert!(c.data.prev_metrics.is_empty());
}

/// The report: the sums in the tables, a figure traced to the three agencies' figures,
/// and the agencies' own reports listed.
fn assert_report(city: &Store, c: &Consolidated) {
    let compiled = pipeline::compile_consolidated(city, c).unwrap();
    let text = compiled.document.plain_text();
    assert!(text.contains("汇总3个单位"), "{text}");
    assert!(text.contains("全年共新收政府信息公开申请94件"), "{text}");
    assert!(text.contains("1. 甲局：已审定（20"), "{text}");
    assert!(text.contains("作出行政许可决定3445件；"), "{text}");
    assert!(text.contains("2. 乙局：尚未起草"), "{text}");
    assert!(
        text.contains("3个单位中，1个单位的本年度报告已审定"),
        "{text}"
    );
    let figure = nianbao::approval::figures(&compiled.document)
        .map(|(_, f)| f)
        .find(|f| f.provenance.metric_code == "t3.new.total")
        .expect("a traced figure of t3.new.total");
    let sources: Vec<(String, String)> = figure
        .provenance
        .values
        .iter()
        .map(|v| (v.division.clone(), v.value.clone()))
        .collect();
    // Each agency's own figure, under its code.
    let mut expected: Vec<(String, String)> = c
        .agencies
        .iter()
        .zip(["82", "5", "7"])
        .map(|(a, v)| (a.report.code.clone(), v.to_string()))
        .collect();
    let mut sources = sources;
    expected.sort();
    sources.sort();
    assert_eq!(sources, expected);
}

/// 甲 as the demo, with its 2019 annual report approved by its leader.
fn make_jia(path: &Path) {
    let mut store = nianbao::demo::create(path).unwrap();
    let office = store.actor("liu.office").unwrap();
    let leader = store.actor("huang.leader").unwrap();
    store.set_agency(&office, "甲局").unwrap();
    let id = nianbao::approval::start(&mut store, &office, 2019, "annual-report", None).unwrap();
    store.submit_draft(&office, id).unwrap();
    nianbao::approval::approve(&mut store, &leader, id, &CheckOptions::default()).unwrap();
}

fn make(path: &Path, name: &str, extra: &[(&str, &str)]) {
    let (mut store, _) = Store::create_agency(path, name, 2019).unwrap();
    fill(&mut store, extra);
}

fn options() -> CheckOptions {
    CheckOptions::default()
}

#[test]
fn a_city_sums_three_agencies_files_and_checks_each_and_the_sum() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = ["甲.db", "乙.db", "丙.db"]
        .iter()
        .map(|f| dir.path().join(f))
        .collect();
    make_jia(&files[0]);
    make(&files[1], "乙局", YI);
    make(&files[2], "丙局", BING);
    let (city, _) =
        Store::create_agency(&dir.path().join("市.db"), "某某市人民政府", 2019).unwrap();
    let c = pipeline::consolidate_year(&city, 2019, Agencies::Files(&files), &options()).unwrap();
    let own: Vec<YearData> = files
        .iter()
        .map(|f| Store::open(f).unwrap().year_data(2019).unwrap())
        .collect();
    assert_consolidated(&c, &own);
    assert_report(&city, &c);
    assert_eq!(c.agencies[0].report.code, "甲");

    // The command line: checks exit 1 for 丙's error; the export writes the report.
    let city_db = dir.path().join("市.db");
    let mut args = vec![
        "city",
        "check",
        "--db",
        cli::path_str(&city_db),
        "--year",
        "2019",
    ];
    for f in &files {
        args.extend(["--agency-file", cli::path_str(f)]);
    }
    let out = cli::run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", cli::text(&out.stdout));
    assert!(cli::text(&out.stdout).contains("丙局："));
    let txt = dir.path().join("汇总.txt");
    args[1] = "export";
    args.extend(["--text", cli::path_str(&txt)]);
    let out = cli::ok(&args);
    assert!(out.contains("汇总 3 个单位：甲局、乙局、丙局"), "{out}");
    let text = std::fs::read_to_string(&txt).unwrap();
    assert!(text.contains("全年共新收政府信息公开申请94件"), "{text}");
    // An agency's file is never an output.
    let mut refused = args.clone();
    let last = refused.len() - 1;
    refused[last] = cli::path_str(&files[1]);
    let out = cli::run(&refused);
    assert_eq!(out.status.code(), Some(2), "{}", cli::text(&out.stderr));
    // A file is one agency: it has no agencies of its own to list.
    let out = cli::run(&[
        "city",
        "status",
        "--db",
        cli::path_str(&city_db),
        "--year",
        "2019",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(cli::text(&out.stderr).contains("一个数据文件只有一个单位的数据"));
}

/// Schemas and roles a server test made, dropped at the end whatever happened.
struct Cleanup {
    admin: String,
    schemas: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) else {
            return;
        };
        for s in &self.schemas {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"));
            for suffix in ["office", "contact", "leader"] {
                let role = format!("{s}_{suffix}");
                let logins: Vec<String> = client
                    .query(
                        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
                        &[&format!("{s}.%")],
                    )
                    .map(|rows| rows.iter().map(|r| r.get(0)).collect())
                    .unwrap_or_default();
                for r in logins.iter().chain([&role]) {
                    let _ =
                        client.batch_execute(&format!("DROP OWNED BY \"{r}\"; DROP ROLE \"{r}\""));
                }
            }
        }
    }
}

/// `url` signed in as `role` with `password`.
fn as_login(url: &str, role: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.split_once('@').unwrap().1;
    let role = role.replace('.', "%2E");
    format!("{scheme}://{role}:{password}@{host}")
}

fn denied(client: &mut postgres::Client, sql: &str) {
    let e = client.batch_execute(sql).expect_err(sql);
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{sql}: {e}"
    );
}

#[test]
fn a_city_office_on_the_server_sums_its_agencies_and_the_server_keeps_them_apart() {
    let Some(admin) = test_server("city::a_city_office_on_the_server") else {
        return;
    };
    let prefix = format!(
        "nbcity_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let [jia, yi, bing, city] = ["jia", "yi", "bing", "city"].map(|s| format!("{prefix}_{s}"));
    let _cleanup = Cleanup {
        admin: admin.clone(),
        schemas: vec![jia.clone(), yi.clone(), bing.clone(), city.clone()],
    };
    let init = |schema: &str, name: &str| {
        cli::ok(&[
            "server", "init", "--db", &admin, "--agency", name, "--schema", schema, "--year",
            "2019",
        ])
    };
    // 甲 is the demo moved up; 乙 made before the city, 丙 after it.
    let jia_url = url_in_schema(&admin, &jia);
    postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE SCHEMA \"{jia}\""))
        .unwrap();
    make_jia(Path::new(&jia_url));
    cli::ok(&["server", "secure", "--db", &jia_url]);
    init(&yi, "乙局");
    let out = cli::ok(&[
        "server",
        "city",
        "--db",
        &admin,
        "--agency",
        "某某市人民政府",
        "--schema",
        &city,
        "--year",
        "2019",
    ]);
    assert!(out.contains("可读取的单位（2 个）"), "{out}");
    let out = init(&bing, "丙局");
    assert!(
        out.contains(&format!("市级汇总库 {city} 可读取本单位的数据")),
        "{out}"
    );
    let mut s = Store::open(Path::new(&url_in_schema(&admin, &yi))).unwrap();
    fill(&mut s, YI);
    let mut s = Store::open(Path::new(&url_in_schema(&admin, &bing))).unwrap();
    fill(&mut s, BING);

    // The city office signs in with its own login, which lands in the city's schema.
    cli::ok(&[
        "server",
        "login",
        "--db",
        &url_in_schema(&admin, &city),
        "--login",
        "office",
        "--password",
        "city-pass-1",
    ]);
    let city_url = as_login(&admin, &format!("{city}.office"), "city-pass-1");
    let city_store = Store::open_read_only(Path::new(&city_url)).unwrap();
    assert!(city_store.is_city().unwrap());
    assert_eq!(
        city_store.city_agencies().unwrap(),
        [bing.clone(), jia.clone(), yi.clone()]
    );
    let chosen = [jia.clone(), yi.clone(), bing.clone()];
    let c = pipeline::consolidate_year(
        &city_store,
        2019,
        Agencies::Server(Some(&chosen)),
        &options(),
    )
    .unwrap();
    let own: Vec<YearData> = chosen
        .iter()
        .map(|s| {
            Store::open(Path::new(&url_in_schema(&admin, s)))
                .unwrap()
                .year_data(2019)
                .unwrap()
        })
        .collect();
    assert_consolidated(&c, &own);
    assert_report(&city_store, &c);
    let out = cli::ok(&["city", "status", "--db", &city_url, "--year", "2019"]);
    assert!(out.contains(&format!("{jia}\t甲局\t已审定（20")), "{out}");
    assert!(out.contains("3 个单位，1 个的年度报告已审定"), "{out}");

    // The city reads, never writes, and never sees an agency's users.
    let mut as_city = postgres::Client::connect(&city_url, postgres::NoTls).unwrap();
    denied(
        &mut as_city,
        &format!("UPDATE \"{yi}\".monthly_values SET value = 1"),
    );
    denied(&mut as_city, &format!("SELECT * FROM \"{yi}\".users"));
    denied(
        &mut as_city,
        &format!("SELECT applicant_name FROM \"{yi}\".applications"),
    );
    // An agency's own login sees nothing of another agency, through the app or not.
    cli::ok(&[
        "server",
        "login",
        "--db",
        &url_in_schema(&admin, &yi),
        "--login",
        "office",
        "--password",
        "yi-pass-01",
    ]);
    let yi_url = as_login(&admin, &format!("{yi}.office"), "yi-pass-01");
    let mut as_yi = postgres::Client::connect(&yi_url, postgres::NoTls).unwrap();
    denied(
        &mut as_yi,
        &format!("SELECT count(*) FROM \"{bing}\".monthly_values"),
    );
    let yi_store = Store::open_read_only(Path::new(&yi_url)).unwrap();
    assert_eq!(yi_store.agency().unwrap(), "乙局");
    assert!(yi_store.city_agencies().unwrap().is_empty());
    let refused = yi_store.agency_figures(Some(&bing), 2019).unwrap_err();
    assert!(refused.to_string().contains("无权读取"), "{refused}");
    // A bad agency code is refused before anything is made.
    let out = cli::run(&[
        "server", "init", "--db", &admin, "--agency", "丁局", "--schema", "丁局",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(cli::text(&out.stderr).contains("单位代码“丁局”无效"));

    // `server secure` run again (after an upgrade, say) over an agency the city reads and
    // over the city's own store keeps what the city may read, and what no one may.
    cli::ok(&["server", "secure", "--db", &url_in_schema(&admin, &yi)]);
    cli::ok(&["server", "secure", "--db", &url_in_schema(&admin, &city)]);
    let city_store = Store::open_read_only(Path::new(&city_url)).unwrap();
    assert_eq!(
        city_store.city_agencies().unwrap(),
        [bing.clone(), jia.clone(), yi.clone()]
    );
    let again = pipeline::consolidate_year(
        &city_store,
        2019,
        Agencies::Server(Some(&chosen)),
        &options(),
    )
    .unwrap();
    assert_consolidated(&again, &own);
    let mut as_city = postgres::Client::connect(&city_url, postgres::NoTls).unwrap();
    denied(
        &mut as_city,
        &format!("UPDATE \"{yi}\".monthly_values SET value = 1"),
    );
    denied(&mut as_city, &format!("SELECT * FROM \"{yi}\".users"));
    let mut as_yi = postgres::Client::connect(&yi_url, postgres::NoTls).unwrap();
    denied(
        &mut as_yi,
        &format!("SELECT count(*) FROM \"{bing}\".monthly_values"),
    );
    let yi_store = Store::open_read_only(Path::new(&yi_url)).unwrap();
    let figures = yi_store.agency_figures(None, 2019).unwrap();
    assert_eq!(figures.report.name, "乙局");
    assert_eq!(
        figures.data.all_values().count(),
        own[1].all_values().count(),
        "乙局 still reads its own figures"
    );

    // The city office chooses the agencies its report sums, with its own login: only
    // agencies it may read, kept for the year, audited; `None` is every agency again.
    let mut city_rw = Store::open(Path::new(&city_url)).unwrap();
    let office = city_rw.actor("office").unwrap();
    let refused = city_rw
        .set_city_agencies(&office, 2019, Some(&["nosuch".to_string()]))
        .unwrap_err();
    assert!(
        refused.to_string().contains("没有代码为“nosuch”的单位"),
        "{refused}"
    );
    assert!(city_rw.settings().unwrap().city_agencies.is_empty());
    city_rw
        .set_city_agencies(&office, 2019, Some(&[yi.clone(), jia.clone()]))
        .unwrap();
    assert_eq!(
        city_rw.settings().unwrap().city_agencies[&2019],
        [jia.clone(), yi.clone()]
    );
    let two =
        pipeline::consolidate_year(&city_rw, 2019, Agencies::Server(None), &options()).unwrap();
    let names: Vec<&str> = two
        .agencies
        .iter()
        .map(|a| a.report.name.as_str())
        .collect();
    assert_eq!(names, ["甲局", "乙局"]);
    let logged = city_rw
        .audit_log(&nianbao::store::AuditFilter::default())
        .unwrap();
    assert!(
        logged
            .iter()
            .any(|e| e.entity == "meta" && e.key == "city_agencies.2019"),
        "the choice is in the audit log"
    );
    city_rw.set_city_agencies(&office, 2019, None).unwrap();
    let all =
        pipeline::consolidate_year(&city_rw, 2019, Agencies::Server(None), &options()).unwrap();
    assert_eq!(all.agencies.len(), 3);
}
