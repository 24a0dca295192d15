//! The store on a PostgreSQL server, where it differs from a file: every refusal a user
//! can meet while connecting or creating (an unreachable server, a wrong password, no such
//! database, a database without our schema, a schema from a newer version, a database
//! holding other tables), each a Chinese message with nothing written; a read-only
//! session; and the command line on a `postgres://` URL giving the same `values` as a
//! file. Needs `NIANBAO_TEST_PG` (see `scripts/start-test-pg.sh`), except the
//! unreachable-server test.

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use nianbao::store::scratch::{Scratch, test_server};
use nianbao::store::{Engine, Store, StoreError, ValueWrite};

/// A fresh, empty schema on the test server, or `None` (skipped) without one.
fn server(test: &str) -> Option<Scratch> {
    Scratch::new(Engine::Postgres, test)
}

/// A raw connection into the scratch schema (not through the store).
fn raw(db: &Scratch) -> postgres::Client {
    postgres::Client::connect(db.path().to_str().unwrap(), postgres::NoTls).unwrap()
}

fn tables(db: &Scratch) -> Vec<String> {
    raw(db)
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The test server's URL with another password.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (login, host) = rest.split_once('@').unwrap();
    let user = login.split(':').next().unwrap();
    format!("{scheme}://{user}:{password}@{host}")
}

/// A December 2019 value of the demo, as the tests write it.
fn december(division: &str, metric: &str, value: i64) -> ValueWrite {
    ValueWrite {
        year: 2019,
        month: 12,
        division: division.into(),
        metric: metric.into(),
        value: Some(value.into()),
        note: String::new(),
        seen: None,
    }
}

/// Removes roles a test made: they belong to the cluster, not to the test's schema.
fn drop_roles(db: &Scratch, roles: &[String]) {
    let mut client = raw(db);
    for role in roles {
        let _ = client.batch_execute(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\""));
    }
}

#[test]
fn an_unreachable_server_is_a_clear_message() {
    // Port 1 on the loopback: nothing listens there, the refusal is immediate.
    let url = "postgres://nianbao:secret@127.0.0.1:1/nianbao";
    let err = Store::open(Path::new(url)).err().expect("refused");
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("无法连接数据库服务器 nianbao@127.0.0.1:1/nianbao"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
    let err = Store::create(Path::new(url), "某局")
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let err = Store::open(Path::new("postgres://nianbao@127.0.0.1:99999/x")).err();
    assert!(matches!(err, Some(StoreError::BadServerUrl(_))), "{err:?}");
}

#[test]
fn a_wrong_password_and_a_missing_database_are_clear_messages() {
    let Some(url) = test_server("a_wrong_password_and_a_missing_database") else {
        return;
    };
    let wrong = with_password(&url, "not-the-password");
    let err = Store::open(Path::new(&wrong)).err().expect("refused");
    assert!(matches!(err, StoreError::ServerLogin(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("拒绝登录：用户名或密码不对"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");

    let (base, _) = url.rsplit_once('/').unwrap();
    let missing = format!("{base}/nianbao_no_such_database");
    let err = Store::create(Path::new(&missing), "某局")
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::NoSuchDatabase(_)), "{err:?}");
    assert!(err.to_string().contains("没有这个数据库"), "{err}");
}

#[test]
fn a_database_without_our_schema_is_refused_and_left_empty() {
    let Some(db) = server("a_database_without_our_schema") else {
        return;
    };
    for err in [
        Store::open(db.path()).err(),
        Store::open_read_only(db.path()).err(),
    ] {
        let err = err.expect("refused");
        assert!(matches!(err, StoreError::NoSchema(_)), "{err:?}");
        assert!(err.to_string().contains("没有年报的数据"), "{err}");
    }
    assert_eq!(tables(&db), Vec::<String>::new());
}

#[test]
fn a_schema_from_a_newer_version_is_refused_untouched() {
    let Some(db) = server("a_schema_from_a_newer_version") else {
        return;
    };
    drop(nianbao::demo::create(db.path()).unwrap());
    let mut client = raw(&db);
    client
        .batch_execute("UPDATE nianbao_schema SET version = 99")
        .unwrap();
    let snapshot = |client: &mut postgres::Client| -> (i64, i64, String) {
        let r = client
            .query_one(
                "SELECT (SELECT version FROM nianbao_schema),
                        (SELECT count(*) FROM audit_log),
                        (SELECT md5(string_agg(key || value, ',' ORDER BY key)) FROM meta)",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    let before = snapshot(&mut client);
    for err in [
        Store::open(db.path()).err(),
        Store::open_read_only(db.path()).err(),
    ] {
        let err = err.expect("refused");
        assert!(
            matches!(err, StoreError::NewerVersion { found: 99, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("更新版本"), "{err}");
    }
    assert_eq!(snapshot(&mut client), before);
}

#[test]
fn a_store_is_created_only_in_an_empty_schema_and_all_or_nothing() {
    let Some(db) = server("a_store_is_created_only_in_an_empty_schema") else {
        return;
    };
    // A build that fails halfway leaves no table behind.
    let err = Store::create_with(db.path(), "某局", |store| {
        let office = nianbao::store::Actor::setup();
        store.open_year(&office, 2019)?; // refused: no office division yet
        Ok(())
    })
    .err()
    .expect("the build fails");
    assert!(err.to_string().contains("没有办公室"), "{err}");
    assert_eq!(tables(&db), Vec::<String>::new());

    drop(Store::create(db.path(), "某局").unwrap());
    let err = Store::create(db.path(), "另一局").err().expect("refused");
    assert!(matches!(err, StoreError::ServerHasStore(_)), "{err:?}");
    assert_eq!(Store::open(db.path()).unwrap().agency().unwrap(), "某局");

    let Some(other) = server("a_store_is_created_only_in_an_empty_schema") else {
        return;
    };
    raw(&other)
        .batch_execute("CREATE TABLE someone_elses (x INTEGER)")
        .unwrap();
    let err = Store::create(other.path(), "某局").err().expect("refused");
    assert!(
        matches!(err, StoreError::ServerNotEmpty { tables: 1, .. }),
        "{err:?}"
    );
    assert_eq!(tables(&other), ["someone_elses"]);
}

#[test]
fn a_read_only_session_writes_nothing() {
    let Some(db) = server("a_read_only_session_writes_nothing") else {
        return;
    };
    drop(nianbao::demo::create(db.path()).unwrap());
    let mut store = Store::open_read_only(db.path()).unwrap();
    assert_eq!(store.engine(), Engine::Postgres);
    let office = store.actor("liu.office").unwrap();
    let err = store
        .set_value(&office, &december("credit", "credit.interceptions", 1))
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly), "{err:?}");
    let url = db.path().to_str().unwrap();
    let password = url.split_once("://").unwrap().1.split('@').next().unwrap();
    assert!(!store.location().contains(password), "{}", store.location());
}

#[test]
fn the_command_line_on_a_server_gives_the_values_a_file_gives() {
    let Some(db) = server("the_command_line_on_a_server") else {
        return;
    };
    let url = db.path().to_str().unwrap();
    let out = cli::ok(&["demo", "--db", url]);
    let password = url.split_once("://").unwrap().1.split('@').next().unwrap();
    assert!(
        !out.contains(password),
        "the password is not printed: {out}"
    );
    let file = cli::demo(db.dir());
    assert_eq!(cli::values(Path::new(url), 2019), cli::values(&file, 2019));
    assert_eq!(cli::values(Path::new(url), 2018), cli::values(&file, 2018));
    let check = cli::run(&["check", "--db", url, "--year", "2019"]);
    let file_check = cli::run(&["check", "--db", cli::path_str(&file), "--year", "2019"]);
    assert_eq!(check.status.code(), file_check.status.code());
    assert_eq!(cli::text(&check.stdout), cli::text(&file_check.stdout));
}

#[test]
fn a_file_moved_to_a_server_and_back_keeps_every_value_and_the_audit_log() {
    let Some(db) = server("a_file_moved_to_a_server_and_back") else {
        return;
    };
    let url = db.path().to_str().unwrap();
    let file = cli::demo(db.dir());
    let there = cli::ok(&["migrate", "--from", cli::path_str(&file), "--to", url]);
    let back = db.dir().join("back.db");
    let again = cli::ok(&["migrate", "--from", url, "--to", cli::path_str(&back)]);
    // The same counts and checksums, table by table, both ways.
    let tables = |out: &str| {
        out.lines()
            .filter(|l| l.contains('\t'))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(tables(&there).len(), 15, "{there}");
    assert_eq!(tables(&there), tables(&again));
    assert!(there.contains("monthly_values\t"), "{there}");
    for year in [2018, 2019] {
        assert_eq!(cli::values(Path::new(url), year), cli::values(&file, year));
        assert_eq!(cli::values(&back, year), cli::values(&file, year));
    }
    let log = |path: &Path| {
        Store::open(path)
            .unwrap()
            .audit_log(&nianbao::store::AuditFilter::default())
            .unwrap()
    };
    let original = log(&file);
    assert!(original.len() > 100, "{}", original.len());
    assert_eq!(log(Path::new(url)), original);
    assert_eq!(log(&back), original);

    // The server goes on numbering after the copied rows.
    let mut store = Store::open(Path::new(url)).unwrap();
    let office = store.actor("liu.office").unwrap();
    store.set_agency_short(&office, "本局").unwrap();
    let newest = log(Path::new(url))[0].id;
    assert_eq!(newest, original[0].id + 1);
    // A second copy onto the same database is refused, the first left as it was.
    let out = cli::run(&["migrate", "--from", cli::path_str(&file), "--to", url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        cli::text(&out.stderr).contains("已有年报的数据"),
        "{}",
        cli::text(&out.stderr)
    );
    assert_eq!(log(Path::new(url)).len(), original.len() + 1);
}

/// Writers lock only the divisions they write: while another session holds the credit
/// division's lock, a write for news goes through at once, and a write for credit waits,
/// then is refused as busy, leaving the connection usable.
#[test]
fn a_write_waits_only_for_writers_of_its_own_division() {
    let Some(db) = server("a_write_waits_only_for_writers_of_its_own_division") else {
        return;
    };
    let mut store = nianbao::demo::create(db.path()).unwrap();
    let office = store.actor("liu.office").unwrap();
    let mut other = raw(&db);
    let mut holding = other.transaction().unwrap();
    holding
        .batch_execute(
            "SELECT pg_advisory_xact_lock(
                 (CAST(hashtext(current_schema()) AS BIGINT) << 32)
                 | (CAST(hashtext('credit') AS BIGINT) & 4294967295))",
        )
        .unwrap();
    let started = std::time::Instant::now();
    store
        .set_value(&office, &december("news", "news.original", 1726))
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let err = store
        .set_value(&office, &december("credit", "credit.interceptions", 5))
        .unwrap_err();
    assert!(matches!(err, StoreError::Busy), "{err:?}");
    holding.rollback().unwrap();
    store
        .set_value(&office, &december("credit", "credit.interceptions", 5))
        .unwrap();
    assert_eq!(
        store
            .value(2019, 12, "credit", "credit.interceptions")
            .unwrap(),
        Some(Some(5.into()))
    );
}

/// The server drops the connection (a restart, a network cut) while the app is idle: the
/// next read and the next save connect again and go through, nothing asked of the user.
/// Cut off in the middle of a save, the save is refused with a clear message, nothing of
/// it is kept, and the save after it connects again.
#[test]
fn a_lost_connection_is_a_clear_message_and_the_next_action_reconnects() {
    let Some(db) = server("a_lost_connection_reconnects") else {
        return;
    };
    drop(nianbao::demo::create(db.path()).unwrap());
    let name = format!("nianbao_lost_{}", std::process::id());
    let url = format!("{}&application_name={name}", db.path().to_str().unwrap());
    let mut store = Store::open(Path::new(&url)).unwrap();
    let office = store.actor("liu.office").unwrap();
    let mut admin = raw(&db);
    let cut = |admin: &mut postgres::Client| {
        let n = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE application_name = $1",
                &[&name],
            )
            .unwrap()
            .len();
        assert_eq!(n, 1, "the store's one connection");
        // The backend is gone once pg_stat_activity no longer lists it.
        while !admin
            .query(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .unwrap()
            .is_empty()
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let write = |value: i64| december("credit", "credit.interceptions", value);
    cut(&mut admin);
    assert!(
        store
            .value(2019, 12, "credit", "credit.interceptions")
            .is_ok()
    );
    cut(&mut admin);
    store.set_value(&office, &write(11)).unwrap();
    assert_eq!(
        store
            .value(2019, 12, "credit", "credit.interceptions")
            .unwrap(),
        Some(Some(11.into()))
    );
    let audit_before = store
        .audit_log(&nianbao::store::AuditFilter::default())
        .unwrap()
        .len();
    // The cell's row locked elsewhere keeps the save waiting inside its transaction
    // (past its BEGIN) while the connection is cut.
    let mut other = raw(&db);
    let mut holding = other.transaction().unwrap();
    holding
        .batch_execute(
            "SELECT value FROM monthly_values WHERE year = 2019 AND month = 12
             AND division = 'credit' AND metric = 'credit.interceptions' FOR UPDATE",
        )
        .unwrap();
    let err = std::thread::scope(|s| {
        let saving = s.spawn(|| store.set_value(&office, &write(12)));
        std::thread::sleep(std::time::Duration::from_millis(500));
        cut(&mut admin);
        saving.join().unwrap().expect_err("cut off")
    });
    holding.rollback().unwrap();
    assert!(matches!(err, StoreError::ConnectionLost(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("连接已断开"), "{message}");
    assert!(message.contains("本次修改未保存"), "{message}");
    store.set_value(&office, &write(13)).unwrap();
    assert_eq!(
        store
            .value(2019, 12, "credit", "credit.interceptions")
            .unwrap(),
        Some(Some(13.into()))
    );
    let log = store
        .audit_log(&nianbao::store::AuditFilter::default())
        .unwrap();
    assert_eq!(log.len(), audit_before + 1, "the cut-off save left no row");
}

/// `url` with another login (the user part replaced; the host, database and options
/// kept).
fn as_login(url: &str, role: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (_, host) = rest.split_once('@').unwrap();
    format!("{scheme}://{role}:{password}@{host}")
}

/// Permissions that hold outside the app: a division contact connected straight to the
/// database with their own login (no Nianbao in between) cannot write another division's
/// figures, a closed month, the users or the audit log; a leader cannot write figures;
/// and the same contact working through the store saves their own open month.
#[test]
fn the_servers_own_rules_refuse_a_contacts_forbidden_writes_made_outside_the_app() {
    let Some(db) = server("the_servers_own_rules") else {
        return;
    };
    let admin = db.path().to_str().unwrap().to_string();
    let mut store = nianbao::demo::create(db.path()).unwrap();
    let roles = store.secure_on_server().unwrap();
    // A store secured by an older version let contacts and leaders read the whole users
    // table (password hashes too). `server secure` runs again over it and takes that back;
    // the checks below then hold for it.
    let mut owner = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    owner
        .batch_execute(&format!(
            "GRANT SELECT ON \"{0}\".users TO \"{0}_contact\", \"{0}_leader\"",
            roles.schema
        ))
        .unwrap();
    drop(owner);
    assert_eq!(store.secure_on_server().unwrap(), roles, "secured again");
    let contact_role = store
        .grant_server_login("zheng.hao", "zheng-password-1")
        .unwrap();
    let leader_role = store
        .grant_server_login("huang.leader", "leader-password")
        .unwrap();
    assert_eq!(contact_role, format!("{}.zheng.hao", roles.schema));
    let err = store.grant_server_login("zheng.hao", "short").unwrap_err();
    assert!(err.to_string().contains("至少 8 个字符"), "{err}");
    drop(store);

    let contact_url = as_login(&admin, &contact_role, "zheng-password-1");
    let mut contact = postgres::Client::connect(&contact_url, postgres::NoTls).unwrap();
    let cell = |client: &mut postgres::Client, division: &str, month: i64| -> Option<i64> {
        client
            .query_one(
                "SELECT value FROM monthly_values WHERE year = 2019 AND division = $1
                 AND month = $2 AND metric = (SELECT metric FROM metric_owners
                   WHERE year = 2019 AND division = $1 ORDER BY metric LIMIT 1)",
                &[&division, &month],
            )
            .unwrap()
            .get(0)
    };
    let update = |client: &mut postgres::Client, division: &str, month: i64| {
        client.execute(
            "UPDATE monthly_values SET value = 999999 WHERE year = 2019 AND division = $1
             AND month = $2",
            &[&division, &month],
        )
    };
    let refused = |r: Result<u64, postgres::Error>| {
        let e = r.expect_err("refused by the server");
        let code = e.code().map(|c| c.code().to_string());
        assert!(
            matches!(code.as_deref(), Some("42501")),
            "insufficient privilege or a policy: {e}"
        );
    };
    // Another division: the rows are not the contact's to change.
    let news_before = cell(&mut contact, "news", 12);
    assert_eq!(update(&mut contact, "news", 12).unwrap(), 0);
    assert_eq!(cell(&mut contact, "news", 12), news_before);
    refused(contact.execute(
        "INSERT INTO monthly_values (year, division, metric, month, value, note, updated_by,
           updated_at) VALUES (2019, 'news', 'news.original', 0, 1, '', 'x', 'x')",
        &[],
    ));
    // Their own division's locked January: untouched; their open December: written.
    let january = cell(&mut contact, "credit", 1);
    assert_eq!(update(&mut contact, "credit", 1).unwrap(), 0);
    assert_eq!(cell(&mut contact, "credit", 1), january);
    assert!(update(&mut contact, "credit", 12).unwrap() > 0);
    assert_eq!(cell(&mut contact, "credit", 12), Some(999999));
    // Unlocking a month (no row of theirs may go back to open), making themselves
    // office staff, rewriting the log: refused.
    assert_eq!(
        contact
            .execute(
                "UPDATE submissions SET status = 'open' WHERE division = 'credit'",
                &[]
            )
            .unwrap(),
        0
    );
    let january: String = contact
        .query_one(
            "SELECT status FROM submissions WHERE year = 2019 AND division = 'credit'
             AND month = 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(january, "locked");
    refused(contact.execute(
        "UPDATE users SET role = 'office' WHERE login = 'zheng.hao'",
        &[],
    ));
    refused(contact.execute("UPDATE audit_log SET actor = 'x'", &[]));
    refused(contact.execute("DELETE FROM audit_log", &[]));
    refused(contact.execute("DELETE FROM monthly_values", &[]));
    // Applicants' names are the office's only.
    refused(contact.execute("SELECT applicant_name FROM applications", &[]));
    // Nor the users' password hashes; the rest of a user they read.
    refused(contact.execute("SELECT password_hash FROM users", &[]));
    refused(contact.execute("SELECT * FROM users", &[]));
    assert!(
        contact
            .execute("SELECT login, role, division FROM users", &[])
            .unwrap()
            > 0
    );
    // A leader writes no figures.
    let leader_url = as_login(&admin, &leader_role, "leader-password");
    let mut leader = postgres::Client::connect(&leader_url, postgres::NoTls).unwrap();
    refused(update(&mut leader, "credit", 12));
    drop((contact, leader));

    // The same contact through the store: their database login is their user (no
    // second password, no hashes read); their open month saves, with its audit row.
    let mut store = Store::open(Path::new(&contact_url)).unwrap();
    assert_eq!(store.database_user().unwrap().as_deref(), Some("zheng.hao"));
    let users = store.users().unwrap();
    assert!(users.iter().any(|u| u.login == "zheng.hao"));
    assert!(users.iter().all(|u| !u.has_password));
    assert!(store.verify_password("zheng.hao", "").unwrap());
    let other = users.iter().find(|u| u.login != "zheng.hao").unwrap();
    assert!(
        store.verify_password(&other.login, "anything").is_err(),
        "another user's password cannot be checked with a contact's login"
    );
    let zheng = store.actor("zheng.hao").unwrap();
    store
        .set_value(&zheng, &december("credit", "credit.interceptions", 7))
        .unwrap();
    assert_eq!(
        store
            .value(2019, 12, "credit", "credit.interceptions")
            .unwrap(),
        Some(Some(7.into()))
    );
    let year = store.year_data(2019).unwrap();
    assert_eq!(year.year, 2019);
    drop(store);

    // A store left at an older schema: the contact's login may not change its tables, so
    // opening it says the owner must upgrade it, and changes nothing.
    let mut owner = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    let version = |client: &mut postgres::Client| -> i64 {
        client
            .query_one("SELECT version FROM nianbao_schema", &[])
            .unwrap()
            .get(0)
    };
    let current = version(&mut owner);
    owner
        .execute("UPDATE nianbao_schema SET version = $1", &[&(current - 1)])
        .unwrap();
    let err = Store::open(Path::new(&contact_url)).err().expect("refused");
    assert!(
        matches!(err, StoreError::ServerUpgradeNeedsOwner { found, .. } if i64::from(found) == current - 1),
        "{err:?}"
    );
    assert!(err.to_string().contains("nianbao server secure"), "{err}");
    assert_eq!(version(&mut owner), current - 1, "nothing written");
    owner
        .execute("UPDATE nianbao_schema SET version = $1", &[&current])
        .unwrap();
    drop(owner);

    // The roles are the cluster's: removed with the test's schema.
    drop_roles(
        &db,
        &[
            contact_role,
            leader_role,
            roles.office,
            roles.contact,
            roles.leader,
        ],
    );
}

/// `nianbao server init` sets up an agency on the server in one command, and `server
/// login` gives its office user a database login they can work with; on a file the
/// command says it is for servers only.
#[test]
fn the_it_department_sets_up_an_agency_with_two_commands() {
    let Some(db) = server("the_it_department_sets_up_an_agency") else {
        return;
    };
    let url = db.path().to_str().unwrap();
    let out = cli::ok(&[
        "server",
        "init",
        "--db",
        url,
        "--agency",
        "某某市某局",
        "--year",
        "2026",
    ]);
    assert!(out.contains("权限与行级安全策略已设置"), "{out}");
    // The password from standard input, as an administrator would give it.
    let mut login = cli::nianbao()
        .args([
            "server",
            "login",
            "--db",
            url,
            "--login",
            "office",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut login.stdin.take().unwrap(), b"office-pass-1\n").unwrap();
    let output = login.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", cli::text(&output.stderr));
    let out = cli::text(&output.stdout);
    let schema = db
        .path()
        .to_str()
        .unwrap()
        .rsplit("search_path%3D")
        .next()
        .unwrap()
        .to_string();
    let role = format!("{schema}.office");
    assert!(out.contains(&role), "{out}");
    let office_url = as_login(url, &role, "office-pass-1");
    let mut store = Store::open(Path::new(&office_url)).unwrap();
    let office = store.actor("office").unwrap();
    store.set_agency_short(&office, "某局").unwrap();
    drop(store);
    let file = db.dir().join("年报.db");
    cli::ok(&["init", "--db", cli::path_str(&file), "--agency", "某局"]);
    let refused = cli::run(&["server", "secure", "--db", cli::path_str(&file)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(cli::text(&refused.stderr).contains("只用于 PostgreSQL"));
    drop_roles(
        &db,
        &[
            role,
            format!("{schema}_office"),
            format!("{schema}_contact"),
            format!("{schema}_leader"),
        ],
    );
}

/// `db`'s URL with TLS parameters added, on `host` instead of the loopback address.
fn with_tls(db: &Scratch, host: &str, query: &str) -> String {
    let url = db
        .path()
        .to_str()
        .unwrap()
        .replace("@127.0.0.1:", &format!("@{host}:"));
    format!("{url}&{query}")
}

#[test]
fn tls_encrypts_as_libpq_does_and_checks_the_certificate_when_asked() {
    let Some(db) = server("tls_encrypts_as_libpq_does") else {
        return;
    };
    // scripts/start-test-pg.sh makes the server's certificate, for `localhost` only.
    let ca = std::env::var("NIANBAO_TEST_PG_CA").expect("NIANBAO_TEST_PG_CA with NIANBAO_TEST_PG");
    Store::create(db.path(), "某局").unwrap();
    let encrypted = |url: &str| Store::open(Path::new(url)).unwrap().encrypted().unwrap();
    // The default (prefer) encrypts without checking; disable does not encrypt.
    assert_eq!(encrypted(db.path().to_str().unwrap()), Some(true));
    assert_eq!(
        encrypted(&with_tls(&db, "127.0.0.1", "sslmode=disable")),
        Some(false)
    );
    assert_eq!(
        encrypted(&with_tls(&db, "127.0.0.1", "sslmode=require")),
        Some(true)
    );
    // verify-full: the CA and the host name the certificate names.
    let root = format!("sslrootcert={ca}");
    let full = |host: &str| with_tls(&db, host, &format!("sslmode=verify-full&{root}"));
    assert_eq!(encrypted(&full("localhost")), Some(true));
    let err = Store::open(Path::new(&full("127.0.0.1")))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::Certificate { .. }), "{err:?}");
    assert!(err.to_string().contains("主机名"), "{err}");
    // verify-ca checks the chain, not the name; require with a root certificate is verify-ca.
    let ca_only = with_tls(&db, "127.0.0.1", &format!("sslmode=verify-ca&{root}"));
    assert_eq!(encrypted(&ca_only), Some(true));
    let require = with_tls(&db, "127.0.0.1", &format!("sslmode=require&{root}"));
    assert_eq!(encrypted(&require), Some(true));
    // Roots that did not sign it (the system's, or another file): refused, saying so.
    let system = Store::open(Path::new(&with_tls(
        &db,
        "localhost",
        "sslmode=verify-full",
    )));
    let err = system.err().expect("refused");
    assert!(matches!(err, StoreError::Certificate { .. }), "{err:?}");
    assert!(
        err.to_string().contains("不是由所信任的根证书签发"),
        "{err}"
    );
    let other = db.dir().join("other-ca.pem");
    std::fs::copy("/etc/ssl/certs/ca-certificates.crt", &other).unwrap();
    let url = with_tls(
        &db,
        "localhost",
        &format!("sslmode=verify-ca&sslrootcert={}", other.display()),
    );
    let err = Store::open(Path::new(&url)).err().expect("refused");
    assert!(matches!(err, StoreError::Certificate { .. }), "{err:?}");
    // A root certificate file that is not there.
    let url = with_tls(
        &db,
        "localhost",
        "sslmode=verify-ca&sslrootcert=/no/such/ca.pem",
    );
    let err = Store::open(Path::new(&url)).err().expect("refused");
    assert!(matches!(err, StoreError::RootCertificate { .. }), "{err:?}");
    assert!(!err.to_string().contains(&ca), "{err}");
}
